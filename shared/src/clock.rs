//! Wall-clock time in the two forms the service stores and renders.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A point in time, second precision, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc().unix_timestamp())
    }

    pub fn from_unix(seconds: i64) -> Self {
        Self(seconds)
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// `2024-01-15T10:30:00Z`, the form every contract shows.
    pub fn to_rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
    }

    /// `2024-01-15 10:30:00` (UTC), as the chat server's routes take times.
    pub fn parse_date_time(text: &str) -> Option<Self> {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        time::PrimitiveDateTime::parse(text.trim(), format)
            .ok()
            .map(|t| Self(t.assume_utc().unix_timestamp()))
    }

    /// `Mon, 15 Jan 2024 10:30:00 GMT`, the form HTTP headers such as `Last-Modified` take.
    pub fn to_http_date(self) -> String {
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(format).ok())
            .unwrap_or_else(|| "Thu, 01 Jan 1970 00:00:00 GMT".to_owned())
    }

    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|t| Self(t.unix_timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_chat_servers_date_time() {
        assert_eq!(
            Timestamp::parse_date_time("2024-01-15 10:30:00"),
            Some(Timestamp::from_unix(1_705_314_600))
        );
        assert_eq!(Timestamp::parse_date_time("2024-01-15T10:30:00Z"), None);
    }

    #[test]
    fn renders_whole_seconds_in_utc_with_a_z() {
        assert_eq!(
            Timestamp::from_unix(1_705_314_600).to_rfc3339(),
            "2024-01-15T10:30:00Z"
        );
    }

    #[test]
    fn renders_http_dates() {
        assert_eq!(
            Timestamp::from_unix(1_705_314_600).to_http_date(),
            "Mon, 15 Jan 2024 10:30:00 GMT"
        );
    }

    #[test]
    fn parses_what_it_renders() {
        let t = Timestamp::from_unix(1_705_314_600);
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
    }
}

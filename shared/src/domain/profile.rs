//! Profile values beyond names: avatar, postal address, birthday.

use super::text::text_type;
use super::user::bounded;
use super::{HttpUrl, Invalid};

/// A user's picture: none (shown as `""`) or an [`HttpUrl`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Avatar(Option<HttpUrl>);

impl Avatar {
    /// `""` clears the avatar; anything else must be an http(s) URL.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            Ok(Self(None))
        } else {
            HttpUrl::parse(text).map(|url| Self(Some(url)))
        }
    }

    pub fn url(&self) -> Option<&HttpUrl> {
        self.0.as_ref()
    }

    /// The URL, or `""` when there is none.
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl From<HttpUrl> for Avatar {
    fn from(url: HttpUrl) -> Self {
        Self(Some(url))
    }
}

impl std::ops::Deref for Avatar {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for Avatar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A postal address: free text of at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(String);

impl Address {
    pub const MAX_LEN: usize = 255;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        bounded(text, Self::MAX_LEN).map(Self)
    }
}

/// A date of birth, `YYYY-MM-DD`, from 1900-01-01 to today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Birthday(String);

impl Birthday {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let invalid =
            || Invalid::new("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
        let date = time::Date::parse(text.trim(), format).map_err(|_| invalid())?;
        let today = time::OffsetDateTime::now_utc().date();
        if date.year() < 1900 || date > today {
            return Err(Invalid::new("Enter a date between 1900-01-01 and today."));
        }
        date.format(format).map(Self).map_err(|_| invalid())
    }
}

/// A campaign preference category code: 1 to 50 lower-case ASCII letters, digits, `-` or `_`
/// (`fashion`, `health-fitness`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Category(String);

impl Category {
    pub const MAX_LEN: usize = 50;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let code = text.trim().to_ascii_lowercase();
        let valid = (1..=Self::MAX_LEN).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(code))
        } else {
            Err(Invalid::new(format!(
                "\"{}\" is not a category code (1 to {} letters, digits, - or _).",
                text.trim(),
                Self::MAX_LEN
            )))
        }
    }
}

text_type!(Address, Birthday, Category);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_avatar_reads_and_serialises_as_an_empty_string() {
        let none = Avatar::parse("").unwrap();
        assert_eq!(none.as_str(), "");
        assert_eq!(serde_json::to_value(&none).unwrap(), serde_json::json!(""));
        let some = Avatar::parse("https://cdn.example.com/a.png").unwrap();
        assert_eq!(&*some, "https://cdn.example.com/a.png");
        assert!(Avatar::parse("not a url").is_err());
    }

    #[test]
    fn addresses_hold_at_most_255_characters() {
        assert!(Address::parse(&"a".repeat(255)).is_ok());
        assert!(Address::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn category_codes_are_short_lower_case_words() {
        assert_eq!(Category::parse(" Fashion ").unwrap(), "fashion");
        assert!(Category::parse("health-fitness").is_ok());
        for bad in ["", "two words", "ümlaut", &"a".repeat(51)] {
            assert!(Category::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn birthdays_are_iso_dates_from_1900_to_today() {
        assert_eq!(Birthday::parse(" 1990-02-03 ").unwrap(), "1990-02-03");
        for bad in ["1899-12-31", "2999-01-01", "03/02/1990", "1990-02-30"] {
            assert!(Birthday::parse(bad).is_err(), "{bad}");
        }
    }
}

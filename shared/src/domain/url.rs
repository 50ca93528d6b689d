//! Web addresses clients give for avatars and photos.

use super::text::text_type;
use super::Invalid;

/// An absolute `http` or `https` URL with a host, no white space, at most 2048 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"));
        let has_host = rest.is_some_and(|r| {
            !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace)
        });
        if has_host && text.len() <= Self::MAX_LEN {
            Ok(Self(text.to_owned()))
        } else {
            Err(Invalid::new("Enter a valid URL."))
        }
    }
}

text_type!(HttpUrl);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls_with_a_host_are_accepted() {
        for good in ["https://example.com/a.png", "http://cdn.example.com"] {
            assert_eq!(HttpUrl::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn other_schemes_hostless_spaced_and_over_long_urls_are_refused() {
        let long = format!("https://example.com/{}", "a".repeat(2048));
        for bad in [
            "ftp://x.com",
            "https://",
            "https:///path",
            "https://a b.com",
            "x",
            &long,
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }
}

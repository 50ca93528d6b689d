//! Push channels and themes ("topics"): what notifications are sent to. A channel is a name
//! users subscribe to; a theme is a name with a range that preferences refer to.

use super::Invalid;

/// Longest channel or theme name, in characters.
pub const MAX_TOPIC_NAME: usize = 100;

/// Which of the two: they share their rules (numeric ids, unique names) and differ in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicKind {
    Channel,
    Theme,
}

impl TopicKind {
    /// The word the push contract uses for it (`"Channel not found"`).
    pub fn label(self) -> &'static str {
        match self {
            TopicKind::Channel => "Channel",
            TopicKind::Theme => "Theme",
        }
    }
}

/// A channel or theme name: trimmed, not blank, at most [`MAX_TOPIC_NAME`] characters, no
/// control characters. Compared in any letter case (as the original's database did).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicName(String);

impl TopicName {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let name = text.trim();
        if name.is_empty() {
            return Err(Invalid::new("This field may not be blank."));
        }
        if name.chars().count() > MAX_TOPIC_NAME {
            return Err(Invalid::new(format!(
                "Ensure this field has no more than {MAX_TOPIC_NAME} characters."
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::new("Control characters are not allowed."));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form names are compared (and guarded) in: lower case.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Who a theme's notifications go to: one user, some users, or everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThemeRange {
    Unicast,
    Multicast,
    Broadcast,
}

impl ThemeRange {
    pub const ALL: [ThemeRange; 3] = [
        ThemeRange::Unicast,
        ThemeRange::Multicast,
        ThemeRange::Broadcast,
    ];

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|range| range.as_str() == text.trim())
            .ok_or_else(|| Invalid::new("Must be unicast, multicast or broadcast."))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeRange::Unicast => "unicast",
            ThemeRange::Multicast => "multicast",
            ThemeRange::Broadcast => "broadcast",
        }
    }
}

/// A stored channel (no range) or theme (with its range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub kind: TopicKind,
    pub id: u64,
    pub name: TopicName,
    pub range: Option<ThemeRange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_compared_in_lower_case() {
        let name = TopicName::parse("  Breaking News ").unwrap();
        assert_eq!(name.as_str(), "Breaking News");
        assert_eq!(name.canonical(), "breaking news");
        assert!(TopicName::parse("   ").is_err());
        assert!(TopicName::parse(&"x".repeat(100)).is_ok());
        assert!(TopicName::parse(&"x".repeat(101)).is_err());
        assert!(TopicName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn ranges_are_the_three_words() {
        for range in ThemeRange::ALL {
            assert_eq!(ThemeRange::parse(range.as_str()), Ok(range));
        }
        assert!(ThemeRange::parse("anycast").is_err());
        assert!(ThemeRange::parse("").is_err());
    }
}

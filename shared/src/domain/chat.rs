//! Values of the chat server's contract: its external user id and display name.

use super::text::text_type;
use super::user::bounded;
use super::Invalid;

/// The chat server's id of a user (often an e-mail): 1 to 255 characters, unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatUserId(String);

impl ChatUserId {
    pub const MAX_LEN: usize = 255;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            return Err(Invalid::new("This field may not be blank."));
        }
        bounded(text, Self::MAX_LEN).map(Self)
    }
}

/// The name the chat server shows for a user: at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        bounded(text, Self::MAX_LEN).map(Self)
    }
}

text_type!(ChatUserId, DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_ids_are_1_to_255_characters() {
        assert!(ChatUserId::parse("").is_err());
        assert!(ChatUserId::parse(&"x".repeat(255)).is_ok());
        assert!(ChatUserId::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn display_names_are_at_most_100_characters() {
        assert!(DisplayName::parse(&"x".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
    }
}

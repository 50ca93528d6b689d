//! Notifications: what a user finds in their inbox, and on which channels it is delivered.

use super::UserId;
use crate::clock::Timestamp;

/// One notification in a user's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: u64,
    pub user_id: UserId,
    pub title: String,
    pub message: String,
    /// The notification's type (`campaign`, a theme's name, ...), as sent.
    pub kind: String,
    /// Free-form details, as sent.
    pub data: Option<serde_json::Value>,
    pub read: bool,
    pub created_at: Timestamp,
}

/// The most characters a title, and a message, may have.
pub const MAX_TITLE: usize = 200;
pub const MAX_MESSAGE: usize = 4000;
pub const MAX_KIND: usize = 50;

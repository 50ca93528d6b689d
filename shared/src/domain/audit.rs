//! The audit trail of staff actions: who did what to which user, when, and why.

use super::UserId;
use crate::clock::Timestamp;

/// Who acted: a staff user through the API, or an operator through `userctl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff(UserId),
    /// An operator at the command line, named by the login that ran it.
    Operator(String),
}

impl Actor {
    /// `user:<id>` or `operator:<name>`, as stored.
    pub fn text(&self) -> String {
        match self {
            Actor::Staff(id) => format!("user:{id}"),
            Actor::Operator(name) => format!("operator:{name}"),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        if let Some(id) = text.strip_prefix("user:") {
            return UserId::parse(id).ok().map(Actor::Staff);
        }
        text.strip_prefix("operator:")
            .map(|name| Actor::Operator(name.to_owned()))
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    Ban,
    Unban,
    ForceLogout,
    NotificationSent,
    StaffCreated,
}

impl StaffAction {
    pub const ALL: [StaffAction; 5] = [
        StaffAction::Ban,
        StaffAction::Unban,
        StaffAction::ForceLogout,
        StaffAction::NotificationSent,
        StaffAction::StaffCreated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Ban => "ban",
            StaffAction::Unban => "unban",
            StaffAction::ForceLogout => "force_logout",
            StaffAction::NotificationSent => "notification_sent",
            StaffAction::StaffCreated => "staff_created",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One entry of a user's trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub user_id: UserId,
    pub at: Timestamp,
    pub actor: Actor,
    pub action: StaffAction,
    /// The reason given, if any (empty when none was).
    pub reason: String,
    /// What else the action carried: a ban's expiry, a notification's title.
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_actions_read_back_as_written() {
        for actor in [Actor::Staff(UserId::new(7)), Actor::Operator("ops".into())] {
            assert_eq!(Actor::parse(&actor.text()), Some(actor));
        }
        for action in StaffAction::ALL {
            assert_eq!(StaffAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(Actor::parse("someone"), None);
    }
}

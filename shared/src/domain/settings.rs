//! A user's campaign settings: language, preference categories and networks, privacy, and the
//! seven notification codes (each a push theme of the same name).

/// The campaign app's notification codes and their display names, in the document's order.
pub const NOTIFICATION_CODES: [(&str, &str); 7] = [
    ("new_campaign", "New campaign"),
    ("end_campaign", "End campaign"),
    ("near_campaign", "Near campaign"),
    ("cause_campaign", "Causes"),
    ("profile_status", "Profile status"),
    ("post_status", "Post status"),
    ("update_balance", "Update balance"),
];

/// The language of a user who never chose one.
pub const DEFAULT_LANGUAGE: &str = "en";

/// Most categories, or networks, one user keeps.
pub const MAX_CHOICES: usize = 20;

/// Who sees what of a user's campaign profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivacySettings {
    pub profile_public: bool,
    pub show_earnings: bool,
    pub show_campaigns: bool,
}

impl Default for PrivacySettings {
    /// The document's example: a public profile that shows campaigns but not earnings.
    fn default() -> Self {
        Self {
            profile_public: true,
            show_earnings: false,
            show_campaigns: true,
        }
    }
}

/// The kinds of reference codes a setting is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Category,
    Network,
    Language,
}

impl CodeKind {
    /// The field a request names codes of this kind in.
    pub fn field(self) -> &'static str {
        match self {
            CodeKind::Category => "categories",
            CodeKind::Network => "networks",
            CodeKind::Language => "language",
        }
    }
}

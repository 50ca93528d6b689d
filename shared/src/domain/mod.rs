//! Domain values that cannot hold an invalid value: each is parsed once at the edge.

mod audit;
mod chat;
mod contact;
mod device;
mod profile;
mod records;
mod stats;
mod text;
mod topic;
mod url;
mod user;

pub use audit::{Actor, AuditEntry, StaffAction};
pub use chat::{ChatUserId, DisplayName};
pub use contact::{CountryCode, Gender, Phone};
pub use device::{Device, DeviceKind};
pub use profile::{Address, Avatar, Birthday};
pub use records::{
    AppCredential, DirectoryOrder, EmailCode, FollowEdge, FollowSide, LoginFailures, Session,
};
pub use stats::{Breakdown, Distribution, Share, StatsSnapshot, UserTraits};
pub use topic::{ThemeRange, Topic, TopicKind, TopicName, MAX_TOPIC_NAME};
pub use url::HttpUrl;
pub use user::{
    Ban, Bio, Email, NewUser, Password, PersonName, User, UserId, UserSummary, Username,
};

/// Why a value was refused, in words a client can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

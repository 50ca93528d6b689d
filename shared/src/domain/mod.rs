//! Domain values that cannot hold an invalid value: each is parsed once at the edge.

mod audit;
mod chat;
mod contact;
mod counters;
mod device;
mod notification;
mod profile;
mod records;
mod settings;
mod stats;
mod text;
mod topic;
mod url;
mod user;

pub use audit::{Actor, AuditEntry, StaffAction};
pub use chat::{ChatUserId, DisplayName};
pub use contact::{CountryCode, Gender, Phone};
pub use counters::{Counter, CounterChange, Counters, RequestId, MAX_COUNTER_DELTA};
pub use device::{Device, DeviceKind};
pub use notification::{Notification, MAX_KIND, MAX_MESSAGE, MAX_TITLE};
pub use profile::{Address, Avatar, Birthday, Category};
pub use records::{
    AppCredential, DirectoryOrder, EmailCode, FollowEdge, FollowSide, LoginFailures, Session,
};
pub use settings::{CodeKind, PrivacySettings, DEFAULT_LANGUAGE, MAX_CHOICES, NOTIFICATION_CODES};
pub use stats::{Breakdown, Distribution, Share, StatsSnapshot, UserTraits};
pub use topic::{ThemeRange, Topic, TopicKind, TopicName, MAX_TOPIC_NAME};
pub use url::HttpUrl;
pub use user::{
    Ban, Bio, Email, NewUser, Password, PersonName, User, UserCard, UserId, UserSummary, Username,
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

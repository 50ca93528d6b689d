//! Domain values that cannot hold an invalid value: each is parsed once at the edge.

mod contact;
mod url;
mod user;

pub use contact::{CountryCode, Gender, Phone};
pub use url::HttpUrl;
pub use user::{
    Bio, Device, Email, NewUser, Password, PersonName, User, UserId, UserSummary, Username,
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

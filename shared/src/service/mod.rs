//! The service's use cases, free of HTTP and of any one contract. Each returns a domain value
//! or a [`ServiceError`] that every contract renders in its own shape.

pub mod accounts;
pub mod apps;
pub mod chat;
pub mod counters;
pub mod delivery;
pub mod devices;
pub mod directory;
pub mod limits;
pub mod notifications;
pub mod paging;
pub mod profiles;
pub mod push;
pub mod reference;
pub mod sessions;
pub mod settings;
pub mod social;
pub mod staff;
pub mod stats;
pub mod subscriptions;
pub mod topics;
pub mod verification;

use crate::auth::password::PasswordError;
use crate::auth::tokens::TokenError;
use crate::store::StoreError;
use std::collections::BTreeMap;

/// Messages per field, as DRF reports them: `{"field": ["message", ...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl utoipa::PartialSchema for FieldErrors {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        ObjectBuilder::new()
            .description(Some(
                "Messages per field: `{\"field\": [\"message\", ...]}`.",
            ))
            .additional_properties(Some(
                ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
            ))
            .into()
    }
}

impl utoipa::ToSchema for FieldErrors {}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Keeps the value of a parse, or records why it failed under `field`.
    pub fn check<T>(
        &mut self,
        field: &str,
        parsed: Result<T, crate::domain::Invalid>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.add(field, invalid.0);
                None
            }
        }
    }

    /// The parsed value if nothing was wrong, else every problem recorded.
    /// The value of a check that reports its own errors; those are added to these.
    pub fn take<T>(&mut self, checked: Result<Option<T>, FieldErrors>) -> Option<T> {
        match checked {
            Ok(value) => value,
            Err(errors) => {
                for (field, messages) in errors.iter() {
                    for message in messages {
                        self.add(field, message.clone());
                    }
                }
                None
            }
        }
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, ServiceError> {
        match value {
            Some(value) if self.is_empty() => Ok(value),
            _ => Err(ServiceError::Invalid(self)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The first field (in name order) and its first message: what contracts that report one
    /// problem at a time show.
    pub fn first(&self) -> Option<(&str, &str)> {
        self.iter()
            .next()
            .map(|(field, messages)| (field, messages.first().map_or("", String::as_str)))
    }

    /// The first problem as one line, `field: message`, for contracts whose errors are one
    /// sentence.
    pub fn first_line(&self) -> String {
        self.first()
            .map(|(field, message)| format!("{field}: {message}"))
            .unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
}

/// A value only one user (or device) may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UniqueField {
    Username,
    Email,
    /// The chat server's external `user_id`.
    ChatUserId,
    /// A notification device's reference (an e-mail address or a push token).
    Device,
    /// A push channel's name (any letter case).
    ChannelName,
    /// A push theme's name (any letter case).
    ThemeName,
    /// A user's preference for a theme: one per user and theme.
    Preference,
}

/// Why a follow or unfollow was refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FollowRefusal {
    /// A user cannot follow themselves.
    Yourself,
    AlreadyFollowing,
    /// The user to follow does not exist.
    NoSuchUser(social::FollowTarget),
    /// An unfollow of someone the caller does not follow (by the name the caller used).
    NotFollowing(String),
}

/// Something the service could not do, for a reason a client may be told, or an
/// [`Unexpected`](ServiceError::Unexpected) failure that is logged and answered with a bare 500.
/// The variants are reasons, not prose: each contract's dialect (`http::Dialect`) words them.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Validation messages per field, already in the words every contract shows (DRF's).
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Values another user already holds; every one of them is reported at once.
    #[error("already taken: {0:?}")]
    Taken(Vec<UniqueField>),
    #[error("follow refused: {0:?}")]
    FollowRefused(FollowRefusal),
    /// A page number past the end of a list (DRF's page-number pagination answers 404).
    #[error("no such page")]
    InvalidPage,
    #[error("no credentials were provided")]
    NotAuthenticated,
    #[error("the access token is not valid")]
    InvalidToken,
    #[error("the refresh token is not valid")]
    InvalidRefreshToken,
    #[error("the credentials are not valid")]
    InvalidCredentials,
    #[error("permission denied")]
    PermissionDenied,
    /// The account is banned (until `until`, or until lifted). Told only to the account's
    /// owner: after a correct password, or to the app that made the account.
    #[error("the account is banned")]
    Banned {
        until: Option<crate::clock::Timestamp>,
    },
    #[error("not found")]
    NotFound,
    /// Something other than the user a route names is not there (`"Device"`).
    #[error("{0} not found")]
    Missing(&'static str),
    #[error("too many requests; retry after {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// Storage is unreachable or throttled for now: worth retrying after `retry_after` s.
    #[error("storage is unavailable; retry after {retry_after} s")]
    Unavailable {
        retry_after: u64,
        #[source]
        cause: StoreError,
    },
    #[error("unexpected failure")]
    Unexpected(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    pub fn invalid(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Self::Invalid(errors)
    }

    /// One value that another user already holds.
    pub fn taken(field: UniqueField) -> Self {
        Self::Taken(vec![field])
    }
}

/// `NotFound` unless the thing a write was meant for was there.
pub(crate) fn found(existed: bool) -> Result<(), ServiceError> {
    if existed {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Seconds a client is told to wait when storage is unavailable.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 2;

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable { .. } => Self::Unavailable {
                retry_after: UNAVAILABLE_RETRY_AFTER,
                cause: error,
            },
            other => Self::Unexpected(Box::new(other)),
        }
    }
}

impl From<PasswordError> for ServiceError {
    fn from(error: PasswordError) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

impl From<TokenError> for ServiceError {
    fn from(error: TokenError) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

impl From<aws_lc_rs::error::Unspecified> for ServiceError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        Self::Unexpected("the system random generator failed".into())
    }
}

//! The DynamoDB store: one table, generic keys ([`keys`]), items as `serde_dynamo` structs
//! (private to the store). Its API speaks in domain terms: users, sessions, follows. Every
//! write that must not race is a conditional write or a transaction ([`plumbing`]).

mod apps;
mod codes;
mod counters;
mod deletion;
mod devices;
mod directory;
mod dynamo_json;
mod follows;
mod inbox;
mod items;
pub mod keys;
mod limits;
mod members;
mod plumbing;
mod profiles;
mod reference;
mod sendjobs;
mod sessions;
mod settings;
mod signing;
mod staff;
mod stats;
mod topics;
mod users;
mod wire;
mod write_json;
pub use wire::Observer as CallObserver;

pub use crate::domain::{DirectoryOrder, FollowEdge};
pub use codes::CodeSendRefused;
pub use counters::{CounterChangeError, CountersChanged};
pub use devices::{DeviceHolder, DeviceWriteError};
pub use directory::{directory_key_fits, DirectoryKey, DirectoryPage, FilteredRead};
pub use follows::{FollowOutcome, TokenCaller, FOLLOW_ID_BLOCK};
pub use inbox::{NewNote, OutboxEntry, UnreadEntry};
pub use members::{Member, MemberPage, MemberWriteError};
pub use profiles::ProfileUpdateError;
pub use reference::{City, Country, NamedCode, ReferenceData};
pub use sendjobs::{Audience, SendJob};
pub use settings::SettingsChange;
pub use staff::StaffChange;
pub use stats::{OnProgress, ScanProgress};
pub use topics::TopicWriteError;
pub use users::{ChatUserUpdate, CreateUserError, Credentials};

use crate::domain::{UserId, Username};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::sync::Arc;

/// Why a storage call failed. `Sdk` keeps the SDK's whole error context for the log; none of
/// it ever reaches a client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed: {detail}")]
    Sdk {
        operation: &'static str,
        detail: String,
    },
    #[error("a stored item does not have the expected shape")]
    Malformed(#[from] serde_dynamo::Error),
    #[error("a stored item lacks the attribute {0}")]
    MissingAttribute(&'static str),
    #[error("a DynamoDB request could not be built")]
    Build(#[from] aws_sdk_dynamodb::error::BuildError),
    #[error("a stored {attribute} is not valid: {reason}")]
    Invalid {
        attribute: &'static str,
        reason: String,
    },
    #[error("DynamoDB kept reporting conflicting transactions")]
    Contended,
    #[error("a transaction was cancelled: {reasons:?}")]
    Cancelled { reasons: Vec<String> },
    #[error("a Scan segment stopped before it finished: {0}")]
    SegmentStopped(String),
    #[error("the condition of a {operation} that had to hold failed")]
    ConditionFailed { operation: &'static str },
    /// DynamoDB could not be reached, timed out, or kept throttling after the SDK's retries:
    /// the request may succeed if made again shortly.
    #[error("DynamoDB {operation} is unavailable: {detail}")]
    Unavailable {
        operation: &'static str,
        detail: String,
    },
    /// A walk over query results stopped by its visitor (never leaves the store).
    #[error("the walk was stopped")]
    Stop,
}

impl StoreError {
    /// The same failure again, for another read that was made in the same call.
    pub(crate) fn again(&self) -> Self {
        match self {
            Self::Unavailable { operation, detail } => Self::Unavailable {
                operation,
                detail: detail.clone(),
            },
            Self::Sdk { operation, detail } => Self::Sdk {
                operation,
                detail: detail.clone(),
            },
            Self::Contended => Self::Contended,
            other => Self::Sdk {
                operation: "BatchGetItem",
                detail: other.to_string(),
            },
        }
    }

    /// Names the item a malformed value was found in, for the log.
    pub(crate) fn in_item(self, pk: &str, sk: &str) -> Self {
        match self {
            Self::Invalid { attribute, reason } => Self::Invalid {
                attribute,
                reason: format!("{reason} (in item {pk} / {sk})"),
            },
            other => other,
        }
    }

    /// A failed call: [`StoreError::Unavailable`] when it is worth making again shortly
    /// (no connection, a timeout, throttling or a server error after the SDK's own retries).
    pub(crate) fn sdk<E, R>(operation: &'static str, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let detail = DisplayErrorContext(&error).to_string();
        if transient(&error) {
            Self::Unavailable { operation, detail }
        } else {
            Self::Sdk { operation, detail }
        }
    }

    /// A service error (already taken out of its `SdkError`): unavailable only when it says
    /// the table is throttled or the service failed.
    pub(crate) fn service<E>(operation: &'static str, error: E) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let detail = DisplayErrorContext(&error).to_string();
        if retryable_code(error.code()) {
            Self::Unavailable { operation, detail }
        } else {
            Self::Sdk { operation, detail }
        }
    }
}

/// The error codes DynamoDB answers when a request may succeed if made again later.
fn retryable_code(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "ServiceUnavailable"
        )
    )
}

/// Whether a failed call may succeed if made again shortly: it never reached DynamoDB, timed
/// out, got no readable answer, or DynamoDB said it is throttled or failed.
pub(crate) fn transient<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => retryable_code(service.err().code()),
        _ => false,
    }
}

/// The table and the client that reaches it; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// The SDK's client, made on its first use: most requests make only calls of [`wire`], and a
    /// process that never needs the SDK does not pay for building it at its cold start.
    client: Arc<std::sync::OnceLock<aws_sdk_dynamodb::Client>>,
    /// What the SDK's client is made from.
    sdk: aws_config::SdkConfig,
    /// Where the SDK's client sends its calls instead of the configured endpoint.
    endpoint: Option<Arc<str>>,
    /// The same table's endpoint, for the calls on every request's path ([`wire`]).
    wire: wire::Wire,
    /// Reads by key waiting to be made together.
    gather: Arc<plumbing::Gather>,
    table: Arc<str>,
    sealing_key: Option<crate::auth::sealing::SealingKey>,
    /// Follow ids this process has taken from the counter and not used yet.
    follow_ids: Arc<std::sync::Mutex<std::ops::Range<u64>>>,
    /// Held while a block of follow ids is taken, with the last failure to take one.
    follow_id_refill: Arc<tokio::sync::Mutex<Option<(std::time::Instant, StoreError)>>>,
    /// Usernames (canonical form) this process has looked up, and whose they were.
    usernames: Arc<std::sync::Mutex<std::collections::HashMap<String, UserId>>>,
    /// The usernames (as written) of users this process has read, by id.
    names: Arc<std::sync::Mutex<std::collections::HashMap<UserId, Username>>>,
}

/// How many usernames a process remembers; when full it starts over.
const USERNAMES_KEPT: usize = 4096;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("table", &self.table).finish()
    }
}

impl Store {
    /// The table `table`, reached with the SDK configuration `sdk`: the SDK's client for most
    /// calls, and for the calls on every request's path ([`wire`]) the same endpoint, region
    /// and credentials.
    pub fn new(sdk: &aws_config::SdkConfig, table: impl Into<Arc<str>>) -> Self {
        let region = sdk
            .region()
            .map_or_else(|| "us-east-1".to_owned(), |r| r.as_ref().to_owned());
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| sdk.endpoint_url().map(str::to_owned))
            .unwrap_or_else(|| format!("https://dynamodb.{region}.amazonaws.com"));
        let wire = wire::Wire::new(&endpoint, &region, sdk.credentials_provider());
        Self {
            client: Arc::default(),
            sdk: sdk.clone(),
            endpoint: None,
            wire,
            gather: Arc::default(),
            table: table.into(),
            sealing_key: None,
            follow_ids: Arc::default(),
            follow_id_refill: Arc::default(),
            usernames: Arc::default(),
            names: Arc::default(),
        }
    }

    /// The same store, every call sent to `endpoint` instead.
    pub fn with_endpoint(mut self, endpoint: &str) -> Self {
        self.endpoint = Some(endpoint.into());
        self.client = Arc::default();
        self.wire = self.wire.with_endpoint(endpoint);
        self
    }

    /// The same store, its SDK calls made through `client` (one with interceptors, say).
    pub fn with_client(mut self, client: aws_sdk_dynamodb::Client) -> Self {
        self.client = Arc::new(std::sync::OnceLock::from(client));
        self
    }

    /// The same store, telling `observer` the operation of each call it makes outside the
    /// SDK (the SDK's calls are seen by its interceptors).
    pub fn observing_calls(mut self, observer: wire::Observer) -> Self {
        self.wire = self.wire.observed(observer);
        self
    }

    fn usernames(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, UserId>> {
        self.usernames.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user a username (canonical form) was found to belong to before, if remembered: a
    /// hint to check, never an answer (usernames are freed when users are deleted).
    pub fn remembered_username(&self, canonical: &str) -> Option<UserId> {
        self.usernames().get(canonical).copied()
    }

    pub fn remember_username(&self, canonical: String, id: UserId) {
        let mut usernames = self.usernames();
        if usernames.len() >= USERNAMES_KEPT {
            usernames.clear();
        }
        usernames.insert(canonical, id);
    }

    pub fn forget_username(&self, canonical: &str) {
        self.usernames().remove(canonical);
    }

    fn names(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<UserId, Username>> {
        self.names.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The username a user had when this process last read them: a hint that a write must
    /// check (with a condition on the user's item), never an answer.
    pub fn remembered_name(&self, id: UserId) -> Option<Username> {
        self.names().get(&id).cloned()
    }

    pub fn remember_name(&self, id: UserId, username: &Username) {
        let mut names = self.names();
        if names.len() >= USERNAMES_KEPT && !names.contains_key(&id) {
            names.clear();
        }
        names.insert(id, username.clone());
    }

    /// The same store, with the key that seals app secrets (`APP_SECRET_KEY`).
    pub fn with_sealing_key(mut self, key: Option<crate::auth::sealing::SealingKey>) -> Self {
        self.sealing_key = key;
        self
    }

    /// The key app secrets are sealed with, when the function was given one.
    pub fn sealing_key(&self) -> Option<&crate::auth::sealing::SealingKey> {
        self.sealing_key.as_ref()
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The SDK's client of the table (made on the first call of this).
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        self.client.get_or_init(|| {
            let mut config = aws_sdk_dynamodb::config::Builder::from(&self.sdk);
            if let Some(endpoint) = &self.endpoint {
                config = config.endpoint_url(endpoint.as_ref());
            }
            aws_sdk_dynamodb::Client::from_conf(config.build())
        })
    }
}

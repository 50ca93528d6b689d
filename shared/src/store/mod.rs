//! The DynamoDB store: one table, generic keys ([`keys`]), items as `serde_dynamo` structs
//! ([`items`]). Every write that must not race is a conditional write or a transaction.

mod apps;
mod codes;
mod deletion;
mod directory;
mod follows;
pub mod items;
pub mod keys;
mod limits;
mod profiles;
mod reference;
mod sessions;
mod users;

pub use codes::CodeSendRefused;
pub use directory::{DirectoryOrder, DirectoryPage};
pub use follows::{FollowEdge, FollowOutcome};
pub use profiles::ProfileUpdateError;
pub use reference::{City, Country, ReferenceData};
pub use users::{ChatUserUpdate, CreateUserError};

use aws_sdk_dynamodb::error::DisplayErrorContext;
use std::sync::Arc;
use std::time::Duration;

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
    #[error("DynamoDB kept reporting conflicting transactions")]
    Contended,
}

impl StoreError {
    pub(crate) fn sdk<E>(operation: &'static str, error: E) -> Self
    where
        E: std::error::Error + 'static,
    {
        Self::Sdk {
            operation,
            detail: DisplayErrorContext(&error).to_string(),
        }
    }
}

/// The table and the client that reaches it; cheap to clone.
#[derive(Clone)]
pub struct Store {
    client: aws_sdk_dynamodb::Client,
    table: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("table", &self.table).finish()
    }
}

impl Store {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }
}

/// How often a transaction cancelled only by `TransactionConflict` is tried again.
const TRANSACTION_ATTEMPTS: u32 = 8;

/// A short random pause before retrying a conflicting transaction, growing per attempt.
async fn conflict_backoff(attempt: u32) {
    let mut byte = [0u8; 1];
    let jitter = match aws_lc_rs::rand::fill(&mut byte) {
        Ok(()) => u64::from(byte[0] % 20),
        Err(_) => 10,
    };
    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt + 1) + jitter)).await;
}

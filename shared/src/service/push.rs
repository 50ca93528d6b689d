//! The push contract's users: created by e-mail (which becomes their first notification
//! device), read with their devices, listed, and deleted with everything of theirs.

use super::accounts::{self, NewAccount};
use super::{paging, ServiceError, UniqueField};
use crate::domain::{Email, User, UserId, UserSummary};
use crate::store::{DirectoryOrder, Store};

/// Most e-mails one bulk request may create.
pub const MAX_BULK: usize = 100;
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

/// A user that can be notified at `email` but cannot sign in until given a password elsewhere.
pub async fn create_user(store: &Store, email: Email) -> Result<User, ServiceError> {
    let account = NewAccount {
        username_seed: email.as_str().to_owned(),
        email: Some(email),
        unusable_password: true,
        ..NewAccount::new("")
    };
    Ok(accounts::create(store, account, false).await?.0)
}

pub async fn get_user(store: &Store, id: UserId) -> Result<User, ServiceError> {
    super::profiles::get(store, id).await
}

/// Whether an app credential may delete, deactivate or change `user`: never a staff or
/// superuser account.
pub fn ensure_app_may_change(user: &User) -> Result<(), ServiceError> {
    if user.is_staff || user.is_superuser {
        Err(ServiceError::PermissionDenied)
    } else {
        Ok(())
    }
}

/// Deletes the user and everything of theirs. App credentials never reach staff or superuser
/// accounts: those are refused.
pub async fn delete_user(store: &Store, id: UserId) -> Result<(), ServiceError> {
    let user = store.get_user(id).await?.ok_or(ServiceError::NotFound)?;
    ensure_app_may_change(&user)?;
    super::found(store.delete_user(id).await?)
}

/// Page `page` (from 1) of `limit` users in sign-up order; past the last page, none.
pub async fn list_users(
    store: &Store,
    page: usize,
    limit: usize,
) -> Result<Vec<UserSummary>, ServiceError> {
    let skip = paging::page_skip(page, limit);
    if paging::past_the_end(skip, store.user_count().await?) {
        return Ok(Vec::new());
    }
    Ok(store
        .directory_page(DirectoryOrder::SignUp, false, skip, limit)
        .await?
        .users)
}

/// An e-mail of a bulk request that did not become a user, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub email: String,
    pub reason: RejectReason,
}

/// Why one e-mail of a bulk request was not created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// Not an e-mail address: the validation message.
    Invalid(String),
    /// Another user holds it.
    Taken(UniqueField),
}

/// What a bulk creation did: the users made, in request order, and the e-mails refused.
#[derive(Debug, Clone, Default)]
pub struct BulkCreated {
    pub created: Vec<User>,
    pub rejected: Vec<Rejected>,
}

/// Creates a user per e-mail; an invalid or taken e-mail is reported, not fatal.
pub async fn create_users(store: &Store, emails: Vec<String>) -> Result<BulkCreated, ServiceError> {
    let mut outcome = BulkCreated::default();
    for text in emails {
        let reason = match Email::parse(&text) {
            Err(invalid) => RejectReason::Invalid(invalid.0),
            Ok(email) => match create_user(store, email).await {
                Ok(user) => {
                    outcome.created.push(user);
                    continue;
                }
                Err(ServiceError::Taken(fields)) => {
                    RejectReason::Taken(fields.first().copied().unwrap_or(UniqueField::Email))
                }
                Err(other) => return Err(other),
            },
        };
        outcome.rejected.push(Rejected {
            email: text,
            reason,
        });
    }
    Ok(outcome)
}

//! The push contract's users: created by e-mail (which becomes their first notification
//! device), read with their devices, listed, and deleted with everything of theirs.

use super::accounts::{self, NewAccount};
use super::{paging, ServiceError};
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

pub async fn delete_user(store: &Store, id: UserId) -> Result<(), ServiceError> {
    if store.delete_user(id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
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
    pub reason: String,
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
        let created = match Email::parse(&text) {
            Ok(email) => create_user(store, email).await,
            Err(invalid) => Err(ServiceError::invalid("email", &invalid.0)),
        };
        match created {
            Ok(user) => outcome.created.push(user),
            Err(ServiceError::Invalid(errors)) => {
                let reason = errors
                    .iter()
                    .next()
                    .and_then(|(_, messages)| messages.first().cloned())
                    .unwrap_or_default();
                outcome.rejected.push(Rejected {
                    email: text,
                    reason,
                });
            }
            Err(other) => return Err(other),
        }
    }
    Ok(outcome)
}

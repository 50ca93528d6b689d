//! Abuse-resistance state, shared by every function instance: sign-in failures per account
//! and fixed-window request counters. Both expire through the table's TTL.

use super::items::{LoginFailuresItem, UserItem, ENTITY_LOGIN_FAILURES, ENTITY_RATE_WINDOW};
use super::plumbing::{key, number, send_update, Item};
use super::{keys, Credentials, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{LoginFailures, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

/// How long failure counts are kept after the last failure.
const FAILURES_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// The item that counts failed sign-ins of one account from one client address; both are
/// kept only hashed (an unknown account is named by what was typed).
fn failures_key(account: &str, client: &str) -> Item {
    key(
        keys::login_failures_pk(
            &crate::auth::sha256_b64(account),
            &crate::auth::sha256_b64(client),
        ),
        keys::LOGIN_FAILURES_SK.to_owned(),
    )
}

impl Store {
    /// The user (with their password hash) and the sign-in failures of `account` from
    /// `client`, in one round trip.
    pub async fn get_credentials_and_failures(
        &self,
        user_id: UserId,
        account: &str,
        client: &str,
    ) -> Result<(Option<Credentials>, Option<LoginFailures>), StoreError> {
        let failures_key = failures_key(account, client);
        let items = self
            .batch_get(vec![
                key(keys::user_pk(user_id), keys::PROFILE_SK.to_owned()),
                failures_key.clone(),
            ])
            .await?;
        let mut credentials = None;
        let mut failures = None;
        for item in items {
            if item.get(keys::PK) == failures_key.get(keys::PK) {
                let stored: LoginFailuresItem = serde_dynamo::from_item(item)?;
                failures = Some(LoginFailures::from(stored));
            } else {
                let user: UserItem = serde_dynamo::from_item(item)?;
                credentials = Some(Credentials::try_from(user)?);
            }
        }
        Ok((credentials, failures))
    }

    /// Counts one failed sign-in of `account` from `client` and returns the new state.
    pub async fn record_login_failure(
        &self,
        account: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<LoginFailures, StoreError> {
        let attributes = self
            .count_up(
                failures_key(account, client),
                "failures",
                ENTITY_LOGIN_FAILURES,
                now.unix() + FAILURES_KEPT_SECONDS,
                Some(now),
            )
            .await?;
        let item: LoginFailuresItem = serde_dynamo::from_item(attributes)?;
        Ok(item.into())
    }

    /// Forgets the failures of `account` from `client` after a successful sign-in.
    pub async fn clear_login_failures(
        &self,
        account: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        self.delete_item(failures_key(account, client)).await
    }

    /// Counts one request of `subject` in the window starting at `window_start` and returns the
    /// count so far in that window.
    pub async fn count_in_window(
        &self,
        scope: &str,
        subject: &str,
        window_start: i64,
        window_seconds: i64,
    ) -> Result<u64, StoreError> {
        let attributes = self
            .count_up(
                key(keys::rate_pk(scope, subject), keys::rate_sk(window_start)),
                "count",
                ENTITY_RATE_WINDOW,
                window_start + 2 * window_seconds,
                None,
            )
            .await?;
        number(&attributes, "count").ok_or(StoreError::MissingAttribute("count"))
    }

    /// Adds one to the `counter` attribute of an expiring item (created if missing), noting
    /// `failed_at` as its `last_failed_at` if given; returns the whole item after the change.
    async fn count_up(
        &self,
        key: Item,
        counter: &'static str,
        entity: &str,
        expires_at: i64,
        failed_at: Option<Timestamp>,
    ) -> Result<Item, StoreError> {
        let mut expression =
            "ADD #counter :one SET expires_at = :exp, #entity = :entity".to_owned();
        let mut update = self
            .update_item(key)
            .expression_attribute_names("#counter", counter)
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":exp", AttributeValue::N(expires_at.to_string()))
            .expression_attribute_values(":entity", AttributeValue::S(entity.to_owned()))
            .return_values(ReturnValue::AllNew);
        if let Some(now) = failed_at {
            expression.push_str(", last_failed_at = :now");
            update = update
                .expression_attribute_values(":now", AttributeValue::N(now.unix().to_string()));
        }
        let output = send_update(update.update_expression(expression))
            .await
            .map_err(|e| e.unexpected("UpdateItem"))?;
        output
            .attributes
            .ok_or(StoreError::MissingAttribute(counter))
    }
}

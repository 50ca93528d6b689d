//! Abuse-resistance state, shared by every function instance: sign-in failures per account
//! and fixed-window request counters. Both expire through the table's TTL.

use super::items::{LoginFailuresItem, ENTITY_LOGIN_FAILURES, ENTITY_RATE_WINDOW};
use super::plumbing::{key, number, send_update, Item};
use super::{keys, Credentials, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{LoginFailures, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

/// How long failure counts are kept after the last failure.
const FAILURES_KEPT_SECONDS: i64 = 24 * 60 * 60;

impl Store {
    /// The user (with their password hash) and their sign-in failures, in one round trip.
    pub async fn get_user_and_failures(
        &self,
        user_id: UserId,
    ) -> Result<(Option<Credentials>, Option<LoginFailures>), StoreError> {
        let (user, failures) = self
            .get_user_and(user_id, keys::LOGIN_FAILURES_SK.to_owned())
            .await?;
        let failures: Option<LoginFailuresItem> =
            failures.map(serde_dynamo::from_item).transpose()?;
        Ok((
            user.map(Credentials::try_from).transpose()?,
            failures.map(LoginFailures::from),
        ))
    }

    /// Counts one failed sign-in and returns the new state.
    pub async fn record_login_failure(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<LoginFailures, StoreError> {
        let attributes = self
            .count_up(
                key(keys::user_pk(user_id), keys::LOGIN_FAILURES_SK.to_owned()),
                "failures",
                ENTITY_LOGIN_FAILURES,
                now.unix() + FAILURES_KEPT_SECONDS,
                Some(now),
            )
            .await?;
        let item: LoginFailuresItem = serde_dynamo::from_item(attributes)?;
        Ok(item.into())
    }

    /// Forgets the account's failures after a successful sign-in.
    pub async fn clear_login_failures(&self, user_id: UserId) -> Result<(), StoreError> {
        self.delete_item(key(
            keys::user_pk(user_id),
            keys::LOGIN_FAILURES_SK.to_owned(),
        ))
        .await
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

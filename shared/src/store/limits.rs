//! Abuse-resistance state, shared by every function instance: sign-in failures per account
//! and fixed-window request counters. Both expire through the table's TTL.

use super::items::{LoginFailuresItem, UserItem, ENTITY_LOGIN_FAILURES, ENTITY_RATE_WINDOW};
use super::sessions::key;
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::UserId;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

/// How long failure counts are kept after the last failure.
const FAILURES_KEPT_SECONDS: i64 = 24 * 60 * 60;

impl Store {
    /// The user and their sign-in failures, in one round trip.
    pub async fn get_user_and_failures(
        &self,
        user_id: UserId,
    ) -> Result<(Option<UserItem>, Option<LoginFailuresItem>), StoreError> {
        let (user, failures) = self
            .get_user_and(user_id, keys::LOGIN_FAILURES_SK.to_owned())
            .await?;
        Ok((user, failures.map(serde_dynamo::from_item).transpose()?))
    }

    /// Counts one failed sign-in and returns the new state.
    pub async fn record_login_failure(
        &self,
        user_id: UserId,
        now: Timestamp,
    ) -> Result<LoginFailuresItem, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::LOGIN_FAILURES_SK.to_owned(),
            )))
            .update_expression(
                "ADD failures :one SET last_failed_at = :now, expires_at = :exp, #entity = :entity",
            )
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(now.unix().to_string()))
            .expression_attribute_values(
                ":exp",
                AttributeValue::N((now.unix() + FAILURES_KEPT_SECONDS).to_string()),
            )
            .expression_attribute_values(
                ":entity",
                AttributeValue::S(ENTITY_LOGIN_FAILURES.to_owned()),
            )
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        let attributes = output
            .attributes
            .ok_or(StoreError::MissingAttribute("failures"))?;
        Ok(serde_dynamo::from_item(attributes)?)
    }

    /// Forgets the account's failures after a successful sign-in.
    pub async fn clear_login_failures(&self, user_id: UserId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::LOGIN_FAILURES_SK.to_owned(),
            )))
            .send()
            .await
            .map_err(|e| StoreError::sdk("DeleteItem", e))?;
        Ok(())
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
        let output = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::rate_pk(scope, subject),
                keys::rate_sk(window_start),
            )))
            .update_expression("ADD #count :one SET expires_at = :exp, #entity = :entity")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(
                ":exp",
                AttributeValue::N((window_start + 2 * window_seconds).to_string()),
            )
            .expression_attribute_values(
                ":entity",
                AttributeValue::S(ENTITY_RATE_WINDOW.to_owned()),
            )
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        output
            .attributes()
            .and_then(|a| a.get("count"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or(StoreError::MissingAttribute("count"))
    }
}

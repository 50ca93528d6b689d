//! Sessions: one item per refresh-token family, under the user's partition.

use super::items::{SessionItem, UserItem};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem, Update};
use std::collections::HashMap;

pub(super) type Key = HashMap<String, AttributeValue>;

pub(super) fn key(pk: String, sk: String) -> Key {
    HashMap::from([
        (keys::PK.to_owned(), AttributeValue::S(pk)),
        (keys::SK.to_owned(), AttributeValue::S(sk)),
    ])
}

/// How many times unprocessed keys of a BatchGetItem are asked for again.
const BATCH_ATTEMPTS: u32 = 4;

impl Store {
    /// A new session for a signed-in user, and the user's `last_login`, in one transaction.
    /// Fails with a condition error if the user no longer exists.
    pub async fn start_session(
        &self,
        session: &SessionItem,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let put = self.conditional_put(serde_dynamo::to_item(session)?)?;
        let touch = Update::builder()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(UserId::new(session.user_id)),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression("SET last_login = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()))
            .build()?;
        self.client
            .transact_write_items()
            .transact_items(put)
            .transact_items(TransactWriteItem::builder().update(touch).build())
            .send()
            .await
            .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
        Ok(())
    }

    /// The user and one of their sessions, read together (strongly consistent) in one round trip.
    pub async fn get_user_and_session(
        &self,
        user_id: UserId,
        session_id: &str,
    ) -> Result<(Option<UserItem>, Option<SessionItem>), StoreError> {
        let (user, session) = self
            .get_user_and(user_id, keys::session_sk(session_id))
            .await?;
        Ok((user, session.map(serde_dynamo::from_item).transpose()?))
    }

    /// The user's profile and one other item of the user's partition, in one strongly
    /// consistent BatchGetItem.
    pub(super) async fn get_user_and(
        &self,
        user_id: UserId,
        other_sk: String,
    ) -> Result<(Option<UserItem>, Option<Key>), StoreError> {
        let items = self
            .batch_get(vec![
                key(keys::user_pk(user_id), keys::PROFILE_SK.to_owned()),
                key(keys::user_pk(user_id), other_sk),
            ])
            .await?;
        let mut user = None;
        let mut other = None;
        for item in items {
            let is_profile =
                matches!(item.get(keys::SK), Some(AttributeValue::S(sk)) if sk == keys::PROFILE_SK);
            if is_profile {
                user = Some(serde_dynamo::from_item(item)?);
            } else {
                other = Some(item);
            }
        }
        Ok((user, other))
    }

    /// The items with these keys (strongly consistent, at most 100), in one BatchGetItem,
    /// asking again for whatever DynamoDB leaves unprocessed.
    pub(super) async fn batch_get(&self, wanted: Vec<Key>) -> Result<Vec<Key>, StoreError> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(wanted))
            .consistent_read(true)
            .build()?;
        let mut found = Vec::new();
        for attempt in 0..BATCH_ATTEMPTS {
            let output = self
                .client
                .batch_get_item()
                .request_items(self.table_name(), pending.clone())
                .send()
                .await
                .map_err(|e| StoreError::sdk("BatchGetItem", e))?;
            found.extend(
                output
                    .responses
                    .and_then(|mut r| r.remove(self.table_name()))
                    .unwrap_or_default(),
            );
            match output
                .unprocessed_keys
                .and_then(|mut u| u.remove(self.table_name()))
            {
                Some(rest) if !rest.keys().is_empty() => {
                    pending = rest;
                    super::conflict_backoff(attempt).await;
                }
                _ => return Ok(found),
            }
        }
        Err(StoreError::Contended)
    }

    /// Replaces the family's current refresh-token hash, only if it is still `expected_hash`.
    /// `Ok(false)` means another request rotated it first: the presented token is stale.
    pub async fn rotate_session(
        &self,
        user_id: UserId,
        session_id: &str,
        expected_hash: &str,
        new_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::session_sk(session_id),
            )))
            .update_expression("SET token_hash = :new, rotated_at = :now, expires_at = :exp")
            .condition_expression("token_hash = :old")
            .expression_attribute_values(":new", AttributeValue::S(new_hash.to_owned()))
            .expression_attribute_values(":old", AttributeValue::S(expected_hash.to_owned()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()))
            .expression_attribute_values(":exp", AttributeValue::N(expires_at.unix().to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(StoreError::sdk("UpdateItem", other)),
            },
        }
    }

    /// Deletes a session: its refresh token and every access token naming it stop working.
    pub async fn delete_session(
        &self,
        user_id: UserId,
        session_id: &str,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::session_sk(session_id),
            )))
            .send()
            .await
            .map_err(|e| StoreError::sdk("DeleteItem", e))?;
        Ok(())
    }
}

//! Deleting a user and everything of theirs.
//!
//! Order matters for retries: every item of the user's partition except the profile, and every
//! guard the profile names, go first (BatchWriteItem, idempotent); the profile goes last, in
//! one transaction with the user count. A delete that fails midway leaves the profile in
//! place, so repeating it finishes the job; nothing is ever left without its profile.

use super::items::UserItem;
use super::sessions::{key, Key};
use super::{conflict_backoff, keys, Store, StoreError};
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, DeleteRequest, TransactWriteItem, WriteRequest,
};

/// BatchWriteItem takes at most 25 requests.
const BATCH_LIMIT: usize = 25;

impl Store {
    /// Every item of the user's partition: their profile and everything that hangs off it.
    pub(super) async fn partition_keys(
        &self,
        user_id: UserId,
    ) -> Result<(Option<UserItem>, Vec<Key>), StoreError> {
        let mut profile = None;
        let mut others = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(self.table_name())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::user_pk(user_id)))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            for item in output.items.unwrap_or_default() {
                let is_profile = matches!(item.get(keys::SK), Some(AttributeValue::S(sk)) if sk == keys::PROFILE_SK);
                if is_profile {
                    profile = Some(serde_dynamo::from_item(item)?);
                } else if let (Some(pk), Some(sk)) = (item.get(keys::PK), item.get(keys::SK)) {
                    others.push(Key::from([
                        (keys::PK.to_owned(), pk.clone()),
                        (keys::SK.to_owned(), sk.clone()),
                    ]));
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok((profile, others));
            }
        }
    }

    /// Deletes the user and all that is theirs; `false` if there is no such user.
    pub async fn delete_user(&self, user_id: UserId) -> Result<bool, StoreError> {
        // Mark the user first: no follow, profile or chat update can attach anything new while
        // the rest is deleted.
        if !self.mark_deleting(user_id).await? {
            return Ok(false);
        }
        // Then the follows, undone on the other side with the other users' counters.
        self.detach_follows(user_id).await?;
        let (profile, mut doomed) = self.partition_keys(user_id).await?;
        let Some(profile) = profile else {
            return Ok(false);
        };
        let guard = |pk: String| key(pk, keys::GUARD_SK.to_owned());
        doomed.push(guard(keys::username_guard_pk(&profile.username_lower)));
        if !profile.email_lower.is_empty() {
            doomed.push(guard(keys::email_guard_pk(&profile.email_lower)));
        }
        if let Some(chat_user_id) = &profile.chat_user_id {
            doomed.push(guard(keys::chat_id_guard_pk(chat_user_id)));
        }
        for (device_id, device) in profile.device_list() {
            doomed.push(guard(device.guard(device_id, user_id).pk));
        }
        self.delete_keys(doomed).await?;

        let profile_delete = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(profile_delete).build())
            .transact_items(self.user_count_change(-1)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            // Someone else deleted it first.
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(_) => Ok(false),
                other => Err(StoreError::sdk("TransactWriteItems", other)),
            },
        }
    }

    /// Marks the user as being deleted; `false` if there is no such user.
    async fn mark_deleting(&self, user_id: UserId) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression("SET deleting = :yes ADD revision :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(StoreError::sdk("UpdateItem", other)),
            },
        }
    }

    /// Deletes the items with these keys, 25 at a time, retrying what DynamoDB leaves unprocessed.
    pub(super) async fn delete_keys(&self, keys: Vec<Key>) -> Result<(), StoreError> {
        for chunk in keys.chunks(BATCH_LIMIT) {
            let mut requests = chunk
                .iter()
                .map(|k| {
                    let delete = DeleteRequest::builder().set_key(Some(k.clone())).build()?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut attempt = 0;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(self.table_name(), requests)
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                requests = output
                    .unprocessed_items
                    .and_then(|mut u| u.remove(self.table_name()))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    if attempt >= 8 {
                        return Err(StoreError::Contended);
                    }
                    conflict_backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
        Ok(())
    }
}

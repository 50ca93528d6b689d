//! Deleting a user and everything of theirs.
//!
//! Order matters for retries: every item of the user's partition except the profile, and every
//! guard the profile names, go first (BatchWriteItem, idempotent); the profile goes last, in
//! one transaction with the user count. A delete that fails midway leaves the profile in
//! place, so repeating it finishes the job; nothing is ever left without its profile.

use super::items::UserItem;
use super::plumbing::{has, held, key, send_update, Item, Part, QuerySpec};
use super::{keys, Store, StoreError};
use crate::domain::UserId;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, DeleteRequest, WriteRequest};

impl Store {
    /// Every item of the user's partition: their profile and the keys of everything that
    /// hangs off it.
    async fn partition_keys(
        &self,
        user_id: UserId,
    ) -> Result<(Option<UserItem>, Vec<Item>), StoreError> {
        let mut profile = None;
        let mut others = Vec::new();
        let spec = QuerySpec::partition(keys::user_pk(user_id));
        self.query_each(&spec, None, |item| {
            if has(&item, keys::SK, keys::PROFILE_SK) {
                profile = Some(serde_dynamo::from_item(item)?);
            } else if let (Some(pk), Some(sk)) = (item.get(keys::PK), item.get(keys::SK)) {
                others.push(Item::from([
                    (keys::PK.to_owned(), pk.clone()),
                    (keys::SK.to_owned(), sk.clone()),
                ]));
            }
            Ok(())
        })
        .await?;
        Ok((profile, others))
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
        for (device_id, device) in &profile.devices {
            // Only the guard's key matters here; an unreadable id still names its guard.
            let device_id = device_id.parse().unwrap_or_default();
            doomed.push(guard(device.guard(device_id, user_id).pk));
        }
        self.delete_keys(doomed).await?;

        let profile_delete = Delete::builder()
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .condition_expression("attribute_exists(PK)");
        let mut transaction = self.transaction();
        transaction.delete(Part::User, profile_delete)?;
        self.change_user_count(&mut transaction, -1)?;
        // A failed condition: someone else deleted it first.
        held(
            transaction
                .commit()
                .await
                .map_err(|e| e.map_condition(drop)),
        )
    }

    /// Marks the user as being deleted; `false` if there is no such user.
    async fn mark_deleting(&self, user_id: UserId) -> Result<bool, StoreError> {
        let update = self
            .update_item(key(keys::user_pk(user_id), keys::PROFILE_SK.to_owned()))
            .update_expression("SET deleting = :yes ADD revision :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()));
        held(send_update(update).await)
    }

    /// Deletes the items with these keys.
    pub(super) async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        let requests = keys
            .into_iter()
            .map(|k| {
                let delete = DeleteRequest::builder().set_key(Some(k)).build()?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.batch_write(requests).await
    }
}

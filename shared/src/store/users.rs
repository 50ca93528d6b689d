//! Users, their uniqueness guards and the id counter.

use super::items::{GuardItem, SessionItem, UserItem};
use super::{conflict_backoff, keys, Store, StoreError, TRANSACTION_ATTEMPTS};
use crate::clock::Timestamp;
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
use std::collections::HashMap;

const NOT_EXISTS: &str = "attribute_not_exists(PK)";

impl std::fmt::Debug for ChatUserUpdate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatUserUpdate")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// The user count is spread over this many items, so concurrent sign-ups rarely touch the same one.
const USER_COUNT_SHARDS: u32 = 10;

fn user_count_shard_pk(shard: u32) -> String {
    format!("{}#{shard}", keys::USER_COUNT_PK)
}

/// What the chat server's `login_or_register` changes on an existing user. `Debug` hides the
/// password hash.
pub struct ChatUserUpdate<'a> {
    pub user_id: UserId,
    pub display_name: &'a str,
    pub avatar: &'a str,
    /// A new password hash, if a password was given.
    pub password_hash: Option<&'a str>,
    /// The chat id to link, if the user is not linked to it yet.
    pub link_chat_id: Option<&'a str>,
    pub now: Timestamp,
}

/// A unique value a guard item reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guarded {
    Username,
    Email,
    ChatId,
    Device,
}

/// Why a user was not written.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("a unique value is already taken")]
    Taken {
        username: bool,
        email: bool,
        chat_id: bool,
        device: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// The next numeric user id (an atomic counter; gaps are possible, reuse is not).
    pub async fn next_user_id(&self) -> Result<UserId, StoreError> {
        Ok(UserId::new(self.next_id(keys::USER_ID_COUNTER_PK).await?))
    }

    /// The next numeric device id.
    pub async fn next_device_id(&self) -> Result<u64, StoreError> {
        self.next_id(keys::DEVICE_ID_COUNTER_PK).await
    }

    pub(super) async fn next_id(&self, counter_pk: &str) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(counter_pk.to_owned()))
            .key(keys::SK, AttributeValue::S(keys::COUNTER_SK.to_owned()))
            .update_expression("ADD #value :one SET #entity = :entity")
            .expression_attribute_names("#value", "value")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":entity", AttributeValue::S("COUNTER".to_owned()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        output
            .attributes()
            .and_then(|a| a.get("value"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or(StoreError::MissingAttribute("value"))
    }

    /// How many users exist, exactly: the sum of the count shards (one BatchGetItem).
    pub async fn user_count(&self) -> Result<u64, StoreError> {
        let shards = (0..USER_COUNT_SHARDS)
            .map(|shard| {
                super::sessions::key(user_count_shard_pk(shard), keys::COUNTER_SK.to_owned())
            })
            .collect();
        let total: i64 = self
            .batch_get(shards)
            .await?
            .iter()
            .filter_map(|item| {
                item.get("count")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<i64>().ok())
            })
            .sum();
        Ok(total.max(0) as u64)
    }

    /// Adds `delta` to a random shard of the user count, as a transaction item.
    pub(super) fn user_count_change(&self, delta: i64) -> Result<TransactWriteItem, StoreError> {
        let mut byte = [0u8; 1];
        let shard = match aws_lc_rs::rand::fill(&mut byte) {
            Ok(()) => u32::from(byte[0]) % USER_COUNT_SHARDS,
            Err(_) => 0,
        };
        let update = Update::builder()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(user_count_shard_pk(shard)))
            .key(keys::SK, AttributeValue::S(keys::COUNTER_SK.to_owned()))
            .update_expression("ADD #count :delta SET #entity = :entity")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
            .expression_attribute_values(":entity", AttributeValue::S("COUNTER".to_owned()))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Writes the user, its uniqueness guards (username; e-mail and chat id when it has them)
    /// and, if given, its first session in one transaction: all exist afterwards or none does.
    pub async fn create_user(
        &self,
        user: &UserItem,
        session: Option<&SessionItem>,
    ) -> Result<(), CreateUserError> {
        let id = UserId::new(user.id);
        // (what a failed condition at this position means, the item)
        let mut puts: Vec<(Option<Guarded>, HashMap<String, AttributeValue>)> = vec![
            (None, serde_dynamo::to_item(user).map_err(StoreError::from)?),
            (
                Some(Guarded::Username),
                serde_dynamo::to_item(GuardItem::username(&user.username_lower, id))
                    .map_err(StoreError::from)?,
            ),
        ];
        if !user.email_lower.is_empty() {
            puts.push((
                Some(Guarded::Email),
                serde_dynamo::to_item(GuardItem::email(&user.email_lower, id))
                    .map_err(StoreError::from)?,
            ));
        }
        if let Some(chat_user_id) = &user.chat_user_id {
            puts.push((
                Some(Guarded::ChatId),
                serde_dynamo::to_item(GuardItem::chat_id(chat_user_id, id))
                    .map_err(StoreError::from)?,
            ));
        }
        for (device_id, device) in user.device_list() {
            let guard =
                serde_dynamo::to_item(device.guard(device_id, id)).map_err(StoreError::from)?;
            puts.push((Some(Guarded::Device), guard));
        }
        if let Some(session) = session {
            puts.push((
                None,
                serde_dynamo::to_item(session).map_err(StoreError::from)?,
            ));
        }
        let mut meanings: Vec<Option<Guarded>> = puts.iter().map(|(m, _)| *m).collect();
        let mut items = puts
            .into_iter()
            .map(|(_, item)| self.conditional_put(item))
            .collect::<Result<Vec<_>, _>>()?;
        // The user count changes in the same transaction, so it never drifts.
        items.push(self.user_count_change(1)?);
        meanings.push(None);
        self.transact_guarded(items, &meanings).await
    }

    /// Runs a transaction whose items at some positions guard a unique value, retrying while
    /// DynamoDB reports only conflicts; a failed guard becomes `Taken`.
    pub(super) async fn transact_guarded(
        &self,
        items: Vec<TransactWriteItem>,
        meanings: &[Option<Guarded>],
    ) -> Result<(), CreateUserError> {
        for attempt in 0..TRANSACTION_ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let service_error = error.into_service_error();
            if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &service_error
            {
                let codes: Vec<&str> = cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None"))
                    .collect();
                let failed: Vec<Guarded> = codes
                    .iter()
                    .zip(meanings)
                    .filter(|(code, _)| **code == "ConditionalCheckFailed")
                    .filter_map(|(_, meaning)| *meaning)
                    .collect();
                if !failed.is_empty() {
                    return Err(CreateUserError::Taken {
                        username: failed.contains(&Guarded::Username),
                        email: failed.contains(&Guarded::Email),
                        chat_id: failed.contains(&Guarded::ChatId),
                        device: failed.contains(&Guarded::Device),
                    });
                }
                if codes.contains(&"TransactionConflict") {
                    conflict_backoff(attempt).await;
                    continue;
                }
            }
            return Err(StoreError::sdk("TransactWriteItems", service_error).into());
        }
        Err(StoreError::Contended.into())
    }

    /// The user id a chat-server user id belongs to.
    pub async fn user_id_by_chat_id(
        &self,
        chat_user_id: &str,
    ) -> Result<Option<UserId>, StoreError> {
        self.guard_owner(keys::chat_id_guard_pk(chat_user_id)).await
    }

    /// Applies the chat server's update of an existing user: a new password (which raises the
    /// token version, ending every issued token), display name and avatar; and links the chat
    /// id to the user if it is not linked yet, under its guard, in the same transaction.
    pub async fn update_chat_user(
        &self,
        update: &ChatUserUpdate<'_>,
    ) -> Result<(), CreateUserError> {
        let id = update.user_id;
        let mut sets = vec![
            "display_name = :name",
            "avatar = :avatar",
            "updated_at = :now",
        ];
        // The revision makes a concurrent profile update re-read instead of undoing this one.
        let mut adds = vec!["revision :one"];
        let mut values = HashMap::from([
            (
                ":name".to_owned(),
                AttributeValue::S(update.display_name.to_owned()),
            ),
            (
                ":avatar".to_owned(),
                AttributeValue::S(update.avatar.to_owned()),
            ),
            (
                ":now".to_owned(),
                AttributeValue::S(update.now.to_rfc3339()),
            ),
            (":one".to_owned(), AttributeValue::N("1".to_owned())),
        ]);
        if let Some(hash) = update.password_hash {
            sets.push("password_hash = :hash");
            adds.push("token_version :one");
            values.insert(":hash".to_owned(), AttributeValue::S(hash.to_owned()));
        }
        let mut condition = "attribute_exists(PK) AND attribute_not_exists(deleting)".to_owned();
        let mut items = Vec::new();
        let mut meanings = Vec::new();
        if let Some(chat_user_id) = update.link_chat_id {
            sets.push("chat_user_id = :chat");
            values.insert(
                ":chat".to_owned(),
                AttributeValue::S(chat_user_id.to_owned()),
            );
            // Linked once: a concurrent link of another chat id to this user loses.
            condition.push_str(" AND attribute_not_exists(chat_user_id)");
            let guard = serde_dynamo::to_item(GuardItem::chat_id(chat_user_id, id))
                .map_err(StoreError::from)?;
            items.push(self.conditional_put(guard)?);
            meanings.push(Some(Guarded::ChatId));
        }
        let user_update = Update::builder()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(keys::user_pk(id)))
            .key(keys::SK, AttributeValue::S(keys::PROFILE_SK.to_owned()))
            .update_expression(format!("SET {} ADD {}", sets.join(", "), adds.join(", ")))
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(StoreError::from)?;
        items.push(TransactWriteItem::builder().update(user_update).build());
        // A failed condition on the user means it was linked meanwhile (or is being deleted).
        meanings.push(Some(Guarded::ChatId));
        self.transact_guarded(items, &meanings).await
    }

    /// The user id a username (canonical form) belongs to.
    pub async fn user_id_by_username(
        &self,
        canonical_username: &str,
    ) -> Result<Option<UserId>, StoreError> {
        self.guard_owner(keys::username_guard_pk(canonical_username))
            .await
    }

    /// The user id an e-mail (canonical form) belongs to.
    pub async fn user_id_by_email(
        &self,
        canonical_email: &str,
    ) -> Result<Option<UserId>, StoreError> {
        self.guard_owner(keys::email_guard_pk(canonical_email))
            .await
    }

    pub async fn get_user(&self, id: UserId) -> Result<Option<UserItem>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(keys::user_pk(id)))
            .key(keys::SK, AttributeValue::S(keys::PROFILE_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(StoreError::from)
    }

    async fn guard_owner(&self, pk: String) -> Result<Option<UserId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(keys::GUARD_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        let guard: Option<GuardItem> = output.item.map(serde_dynamo::from_item).transpose()?;
        Ok(guard.map(|g| UserId::new(g.user_id)))
    }

    pub(super) fn conditional_put(
        &self,
        item: HashMap<String, AttributeValue>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(self.table_name())
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

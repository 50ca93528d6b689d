//! Users, their uniqueness guards, the id counters and the user count.

use super::items::{GuardItem, SessionItem, UserItem, ENTITY_COUNTER};
use super::plumbing::{key, number, send_update, to_item, Guarded, Part, Transaction, WriteError};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Avatar, Session, User, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, ReturnValue, Update, WriteRequest};
use std::collections::HashMap;

/// The user count is spread over this many items, so concurrent sign-ups rarely touch the same one.
const USER_COUNT_SHARDS: u32 = 10;

/// A user and their password hash, for the checks that need it. `Debug` hides the hash.
#[derive(Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user.id)
            .finish_non_exhaustive()
    }
}

/// What the chat server's `login_or_register` changes on an existing user. `Debug` hides the
/// password hash.
pub struct ChatUserUpdate<'a> {
    pub user_id: UserId,
    pub display_name: &'a str,
    pub avatar: &'a Avatar,
    /// A new password hash, if a password was given.
    pub password_hash: Option<&'a str>,
    /// The chat id to link, if the user is not linked to it yet.
    pub link_chat_id: Option<&'a str>,
    pub now: Timestamp,
}

impl std::fmt::Debug for ChatUserUpdate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatUserUpdate")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
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

impl From<WriteError<Vec<Part>>> for CreateUserError {
    /// A failed condition on the user item itself counts as its chat id being taken: it is
    /// the one condition a user write adds (linked once), besides the guards.
    fn from(error: WriteError<Vec<Part>>) -> Self {
        match error {
            WriteError::ConditionFailed(parts) if parts.iter().all(|part| *part == Part::Other) => {
                CreateUserError::Store(StoreError::ConditionFailed {
                    operation: "TransactWriteItems",
                })
            }
            WriteError::ConditionFailed(parts) => {
                let taken = |guarded| parts.contains(&Part::Unique(guarded));
                CreateUserError::Taken {
                    username: taken(Guarded::Username),
                    email: taken(Guarded::Email),
                    chat_id: taken(Guarded::ChatId) || parts.contains(&Part::User),
                    device: taken(Guarded::Device),
                }
            }
            WriteError::Store(error) => CreateUserError::Store(error),
        }
    }
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

    /// `count` consecutive user ids in one call, for bulk imports.
    pub async fn reserve_user_ids(&self, count: u64) -> Result<std::ops::Range<u64>, StoreError> {
        self.reserve_ids(keys::USER_ID_COUNTER_PK, count).await
    }

    /// `count` consecutive device ids in one call, for bulk imports.
    pub async fn reserve_device_ids(&self, count: u64) -> Result<std::ops::Range<u64>, StoreError> {
        self.reserve_ids(keys::DEVICE_ID_COUNTER_PK, count).await
    }

    async fn reserve_ids(
        &self,
        counter_pk: &str,
        count: u64,
    ) -> Result<std::ops::Range<u64>, StoreError> {
        let last = self.advance_counter(counter_pk, count.max(1)).await?;
        Ok(last + 1 - count.max(1)..last + 1)
    }

    pub(super) async fn next_id(&self, counter_pk: &str) -> Result<u64, StoreError> {
        self.advance_counter(counter_pk, 1).await
    }

    /// Adds `count` to an id counter; its new value (the last id taken).
    pub(super) async fn advance_counter(
        &self,
        counter_pk: &str,
        count: u64,
    ) -> Result<u64, StoreError> {
        let increment = self
            .update_item(key(counter_pk.to_owned(), keys::COUNTER_SK.to_owned()))
            .update_expression("ADD #value :one SET #entity = :entity")
            .expression_attribute_names("#value", "value")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N(count.to_string()))
            .expression_attribute_values(":entity", AttributeValue::S(ENTITY_COUNTER.to_owned()))
            .return_values(ReturnValue::UpdatedNew);
        let output = send_update(increment)
            .await
            .map_err(|e| e.unexpected("UpdateItem"))?;
        output
            .attributes
            .and_then(|a| number(&a, "value"))
            .ok_or(StoreError::MissingAttribute("value"))
    }

    /// How many users exist, exactly: the sum of the count shards (one BatchGetItem).
    pub async fn user_count(&self) -> Result<u64, StoreError> {
        let shards = (0..USER_COUNT_SHARDS)
            .map(|shard| {
                key(
                    keys::user_count_shard_pk(shard),
                    keys::COUNTER_SK.to_owned(),
                )
            })
            .collect();
        /// A shard of the count, read straight from the answer.
        #[derive(serde::Deserialize)]
        struct Shard {
            #[serde(default)]
            count: i64,
        }
        let mut total: i64 = 0;
        for raw in self.batch_get_raw(shards).await? {
            total += raw
                .read::<Shard>()
                .map_err(super::plumbing::malformed)?
                .count;
        }
        Ok(total.max(0) as u64)
    }

    /// Adds `delta` to a random shard of the user count, in the transaction.
    pub(super) fn change_user_count(
        &self,
        transaction: &mut Transaction<'_>,
        delta: i64,
    ) -> Result<(), StoreError> {
        let mut byte = [0u8; 1];
        let shard = match aws_lc_rs::rand::fill(&mut byte) {
            Ok(()) => u32::from(byte[0]) % USER_COUNT_SHARDS,
            Err(_) => 0,
        };
        let update = Update::builder()
            .set_key(Some(key(
                keys::user_count_shard_pk(shard),
                keys::COUNTER_SK.to_owned(),
            )))
            .update_expression("ADD #count :delta SET #entity = :entity")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
            .expression_attribute_values(":entity", AttributeValue::S(ENTITY_COUNTER.to_owned()));
        transaction.update(Part::Other, update)?;
        Ok(())
    }

    /// Writes the user, its uniqueness guards (username; e-mail, chat id and each device
    /// reference when it has them) and, if given, its first session in one transaction: all
    /// exist afterwards or none does. The user count changes in it too, so it never drifts.
    pub async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        session: Option<&Session>,
    ) -> Result<(), CreateUserError> {
        let item = UserItem::new(user, password_hash.to_owned());
        let id = user.id;
        let mut transaction = self.transaction();
        transaction.put_new(Part::Other, &item)?.put_new(
            Part::Unique(Guarded::Username),
            &GuardItem::username(&item.username, id),
        )?;
        if !item.email_lower.is_empty() {
            transaction.put_new(
                Part::Unique(Guarded::Email),
                &GuardItem::email(&item.email_lower, id),
            )?;
        }
        if let Some(chat_user_id) = &item.chat_user_id {
            transaction.put_new(
                Part::Unique(Guarded::ChatId),
                &GuardItem::chat_id(chat_user_id, id),
            )?;
        }
        for (device_id, device) in &item.devices {
            let device_id = device_id.parse().map_err(|_| StoreError::Invalid {
                attribute: "devices",
                reason: format!("{device_id:?} is not a device id"),
            })?;
            transaction.put_new(Part::Unique(Guarded::Device), &device.guard(device_id, id))?;
        }
        if let Some(session) = session {
            transaction.put_new(Part::Other, &SessionItem::from(session))?;
        }
        self.change_user_count(&mut transaction, 1)?;
        Ok(transaction.commit().await?)
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
                AttributeValue::S(update.avatar.as_str().to_owned()),
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
        let mut transaction = self.transaction();
        if let Some(chat_user_id) = update.link_chat_id {
            sets.push("chat_user_id = :chat");
            values.insert(
                ":chat".to_owned(),
                AttributeValue::S(chat_user_id.to_owned()),
            );
            // Linked once: a concurrent link of another chat id to this user loses.
            condition.push_str(" AND attribute_not_exists(chat_user_id)");
            transaction.put_new(
                Part::Unique(Guarded::ChatId),
                &GuardItem::chat_id(chat_user_id, id),
            )?;
        }
        let user_update = Update::builder()
            .set_key(Some(key(keys::user_pk(id), keys::PROFILE_SK.to_owned())))
            .update_expression(format!("SET {} ADD {}", sets.join(", "), adds.join(", ")))
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values));
        // A failed condition on the user means it was linked meanwhile (or is being deleted).
        transaction.update(Part::User, user_update)?;
        Ok(transaction.commit().await?)
    }

    /// Sets whether the user may sign in (`active`) and, with `end_tokens`, raises the token
    /// version so every token issued so far stops working at once. `false` when there is no
    /// such user (or it is being deleted).
    pub async fn set_access(
        &self,
        id: UserId,
        active: Option<bool>,
        end_tokens: bool,
    ) -> Result<bool, StoreError> {
        let mut expression = Vec::new();
        let mut update = self.update_item(key(keys::user_pk(id), keys::PROFILE_SK.to_owned()));
        if let Some(active) = active {
            expression.push("SET is_active = :active".to_owned());
            update = update.expression_attribute_values(":active", AttributeValue::Bool(active));
        }
        if end_tokens {
            expression.push("ADD token_version :one".to_owned());
            update = update.expression_attribute_values(":one", AttributeValue::N("1".to_owned()));
        }
        if expression.is_empty() {
            return Ok(true);
        }
        let update = update
            .update_expression(expression.join(" "))
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)");
        super::plumbing::held(send_update(update).await)
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

    pub async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.get_user_item(id)
            .await?
            .map(User::try_from)
            .transpose()
    }

    /// The user and their password hash.
    pub async fn get_credentials(&self, id: UserId) -> Result<Option<Credentials>, StoreError> {
        self.get_user_item(id)
            .await?
            .map(Credentials::try_from)
            .transpose()
    }

    pub(super) async fn get_user_item(&self, id: UserId) -> Result<Option<UserItem>, StoreError> {
        let item = self
            .get(key(keys::user_pk(id), keys::PROFILE_SK.to_owned()))
            .await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Who holds a username (canonical form), and the username as they write it where the
    /// guard keeps it (guards written before it did hold only the id).
    pub async fn username_owner(
        &self,
        canonical_username: &str,
    ) -> Result<Option<(UserId, Option<String>)>, StoreError> {
        let guard = self
            .guard(keys::username_guard_pk(canonical_username))
            .await?;
        Ok(guard.map(|g| (UserId::new(g.user_id), g.username)))
    }

    async fn guard_owner(&self, pk: String) -> Result<Option<UserId>, StoreError> {
        Ok(self.guard(pk).await?.map(|g| UserId::new(g.user_id)))
    }

    async fn guard(&self, pk: String) -> Result<Option<GuardItem>, StoreError> {
        let item = self.get(key(pk, keys::GUARD_SK.to_owned())).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Writes users as they are, without guards and without counting them: only for seeding
    /// a benchmark table, never on a request path.
    pub async fn import_users_unguarded(&self, users: &[User]) -> Result<(), StoreError> {
        let requests = users
            .iter()
            .map(|user| {
                let put = PutRequest::builder()
                    .set_item(Some(to_item(&UserItem::new(user, "!".to_owned()))?))
                    .build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.batch_write(requests).await
    }
}

impl TryFrom<UserItem> for Credentials {
    type Error = StoreError;

    fn try_from(item: UserItem) -> Result<Self, StoreError> {
        Ok(Credentials {
            user: User::try_from(&item)?,
            password_hash: item.password_hash,
        })
    }
}

//! Sessions: one item per refresh-token family, under the user's partition.

use super::items::{SessionItem, UserItem};
use super::plumbing::{held, key, malformed, send_delete, send_update, Item, Part};
use super::wire::RawItem;
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Session, User, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, Update};

impl Store {
    /// A new session for a signed-in user, and the user's `last_login`, in one transaction.
    /// Fails with a condition error if the user no longer exists.
    pub async fn start_session(&self, session: &Session, now: Timestamp) -> Result<(), StoreError> {
        let touch = Update::builder()
            .set_key(Some(key(
                keys::user_pk(session.user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression("SET last_login = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()));
        let mut transaction = self.transaction();
        transaction
            .put_new(Part::Other, &SessionItem::from(session))?
            .update(Part::User, touch)?;
        transaction
            .commit()
            .await
            .map_err(|e| e.unexpected("TransactWriteItems"))
    }

    /// The user and one of their sessions, read together (strongly consistent) in one round trip.
    pub async fn get_user_and_session(
        &self,
        user_id: UserId,
        session_id: &str,
    ) -> Result<(Option<User>, Option<Session>), StoreError> {
        let (user, session) = self
            .get_user_and(user_id, keys::session_sk(session_id))
            .await?;
        let session: Option<SessionItem> = session
            .map(|raw| raw.read().map_err(malformed))
            .transpose()?;
        Ok((
            user.map(User::try_from).transpose()?,
            session.map(Session::try_from).transpose()?,
        ))
    }

    /// The user's profile and one other item of the user's partition, in one strongly
    /// consistent BatchGetItem (the user read straight from the answer).
    pub(super) async fn get_user_and(
        &self,
        user_id: UserId,
        other_sk: String,
    ) -> Result<(Option<UserItem>, Option<RawItem>), StoreError> {
        let items = self
            .batch_get_raw(vec![
                key(keys::user_pk(user_id), keys::PROFILE_SK.to_owned()),
                key(keys::user_pk(user_id), other_sk),
            ])
            .await?;
        let mut user = None;
        let mut other = None;
        for raw in items {
            if raw.key().1 == keys::PROFILE_SK {
                user = Some(raw.read().map_err(malformed)?);
            } else {
                other = Some(raw);
            }
        }
        Ok((user, other))
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
        let update = self
            .update_item(key(keys::user_pk(user_id), keys::session_sk(session_id)))
            .update_expression("SET token_hash = :new, rotated_at = :now, expires_at = :exp")
            .condition_expression("token_hash = :old")
            .expression_attribute_values(":new", AttributeValue::S(new_hash.to_owned()))
            .expression_attribute_values(":old", AttributeValue::S(expected_hash.to_owned()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()))
            .expression_attribute_values(":exp", AttributeValue::N(expires_at.unix().to_string()));
        held(send_update(update).await)
    }

    /// Deletes a session: its refresh token and every access token naming it stop working.
    pub async fn delete_session(
        &self,
        user_id: UserId,
        session_id: &str,
    ) -> Result<(), StoreError> {
        self.delete_item(key(keys::user_pk(user_id), keys::session_sk(session_id)))
            .await
    }

    /// Deletes one item, whether or not it exists.
    pub(super) async fn delete_item(&self, key: Item) -> Result<(), StoreError> {
        let delete = self
            .client()
            .delete_item()
            .table_name(self.table_name())
            .set_key(Some(key));
        send_delete(delete)
            .await
            .map_err(|e| e.unexpected("DeleteItem"))
    }
}

//! The follow graph. A follow is two edge items (one in each user's partition) and two
//! counters, written in one transaction, so `followers_count` and `following_count` always
//! equal the number of edges.

use super::sessions::{key, Key};
use super::{conflict_backoff, keys, Store, StoreError, TRANSACTION_ATTEMPTS};
use crate::clock::Timestamp;
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const ENTITY_FOLLOWING: &str = "FOLLOWING";
pub const ENTITY_FOLLOWER: &str = "FOLLOWER";

/// One side of a follow. Both sides carry the same attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowEdge {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    /// The follow's own id, shown by the careers contract.
    pub follow_id: u64,
    pub follower: u64,
    pub following: u64,
    pub follower_username: String,
    pub following_username: String,
    pub created_at: String,
}

/// What a follow or unfollow found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    Done,
    /// Following: the edge already exists. Unfollowing: it does not.
    AlreadyThatWay,
    /// One of the two users does not exist.
    NoSuchUser,
}

fn counter(
    user: UserId,
    attribute: &str,
    delta: i64,
    table: &str,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK.to_owned())))
        .update_expression("ADD #count :delta")
        // A user being deleted takes no new follows.
        .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
        .expression_attribute_names("#count", attribute)
        .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
        .build()?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl Store {
    pub async fn next_follow_id(&self) -> Result<u64, StoreError> {
        self.next_id(keys::FOLLOW_ID_COUNTER_PK).await
    }

    /// Writes both edges and raises both counters, unless the follow exists or a user is gone.
    pub async fn follow(&self, edge: &FollowEdge) -> Result<FollowOutcome, StoreError> {
        let (follower, following) = (UserId::new(edge.follower), UserId::new(edge.following));
        let mut mirror = edge.clone();
        mirror.pk = keys::user_pk(following);
        mirror.sk = keys::follower_sk(follower);
        mirror.entity = ENTITY_FOLLOWER.to_owned();
        let put = |item: &FollowEdge| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(self.table_name())
                .set_item(Some(serde_dynamo::to_item(item)?))
                .condition_expression("attribute_not_exists(PK)")
                .build()?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let items = vec![
            put(edge)?,
            put(&mirror)?,
            counter(follower, "following_count", 1, self.table_name())?,
            counter(following, "followers_count", 1, self.table_name())?,
        ];
        self.transact_follow(items).await
    }

    /// Deletes both edges and lowers both counters, unless there is no such follow.
    pub async fn unfollow(
        &self,
        follower: UserId,
        following: UserId,
    ) -> Result<FollowOutcome, StoreError> {
        let delete = |pk: String, sk: String| -> Result<TransactWriteItem, StoreError> {
            let delete = Delete::builder()
                .table_name(self.table_name())
                .set_key(Some(key(pk, sk)))
                .condition_expression("attribute_exists(PK)")
                .build()?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let items = vec![
            delete(keys::user_pk(follower), keys::following_sk(following))?,
            delete(keys::user_pk(following), keys::follower_sk(follower))?,
            counter(follower, "following_count", -1, self.table_name())?,
            counter(following, "followers_count", -1, self.table_name())?,
        ];
        self.transact_follow(items).await
    }

    /// Runs a follow or unfollow transaction; edge conditions (positions 0, 1) failing mean the
    /// graph is already that way, counter conditions (2, 3) that a user is gone.
    async fn transact_follow(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<FollowOutcome, StoreError> {
        for attempt in 0..TRANSACTION_ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(FollowOutcome::Done),
                Err(e) => e.into_service_error(),
            };
            if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &error {
                let codes: Vec<&str> = cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None"))
                    .collect();
                let failed = |i: usize| codes.get(i) == Some(&"ConditionalCheckFailed");
                if failed(2) || failed(3) {
                    return Ok(FollowOutcome::NoSuchUser);
                }
                if failed(0) || failed(1) {
                    return Ok(FollowOutcome::AlreadyThatWay);
                }
                if codes.contains(&"TransactionConflict") {
                    conflict_backoff(attempt).await;
                    continue;
                }
            }
            return Err(StoreError::sdk("TransactWriteItems", error));
        }
        Err(StoreError::Contended)
    }

    /// One user's edges of one side (`FOLLOWING#` or `FOLLOWER#`), in id order: `take` after
    /// the first `skip`.
    pub async fn edges(
        &self,
        user: UserId,
        prefix: &str,
        skip: usize,
        take: usize,
    ) -> Result<Vec<FollowEdge>, StoreError> {
        let mut edges = Vec::new();
        let mut seen = 0;
        let end = skip.saturating_add(take);
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(self.table_name())
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(keys::user_pk(user)))
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
                .limit(i32::try_from(end.saturating_sub(seen).clamp(1, 500)).unwrap_or(500))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            for item in output.items.unwrap_or_default() {
                if seen >= skip && seen < end {
                    edges.push(serde_dynamo::from_item(item)?);
                }
                seen += 1;
            }
            start = output.last_evaluated_key;
            if start.is_none() || seen >= end {
                return Ok(edges);
            }
        }
    }

    /// Which of `candidates` `follower` follows (one BatchGetItem per 100).
    pub async fn followed_among(
        &self,
        follower: UserId,
        candidates: &[UserId],
    ) -> Result<HashSet<UserId>, StoreError> {
        let mut followed = HashSet::new();
        for chunk in candidates.chunks(100) {
            let wanted: Vec<Key> = chunk
                .iter()
                .map(|c| key(keys::user_pk(follower), keys::following_sk(*c)))
                .collect();
            for item in self.batch_get(wanted).await? {
                let edge: FollowEdge = serde_dynamo::from_item(item)?;
                followed.insert(UserId::new(edge.following));
            }
        }
        Ok(followed)
    }

    /// Removes every follow the user takes part in, from the other side too, lowering the
    /// other users' counters: used while deleting the user (whose own counters go with them).
    pub(super) async fn detach_follows(&self, user: UserId) -> Result<(), StoreError> {
        for edge in self
            .edges(user, keys::FOLLOWING_PREFIX, 0, usize::MAX)
            .await?
        {
            let other = UserId::new(edge.following);
            let mirror = (keys::user_pk(other), keys::follower_sk(user));
            self.detach_edge(
                (keys::user_pk(user), edge.sk.clone()),
                mirror,
                other,
                "followers_count",
            )
            .await?;
        }
        for edge in self
            .edges(user, keys::FOLLOWER_PREFIX, 0, usize::MAX)
            .await?
        {
            let other = UserId::new(edge.follower);
            let mirror = (keys::user_pk(other), keys::following_sk(user));
            self.detach_edge(
                (keys::user_pk(user), edge.sk.clone()),
                mirror,
                other,
                "following_count",
            )
            .await?;
        }
        Ok(())
    }

    /// Deletes one of the user's edges and its mirror, lowering the other user's counter, in
    /// one transaction; a mirror already gone means this was done before.
    async fn detach_edge(
        &self,
        own: (String, String),
        mirror: (String, String),
        other: UserId,
        other_counter: &str,
    ) -> Result<(), StoreError> {
        let own_delete = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(key(own.0.clone(), own.1.clone())))
            .build()?;
        let mirror_delete = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(key(mirror.0, mirror.1)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        let lower = Update::builder()
            .table_name(self.table_name())
            .set_key(Some(key(keys::user_pk(other), keys::PROFILE_SK.to_owned())))
            .update_expression("ADD #count :minus")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#count", other_counter)
            .expression_attribute_values(":minus", AttributeValue::N("-1".to_owned()))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().delete(own_delete).build(),
            TransactWriteItem::builder().delete(mirror_delete).build(),
            TransactWriteItem::builder().update(lower).build(),
        ];
        for attempt in 0..TRANSACTION_ATTEMPTS {
            match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) => match e.into_service_error() {
                    TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                        let conflict = cancelled
                            .cancellation_reasons()
                            .iter()
                            .any(|r| r.code() == Some("TransactionConflict"));
                        if !conflict {
                            // The mirror or the other user is gone already: drop our side alone.
                            self.delete_keys(vec![key(own.0.clone(), own.1.clone())])
                                .await?;
                            return Ok(());
                        }
                        conflict_backoff(attempt).await;
                    }
                    other => return Err(StoreError::sdk("TransactWriteItems", other)),
                },
            }
        }
        Err(StoreError::Contended)
    }
}

impl FollowEdge {
    pub fn new(
        follow_id: u64,
        follower: (UserId, &str),
        following: (UserId, &str),
        now: Timestamp,
    ) -> Self {
        Self {
            pk: keys::user_pk(follower.0),
            sk: keys::following_sk(following.0),
            entity: ENTITY_FOLLOWING.to_owned(),
            follow_id,
            follower: follower.0.get(),
            following: following.0.get(),
            follower_username: follower.1.to_owned(),
            following_username: following.1.to_owned(),
            created_at: now.to_rfc3339(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_shape_is_pinned() {
        let edge = FollowEdge::new(
            9,
            (UserId::new(1), "alice"),
            (UserId::new(2), "bob"),
            Timestamp::from_unix(1_705_314_600),
        );
        let item: std::collections::HashMap<String, AttributeValue> =
            serde_dynamo::to_item(&edge).unwrap();
        assert_eq!(item["PK"], AttributeValue::S("USER#1".into()));
        assert_eq!(
            item["SK"],
            AttributeValue::S("FOLLOWING#00000000000000000002".into())
        );
        assert_eq!(item["entity"], AttributeValue::S("FOLLOWING".into()));
        assert_eq!(item["follow_id"], AttributeValue::N("9".into()));
        assert_eq!(item["following_username"], AttributeValue::S("bob".into()));
        assert_eq!(item.len(), 9);
    }
}

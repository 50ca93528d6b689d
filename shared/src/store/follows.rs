//! The follow graph. A follow is two edge items (one in each user's partition) and two
//! counters, written in one transaction, so `followers_count` and `following_count` always
//! equal the number of edges.

use super::items::{FollowEdgeItem, ENTITY_FOLLOWER, ENTITY_FOLLOWING};
use super::plumbing::{key, Item, Part, QuerySpec, Transaction, WriteError};
use super::write_json::{Check, Flag, Key, Number, Op, PutNew, Text, UpdateOf};
use super::{keys, Store, StoreError};
use crate::domain::{FollowEdge, FollowSide, UserId};
use aws_sdk_dynamodb::types::builders::{DeleteBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Update};
use serde::Serialize;
use std::collections::HashSet;

/// What a follow or unfollow found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    Done,
    /// Following: the edge already exists. Unfollowing: it does not.
    AlreadyThatWay,
    /// One of the two users does not exist.
    NoSuchUser,
}

/// The counter a side of the follows is counted in.
fn counter_of(side: FollowSide) -> &'static str {
    match side {
        FollowSide::Followers => "followers_count",
        FollowSide::Following => "following_count",
    }
}

/// The sort-key prefix of a side's edges.
fn prefix_of(side: FollowSide) -> &'static str {
    match side {
        FollowSide::Followers => keys::FOLLOWER_PREFIX,
        FollowSide::Following => keys::FOLLOWING_PREFIX,
    }
}

/// The update adding `delta` to one of `user`'s follow counters under `condition`.
fn counter_update(user: UserId, side: FollowSide, delta: i64, condition: &str) -> UpdateBuilder {
    Update::builder()
        .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK.to_owned())))
        .update_expression("ADD #count :delta")
        .condition_expression(condition)
        .expression_attribute_names("#count", counter_of(side))
        .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
}

/// Adds `delta` to one of `user`'s follow counters; `guarded` also requires that the user is
/// not being deleted (a user being deleted takes no new follows).
fn count(
    transaction: &mut Transaction<'_>,
    user: UserId,
    side: FollowSide,
    delta: i64,
    guarded: bool,
) -> Result<(), StoreError> {
    let condition = if guarded {
        "attribute_exists(PK) AND attribute_not_exists(deleting)"
    } else {
        "attribute_exists(PK)"
    };
    transaction.update(Part::User, counter_update(user, side, delta, condition))?;
    Ok(())
}

/// The caller of a follow as their verified access token names them, with the username this
/// process remembers for them: what a follow checks in its own transaction instead of reading
/// the caller first.
#[derive(Debug, Clone, Copy)]
pub struct TokenCaller<'a> {
    pub id: UserId,
    /// The session the token was issued for (`sid`).
    pub session_id: &'a str,
    /// The user's token version the token was issued at (`ver`).
    pub token_version: u64,
    pub username: &'a str,
}

/// The caller's own counter is raised only while everything a request's authentication checks
/// still holds of them (and no ban is recorded at all, expired or not), and while they have the
/// username the edge is written with.
const CALLER_CONDITION: &str = "attribute_exists(PK) AND attribute_not_exists(deleting) \
                                AND attribute_not_exists(banned_at) AND is_active = :active \
                                AND token_version = :version AND username = :username";

/// The followed user's counter is raised only while they have the username the edge is
/// written with (so a remembered id and username are still theirs).
const FOLLOWED_CONDITION: &str =
    "attribute_exists(PK) AND attribute_not_exists(deleting) AND username = :username";

/// The expression adding `:delta` to the counter `#count` names.
const COUNT_UPDATE: &str = "ADD #count :delta";

/// `#count` of [`COUNT_UPDATE`].
#[derive(Serialize)]
struct CounterName {
    #[serde(rename = "#count")]
    count: &'static str,
}

/// The values of [`COUNT_UPDATE`] and [`CALLER_CONDITION`].
#[derive(Serialize)]
struct CallerValues<'a> {
    #[serde(rename = ":delta")]
    delta: Number<i64>,
    #[serde(rename = ":active")]
    active: Flag,
    #[serde(rename = ":version")]
    version: Number<u64>,
    #[serde(rename = ":username")]
    username: Text<'a>,
}

/// The values of [`COUNT_UPDATE`] and [`FOLLOWED_CONDITION`].
#[derive(Serialize)]
struct FollowedValues<'a> {
    #[serde(rename = ":delta")]
    delta: Number<i64>,
    #[serde(rename = ":username")]
    username: Text<'a>,
}

/// One side of a follow as DynamoDB JSON: the attributes of [`FollowEdgeItem`].
#[derive(Serialize)]
struct EdgeJson<'a> {
    #[serde(rename = "PK")]
    pk: Text<'a>,
    #[serde(rename = "SK")]
    sk: Text<'a>,
    entity: Text<'static>,
    follow_id: Number<u64>,
    follower: Number<u64>,
    following: Number<u64>,
    follower_username: Text<'a>,
    following_username: Text<'a>,
    created_at: Text<'a>,
}

/// The keys and times a follow's items are written with, made once.
struct FollowKeys {
    follower_pk: String,
    following_pk: String,
    following_sk: String,
    follower_sk: String,
    created_at: String,
}

impl FollowKeys {
    fn of(edge: &FollowEdge) -> Self {
        Self {
            follower_pk: keys::user_pk(edge.follower),
            following_pk: keys::user_pk(edge.following),
            following_sk: keys::following_sk(edge.following),
            follower_sk: keys::follower_sk(edge.follower),
            created_at: edge.created_at.to_rfc3339(),
        }
    }

    /// The side of `edge` in `pk`'s partition, sorted by `sk`, of kind `entity`.
    fn edge<'a>(
        &'a self,
        edge: &'a FollowEdge,
        (pk, sk, entity): (&'a str, &'a str, &'static str),
    ) -> EdgeJson<'a> {
        EdgeJson {
            pk: Text(pk),
            sk: Text(sk),
            entity: Text(entity),
            follow_id: Number(edge.follow_id),
            follower: Number(edge.follower.get()),
            following: Number(edge.following.get()),
            follower_username: Text(edge.follower_username.as_str()),
            following_username: Text(edge.following_username.as_str()),
            created_at: Text(&self.created_at),
        }
    }
}

/// What each item of [`Store::follow_checked`]'s transaction failing means, in its order.
const CHECKED_FOLLOW_PARTS: [Part; 5] =
    [Part::Other, Part::Edge, Part::Edge, Part::User, Part::User];

/// The items of [`Store::follow_checked`]'s transaction: the session exists, both edges are
/// new, and both counters are raised under [`CALLER_CONDITION`] and [`FOLLOWED_CONDITION`].
fn checked_follow<'a>(
    table_name: &'a str,
    caller: &'a TokenCaller<'_>,
    edge: &'a FollowEdge,
    keys: &'a FollowKeys,
    session_sk: &'a str,
) -> impl Serialize + 'a {
    (
        Op::ConditionCheck(Check {
            table_name,
            key: Key::of(&keys.follower_pk, session_sk),
            condition_expression: "attribute_exists(PK)",
        }),
        Op::Put(PutNew::new(
            table_name,
            keys.edge(
                edge,
                (&keys.follower_pk, &keys.following_sk, ENTITY_FOLLOWING),
            ),
        )),
        Op::Put(PutNew::new(
            table_name,
            keys.edge(
                edge,
                (&keys.following_pk, &keys.follower_sk, ENTITY_FOLLOWER),
            ),
        )),
        Op::Update(raised(
            (table_name, &keys.follower_pk, FollowSide::Following),
            CALLER_CONDITION,
            CallerValues {
                delta: Number(1),
                active: Flag(true),
                version: Number(caller.token_version),
                username: Text(caller.username),
            },
        )),
        Op::Update(raised(
            (table_name, &keys.following_pk, FollowSide::Followers),
            FOLLOWED_CONDITION,
            FollowedValues {
                delta: Number(1),
                username: Text(edge.following_username.as_str()),
            },
        )),
    )
}

/// The update raising the `side` counter of the user in partition `pk` under `condition`,
/// whose values (`:delta` among them) `values` writes.
fn raised<'a, V>(
    (table_name, pk, side): (&'a str, &'a str, FollowSide),
    condition: &'static str,
    values: V,
) -> UpdateOf<'a, CounterName, V> {
    UpdateOf {
        table_name,
        key: Key::of(pk, keys::PROFILE_SK),
        update_expression: COUNT_UPDATE,
        condition_expression: condition,
        expression_attribute_names: CounterName {
            count: counter_of(side),
        },
        expression_attribute_values: values,
    }
}

/// What a follow transaction's failed conditions mean.
fn outcome(result: Result<(), WriteError<Vec<Part>>>) -> Result<FollowOutcome, StoreError> {
    match result {
        Ok(()) => Ok(FollowOutcome::Done),
        Err(WriteError::ConditionFailed(parts)) if parts.contains(&Part::User) => {
            Ok(FollowOutcome::NoSuchUser)
        }
        Err(WriteError::ConditionFailed(_)) => Ok(FollowOutcome::AlreadyThatWay),
        Err(WriteError::Store(error)) => Err(error),
    }
}

/// Deletes an edge that must exist.
fn edge_delete(pk: String, sk: String) -> DeleteBuilder {
    Delete::builder()
        .set_key(Some(key(pk, sk)))
        .condition_expression("attribute_exists(PK)")
}

/// Follow ids are taken from their counter this many at a time, so that most follows need no
/// round trip for their id. Ids stay unique; the ones a process does not use are a gap.
pub const FOLLOW_ID_BLOCK: u64 = 50;

impl Store {
    pub async fn next_follow_id(&self) -> Result<u64, StoreError> {
        loop {
            if let Some(id) = self.take_follow_id() {
                return Ok(id);
            }
            self.refill_follow_ids().await?;
        }
    }

    /// Takes a block of follow ids unless this process holds some: run beside a follow's
    /// reads, so that not even the first follow of a process waits for its id.
    pub async fn ready_follow_ids(&self) -> Result<(), StoreError> {
        if self.has_follow_ids() {
            return Ok(());
        }
        self.refill_follow_ids().await
    }

    /// Takes a block of follow ids, one request at a time: the requests that find the block
    /// used up together wait for the first one's call instead of each making one (and each
    /// throwing away the block the one before took). If that call failed, they fail as it
    /// did, at once, rather than one call after another.
    async fn refill_follow_ids(&self) -> Result<(), StoreError> {
        let waiting_since = std::time::Instant::now();
        let mut last_failure = self.follow_id_refill.lock().await;
        if self.has_follow_ids() {
            return Ok(());
        }
        if let Some((at, error)) = last_failure.as_ref() {
            if *at >= waiting_since {
                return Err(error.again());
            }
        }
        match self.take_follow_id_block().await {
            Ok(()) => {
                *last_failure = None;
                Ok(())
            }
            Err(error) => {
                let again = error.again();
                *last_failure = Some((std::time::Instant::now(), error));
                Err(again)
            }
        }
    }

    fn has_follow_ids(&self) -> bool {
        !self
            .follow_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    async fn take_follow_id_block(&self) -> Result<(), StoreError> {
        let last = self
            .advance_counter(keys::FOLLOW_ID_COUNTER_PK, FOLLOW_ID_BLOCK)
            .await?;
        // One block at a time (`refill_follow_ids`); ids a process leaves unused are a gap,
        // never an id given twice.
        *self.follow_ids.lock().unwrap_or_else(|e| e.into_inner()) =
            last + 1 - FOLLOW_ID_BLOCK..last + 1;
        Ok(())
    }

    fn take_follow_id(&self) -> Option<u64> {
        self.follow_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next()
    }

    /// Writes both edges and raises both counters, unless the follow exists or a user is gone.
    pub async fn follow(&self, edge: &FollowEdge) -> Result<FollowOutcome, StoreError> {
        let mut transaction = self.transaction();
        transaction
            .put_new(Part::Edge, &FollowEdgeItem::following_side(edge))?
            .put_new(Part::Edge, &FollowEdgeItem::follower_side(edge))?;
        count(
            &mut transaction,
            edge.follower,
            FollowSide::Following,
            1,
            true,
        )?;
        count(
            &mut transaction,
            edge.following,
            FollowSide::Followers,
            1,
            true,
        )?;
        outcome(transaction.commit().await)
    }

    /// The follow `edge` by `caller`, with the caller's authentication checked in the same
    /// transaction (their session still exists, and their item as [`count_as_caller`] needs
    /// it) instead of read before it. `false`: some condition did not hold, and nothing was
    /// written; which one is for a follow that reads first to tell.
    pub async fn follow_checked(
        &self,
        caller: &TokenCaller<'_>,
        edge: &FollowEdge,
    ) -> Result<bool, StoreError> {
        debug_assert_eq!(caller.id, edge.follower);
        debug_assert_eq!(caller.username, edge.follower_username.as_str());
        let keys = FollowKeys::of(edge);
        let session_sk = keys::session_sk(caller.session_id);
        let items = checked_follow(self.table_name(), caller, edge, &keys, &session_sk);
        let sent = self
            .transact(&CHECKED_FOLLOW_PARTS, || self.wire.transact_write(&items))
            .await;
        match sent {
            Ok(()) => Ok(true),
            Err(WriteError::ConditionFailed(_)) => Ok(false),
            Err(WriteError::Store(error)) => Err(error),
        }
    }

    /// Deletes both edges and lowers both counters, unless there is no such follow.
    pub async fn unfollow(
        &self,
        follower: UserId,
        following: UserId,
    ) -> Result<FollowOutcome, StoreError> {
        let mut transaction = self.transaction();
        transaction
            .delete(
                Part::Edge,
                edge_delete(keys::user_pk(follower), keys::following_sk(following)),
            )?
            .delete(
                Part::Edge,
                edge_delete(keys::user_pk(following), keys::follower_sk(follower)),
            )?;
        count(&mut transaction, follower, FollowSide::Following, -1, true)?;
        count(&mut transaction, following, FollowSide::Followers, -1, true)?;
        outcome(transaction.commit().await)
    }

    /// One side of a user's follows, in id order: `take` edges after the first `skip`.
    pub async fn edges(
        &self,
        user: UserId,
        side: FollowSide,
        skip: usize,
        take: usize,
    ) -> Result<Vec<FollowEdge>, StoreError> {
        let mut edges = Vec::new();
        let mut seen = 0;
        let end = skip.saturating_add(take);
        let spec = QuerySpec::prefixed(keys::user_pk(user), prefix_of(side));
        self.query_each(&spec, Some(end), |item| {
            if seen >= skip && seen < end {
                let edge: FollowEdgeItem = serde_dynamo::from_item(item)?;
                edges.push(edge.try_into()?);
            }
            seen += 1;
            Ok(())
        })
        .await?;
        Ok(edges)
    }

    /// Which of `candidates` `follower` follows (one BatchGetItem per 100).
    pub async fn followed_among(
        &self,
        follower: UserId,
        candidates: &[UserId],
    ) -> Result<HashSet<UserId>, StoreError> {
        let wanted: Vec<Item> = candidates
            .iter()
            .map(|c| key(keys::user_pk(follower), keys::following_sk(*c)))
            .collect();
        let mut followed = HashSet::new();
        for item in self.batch_get(wanted).await? {
            let edge: FollowEdgeItem = serde_dynamo::from_item(item)?;
            followed.insert(UserId::new(edge.following));
        }
        Ok(followed)
    }

    /// Removes every follow the user takes part in, from the other side too, lowering the
    /// other users' counters: used while deleting the user (whose own counters go with them).
    pub(super) async fn detach_follows(&self, user: UserId) -> Result<(), StoreError> {
        for side in [FollowSide::Following, FollowSide::Followers] {
            for edge in self.edges(user, side, 0, usize::MAX).await? {
                self.detach_edge(user, side, &edge).await?;
            }
        }
        Ok(())
    }

    /// Deletes one of the user's edges and its mirror, lowering the other user's counter, in
    /// one transaction; a mirror or other user already gone means this was done before, and
    /// only the user's own side is left to delete.
    async fn detach_edge(
        &self,
        user: UserId,
        side: FollowSide,
        edge: &FollowEdge,
    ) -> Result<(), StoreError> {
        let (own_sk, other, mirror_sk, other_side) = match side {
            FollowSide::Following => (
                keys::following_sk(edge.following),
                edge.following,
                keys::follower_sk(user),
                FollowSide::Followers,
            ),
            FollowSide::Followers => (
                keys::follower_sk(edge.follower),
                edge.follower,
                keys::following_sk(user),
                FollowSide::Following,
            ),
        };
        let own = key(keys::user_pk(user), own_sk);
        let mut transaction = self.transaction();
        transaction
            .delete_key(Part::Other, own.clone())?
            .delete(Part::Edge, edge_delete(keys::user_pk(other), mirror_sk))?;
        count(&mut transaction, other, other_side, -1, false)?;
        match transaction.commit().await {
            Ok(()) => Ok(()),
            Err(WriteError::ConditionFailed(_)) => self.delete_item(own).await,
            Err(WriteError::Store(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::domain::Username;
    use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};

    fn name(text: &str) -> Username {
        Username::parse(text).unwrap()
    }

    /// The follow's transaction as the SDK's types write it: the same conditions and values,
    /// the edges as `serde_dynamo` writes `FollowEdgeItem`, which is how they are read.
    fn through_the_sdk(caller: &TokenCaller<'_>, edge: &FollowEdge) -> Vec<TransactWriteItem> {
        let put = |item: &FollowEdgeItem| {
            let put = Put::builder()
                .table_name("users")
                .set_item(Some(serde_dynamo::to_item(item).unwrap()))
                .condition_expression("attribute_not_exists(PK)");
            TransactWriteItem::builder()
                .put(put.build().unwrap())
                .build()
        };
        let update = |builder: UpdateBuilder| {
            let update = builder.table_name("users").build().unwrap();
            TransactWriteItem::builder().update(update).build()
        };
        let check = ConditionCheck::builder()
            .table_name("users")
            .set_key(Some(key(
                keys::user_pk(caller.id),
                keys::session_sk(caller.session_id),
            )))
            .condition_expression("attribute_exists(PK)")
            .build()
            .unwrap();
        vec![
            TransactWriteItem::builder().condition_check(check).build(),
            put(&FollowEdgeItem::following_side(edge)),
            put(&FollowEdgeItem::follower_side(edge)),
            update(
                counter_update(caller.id, FollowSide::Following, 1, CALLER_CONDITION)
                    .expression_attribute_values(":active", AttributeValue::Bool(true))
                    .expression_attribute_values(
                        ":version",
                        AttributeValue::N(caller.token_version.to_string()),
                    )
                    .expression_attribute_values(
                        ":username",
                        AttributeValue::S(caller.username.to_owned()),
                    ),
            ),
            update(
                counter_update(edge.following, FollowSide::Followers, 1, FOLLOWED_CONDITION)
                    .expression_attribute_values(
                        ":username",
                        AttributeValue::S(edge.following_username.to_string()),
                    ),
            ),
        ]
    }

    #[test]
    fn a_checked_follow_is_written_as_the_sdk_writes_the_same_items() {
        let edge = FollowEdge::new(
            4_000_000_017,
            (UserId::new(12), &name("Ann_Lee")),
            (UserId::new(9_007_199_254_740_993), &name("bob")),
            Timestamp::from_unix(1_767_225_600),
        );
        let caller = TokenCaller {
            id: edge.follower,
            session_id: "s-1",
            token_version: 3,
            username: "Ann_Lee",
        };
        let keys = FollowKeys::of(&edge);
        let session_sk = keys::session_sk(caller.session_id);
        let written =
            serde_json::to_value(checked_follow("users", &caller, &edge, &keys, &session_sk))
                .unwrap();
        let expected = super::super::wire::transact_items_json(&through_the_sdk(&caller, &edge));
        assert_eq!(written, expected);
        assert_eq!(
            written.as_array().map(Vec::len),
            Some(CHECKED_FOLLOW_PARTS.len())
        );
    }
}

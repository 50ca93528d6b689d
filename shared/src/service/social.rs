//! Follows between users, and the lists of who follows whom.

use super::profiles::by_username;
use super::{paging, ServiceError};
use crate::clock::Timestamp;
pub use crate::domain::FollowSide as Side;
use crate::domain::{User, UserId, UserSummary};
use crate::store::{FollowEdge, FollowOutcome, Store};
use std::collections::HashSet;

pub const SELF_FOLLOW: &str = "You cannot follow yourself.";
pub const ALREADY_FOLLOWING: &str = "You are already following this user.";
pub const NOT_FOLLOWING: &str = "You are not following this user.";
/// Most entries a follow list returns per page.
pub const PAGE_SIZE: usize = 100;

/// `caller` follows the user named `username`.
pub async fn follow(
    store: &Store,
    caller: &User,
    username: &str,
) -> Result<FollowEdge, ServiceError> {
    let target = by_username(store, username).await?;
    if target.id == caller.id {
        return Err(ServiceError::invalid("username", SELF_FOLLOW));
    }
    let edge = FollowEdge::new(
        store.next_follow_id().await?,
        (caller.id, &caller.username),
        (target.id, &target.username),
        Timestamp::now(),
    );
    match store.follow(&edge).await? {
        FollowOutcome::Done => Ok(edge),
        FollowOutcome::AlreadyThatWay => Err(ServiceError::invalid("username", ALREADY_FOLLOWING)),
        FollowOutcome::NoSuchUser => Err(ServiceError::NotFound),
    }
}

/// `caller` stops following the user named `username`.
pub async fn unfollow(store: &Store, caller: &User, username: &str) -> Result<(), ServiceError> {
    let target = by_username(store, username).await?;
    if target.id == caller.id {
        return Err(ServiceError::invalid("username", NOT_FOLLOWING));
    }
    match store.unfollow(caller.id, target.id).await? {
        FollowOutcome::Done => Ok(()),
        FollowOutcome::AlreadyThatWay => Err(ServiceError::invalid("username", NOT_FOLLOWING)),
        FollowOutcome::NoSuchUser => Err(ServiceError::NotFound),
    }
}

/// The follows `user` makes, page `page` (from 1), and how many there are.
pub async fn follows_of(
    store: &Store,
    user: &User,
    page: usize,
) -> Result<(Vec<FollowEdge>, u64), ServiceError> {
    let skip = paging::page_skip(page, PAGE_SIZE);
    if paging::past_the_end(skip, user.following_count) {
        return Ok((Vec::new(), user.following_count));
    }
    let edges = store
        .edges(user.id, Side::Following, skip, PAGE_SIZE)
        .await?;
    Ok((edges, user.following_count))
}

/// The people on one side of `username`'s follows, with whether `caller` follows each.
pub async fn people(
    store: &Store,
    username: &str,
    side: Side,
    caller: Option<UserId>,
    page: usize,
) -> Result<(Vec<(UserSummary, bool)>, u64), ServiceError> {
    let user = by_username(store, username).await?;
    let skip = paging::page_skip(page, PAGE_SIZE);
    let total = match side {
        Side::Followers => user.followers_count,
        Side::Following => user.following_count,
    };
    if paging::past_the_end(skip, total) {
        return Ok((Vec::new(), total));
    }
    let edges = store.edges(user.id, side, skip, PAGE_SIZE).await?;
    let ids: Vec<UserId> = edges
        .iter()
        .map(|e| match side {
            Side::Followers => e.follower,
            Side::Following => e.following,
        })
        .collect();
    let profiles = store.get_users(&ids).await?;
    let followed = following_set(store, caller, &ids).await?;
    let mut people = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(profile) = profiles.iter().find(|p| p.id == id) {
            people.push((profile.summary(), followed.contains(&id)));
        }
    }
    Ok((people, total))
}

/// Which of `ids` the caller follows (none without a caller).
pub async fn following_set(
    store: &Store,
    caller: Option<UserId>,
    ids: &[UserId],
) -> Result<HashSet<UserId>, ServiceError> {
    match caller {
        Some(caller) if !ids.is_empty() => Ok(store.followed_among(caller, ids).await?),
        _ => Ok(HashSet::new()),
    }
}

//! Follows between users, and the lists of who follows whom.

use super::profiles::by_username;
pub use super::sessions::Viewer;
use super::{paging, FollowRefusal, ServiceError};
use crate::auth::tokens::TokenVerifier;
use crate::clock::Timestamp;
pub use crate::domain::FollowSide as Side;
use crate::domain::{User, UserId, UserSummary, Username};
use crate::store::{FollowEdge, FollowOutcome, Store, TokenCaller};
use std::collections::HashSet;

/// Most entries a follow list returns per page.
pub const PAGE_SIZE: usize = 100;

/// Whom a follow names: by id, as the careers original's `{"following": <id>}`, or by username.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FollowTarget {
    Id(UserId),
    Username(String),
}

fn refused(refusal: FollowRefusal) -> ServiceError {
    ServiceError::FollowRefused(refusal)
}

/// The user a follow names, as far as the follow needs them: their id and username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub id: UserId,
    pub username: Username,
}

/// Finds whom `target` names with one read: the username's guard (which holds the id and the
/// username), or the user by id. It needs no caller, so a handler runs it beside the caller's
/// authentication; the follow's transaction checks the user still exists.
pub async fn find_target(store: &Store, target: &FollowTarget) -> Result<Followed, ServiceError> {
    let no_such_user = || refused(FollowRefusal::NoSuchUser(target.clone()));
    let found = match target {
        FollowTarget::Id(id) => super::profiles::get(store, *id).await,
        FollowTarget::Username(name) => {
            let canonical = canonical_name(name);
            if canonical.chars().count() > Username::MAX_LEN {
                return Err(no_such_user());
            }
            match store.username_owner(&canonical).await? {
                None => return Err(no_such_user()),
                Some((id, Some(shown))) => {
                    let username = Username::parse(&shown).map_err(|_| no_such_user())?;
                    return Ok(Followed { id, username });
                }
                // A guard that holds only the id: the user's own item has the username.
                Some((id, None)) => super::profiles::get(store, id).await,
            }
        }
    };
    match found {
        Ok(user) => Ok(Followed {
            id: user.id,
            username: user.username.clone(),
        }),
        Err(ServiceError::NotFound) => Err(no_such_user()),
        Err(other) => Err(other),
    }
}

/// The canonical form of a username a follow names.
fn canonical_name(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// A follow in one round trip, once this process remembers the caller's username and whom
/// `target` names (an earlier follow read them): one transaction writes the follow and checks
/// in its conditions what would otherwise be read first (the caller's session and account as
/// [`super::sessions::authenticate`] checks them, and that both users still have the usernames
/// remembered). `None` when it cannot be tried (no valid token, nothing remembered) or a check
/// did not hold: nothing was written, and [`find_target`] and [`follow`] after the caller's
/// authentication give the answer, as for any first follow.
pub async fn follow_at_once(
    store: &Store,
    verifier: &TokenVerifier,
    bearer: Option<&str>,
    target: &FollowTarget,
) -> Result<Option<FollowEdge>, ServiceError> {
    let Some(claims) = bearer.and_then(|token| verifier.verify(token).ok()) else {
        return Ok(None);
    };
    let Ok(caller_id) = UserId::parse(&claims.sub) else {
        return Ok(None);
    };
    let followed_id = match target {
        FollowTarget::Id(id) => Some(*id),
        FollowTarget::Username(name) => store.remembered_username(&canonical_name(name)),
    };
    let (Some(caller_name), Some(followed_id)) = (store.remembered_name(caller_id), followed_id)
    else {
        return Ok(None);
    };
    let Some(followed_name) = store.remembered_name(followed_id) else {
        return Ok(None);
    };
    let names_the_target = match target {
        FollowTarget::Id(_) => true,
        FollowTarget::Username(name) => followed_name.as_str().eq_ignore_ascii_case(name.trim()),
    };
    if followed_id == caller_id || !names_the_target {
        return Ok(None);
    }
    let edge = FollowEdge::new(
        store.next_follow_id().await?,
        (caller_id, &caller_name),
        (followed_id, &followed_name),
        Timestamp::now(),
    );
    let caller = TokenCaller {
        id: caller_id,
        session_id: &claims.sid,
        token_version: claims.ver,
        username: caller_name.as_str(),
    };
    Ok(store.follow_checked(&caller, &edge).await?.then_some(edge))
}

/// `caller` follows `followed`, whom `target` named ([`find_target`]). The process remembers
/// both users' usernames and whom a username named, for [`follow_at_once`].
pub async fn follow(
    store: &Store,
    caller: &User,
    target: &FollowTarget,
    followed: Followed,
) -> Result<FollowEdge, ServiceError> {
    store.remember_name(caller.id, &caller.username);
    store.remember_name(followed.id, &followed.username);
    if let FollowTarget::Username(name) = target {
        store.remember_username(canonical_name(name), followed.id);
    }
    if followed.id == caller.id {
        return Err(refused(FollowRefusal::Yourself));
    }
    let edge = FollowEdge::new(
        store.next_follow_id().await?,
        (caller.id, &caller.username),
        (followed.id, &followed.username),
        Timestamp::now(),
    );
    match store.follow(&edge).await? {
        FollowOutcome::Done => Ok(edge),
        FollowOutcome::AlreadyThatWay => Err(refused(FollowRefusal::AlreadyFollowing)),
        FollowOutcome::NoSuchUser => Err(refused(FollowRefusal::NoSuchUser(target.clone()))),
    }
}

/// `caller` stops following the user named `username`.
pub async fn unfollow(store: &Store, caller: &User, username: &str) -> Result<(), ServiceError> {
    let target = by_username(store, username).await?;
    let not_following = || refused(FollowRefusal::NotFollowing(username.to_owned()));
    if target.id == caller.id {
        return Err(not_following());
    }
    match store.unfollow(caller.id, target.id).await? {
        FollowOutcome::Done => Ok(()),
        FollowOutcome::AlreadyThatWay => Err(not_following()),
        FollowOutcome::NoSuchUser => Err(ServiceError::NotFound),
    }
}

/// Where page `page` (from 1) of a list of `total` starts. The first page always exists,
/// even when empty; a later page past the end is DRF's "Invalid page.".
pub fn page_start(page: usize, total: u64) -> Result<usize, ServiceError> {
    let skip = paging::page_skip(page, PAGE_SIZE);
    if page > 1 && paging::past_the_end(skip, total) {
        return Err(ServiceError::InvalidPage);
    }
    Ok(skip)
}

/// The follows `user` makes, page `page` (from 1), and how many there are.
pub async fn follows_of(
    store: &Store,
    user: &User,
    page: usize,
) -> Result<(Vec<FollowEdge>, u64), ServiceError> {
    let skip = page_start(page, user.following_count)?;
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
    caller: Option<Viewer>,
    page: usize,
) -> Result<(Vec<(UserSummary, bool)>, u64), ServiceError> {
    let user = by_username(store, username).await?;
    let total = match side {
        Side::Followers => user.followers_count,
        Side::Following => user.following_count,
    };
    let skip = page_start(page, total)?;
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

/// Which of `ids` the caller follows (none without a caller, or one who follows nobody).
pub async fn following_set(
    store: &Store,
    caller: Option<Viewer>,
    ids: &[UserId],
) -> Result<HashSet<UserId>, ServiceError> {
    match caller {
        Some(caller) if caller.follows_anyone && !ids.is_empty() => {
            Ok(store.followed_among(caller.id, ids).await?)
        }
        _ => Ok(HashSet::new()),
    }
}

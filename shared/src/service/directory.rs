//! Listing and searching users.

use super::social::following_set;
use super::ServiceError;
use crate::domain::{UserId, UserSummary};
use crate::store::{DirectoryOrder, Store};

pub const DEFAULT_BATCH: usize = 10;
pub const MAX_BATCH: usize = 100;
/// Index entries one filtered list request examines at most (about 36 read units): past it
/// the answer says it is incomplete and gives a cursor to continue.
pub const SCAN_CAP: usize = 1_000;

#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Case-insensitive substring of the username, first name, last name or bio.
    pub search: Option<String>,
    /// Case-insensitive substring of the first name.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub order: DirectoryOrder,
    pub descending: bool,
    pub skip: usize,
    pub take: usize,
}

#[derive(Debug)]
pub struct Listing {
    /// Each user, and whether the caller follows them.
    pub users: Vec<(UserSummary, bool)>,
    /// How many users match in all.
    pub total: u64,
}

fn lowered(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

/// A page of users. Without filters it reads about a page of one index and the exact user
/// count; with filters it reads the whole index (cost grows with the number of users).
pub async fn list(
    store: &Store,
    caller: Option<UserId>,
    query: &ListQuery,
) -> Result<Listing, ServiceError> {
    let (search, first, last) = (
        lowered(&query.search),
        lowered(&query.first_name),
        lowered(&query.last_name),
    );
    let page = if search.is_none() && first.is_none() && last.is_none() {
        let total = store.user_count().await?;
        if u64::try_from(query.skip).unwrap_or(u64::MAX) >= total {
            // Past the last page: nothing to read.
            return Ok(Listing {
                users: Vec::new(),
                total,
            });
        }
        let mut page = store
            .directory_page(query.order, query.descending, query.skip, query.take)
            .await?;
        page.matched = Some(total);
        page
    } else {
        let keep = |text: &str, first_name: &str, last_name: &str| {
            search.as_ref().is_none_or(|s| text.contains(s.as_str()))
                && first
                    .as_ref()
                    .is_none_or(|f| first_name.to_lowercase().contains(f.as_str()))
                && last
                    .as_ref()
                    .is_none_or(|l| last_name.to_lowercase().contains(l.as_str()))
        };
        store
            .directory_filtered(query.order, query.descending, query.skip, query.take, keep)
            .await?
    };
    let ids: Vec<UserId> = page.users.iter().map(|u| u.id).collect();
    let followed = following_set(store, caller, &ids).await?;
    let users = page.users.into_iter().map(|u| {
        let follows = followed.contains(&u.id);
        (u, follows)
    });
    Ok(Listing {
        users: users.collect(),
        total: page.matched.unwrap_or(0),
    })
}

//! Listing and searching users.

use super::social::{following_set, Viewer};
use super::ServiceError;
use crate::domain::{UserCard, UserId};
use crate::store::{directory_key_fits, DirectoryKey, DirectoryOrder, FilteredRead, Store};
use serde::{Deserialize, Serialize};

pub const DEFAULT_BATCH: usize = 10;
pub const MAX_BATCH: usize = 100;
/// Index entries one filtered list request examines at most (about 35 read units on
/// DynamoDB Local, `benches/RESULTS.md`): past it the answer says it is incomplete and gives
/// a cursor to continue.
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
    /// The opaque cursor of an earlier, unfinished answer to this same query.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// Whether the query filters (search or a name): then it reads the index up to the cap.
    pub fn is_filtered(&self) -> bool {
        lowered(&self.search).is_some()
            || lowered(&self.first_name).is_some()
            || lowered(&self.last_name).is_some()
    }

    /// What a cursor is bound to: the filters, order and batch of the query that made it.
    fn fingerprint(&self) -> String {
        let shape = format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{}|{}",
            lowered(&self.search),
            lowered(&self.first_name),
            lowered(&self.last_name),
            self.order,
            self.descending,
            self.skip,
            self.take
        );
        crate::auth::sha256_b64(&shape)[..FINGERPRINT_CHARS].to_owned()
    }
}

const FINGERPRINT_CHARS: usize = 11;
/// DRF's message for a cursor it cannot read.
pub const INVALID_CURSOR: &str = "Invalid cursor.";

#[derive(Debug)]
pub struct Listing {
    /// Each user, and whether the caller follows them.
    pub users: Vec<(UserCard, bool)>,
    /// How many users match in all; for an unfinished filtered read, the matches among the
    /// entries examined so far (by this request and those its cursor continues).
    pub total: u64,
    /// For a filtered list: `Some(None)` when the whole index was examined (the total is
    /// exact), `Some(Some(cursor))` when the cap stopped it first. `None` without filters.
    pub next: Option<Option<String>>,
}

/// A cursor as it travels: base64url (no padding) of this JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    /// The last index key examined (DynamoDB's `LastEvaluatedKey`).
    k: DirectoryKey,
    /// Matches counted up to it.
    m: u64,
    /// The query it belongs to.
    q: String,
}

impl Cursor {
    fn encode(&self) -> Result<String, ServiceError> {
        use base64::Engine as _;
        let json = serde_json::to_vec(self).map_err(|e| ServiceError::Unexpected(Box::new(e)))?;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
    }

    /// The cursor `text` if it is one this service made for `query`; anything else is a 400
    /// on `cursor`, never a failure.
    fn decode(text: &str, query: &ListQuery) -> Result<Self, ServiceError> {
        use base64::Engine as _;
        let invalid = || ServiceError::invalid("cursor", INVALID_CURSOR);
        if text.len() > MAX_CURSOR_CHARS {
            return Err(invalid());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| invalid())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let fits = cursor.q == query.fingerprint()
            && query.is_filtered()
            && directory_key_fits(query.order, &cursor.k);
        fits.then_some(cursor).ok_or_else(invalid)
    }
}

/// Longer than any cursor this service makes (four key values of at most 1 KB, in base64).
const MAX_CURSOR_CHARS: usize = 8 * 1024;

fn lowered(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

/// A page of users with the default scan cap: see [`list_with_cap`].
pub async fn list(
    store: &Store,
    caller: Option<Viewer>,
    query: &ListQuery,
) -> Result<Listing, ServiceError> {
    list_with_cap(store, caller, query, SCAN_CAP).await
}

/// A page of users: [`read_page`], then [`mark_followed`] for `caller`.
pub async fn list_with_cap(
    store: &Store,
    caller: Option<Viewer>,
    query: &ListQuery,
    cap: usize,
) -> Result<Listing, ServiceError> {
    let page = read_page(store, query, cap).await?;
    mark_followed(store, caller, page).await
}

/// A page of users as the index gives it, before anyone's follows are looked at: it needs no
/// caller, so a handler reads it while the caller is authenticated.
#[derive(Debug)]
pub struct UsersPage {
    users: Vec<UserCard>,
    total: u64,
    next: Option<Option<String>>,
}

/// Without filters it reads about a page of one index and, beside it, the exact user count.
/// With filters it examines at most `cap` index entries, from the start or after the query's
/// cursor, and says where to continue when it stopped before the end of the index.
pub async fn read_page(
    store: &Store,
    query: &ListQuery,
    cap: usize,
) -> Result<UsersPage, ServiceError> {
    let (search, first, last) = (
        lowered(&query.search),
        lowered(&query.first_name),
        lowered(&query.last_name),
    );
    let cursor = match query.cursor.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Some(Cursor::decode(text, query)?),
        _ => None,
    };
    if !query.is_filtered() {
        let (total, page) = tokio::join!(
            store.user_count(),
            store.directory_cards(query.order, query.descending, query.skip, query.take)
        );
        let total = total?;
        // Past the last page: nothing (the page read beside the count is dropped).
        let users = if u64::try_from(query.skip).unwrap_or(u64::MAX) >= total {
            Vec::new()
        } else {
            page?
        };
        return Ok(UsersPage {
            users,
            total,
            next: None,
        });
    }
    let keep = |text: &str, first_name: &str, last_name: &str| {
        search.as_ref().is_none_or(|s| text.contains(s.as_str()))
            && first
                .as_ref()
                .is_none_or(|f| first_name.to_lowercase().contains(f.as_str()))
            && last
                .as_ref()
                .is_none_or(|l| last_name.to_lowercase().contains(l.as_str()))
    };
    let read = FilteredRead {
        order: query.order,
        descending: query.descending,
        after: cursor.as_ref().map(|c| &c.k),
        matched_before: cursor.as_ref().map_or(0, |c| c.m),
        skip: query.skip,
        take: query.take,
        cap: cap.max(1),
    };
    let mut page = store.directory_filtered(read, keep).await?;
    let next = match page.resume.take() {
        Some(k) => Some(
            Cursor {
                k,
                m: page.matched.unwrap_or(0),
                q: query.fingerprint(),
            }
            .encode()?,
        ),
        None => None,
    };
    Ok(UsersPage {
        users: page.users.into_iter().map(UserCard::from).collect(),
        total: page.matched.unwrap_or(0),
        next: Some(next),
    })
}

/// The page with whether `caller` follows each of its users (one read, and none when there is
/// no caller or the caller follows nobody).
pub async fn mark_followed(
    store: &Store,
    caller: Option<Viewer>,
    page: UsersPage,
) -> Result<Listing, ServiceError> {
    let ids: Vec<UserId> = page.users.iter().map(|u| u.id).collect();
    let followed = following_set(store, caller, &ids).await?;
    let users = page.users.into_iter().map(|u| {
        let follows = followed.contains(&u.id);
        (u, follows)
    });
    Ok(Listing {
        users: users.collect(),
        total: page.total,
        next: page.next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(search: &str) -> ListQuery {
        ListQuery {
            search: Some(search.to_owned()),
            first_name: None,
            last_name: None,
            order: DirectoryOrder::Username,
            descending: false,
            skip: 0,
            take: 10,
            cursor: None,
        }
    }

    fn key() -> DirectoryKey {
        [
            ("PK", "USER#12"),
            ("SK", "PROFILE"),
            ("GSI2PK", "USERS"),
            ("GSI2SK", "ann#12"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn is_invalid_cursor(result: Result<Cursor, ServiceError>) -> bool {
        matches!(result, Err(ServiceError::Invalid(errors)) if errors.has("cursor"))
    }

    #[test]
    fn a_cursor_reads_back_only_for_its_own_query() {
        let asked = query("ann");
        let text = Cursor {
            k: key(),
            m: 3,
            q: asked.fingerprint(),
        }
        .encode()
        .unwrap();
        let back = Cursor::decode(&text, &asked).unwrap();
        assert_eq!((back.k, back.m), (key(), 3));
        assert_eq!(
            Cursor::decode(&text, &query(" ANN ")).map(|c| c.m).ok(),
            Some(3),
            "the same search, as typed differently"
        );
        assert!(is_invalid_cursor(Cursor::decode(&text, &query("bob"))));
        let other_order = ListQuery {
            order: DirectoryOrder::SignUp,
            ..asked.clone()
        };
        assert!(is_invalid_cursor(Cursor::decode(&text, &other_order)));
        let unfiltered = ListQuery {
            search: None,
            ..asked.clone()
        };
        assert!(is_invalid_cursor(Cursor::decode(&text, &unfiltered)));
    }

    #[test]
    fn a_cursor_with_a_foreign_key_is_refused() {
        let asked = query("ann");
        let mut bad_keys = Vec::new();
        for (name, value) in [
            ("PK", "USER#x"),
            ("SK", "SESSION#1"),
            ("GSI2PK", "APPS"),
            ("GSI2SK", ""),
        ] {
            let mut k = key();
            k.insert(name.to_owned(), value.to_owned());
            bad_keys.push(k);
        }
        let mut extra = key();
        extra.insert("GSI1SK".to_owned(), "x".to_owned());
        bad_keys.push(extra);
        let mut long = key();
        long.insert("GSI2SK".to_owned(), "a".repeat(2000));
        bad_keys.push(long);
        for k in bad_keys {
            let text = Cursor {
                k: k.clone(),
                m: 0,
                q: asked.fingerprint(),
            }
            .encode()
            .unwrap();
            assert!(is_invalid_cursor(Cursor::decode(&text, &asked)), "{k:?}");
        }
        for garbage in ["", "%%%", "bm90IGpzb24", "e30"] {
            assert!(
                is_invalid_cursor(Cursor::decode(garbage, &asked)),
                "{garbage}"
            );
        }
    }
}

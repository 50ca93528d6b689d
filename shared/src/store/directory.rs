//! The user directory: users listed from the index of the order asked for (GSI1 sign-up,
//! GSI2 username, GSI3 first name, GSI4 last name), each projecting only what a list shows.

use super::dynamo_json::ItemAs;
use super::items::{
    optional, parsed, stored_devices, stored_email, summary_of, timestamp, StoredDevice,
};
use super::plumbing::QuerySpec;
use super::{keys, Store, StoreError};
use crate::domain::{
    Avatar, Bio, DirectoryOrder, DisplayName, PersonName, UserCard, UserId, UserSummary, Username,
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The index of an order, and the names of its partition and sort keys.
fn index(order: DirectoryOrder) -> (&'static str, &'static str, &'static str) {
    match order {
        DirectoryOrder::SignUp => (keys::GSI1, "GSI1PK", "GSI1SK"),
        DirectoryOrder::Username => (keys::GSI2, "GSI2PK", "GSI2SK"),
        DirectoryOrder::FirstName => (keys::GSI3, "GSI3PK", "GSI3SK"),
        DirectoryOrder::LastName => (keys::GSI4, "GSI4PK", "GSI4SK"),
    }
}

/// Where a read of an index stopped: the key of the last entry it examined (the table's
/// `PK`/`SK` and the index's own keys, all strings), to start the next read after it.
pub type DirectoryKey = BTreeMap<String, String>;

/// Longest key value DynamoDB takes in a sort key (the partition key takes twice that).
const LONGEST_KEY_VALUE: usize = 1024;

/// Whether `key` can be the last key of a read of `order`'s index: exactly its four key
/// attributes, the directory partition, a user's profile item, no empty or over-long value.
/// A key that passes is safe to hand DynamoDB as a start key (it cannot fail validation there).
pub fn directory_key_fits(order: DirectoryOrder, key: &DirectoryKey) -> bool {
    let (_, partition, sort) = index(order);
    let names_fit = key.len() == 4
        && [keys::PK, keys::SK, partition, sort]
            .iter()
            .all(|name| key.contains_key(*name));
    names_fit
        && key
            .values()
            .all(|v| !v.is_empty() && v.len() <= LONGEST_KEY_VALUE)
        && key[partition] == keys::USER_DIRECTORY
        && key[keys::SK] == keys::PROFILE_SK
        && key[keys::PK].strip_prefix("USER#").is_some_and(|id| {
            !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
        })
}

fn directory_key_of(item: HashMap<String, AttributeValue>) -> Result<DirectoryKey, StoreError> {
    item.into_iter()
        .map(|(name, value)| match value {
            AttributeValue::S(text) => Ok((name, text)),
            _ => Err(StoreError::Invalid {
                attribute: "LastEvaluatedKey",
                reason: format!("{name} is not a string"),
            }),
        })
        .collect()
}

/// Entries asked for per Query call of a filtered read.
const DIRECTORY_QUERY_PAGE: usize = 500;

/// One directory entry as the indexes project it.
#[derive(Debug, Deserialize)]
struct DirectoryEntry {
    id: u64,
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    avatar: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    devices: BTreeMap<String, StoredDevice>,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    search_text: String,
}

impl TryFrom<DirectoryEntry> for UserSummary {
    type Error = StoreError;

    fn try_from(entry: DirectoryEntry) -> Result<Self, StoreError> {
        let pk = keys::user_pk(UserId::new(entry.id));
        summary_of(entry).map_err(|e| e.in_item(&pk, keys::PROFILE_SK))
    }
}

fn summary_of(entry: DirectoryEntry) -> Result<UserSummary, StoreError> {
    Ok(summary_of!(entry))
}

/// One directory entry, only what a [`UserCard`] shows: the entry's other attributes are
/// passed over without being read into values.
#[derive(Debug, Deserialize)]
struct CardEntry {
    id: u64,
    username: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    avatar: String,
}

impl TryFrom<CardEntry> for UserCard {
    type Error = StoreError;

    fn try_from(entry: CardEntry) -> Result<Self, StoreError> {
        let card = || -> Result<Self, StoreError> {
            Ok(UserCard {
                id: UserId::new(entry.id),
                username: parsed("username", Username::parse(&entry.username))?,
                first_name: parsed("first_name", PersonName::parse(&entry.first_name))?,
                last_name: parsed("last_name", PersonName::parse(&entry.last_name))?,
                avatar: parsed("avatar", Avatar::parse(&entry.avatar))?,
            })
        };
        card().map_err(|e| e.in_item(&keys::user_pk(UserId::new(entry.id)), keys::PROFILE_SK))
    }
}

/// A page of the directory and how much of the index was read for it.
#[derive(Debug)]
pub struct DirectoryPage {
    pub users: Vec<UserSummary>,
    /// Entries that matched, in all (only when the whole index had to be read).
    pub matched: Option<u64>,
    pub entries_read: usize,
    /// Read capacity units the index reads consumed, as DynamoDB reported them.
    pub capacity_units: f64,
    /// Where a capped read stopped before the end of the index: continue after this key.
    pub resume: Option<DirectoryKey>,
}

/// What a capped, filtered read of the directory starts from and may do.
#[derive(Debug, Clone, Copy)]
pub struct FilteredRead<'a> {
    pub order: DirectoryOrder,
    pub descending: bool,
    /// Continue after this key (from an earlier read's `resume`), or from the start.
    pub after: Option<&'a DirectoryKey>,
    /// Matches counted by the earlier reads this one continues.
    pub matched_before: u64,
    /// Matches to pass over before the page, and the page's size.
    pub skip: usize,
    pub take: usize,
    /// Index entries this read examines at most.
    pub cap: usize,
}

impl Store {
    /// `take` users after the first `skip`, in `order`. Reads the skipped entries too, so
    /// the cost grows with the page's depth, not with the number of users.
    pub async fn directory_page(
        &self,
        order: DirectoryOrder,
        descending: bool,
        skip: usize,
        take: usize,
    ) -> Result<DirectoryPage, StoreError> {
        let (users, entries_read, capacity_units) = self
            .directory_slice::<DirectoryEntry, UserSummary>(order, descending, skip, take)
            .await?;
        Ok(DirectoryPage {
            users,
            matched: None,
            entries_read,
            capacity_units,
            resume: None,
        })
    }

    /// As [`Store::directory_page`], each user only as a list shows them.
    pub async fn directory_cards(
        &self,
        order: DirectoryOrder,
        descending: bool,
        skip: usize,
        take: usize,
    ) -> Result<Vec<UserCard>, StoreError> {
        let (cards, _, _) = self
            .directory_slice::<CardEntry, UserCard>(order, descending, skip, take)
            .await?;
        Ok(cards)
    }

    /// The `take` entries after the first `skip` of `order`'s index, read as `E` and made into
    /// `U`; with the entries read and the capacity units consumed.
    async fn directory_slice<E, U>(
        &self,
        order: DirectoryOrder,
        descending: bool,
        skip: usize,
        take: usize,
    ) -> Result<(Vec<U>, usize, f64), StoreError>
    where
        E: for<'de> Deserialize<'de>,
        U: TryFrom<E, Error = StoreError>,
    {
        let mut users = Vec::with_capacity(take);
        let wanted = skip.saturating_add(take);
        let mut seen = 0;
        let visit = |entry: E| {
            if seen >= skip && seen < wanted {
                users.push(entry.try_into()?);
            }
            seen += 1;
            Ok(())
        };
        let capacity_units = self.walk(order, descending, Some(wanted), visit).await?;
        Ok((users, seen, capacity_units))
    }

    /// The users for which `keep(search_text, first_name, last_name)` holds, paged like
    /// [`Store::directory_page`] but counting matches, examining at most `read.cap` entries
    /// after `read.after`. `matched` counts the matches of the earlier reads too; `resume` is
    /// set when the cap stopped the read before the end of the index.
    pub async fn directory_filtered(
        &self,
        read: FilteredRead<'_>,
        keep: impl Fn(&str, &str, &str) -> bool,
    ) -> Result<DirectoryPage, StoreError> {
        let mut users = Vec::with_capacity(read.take);
        let mut matched = read.matched_before;
        let mut examined = 0usize;
        let (first, last) = (
            u64::try_from(read.skip).unwrap_or(u64::MAX),
            u64::try_from(read.skip.saturating_add(read.take)).unwrap_or(u64::MAX),
        );
        let (index, partition, _) = index(read.order);
        let mut start = read.after.map(|key| {
            key.iter()
                .map(|(name, value)| (name.clone(), AttributeValue::S(value.clone())))
                .collect::<HashMap<_, _>>()
        });
        let mut capacity_units = 0.0;
        loop {
            let limit = read.cap.saturating_sub(examined).min(DIRECTORY_QUERY_PAGE);
            if limit == 0 {
                break;
            }
            let output = self
                .client()
                .query()
                .table_name(self.table_name())
                .index_name(index)
                .key_condition_expression("#pk = :directory")
                .expression_attribute_names("#pk", partition)
                .expression_attribute_values(
                    ":directory",
                    AttributeValue::S(keys::USER_DIRECTORY.to_owned()),
                )
                .scan_index_forward(!read.descending)
                .limit(i32::try_from(limit).unwrap_or(i32::MAX))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            capacity_units += output
                .consumed_capacity()
                .and_then(|c| c.capacity_units())
                .unwrap_or(0.0);
            for item in output.items.unwrap_or_default() {
                examined += 1;
                let entry: DirectoryEntry = serde_dynamo::from_item(item)?;
                if keep(&entry.search_text, &entry.first_name, &entry.last_name) {
                    if (first..last).contains(&matched) {
                        users.push(entry.try_into()?);
                    }
                    matched += 1;
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(DirectoryPage {
            users,
            matched: Some(matched),
            entries_read: examined,
            capacity_units,
            resume: start.map(directory_key_of).transpose()?,
        })
    }

    /// Calls `visit` on each entry of the order's index, stopping after `limit` entries;
    /// returns the read capacity units consumed.
    async fn walk<E: for<'de> Deserialize<'de>>(
        &self,
        order: DirectoryOrder,
        descending: bool,
        limit: Option<usize>,
        mut visit: impl FnMut(E) -> Result<(), StoreError>,
    ) -> Result<f64, StoreError> {
        let (index, partition_key, _) = index(order);
        let spec = QuerySpec {
            index: Some(index),
            key_condition: "#pk = :directory",
            names: vec![("#pk", partition_key)],
            values: vec![(
                ":directory",
                AttributeValue::S(keys::USER_DIRECTORY.to_owned()),
            )],
            forward: !descending,
            consistent: false,
        };
        self.query_each_as(&spec, limit, |entry: ItemAs<E>| visit(entry.0))
            .await
    }
}

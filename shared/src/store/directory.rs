//! The user directory: users listed from the index of the order asked for (GSI1 sign-up,
//! GSI2 username, GSI3 first name, GSI4 last name), each projecting only what a list shows.

use super::items::StoredDevice;
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Device, UserId, UserSummary};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Items asked for per Query call while walking an index.
const QUERY_PAGE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    SignUp,
    Username,
    FirstName,
    LastName,
}

impl DirectoryOrder {
    fn index(self) -> (&'static str, &'static str) {
        match self {
            DirectoryOrder::SignUp => (keys::GSI1, "GSI1PK"),
            DirectoryOrder::Username => (keys::GSI2, "GSI2PK"),
            DirectoryOrder::FirstName => (keys::GSI3, "GSI3PK"),
            DirectoryOrder::LastName => (keys::GSI4, "GSI4PK"),
        }
    }
}

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

impl DirectoryEntry {
    fn into_summary(self) -> UserSummary {
        let parse = |s: &str| Timestamp::parse_rfc3339(s).unwrap_or(Timestamp::from_unix(0));
        let mut devices: Vec<Device> = self
            .devices
            .into_iter()
            .filter_map(|(id, d)| {
                id.parse().ok().map(|id| Device {
                    id,
                    kind: d.kind,
                    reference: d.reference,
                })
            })
            .collect();
        devices.sort_by_key(|d| d.id);
        UserSummary {
            id: UserId::new(self.id),
            username: self.username,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            bio: self.bio,
            avatar: self.avatar,
            display_name: self.display_name,
            created_at: parse(&self.created_at),
            updated_at: parse(&self.updated_at),
            devices,
        }
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
        let mut users = Vec::with_capacity(take);
        let wanted = skip.saturating_add(take);
        let mut seen = 0;
        let visit = |entry: DirectoryEntry| {
            if seen >= skip && seen < wanted {
                users.push(entry.into_summary());
            }
            seen += 1;
            Ok(())
        };
        let capacity_units = self.walk(order, descending, Some(wanted), visit).await?;
        Ok(DirectoryPage {
            users,
            matched: None,
            entries_read: seen,
            capacity_units,
        })
    }

    /// The users for which `keep(search_text, first_name, last_name)` holds, paged like
    /// [`Store::directory_page`]. Reads the whole index: its cost grows with the number of users.
    pub async fn directory_filtered(
        &self,
        order: DirectoryOrder,
        descending: bool,
        skip: usize,
        take: usize,
        keep: impl Fn(&str, &str, &str) -> bool,
    ) -> Result<DirectoryPage, StoreError> {
        let mut users = Vec::with_capacity(take);
        let mut matched = 0usize;
        let mut read = 0usize;
        let visit = |entry: DirectoryEntry| {
            read += 1;
            if keep(&entry.search_text, &entry.first_name, &entry.last_name) {
                if matched >= skip && matched < skip.saturating_add(take) {
                    users.push(entry.into_summary());
                }
                matched += 1;
            }
            Ok(())
        };
        let capacity_units = self.walk(order, descending, None, visit).await?;
        Ok(DirectoryPage {
            users,
            matched: Some(matched as u64),
            entries_read: read,
            capacity_units,
        })
    }

    /// Calls `visit` on each entry of the order's index, stopping after `limit` entries;
    /// returns the read capacity units consumed.
    async fn walk(
        &self,
        order: DirectoryOrder,
        descending: bool,
        limit: Option<usize>,
        mut visit: impl FnMut(DirectoryEntry) -> Result<(), StoreError>,
    ) -> Result<f64, StoreError> {
        let (index, partition_key) = order.index();
        let mut seen = 0usize;
        let mut capacity = 0.0;
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = limit.map_or(QUERY_PAGE, |limit| (limit - seen).min(QUERY_PAGE));
            if page == 0 {
                return Ok(capacity);
            }
            let output = self
                .client
                .query()
                .table_name(self.table_name())
                .index_name(index)
                .key_condition_expression("#pk = :directory")
                .expression_attribute_names("#pk", partition_key)
                .expression_attribute_values(
                    ":directory",
                    AttributeValue::S(keys::USER_DIRECTORY.to_owned()),
                )
                .scan_index_forward(!descending)
                .limit(i32::try_from(page).unwrap_or(i32::MAX))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            capacity += output
                .consumed_capacity()
                .and_then(|c| c.capacity_units())
                .unwrap_or(0.0);
            for item in output.items.unwrap_or_default() {
                seen += 1;
                visit(serde_dynamo::from_item(item)?)?;
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(capacity);
            }
        }
    }
}

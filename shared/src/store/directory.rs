//! The user directory: users listed from the index of the order asked for (GSI1 sign-up,
//! GSI2 username, GSI3 first name, GSI4 last name), each projecting only what a list shows.

use super::items::{optional, parsed, stored_devices, stored_email, timestamp, StoredDevice};
use super::plumbing::QuerySpec;
use super::{keys, Store, StoreError};
use crate::domain::{
    Avatar, Bio, DirectoryOrder, DisplayName, PersonName, UserId, UserSummary, Username,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The index of an order, and the name of its partition key.
fn index(order: DirectoryOrder) -> (&'static str, &'static str) {
    match order {
        DirectoryOrder::SignUp => (keys::GSI1, "GSI1PK"),
        DirectoryOrder::Username => (keys::GSI2, "GSI2PK"),
        DirectoryOrder::FirstName => (keys::GSI3, "GSI3PK"),
        DirectoryOrder::LastName => (keys::GSI4, "GSI4PK"),
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

impl TryFrom<DirectoryEntry> for UserSummary {
    type Error = StoreError;

    fn try_from(entry: DirectoryEntry) -> Result<Self, StoreError> {
        let pk = keys::user_pk(UserId::new(entry.id));
        summary_of(entry).map_err(|e| e.in_item(&pk, keys::PROFILE_SK))
    }
}

fn summary_of(entry: DirectoryEntry) -> Result<UserSummary, StoreError> {
    Ok(UserSummary {
        id: UserId::new(entry.id),
        username: parsed("username", Username::parse(&entry.username))?,
        email: stored_email(&entry.email)?,
        first_name: parsed("first_name", PersonName::parse(&entry.first_name))?,
        last_name: parsed("last_name", PersonName::parse(&entry.last_name))?,
        bio: parsed("bio", Bio::parse(&entry.bio))?,
        avatar: parsed("avatar", Avatar::parse(&entry.avatar))?,
        display_name: optional(
            "display_name",
            entry.display_name.as_deref(),
            DisplayName::parse,
        )?,
        created_at: timestamp("created_at", &entry.created_at)?,
        updated_at: timestamp("updated_at", &entry.updated_at)?,
        devices: stored_devices(&entry.devices)?,
    })
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
                users.push(entry.try_into()?);
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
                    users.push(entry.try_into()?);
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
        let (index, partition_key) = index(order);
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
        self.query_each(&spec, limit, |item| visit(serde_dynamo::from_item(item)?))
            .await
    }
}

//! Counters other services keep on a user: each change is one `ADD` on the user item, in one
//! transaction with the record of its request id, so concurrent changes are all counted and a
//! repeated request id is counted once.

use super::items::{counters_map, CounterChangeItem};
use super::plumbing::{key, send_update, Part, WriteError};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Counter, CounterChange, Counters, User};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use serde_dynamo::to_attribute_value;
use std::collections::HashMap;

/// What a counter change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountersChanged {
    /// The user's counters right after the change.
    pub counters: Counters,
    /// True when the request id was seen before: nothing was changed this time, and
    /// `counters` are those the first request answered.
    pub replayed: bool,
}

/// Why a counter change was not made.
#[derive(Debug, thiserror::Error)]
pub enum CounterChangeError {
    #[error("there is no such user")]
    NoSuchUser,
    #[error("{0:?} would go below zero")]
    BelowZero(Counter),
    #[error("the request id was used for another change")]
    RequestIdReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Adds the change's amounts to the user's counters, unless its request id (for this app)
    /// was seen before; a counter that would go below zero refuses the whole change.
    pub async fn change_counters(
        &self,
        app_id: &str,
        change: &CounterChange,
        now: Timestamp,
    ) -> Result<CountersChanged, CounterChangeError> {
        let record = CounterChangeItem::new(app_id, change, now);
        let mut transaction = self.transaction();
        transaction.put_new(Part::Request, &record)?;
        transaction.update(Part::User, counters_update(change))?;
        match transaction.commit().await {
            Ok(()) => {
                let counters = self.current_counters(change).await?;
                self.record_counters(&record, &counters).await?;
                Ok(CountersChanged {
                    counters,
                    replayed: false,
                })
            }
            Err(WriteError::ConditionFailed(parts)) if parts.contains(&Part::Request) => {
                self.replay(&record, change).await
            }
            Err(WriteError::ConditionFailed(_)) => Err(self.refusal(change).await),
            Err(WriteError::Store(error)) => Err(error.into()),
        }
    }

    /// The user's counters as stored now.
    async fn current_counters(&self, change: &CounterChange) -> Result<Counters, StoreError> {
        let user = self.get_user_item(change.user_id).await?;
        match user {
            Some(item) => Ok(Counters::of(&User::try_from(&item)?)),
            None => Err(StoreError::MissingAttribute("PK")),
        }
    }

    /// Keeps the counters a change left on its record, for a repeat to answer.
    async fn record_counters(
        &self,
        record: &CounterChangeItem,
        counters: &Counters,
    ) -> Result<(), StoreError> {
        let update = self
            .update_item(key(record.pk.clone(), record.sk.clone()))
            .update_expression("SET #counters = :counters")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#counters", "counters")
            .expression_attribute_values(":counters", to_attribute_value(counters_map(counters))?);
        send_update(update)
            .await
            .map(drop)
            .map_err(|e| e.unexpected("UpdateItem"))
    }

    /// The answer to a request id seen before: the counters the first request left (or, if it
    /// has not recorded them yet, the current ones).
    async fn replay(
        &self,
        record: &CounterChangeItem,
        change: &CounterChange,
    ) -> Result<CountersChanged, CounterChangeError> {
        let stored = self
            .get(key(record.pk.clone(), record.sk.clone()))
            .await?
            .map(serde_dynamo::from_item::<_, CounterChangeItem>)
            .transpose()
            .map_err(StoreError::from)?;
        let Some(first) = stored else {
            // Expired between the write and this read: the first change was made.
            let counters = self.current_counters(change).await?;
            return Ok(CountersChanged {
                counters,
                replayed: true,
            });
        };
        if !first.records(change) {
            return Err(CounterChangeError::RequestIdReused);
        }
        let counters = match first.counters() {
            Some(counters) => counters,
            None => self.current_counters(change).await?,
        };
        Ok(CountersChanged {
            counters,
            replayed: true,
        })
    }

    /// Why the user's condition failed: no user, or a counter too low for its decrease.
    async fn refusal(&self, change: &CounterChange) -> CounterChangeError {
        let item = match self.get_user_item(change.user_id).await {
            Ok(item) => item,
            Err(error) => return error.into(),
        };
        let user = match item
            .filter(|item| !item.deleting)
            .map(|i| User::try_from(&i))
        {
            None => return CounterChangeError::NoSuchUser,
            Some(Err(error)) => return error.into(),
            Some(Ok(user)) => user,
        };
        let too_low = change
            .deltas
            .iter()
            .filter(|(_, delta)| **delta < 0)
            .find(|(counter, delta)| counter.of(&user) < delta.unsigned_abs())
            .or_else(|| change.deltas.iter().find(|(_, delta)| **delta < 0));
        match too_low {
            Some((counter, _)) => CounterChangeError::BelowZero(*counter),
            // The user was there with every condition true on the second look: the first
            // look raced with a delete that did not happen; report it as the store's error.
            None => StoreError::ConditionFailed {
                operation: "TransactWriteItems",
            }
            .into(),
        }
    }
}

/// `ADD` of every amount to the user item, on the condition that the user exists, is not
/// being deleted and holds at least as much of each counter as is taken from it.
fn counters_update(change: &CounterChange) -> UpdateBuilder {
    let mut adds = Vec::new();
    let mut conditions = vec![
        "attribute_exists(PK)".to_owned(),
        "attribute_not_exists(deleting)".to_owned(),
    ];
    let mut names = HashMap::new();
    let mut values = HashMap::new();
    for (i, (counter, delta)) in change.deltas.iter().enumerate() {
        names.insert(format!("#c{i}"), counter.name().to_owned());
        values.insert(format!(":d{i}"), AttributeValue::N(delta.to_string()));
        adds.push(format!("#c{i} :d{i}"));
        if *delta < 0 {
            values.insert(
                format!(":m{i}"),
                AttributeValue::N(delta.unsigned_abs().to_string()),
            );
            conditions.push(format!("#c{i} >= :m{i}"));
        }
    }
    Update::builder()
        .set_key(Some(key(
            keys::user_pk(change.user_id),
            keys::PROFILE_SK.to_owned(),
        )))
        .update_expression(format!("ADD {}", adds.join(", ")))
        .condition_expression(conditions.join(" AND "))
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
}

//! What every store module shares: keys as attribute maps, batched reads and writes, paged
//! queries, and conditional writes and transactions that retry `TransactionConflict` one way
//! and decode cancellation reasons once.

use super::wire::{RawItem, WireError};
use super::{keys, Store, StoreError};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;
use aws_sdk_dynamodb::types::builders::{
    ConditionCheckBuilder, DeleteBuilder, PutBuilder, UpdateBuilder,
};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, WriteRequest};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

/// An item, or the key of one.
pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn key(pk: String, sk: String) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), AttributeValue::S(pk)),
        (keys::SK.to_owned(), AttributeValue::S(sk)),
    ])
}

pub(super) fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    Ok(serde_dynamo::to_item(value)?)
}

/// Whether a conditional write's condition held: `false` when it did not.
pub(super) fn held<T>(result: Result<T, WriteError<()>>) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(WriteError::ConditionFailed(())) => Ok(false),
        Err(WriteError::Store(error)) => Err(error),
    }
}

/// Whether an item's `attribute` is the string `value`.
pub(super) fn has(item: &Item, attribute: &str, value: &str) -> bool {
    matches!(item.get(attribute), Some(AttributeValue::S(s)) if s == value)
}

/// A number attribute of an item.
pub(super) fn number<T: std::str::FromStr>(item: &Item, attribute: &'static str) -> Option<T> {
    item.get(attribute)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

/// How often a write refused only for `TransactionConflict` is tried again.
const WRITE_ATTEMPTS: u32 = 8;
/// How often unprocessed keys or requests of a batch are sent again.
const BATCH_ATTEMPTS: u32 = 8;
/// Items asked for per Query call while walking a partition or an index.
const QUERY_PAGE: usize = 500;
/// BatchWriteItem takes at most 25 requests.
const BATCH_WRITE_LIMIT: usize = 25;

/// A short random pause before retrying, growing per attempt.
async fn backoff(attempt: u32) {
    let mut byte = [0u8; 1];
    let jitter = match aws_lc_rs::rand::fill(&mut byte) {
        Ok(()) => u64::from(byte[0] % 20),
        Err(_) => 10,
    };
    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt + 1) + jitter)).await;
}

/// Why a conditional write or a transaction did not happen: a condition said no (`F` says
/// which, or what was found), or the storage call failed.
#[derive(Debug)]
pub(super) enum WriteError<F> {
    ConditionFailed(F),
    Store(StoreError),
}

impl<F> From<StoreError> for WriteError<F> {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl<F> WriteError<F> {
    pub(super) fn map_condition<G>(self, f: impl FnOnce(F) -> G) -> WriteError<G> {
        match self {
            Self::ConditionFailed(found) => WriteError::ConditionFailed(f(found)),
            Self::Store(error) => WriteError::Store(error),
        }
    }

    /// For writes whose condition must hold: a failed one is an error too.
    pub(super) fn unexpected(self, operation: &'static str) -> StoreError {
        match self {
            Self::ConditionFailed(_) => StoreError::ConditionFailed { operation },
            Self::Store(error) => error,
        }
    }
}

/// How one attempt at a write ended, when it did not succeed.
pub(super) enum Attempt<F> {
    Refused(F),
    Conflict,
    Failed(StoreError),
}

impl<F> Attempt<F> {
    pub(super) fn map_refusal<G>(self, f: impl FnOnce(F) -> G) -> Attempt<G> {
        match self {
            Self::Refused(found) => Attempt::Refused(f(found)),
            Self::Conflict => Attempt::Conflict,
            Self::Failed(error) => Attempt::Failed(error),
        }
    }
}

/// Classifies a failed single-item write by its error code.
pub(super) fn classify<E>(operation: &'static str, error: E) -> Attempt<()>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match error.code() {
        Some("ConditionalCheckFailedException") => Attempt::Refused(()),
        Some("TransactionConflictException") => Attempt::Conflict,
        _ => Attempt::Failed(StoreError::service(operation, error)),
    }
}

/// Runs `attempt` until it succeeds, is refused, or fails; a conflict with a concurrent
/// transaction is retried after a back-off, a bounded number of times.
pub(super) async fn retrying<T, F, Fut>(
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, WriteError<F>>
where
    Fut: Future<Output = Result<T, Attempt<F>>>,
{
    for n in 0..WRITE_ATTEMPTS {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(Attempt::Refused(found)) => return Err(WriteError::ConditionFailed(found)),
            Err(Attempt::Failed(error)) => return Err(WriteError::Store(error)),
            Err(Attempt::Conflict) => backoff(n).await,
        }
    }
    Err(WriteError::Store(StoreError::Contended))
}

/// A single-item write (`send` builds and sends it): retried on conflicts with transactions,
/// `ConditionFailed(())` when its condition does not hold.
async fn conditional<T, E, R, Fut>(
    operation: &'static str,
    send: impl Fn() -> Fut,
) -> Result<T, WriteError<()>>
where
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    retrying(|| async {
        send().await.map_err(|e| {
            if super::transient(&e) {
                Attempt::Failed(StoreError::sdk(operation, e))
            } else {
                classify(operation, e)
            }
        })
    })
    .await
}

/// [`conditional`] for the SDK's fluent builder of one single-item write, named `$operation`.
macro_rules! send_conditional {
    ($operation:literal, $builder:ident) => {
        conditional($operation, || async { $builder.clone().send().await })
    };
}

/// Sends an UpdateItem the one way every single-item write is sent: conflicts with
/// transactions retried, a failed condition (if it has one) told apart.
pub(super) async fn send_update(
    update: UpdateItemFluentBuilder,
) -> Result<UpdateItemOutput, WriteError<()>> {
    send_conditional!("UpdateItem", update).await
}

/// Sends a DeleteItem the one way every single-item write is sent.
pub(super) async fn send_delete(delete: DeleteItemFluentBuilder) -> Result<(), WriteError<()>> {
    send_conditional!("DeleteItem", delete).await.map(drop)
}

/// Sends a PutItem the one way every single-item write is sent.
pub(super) async fn send_put(put: PutItemFluentBuilder) -> Result<(), WriteError<()>> {
    send_conditional!("PutItem", put).await.map(drop)
}

/// What a failed condition at one position of a transaction means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// The guard of a unique value: the value is taken.
    Unique(Guarded),
    /// The user's own item: missing, being deleted, or not at the revision read.
    User,
    /// A follow edge: present already (when written) or absent (when deleted).
    Edge,
    /// The record of a request by its id: the request was made before.
    Request,
    /// Anything else: an item without a condition, or one whose failure says nothing more.
    Other,
}

/// A unique value a guard item reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guarded {
    Username,
    Email,
    ChatId,
    Device,
    /// A channel's or theme's name.
    TopicName,
}

/// The items of one `TransactWriteItems`, each with what its condition failing would mean.
pub(super) struct Transaction<'a> {
    store: &'a Store,
    items: Vec<TransactWriteItem>,
    parts: Vec<Part>,
}

impl Store {
    pub(super) fn transaction(&self) -> Transaction<'_> {
        Transaction {
            store: self,
            items: Vec::new(),
            parts: Vec::new(),
        }
    }
}

/// The `Transaction` method `$operation(part, builder)`: the SDK's builder of that operation,
/// given this table, becomes one more item of the transaction. Put, update and delete differ
/// only in the builder's type and the name of its slot in `TransactWriteItem`.
macro_rules! transaction_operation {
    ($operation:ident: $builder:ty) => {
        pub(super) fn $operation(
            &mut self,
            part: Part,
            operation: $builder,
        ) -> Result<&mut Self, StoreError> {
            let operation = operation.table_name(self.store.table_name()).build()?;
            let item = TransactWriteItem::builder().$operation(operation).build();
            Ok(self.push(part, item))
        }
    };
}

impl Transaction<'_> {
    fn push(&mut self, part: Part, item: TransactWriteItem) -> &mut Self {
        self.items.push(item);
        self.parts.push(part);
        self
    }

    /// Writes an item that must not exist yet.
    pub(super) fn put_new<T: Serialize>(
        &mut self,
        part: Part,
        item: &T,
    ) -> Result<&mut Self, StoreError> {
        self.put(
            part,
            Put::builder()
                .set_item(Some(to_item(item)?))
                .condition_expression("attribute_not_exists(PK)"),
        )
    }

    transaction_operation!(put: PutBuilder);
    transaction_operation!(update: UpdateBuilder);
    transaction_operation!(delete: DeleteBuilder);
    transaction_operation!(condition_check: ConditionCheckBuilder);

    /// Deletes the item with this key, whether or not it exists.
    pub(super) fn delete_key(&mut self, part: Part, key: Item) -> Result<&mut Self, StoreError> {
        self.delete(
            part,
            aws_sdk_dynamodb::types::Delete::builder().set_key(Some(key)),
        )
    }

    /// Runs the transaction. `ConditionFailed` names the part of every item whose condition
    /// failed; cancellations for conflicts only are retried.
    pub(super) async fn commit(self) -> Result<(), WriteError<Vec<Part>>> {
        let Transaction {
            store,
            items,
            parts,
        } = self;
        store
            .transact(&parts, || store.wire.transact_write_items(&items))
            .await
    }
}

impl Store {
    /// Runs the transaction `send` sends, whose items' failed conditions mean `parts` (one per
    /// item, in order): as [`Transaction::commit`], for a transaction written without the
    /// SDK's types.
    pub(super) async fn transact<F, Fut>(
        &self,
        parts: &[Part],
        send: F,
    ) -> Result<(), WriteError<Vec<Part>>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(), WireError>>,
    {
        retrying(|| async {
            match send().await {
                Ok(()) => Ok(()),
                Err(WireError::Service { code, reasons, .. })
                    if code == "TransactionCanceledException" =>
                {
                    let codes: Vec<&str> = reasons.iter().map(String::as_str).collect();
                    Err(cancellation(&codes, parts))
                }
                Err(other) => Err(match other.code() {
                    Some("ConditionalCheckFailedException") => Attempt::Refused(Vec::new()),
                    Some("TransactionConflictException") => Attempt::Conflict,
                    _ => Attempt::Failed(other.into_store("TransactWriteItems")),
                }),
            }
        })
        .await
    }
}

/// What the cancellation reasons of a transaction (one code per item, `"None"` for an item
/// that did not fail) mean, given what each item's condition stands for.
fn cancellation(codes: &[&str], parts: &[Part]) -> Attempt<Vec<Part>> {
    let failed: Vec<Part> = codes
        .iter()
        .zip(parts)
        .filter(|(code, _)| **code == "ConditionalCheckFailed")
        .map(|(_, part)| *part)
        .collect();
    if !failed.is_empty() {
        Attempt::Refused(failed)
    } else if codes.contains(&"TransactionConflict") {
        Attempt::Conflict
    } else {
        Attempt::Failed(StoreError::Cancelled {
            reasons: codes.iter().map(|c| (*c).to_owned()).collect(),
        })
    }
}

/// At most this many keys are gathered into one read (BatchGetItem takes 100).
const GATHERED_KEYS: usize = 100;

/// Whether `item` (or key) has the table key `key` has.
/// The table key of an item (or key): its `PK` and `SK` strings.
fn key_of(item: &Item) -> Option<(&str, &str)> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(text)) => Some(text.as_str()),
        _ => None,
    };
    Some((text(keys::PK)?, text(keys::SK)?))
}

/// Reads of items by key asked for at the same moment: the first one waits a turn of the
/// scheduler for the others (the futures of one `tokio::join!`, or the requests a process
/// serves together), then makes one call for all. A route reading its caller's session and,
/// beside it, a count or a guard makes one round trip of one call instead of two calls.
#[derive(Default)]
pub(super) struct Gather {
    pending: std::sync::Mutex<Option<Batch>>,
}

impl Gather {
    fn pending(&self) -> std::sync::MutexGuard<'_, Option<Batch>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Batch {
    waiters: Vec<Waiter>,
}

impl Batch {
    fn keys(&self) -> usize {
        self.waiters.iter().map(|w| w.keys.len()).sum()
    }
}

struct Waiter {
    keys: Vec<Item>,
    reply: tokio::sync::oneshot::Sender<Answer>,
}

/// What a read that joined a gathering read is answered.
enum Answer {
    /// Its own items, or why the gathered call failed.
    Read(Result<Vec<RawItem>, StoreError>),
    /// The gathering read was dropped before it answered: its keys, to read alone.
    Alone(Vec<Item>),
}

/// Waiters taken out of a batch; any still here when it is dropped (the gathering read was
/// cancelled) are given their keys back to read alone.
struct Waiting(Vec<Waiter>);

impl Drop for Waiting {
    fn drop(&mut self) {
        for waiter in self.0.drain(..) {
            let _ = waiter.reply.send(Answer::Alone(waiter.keys));
        }
    }
}

/// A Query, as the store's modules describe one.
pub(super) struct QuerySpec {
    pub index: Option<&'static str>,
    pub key_condition: &'static str,
    pub names: Vec<(&'static str, &'static str)>,
    pub values: Vec<(&'static str, AttributeValue)>,
    pub forward: bool,
    pub consistent: bool,
}

impl QuerySpec {
    /// Every item of one partition of the table, in sort-key order.
    pub(super) fn partition(pk: String) -> Self {
        Self {
            index: None,
            key_condition: "PK = :pk",
            names: Vec::new(),
            values: vec![(":pk", AttributeValue::S(pk))],
            forward: true,
            consistent: true,
        }
    }

    /// The items of one partition whose sort key starts with `prefix`.
    pub(super) fn prefixed(pk: String, prefix: &str) -> Self {
        Self {
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![
                (":pk", AttributeValue::S(pk)),
                (":prefix", AttributeValue::S(prefix.to_owned())),
            ],
            consistent: false,
            ..Self::partition(String::new())
        }
    }
}

impl Store {
    /// Calls `visit` on each item the query finds, in order, reading at most `budget` items
    /// (all without one); returns the read capacity units consumed.
    pub(super) async fn query_each(
        &self,
        spec: &QuerySpec,
        budget: Option<usize>,
        mut visit: impl FnMut(Item) -> Result<(), StoreError>,
    ) -> Result<f64, StoreError> {
        self.query_each_as(spec, budget, |item: super::wire::ItemIn| visit(item.0))
            .await
    }

    /// [`Store::query_each`] with each item read as `T` straight from the answer (as
    /// [`super::dynamo_json::ItemAs`] reads one of our types, with no attribute map between).
    pub(super) async fn query_each_as<T: for<'de> serde::Deserialize<'de>>(
        &self,
        spec: &QuerySpec,
        budget: Option<usize>,
        mut visit: impl FnMut(T) -> Result<(), StoreError>,
    ) -> Result<f64, StoreError> {
        let mut seen = 0usize;
        let mut capacity = 0.0;
        let mut start: Option<Item> = None;
        loop {
            let page = budget.map_or(QUERY_PAGE, |b| b.saturating_sub(seen).min(QUERY_PAGE));
            if page == 0 {
                return Ok(capacity);
            }
            let input = super::wire::QueryInput {
                table_name: self.table_name(),
                index_name: spec.index,
                key_condition_expression: spec.key_condition,
                expression_attribute_names: spec.names.iter().copied().collect(),
                expression_attribute_values: super::wire::ValuesOut(
                    spec.values
                        .iter()
                        .map(|(name, value)| (*name, value))
                        .collect(),
                ),
                scan_index_forward: spec.forward,
                consistent_read: spec.consistent,
                limit: u32::try_from(page).unwrap_or(u32::MAX),
                return_consumed_capacity: "TOTAL",
                exclusive_start_key: start.as_ref().map(super::wire::ItemOut),
            };
            let output = self
                .wire
                .query(&input)
                .await
                .map_err(|e| e.into_store("Query"))?;
            capacity += output.capacity_units;
            for item in output.items {
                seen += 1;
                visit(item)?;
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(capacity);
            }
        }
    }

    /// The items with these keys (strongly consistent): the reads asked for at the same moment
    /// are gathered into one call ([`Gather`]).
    pub(super) async fn batch_get(&self, wanted: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        self.batch_get_raw(wanted)
            .await?
            .iter()
            .map(|raw| raw.item().map_err(malformed))
            .collect()
    }

    /// [`Store::batch_get`], each item as DynamoDB answered it, to be read straight into one
    /// of our types ([`RawItem::read`]).
    pub(super) async fn batch_get_raw(
        &self,
        wanted: Vec<Item>,
    ) -> Result<Vec<RawItem>, StoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        if wanted.len() > GATHERED_KEYS {
            return self.read_alone(&wanted).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        // `Err`: the gathering read is full, so this one is made alone.
        let leads = {
            let mut pending = self.gather.pending();
            match pending.as_mut() {
                Some(batch) if batch.keys() + wanted.len() <= GATHERED_KEYS => {
                    batch.waiters.push(Waiter {
                        keys: wanted,
                        reply,
                    });
                    Ok(false)
                }
                Some(_) => Err(wanted),
                None => {
                    *pending = Some(Batch {
                        waiters: vec![Waiter {
                            keys: wanted,
                            reply,
                        }],
                    });
                    Ok(true)
                }
            }
        };
        match leads {
            Err(wanted) => return self.read_alone(&wanted).await,
            Ok(true) => self.lead_gathered_read().await,
            Ok(false) => {}
        }
        match answer.await {
            Ok(Answer::Read(result)) => result,
            // The read this one joined was dropped before it answered: read alone.
            Ok(Answer::Alone(wanted)) => self.read_alone(&wanted).await,
            // Every waiter is answered one way or the other ([`Waiting`]).
            Err(_) => Err(StoreError::Contended),
        }
    }

    /// Lets the reads asked for at the same moment join this one (the other futures of a
    /// `join!` are polled before this one is again), then reads them all in one call and
    /// answers each with its own items.
    async fn lead_gathered_read(&self) {
        /// Dropped before the batch is taken (the leading future was cancelled): the batch is
        /// taken away, and its waiters are told to read alone.
        struct Abandon<'a>(&'a Gather);
        impl Drop for Abandon<'_> {
            fn drop(&mut self) {
                let batch = self.0.pending().take();
                drop(batch.map(|b| Waiting(b.waiters)));
            }
        }
        let abandon = Abandon(&self.gather);
        tokio::task::yield_now().await;
        let batch = self.gather.pending().take();
        std::mem::forget(abandon);
        let Some(batch) = batch else { return };
        let mut waiting = Waiting(batch.waiters);
        let mut unique =
            std::collections::HashSet::with_capacity(waiting.0.iter().map(|w| w.keys.len()).sum());
        let keys: Vec<&Item> = waiting
            .0
            .iter()
            .flat_map(|w| &w.keys)
            .filter(|key| key_of(key).is_none_or(|k| unique.insert(k)))
            .collect();
        let read = self.read_now(&keys).await;
        drop(unique);
        let waiters = std::mem::take(&mut waiting.0);
        let items = match read {
            Ok(items) => items,
            Err(error) => {
                for waiter in waiters {
                    let _ = waiter.reply.send(Answer::Read(Err(error.again())));
                }
                return;
            }
        };
        // Each waiter's own items, in the order they came: moved to the first waiter that
        // asked for one, copied for any other.
        let mut answers: Vec<Vec<RawItem>> = waiters.iter().map(|_| Vec::new()).collect();
        {
            let wanted: Vec<Vec<(&str, &str)>> = waiters
                .iter()
                .map(|w| w.keys.iter().filter_map(key_of).collect())
                .collect();
            for item in items {
                let mut first = None;
                for (n, keys) in wanted.iter().enumerate() {
                    if keys.contains(&item.key()) {
                        match first {
                            None => first = Some(n),
                            Some(_) => answers[n].push(item.clone()),
                        }
                    }
                }
                if let Some(n) = first {
                    answers[n].push(item);
                }
            }
        }
        for (waiter, mine) in waiters.into_iter().zip(answers) {
            let _ = waiter.reply.send(Answer::Read(Ok(mine)));
        }
    }

    /// [`Store::read_now`] of keys a read holds itself.
    async fn read_alone(&self, wanted: &[Item]) -> Result<Vec<RawItem>, StoreError> {
        self.read_now(&wanted.iter().collect::<Vec<_>>()).await
    }

    /// The items with these keys (strongly consistent), now: one GetItem for one key, else
    /// 100 per BatchGetItem, asking again for whatever DynamoDB leaves unprocessed.
    async fn read_now(&self, wanted: &[&Item]) -> Result<Vec<RawItem>, StoreError> {
        if let [key] = wanted {
            return Ok(self
                .wire
                .get_item(self.table_name(), key, true)
                .await
                .map_err(|e| e.into_store("GetItem"))?
                .into_iter()
                .collect());
        }
        let mut found = Vec::new();
        for chunk in wanted.chunks(100) {
            let (items, mut left) = self
                .wire
                .batch_get_item(self.table_name(), chunk, true)
                .await
                .map_err(|e| e.into_store("BatchGetItem"))?;
            found.extend(items);
            let mut attempt = 0;
            while !left.is_empty() {
                if attempt >= BATCH_ATTEMPTS {
                    return Err(StoreError::Contended);
                }
                backoff(attempt).await;
                attempt += 1;
                let pending: Vec<&Item> = left.iter().collect();
                let (items, rest) = self
                    .wire
                    .batch_get_item(self.table_name(), &pending, true)
                    .await
                    .map_err(|e| e.into_store("BatchGetItem"))?;
                found.extend(items);
                left = rest;
            }
        }
        Ok(found)
    }

    /// Sends these puts and deletes, 25 per BatchWriteItem, sending again whatever DynamoDB
    /// leaves unprocessed. Unconditional: only for idempotent writes.
    pub(super) async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(BATCH_WRITE_LIMIT) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                let output = self
                    .client()
                    .batch_write_item()
                    .request_items(self.table_name(), pending)
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                pending = output
                    .unprocessed_items
                    .and_then(|mut u| u.remove(self.table_name()))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    if attempt >= BATCH_ATTEMPTS {
                        return Err(StoreError::Contended);
                    }
                    backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
        Ok(())
    }

    /// An UpdateItem of the item with this key.
    pub(super) fn update_item(&self, key: Item) -> UpdateItemFluentBuilder {
        self.client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key))
    }

    /// A PutItem of this item.
    pub(super) fn put_item(&self, item: Item) -> PutItemFluentBuilder {
        self.client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(item))
    }

    /// One strongly consistent read of an item, gathered with the reads asked for at the same
    /// moment ([`Store::batch_get`]).
    pub(super) async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        Ok(self.batch_get(vec![key]).await?.pop())
    }
}

/// An item that does not read as the attribute map or the type it was read as.
pub(super) fn malformed(error: serde_json::Error) -> StoreError {
    StoreError::Malformed(serde::de::Error::custom(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTS: [Part; 3] = [Part::User, Part::Unique(Guarded::Email), Part::Other];

    #[test]
    fn failed_conditions_are_named_by_what_their_items_mean() {
        let outcome = cancellation(&["None", "ConditionalCheckFailed", "None"], &PARTS);
        assert!(
            matches!(outcome, Attempt::Refused(parts) if parts == [Part::Unique(Guarded::Email)])
        );
    }

    #[test]
    fn a_failed_condition_wins_over_a_conflict() {
        let outcome = cancellation(
            &["ConditionalCheckFailed", "TransactionConflict", "None"],
            &PARTS,
        );
        assert!(matches!(outcome, Attempt::Refused(parts) if parts == [Part::User]));
    }

    #[test]
    fn conflicts_alone_are_retried() {
        let outcome = cancellation(&["None", "TransactionConflict", "None"], &PARTS);
        assert!(matches!(outcome, Attempt::Conflict));
    }

    #[test]
    fn other_cancellations_are_errors_that_keep_their_reasons() {
        let outcome = cancellation(&["ThrottlingError", "None", "None"], &PARTS);
        assert!(matches!(
            outcome,
            Attempt::Failed(StoreError::Cancelled { reasons }) if reasons[0] == "ThrottlingError"
        ));
    }

    #[tokio::test]
    async fn a_conflicted_write_is_retried_until_it_succeeds() {
        let mut tries = 0;
        let result: Result<u32, WriteError<()>> = retrying(|| {
            tries += 1;
            let now = tries;
            async move {
                if now < 3 {
                    Err(Attempt::Conflict)
                } else {
                    Ok(now)
                }
            }
        })
        .await;
        assert!(matches!(result, Ok(3)));
    }

    #[tokio::test]
    async fn a_refusal_is_not_retried() {
        let mut tries = 0;
        let result: Result<(), WriteError<&str>> = retrying(|| {
            tries += 1;
            async { Err(Attempt::Refused("taken")) }
        })
        .await;
        assert!(matches!(result, Err(WriteError::ConditionFailed("taken"))));
        assert_eq!(tries, 1);
    }
}

//! Inboxes: each notification in its user's partition (`NOTE#<id>`), the user's exact counts
//! (`INBOX`: total, unread) changed in the same transaction as each notification and each
//! marking read, and what is still to be published (the outbox) written with it. Unread
//! notifications are also in two sparse indexes: GSI1 by user (`UNREAD#<user>`) and GSI2 by
//! day (`UNREAD#<YYYY-MM-DD>`), both ordered by time; marking read removes them from both.

use super::items::{ENTITY_INBOX, ENTITY_NOTE, ENTITY_OUTBOX, ENTITY_SEND_GUARD};
use super::plumbing::{key, number, to_item, Item, Part, QuerySpec, WriteError};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Notification, UserId};
use crate::notify::Channel;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, Update};
use serde::{Deserialize, Serialize};

/// How many notifications one transaction writes (each is up to four items: the
/// notification, the counts, the outbox entry and a send job's guard; at most 100 items).
const NOTES_PER_TRANSACTION: usize = 25;
/// How many notifications one transaction marks read (each one item, plus the counts).
const MARKS_PER_TRANSACTION: usize = 99;
/// How often a marking that raced another is tried again.
const MARK_ATTEMPTS: usize = 5;

/// A notification to store, with what is to be published of it.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub note: Notification,
    /// The channels it is delivered on (none: inbox only).
    pub channels: Vec<Channel>,
    /// The body each channel's message carries.
    pub body: serde_json::Value,
    /// The send job it is part of, if any: one notification per user and job, however often
    /// the job's page is worked.
    pub job: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct NoteItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    entity: String,
    id: u64,
    user_id: u64,
    title: String,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    /// The details as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    read: bool,
    created_at: String,
}

impl NoteItem {
    fn new(note: &Notification) -> Result<Self, StoreError> {
        let created_at = note.created_at.to_rfc3339();
        let unread = !note.read;
        Ok(Self {
            pk: keys::user_pk(note.user_id),
            sk: keys::note_sk(note.id),
            gsi1pk: unread.then(|| keys::unread_of_user_pk(note.user_id)),
            gsi1sk: unread.then(|| keys::unread_of_user_sk(&created_at, note.id)),
            gsi2pk: unread.then(|| keys::unread_of_day_pk(&created_at[..10])),
            gsi2sk: unread.then(|| keys::unread_of_day_sk(&created_at, note.user_id, note.id)),
            entity: ENTITY_NOTE.to_owned(),
            id: note.id,
            user_id: note.user_id.get(),
            title: note.title.clone(),
            message: note.message.clone(),
            kind: note.kind.clone(),
            data: note.data.as_ref().map(serde_json::Value::to_string),
            read: note.read,
            created_at,
        })
    }

    fn note(self) -> Result<Notification, StoreError> {
        let data = match &self.data {
            None => None,
            Some(text) => Some(serde_json::from_str(text).map_err(|e| StoreError::Invalid {
                attribute: "data",
                reason: e.to_string(),
            })?),
        };
        Ok(Notification {
            id: self.id,
            user_id: UserId::new(self.user_id),
            title: self.title,
            message: self.message,
            kind: self.kind,
            data,
            read: self.read,
            created_at: super::items::timestamp("created_at", &self.created_at)?,
        })
    }
}

/// A notification still to be published on some channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub note_id: u64,
    pub user_id: u64,
    #[serde(rename = "type")]
    pub kind: String,
    /// The message body, as JSON text.
    pub body: String,
    pub channels: Vec<String>,
    #[serde(default)]
    pub attempts: u32,
    /// Epoch seconds before which it is not tried again.
    #[serde(default)]
    pub next_attempt_at: i64,
    /// Set when every attempt failed: it waits for an operator's replay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dead: bool,
    /// The channels already published, in the order they went out: a retry skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<String>,
}

#[derive(Serialize)]
struct OutboxItem<'a> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: &'static str,
    #[serde(flatten)]
    entry: &'a OutboxEntry,
}

/// An unread notification as the indexes list it: whose, which, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadEntry {
    pub user: UserId,
    pub note: u64,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn inbox_key(user: UserId) -> Item {
    key(keys::user_pk(user), keys::INBOX_SK.to_owned())
}

impl Store {
    /// `count` new ids from the counter at `counter_pk` (one UpdateItem).
    pub(super) async fn next_ids(
        &self,
        counter_pk: &str,
        count: u64,
    ) -> Result<std::ops::RangeInclusive<u64>, StoreError> {
        let output = self
            .update_item(key(counter_pk.to_owned(), keys::COUNTER_SK.to_owned()))
            .update_expression("ADD #value :count SET #entity = :entity")
            .expression_attribute_names("#value", "value")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":count", n(count.max(1)))
            .expression_attribute_values(":entity", s(super::items::ENTITY_COUNTER))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        let last: u64 = output
            .attributes
            .and_then(|a| number(&a, "value"))
            .ok_or(StoreError::MissingAttribute("value"))?;
        Ok(last + 1 - count.max(1)..=last)
    }

    /// `count` new notification ids.
    pub async fn next_note_ids(
        &self,
        count: u64,
    ) -> Result<std::ops::RangeInclusive<u64>, StoreError> {
        self.next_ids(keys::NOTE_ID_COUNTER_PK, count).await
    }

    /// Stores the notifications, each with its user's counts and (when it has channels) its
    /// outbox entry, in transactions of [`NOTES_PER_TRANSACTION`] (users must differ within
    /// one call). A notification of a send job its user already has is skipped. Returns the
    /// ones stored.
    pub async fn create_notes(&self, notes: &[NewNote]) -> Result<Vec<u64>, StoreError> {
        let mut stored = Vec::new();
        for chunk in notes.chunks(NOTES_PER_TRANSACTION) {
            match self.create_note_chunk(chunk).await {
                Ok(()) => stored.extend(chunk.iter().map(|n| n.note.id)),
                // Some user of the chunk has this job's notification already: one at a time.
                Err(WriteError::ConditionFailed(_)) if chunk.len() > 1 => {
                    for note in chunk {
                        match self.create_note_chunk(std::slice::from_ref(note)).await {
                            Ok(()) => stored.push(note.note.id),
                            Err(WriteError::ConditionFailed(_)) => {}
                            Err(WriteError::Store(error)) => return Err(error),
                        }
                    }
                }
                Err(WriteError::ConditionFailed(_)) => {}
                Err(WriteError::Store(error)) => return Err(error),
            }
        }
        Ok(stored)
    }

    async fn create_note_chunk(&self, chunk: &[NewNote]) -> Result<(), WriteError<Vec<Part>>> {
        let mut transaction = self.transaction();
        for new in chunk {
            let note = &new.note;
            transaction.put_new(Part::Other, &NoteItem::new(note)?)?;
            transaction.update(
                Part::Other,
                Update::builder()
                    .set_key(Some(inbox_key(note.user_id)))
                    .update_expression("ADD #total :one, unread :unread SET #entity = :entity")
                    .expression_attribute_names("#total", "total")
                    .expression_attribute_names("#entity", keys::ENTITY)
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":unread", n(u64::from(!note.read)))
                    .expression_attribute_values(":entity", s(ENTITY_INBOX)),
            )?;
            if !new.channels.is_empty() {
                let entry = OutboxEntry {
                    note_id: note.id,
                    user_id: note.user_id.get(),
                    kind: note.kind.clone(),
                    body: new.body.to_string(),
                    channels: new.channels.iter().map(|c| c.as_str().to_owned()).collect(),
                    attempts: 0,
                    next_attempt_at: 0,
                    dead: false,
                    sent: Vec::new(),
                };
                let item = OutboxItem {
                    pk: keys::outbox_pk(note.id),
                    sk: keys::outbox_sk(note.id),
                    entity: ENTITY_OUTBOX,
                    entry: &entry,
                };
                transaction.put_new(Part::Other, &item)?;
            }
            if let Some(job) = new.job {
                let mut guard = key(
                    keys::send_job_guard_pk(job),
                    keys::id_order_sk(note.user_id.get()),
                );
                guard.insert(keys::ENTITY.to_owned(), s(ENTITY_SEND_GUARD));
                guard.insert("note_id".to_owned(), n(note.id));
                transaction.put(
                    Part::Edge,
                    Put::builder()
                        .set_item(Some(guard))
                        .condition_expression("attribute_not_exists(PK)"),
                )?;
            }
        }
        transaction.commit().await
    }

    /// The user's (total, unread) counts.
    pub async fn inbox_counts(&self, user: UserId) -> Result<(u64, u64), StoreError> {
        Ok(match self.get(inbox_key(user)).await? {
            Some(item) => (
                number(&item, "total").unwrap_or(0),
                number(&item, "unread").unwrap_or(0),
            ),
            None => (0, 0),
        })
    }

    /// The user's notifications, newest first: `limit` after the first `skip` (one Query
    /// reading `skip + limit`).
    pub async fn notes_page(
        &self,
        user: UserId,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut spec = QuerySpec::prefixed(keys::user_pk(user), keys::NOTE_SK_PREFIX);
        spec.forward = false;
        spec.consistent = true;
        let mut notes = Vec::new();
        let mut seen = 0;
        self.query_each(&spec, Some(skip + limit), |item| {
            seen += 1;
            if seen > skip {
                let stored: NoteItem = serde_dynamo::from_item(item)?;
                notes.push(stored.note()?);
            }
            Ok(())
        })
        .await?;
        Ok(notes)
    }

    /// The user's notifications with these ids, those there are.
    pub async fn notes_by_id(
        &self,
        user: UserId,
        ids: &[u64],
    ) -> Result<Vec<Notification>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::user_pk(user), keys::note_sk(*id)))
            .collect();
        self.batch_get(wanted)
            .await?
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, NoteItem>(item)?.note())
            .collect()
    }

    /// The ids of the user's unread notifications made between `from` and `to` (inclusive),
    /// from the user's unread index only.
    pub async fn unread_between(
        &self,
        user: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<u64>, StoreError> {
        let pk = keys::unread_of_user_pk(user);
        let spec = unread_window(
            keys::GSI1,
            "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to",
            pk,
            from,
            to,
        );
        let mut ids = Vec::new();
        self.query_each(&spec, None, |item| {
            ids.push(note_id_of_index_key(&item, keys::GSI1SK)?);
            Ok(())
        })
        .await?;
        Ok(ids)
    }

    /// The unread notifications made on `day` (`YYYY-MM-DD`) between `from` and `to`, in time
    /// order, from that day's unread index only; `visit` says whether to go on.
    pub async fn unread_on_day(
        &self,
        day: &str,
        from: Timestamp,
        to: Timestamp,
        mut visit: impl FnMut(UnreadEntry) -> bool,
    ) -> Result<(), StoreError> {
        let pk = keys::unread_of_day_pk(day);
        let spec = unread_window(
            keys::GSI2,
            "GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to",
            pk,
            from,
            to,
        );
        let mut going = true;
        let result = self
            .query_each(&spec, None, |item| {
                if !going {
                    return Err(StoreError::Stop);
                }
                let sk = match item.get("GSI2SK") {
                    Some(AttributeValue::S(sk)) => sk.clone(),
                    _ => return Err(StoreError::MissingAttribute("GSI2SK")),
                };
                let mut parts = sk.rsplitn(3, '#');
                let note = parts.next().and_then(|p| p.parse().ok());
                let user = parts.next().and_then(|p| p.parse().ok());
                let (Some(note), Some(user)) = (note, user) else {
                    return Err(StoreError::MissingAttribute("GSI2SK"));
                };
                going = visit(UnreadEntry {
                    user: UserId::new(user),
                    note,
                });
                Ok(())
            })
            .await;
        match result {
            Ok(_) | Err(StoreError::Stop) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// The ids of all the user's unread notifications.
    pub async fn all_unread(&self, user: UserId) -> Result<Vec<u64>, StoreError> {
        self.unread_between(
            user,
            Timestamp::from_unix(0),
            Timestamp::from_unix(253_402_300_799),
        )
        .await
    }

    /// Marks these notifications of the user read (those unread), each with the user's
    /// unread count, in transactions; returns how many this call marked. A race with another
    /// marking is resolved by reading again.
    pub async fn mark_read(&self, user: UserId, ids: &[u64]) -> Result<u64, StoreError> {
        let mut marked = 0;
        for chunk in ids.chunks(MARKS_PER_TRANSACTION) {
            let mut attempt = 0;
            loop {
                let unread: Vec<u64> = self
                    .notes_by_id(user, chunk)
                    .await?
                    .into_iter()
                    .filter(|note| !note.read)
                    .map(|note| note.id)
                    .collect();
                if unread.is_empty() {
                    break;
                }
                match self.mark_chunk(user, &unread).await {
                    Ok(()) => {
                        marked += unread.len() as u64;
                        break;
                    }
                    Err(WriteError::ConditionFailed(_)) if attempt < MARK_ATTEMPTS => {
                        attempt += 1;
                    }
                    Err(other) => return Err(other.unexpected("TransactWriteItems")),
                }
            }
        }
        Ok(marked)
    }

    async fn mark_chunk(&self, user: UserId, unread: &[u64]) -> Result<(), WriteError<Vec<Part>>> {
        let mut transaction = self.transaction();
        for id in unread {
            transaction.update(
                Part::Other,
                Update::builder()
                    .set_key(Some(key(keys::user_pk(user), keys::note_sk(*id))))
                    .update_expression("SET #read = :yes REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK")
                    .condition_expression("#read = :no")
                    .expression_attribute_names("#read", "read")
                    .expression_attribute_values(":yes", AttributeValue::Bool(true))
                    .expression_attribute_values(":no", AttributeValue::Bool(false)),
            )?;
        }
        transaction.update(
            Part::Other,
            Update::builder()
                .set_key(Some(inbox_key(user)))
                .update_expression("ADD unread :minus")
                .expression_attribute_values(
                    ":minus",
                    AttributeValue::N(format!("-{}", unread.len())),
                ),
        )?;
        transaction.commit().await
    }

    /// Up to `limit` outbox entries of one shard due at `now` (or every one, `dead` included,
    /// when `include_dead`).
    pub async fn outbox_shard(
        &self,
        shard: u64,
        now: Timestamp,
        include_dead: bool,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let spec = QuerySpec::partition(keys::outbox_shard_pk(shard));
        let mut due = Vec::new();
        self.query_each(&spec, None, |item| {
            if due.len() >= limit {
                return Ok(());
            }
            let entry: OutboxEntry = serde_dynamo::from_item(item)?;
            if include_dead || (!entry.dead && entry.next_attempt_at <= now.unix()) {
                due.push(entry);
            }
            Ok(())
        })
        .await?;
        Ok(due)
    }

    /// The outbox entry of a notification, if it is still there.
    pub async fn outbox_entry(&self, note: u64) -> Result<Option<OutboxEntry>, StoreError> {
        self.get(key(keys::outbox_pk(note), keys::outbox_sk(note)))
            .await?
            .map(|item| Ok(serde_dynamo::from_item(item)?))
            .transpose()
    }

    /// Replaces a notification's outbox entry (its attempts, next time, dead mark).
    pub async fn put_outbox_entry(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let item = OutboxItem {
            pk: keys::outbox_pk(entry.note_id),
            sk: keys::outbox_sk(entry.note_id),
            entity: ENTITY_OUTBOX,
            entry,
        };
        self.put_item(to_item(&item)?)
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map(drop)
            .or_else(|e| match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => Ok(()),
                _ => Err(StoreError::sdk("PutItem", e)),
            })
    }

    /// Takes the entry for `seconds` so no other worker delivers it meanwhile, and returns it
    /// as it is now (what an earlier attempt published included); `None` if another worker
    /// holds it (or it is gone).
    pub async fn lease_outbox_entry(
        &self,
        note: u64,
        now: Timestamp,
        seconds: i64,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let update = self
            .update_item(key(keys::outbox_pk(note), keys::outbox_sk(note)))
            .update_expression("SET lease_until = :until")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(lease_until) OR lease_until <= :now)",
            )
            .expression_attribute_values(":until", n((now.unix() + seconds).max(0) as u64))
            .expression_attribute_values(":now", n(now.unix().max(0) as u64))
            .return_values(ReturnValue::AllNew);
        match super::plumbing::send_update(update).await {
            Ok(output) => Ok(Some(serde_dynamo::from_item(
                output.attributes.unwrap_or_default(),
            )?)),
            Err(WriteError::ConditionFailed(())) => Ok(None),
            Err(WriteError::Store(error)) => Err(error),
        }
    }

    /// Records on a notification's outbox entry that it was published on `channel`, so a
    /// retry skips that channel. An entry already gone has nothing left to record.
    pub async fn outbox_channel_sent(&self, note: u64, channel: Channel) -> Result<(), StoreError> {
        let update = self
            .update_item(key(keys::outbox_pk(note), keys::outbox_sk(note)))
            .update_expression("SET sent = list_append(if_not_exists(sent, :none), :channel)")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":channel", AttributeValue::L(vec![s(channel.as_str())]));
        super::plumbing::held(super::plumbing::send_update(update).await).map(drop)
    }

    /// Removes a notification's outbox entry: everything of it is published. The removal is
    /// also the record of the last channel: an entry that is gone is never published again.
    pub async fn finish_outbox_entry(&self, note: u64) -> Result<(), StoreError> {
        self.delete_item(key(keys::outbox_pk(note), keys::outbox_sk(note)))
            .await
    }
}

/// A Query of one unread index partition between two times (both inclusive: a sort key is
/// `<created_at>#...`, and `~` sorts after every digit).
fn unread_window(
    index: &'static str,
    key_condition: &'static str,
    pk: String,
    from: Timestamp,
    to: Timestamp,
) -> QuerySpec {
    QuerySpec {
        index: Some(index),
        key_condition,
        names: Vec::new(),
        values: vec![
            (":pk", s(pk)),
            (":from", s(from.to_rfc3339())),
            (":to", s(format!("{}#~", to.to_rfc3339()))),
        ],
        forward: true,
        consistent: false,
    }
}

/// The notification id at the end of an index sort key (`...#<note:020>`).
fn note_id_of_index_key(item: &Item, attribute: &'static str) -> Result<u64, StoreError> {
    match item.get(attribute) {
        Some(AttributeValue::S(text)) => text
            .rsplit('#')
            .next()
            .and_then(|id| id.parse().ok())
            .ok_or(StoreError::MissingAttribute(attribute)),
        _ => Err(StoreError::MissingAttribute(attribute)),
    }
}

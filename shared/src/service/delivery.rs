//! The delivery worker: publishes what the outbox holds, one SNS message per notification and
//! channel (attributes `channel`, `type`, `user_id` and `idempotency_key`), and works off send
//! jobs a page at a time. Nothing is lost: an outbox entry leaves the table only once every
//! channel of it was published; a failed attempt is tried again with a growing pause, and
//! after [`MAX_ATTEMPTS`] it is kept as dead (and its key sent to the dead-letter queue) until
//! an operator replays it. A channel already published is never published again (each is
//! recorded on the entry, whose removal records the last), so a retry never delivers twice
//! (short of the worker stopping between a publish and its record, when a subscriber can drop
//! the repeat by its `idempotency_key`).

use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::UserId;
use crate::notify::{Channel, Message, Notifier};
use crate::store::{OutboxEntry, Store};

/// Attempts before an outbox entry is given up as dead.
pub const MAX_ATTEMPTS: u32 = 8;
/// Outbox entries one sweep takes per shard.
const ENTRIES_PER_SHARD: usize = 100;
/// Send-job pages one sweep works.
const JOB_PAGES_PER_SWEEP: usize = 20;
/// How long a worker holds an entry it is delivering.
const LEASE_SECONDS: i64 = 60;

/// Where entries given up on are reported: an SQS queue.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    pub client: aws_sdk_sqs::Client,
    pub queue_url: String,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
    pub job_pages: usize,
}

/// The pause before attempt `attempts + 1`: 2, 4, 8, ... seconds, at most five minutes.
pub fn backoff_seconds(attempts: u32) -> i64 {
    2_i64.saturating_pow(attempts.min(16)).min(300)
}

/// The message of one channel of an outbox entry: the stored body, with the channel and that
/// channel's device references as `to`.
pub fn channel_message(entry: &OutboxEntry, channel: Channel) -> Message {
    let mut body: serde_json::Value =
        serde_json::from_str(&entry.body).unwrap_or(serde_json::Value::Null);
    if let Some(object) = body.as_object_mut() {
        let to = object
            .get("to")
            .and_then(|to| to.get(channel.as_str()))
            .cloned()
            .unwrap_or_default();
        object.insert("to".to_owned(), to);
        object.insert("channel".to_owned(), channel.as_str().into());
    }
    Message {
        channel,
        kind: entry.kind.clone().into(),
        user_id: UserId::new(entry.user_id),
        body,
        idempotency_key: Some(format!("{}:{}", entry.note_id, channel.as_str())),
    }
}

/// Publishes every channel of the entry not published yet, each recorded on the entry as it
/// goes out (in `entry.sent`, and in the table for every channel but the last), then removes
/// the entry: its removal records the last channel, so a single-channel notification costs
/// its lease and its removal alone.
pub async fn deliver(
    store: &Store,
    notifier: &Notifier,
    entry: &mut OutboxEntry,
) -> Result<(), ServiceError> {
    let mut due = Vec::new();
    for name in &entry.channels {
        match Channel::parse(name) {
            Some(channel) if !entry.sent.contains(name) && !due.contains(&channel) => {
                due.push(channel)
            }
            Some(_) => {}
            None => {
                tracing::warn!(note = entry.note_id, channel = %name, "unknown channel skipped")
            }
        }
    }
    for (index, &channel) in due.iter().enumerate() {
        publish(notifier, entry, channel).await?;
        entry.sent.push(channel.as_str().to_owned());
        if index + 1 < due.len() {
            store.outbox_channel_sent(entry.note_id, channel).await?;
        }
    }
    store.finish_outbox_entry(entry.note_id).await?;
    Ok(())
}

/// Publishes one channel of an entry: to each device's platform endpoint when the channel has
/// a platform application, else once to the topic.
async fn publish(
    notifier: &Notifier,
    entry: &OutboxEntry,
    channel: Channel,
) -> Result<(), ServiceError> {
    let message = channel_message(entry, channel);
    let failed = |e| ServiceError::Unexpected(Box::new(e));
    match notifier.platform_app(channel) {
        Some(app) => {
            let tokens: Vec<String> = message.body["to"]
                .as_array()
                .map(|to| {
                    to.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            for token in tokens {
                notifier
                    .publish_to_device(app, &token, &message)
                    .await
                    .map_err(failed)?;
            }
            Ok(())
        }
        None => notifier.publish(&message).await.map_err(failed),
    }
}

/// One pass of the worker at `now`: send-job pages first (they fill the outbox), then every
/// outbox entry that is due.
pub async fn sweep(
    store: &Store,
    notifier: &Notifier,
    dead_letters: Option<&DeadLetters>,
    now: Timestamp,
) -> Result<Sweep, ServiceError> {
    let mut report = Sweep::default();
    'jobs: while report.job_pages < JOB_PAGES_PER_SWEEP {
        let jobs = store.send_jobs().await?;
        if jobs.is_empty() {
            break;
        }
        for job in &jobs {
            super::notifications::work_send_job(store, job).await?;
            report.job_pages += 1;
            if report.job_pages >= JOB_PAGES_PER_SWEEP {
                break 'jobs;
            }
        }
    }
    // The shards are worked side by side, each in order.
    let mut shards = tokio::task::JoinSet::new();
    for shard in 0..crate::store::keys::OUTBOX_SHARDS {
        let (store, notifier, dead_letters) =
            (store.clone(), notifier.clone(), dead_letters.cloned());
        shards.spawn(async move {
            sweep_shard(&store, &notifier, dead_letters.as_ref(), shard, now).await
        });
    }
    while let Some(done) = shards.join_next().await {
        let shard = done.map_err(|e| ServiceError::Unexpected(Box::new(e)))??;
        report.delivered += shard.delivered;
        report.retried += shard.retried;
        report.dead += shard.dead;
    }
    Ok(report)
}

/// Delivers the due entries of one outbox shard, in order.
async fn sweep_shard(
    store: &Store,
    notifier: &Notifier,
    dead_letters: Option<&DeadLetters>,
    shard: u64,
    now: Timestamp,
) -> Result<Sweep, ServiceError> {
    let mut report = Sweep::default();
    for listed in store
        .outbox_shard(shard, now, false, ENTRIES_PER_SHARD)
        .await?
    {
        let Some(mut entry) = store
            .lease_outbox_entry(listed.note_id, now, LEASE_SECONDS)
            .await?
        else {
            continue;
        };
        match deliver(store, notifier, &mut entry).await {
            Ok(()) => report.delivered += 1,
            Err(error) => {
                let attempts = entry.attempts + 1;
                let dead = attempts >= MAX_ATTEMPTS;
                tracing::warn!(
                    note = entry.note_id,
                    attempts,
                    dead,
                    error = %error,
                    "delivery failed"
                );
                let retry = OutboxEntry {
                    attempts,
                    next_attempt_at: now.unix() + backoff_seconds(attempts),
                    dead,
                    ..entry
                };
                store.put_outbox_entry(&retry).await?;
                if dead {
                    report.dead += 1;
                    report_dead(dead_letters, &retry).await;
                } else {
                    report.retried += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Sends the key of a dead entry to the dead-letter queue, if there is one; the entry itself
/// stays in the table either way, so a failure here loses nothing.
async fn report_dead(dead_letters: Option<&DeadLetters>, entry: &OutboxEntry) {
    let Some(dlq) = dead_letters else {
        return;
    };
    let body = serde_json::json!({"note_id": entry.note_id, "user_id": entry.user_id,
                                  "attempts": entry.attempts});
    if let Err(e) = dlq
        .client
        .send_message()
        .queue_url(&dlq.queue_url)
        .message_body(body.to_string())
        .send()
        .await
    {
        tracing::error!(note = entry.note_id, error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "dead letter not sent");
    }
}

/// Every entry given up on, oldest first per shard.
pub async fn dead_entries(store: &Store) -> Result<Vec<OutboxEntry>, ServiceError> {
    let mut dead = Vec::new();
    for shard in 0..crate::store::keys::OUTBOX_SHARDS {
        dead.extend(
            store
                .outbox_shard(shard, Timestamp::now(), true, usize::MAX)
                .await?
                .into_iter()
                .filter(|entry| entry.dead),
        );
    }
    Ok(dead)
}

/// Makes every dead entry due again (attempts from zero); returns how many. Messages on the
/// dead-letter queue are removed as their entries are revived.
pub async fn replay_dead(
    store: &Store,
    dead_letters: Option<&DeadLetters>,
) -> Result<usize, ServiceError> {
    let mut revived = 0;
    for entry in dead_entries(store).await? {
        let again = OutboxEntry {
            attempts: 0,
            next_attempt_at: 0,
            dead: false,
            ..entry
        };
        store.put_outbox_entry(&again).await?;
        revived += 1;
    }
    if let Some(dlq) = dead_letters {
        drain_queue(dlq).await;
    }
    Ok(revived)
}

/// Removes what the dead-letter queue holds (the table is the record of what is dead).
async fn drain_queue(dlq: &DeadLetters) {
    loop {
        let Ok(output) = dlq
            .client
            .receive_message()
            .queue_url(&dlq.queue_url)
            .max_number_of_messages(10)
            .send()
            .await
        else {
            return;
        };
        let messages = output.messages.unwrap_or_default();
        if messages.is_empty() {
            return;
        }
        for message in messages {
            if let Some(handle) = message.receipt_handle {
                let _ = dlq
                    .client
                    .delete_message()
                    .queue_url(&dlq.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_up_to_five_minutes() {
        assert_eq!(backoff_seconds(1), 2);
        assert_eq!(backoff_seconds(2), 4);
        assert_eq!(backoff_seconds(8), 256);
        assert_eq!(backoff_seconds(9), 300);
        assert_eq!(backoff_seconds(40), 300);
    }

    #[test]
    fn each_channel_gets_its_own_references_and_an_idempotency_key() {
        let entry = OutboxEntry {
            note_id: 9,
            user_id: 4,
            kind: "likes".into(),
            body: r#"{"title":"t","to":{"email":["a@example.com"],"ios":["tok"]}}"#.into(),
            channels: vec!["email".into(), "ios".into()],
            attempts: 0,
            next_attempt_at: 0,
            dead: false,
            sent: Vec::new(),
        };
        let email = channel_message(&entry, Channel::Email);
        assert_eq!(email.body["to"], serde_json::json!(["a@example.com"]));
        assert_eq!(email.body["channel"], "email");
        assert_eq!(email.idempotency_key.as_deref(), Some("9:email"));
        let ios = channel_message(&entry, Channel::Ios);
        assert_eq!(ios.body["to"], serde_json::json!(["tok"]));
        assert_eq!(ios.kind, "likes");
    }
}

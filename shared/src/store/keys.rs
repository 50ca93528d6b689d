//! Every key format of the one table, and nothing else. Items are told apart by `PK`/`SK`
//! prefixes and by the `entity` attribute.
//!
//! | item              | PK                        | SK                 | GSI1PK  | GSI1SK                 |
//! |-------------------|---------------------------|--------------------|---------|------------------------|
//! | user              | `USER#<id>`               | `PROFILE`          | `USERS` | `<created_at>#<id:020>`|
//!
//! Users are also in GSI2 (by username), GSI3 (by first name) and GSI4 (by last name), each
//! with partition `USERS` and sort key `<value, lower case>#<id:020>`.
//!
//! | item              | PK                        | SK                 |
//! |-------------------|---------------------------|--------------------|
//! | following edge    | `USER#<follower>`         | `FOLLOWING#<followed:020>` |
//! | follower edge     | `USER#<followed>`         | `FOLLOWER#<follower:020>`  |
//! | follow id counter | `COUNTER#FOLLOW_ID`       | `COUNTER`          |
//! | reference country | `REF#COUNTRY`             | `<id:010>`         |
//! | reference city    | `REF#CITY`                | `<id:010>`         |
//! | reference code    | `REF#CATEGORY`, `REF#NETWORK`, `REF#LANGUAGE` | `<code>` |
//!
//! | session (family)  | `USER#<id>`               | `SESSION#<sid>`    |         |                        |
//! | username guard    | `USERNAME#<lower name>`   | `GUARD`            |         |                        |
//! | e-mail guard      | `EMAIL#<lower e-mail>`    | `GUARD`            |         |                        |
//! | user id counter   | `COUNTER#USER_ID`         | `COUNTER`          |         |                        |
//! | chat id guard     | `CHATID#<chat user id>`   | `GUARD`            |         |                        |
//! | e-mail code       | `USER#<id>`               | `EMAIL_CODE`       |         |                        |
//! | sign-in failures  | `FAILURES#<account>#<client>` | `LOGIN_FAILURES` |       |                        |
//! | app credential    | `APPS`                    | `APP#<app id>`     |         |                        |
//! | rate-limit window | `RATE#<scope>#<subject>`  | `WINDOW#<start>`   |         |                        |
//! | device            | `USER#<id>`               | `DEVICE#<id:020>`  |         |                        |
//! | device guard      | `DEVICEREF#<type>#<ref>`  | `GUARD`            |         |                        |
//! | device id counter | `COUNTER#DEVICE_ID`       | `COUNTER`          |         |                        |
//! | user count shard  | `COUNTER#USERS#<0-9>`     | `COUNTER`          |         |                        |
//! | channel           | `CHANNELS`                | `CHANNEL#<id:020>` |         |                        |
//! | channel name guard| `CHANNELNAME#<lower name>`| `GUARD`            |         |                        |
//! | channel id counter| `COUNTER#CHANNEL_ID`      | `COUNTER`          |         |                        |
//! | theme             | `THEMES`                  | `THEME#<id:020>`   | `THEMES#<range>` | `<id:020>`    |
//! | theme name guard  | `THEMENAME#<lower name>`  | `GUARD`            |         |                        |
//! | theme id counter  | `COUNTER#THEME_ID`        | `COUNTER`          |         |                        |
//! | subscription      | `USER#<id>`               | `SUBSCRIPTION#<channel:020>` | `CHANNEL#<channel>` | `<id:020>` |
//! | preference        | `USER#<id>`               | `PREFERENCE#<theme:020>`     | `THEME#<theme>`     | `<id:020>` |
//! | counter change    | `CHANGE#<app id>#<request id>` | `COUNTER_CHANGE` |   |                        |
//! | notification      | `USER#<id>`               | `NOTE#<note id:020>` | unread only: `UNREAD#<user>` | `<created_at>#<note:020>` |
//! | inbox counts      | `USER#<id>`               | `INBOX`            |         |                        |
//! | note id counter   | `COUNTER#NOTE_ID`         | `COUNTER`          |         |                        |
//! | outbox entry      | `OUTBOX#<0-9>`            | `<note id:020>`    |         |                        |
//! | send job          | `SENDJOB`                 | `<job id:020>`     |         |                        |
//! | send job guard    | `SENDJOB#<job id>`        | `<user:020>`       |         |                        |
//!
//! An unread notification is also in GSI2 under `UNREAD#<YYYY-MM-DD>` (the day it was made)
//! with sort key `<created_at>#<user:020>#<note:020>`; marking it read removes both index
//! keys, so the two indexes hold only unread notifications (sparse).
//!
//! | audit entry       | `AUDIT#<user id>`         | `<written, ns:020>#<random>` |  |                      |
//! | stats snapshot    | `STATS`                   | `SNAPSHOT`         |         |                        |
//!
//! Audit entries live in a partition of their own, apart from the user's, so that deleting a
//! user (which removes the user's partition) leaves the trail of what staff did to them.
//!
//! Channels and themes each live in one partition, listed in id order by a Query on it.
//! What points at them is found from them through GSI1 (`store::members`): a subscription
//! item (`USER#<user>` / `SUBSCRIPTION#<channel:020>`) carries `GSI1PK = CHANNEL#<channel>` and
//! `GSI1SK = <user:020>` ([`channel_members_pk`]), a preference (`USER#<user>` /
//! `PREFERENCE#<theme:020>`) `GSI1PK = THEME#<theme>` ([`theme_members_pk`]).

use crate::domain::{ThemeRange, TopicKind, UserId};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI3: &str = "GSI3";
pub const GSI4: &str = "GSI4";
/// The entity-type attribute on every item.
pub const ENTITY: &str = "entity";
/// The TTL attribute (epoch seconds) DynamoDB expires items by.
pub const EXPIRES_AT: &str = "expires_at";

pub const PROFILE_SK: &str = "PROFILE";
pub const GUARD_SK: &str = "GUARD";
pub const USER_ID_COUNTER_PK: &str = "COUNTER#USER_ID";
pub const COUNTER_SK: &str = "COUNTER";
pub const DEVICE_ID_COUNTER_PK: &str = "COUNTER#DEVICE_ID";
/// How many users exist: changed in the same transaction as each user's creation and deletion.
pub const USER_COUNT_PK: &str = "COUNTER#USERS";
pub const DEVICE_SK_PREFIX: &str = "DEVICE#";
/// The GSI1 partition that lists users in sign-up order.
pub const USER_DIRECTORY: &str = "USERS";
pub const EMAIL_CODE_SK: &str = "EMAIL_CODE";
pub const LOGIN_FAILURES_SK: &str = "LOGIN_FAILURES";
/// The one user statistics snapshot the stats job keeps (see `service::stats`).
pub const STATS_PK: &str = "STATS";
pub const STATS_SNAPSHOT_SK: &str = "SNAPSHOT";
/// The one partition of app credentials (a handful of items, listed by the admin tool).
pub const APPS_PK: &str = "APPS";

/// The partition that holds every channel (or every theme).
pub fn topics_pk(kind: TopicKind) -> &'static str {
    match kind {
        TopicKind::Channel => "CHANNELS",
        TopicKind::Theme => "THEMES",
    }
}

/// A channel's or theme's sort key in its partition: id order.
pub fn topic_sk(kind: TopicKind, id: u64) -> String {
    match kind {
        TopicKind::Channel => format!("CHANNEL#{id:020}"),
        TopicKind::Theme => format!("THEME#{id:020}"),
    }
}

/// The guard of a channel or theme name (lower case).
pub fn topic_name_guard_pk(kind: TopicKind, canonical_name: &str) -> String {
    match kind {
        TopicKind::Channel => format!("CHANNELNAME#{canonical_name}"),
        TopicKind::Theme => format!("THEMENAME#{canonical_name}"),
    }
}

/// The counter channel (or theme) ids are taken from.
pub fn topic_id_counter_pk(kind: TopicKind) -> &'static str {
    match kind {
        TopicKind::Channel => "COUNTER#CHANNEL_ID",
        TopicKind::Theme => "COUNTER#THEME_ID",
    }
}

/// The GSI1 partition of the themes of one range.
pub fn themes_in_range_pk(range: ThemeRange) -> String {
    format!("THEMES#{}", range.as_str())
}

/// A GSI1 sort key in id order (themes of a range; later a channel's subscribers).
pub fn id_order_sk(id: u64) -> String {
    format!("{id:020}")
}

/// The GSI1 partition of everything that points at a channel (its subscriptions).
pub fn channel_members_pk(channel: u64) -> String {
    format!("CHANNEL#{channel}")
}

/// The GSI1 partition of everything that points at a theme (its preferences).
pub fn theme_members_pk(theme: u64) -> String {
    format!("THEME#{theme}")
}

/// A user's subscription to a channel, in their partition.
pub fn subscription_sk(channel: u64) -> String {
    format!("{SUBSCRIPTION_SK_PREFIX}{channel:020}")
}

/// A user's preference for a theme, in their partition.
pub fn preference_sk(theme: u64) -> String {
    format!("{PREFERENCE_SK_PREFIX}{theme:020}")
}

pub const SUBSCRIPTION_SK_PREFIX: &str = "SUBSCRIPTION#";
pub const PREFERENCE_SK_PREFIX: &str = "PREFERENCE#";

pub const NOTE_SK_PREFIX: &str = "NOTE#";
pub const INBOX_SK: &str = "INBOX";
pub const NOTE_ID_COUNTER_PK: &str = "COUNTER#NOTE_ID";
/// How many partitions the outbox is spread over.
pub const OUTBOX_SHARDS: u64 = 10;
pub const SEND_JOBS_PK: &str = "SENDJOB";
pub const SEND_JOB_ID_COUNTER_PK: &str = "COUNTER#SENDJOB_ID";

pub fn note_sk(note: u64) -> String {
    format!("{NOTE_SK_PREFIX}{note:020}")
}

/// The GSI1 partition of a user's unread notifications.
pub fn unread_of_user_pk(user: UserId) -> String {
    format!("UNREAD#{user}")
}

/// A notification's GSI1 sort key in its user's unread partition: time order.
pub fn unread_of_user_sk(created_at: &str, note: u64) -> String {
    format!("{created_at}#{note:020}")
}

/// The GSI2 partition of the unread notifications made on one day (`YYYY-MM-DD`).
pub fn unread_of_day_pk(day: &str) -> String {
    format!("UNREAD#{day}")
}

/// A notification's GSI2 sort key in its day's unread partition: time, then user.
pub fn unread_of_day_sk(created_at: &str, user: UserId, note: u64) -> String {
    format!("{created_at}#{:020}#{note:020}", user.get())
}

/// The outbox partition of a notification.
pub fn outbox_pk(note: u64) -> String {
    format!("OUTBOX#{}", note % OUTBOX_SHARDS)
}

pub fn outbox_shard_pk(shard: u64) -> String {
    format!("OUTBOX#{shard}")
}

pub fn outbox_sk(note: u64) -> String {
    format!("{note:020}")
}

pub fn send_job_sk(job: u64) -> String {
    format!("{job:020}")
}

/// The partition of a send job's guards: one item per user it has reached.
pub fn send_job_guard_pk(job: u64) -> String {
    format!("SENDJOB#{job}")
}

/// The partition of a user's audit trail.
pub fn audit_pk(id: UserId) -> String {
    format!("AUDIT#{id}")
}

/// An audit entry's sort key: when it was written (nanoseconds since the epoch, so entries
/// of the same second keep their order), then a random suffix that keeps them apart.
pub fn audit_sk(written_nanos: u64, nonce: &str) -> String {
    format!("{written_nanos:020}#{nonce}")
}

pub fn user_pk(id: UserId) -> String {
    format!("USER#{id}")
}

/// One of the items the user count is spread over.
pub fn user_count_shard_pk(shard: u32) -> String {
    format!("{USER_COUNT_PK}#{shard}")
}

pub fn session_sk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

pub fn username_guard_pk(canonical_username: &str) -> String {
    format!("USERNAME#{canonical_username}")
}

pub fn email_guard_pk(canonical_email: &str) -> String {
    format!("EMAIL#{canonical_email}")
}

pub fn chat_id_guard_pk(chat_user_id: &str) -> String {
    format!("CHATID#{chat_user_id}")
}

/// A sort key that orders users by `value` (already lower-cased), ties broken by id.
pub fn ordered_by(value: &str, id: UserId) -> String {
    format!("{value}#{:020}", id.get())
}

pub fn following_sk(followed: UserId) -> String {
    format!("{FOLLOWING_PREFIX}{:020}", followed.get())
}

pub fn follower_sk(follower: UserId) -> String {
    format!("{FOLLOWER_PREFIX}{:020}", follower.get())
}

pub const FOLLOWING_PREFIX: &str = "FOLLOWING#";
pub const FOLLOWER_PREFIX: &str = "FOLLOWER#";
pub const FOLLOW_ID_COUNTER_PK: &str = "COUNTER#FOLLOW_ID";
pub const COUNTRY_PK: &str = "REF#COUNTRY";
pub const CITY_PK: &str = "REF#CITY";

/// The partition of one kind of reference code (categories, networks, languages); the sort
/// key is the code itself.
pub fn reference_codes_pk(kind: crate::domain::CodeKind) -> &'static str {
    match kind {
        crate::domain::CodeKind::Category => "REF#CATEGORY",
        crate::domain::CodeKind::Network => "REF#NETWORK",
        crate::domain::CodeKind::Language => "REF#LANGUAGE",
    }
}

pub fn reference_sk(id: u64) -> String {
    format!("{id:010}")
}

pub fn device_sk(device_id: u64) -> String {
    format!("{DEVICE_SK_PREFIX}{device_id:020}")
}

/// A device reference is unique per type: e-mails lower-cased, phone tokens as given.
pub fn device_guard_pk(kind: &str, reference: &str) -> String {
    format!("DEVICEREF#{kind}#{reference}")
}

pub fn app_sk(app_id: &str) -> String {
    format!("APP#{app_id}")
}

/// Failed sign-ins of one account (or unknown name) from one client address, both hashed.
pub fn login_failures_pk(account_hash: &str, client_hash: &str) -> String {
    format!("FAILURES#{account_hash}#{client_hash}")
}

pub fn rate_pk(scope: &str, subject: &str) -> String {
    format!("RATE#{scope}#{subject}")
}

pub fn rate_sk(window_start: i64) -> String {
    format!("WINDOW#{window_start}")
}

/// The record of one counter change an app asked for, by the request id it gave: written in
/// the change's transaction, so a request id is counted once. App ids hold no `#`.
pub fn counter_change_pk(app_id: &str, request_id: &str) -> String {
    format!("CHANGE#{app_id}#{request_id}")
}

pub const COUNTER_CHANGE_SK: &str = "COUNTER_CHANGE";

/// Sign-up order: the timestamp sorts first, the zero-padded id breaks ties.
pub fn user_directory_sk(created_at_rfc3339: &str, id: UserId) -> String {
    format!("{created_at_rfc3339}#{:020}", id.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_formats_are_stable() {
        let id = UserId::new(42);
        assert_eq!(user_pk(id), "USER#42");
        assert_eq!(session_sk("abc"), "SESSION#abc");
        assert_eq!(username_guard_pk("alice"), "USERNAME#alice");
        assert_eq!(email_guard_pk("a@example.com"), "EMAIL#a@example.com");
        assert_eq!(chat_id_guard_pk("x@example.com"), "CHATID#x@example.com");
        assert_eq!(app_sk("app1"), "APP#app1");
        assert_eq!(device_sk(5), "DEVICE#00000000000000000005");
        assert_eq!(ordered_by("alice", id), "alice#00000000000000000042");
        assert_eq!(following_sk(id), "FOLLOWING#00000000000000000042");
        assert_eq!(follower_sk(id), "FOLLOWER#00000000000000000042");
        assert_eq!(reference_sk(7), "0000000007");
        assert_eq!(
            device_guard_pk("email", "a@example.com"),
            "DEVICEREF#email#a@example.com"
        );
        assert_eq!(
            rate_pk("signin-ip", "127.0.0.1"),
            "RATE#signin-ip#127.0.0.1"
        );
        assert_eq!(rate_sk(60), "WINDOW#60");
        assert_eq!(
            counter_change_pk("app_x", "order-7"),
            "CHANGE#app_x#order-7"
        );
        assert_eq!(user_count_shard_pk(3), "COUNTER#USERS#3");
        assert_eq!((STATS_PK, STATS_SNAPSHOT_SK), ("STATS", "SNAPSHOT"));
        assert_eq!(topics_pk(TopicKind::Channel), "CHANNELS");
        assert_eq!(topics_pk(TopicKind::Theme), "THEMES");
        assert_eq!(
            topic_sk(TopicKind::Channel, 7),
            "CHANNEL#00000000000000000007"
        );
        assert_eq!(topic_sk(TopicKind::Theme, 7), "THEME#00000000000000000007");
        assert_eq!(
            topic_name_guard_pk(TopicKind::Channel, "news"),
            "CHANNELNAME#news"
        );
        assert_eq!(
            topic_name_guard_pk(TopicKind::Theme, "news"),
            "THEMENAME#news"
        );
        assert_eq!(
            topic_id_counter_pk(TopicKind::Channel),
            "COUNTER#CHANNEL_ID"
        );
        assert_eq!(topic_id_counter_pk(TopicKind::Theme), "COUNTER#THEME_ID");
        assert_eq!(themes_in_range_pk(ThemeRange::Unicast), "THEMES#unicast");
        assert_eq!(id_order_sk(7), "00000000000000000007");
        assert_eq!(channel_members_pk(7), "CHANNEL#7");
        assert_eq!(theme_members_pk(7), "THEME#7");
        assert_eq!(
            user_directory_sk("2024-01-15T10:30:00Z", id),
            "2024-01-15T10:30:00Z#00000000000000000042"
        );
    }
}

//! Notifications: a user's inbox (history, exact counts, marking read), the chat server's
//! unread views, and sending — by staff to one user, and the push contract's `/send` by theme
//! (unicast to a user, multicast to a channel's subscribers, broadcast to everyone with a
//! preference for the theme). Who gets what on which channel is decided here: the user's
//! option for the theme (none set: everything) and the devices they have registered.
//!
//! A notification is stored first (inbox item, counts and outbox entry in one transaction);
//! publishing is the delivery worker's (`service::delivery`). A multicast or broadcast send
//! is a send job the worker works off a page at a time.

use super::staff::{self, By};
use super::subscriptions::DEFAULT_OPTION;
use super::{paging, FieldErrors, ServiceError};
use crate::clock::Timestamp;
use crate::domain::{
    DeviceKind, Notification, StaffAction, ThemeRange, TopicKind, TopicName, User, UserId,
    NOTIFICATION_CODES,
};
use crate::notify::Channel;
use crate::store::{Audience, NewNote, SendJob, Store};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// The option bits of a theme preference.
const EMAIL_BIT: u8 = 1;
const SMARTPHONE_BIT: u8 = 2;

/// Recipients a send job reaches per page.
pub const JOB_PAGE: usize = 100;

/// The longest window the chat server's unread routes look at.
pub const MAX_WINDOW_DAYS: i64 = 92;
/// The window they look at when none is given: the last 30 days.
pub const DEFAULT_WINDOW_DAYS: i64 = 30;

/// A page of the user's inbox, newest first, with the exact counts.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxPage {
    pub total: u64,
    pub unread: u64,
    pub notifications: Vec<Notification>,
}

/// Page `page` (from 1) of `limit` of the user's notifications, newest first.
pub async fn inbox(
    store: &Store,
    user: UserId,
    page: usize,
    limit: usize,
) -> Result<InboxPage, ServiceError> {
    let skip = paging::page_skip(page, limit);
    let ((total, unread), notifications) = tokio::try_join!(
        store.inbox_counts(user),
        store.notes_page(user, skip, limit)
    )?;
    Ok(InboxPage {
        total,
        unread,
        notifications,
    })
}

/// Which of the user's notifications to mark read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marking {
    All,
    Ids(Vec<u64>),
}

/// Marks the user's notifications read; returns how many were marked and how many are still
/// unread. Ids that are not the user's are ignored.
pub async fn mark_read(
    store: &Store,
    user: UserId,
    marking: Marking,
) -> Result<(u64, u64), ServiceError> {
    let ids = match marking {
        Marking::All => store.all_unread(user).await?,
        Marking::Ids(ids) => ids,
    };
    let marked = store.mark_read(user, &ids).await?;
    let (_, unread) = store.inbox_counts(user).await?;
    Ok((marked, unread))
}

/// A notification staff send to one user.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffNotification {
    pub user_id: UserId,
    pub title: String,
    pub message: String,
    pub kind: String,
    pub data: Option<serde_json::Value>,
}

/// Stores a notification from staff for the user, to be delivered on the channels the user's
/// option allows (the campaign code's theme when `kind` is one, else everything) and their
/// devices offer; recorded in the user's audit trail.
pub async fn send_from_staff(
    store: &Store,
    caller: &User,
    order: StaffNotification,
) -> Result<u64, ServiceError> {
    staff::ensure_staff(caller)?;
    let user = store
        .get_user(order.user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let option = match NOTIFICATION_CODES
        .iter()
        .find(|(code, _)| *code == order.kind)
    {
        Some(_) => {
            let themes = super::settings::campaign_themes(store).await?;
            let theme = themes
                .iter()
                .find(|(code, _)| *code == order.kind)
                .map(|(_, id)| *id);
            match theme {
                Some(theme) => {
                    super::subscriptions::effective_option(store, user.id, theme).await?
                }
                None => DEFAULT_OPTION,
            }
        }
        None => DEFAULT_OPTION,
    };
    let id = *store.next_note_ids(1).await?.end();
    let note = Notification {
        id,
        user_id: user.id,
        title: order.title.clone(),
        message: order.message.clone(),
        kind: order.kind.clone(),
        data: order.data.clone(),
        read: false,
        created_at: Timestamp::now(),
    };
    let new = new_note(note, &user, option, None);
    store.create_notes(std::slice::from_ref(&new)).await?;
    staff::record(
        store,
        By::Staff(caller),
        user.id,
        StaffAction::NotificationSent,
        Some(format!("{}: {}", order.kind, order.title)),
    )
    .await?;
    Ok(id)
}

/// The channels a user with `option` for a theme is reached on, given their devices.
pub fn channels_for(user: &User, option: u8) -> Vec<Channel> {
    let has = |kind| user.devices.iter().any(|d| d.kind == kind);
    let mut channels = Vec::new();
    if option & EMAIL_BIT != 0 && has(DeviceKind::Email) {
        channels.push(Channel::Email);
    }
    if option & SMARTPHONE_BIT != 0 {
        if has(DeviceKind::Android) {
            channels.push(Channel::Android);
        }
        if has(DeviceKind::Ios) {
            channels.push(Channel::Ios);
        }
    }
    channels
}

/// A notification for `user` with the channels `option` allows, and the body each channel's
/// message carries (the device references per channel under `to`).
fn new_note(note: Notification, user: &User, option: u8, job: Option<u64>) -> NewNote {
    let channels = channels_for(user, option);
    let mut to: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for device in &user.devices {
        let channel = match device.kind {
            DeviceKind::Email => Channel::Email,
            DeviceKind::Android => Channel::Android,
            DeviceKind::Ios => Channel::Ios,
        };
        if channels.contains(&channel) {
            to.entry(channel.as_str())
                .or_default()
                .push(&device.reference);
        }
    }
    let body = json!({
        "note_id": note.id,
        "user_id": note.user_id.get(),
        "type": note.kind,
        "title": note.title,
        "message": note.message,
        "data": note.data,
        "to": to,
    });
    NewNote {
        note,
        channels,
        body,
        job,
    }
}

/// The push contract's `/send`: `theme` by name, `message`, `subject`, and `user_id`
/// (unicast) or `channel` by name (multicast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSend {
    pub theme: TopicName,
    pub message: String,
    pub subject: String,
    pub user_id: Option<UserId>,
    pub channel: Option<TopicName>,
}

/// What a `/send` did: `false` when nothing was to be sent (the original's `result: false`).
pub async fn push_send(store: &Store, send: PushSend) -> Result<bool, ServiceError> {
    let theme = super::topics::by_name(store, TopicKind::Theme, &send.theme).await?;
    let range = theme.range.unwrap_or(ThemeRange::Unicast);
    let now = Timestamp::now();
    match range {
        ThemeRange::Unicast => {
            let user_id = send
                .user_id
                .ok_or_else(|| ServiceError::invalid("user_id", "Expected user_id param"))?;
            let Some(user) = store.get_user(user_id).await? else {
                return Ok(false);
            };
            let option = super::subscriptions::effective_option(store, user.id, theme.id).await?;
            if option == 0 {
                return Ok(false);
            }
            let id = *store.next_note_ids(1).await?.end();
            let note = push_note(id, user.id, theme.name.as_str(), &send, now);
            store
                .create_notes(&[new_note(note, &user, option, None)])
                .await?;
            Ok(true)
        }
        ThemeRange::Multicast | ThemeRange::Broadcast => {
            let audience = if range == ThemeRange::Multicast {
                let name = send
                    .channel
                    .ok_or_else(|| ServiceError::invalid("channel", "Expected channel param"))?;
                match store
                    .topic_by_name(TopicKind::Channel, &name.canonical())
                    .await?
                {
                    Some(channel) => Audience::Channel(channel.id),
                    None => return Ok(false),
                }
            } else {
                Audience::Theme
            };
            let job = SendJob {
                id: store.next_send_job_id().await?,
                theme_id: theme.id,
                theme_name: theme.name.as_str().to_owned(),
                audience,
                subject: send.subject,
                message: send.message,
                after: None,
                reached: 0,
                created_at: now.to_rfc3339(),
            };
            store.create_send_job(&job).await?;
            Ok(true)
        }
    }
}

fn push_note(id: u64, user: UserId, theme: &str, send: &PushSend, now: Timestamp) -> Notification {
    Notification {
        id,
        user_id: user,
        title: send.subject.clone(),
        message: send.message.clone(),
        kind: theme.to_owned(),
        data: None,
        read: false,
        created_at: now,
    }
}

/// Works one page of a send job: the next [`JOB_PAGE`] recipients after its place, each with
/// their option for the theme and their devices, stored as notifications (a recipient reached
/// before is skipped). Returns `false` once the job is finished.
pub async fn work_send_job(store: &Store, job: &SendJob) -> Result<bool, ServiceError> {
    let after = job.after.map(UserId::new);
    let (kind, topic) = match job.audience {
        Audience::Channel(channel) => (TopicKind::Channel, channel),
        Audience::Theme => (TopicKind::Theme, job.theme_id),
    };
    let page = store
        .topic_members_page(kind, topic, after, JOB_PAGE)
        .await?;
    let Some(last) = page.members.last().map(|m| m.user) else {
        store.finish_send_job(job.id).await?;
        return Ok(false);
    };
    let ids: Vec<UserId> = page.members.iter().map(|m| m.user).collect();
    // The index holds keys only: each recipient's option is read from their preference.
    let (set, users) = tokio::try_join!(
        store.preferences_of_users(&ids, job.theme_id),
        store.get_users(&ids)
    )?;
    let options: Vec<(UserId, u8)> = ids
        .iter()
        .map(|user| (*user, set.get(user).copied().unwrap_or(DEFAULT_OPTION)))
        .collect();
    let wanted: Vec<(&User, u8)> = options
        .iter()
        .filter(|(_, option)| *option != 0)
        .filter_map(|(id, option)| users.iter().find(|u| u.id == *id).map(|u| (u, *option)))
        .collect();
    let note_ids = store.next_note_ids(wanted.len() as u64).await?;
    let now = Timestamp::now();
    let send = PushSend {
        theme: TopicName::parse(&job.theme_name)
            .map_err(|e| ServiceError::Unexpected(e.0.into()))?,
        message: job.message.clone(),
        subject: job.subject.clone(),
        user_id: None,
        channel: None,
    };
    let notes: Vec<NewNote> = wanted
        .iter()
        .zip(note_ids)
        .map(|((user, option), id)| {
            let note = push_note(id, user.id, &job.theme_name, &send, now);
            new_note(note, user, *option, Some(job.id))
        })
        .collect();
    let stored = store.create_notes(&notes).await?;
    let moved = store
        .advance_send_job(job.id, job.after, last.get(), stored.len() as u64)
        .await?;
    if !moved {
        // Another worker moved the job past this page first; its guards kept this page's
        // recipients from a second notification.
        tracing::info!(job = job.id, "send job moved on by another worker");
    }
    if page.next.is_none() {
        store.finish_send_job(job.id).await?;
        return Ok(false);
    }
    Ok(true)
}

/// A time window of the chat server's unread routes, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Window {
    /// The window from the given ends: `to` defaults to now, `from` to
    /// [`DEFAULT_WINDOW_DAYS`] before `to`; at most [`MAX_WINDOW_DAYS`] long.
    pub fn of(from: Option<Timestamp>, to: Option<Timestamp>) -> Result<Self, ServiceError> {
        let to = to.unwrap_or_else(Timestamp::now);
        let from = from.unwrap_or_else(|| to.plus_seconds(-DEFAULT_WINDOW_DAYS * 86_400));
        let mut errors = FieldErrors::default();
        if from > to {
            errors.add("start_time", "start_time is after end_time");
        } else if to.unix() - from.unix() > MAX_WINDOW_DAYS * 86_400 {
            errors.add(
                "start_time",
                format!("the window may span at most {MAX_WINDOW_DAYS} days"),
            );
        }
        errors.finish(Some(Self { from, to }))
    }

    /// Each day (`YYYY-MM-DD`) the window touches, in order.
    pub fn days(&self) -> Vec<String> {
        let mut days = Vec::new();
        let mut day = self.from.unix() - self.from.unix().rem_euclid(86_400);
        while day <= self.to.unix() {
            days.push(Timestamp::from_unix(day).to_rfc3339()[..10].to_owned());
            day += 86_400;
        }
        days
    }
}

/// Page `page` of `limit` of the users with unread notifications made in the window, in the
/// order of their first such notification; reads only the window's unread notifications.
pub async fn unread_users(
    store: &Store,
    window: Window,
    page: usize,
    limit: usize,
) -> Result<Vec<UserId>, ServiceError> {
    let skip = paging::page_skip(page, limit);
    let wanted = skip + limit;
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for day in window.days() {
        if order.len() >= wanted {
            break;
        }
        store
            .unread_on_day(&day, window.from, window.to, |entry| {
                if seen.insert(entry.user) {
                    order.push(entry.user);
                }
                order.len() < wanted
            })
            .await?;
    }
    Ok(order.into_iter().skip(skip).take(limit).collect())
}

/// How many unread notifications each user has that were made in the window (from each
/// user's unread index only).
pub async fn unread_counts(
    store: &Store,
    users: &[UserId],
    window: Window,
) -> Result<Vec<(UserId, u64)>, ServiceError> {
    let mut counts = Vec::new();
    for user in users {
        let ids = store.unread_between(*user, window.from, window.to).await?;
        counts.push((*user, ids.len() as u64));
    }
    Ok(counts)
}

/// How the chat server names a user: their chat id, else their e-mail, else their id.
pub fn chat_name(user: &User) -> String {
    match (&user.chat_user_id, &user.email) {
        (Some(chat), _) => chat.to_string(),
        (None, Some(email)) => email.to_string(),
        (None, None) => user.id.to_string(),
    }
}

/// [`unread_users`] named as the chat server names them.
pub async fn chat_unread_users(
    store: &Store,
    window: Window,
    page: usize,
    limit: usize,
) -> Result<Vec<String>, ServiceError> {
    let ids = unread_users(store, window, page, limit).await?;
    let users = store.get_users(&ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| users.iter().find(|u| u.id == *id))
        .map(chat_name)
        .collect())
}

/// [`unread_counts`] of users named as the chat server names them (chat id, or e-mail for a
/// user without one); a name nobody has counts 0.
pub async fn chat_unread_counts(
    store: &Store,
    names: &[String],
    window: Window,
) -> Result<Vec<(String, u64)>, ServiceError> {
    let mut counts = Vec::new();
    for name in names {
        let mut user = store.user_id_by_chat_id(name).await?;
        if user.is_none() && name.contains('@') {
            user = store.user_id_by_email(&name.to_lowercase()).await?;
        }
        let count = match user {
            Some(user) => store
                .unread_between(user, window.from, window.to)
                .await?
                .len() as u64,
            None => 0,
        };
        counts.push((name.clone(), count));
    }
    Ok(counts)
}

//! Push channels and themes: created with a unique name (any letter case), read by id or by
//! name, renamed, deleted, and listed a page at a time in id order.

use super::{paging, ServiceError, UniqueField};
use crate::domain::{ThemeRange, Topic, TopicKind, TopicName};
use crate::store::{Store, TopicWriteError};

/// How often a rename or delete that found its channel changed meanwhile reads it again.
const STALE_RETRIES: usize = 3;

fn taken(kind: TopicKind) -> ServiceError {
    ServiceError::taken(match kind {
        TopicKind::Channel => UniqueField::ChannelName,
        TopicKind::Theme => UniqueField::ThemeName,
    })
}

fn missing(kind: TopicKind) -> ServiceError {
    ServiceError::Missing(kind.label())
}

fn refused(kind: TopicKind, error: TopicWriteError) -> ServiceError {
    match error {
        TopicWriteError::Taken => taken(kind),
        TopicWriteError::Stale => missing(kind),
        TopicWriteError::Store(error) => error.into(),
    }
}

/// A new channel (`range: None`) or theme (with its range) named `name`, with the next id.
pub async fn create(
    store: &Store,
    kind: TopicKind,
    name: TopicName,
    range: Option<ThemeRange>,
) -> Result<Topic, ServiceError> {
    if store
        .topic_by_name(kind, &name.canonical())
        .await?
        .is_some()
    {
        return Err(taken(kind));
    }
    let topic = Topic {
        kind,
        id: store.next_topic_id(kind).await?,
        name,
        range,
    };
    store
        .create_topic(&topic)
        .await
        .map_err(|e| refused(kind, e))?;
    Ok(topic)
}

pub async fn get(store: &Store, kind: TopicKind, id: u64) -> Result<Topic, ServiceError> {
    store
        .get_topic(kind, id)
        .await?
        .ok_or_else(|| missing(kind))
}

pub async fn by_name(
    store: &Store,
    kind: TopicKind,
    name: &TopicName,
) -> Result<Topic, ServiceError> {
    store
        .topic_by_name(kind, &name.canonical())
        .await?
        .ok_or_else(|| missing(kind))
}

/// Renames (and, for a theme, re-ranges: `range` of `None` keeps it) the topic `id`.
pub async fn update(
    store: &Store,
    kind: TopicKind,
    id: u64,
    name: Option<TopicName>,
    range: Option<ThemeRange>,
) -> Result<Topic, ServiceError> {
    for _ in 0..STALE_RETRIES {
        let old = get(store, kind, id).await?;
        let new = Topic {
            name: name.clone().unwrap_or_else(|| old.name.clone()),
            range: range.or(old.range),
            ..old.clone()
        };
        if new == old {
            return Ok(old);
        }
        match store.update_topic(&old, &new).await {
            Ok(()) => return Ok(new),
            Err(TopicWriteError::Stale) => continue,
            Err(other) => return Err(refused(kind, other)),
        }
    }
    Err(missing(kind))
}

/// Deletes the topic `id`, what points at it and its name guard: the topic is marked as
/// being deleted (no subscription or preference is added to it after), its subscriptions
/// (preferences) found through GSI1 are deleted a page at a time, and last the topic and its
/// guard go in one transaction. An interrupted delete is finished by repeating it.
pub async fn delete(store: &Store, kind: TopicKind, id: u64) -> Result<(), ServiceError> {
    if !store.mark_topic_deleting(kind, id).await? {
        return Err(missing(kind));
    }
    store.delete_topic_members(kind, id).await?;
    for _ in 0..STALE_RETRIES {
        let topic = get(store, kind, id).await?;
        match store.delete_topic(&topic).await {
            Ok(()) => return Ok(()),
            Err(TopicWriteError::Stale) => continue,
            Err(other) => return Err(refused(kind, other)),
        }
    }
    Err(missing(kind))
}

/// Page `page` (from 1) of `limit` channels or themes in id order; past the last page, none.
pub async fn list(
    store: &Store,
    kind: TopicKind,
    page: usize,
    limit: usize,
) -> Result<Vec<Topic>, ServiceError> {
    Ok(store
        .topic_page(kind, paging::page_skip(page, limit), limit)
        .await?)
}

/// Page `page` (from 1) of `limit` themes of `range`, in id order.
pub async fn themes_in_range(
    store: &Store,
    range: ThemeRange,
    page: usize,
    limit: usize,
) -> Result<Vec<Topic>, ServiceError> {
    Ok(store
        .themes_in_range(range, paging::page_skip(page, limit), limit)
        .await?)
}

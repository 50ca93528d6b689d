//! Push subscriptions (a user to a channel) and preferences (a user's option for a theme).
//! Both need the user and the channel (theme) to exist; changes never reach staff accounts.

use super::push::ensure_app_may_change;
use super::{paging, ServiceError, UniqueField};
use crate::domain::{TopicKind, UserId};
use crate::store::{Member, MemberPage, MemberWriteError, Store};

/// Most themes `PUT /user/{id}/preferences` sets (it reads them a page at a time).
const THEME_PAGE: usize = 100;

/// The option mask of a preference: nothing, e-mail, smartphones, both.
pub const MAX_OPTION: u8 = 3;

/// What a user without a preference for a theme gets: everything (the original's default).
pub const DEFAULT_OPTION: u8 = MAX_OPTION;

fn missing_member(kind: TopicKind) -> ServiceError {
    ServiceError::Missing(match kind {
        TopicKind::Channel => "Subscription",
        TopicKind::Theme => "Preference",
    })
}

fn refused(kind: TopicKind, error: MemberWriteError) -> ServiceError {
    match error {
        MemberWriteError::NoUser => ServiceError::NotFound,
        MemberWriteError::NoTopic => ServiceError::Missing(kind.label()),
        MemberWriteError::Conflict => missing_member(kind),
        MemberWriteError::Store(error) => error.into(),
    }
}

/// Writes the subscription or preference (its user checked by the caller). `must_exist`: `None`
/// writes either way, `Some(false)` only a new one (an existing one is `taken`), `Some(true)`
/// only over one that is there.
async fn write_member(
    store: &Store,
    kind: TopicKind,
    member: Member,
    must_exist: Option<bool>,
    taken: ServiceError,
) -> Result<Member, ServiceError> {
    match store.put_member(kind, member, must_exist).await {
        Ok(()) => Ok(member),
        Err(MemberWriteError::Conflict) if must_exist == Some(false) => Err(taken),
        Err(other) => Err(refused(kind, other)),
    }
}

/// The user, when an app may change them.
async fn changeable_user(store: &Store, user: UserId) -> Result<(), ServiceError> {
    let found = store.get_user(user).await?.ok_or(ServiceError::NotFound)?;
    ensure_app_may_change(&found)
}

async fn existing_user(store: &Store, user: UserId) -> Result<(), ServiceError> {
    store
        .get_user(user)
        .await?
        .map(drop)
        .ok_or(ServiceError::NotFound)
}

async fn existing_topic(store: &Store, kind: TopicKind, id: u64) -> Result<(), ServiceError> {
    store
        .get_topic(kind, id)
        .await?
        .map(drop)
        .ok_or(ServiceError::Missing(kind.label()))
}

/// Subscribes the user to the channel; subscribing again changes nothing (as the original).
pub async fn subscribe(store: &Store, user: UserId, channel: u64) -> Result<Member, ServiceError> {
    changeable_user(store, user).await?;
    existing_topic(store, TopicKind::Channel, channel).await?;
    let member = Member {
        user,
        topic: channel,
        option: None,
    };
    write_member(
        store,
        TopicKind::Channel,
        member,
        None,
        ServiceError::NotFound,
    )
    .await
}

/// The user's subscription to (preference for) the channel (theme); 404 when there is none.
pub async fn get(
    store: &Store,
    kind: TopicKind,
    user: UserId,
    topic: u64,
) -> Result<Member, ServiceError> {
    existing_user(store, user).await?;
    store
        .get_member(kind, user, topic)
        .await?
        .ok_or_else(|| missing_member(kind))
}

/// Removes the user's subscription (preference); 404 when there is none.
pub async fn remove(
    store: &Store,
    kind: TopicKind,
    user: UserId,
    topic: u64,
) -> Result<Member, ServiceError> {
    changeable_user(store, user).await?;
    let member = store
        .get_member(kind, user, topic)
        .await?
        .ok_or_else(|| missing_member(kind))?;
    if store.delete_member(kind, user, topic).await? {
        Ok(member)
    } else {
        Err(missing_member(kind))
    }
}

/// Every subscription (preference) of the user, in channel (theme) id order.
pub async fn of_user(
    store: &Store,
    kind: TopicKind,
    user: UserId,
) -> Result<Vec<Member>, ServiceError> {
    existing_user(store, user).await?;
    Ok(store.members_of_user(kind, user).await?)
}

/// Page `page` (from 1) of `limit` preferences of the user, in theme id order.
pub async fn preferences_page(
    store: &Store,
    user: UserId,
    page: usize,
    limit: usize,
) -> Result<Vec<Member>, ServiceError> {
    let all = of_user(store, TopicKind::Theme, user).await?;
    Ok(all
        .into_iter()
        .skip(paging::page_skip(page, limit))
        .take(limit)
        .collect())
}

/// Sets a new preference; one already there is a 409 (the original's duplicated value).
pub async fn create_preference(
    store: &Store,
    user: UserId,
    theme: u64,
    option: u8,
) -> Result<Member, ServiceError> {
    changeable_user(store, user).await?;
    existing_topic(store, TopicKind::Theme, theme).await?;
    let member = preference(user, theme, option);
    let taken = ServiceError::taken(UniqueField::Preference);
    write_member(store, TopicKind::Theme, member, Some(false), taken).await
}

/// Changes a preference that is set; 404 when there is none (as the original).
pub async fn update_preference(
    store: &Store,
    user: UserId,
    theme: u64,
    option: u8,
) -> Result<Member, ServiceError> {
    changeable_user(store, user).await?;
    let member = preference(user, theme, option);
    write_member(
        store,
        TopicKind::Theme,
        member,
        Some(true),
        ServiceError::NotFound,
    )
    .await
}

fn preference(user: UserId, theme: u64, option: u8) -> Member {
    Member {
        user,
        topic: theme,
        option: Some(option),
    }
}

/// Sets the user's option for every theme there is (creating the preferences not set yet), as
/// the original did; returns how many were set.
pub async fn set_all_preferences(
    store: &Store,
    user: UserId,
    option: u8,
) -> Result<usize, ServiceError> {
    changeable_user(store, user).await?;
    let mut set = 0;
    let mut skip = 0;
    loop {
        let themes = store.topic_page(TopicKind::Theme, skip, THEME_PAGE).await?;
        for theme in &themes {
            match store
                .put_member(TopicKind::Theme, preference(user, theme.id, option), None)
                .await
            {
                Ok(()) => set += 1,
                // A theme deleted meanwhile is skipped.
                Err(MemberWriteError::NoTopic) => {}
                Err(other) => return Err(refused(TopicKind::Theme, other)),
            }
        }
        if themes.len() < THEME_PAGE {
            return Ok(set);
        }
        skip += THEME_PAGE;
    }
}

/// The option the user gets for the theme: theirs, or everything when unset.
pub async fn effective_option(store: &Store, user: UserId, theme: u64) -> Result<u8, ServiceError> {
    Ok(store
        .get_member(TopicKind::Theme, user, theme)
        .await?
        .and_then(|member| member.option)
        .unwrap_or(DEFAULT_OPTION))
}

/// One page of a channel's subscribers after `after` (the send fan-out's walk).
pub async fn channel_subscribers(
    store: &Store,
    channel: u64,
    after: Option<UserId>,
    limit: usize,
) -> Result<MemberPage, ServiceError> {
    Ok(store
        .topic_members_page(TopicKind::Channel, channel, after, limit)
        .await?)
}

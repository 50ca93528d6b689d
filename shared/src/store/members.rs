//! What points at a channel or theme: a user's subscription to a channel and a user's
//! preference for a theme. Each lives in the user's partition (`SUBSCRIPTION#<channel:020>`,
//! `PREFERENCE#<theme:020>`), so a user's own are one Query and go with the user; each is also
//! in GSI1 under its channel (`CHANNEL#<c>`) or theme (`THEME#<t>`) with the user's id as sort
//! key, so a channel's subscribers (the send fan-out) and a theme's preferences are paged
//! through the index, never a Scan. A write checks, in the same transaction, that the user and
//! the channel (theme) exist and are not being deleted.

use super::items::{ENTITY_PREFERENCE, ENTITY_SUBSCRIPTION};
use super::plumbing::{key, number, Item, Part, QuerySpec, WriteError};
use super::{keys, Store, StoreError};
use crate::domain::{TopicKind, UserId};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnConsumedCapacity,
};

/// Why a subscription or preference was not written.
#[derive(Debug, thiserror::Error)]
pub enum MemberWriteError {
    /// The user is gone or being deleted.
    #[error("no such user")]
    NoUser,
    /// The channel (theme) is gone or being deleted.
    #[error("no such channel or theme")]
    NoTopic,
    /// A create found one already there, or an update or delete found none.
    #[error("the subscription or preference is (not) there")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user's subscription (`option: None`) or preference (`option: Some(mask)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub user: UserId,
    /// The channel or theme id.
    pub topic: u64,
    pub option: Option<u8>,
}

/// One page of a channel's subscribers (or a theme's preferences), and where the next starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub members: Vec<Member>,
    /// The last user of this page, to pass back for the next one; `None` after the last page.
    pub next: Option<UserId>,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn member_sk(kind: TopicKind, topic: u64) -> String {
    match kind {
        TopicKind::Channel => keys::subscription_sk(topic),
        TopicKind::Theme => keys::preference_sk(topic),
    }
}

fn sk_prefix(kind: TopicKind) -> &'static str {
    match kind {
        TopicKind::Channel => keys::SUBSCRIPTION_SK_PREFIX,
        TopicKind::Theme => keys::PREFERENCE_SK_PREFIX,
    }
}

/// The GSI1 partition of what points at the channel (theme).
pub fn members_pk(kind: TopicKind, topic: u64) -> String {
    match kind {
        TopicKind::Channel => keys::channel_members_pk(topic),
        TopicKind::Theme => keys::theme_members_pk(topic),
    }
}

fn topic_attribute(kind: TopicKind) -> &'static str {
    match kind {
        TopicKind::Channel => "channel_id",
        TopicKind::Theme => "theme_id",
    }
}

fn member_key(kind: TopicKind, user: UserId, topic: u64) -> Item {
    key(keys::user_pk(user), member_sk(kind, topic))
}

fn decode(kind: TopicKind, item: &Item) -> Result<Member, StoreError> {
    let user = number::<u64>(item, "user_id").ok_or(StoreError::MissingAttribute("user_id"))?;
    let topic = number::<u64>(item, topic_attribute(kind))
        .ok_or(StoreError::MissingAttribute("topic id"))?;
    Ok(Member {
        user: UserId::new(user),
        topic,
        option: number::<u8>(item, "option"),
    })
}

/// A user from a GSI1 sort key (`<user:020>`).
fn user_of_index_item(item: &Item) -> Result<UserId, StoreError> {
    match item.get(keys::GSI1SK) {
        Some(AttributeValue::S(text)) => text
            .parse::<u64>()
            .map(UserId::new)
            .map_err(|_| StoreError::MissingAttribute("GSI1SK")),
        _ => Err(StoreError::MissingAttribute("GSI1SK")),
    }
}

impl Store {
    /// Writes a subscription (`option: None`, replacing any) or a preference. `create: true`
    /// refuses one already there, `create: false` one not there, `None` either way.
    pub async fn put_member(
        &self,
        kind: TopicKind,
        member: Member,
        must_exist: Option<bool>,
    ) -> Result<(), MemberWriteError> {
        let mut item = member_key(kind, member.user, member.topic);
        item.insert(keys::GSI1PK.to_owned(), s(members_pk(kind, member.topic)));
        item.insert(
            keys::GSI1SK.to_owned(),
            s(keys::id_order_sk(member.user.get())),
        );
        item.insert(
            keys::ENTITY.to_owned(),
            s(match kind {
                TopicKind::Channel => ENTITY_SUBSCRIPTION,
                TopicKind::Theme => ENTITY_PREFERENCE,
            }),
        );
        item.insert("user_id".to_owned(), n(member.user.get()));
        item.insert(topic_attribute(kind).to_owned(), n(member.topic));
        if let Some(option) = member.option {
            item.insert("option".to_owned(), n(u64::from(option)));
        }
        let put = Put::builder().set_item(Some(item));
        let put = match must_exist {
            Some(false) => put.condition_expression("attribute_not_exists(PK)"),
            Some(true) => put.condition_expression("attribute_exists(PK)"),
            None => put,
        };
        let mut transaction = self.transaction();
        transaction
            .condition_check(
                Part::User,
                ConditionCheck::builder()
                    .set_key(Some(key(
                        keys::user_pk(member.user),
                        keys::PROFILE_SK.to_owned(),
                    )))
                    .condition_expression(
                        "attribute_exists(PK) AND attribute_not_exists(deleting)",
                    ),
            )?
            .condition_check(
                Part::Other,
                ConditionCheck::builder()
                    .set_key(Some(key(
                        keys::topics_pk(kind).to_owned(),
                        keys::topic_sk(kind, member.topic),
                    )))
                    .condition_expression(
                        "attribute_exists(PK) AND attribute_not_exists(deleting)",
                    ),
            )?
            .put(Part::Edge, put)?;
        transaction.commit().await.map_err(|error| match error {
            WriteError::ConditionFailed(parts) if parts.contains(&Part::User) => {
                MemberWriteError::NoUser
            }
            WriteError::ConditionFailed(parts) if parts.contains(&Part::Other) => {
                MemberWriteError::NoTopic
            }
            WriteError::ConditionFailed(_) => MemberWriteError::Conflict,
            WriteError::Store(error) => MemberWriteError::Store(error),
        })
    }

    /// The user's subscription to (preference for) `topic` (strongly consistent).
    pub async fn get_member(
        &self,
        kind: TopicKind,
        user: UserId,
        topic: u64,
    ) -> Result<Option<Member>, StoreError> {
        self.get(member_key(kind, user, topic))
            .await?
            .map(|item| decode(kind, &item))
            .transpose()
    }

    /// Deletes the user's subscription to (preference for) `topic`; `false` if there was none.
    pub async fn delete_member(
        &self,
        kind: TopicKind,
        user: UserId,
        topic: u64,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.transaction();
        transaction.delete(
            Part::Edge,
            Delete::builder()
                .set_key(Some(member_key(kind, user, topic)))
                .condition_expression("attribute_exists(PK)"),
        )?;
        match transaction.commit().await {
            Ok(()) => Ok(true),
            Err(WriteError::ConditionFailed(_)) => Ok(false),
            Err(WriteError::Store(error)) => Err(error),
        }
    }

    /// Every subscription (preference) of the user, in channel (theme) id order: one Query on
    /// their partition.
    pub async fn members_of_user(
        &self,
        kind: TopicKind,
        user: UserId,
    ) -> Result<Vec<Member>, StoreError> {
        let mut spec = QuerySpec::prefixed(keys::user_pk(user), sk_prefix(kind));
        spec.consistent = true;
        let mut found = Vec::new();
        self.query_each(&spec, None, |item| {
            found.push(decode(kind, &item)?);
            Ok(())
        })
        .await?;
        Ok(found)
    }

    /// The user's preferences for these themes, those there are (one BatchGetItem).
    pub async fn preferences_for(
        &self,
        user: UserId,
        themes: &[u64],
    ) -> Result<Vec<Member>, StoreError> {
        let wanted = themes
            .iter()
            .map(|theme| member_key(TopicKind::Theme, user, *theme))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|item| decode(TopicKind::Theme, item))
            .collect()
    }

    /// Each of these users' option for the theme, for those who set one (one BatchGetItem
    /// per 100 users).
    pub async fn preferences_of_users(
        &self,
        users: &[UserId],
        theme: u64,
    ) -> Result<std::collections::HashMap<UserId, u8>, StoreError> {
        let wanted = users
            .iter()
            .map(|user| member_key(TopicKind::Theme, *user, theme))
            .collect();
        let mut options = std::collections::HashMap::new();
        for item in self.batch_get(wanted).await? {
            let member = decode(TopicKind::Theme, &item)?;
            if let Some(option) = member.option {
                options.insert(member.user, option);
            }
        }
        Ok(options)
    }

    /// Sets the user's option for each of these themes (at most 30), all or none: one
    /// transaction that checks the user and every theme and puts each preference.
    pub async fn set_preferences(
        &self,
        user: UserId,
        options: &[(u64, u8)],
    ) -> Result<(), MemberWriteError> {
        let live = "attribute_exists(PK) AND attribute_not_exists(deleting)";
        let mut transaction = self.transaction();
        transaction.condition_check(
            Part::User,
            ConditionCheck::builder()
                .set_key(Some(key(keys::user_pk(user), keys::PROFILE_SK.to_owned())))
                .condition_expression(live),
        )?;
        for (theme, option) in options {
            let mut item = member_key(TopicKind::Theme, user, *theme);
            item.insert(
                keys::GSI1PK.to_owned(),
                s(members_pk(TopicKind::Theme, *theme)),
            );
            item.insert(keys::GSI1SK.to_owned(), s(keys::id_order_sk(user.get())));
            item.insert(keys::ENTITY.to_owned(), s(ENTITY_PREFERENCE));
            item.insert("user_id".to_owned(), n(user.get()));
            item.insert("theme_id".to_owned(), n(*theme));
            item.insert("option".to_owned(), n(u64::from(*option)));
            transaction
                .condition_check(
                    Part::Other,
                    ConditionCheck::builder()
                        .set_key(Some(key(
                            keys::topics_pk(TopicKind::Theme).to_owned(),
                            keys::topic_sk(TopicKind::Theme, *theme),
                        )))
                        .condition_expression(live),
                )?
                .put(Part::Edge, Put::builder().set_item(Some(item)))?;
        }
        transaction.commit().await.map_err(|error| match error {
            WriteError::ConditionFailed(parts) if parts.contains(&Part::User) => {
                MemberWriteError::NoUser
            }
            WriteError::ConditionFailed(_) => MemberWriteError::NoTopic,
            WriteError::Store(error) => MemberWriteError::Store(error),
        })
    }

    /// Up to `limit` users subscribed to the channel (with a preference for the theme) after
    /// `after`, in user id order: one Query on GSI1 (`CHANNEL#<c>` / `THEME#<t>`), started
    /// after the item of `after`. The send fan-out pages through a channel with this.
    pub async fn topic_members_page(
        &self,
        kind: TopicKind,
        topic: u64,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<MemberPage, StoreError> {
        let pk = members_pk(kind, topic);
        let start = after.map(|user| {
            let mut start = member_key(kind, user, topic);
            start.insert(keys::GSI1PK.to_owned(), s(pk.clone()));
            start.insert(keys::GSI1SK.to_owned(), s(keys::id_order_sk(user.get())));
            start
        });
        let output = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(pk))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::sdk("Query", e))?;
        let members = output
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| {
                Ok(Member {
                    user: user_of_index_item(item)?,
                    topic,
                    option: number::<u8>(item, "option"),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next = match output.last_evaluated_key {
            Some(_) => members.last().map(|member| member.user),
            None => None,
        };
        Ok(MemberPage { members, next })
    }

    /// Marks the channel (theme) as being deleted, so no subscription (preference) is added
    /// to it meanwhile; `false` if it is not there.
    pub async fn mark_topic_deleting(
        &self,
        kind: TopicKind,
        topic: u64,
    ) -> Result<bool, StoreError> {
        let update = self
            .update_item(key(
                keys::topics_pk(kind).to_owned(),
                keys::topic_sk(kind, topic),
            ))
            .update_expression("SET deleting = :yes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true));
        super::plumbing::held(super::plumbing::send_update(update).await)
    }

    /// Deletes every subscription to the channel (preference for the theme): pages of GSI1,
    /// each deleted with BatchWriteItem, until the last page.
    pub async fn delete_topic_members(
        &self,
        kind: TopicKind,
        topic: u64,
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            let page = self.topic_members_page(kind, topic, after, 100).await?;
            let doomed = page
                .members
                .iter()
                .map(|member| member_key(kind, member.user, topic))
                .collect::<Vec<_>>();
            if !doomed.is_empty() {
                self.delete_keys(doomed).await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(()),
            }
        }
    }
}

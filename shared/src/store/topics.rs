//! Push channels and themes. Each kind lives in one partition (`CHANNELS`, `THEMES`), so a
//! list is a Query on it in id order; a theme is also in GSI1 under its range. A name is
//! unique per kind (in any letter case) through its guard item, written in the same
//! transaction as the create, rename or delete.

use super::items::{TopicItem, TopicNameGuardItem};
use super::plumbing::{key, number, Guarded, Item, Part, QuerySpec, WriteError};
use super::{keys, Store, StoreError};
use crate::domain::{ThemeRange, Topic, TopicKind};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Update};

/// Why a channel or theme change was not written.
#[derive(Debug, thiserror::Error)]
pub enum TopicWriteError {
    /// Another channel (or theme) holds the name.
    #[error("the name is taken")]
    Taken,
    /// The item is gone or changed since it was read.
    #[error("the channel or theme changed meanwhile")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<WriteError<Vec<Part>>> for TopicWriteError {
    fn from(error: WriteError<Vec<Part>>) -> Self {
        match error {
            WriteError::ConditionFailed(parts)
                if parts.contains(&Part::Unique(Guarded::TopicName)) =>
            {
                TopicWriteError::Taken
            }
            WriteError::ConditionFailed(_) => TopicWriteError::Stale,
            WriteError::Store(error) => TopicWriteError::Store(error),
        }
    }
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn topic_key(kind: TopicKind, id: u64) -> Item {
    key(keys::topics_pk(kind).to_owned(), keys::topic_sk(kind, id))
}

fn decode(item: Item) -> Result<Topic, StoreError> {
    serde_dynamo::from_item::<_, TopicItem>(item)?.into_topic()
}

impl Store {
    /// The next channel (or theme) id, from its atomic counter.
    pub async fn next_topic_id(&self, kind: TopicKind) -> Result<u64, StoreError> {
        self.next_id(keys::topic_id_counter_pk(kind)).await
    }

    /// Writes a new channel or theme with its name guard, in one transaction.
    pub async fn create_topic(&self, topic: &Topic) -> Result<(), TopicWriteError> {
        let item = TopicItem::new(topic);
        let mut transaction = self.transaction();
        transaction
            .put_new(Part::Other, &item)?
            .put_new(Part::Unique(Guarded::TopicName), &item.guard(topic.kind))?;
        transaction.commit().await.map_err(TopicWriteError::from)
    }

    /// One channel or theme by id (strongly consistent).
    pub async fn get_topic(&self, kind: TopicKind, id: u64) -> Result<Option<Topic>, StoreError> {
        self.get(topic_key(kind, id)).await?.map(decode).transpose()
    }

    /// The channel or theme whose name is `canonical_name` (lower case): its guard, then it.
    pub async fn topic_by_name(
        &self,
        kind: TopicKind,
        canonical_name: &str,
    ) -> Result<Option<Topic>, StoreError> {
        let guard_key = key(
            keys::topic_name_guard_pk(kind, canonical_name),
            keys::GUARD_SK.to_owned(),
        );
        let Some(guard) = self.get(guard_key).await? else {
            return Ok(None);
        };
        let guard: TopicNameGuardItem = serde_dynamo::from_item(guard)?;
        self.get_topic(kind, guard.id).await
    }

    /// The ids of the channels (themes) with these names (lower case), by name; names with
    /// none are left out. One BatchGetItem of their guards.
    pub async fn topic_ids_by_names(
        &self,
        kind: TopicKind,
        canonical_names: &[&str],
    ) -> Result<std::collections::HashMap<String, u64>, StoreError> {
        let wanted = canonical_names
            .iter()
            .map(|name| {
                key(
                    keys::topic_name_guard_pk(kind, name),
                    keys::GUARD_SK.to_owned(),
                )
            })
            .collect();
        let mut ids = std::collections::HashMap::new();
        for item in self.batch_get(wanted).await? {
            let pk = match item.get(keys::PK) {
                Some(AttributeValue::S(pk)) => pk.clone(),
                _ => return Err(StoreError::MissingAttribute("PK")),
            };
            let guard: TopicNameGuardItem = serde_dynamo::from_item(item)?;
            if let Some(name) = canonical_names
                .iter()
                .find(|name| keys::topic_name_guard_pk(kind, name) == pk)
            {
                ids.insert((*name).to_owned(), guard.id);
            }
        }
        Ok(ids)
    }

    /// Replaces `old` (as read) by `new` (same kind and id): the item is rewritten only if
    /// its name is still the one read; a new name's guard is put and the old one deleted in
    /// the same transaction.
    pub async fn update_topic(&self, old: &Topic, new: &Topic) -> Result<(), TopicWriteError> {
        let item = TopicItem::new(new);
        let old_lower = old.name.canonical();
        let expression = if item.range.is_some() {
            "SET #name = :name, name_lower = :lower, #range = :range, GSI1PK = :gsi1pk"
        } else {
            "SET #name = :name, name_lower = :lower"
        };
        let mut update = Update::builder()
            .set_key(Some(topic_key(new.kind, new.id)))
            .update_expression(expression)
            .condition_expression("attribute_exists(PK) AND name_lower = :old")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(item.name.clone()))
            .expression_attribute_values(":lower", s(item.name_lower.clone()))
            .expression_attribute_values(":old", s(old_lower.clone()));
        if let (Some(range), Some(gsi1pk)) = (&item.range, &item.gsi1pk) {
            update = update
                .expression_attribute_names("#range", "range")
                .expression_attribute_values(":range", s(range.clone()))
                .expression_attribute_values(":gsi1pk", s(gsi1pk.clone()));
        }
        let mut transaction = self.transaction();
        transaction.update(Part::User, update)?;
        if item.name_lower != old_lower {
            transaction
                .put_new(Part::Unique(Guarded::TopicName), &item.guard(new.kind))?
                .delete(
                    Part::Other,
                    Delete::builder()
                        .set_key(Some(key(
                            keys::topic_name_guard_pk(old.kind, &old_lower),
                            keys::GUARD_SK.to_owned(),
                        )))
                        .condition_expression("id = :id")
                        .expression_attribute_values(":id", n(old.id)),
                )?;
        }
        transaction.commit().await.map_err(TopicWriteError::from)
    }

    /// Deletes `topic` (as read) and its name guard in one transaction.
    pub async fn delete_topic(&self, topic: &Topic) -> Result<(), TopicWriteError> {
        let mut transaction = self.transaction();
        transaction
            .delete(
                Part::User,
                Delete::builder()
                    .set_key(Some(topic_key(topic.kind, topic.id)))
                    .condition_expression("name_lower = :old")
                    .expression_attribute_values(":old", s(topic.name.canonical())),
            )?
            .delete(
                Part::Other,
                Delete::builder()
                    .set_key(Some(key(
                        keys::topic_name_guard_pk(topic.kind, &topic.name.canonical()),
                        keys::GUARD_SK.to_owned(),
                    )))
                    .condition_expression("id = :id")
                    .expression_attribute_values(":id", n(topic.id)),
            )?;
        transaction.commit().await.map_err(TopicWriteError::from)
    }

    /// `limit` channels (or themes) in id order after the first `skip`: a Query on their
    /// partition reading `skip + limit` items at most.
    pub async fn topic_page(
        &self,
        kind: TopicKind,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<Topic>, StoreError> {
        let spec = QuerySpec::partition(keys::topics_pk(kind).to_owned());
        let mut seen = 0usize;
        let mut page = Vec::new();
        self.query_each(&spec, Some(skip.saturating_add(limit)), |item| {
            seen += 1;
            if seen > skip {
                page.push(decode(item)?);
            }
            Ok(())
        })
        .await?;
        Ok(page)
    }

    /// `limit` themes of `range` in id order after the first `skip`: their ids from a Query
    /// on GSI1, then the themes (one BatchGetItem).
    pub async fn themes_in_range(
        &self,
        range: ThemeRange,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<Topic>, StoreError> {
        let spec = QuerySpec {
            index: Some(keys::GSI1),
            key_condition: "GSI1PK = :pk",
            names: Vec::new(),
            values: vec![(":pk", s(keys::themes_in_range_pk(range)))],
            forward: true,
            consistent: false,
        };
        let mut seen = 0usize;
        let mut ids = Vec::new();
        self.query_each(&spec, Some(skip.saturating_add(limit)), |item| {
            seen += 1;
            if seen > skip {
                ids.push(number::<u64>(&item, "id").ok_or(StoreError::MissingAttribute("id"))?);
            }
            Ok(())
        })
        .await?;
        let wanted = ids
            .iter()
            .map(|id| topic_key(TopicKind::Theme, *id))
            .collect();
        let mut themes = self
            .batch_get(wanted)
            .await?
            .into_iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()?;
        // A theme moved to another range since the index was read is left out.
        themes.retain(|theme| theme.range == Some(range));
        themes.sort_by_key(|theme| theme.id);
        Ok(themes)
    }
}

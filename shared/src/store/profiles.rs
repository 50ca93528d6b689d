//! Profile updates: only profile attributes are written (never counters, which follows change
//! concurrently), under the condition that the profile is as it was read.

use super::items::{GuardItem, UserItem};
use super::sessions::key;
use super::{keys, Store, StoreError};
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use std::collections::HashMap;

/// The attributes a profile update writes; everything else on the item is left alone.
const PROFILE_ATTRIBUTES: &[&str] = &[
    "first_name",
    "last_name",
    "bio",
    "avatar",
    "email",
    "email_lower",
    "display_name",
    "phone",
    "gender",
    "country",
    "country_id",
    "city_id",
    "photo",
    "address",
    "birthday",
    "search_text",
    "GSI2SK",
    "GSI3SK",
    "GSI4SK",
    "updated_at",
    "revision",
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileUpdateError {
    #[error("the new e-mail belongs to another user")]
    EmailTaken,
    #[error("the profile changed since it was read")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    pub async fn get_users(&self, ids: &[UserId]) -> Result<Vec<UserItem>, StoreError> {
        let mut users = Vec::new();
        for chunk in ids.chunks(100) {
            let wanted = chunk
                .iter()
                .map(|id| key(keys::user_pk(*id), keys::PROFILE_SK.to_owned()))
                .collect();
            for item in self.batch_get(wanted).await? {
                users.push(serde_dynamo::from_item(item)?);
            }
        }
        Ok(users)
    }

    /// Writes `after`'s profile attributes over `before`'s, if the stored profile is still at
    /// `before`'s revision; moves the e-mail guard in the same transaction if it changed.
    pub async fn update_profile(
        &self,
        before: &UserItem,
        after: &UserItem,
    ) -> Result<(), ProfileUpdateError> {
        let id = UserId::new(after.id);
        let mut values: HashMap<String, AttributeValue> =
            serde_dynamo::to_item(after).map_err(StoreError::from)?;
        let mut names = HashMap::new();
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        for (i, attribute) in PROFILE_ATTRIBUTES.iter().enumerate() {
            names.insert(format!("#a{i}"), (*attribute).to_owned());
            match values.remove(*attribute) {
                Some(value) => {
                    sets.push(format!("#a{i} = :v{i}"));
                    values.insert(format!(":v{i}"), value);
                }
                None => removes.push(format!("#a{i}")),
            }
        }
        values.retain(|k, _| k.starts_with(':'));
        names.insert("#seen_revision".to_owned(), "revision".to_owned());
        let condition = if before.revision == 0 {
            "attribute_exists(PK) AND attribute_not_exists(#seen_revision) AND attribute_not_exists(deleting)"
        } else {
            values.insert(
                ":seen".to_owned(),
                AttributeValue::N(before.revision.to_string()),
            );
            "attribute_exists(PK) AND #seen_revision = :seen AND attribute_not_exists(deleting)"
        };
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let update = Update::builder()
            .table_name(self.table_name())
            .set_key(Some(key(keys::user_pk(id), keys::PROFILE_SK.to_owned())))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(StoreError::from)?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        let email_changed = before.email_lower != after.email_lower;
        if email_changed {
            if !after.email_lower.is_empty() {
                let guard = serde_dynamo::to_item(GuardItem::email(&after.email_lower, id))
                    .map_err(StoreError::from)?;
                items.push(self.conditional_put(guard)?);
            }
            if !before.email_lower.is_empty() {
                let delete = Delete::builder()
                    .table_name(self.table_name())
                    .set_key(Some(key(
                        keys::email_guard_pk(&before.email_lower),
                        keys::GUARD_SK.to_owned(),
                    )))
                    .build()
                    .map_err(StoreError::from)?;
                items.push(TransactWriteItem::builder().delete(delete).build());
            }
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let codes: Vec<&str> = cancelled
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None"))
                        .collect();
                    if email_changed && codes.get(1) == Some(&"ConditionalCheckFailed") {
                        Err(ProfileUpdateError::EmailTaken)
                    } else {
                        Err(ProfileUpdateError::Stale)
                    }
                }
                other => Err(StoreError::sdk("TransactWriteItems", other).into()),
            },
        }
    }
}

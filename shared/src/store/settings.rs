//! A user's campaign settings, kept on the user item: language, categories, networks,
//! privacy.

use super::items::PrivacyItem;
use super::plumbing::{held, key, send_update, to_item};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{PrivacySettings, UserId};
use aws_sdk_dynamodb::types::AttributeValue;

/// What one settings request changes; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub language: Option<String>,
    pub categories: Option<Vec<String>>,
    pub networks: Option<Vec<String>>,
    pub privacy: Option<PrivacySettings>,
}

impl SettingsChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

fn list(values: &[String]) -> AttributeValue {
    AttributeValue::L(values.iter().cloned().map(AttributeValue::S).collect())
}

impl Store {
    /// Writes the settings `change` names (one UpdateItem); `false` if there is no such user.
    pub async fn update_settings(
        &self,
        user: UserId,
        change: &SettingsChange,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut sets = vec!["updated_at = :now"];
        let mut update = self
            .update_item(key(keys::user_pk(user), keys::PROFILE_SK.to_owned()))
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()));
        if let Some(language) = &change.language {
            sets.push("#language = :language");
            update = update
                .expression_attribute_names("#language", "language")
                .expression_attribute_values(":language", AttributeValue::S(language.clone()));
        }
        if let Some(categories) = &change.categories {
            sets.push("categories = :categories");
            update = update.expression_attribute_values(":categories", list(categories));
        }
        if let Some(networks) = &change.networks {
            sets.push("networks = :networks");
            update = update.expression_attribute_values(":networks", list(networks));
        }
        if let Some(privacy) = change.privacy {
            sets.push("privacy = :privacy");
            let map = to_item(&PrivacyItem::from(privacy))?;
            update = update.expression_attribute_values(":privacy", AttributeValue::M(map));
        }
        let update = update.update_expression(format!("SET {}", sets.join(", ")));
        held(send_update(update).await)
    }
}

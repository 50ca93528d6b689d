//! What staff do to a user (ban, unban, end every session), each written in one transaction
//! with its audit entry; and the audit trail, which the API only ever adds to.

use super::items::ENTITY_AUDIT;
use super::plumbing::{key, to_item, Part, QuerySpec, WriteError};
use super::{keys, Store, StoreError};
use crate::domain::{Actor, AuditEntry, Ban, StaffAction, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, Update};
use serde::{Deserialize, Serialize};

/// One stored audit entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AuditItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    user_id: u64,
    at: String,
    actor: String,
    action: String,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl AuditItem {
    fn new(entry: &AuditEntry) -> Result<Self, StoreError> {
        let at = entry.at.to_rfc3339();
        let nonce = crate::auth::random_token(6).map_err(|_| StoreError::Invalid {
            attribute: "SK",
            reason: "no random bytes for an audit key".into(),
        })?;
        Ok(Self {
            pk: keys::audit_pk(entry.user_id),
            sk: keys::audit_sk(written_nanos(), &nonce),
            entity: ENTITY_AUDIT.to_owned(),
            user_id: entry.user_id.get(),
            at,
            actor: entry.actor.text(),
            action: entry.action.as_str().to_owned(),
            reason: entry.reason.clone(),
            detail: entry.detail.clone(),
        })
    }

    fn entry(self) -> Result<AuditEntry, StoreError> {
        let invalid = |attribute, text: &str| StoreError::Invalid {
            attribute,
            reason: format!("{text:?} is not readable"),
        };
        Ok(AuditEntry {
            user_id: UserId::new(self.user_id),
            at: super::items::timestamp("at", &self.at)?,
            actor: Actor::parse(&self.actor).ok_or_else(|| invalid("actor", &self.actor))?,
            action: StaffAction::parse(&self.action)
                .ok_or_else(|| invalid("action", &self.action))?,
            reason: self.reason,
            detail: self.detail,
        })
    }
}

/// Nanoseconds since the epoch, for the order of a trail's entries.
fn written_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A change staff make to a user item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    /// Sets the ban and ends every token the user holds.
    Ban(Ban),
    /// Lifts a ban.
    Unban,
    /// Ends every token the user holds.
    EndTokens,
    /// Nothing on the user: only the entry is written (the user must exist).
    None,
}

impl Store {
    /// Applies `change` to the user `entry` names and appends `entry` to their trail, in one
    /// transaction. `false` when there is no such user (or it is being deleted).
    pub async fn apply_staff_change(
        &self,
        change: &StaffChange,
        entry: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let user = key(keys::user_pk(entry.user_id), keys::PROFILE_SK.to_owned());
        let exists = "attribute_exists(PK) AND attribute_not_exists(deleting)";
        let one = || AttributeValue::N("1".to_owned());
        let mut transaction = self.transaction();
        match change {
            StaffChange::Ban(ban) => {
                let mut update = Update::builder()
                    .set_key(Some(user))
                    .condition_expression(exists)
                    .expression_attribute_values(":reason", AttributeValue::S(ban.reason.clone()))
                    .expression_attribute_values(
                        ":since",
                        AttributeValue::S(ban.since.to_rfc3339()),
                    )
                    .expression_attribute_values(":one", one());
                update = match ban.until {
                    Some(until) => update
                        .update_expression(
                            "SET ban_reason = :reason, banned_at = :since, banned_until = :until \
                             ADD token_version :one",
                        )
                        .expression_attribute_values(
                            ":until",
                            AttributeValue::S(until.to_rfc3339()),
                        ),
                    None => update.update_expression(
                        "SET ban_reason = :reason, banned_at = :since \
                         REMOVE banned_until ADD token_version :one",
                    ),
                };
                transaction.update(Part::User, update)?;
            }
            StaffChange::Unban => {
                transaction.update(
                    Part::User,
                    Update::builder()
                        .set_key(Some(user))
                        .condition_expression(exists)
                        .update_expression("REMOVE ban_reason, banned_at, banned_until"),
                )?;
            }
            StaffChange::EndTokens => {
                transaction.update(
                    Part::User,
                    Update::builder()
                        .set_key(Some(user))
                        .condition_expression(exists)
                        .update_expression("ADD token_version :one")
                        .expression_attribute_values(":one", one()),
                )?;
            }
            StaffChange::None => {
                transaction.condition_check(
                    Part::User,
                    aws_sdk_dynamodb::types::ConditionCheck::builder()
                        .set_key(Some(user))
                        .condition_expression(exists),
                )?;
            }
        }
        transaction.put(
            Part::Other,
            Put::builder()
                .set_item(Some(to_item(&AuditItem::new(entry)?)?))
                .condition_expression("attribute_not_exists(PK)"),
        )?;
        match transaction.commit().await {
            Ok(()) => Ok(true),
            Err(WriteError::ConditionFailed(parts)) if parts.contains(&Part::User) => Ok(false),
            Err(other) => Err(other.unexpected("TransactWriteItems")),
        }
    }

    /// A user's audit trail, oldest first.
    pub async fn audit_trail(&self, user_id: UserId) -> Result<Vec<AuditEntry>, StoreError> {
        let spec = QuerySpec::partition(keys::audit_pk(user_id));
        let mut entries = Vec::new();
        self.query_each(&spec, None, |item| {
            let stored: AuditItem = serde_dynamo::from_item(item)?;
            entries.push(stored.entry()?);
            Ok(())
        })
        .await?;
        Ok(entries)
    }
}

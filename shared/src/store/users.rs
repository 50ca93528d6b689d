//! Users, their uniqueness guards and the id counter.

use super::items::{GuardItem, SessionItem, UserItem};
use super::{conflict_backoff, keys, Store, StoreError, TRANSACTION_ATTEMPTS};
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use std::collections::HashMap;

const NOT_EXISTS: &str = "attribute_not_exists(PK)";

/// Why a new user was not written.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("username or e-mail already taken")]
    Taken { username: bool, email: bool },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// The next numeric user id (an atomic counter; gaps are possible, reuse is not).
    pub async fn next_user_id(&self) -> Result<UserId, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(self.table_name())
            .key(
                keys::PK,
                AttributeValue::S(keys::USER_ID_COUNTER_PK.to_owned()),
            )
            .key(keys::SK, AttributeValue::S(keys::COUNTER_SK.to_owned()))
            .update_expression("ADD #value :one SET #entity = :entity")
            .expression_attribute_names("#value", "value")
            .expression_attribute_names("#entity", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":entity", AttributeValue::S("COUNTER".to_owned()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        let value = output
            .attributes()
            .and_then(|a| a.get("value"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or(StoreError::MissingAttribute("value"))?;
        Ok(UserId::new(value))
    }

    /// Writes the user, both uniqueness guards and the first session in one transaction:
    /// either all four exist afterwards or none does.
    pub async fn create_user(
        &self,
        user: &UserItem,
        session: &SessionItem,
    ) -> Result<(), CreateUserError> {
        let puts = [
            serde_dynamo::to_item(user).map_err(StoreError::from)?,
            serde_dynamo::to_item(GuardItem::username(
                &user.username_lower,
                UserId::new(user.id),
            ))
            .map_err(StoreError::from)?,
            serde_dynamo::to_item(GuardItem::email(&user.email_lower, UserId::new(user.id)))
                .map_err(StoreError::from)?,
            serde_dynamo::to_item(session).map_err(StoreError::from)?,
        ];
        let items = puts
            .into_iter()
            .map(|item| self.conditional_put(item))
            .collect::<Result<Vec<_>, _>>()?;

        for attempt in 0..TRANSACTION_ATTEMPTS {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let service_error = error.into_service_error();
            if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &service_error
            {
                let codes: Vec<&str> = cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None"))
                    .collect();
                let failed = |i: usize| codes.get(i) == Some(&"ConditionalCheckFailed");
                if failed(1) || failed(2) {
                    return Err(CreateUserError::Taken {
                        username: failed(1),
                        email: failed(2),
                    });
                }
                if codes.contains(&"TransactionConflict") {
                    conflict_backoff(attempt).await;
                    continue;
                }
            }
            return Err(StoreError::sdk("TransactWriteItems", service_error).into());
        }
        Err(StoreError::Contended.into())
    }

    /// The user id a username (canonical form) belongs to.
    pub async fn user_id_by_username(
        &self,
        canonical_username: &str,
    ) -> Result<Option<UserId>, StoreError> {
        self.guard_owner(keys::username_guard_pk(canonical_username))
            .await
    }

    /// The user id an e-mail (canonical form) belongs to.
    pub async fn user_id_by_email(
        &self,
        canonical_email: &str,
    ) -> Result<Option<UserId>, StoreError> {
        self.guard_owner(keys::email_guard_pk(canonical_email))
            .await
    }

    pub async fn get_user(&self, id: UserId) -> Result<Option<UserItem>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(keys::user_pk(id)))
            .key(keys::SK, AttributeValue::S(keys::PROFILE_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(StoreError::from)
    }

    async fn guard_owner(&self, pk: String) -> Result<Option<UserId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name())
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(keys::GUARD_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        let guard: Option<GuardItem> = output.item.map(serde_dynamo::from_item).transpose()?;
        Ok(guard.map(|g| UserId::new(g.user_id)))
    }

    pub(super) fn conditional_put(
        &self,
        item: HashMap<String, AttributeValue>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(self.table_name())
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

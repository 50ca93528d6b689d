//! E-mail verification codes: stored hashed, a bounded number of attempts, single use.

use super::items::EmailCodeItem;
use super::sessions::key;
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::UserId;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};

/// A new code was not stored: the last one was sent less than the resend interval ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSendRefused {
    /// When the last code was sent (epoch seconds).
    pub sent_at: i64,
}

impl Store {
    /// Stores a new code for the user, replacing the old one, unless the old one was sent after
    /// `resend_cutoff` (a race-free resend interval).
    pub async fn put_email_code(
        &self,
        code: &EmailCodeItem,
        resend_cutoff: Timestamp,
    ) -> Result<Result<(), CodeSendRefused>, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(serde_dynamo::to_item(code)?))
            .condition_expression("attribute_not_exists(PK) OR sent_at <= :cutoff")
            .expression_attribute_values(
                ":cutoff",
                AttributeValue::N(resend_cutoff.unix().to_string()),
            )
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Ok(())),
            Err(e) => match e.into_service_error() {
                PutItemError::ConditionalCheckFailedException(failed) => {
                    let sent_at = failed
                        .item()
                        .and_then(|item| item.get("sent_at"))
                        .and_then(|v| v.as_n().ok())
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| Timestamp::now().unix());
                    Ok(Err(CodeSendRefused { sent_at }))
                }
                other => Err(StoreError::sdk("PutItem", other)),
            },
        }
    }

    /// Counts one attempt against the user's code and returns it, if it is unexpired and has
    /// attempts left; `None` otherwise (no code, expired, or out of attempts).
    pub async fn attempt_email_code(
        &self,
        user_id: UserId,
        max_attempts: u32,
        now: Timestamp,
    ) -> Result<Option<EmailCodeItem>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::EMAIL_CODE_SK.to_owned(),
            )))
            .update_expression("ADD attempts :one")
            .condition_expression("attribute_exists(PK) AND attempts < :max AND expires_at > :now")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":max", AttributeValue::N(max_attempts.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now.unix().to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => Ok(output.attributes.map(serde_dynamo::from_item).transpose()?),
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(None),
                other => Err(StoreError::sdk("UpdateItem", other)),
            },
        }
    }

    /// Uses up the code (it must still be the one with `code_hash`) and marks the user's e-mail
    /// verified, in one transaction. `false` if the code was used or replaced meanwhile.
    pub async fn consume_email_code(
        &self,
        user_id: UserId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let delete = Delete::builder()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::EMAIL_CODE_SK.to_owned(),
            )))
            .condition_expression("code_hash = :hash")
            .expression_attribute_values(":hash", AttributeValue::S(code_hash.to_owned()))
            .build()?;
        let verify = Update::builder()
            .table_name(self.table_name())
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression("SET email_verified = :yes, updated_at = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()))
            .build()?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .transact_items(TransactWriteItem::builder().update(verify).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(_) => Ok(false),
                other => Err(StoreError::sdk("TransactWriteItems", other)),
            },
        }
    }
}

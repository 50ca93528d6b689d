//! E-mail verification codes: stored hashed, a bounded number of attempts, single use.

use super::items::EmailCodeItem;
use super::plumbing::{
    classify, held, key, number, retrying, send_update, to_item, Attempt, Part, WriteError,
};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{EmailCode, UserId};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, Update,
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
        code: &EmailCode,
        resend_cutoff: Timestamp,
    ) -> Result<Result<(), CodeSendRefused>, StoreError> {
        let item = EmailCodeItem {
            attempts: code.attempts,
            ..EmailCodeItem::new(
                code.user_id,
                code.code_hash.clone(),
                code.sent_at,
                code.expires_at,
            )
        };
        let put = self
            .put_item(to_item(&item)?)
            .condition_expression("attribute_not_exists(PK) OR sent_at <= :cutoff")
            .expression_attribute_values(
                ":cutoff",
                AttributeValue::N(resend_cutoff.unix().to_string()),
            )
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let result = retrying(|| async {
            match put.clone().send().await.map_err(|e| e.into_service_error()) {
                Ok(_) => Ok(()),
                Err(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let sent_at = failed
                        .item()
                        .and_then(|item| number(item, "sent_at"))
                        .unwrap_or_else(|| Timestamp::now().unix());
                    Err(Attempt::Refused(CodeSendRefused { sent_at }))
                }
                Err(other) => Err(
                    classify("PutItem", other).map_refusal(|()| CodeSendRefused {
                        sent_at: Timestamp::now().unix(),
                    }),
                ),
            }
        })
        .await;
        match result {
            Ok(()) => Ok(Ok(())),
            Err(WriteError::ConditionFailed(refused)) => Ok(Err(refused)),
            Err(WriteError::Store(error)) => Err(error),
        }
    }

    /// Counts one attempt against the user's code and returns it, if it is unexpired and has
    /// attempts left; `None` otherwise (no code, expired, or out of attempts).
    pub async fn attempt_email_code(
        &self,
        user_id: UserId,
        max_attempts: u32,
        now: Timestamp,
    ) -> Result<Option<EmailCode>, StoreError> {
        let update = self
            .update_item(key(keys::user_pk(user_id), keys::EMAIL_CODE_SK.to_owned()))
            .update_expression("ADD attempts :one")
            .condition_expression("attribute_exists(PK) AND attempts < :max AND expires_at > :now")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .expression_attribute_values(":max", AttributeValue::N(max_attempts.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now.unix().to_string()))
            .return_values(ReturnValue::AllNew);
        let result = send_update(update).await;
        match result {
            Ok(output) => {
                let item: Option<EmailCodeItem> =
                    output.attributes.map(serde_dynamo::from_item).transpose()?;
                Ok(item.map(EmailCode::from))
            }
            Err(WriteError::ConditionFailed(())) => Ok(None),
            Err(WriteError::Store(error)) => Err(error),
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
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::EMAIL_CODE_SK.to_owned(),
            )))
            .condition_expression("code_hash = :hash")
            .expression_attribute_values(":hash", AttributeValue::S(code_hash.to_owned()));
        let verify = Update::builder()
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression("SET email_verified = :yes, updated_at = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()));
        let mut transaction = self.transaction();
        transaction
            .delete(Part::Other, delete)?
            .update(Part::User, verify)?;
        held(
            transaction
                .commit()
                .await
                .map_err(|e| e.map_condition(drop)),
        )
    }
}

//! App (server-to-server) credentials.

use super::items::AppCredentialItem;
use super::sessions::key;
use super::{keys, Store, StoreError};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

impl Store {
    pub async fn put_app_credential(&self, app: &AppCredentialItem) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(serde_dynamo::to_item(app)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }

    pub async fn get_app_credential(
        &self,
        app_id: &str,
    ) -> Result<Option<AppCredentialItem>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(key(keys::APPS_PK.to_owned(), keys::app_sk(app_id))))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        Ok(output.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Every credential, revoked ones included (a Query of the one `APPS` partition).
    pub async fn list_app_credentials(&self) -> Result<Vec<AppCredentialItem>, StoreError> {
        let mut apps = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(self.table_name())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::APPS_PK.to_owned()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            for item in output.items.unwrap_or_default() {
                apps.push(serde_dynamo::from_item(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(apps);
            }
        }
    }

    /// Revokes a credential; `false` if there is no such credential.
    pub async fn revoke_app_credential(&self, app_id: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(key(keys::APPS_PK.to_owned(), keys::app_sk(app_id))))
            .update_expression("SET revoked = :yes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(StoreError::sdk("UpdateItem", other)),
            },
        }
    }
}

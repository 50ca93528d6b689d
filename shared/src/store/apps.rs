//! App (server-to-server) credentials.

use super::items::AppCredentialItem;
use super::plumbing::{held, key, send_put, send_update, to_item, QuerySpec};
use super::{keys, Store, StoreError};
use crate::domain::AppCredential;
use aws_sdk_dynamodb::types::AttributeValue;

impl Store {
    /// Stores a new credential; an app id in use already is an error.
    pub async fn put_app_credential(&self, app: &AppCredential) -> Result<(), StoreError> {
        let put = self
            .put_item(to_item(&AppCredentialItem::from(app))?)
            .condition_expression("attribute_not_exists(PK)");
        send_put(put).await.map_err(|e| e.unexpected("PutItem"))
    }

    pub async fn get_app_credential(
        &self,
        app_id: &str,
    ) -> Result<Option<AppCredential>, StoreError> {
        let item = self
            .get(key(keys::APPS_PK.to_owned(), keys::app_sk(app_id)))
            .await?;
        let item: Option<AppCredentialItem> = item.map(serde_dynamo::from_item).transpose()?;
        item.map(AppCredential::try_from).transpose()
    }

    /// Every credential, revoked ones included (a Query of the one `APPS` partition).
    pub async fn list_app_credentials(&self) -> Result<Vec<AppCredential>, StoreError> {
        let mut apps = Vec::new();
        let spec = QuerySpec::partition(keys::APPS_PK.to_owned());
        self.query_each(&spec, None, |item| {
            let item: AppCredentialItem = serde_dynamo::from_item(item)?;
            apps.push(AppCredential::try_from(item)?);
            Ok(())
        })
        .await?;
        Ok(apps)
    }

    /// Revokes a credential; `false` if there is no such credential.
    pub async fn revoke_app_credential(&self, app_id: &str) -> Result<bool, StoreError> {
        let update = self
            .update_item(key(keys::APPS_PK.to_owned(), keys::app_sk(app_id)))
            .update_expression("SET revoked = :yes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true));
        held(send_update(update).await)
    }
}

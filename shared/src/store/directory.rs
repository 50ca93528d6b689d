//! The user directory: users in sign-up order, read from GSI1 (`GSI1PK = USERS`).

use super::items::UserItem;
use super::{keys, Store, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;

/// Items asked for per Query call while walking the index.
const QUERY_PAGE: usize = 200;

impl Store {
    /// `take` users after the first `skip`, oldest first (or newest first). Reads the skipped
    /// entries too: the cost of a page grows with its depth.
    pub async fn users_in_signup_order(
        &self,
        skip: usize,
        take: usize,
        newest_first: bool,
    ) -> Result<Vec<UserItem>, StoreError> {
        let wanted = skip + take;
        let mut seen = 0;
        let mut users = Vec::with_capacity(take);
        let mut start = None;
        while seen < wanted {
            let output = self
                .client
                .query()
                .table_name(self.table_name())
                .index_name(keys::GSI1)
                .key_condition_expression("GSI1PK = :directory")
                .expression_attribute_values(
                    ":directory",
                    AttributeValue::S(keys::USER_DIRECTORY.to_owned()),
                )
                .scan_index_forward(!newest_first)
                .limit(i32::try_from((wanted - seen).min(QUERY_PAGE)).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Query", e))?;
            for item in output.items.unwrap_or_default() {
                if seen >= skip && seen < wanted {
                    users.push(serde_dynamo::from_item(item)?);
                }
                seen += 1;
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(users)
    }
}

//! Send jobs: a multicast or broadcast send, worked off a page of recipients at a time by the
//! delivery worker. The job keeps its place (the last user reached); each recipient's
//! notification is written with a guard (`SENDJOB#<job>` / `<user>`), so a page worked twice
//! reaches nobody twice.

use super::items::ENTITY_SEND_JOB;
use super::plumbing::{key, to_item, QuerySpec};
use super::{keys, Store, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

/// Whom a send job reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The subscribers of a channel.
    Channel(u64),
    /// Every user with a preference for the theme.
    Theme,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendJob {
    pub id: u64,
    pub theme_id: u64,
    pub theme_name: String,
    pub audience: Audience,
    pub subject: String,
    pub message: String,
    /// The last user reached, in id order; `None` (no attribute) before the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    #[serde(default)]
    pub reached: u64,
    pub created_at: String,
}

#[derive(Serialize)]
struct SendJobItem<'a> {
    #[serde(rename = "PK")]
    pk: &'static str,
    #[serde(rename = "SK")]
    sk: String,
    entity: &'static str,
    #[serde(flatten)]
    job: &'a SendJob,
}

fn job_key(id: u64) -> super::plumbing::Item {
    key(keys::SEND_JOBS_PK.to_owned(), keys::send_job_sk(id))
}

impl Store {
    /// A new send job id.
    pub async fn next_send_job_id(&self) -> Result<u64, StoreError> {
        Ok(*self.next_ids(keys::SEND_JOB_ID_COUNTER_PK, 1).await?.end())
    }

    /// Writes a new send job.
    pub async fn create_send_job(&self, job: &SendJob) -> Result<(), StoreError> {
        let item = SendJobItem {
            pk: keys::SEND_JOBS_PK,
            sk: keys::send_job_sk(job.id),
            entity: ENTITY_SEND_JOB,
            job,
        };
        self.put_item(to_item(&item)?)
            .send()
            .await
            .map(drop)
            .map_err(|e| StoreError::sdk("PutItem", e))
    }

    /// The send jobs not finished yet, oldest first.
    pub async fn send_jobs(&self) -> Result<Vec<SendJob>, StoreError> {
        let spec = QuerySpec::partition(keys::SEND_JOBS_PK.to_owned());
        let mut jobs = Vec::new();
        self.query_each(&spec, None, |item| {
            jobs.push(serde_dynamo::from_item(item)?);
            Ok(())
        })
        .await?;
        Ok(jobs)
    }

    /// Moves the job past a page: to `after`, having reached `reached` more users. Only
    /// from where it was (`from`), so two workers cannot both move it; `false` if another did.
    pub async fn advance_send_job(
        &self,
        id: u64,
        from: Option<u64>,
        after: u64,
        reached: u64,
    ) -> Result<bool, StoreError> {
        let update = self
            .update_item(job_key(id))
            .update_expression("SET #after = :after ADD reached :reached")
            .expression_attribute_names("#after", "after")
            .expression_attribute_values(":after", AttributeValue::N(after.to_string()))
            .expression_attribute_values(":reached", AttributeValue::N(reached.to_string()));
        let update = match from {
            Some(from) => update
                .condition_expression("#after = :from")
                .expression_attribute_values(":from", AttributeValue::N(from.to_string())),
            None => {
                update.condition_expression("attribute_exists(PK) AND attribute_not_exists(#after)")
            }
        };
        super::plumbing::held(super::plumbing::send_update(update).await)
    }

    /// Removes a finished job.
    pub async fn finish_send_job(&self, id: u64) -> Result<(), StoreError> {
        self.delete_keys(vec![job_key(id)]).await
    }
}

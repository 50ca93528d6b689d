//! Creates on the local stack what `template.yaml` declares: the table (keys, indexes, TTL)
//! on DynamoDB Local, the topic on moto, and an SQS queue subscribed to the topic so tests
//! and developers can read what was published.

use crate::template::TableDef;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

#[derive(Debug, thiserror::Error)]
#[error("{what}: {detail}")]
pub struct ProvisionError {
    what: &'static str,
    detail: String,
}

fn fail<E: std::error::Error + 'static>(what: &'static str) -> impl FnOnce(E) -> ProvisionError {
    move |e| ProvisionError {
        what,
        detail: DisplayErrorContext(&e).to_string(),
    }
}

fn key_schema(keys: &[crate::template::KeyDef]) -> Vec<KeySchemaElement> {
    keys.iter()
        .filter_map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .ok()
        })
        .collect()
}

/// Creates `table_name` with the template's definition; an existing table is left as it is.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    table_name: &str,
    table: &TableDef,
) -> Result<(), ProvisionError> {
    let exists = client
        .describe_table()
        .table_name(table_name)
        .send()
        .await
        .is_ok();
    if exists {
        return Ok(());
    }
    let attributes = table
        .attributes
        .iter()
        .map(|(name, kind)| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail("attribute definitions"))?;
    let indexes = table
        .indexes
        .iter()
        .map(|index| {
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.keys)))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.as_str()))
                        .set_non_key_attributes(
                            (!index.non_key_attributes.is_empty())
                                .then(|| index.non_key_attributes.clone()),
                        )
                        .build(),
                )
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail("index definitions"))?;
    client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&table.keys)))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .send()
        .await
        .map_err(fail("CreateTable"))?;
    if let Some(attribute) = &table.ttl_attribute {
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(true)
            .build()
            .map_err(fail("TTL specification"))?;
        client
            .update_time_to_live()
            .table_name(table_name)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(fail("UpdateTimeToLive"))?;
    }
    Ok(())
}

/// Creates (or finds) the topic and returns its ARN.
pub async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> Result<String, ProvisionError> {
    let output = sns
        .create_topic()
        .name(name)
        .send()
        .await
        .map_err(fail("CreateTopic"))?;
    output.topic_arn.ok_or(ProvisionError {
        what: "CreateTopic",
        detail: "no topic ARN returned".into(),
    })
}

/// Creates a queue, subscribes it to the topic with raw delivery off (the SNS envelope,
/// message attributes included, arrives in the SQS body) and returns the queue URL.
pub async fn subscribe_queue(
    sns: &aws_sdk_sns::Client,
    sqs: &aws_sdk_sqs::Client,
    topic_arn: &str,
    queue_name: &str,
) -> Result<String, ProvisionError> {
    let queue_url = sqs
        .create_queue()
        .queue_name(queue_name)
        .send()
        .await
        .map_err(fail("CreateQueue"))?
        .queue_url
        .ok_or(ProvisionError {
            what: "CreateQueue",
            detail: "no queue URL returned".into(),
        })?;
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(fail("GetQueueAttributes"))?;
    let queue_arn = attributes
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .cloned()
        .ok_or(ProvisionError {
            what: "GetQueueAttributes",
            detail: "no queue ARN returned".into(),
        })?;
    sns.subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .map_err(fail("Subscribe"))?;
    Ok(queue_url)
}

//! The `delivery` worker: not behind the API. DynamoDB Streams wakes it when an outbox entry
//! or a send job is written, and a schedule runs it every minute for retries; either way it
//! runs one sweep (`service::delivery::sweep`): send-job pages, then every outbox entry due.

use users_shared::clock::Timestamp;
use users_shared::config::{Config, ConfigError};
use users_shared::notify::Notifier;
use users_shared::service::delivery::{self, DeadLetters, Sweep};
use users_shared::service::ServiceError;
use users_shared::store::Store;

/// What the worker builds once per cold start.
#[derive(Debug)]
pub struct Worker {
    pub store: Store,
    pub notifier: Notifier,
    pub dead_letters: Option<DeadLetters>,
}

impl Worker {
    /// From the environment: the table, `TOPIC_ARN`, and (optional) `DEAD_LETTER_QUEUE_URL`,
    /// `ANDROID_PLATFORM_APPLICATION_ARN` and `IOS_PLATFORM_APPLICATION_ARN`.
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let dead_letters = std::env::var("DEAD_LETTER_QUEUE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .map(|queue_url| DeadLetters {
                client: aws_sdk_sqs::Client::new(sdk),
                queue_url,
            });
        // Smartphones go straight to SNS platform endpoints where an application is set.
        let notifier = config.notifier(sdk)?.with_platform_apps(
            std::env::var("ANDROID_PLATFORM_APPLICATION_ARN").ok(),
            std::env::var("IOS_PLATFORM_APPLICATION_ARN").ok(),
        );
        Ok(Self {
            store: config.store(sdk),
            notifier,
            dead_letters,
        })
    }

    /// One sweep at the current time: what any event (a stream batch or the schedule's
    /// tick) does. A failed sweep fails the invocation, so the stream retries the batch.
    pub async fn handle(
        &self,
        _event: lambda_http::lambda_runtime::LambdaEvent<serde_json::Value>,
    ) -> Result<serde_json::Value, ServiceError> {
        let report = self.sweep().await?;
        tracing::info!(?report, "sweep done");
        Ok(serde_json::json!({
            "delivered": report.delivered,
            "retried": report.retried,
            "dead": report.dead,
            "job_pages": report.job_pages,
        }))
    }

    /// One sweep at the current time.
    pub async fn sweep(&self) -> Result<Sweep, ServiceError> {
        delivery::sweep(
            &self.store,
            &self.notifier,
            self.dead_letters.as_ref(),
            Timestamp::now(),
        )
        .await
    }
}

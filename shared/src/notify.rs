//! Publishing to the notifications topic. Subscribers filter on the message attributes
//! `channel` (email | android | ios), `type` and `user_id`.

use crate::domain::UserId;
use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sns::types::MessageAttributeValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Android,
    Ios,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Android, Channel::Ios];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Android => "android",
            Channel::Ios => "ios",
        }
    }
}

/// One message for one user on one channel. `Debug` leaves out the body (it can carry a
/// one-time code).
#[derive(Clone)]
pub struct Message {
    pub channel: Channel,
    pub kind: std::borrow::Cow<'static, str>,
    pub user_id: UserId,
    pub body: serde_json::Value,
    /// Sent as the attribute `idempotency_key`: the same for every attempt at one delivery,
    /// so a subscriber can drop a message it has seen.
    pub idempotency_key: Option<String>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("channel", &self.channel)
            .field("kind", &self.kind)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("SNS Publish failed: {0}")]
pub struct NotifyError(String);

/// The topic and the client that reaches it; and, where configured, the SNS platform
/// applications smartphones are published to directly (their device tokens become platform
/// endpoints).
#[derive(Clone)]
pub struct Notifier {
    /// The SNS client, made on its first use (or given).
    client: std::sync::Arc<std::sync::OnceLock<aws_sdk_sns::Client>>,
    /// What the client is made from when it was not given.
    sdk: aws_config::SdkConfig,
    topic_arn: String,
    android_app: Option<String>,
    ios_app: Option<String>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("topic_arn", &self.topic_arn)
            .field("android_app", &self.android_app)
            .field("ios_app", &self.ios_app)
            .finish()
    }
}

fn attribute(data_type: &str, value: String) -> Result<MessageAttributeValue, NotifyError> {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .map_err(|e| NotifyError(e.to_string()))
}

impl Notifier {
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client: std::sync::Arc::new(std::sync::OnceLock::from(client)),
            sdk: aws_config::SdkConfig::builder().build(),
            topic_arn: topic_arn.into(),
            android_app: None,
            ios_app: None,
        }
    }

    /// Publishes to `topic_arn` with a client made from `sdk` on the first publish: a function
    /// whose requests publish nothing does not build it at its cold start.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, topic_arn: impl Into<String>) -> Self {
        Self {
            client: std::sync::Arc::default(),
            sdk: sdk.clone(),
            topic_arn: topic_arn.into(),
            android_app: None,
            ios_app: None,
        }
    }

    fn client(&self) -> &aws_sdk_sns::Client {
        self.client
            .get_or_init(|| aws_sdk_sns::Client::new(&self.sdk))
    }

    /// Publishes android and ios messages straight to each device's platform endpoint of
    /// these platform applications (an empty ARN: that channel goes through the topic).
    pub fn with_platform_apps(mut self, android: Option<String>, ios: Option<String>) -> Self {
        self.android_app = android.filter(|arn| !arn.is_empty());
        self.ios_app = ios.filter(|arn| !arn.is_empty());
        self
    }

    /// The platform application a channel's devices are published to, if one is configured.
    pub fn platform_app(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Android => self.android_app.as_deref(),
            Channel::Ios => self.ios_app.as_deref(),
            Channel::Email => None,
        }
    }

    /// Publishes the message to one device: its platform endpoint under `app` (created, or
    /// found again, from the device's token), with the same attributes as on the topic.
    pub async fn publish_to_device(
        &self,
        app: &str,
        token: &str,
        message: &Message,
    ) -> Result<String, NotifyError> {
        let endpoint = self
            .client()
            .create_platform_endpoint()
            .platform_application_arn(app)
            .token(token)
            .send()
            .await
            .map_err(|e| NotifyError(DisplayErrorContext(&e).to_string()))?
            .endpoint_arn
            .ok_or_else(|| NotifyError("no endpoint ARN".into()))?;
        self.send(self.client().publish().target_arn(&endpoint), message)
            .await?;
        Ok(endpoint)
    }

    /// Publishes the message; the body is never logged (it can carry a one-time code).
    pub async fn publish(&self, message: &Message) -> Result<(), NotifyError> {
        self.send(self.client().publish().topic_arn(&self.topic_arn), message)
            .await
    }

    async fn send(
        &self,
        publish: aws_sdk_sns::operation::publish::builders::PublishFluentBuilder,
        message: &Message,
    ) -> Result<(), NotifyError> {
        let mut publish = publish;
        if let Some(key) = &message.idempotency_key {
            publish =
                publish.message_attributes("idempotency_key", attribute("String", key.clone())?);
        }
        publish
            .message(message.body.to_string())
            .message_attributes(
                "channel",
                attribute("String", message.channel.as_str().to_owned())?,
            )
            .message_attributes("type", attribute("String", message.kind.to_string())?)
            .message_attributes("user_id", attribute("Number", message.user_id.to_string())?)
            .send()
            .await
            .map_err(|e| NotifyError(DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

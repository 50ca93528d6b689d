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

/// The topic and the client that reaches it.
#[derive(Clone)]
pub struct Notifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("topic_arn", &self.topic_arn)
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
            client,
            topic_arn: topic_arn.into(),
        }
    }

    /// Publishes the message; the body is never logged (it can carry a one-time code).
    pub async fn publish(&self, message: &Message) -> Result<(), NotifyError> {
        let mut publish = self.client.publish();
        if let Some(key) = &message.idempotency_key {
            publish =
                publish.message_attributes("idempotency_key", attribute("String", key.clone())?);
        }
        publish
            .topic_arn(&self.topic_arn)
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

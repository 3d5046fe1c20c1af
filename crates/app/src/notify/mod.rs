//! Notifications (通知): messages the use cases write into the outbox with their change,
//! the dispatcher that delivers them afterwards (inbox, SMS gateway, webhook), and the
//! officer's inbox behind the bell.

mod dispatcher;
mod inbox;

pub use dispatcher::OutboxWake;
pub use inbox::{NotificationList, NotificationView};

use chrono::{DateTime, Utc};
use frontline_core::outbox::Channel;
use frontline_store::NewMessage;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An inbox message as it waits in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InboxPayload {
    pub(crate) kind: String,
    pub(crate) title_zh: String,
    pub(crate) title_en: String,
    pub(crate) body: String,
    pub(crate) link: Option<String>,
}

/// A message for `officer`'s inbox, delivered once under `key`.
pub(crate) fn to_inbox(
    officer: Uuid,
    key: String,
    payload: &InboxPayload,
    now: DateTime<Utc>,
) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        created_at: now,
        channel: Channel::Inbox.as_str().into(),
        recipient: officer.to_string(),
        idempotency_key: key,
        payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
    }
}

/// A JSON document for the configured webhook, delivered under `key`.
pub(crate) fn to_webhook(key: String, body: &serde_json::Value, now: DateTime<Utc>) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        created_at: now,
        channel: Channel::Webhook.as_str().into(),
        recipient: "default".into(),
        idempotency_key: key,
        payload: body.to_string(),
    }
}

/// A text message to `phone` through the SMS gateway, delivered under `key`.
pub fn to_sms(phone: &str, text: &str, key: String, now: DateTime<Utc>) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        created_at: now,
        channel: Channel::Sms.as_str().into(),
        recipient: phone.into(),
        idempotency_key: key,
        payload: serde_json::json!({ "text": text }).to_string(),
    }
}

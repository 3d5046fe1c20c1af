//! The outbox and the in-app inbox: messages written with the business change that
//! caused them, then claimed, delivered and marked by the dispatcher (at least once;
//! the receiver de-duplicates by the idempotency key).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;

pub(crate) mod pg;
pub(crate) mod sqlite;

/// A message to deliver after the transaction that writes it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// `inbox`, `sms` or `webhook`.
    pub channel: String,
    /// An officer id (inbox), a phone number (sms), a webhook name.
    pub recipient: String,
    pub idempotency_key: String,
    /// The channel's content as JSON.
    pub payload: String,
}

/// A claimed message: the claimer delivers it before `lease_until`, then completes or
/// fails it. `attempts` counts this attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    pub id: Uuid,
    pub channel: String,
    pub recipient: String,
    pub idempotency_key: String,
    pub payload: String,
    pub attempts: i32,
}

/// One row of an officer's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: Uuid,
    pub officer_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub body: String,
    pub link: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub idempotency_key: String,
}

/// Where the outbox stands (for operators and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

const CLAIM_COLS: &str = "id, channel, recipient, idempotency_key, payload, attempts";
const NOTIFICATION_COLS: &str =
    "id, officer_id, created_at, kind, title_zh, title_en, body, link, read_at, idempotency_key";

store_methods! {
    /// Claims up to `limit` due messages for a lease until `lease_until`: each due
    /// message goes to exactly one of concurrent claimers (SKIP LOCKED on PostgreSQL,
    /// the single writer on SQLite); a message whose lease ran out is due again.
    pub async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>>;
    /// Marks a claimed message delivered.
    pub async fn complete_message(&self, id: Uuid, now: DateTime<Utc>) -> Result<()>;
    /// Records a failed attempt: due again at `retry_at`, or given up when `None`.
    pub async fn fail_message(
        &self,
        id: Uuid,
        retry_at: Option<DateTime<Utc>>,
        error: String,
    ) -> Result<()>;
    /// Delivers an inbox message: inserts the notification (once per idempotency key)
    /// and marks the message delivered, atomically.
    pub async fn deliver_notification(
        &self,
        message_id: Uuid,
        n: NotificationRow,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Enqueues messages outside any business change (operators, tests).
    pub async fn enqueue_messages(&self, messages: Vec<NewMessage>) -> Result<()>;
    pub async fn outbox_counts(&self) -> Result<OutboxCounts>;
    /// An officer's notifications, newest first.
    pub async fn notifications(
        &self,
        officer_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NotificationRow>>;
    pub async fn unread_notifications(&self, officer_id: Uuid) -> Result<i64>;
    /// Marks one of the officer's notifications read; false when it is not theirs.
    pub async fn mark_notification_read(
        &self,
        officer_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

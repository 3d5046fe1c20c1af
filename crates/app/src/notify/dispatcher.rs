//! The outbox dispatcher inside `serve`: claims due messages (exclusively, for a lease),
//! delivers each through its channel and marks it done, or schedules a retry with
//! back-off. At least once: a crash between delivery and marking delivers again under
//! the same idempotency key, which the inbox (and a well-behaved gateway) de-duplicates.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use frontline_core::outbox::{Channel, LEASE, retry_delay};
use frontline_store::{ClaimedMessage, NotificationRow};
use tokio::sync::Notify;
use uuid::Uuid;

use super::InboxPayload;
use crate::{App, AppError, Result};

/// Wakes the dispatcher at once after a write that enqueued messages (other instances
/// find them on their next poll).
#[derive(Debug, Default)]
pub struct OutboxWake(Notify);

impl OutboxWake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Messages claimed per round.
const BATCH: i64 = 64;
/// How often an idle dispatcher looks for due messages written by other instances.
const POLL: StdDuration = StdDuration::from_millis(500);

impl App {
    /// Delivers messages until the task is dropped.
    pub async fn run_outbox(self, wake: Arc<OutboxWake>) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox round failed"),
            }
            let _ = tokio::time::timeout(POLL, wake.0.notified()).await;
        }
    }

    /// One round: claims due messages and delivers them; returns how many were claimed.
    pub async fn deliver_due(&self) -> Result<usize> {
        let now = self.now();
        let batch = self.store.claim_messages(now, now + LEASE, BATCH).await?;
        let n = batch.len();
        for m in batch {
            let id = m.id;
            let attempts = m.attempts;
            if let Err(e) = self.deliver(m).await {
                let retry = retry_delay(attempts).map(|d| self.now() + d);
                tracing::warn!(message = %id, attempts, error = %e, gave_up = retry.is_none(), "delivery failed");
                self.store.fail_message(id, retry, e.to_string()).await?;
            }
        }
        Ok(n)
    }

    async fn deliver(&self, m: ClaimedMessage) -> Result<()> {
        let now = self.now();
        match Channel::parse(&m.channel) {
            Some(Channel::Inbox) => {
                let p: InboxPayload = serde_json::from_str(&m.payload)
                    .map_err(|e| AppError::Internal(format!("inbox payload: {e}")))?;
                let officer = Uuid::parse_str(&m.recipient)
                    .map_err(|e| AppError::Internal(format!("inbox recipient: {e}")))?;
                self.store
                    .deliver_notification(
                        m.id,
                        NotificationRow {
                            id: Uuid::now_v7(),
                            officer_id: officer,
                            created_at: now,
                            kind: p.kind,
                            title_zh: p.title_zh,
                            title_en: p.title_en,
                            body: p.body,
                            link: p.link,
                            read_at: None,
                            idempotency_key: m.idempotency_key,
                        },
                        now,
                    )
                    .await?;
                Ok(())
            }
            Some(Channel::Sms) => {
                let url = self
                    .config
                    .sms_gateway_url
                    .as_deref()
                    .ok_or_else(|| AppError::Internal("no SMS gateway configured".into()))?;
                let text: serde_json::Value = serde_json::from_str(&m.payload)
                    .map_err(|e| AppError::Internal(format!("sms payload: {e}")))?;
                let body = serde_json::json!({
                    "to": m.recipient,
                    "text": text.get("text").cloned().unwrap_or_default(),
                    "id": m.idempotency_key,
                });
                self.post(url, &m.idempotency_key, &body).await?;
                self.store.complete_message(m.id, now).await?;
                Ok(())
            }
            Some(Channel::Webhook) => {
                let url = self
                    .config
                    .webhook_url
                    .as_deref()
                    .ok_or_else(|| AppError::Internal("no webhook configured".into()))?;
                let body: serde_json::Value = serde_json::from_str(&m.payload)
                    .map_err(|e| AppError::Internal(format!("webhook payload: {e}")))?;
                self.post(url, &m.idempotency_key, &body).await?;
                self.store.complete_message(m.id, now).await?;
                Ok(())
            }
            None => Err(AppError::Internal(format!("unknown channel {}", m.channel))),
        }
    }

    /// POSTs JSON with the idempotency key; anything but 2xx is a failed attempt.
    async fn post(&self, url: &str, key: &str, body: &serde_json::Value) -> Result<()> {
        let r = self
            .http
            .post(url)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .map_err(|e| AppError::Internal(format!("POST {url}: {e}")))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(AppError::Internal(format!("POST {url}: {}", r.status())))
        }
    }
}

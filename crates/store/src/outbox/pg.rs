use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    CLAIM_COLS, ClaimedMessage, NOTIFICATION_COLS, NewMessage, NotificationRow, OutboxCounts,
};
use crate::engine::pg::PgStore;
use crate::{Result, truncate_micros};

/// Writes messages inside the caller's transaction (the business change's own).
pub(crate) async fn insert_messages(c: &impl GenericClient, messages: &[NewMessage]) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let st = c
        .prepare_cached(
            "INSERT INTO outbox (id, created_at, channel, recipient, idempotency_key, payload,
                                 next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $2)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .await?;
    for m in messages {
        c.execute(
            &st,
            &[
                &m.id,
                &truncate_micros(m.created_at),
                &m.channel,
                &m.recipient,
                &m.idempotency_key,
                &m.payload,
            ],
        )
        .await?;
    }
    Ok(())
}

fn claimed_from_row(r: &Row) -> Result<ClaimedMessage> {
    Ok(ClaimedMessage {
        id: r.try_get(0)?,
        channel: r.try_get(1)?,
        recipient: r.try_get(2)?,
        idempotency_key: r.try_get(3)?,
        payload: r.try_get(4)?,
        attempts: r.try_get(5)?,
    })
}

fn notification_from_row(r: &Row) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.try_get(0)?,
        officer_id: r.try_get(1)?,
        created_at: r.try_get(2)?,
        kind: r.try_get(3)?,
        title_zh: r.try_get(4)?,
        title_en: r.try_get(5)?,
        body: r.try_get(6)?,
        link: r.try_get(7)?,
        read_at: r.try_get(8)?,
        idempotency_key: r.try_get(9)?,
    })
}

// Outbox bookkeeping needs no audit entry and no group commit: each statement runs on a
// pooled connection of its own, so instances claim side by side.
impl PgStore {
    pub(crate) async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1
                 WHERE id IN (
                     SELECT id FROM outbox
                     WHERE delivered_at IS NULL AND NOT dead AND next_attempt_at <= $2
                       AND (claimed_until IS NULL OR claimed_until <= $2)
                     ORDER BY next_attempt_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING {CLAIM_COLS}"
            ))
            .await?;
        c.query(
            &st,
            &[
                &truncate_micros(lease_until),
                &truncate_micros(now),
                &limit.clamp(1, 1000),
            ],
        )
        .await?
        .iter()
        .map(claimed_from_row)
        .collect()
    }

    pub(crate) async fn complete_message(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let c = self.pool.get().await?;
        c.execute(
            "UPDATE outbox SET delivered_at = $1, claimed_until = NULL WHERE id = $2",
            &[&truncate_micros(now), &id],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn fail_message(
        &self,
        id: Uuid,
        retry_at: Option<DateTime<Utc>>,
        error: String,
    ) -> Result<()> {
        let c = self.pool.get().await?;
        match retry_at {
            Some(t) => {
                c.execute(
                    "UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL, last_error = $2
                     WHERE id = $3",
                    &[&truncate_micros(t), &error, &id],
                )
                .await?
            }
            None => {
                c.execute(
                    "UPDATE outbox SET dead = TRUE, claimed_until = NULL, last_error = $1
                     WHERE id = $2",
                    &[&error, &id],
                )
                .await?
            }
        };
        Ok(())
    }

    pub(crate) async fn deliver_notification(
        &self,
        message_id: Uuid,
        n: NotificationRow,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        tx.execute(
            &format!(
                "INSERT INTO notifications ({NOTIFICATION_COLS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (idempotency_key) DO NOTHING"
            ),
            &[
                &n.id,
                &n.officer_id,
                &truncate_micros(n.created_at),
                &n.kind,
                &n.title_zh,
                &n.title_en,
                &n.body,
                &n.link,
                &n.read_at.map(truncate_micros),
                &n.idempotency_key,
            ],
        )
        .await?;
        tx.execute(
            "UPDATE outbox SET delivered_at = $1, claimed_until = NULL WHERE id = $2",
            &[&truncate_micros(now), &message_id],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn enqueue_messages(&self, messages: Vec<NewMessage>) -> Result<()> {
        let c = self.pool.get().await?;
        insert_messages(&c, &messages).await
    }

    pub(crate) async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let c = self.pool.get().await?;
        let r = c
            .query_one(
                "SELECT
                     COUNT(*) FILTER (WHERE delivered_at IS NULL AND NOT dead),
                     COUNT(*) FILTER (WHERE delivered_at IS NOT NULL),
                     COUNT(*) FILTER (WHERE dead)
                 FROM outbox",
                &[],
            )
            .await?;
        Ok(OutboxCounts {
            pending: r.try_get(0)?,
            delivered: r.try_get(1)?,
            dead: r.try_get(2)?,
        })
    }

    pub(crate) async fn notifications(
        &self,
        officer_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NotificationRow>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {NOTIFICATION_COLS} FROM notifications WHERE officer_id = $1
                 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
            ))
            .await?;
        c.query(&st, &[&officer_id, &limit.clamp(1, 200), &offset.max(0)])
            .await?
            .iter()
            .map(notification_from_row)
            .collect()
    }

    pub(crate) async fn unread_notifications(&self, officer_id: Uuid) -> Result<i64> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(
                "SELECT COUNT(*) FROM notifications WHERE officer_id = $1 AND read_at IS NULL",
            )
            .await?;
        Ok(c.query_one(&st, &[&officer_id]).await?.try_get(0)?)
    }

    pub(crate) async fn mark_notification_read(
        &self,
        officer_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let c = self.pool.get().await?;
        let n = c
            .execute(
                "UPDATE notifications SET read_at = COALESCE(read_at, $1)
                 WHERE id = $2 AND officer_id = $3",
                &[&truncate_micros(now), &id, &officer_id],
            )
            .await?;
        Ok(n == 1)
    }
}

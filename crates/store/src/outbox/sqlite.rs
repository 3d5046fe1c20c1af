use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};
use uuid::Uuid;

use super::{
    CLAIM_COLS, ClaimedMessage, NOTIFICATION_COLS, NewMessage, NotificationRow, OutboxCounts,
};
use crate::engine::sqlite::SqliteStore;
use crate::{Result, from_micros, micros};

/// Writes messages inside the caller's transaction (the business change's own).
pub(crate) fn insert_messages(c: &Connection, messages: &[NewMessage]) -> Result<()> {
    for m in messages {
        c.prepare_cached(
            "INSERT INTO outbox (id, created_at, channel, recipient, idempotency_key, payload,
                                 next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?2)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )?
        .execute(params![
            m.id,
            micros(m.created_at),
            m.channel,
            m.recipient,
            m.idempotency_key,
            m.payload
        ])?;
    }
    Ok(())
}

fn claimed_from_row(r: &Row<'_>) -> rusqlite::Result<ClaimedMessage> {
    Ok(ClaimedMessage {
        id: r.get(0)?,
        channel: r.get(1)?,
        recipient: r.get(2)?,
        idempotency_key: r.get(3)?,
        payload: r.get(4)?,
        attempts: r.get(5)?,
    })
}

fn notification_from_row(r: &Row<'_>) -> rusqlite::Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.get(0)?,
        officer_id: r.get(1)?,
        created_at: from_micros(r.get(2)?),
        kind: r.get(3)?,
        title_zh: r.get(4)?,
        title_en: r.get(5)?,
        body: r.get(6)?,
        link: r.get(7)?,
        read_at: r.get::<_, Option<i64>>(8)?.map(from_micros),
        idempotency_key: r.get(9)?,
    })
}

impl SqliteStore {
    pub(crate) async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>> {
        // The single writer makes select-and-claim atomic.
        self.write(move |c, _| {
            let mut st = c.prepare_cached(&format!(
                "UPDATE outbox SET claimed_until = ?1, attempts = attempts + 1
                 WHERE id IN (
                     SELECT id FROM outbox
                     WHERE delivered_at IS NULL AND dead = 0 AND next_attempt_at <= ?2
                       AND (claimed_until IS NULL OR claimed_until <= ?2)
                     ORDER BY next_attempt_at LIMIT ?3)
                 RETURNING {CLAIM_COLS}"
            ))?;
            let rows = st.query_map(
                params![micros(lease_until), micros(now), limit.clamp(1, 1000)],
                claimed_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn complete_message(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.write(move |c, _| {
            c.prepare_cached(
                "UPDATE outbox SET delivered_at = ?1, claimed_until = NULL WHERE id = ?2",
            )?
            .execute(params![micros(now), id])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn fail_message(
        &self,
        id: Uuid,
        retry_at: Option<DateTime<Utc>>,
        error: String,
    ) -> Result<()> {
        self.write(move |c, _| {
            match retry_at {
                Some(t) => c
                    .prepare_cached(
                        "UPDATE outbox SET next_attempt_at = ?1, claimed_until = NULL,
                             last_error = ?2 WHERE id = ?3",
                    )?
                    .execute(params![micros(t), error, id])?,
                None => c
                    .prepare_cached(
                        "UPDATE outbox SET dead = 1, claimed_until = NULL, last_error = ?1
                         WHERE id = ?2",
                    )?
                    .execute(params![error, id])?,
            };
            Ok(())
        })
        .await
    }

    pub(crate) async fn deliver_notification(
        &self,
        message_id: Uuid,
        n: NotificationRow,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(move |c, _| {
            c.prepare_cached(&format!(
                "INSERT INTO notifications ({NOTIFICATION_COLS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (idempotency_key) DO NOTHING"
            ))?
            .execute(params![
                n.id,
                n.officer_id,
                micros(n.created_at),
                n.kind,
                n.title_zh,
                n.title_en,
                n.body,
                n.link,
                n.read_at.map(micros),
                n.idempotency_key
            ])?;
            c.prepare_cached(
                "UPDATE outbox SET delivered_at = ?1, claimed_until = NULL WHERE id = ?2",
            )?
            .execute(params![micros(now), message_id])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn enqueue_messages(&self, messages: Vec<NewMessage>) -> Result<()> {
        self.write(move |c, _| insert_messages(c, &messages)).await
    }

    pub(crate) async fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT
                     COALESCE(SUM(delivered_at IS NULL AND dead = 0), 0),
                     COALESCE(SUM(delivered_at IS NOT NULL), 0),
                     COALESCE(SUM(dead), 0)
                 FROM outbox",
                [],
                |r| {
                    Ok(OutboxCounts {
                        pending: r.get(0)?,
                        delivered: r.get(1)?,
                        dead: r.get(2)?,
                    })
                },
            )?)
        })
        .await
    }

    pub(crate) async fn notifications(
        &self,
        officer_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NotificationRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {NOTIFICATION_COLS} FROM notifications WHERE officer_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3"
            ))?;
            let rows = st.query_map(
                params![officer_id, limit.clamp(1, 200), offset.max(0)],
                notification_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn unread_notifications(&self, officer_id: Uuid) -> Result<i64> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT COUNT(*) FROM notifications WHERE officer_id = ?1 AND read_at IS NULL",
            )?
            .query_row([officer_id], |r| r.get(0))?)
        })
        .await
    }

    pub(crate) async fn mark_notification_read(
        &self,
        officer_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write(move |c, _| {
            let n = c
                .prepare_cached(
                    "UPDATE notifications SET read_at = COALESCE(read_at, ?1)
                     WHERE id = ?2 AND officer_id = ?3",
                )?
                .execute(params![micros(now), id, officer_id])?;
            Ok(n == 1)
        })
        .await
    }
}

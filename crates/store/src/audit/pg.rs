use deadpool_postgres::GenericClient;
use frontline_core::audit::{AuditRecord, GENESIS, chain_hash};
use tokio_postgres::Row;

use super::{AUDIT_COLS, AuditDraft, AuditRow};
use crate::Result;
use crate::engine::ChainHead;
use crate::engine::pg::PgStore;

/// Appends `d` after `head` inside the caller's transaction and advances `head`.
pub(crate) async fn append(
    c: &impl GenericClient,
    head: &mut ChainHead,
    d: &AuditDraft,
) -> Result<i64> {
    let prev_hash = head.hash.clone();
    let rec = d.record(head.seq + 1);
    let hash = chain_hash(&prev_hash, &rec);
    // Cached prepared statements: one round trip per statement instead of two.
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO audit_log ({AUDIT_COLS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .await?;
    c.execute(
        &st,
        &[
            &rec.seq,
            &rec.at,
            &rec.actor_id,
            &rec.actor,
            &rec.action,
            &rec.object_type,
            &rec.object_id,
            &rec.purpose,
            &rec.detail,
            &prev_hash,
            &hash,
        ],
    )
    .await?;
    head.seq = rec.seq;
    head.hash = hash;
    Ok(rec.seq)
}

fn audit_from_row(r: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        record: AuditRecord {
            seq: r.try_get(0)?,
            at: r.try_get(1)?,
            actor_id: r.try_get(2)?,
            actor: r.try_get(3)?,
            action: r.try_get(4)?,
            object_type: r.try_get(5)?,
            object_id: r.try_get(6)?,
            purpose: r.try_get(7)?,
            detail: r.try_get(8)?,
        },
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

impl PgStore {
    pub(crate) async fn append_audit(&self, audit: AuditDraft) -> Result<i64> {
        self.write(false, move |tx, head| {
            Box::pin(async move { append(tx, head, &audit).await })
        })
        .await
    }

    pub(crate) async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT {AUDIT_COLS}
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                &[&after, &limit],
            )
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    pub(crate) async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let c = self.pool.get().await?;
        let r = c
            .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .await?;
        let (seq, hash): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        Ok(if seq == 0 && hash == GENESIS {
            None
        } else {
            Some((seq, hash))
        })
    }
}

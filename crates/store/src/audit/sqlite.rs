use frontline_core::audit::{AuditRecord, GENESIS, chain_hash};
use rusqlite::{Connection, Row, params};

use super::{AUDIT_COLS, AuditDraft, AuditRow};
use crate::engine::ChainHead;
use crate::engine::sqlite::SqliteStore;
use crate::{Result, from_micros, micros};

/// Appends `d` after `head` inside the caller's transaction and advances `head`.
pub(crate) fn append(conn: &Connection, head: &mut ChainHead, d: &AuditDraft) -> Result<i64> {
    let rec = d.record(head.seq + 1);
    let hash = chain_hash(&head.hash, &rec);
    conn.prepare_cached(&format!(
        "INSERT INTO audit_log ({AUDIT_COLS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(params![
        rec.seq,
        micros(rec.at),
        rec.actor_id,
        rec.actor,
        rec.action,
        rec.object_type,
        rec.object_id,
        rec.purpose,
        rec.detail,
        head.hash,
        hash
    ])?;
    head.seq = rec.seq;
    head.hash = hash;
    Ok(rec.seq)
}

fn audit_from_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        record: AuditRecord {
            seq: r.get(0)?,
            at: from_micros(r.get(1)?),
            actor_id: r.get(2)?,
            actor: r.get(3)?,
            action: r.get(4)?,
            object_type: r.get(5)?,
            object_id: r.get(6)?,
            purpose: r.get(7)?,
            detail: r.get(8)?,
        },
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

impl SqliteStore {
    pub(crate) async fn append_audit(&self, audit: AuditDraft) -> Result<i64> {
        self.write(move |c, head| append(c, head, &audit)).await
    }

    pub(crate) async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {AUDIT_COLS}
                 FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = st.query_map(params![after, limit], audit_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        self.read(|c| {
            let (seq, hash): (i64, String) =
                c.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok(if seq == 0 && hash == GENESIS {
                None
            } else {
                Some((seq, hash))
            })
        })
        .await
    }
}

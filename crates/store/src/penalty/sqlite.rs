use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::{NewPenaltyStandard, PenaltyStandardRow, select_all, select_with_text};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::{AuditDraft, Result, StoreError, from_micros, micros};

fn penalty_standard_from_row(r: &Row<'_>) -> rusqlite::Result<PenaltyStandardRow> {
    Ok(PenaltyStandardRow {
        id: r.get(0)?,
        name: r.get(1)?,
        version: r.get(2)?,
        uploaded_by: r.get(3)?,
        uploaded_by_name: r.get(4)?,
        uploaded_at: from_micros(r.get(5)?),
        activated_at: r.get::<_, Option<i64>>(6)?.map(from_micros),
        active: r.get(7)?,
    })
}

fn penalty_standard_where(
    c: &Connection,
    cond: &str,
    arg: Option<Uuid>,
) -> Result<Option<(PenaltyStandardRow, String)>> {
    let mut st = c.prepare_cached(&select_with_text(cond))?;
    let map = |r: &Row<'_>| Ok((penalty_standard_from_row(r)?, r.get::<_, String>(8)?));
    Ok(match arg {
        Some(id) => st.query_row([id], map).optional()?,
        None => st.query_row([], map).optional()?,
    })
}

impl SqliteStore {
    pub(crate) async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(
                "INSERT INTO penalty_standards (id, name, version, text, uploaded_by, uploaded_at, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            )?
            .execute(params![
                s.id,
                s.name,
                s.version,
                s.text,
                s.uploaded_by,
                micros(s.uploaded_at)
            ])?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn activate_penalty_standard(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow> {
        self.write(move |c, head| {
            let exists: Option<i64> = c
                .query_row("SELECT 1 FROM penalty_standards WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            c.execute(
                "UPDATE penalty_standards SET active = 0 WHERE active = 1 AND id <> ?1",
                [id],
            )?;
            c.execute(
                "UPDATE penalty_standards SET active = 1, activated_at = ?2 WHERE id = ?1",
                params![id, micros(at)],
            )?;
            append(c, head, &audit)?;
            penalty_standard_where(c, "p.id = ?1", Some(id))?
                .map(|(row, _)| row)
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&select_all())?;
            let rows = st.query_map([], penalty_standard_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn penalty_standard(
        &self,
        id: Uuid,
    ) -> Result<Option<(PenaltyStandardRow, String)>> {
        self.read(move |c| penalty_standard_where(c, "p.id = ?1", Some(id)))
            .await
    }

    pub(crate) async fn active_penalty_standard(
        &self,
    ) -> Result<Option<(PenaltyStandardRow, String)>> {
        self.read(|c| penalty_standard_where(c, "p.active = 1", None))
            .await
    }
}

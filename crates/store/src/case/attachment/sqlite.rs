use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use super::{ATTACHMENT_COLS, AttachmentRow};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::{AuditDraft, Result, from_micros, micros};

fn from_row(r: &Row<'_>) -> rusqlite::Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        name: r.get(2)?,
        content_type: r.get(3)?,
        size_bytes: r.get(4)?,
        sha256: r.get(5)?,
        added_by: r.get(6)?,
        added_by_name: r.get(7)?,
        added_at: from_micros(r.get(8)?),
    })
}

impl SqliteStore {
    pub(crate) async fn add_case_attachment(
        &self,
        a: AttachmentRow,
        audit: AuditDraft,
    ) -> Result<AttachmentRow> {
        self.write(move |c, head| {
            c.prepare_cached(&format!(
                "INSERT INTO case_attachments ({ATTACHMENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))?
            .execute(params![
                a.id,
                a.case_id,
                a.name,
                a.content_type,
                a.size_bytes,
                a.sha256,
                a.added_by,
                a.added_by_name,
                micros(a.added_at),
            ])?;
            append(c, head, &audit)?;
            Ok(AttachmentRow {
                added_at: crate::truncate_micros(a.added_at),
                ..a
            })
        })
        .await
    }

    pub(crate) async fn case_attachments(&self, case_id: Uuid) -> Result<Vec<AttachmentRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE case_id = ?1 ORDER BY added_at, id"
            ))?
            .query_map([case_id], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_attachment(&self, id: Uuid) -> Result<Option<AttachmentRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE id = ?1"
            ))?
            .query_row([id], from_row)
            .optional()?)
        })
        .await
    }
}

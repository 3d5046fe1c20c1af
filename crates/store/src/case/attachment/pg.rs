use tokio_postgres::Row;
use uuid::Uuid;

use super::{ATTACHMENT_COLS, AttachmentRow};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::{AuditDraft, Result, truncate_micros};

fn from_row(r: &Row) -> Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        name: r.try_get(2)?,
        content_type: r.try_get(3)?,
        size_bytes: r.try_get(4)?,
        sha256: r.try_get(5)?,
        added_by: r.try_get(6)?,
        added_by_name: r.try_get(7)?,
        added_at: r.try_get(8)?,
    })
}

impl PgStore {
    pub(crate) async fn add_case_attachment(
        &self,
        a: AttachmentRow,
        audit: AuditDraft,
    ) -> Result<AttachmentRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let at = truncate_micros(a.added_at);
                tx.execute(
                    &format!(
                        "INSERT INTO case_attachments ({ATTACHMENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    ),
                    &[
                        &a.id,
                        &a.case_id,
                        &a.name,
                        &a.content_type,
                        &a.size_bytes,
                        &a.sha256,
                        &a.added_by,
                        &a.added_by_name,
                        &at,
                    ],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(AttachmentRow { added_at: at, ..a })
            })
        })
        .await
    }

    pub(crate) async fn case_attachments(&self, case_id: Uuid) -> Result<Vec<AttachmentRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!("SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE case_id = $1 ORDER BY added_at, id"),
            &[&case_id],
        )
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    pub(crate) async fn case_attachment(&self, id: Uuid) -> Result<Option<AttachmentRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| from_row(&r))
        .transpose()
    }
}

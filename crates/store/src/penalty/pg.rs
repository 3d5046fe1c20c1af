use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{NewPenaltyStandard, PenaltyStandardRow, select_all, select_with_text};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::{AuditDraft, Result, StoreError, truncate_micros};

fn penalty_standard_from_row(r: &Row) -> Result<PenaltyStandardRow> {
    Ok(PenaltyStandardRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        version: r.try_get(2)?,
        uploaded_by: r.try_get(3)?,
        uploaded_by_name: r.try_get(4)?,
        uploaded_at: r.try_get(5)?,
        activated_at: r.try_get(6)?,
        active: r.try_get(7)?,
    })
}

async fn penalty_standard_where(
    c: &impl GenericClient,
    cond: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Option<(PenaltyStandardRow, String)>> {
    c.query_opt(&select_with_text(cond), args)
        .await?
        .map(|r| Ok((penalty_standard_from_row(&r)?, r.try_get(8)?)))
        .transpose()
}

impl PgStore {
    pub(crate) async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO penalty_standards (id, name, version, text, uploaded_by, uploaded_at, active)
                     VALUES ($1, $2, $3, $4, $5, $6, FALSE)",
                    &[
                        &s.id,
                        &s.name,
                        &s.version,
                        &s.text,
                        &s.uploaded_by,
                        &truncate_micros(s.uploaded_at),
                    ],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn activate_penalty_standard(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                // Lock the row, so that two activations at once apply one after the other.
                let exists = tx
                    .query_opt(
                        "SELECT 1 FROM penalty_standards WHERE id = $1 FOR UPDATE",
                        &[&id],
                    )
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                tx.execute(
                    "UPDATE penalty_standards SET active = FALSE WHERE active AND id <> $1",
                    &[&id],
                )
                .await?;
                tx.execute(
                    "UPDATE penalty_standards SET active = TRUE, activated_at = $2 WHERE id = $1",
                    &[&id, &truncate_micros(at)],
                )
                .await?;
                append(tx, head, &audit).await?;
                penalty_standard_where(tx, "p.id = $1", &[&id])
                    .await?
                    .map(|(row, _)| row)
                    .ok_or(StoreError::NotFound)
            })
        })
        .await
    }

    pub(crate) async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>> {
        let c = self.pool.get().await?;
        let rows = c.query(&select_all(), &[]).await?;
        rows.iter().map(penalty_standard_from_row).collect()
    }

    pub(crate) async fn penalty_standard(
        &self,
        id: Uuid,
    ) -> Result<Option<(PenaltyStandardRow, String)>> {
        let c = self.pool.get().await?;
        penalty_standard_where(&c, "p.id = $1", &[&id]).await
    }

    pub(crate) async fn active_penalty_standard(
        &self,
    ) -> Result<Option<(PenaltyStandardRow, String)>> {
        let c = self.pool.get().await?;
        penalty_standard_where(&c, "p.active", &[]).await
    }
}

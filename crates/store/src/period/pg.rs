use tokio_postgres::Row;

use super::{CalendarRow, SELECT_CALENDARS};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::{AuditDraft, Result, truncate_micros};

fn calendar_from_row(r: &Row) -> Result<CalendarRow> {
    Ok(CalendarRow {
        year: r.try_get(0)?,
        text: r.try_get(1)?,
        uploaded_by: r.try_get(2)?,
        uploaded_by_name: r.try_get(3)?,
        uploaded_at: r.try_get(4)?,
    })
}

impl PgStore {
    pub(crate) async fn upsert_calendar(&self, cal: CalendarRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO calendars (year, text, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (year) DO UPDATE SET text = EXCLUDED.text,
                         uploaded_by = EXCLUDED.uploaded_by, uploaded_at = EXCLUDED.uploaded_at",
                    &[
                        &cal.year,
                        &cal.text,
                        &cal.uploaded_by,
                        &truncate_micros(cal.uploaded_at),
                    ],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn list_calendars(&self) -> Result<Vec<CalendarRow>> {
        let c = self.pool.get().await?;
        let rows = c.query(SELECT_CALENDARS, &[]).await?;
        rows.iter().map(calendar_from_row).collect()
    }
}

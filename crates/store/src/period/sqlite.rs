use rusqlite::{Row, params};

use super::{CalendarRow, SELECT_CALENDARS};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::{AuditDraft, Result, from_micros, micros};

fn calendar_from_row(r: &Row<'_>) -> rusqlite::Result<CalendarRow> {
    Ok(CalendarRow {
        year: r.get(0)?,
        text: r.get(1)?,
        uploaded_by: r.get(2)?,
        uploaded_by_name: r.get(3)?,
        uploaded_at: from_micros(r.get(4)?),
    })
}

impl SqliteStore {
    pub(crate) async fn upsert_calendar(&self, cal: CalendarRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(
                "INSERT INTO calendars (year, text, uploaded_by, uploaded_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (year) DO UPDATE SET text = excluded.text,
                     uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
            )?
            .execute(params![
                cal.year,
                cal.text,
                cal.uploaded_by,
                micros(cal.uploaded_at)
            ])?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn list_calendars(&self) -> Result<Vec<CalendarRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(SELECT_CALENDARS)?;
            let rows = st.query_map([], calendar_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

use std::time::{Duration, Instant};

use frontline_core::incident::format_number;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use super::{
    INCIDENT_COLS, IncidentFilter, IncidentPage, IncidentRow, IndexHints, NewIncident,
    incident_where, page_tail,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::{MAX_BATCH, SqliteStore, store_head};
use crate::sql::Placeholder;
use crate::{AuditDraft, Result, from_micros, micros};

/// Above this many matching rows a page is read by walking the time index newest first
/// and filtering (a few rows per row shown); below it the selective index finds the rows
/// and they are sorted (at most this many). Either way a page costs milliseconds at
/// 1,000,000 incidents, where letting SQLite pick sorted a whole station (0.3–2 s).
const WALK_TIME_INDEX_ABOVE: i64 = 5_000;

/// How a list query should find its rows. SQLite has no statistics here (ANALYZE with a
/// sample limit misled it more than it helped), so the plan is steered by writing a term
/// as `+col`, which keeps SQLite from using an index for it.
#[derive(Clone, Copy, PartialEq)]
enum ListPlan {
    /// Counting: every term may use its index.
    Count,
    /// Few matches: find them through the most selective index and sort them; with a
    /// category, that is `incidents_category`, not the unit's whole history.
    SortMatches,
    /// Many matches: walk `incidents_time` newest first, filter, stop after the page.
    WalkTime,
}

impl ListPlan {
    fn hints(self, f: &IncidentFilter) -> IndexHints {
        IndexHints {
            skip_unit_index: self == ListPlan::WalkTime
                || (self == ListPlan::SortMatches && f.category.is_some()),
            skip_category_index: self == ListPlan::WalkTime,
        }
    }
}

/// Takes the unit-year's next number and inserts the row, inside the caller's
/// transaction (also used by bulk loads and the bench loop).
pub(crate) fn insert_incident(conn: &Connection, n: &NewIncident) -> Result<IncidentRow> {
    let year = n.year();
    let seq: i64 = conn
        .prepare_cached(
            "INSERT INTO number_counters (unit_id, kind, year, last) VALUES (?1, 'incident', ?2, 1)
             ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row(params![n.unit_id, year], |r| r.get(0))?;
    let number = format_number(&n.unit_code, year, seq);
    conn.prepare_cached(&format!(
        "INSERT INTO incidents ({INCIDENT_COLS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        n.id,
        number,
        n.unit_id,
        n.unit_path,
        year,
        seq,
        micros(n.reported_at),
        micros(n.created_at),
        n.category,
        n.address,
        n.district_id,
        n.caller_name,
        n.caller_phone,
        n.caller_id_number,
        n.narrative,
        n.created_by
    ])?;
    Ok(n.stored_row(number, year, seq))
}

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        number: r.get(1)?,
        unit_id: r.get(2)?,
        unit_path: r.get(3)?,
        year: r.get(4)?,
        seq: r.get(5)?,
        reported_at: from_micros(r.get(6)?),
        created_at: from_micros(r.get(7)?),
        category: r.get(8)?,
        address: r.get(9)?,
        district_id: r.get(10)?,
        caller_name: r.get(11)?,
        caller_phone: r.get(12)?,
        caller_id_number: r.get(13)?,
        narrative: r.get(14)?,
        created_by: r.get(15)?,
    })
}

impl SqliteStore {
    pub(crate) async fn create_incident(
        &self,
        n: NewIncident,
        audit: AuditDraft,
    ) -> Result<IncidentRow> {
        self.write(move |c, head| {
            let row = insert_incident(c, &n)?;
            let mut audit = audit;
            audit.detail = serde_json::json!({ "number": row.number }).to_string();
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn incident(&self, id: Uuid) -> Result<Option<IncidentRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = ?1"
            ))?
            .query_row([id], incident_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage> {
        if f.scope.is_none() {
            return Ok(IncidentPage::default());
        }
        self.read(move |c| {
            let count = incident_where(&f, Placeholder::Question, ListPlan::Count.hints(&f));
            let total: i64 = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM incidents{}", count.sql()))?
                .query_row(params_from_iter(count.args()), |r| r.get(0))?;
            let plan = if total > WALK_TIME_INDEX_ABOVE {
                ListPlan::WalkTime
            } else {
                ListPlan::SortMatches
            };
            let page = incident_where(&f, Placeholder::Question, plan.hints(&f));
            let sql = format!(
                "SELECT {INCIDENT_COLS} FROM incidents{}{}",
                page.sql(),
                page_tail(&f)
            );
            let mut st = c.prepare_cached(&sql)?;
            let items = st
                .query_map(params_from_iter(page.args()), incident_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(IncidentPage { items, total })
        })
        .await
    }

    pub(crate) async fn count_incidents(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get(0))?))
            .await
    }

    pub(crate) async fn bare_insert_loop(
        &self,
        rows: Vec<NewIncident>,
        batch: usize,
    ) -> Result<Duration> {
        // Same connection, pragmas and batch size as the live writer; no HTTP, no app.
        self.write_standalone(move |c, head| {
            // Measured inside the writer: commit per MAX_BATCH rows like a full batch.
            let start = Instant::now();
            c.execute_batch("COMMIT")?;
            for chunk in rows.chunks(batch.clamp(1, MAX_BATCH)) {
                c.execute_batch("BEGIN IMMEDIATE")?;
                for n in chunk {
                    insert_incident(c, n)?;
                    append(c, head, &AuditDraft::for_bench(n))?;
                }
                store_head(c, head)?;
                c.execute_batch("COMMIT")?;
            }
            let took = start.elapsed();
            // Re-open a transaction for the writer's own commit.
            c.execute_batch("BEGIN IMMEDIATE")?;
            Ok(took)
        })
        .await
    }
}

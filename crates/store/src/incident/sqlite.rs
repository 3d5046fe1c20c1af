use std::time::{Duration, Instant};

use frontline_core::incident::callback::{CallbackStatus, Satisfaction};
use frontline_core::incident::format_number;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use super::{
    CallbackChange, EVENT_COLS, FollowUp, INCIDENT_COLS, IncidentChange, IncidentEvent,
    IncidentFilter, IncidentPage, IncidentRow, IncidentState, IndexHints, MAX_IDS_PER_READ,
    NewIncident, PathRange, SEARCH_COLS, STALE_VERSION, SearchDoc, TransitionWrite, incident_where,
    join_ids, page_tail, parse_status, split_ids,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::{MAX_BATCH, SqliteStore, store_head};
use crate::sql::Placeholder;
use crate::{AuditDraft, Result, StoreError, from_micros, micros};

/// Above this many matching rows a page is read by walking the time index newest first
/// and filtering (a few rows per row shown); below it the selective index finds the rows
/// and they are sorted (at most this many). Either way a page costs milliseconds at
/// 1,000,000 incidents, where letting SQLite pick sorted a whole station (0.3–2 s).
const WALK_TIME_INDEX_ABOVE: i64 = 5_000;

/// The most rows one step of a rebuild scan reads.
const MAX_ROWS_PER_QUERY_SCAN: i64 = 10_000;

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
    let st = &n.state;
    let fu = &n.follow_up;
    conn.prepare_cached(&format!(
        "INSERT INTO incidents ({INCIDENT_COLS}, address_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)"
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
        n.created_by,
        st.status.as_str(),
        st.version,
        st.dispatched_at.map(micros),
        st.arrived_at.map(micros),
        st.disposed_at.map(micros),
        st.ended_at.map(micros),
        st.patrol_unit,
        join_ids(&st.assigned),
        fu.repeats.len() as i64,
        fu.state.callback.map(|c| c.as_str()),
        fu.state.callback_attempts,
        fu.state.callback_next_at.map(micros),
        fu.state.callback_at.map(micros),
        fu.state.satisfaction.map(|s| s.as_str()),
        fu.address_key,
    ])?;
    for e in &n.events {
        insert_event(conn, n.id, e)?;
    }
    super::follow_up::sqlite::insert_follow_up(conn, n)?;
    super::stats::sqlite::apply_stats(conn, &n.stats)?;
    if let Some((target, at)) = n.arrives_converted() {
        conn.prepare_cached(
            "INSERT INTO incident_conversions (incident_id, target, converted_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![n.id, target, micros(at)])?;
    }
    Ok(n.stored_row(number, year, seq))
}

fn insert_event(conn: &Connection, incident: Uuid, e: &IncidentEvent) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO incident_events (incident_id, {EVENT_COLS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        incident,
        e.seq,
        micros(e.at),
        e.actor_id,
        e.actor_name,
        e.step,
        e.from_status.map(|s| s.as_str()),
        e.to_status.as_str(),
        e.note,
        e.detail,
    ])?;
    Ok(())
}

fn bad_column(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<IncidentEvent> {
    Ok(IncidentEvent {
        seq: r.get(0)?,
        at: from_micros(r.get(1)?),
        actor_id: r.get(2)?,
        actor_name: r.get(3)?,
        step: r.get(4)?,
        from_status: match r.get_ref(5)?.as_str_or_null()? {
            None => None,
            Some(s) => Some(parse_status(s).map_err(|e| bad_column(5, e))?),
        },
        to_status: parse_status(r.get_ref(6)?.as_str()?).map_err(|e| bad_column(6, e))?,
        note: r.get(7)?,
        detail: r.get(8)?,
    })
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
        state: IncidentState {
            status: parse_status(r.get_ref(16)?.as_str()?).map_err(|e| bad_column(16, e))?,
            version: r.get(17)?,
            dispatched_at: r.get::<_, Option<i64>>(18)?.map(from_micros),
            arrived_at: r.get::<_, Option<i64>>(19)?.map(from_micros),
            disposed_at: r.get::<_, Option<i64>>(20)?.map(from_micros),
            ended_at: r.get::<_, Option<i64>>(21)?.map(from_micros),
            patrol_unit: r.get(22)?,
            assigned: split_ids(r.get_ref(23)?.as_str()?).map_err(|e| bad_column(23, e))?,
        },
        follow_up: FollowUp {
            repeat_count: r.get(24)?,
            callback: match r.get_ref(25)?.as_str_or_null()? {
                None => None,
                Some(s) => Some(
                    CallbackStatus::parse(s)
                        .ok_or_else(|| bad_column(25, super::UnknownStatus(s.to_string())))?,
                ),
            },
            callback_attempts: r.get(26)?,
            callback_next_at: r.get::<_, Option<i64>>(27)?.map(from_micros),
            callback_at: r.get::<_, Option<i64>>(28)?.map(from_micros),
            satisfaction: match r.get_ref(29)?.as_str_or_null()? {
                None => None,
                Some(s) => Some(
                    Satisfaction::parse(s)
                        .ok_or_else(|| bad_column(29, super::UnknownStatus(s.to_string())))?,
                ),
            },
        },
    })
}

fn search_doc_from_row(r: &Row<'_>) -> rusqlite::Result<SearchDoc> {
    Ok(SearchDoc {
        id: r.get(0)?,
        unit_path: r.get(1)?,
        category: r.get(2)?,
        status: parse_status(r.get_ref(3)?.as_str()?).map_err(|e| bad_column(3, e))?,
        reported_at: from_micros(r.get(4)?),
        narrative: r.get(5)?,
        address: r.get(6)?,
    })
}

/// `?1, ?2, …, ?n`.
fn marks(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SqliteStore {
    pub(crate) async fn incident_changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<IncidentChange>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT seq, incident_id FROM incident_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = st.query_map(params![after, limit.max(1)], |r| {
                Ok(IncidentChange {
                    seq: r.get(0)?,
                    incident_id: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn last_incident_change(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM incident_changes",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn search_docs(&self, ids: Vec<Uuid>) -> Result<Vec<SearchDoc>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.into_iter().take(MAX_IDS_PER_READ).collect();
        self.read(move |c| {
            let sql = format!(
                "SELECT {SEARCH_COLS} FROM incidents WHERE id IN ({})",
                marks(ids.len(), 1)
            );
            let mut st = c.prepare(&sql)?;
            let rows = st.query_map(params_from_iter(ids.iter()), search_doc_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn search_docs_scan(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<SearchDoc>> {
        self.read(move |c| {
            let limit = limit.clamp(1, MAX_ROWS_PER_QUERY_SCAN);
            let rows = match after {
                Some(a) => c
                    .prepare_cached(&format!(
                        "SELECT {SEARCH_COLS} FROM incidents WHERE id > ?1 ORDER BY id LIMIT ?2"
                    ))?
                    .query_map(params![a, limit], search_doc_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
                None => c
                    .prepare_cached(&format!(
                        "SELECT {SEARCH_COLS} FROM incidents ORDER BY id LIMIT ?1"
                    ))?
                    .query_map(params![limit], search_doc_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn incidents_by_ids(
        &self,
        ids: Vec<Uuid>,
        scope: PathRange,
    ) -> Result<Vec<IncidentRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.into_iter().take(MAX_IDS_PER_READ).collect();
        self.read(move |c| {
            let sql = format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE unit_path >= ?1 AND unit_path < ?2 \
                 AND id IN ({})",
                marks(ids.len(), 3)
            );
            let mut st = c.prepare(&sql)?;
            let mut args: Vec<rusqlite::types::Value> = vec![
                rusqlite::types::Value::Text(scope.lower.clone()),
                rusqlite::types::Value::Text(scope.upper.clone()),
            ];
            args.extend(
                ids.iter()
                    .map(|id| rusqlite::types::Value::Blob(id.as_bytes().to_vec())),
            );
            let rows = st.query_map(params_from_iter(args.iter()), incident_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

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

    pub(crate) async fn incidents_matching(&self, f: IncidentFilter) -> Result<Vec<IncidentRow>> {
        if f.scope.is_none() {
            return Ok(Vec::new());
        }
        self.read(move |c| {
            // A day's lists are small: the most selective index finds them (the short
            // window steers to `incidents_time`) and they are sorted.
            let page = incident_where(&f, Placeholder::Question, ListPlan::SortMatches.hints(&f));
            let sql = format!(
                "SELECT {INCIDENT_COLS} FROM incidents{}{}",
                page.sql(),
                page_tail(&f)
            );
            let mut st = c.prepare_cached(&sql)?;
            Ok(st
                .query_map(params_from_iter(page.args()), incident_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn apply_transition(
        &self,
        t: TransitionWrite,
        audit: AuditDraft,
    ) -> Result<IncidentRow> {
        self.write(move |c, head| {
            let st = &t.state;
            let row = c
                .prepare_cached(&format!(
                    "UPDATE incidents SET status = ?1, version = ?2, dispatched_at = ?3,
                         arrived_at = ?4, disposed_at = ?5, ended_at = ?6, patrol_unit = ?7,
                         assigned = ?8
                     WHERE id = ?9 AND version = ?10
                     RETURNING {INCIDENT_COLS}"
                ))?
                .query_row(
                    params![
                        st.status.as_str(),
                        st.version,
                        st.dispatched_at.map(micros),
                        st.arrived_at.map(micros),
                        st.disposed_at.map(micros),
                        st.ended_at.map(micros),
                        st.patrol_unit,
                        join_ids(&st.assigned),
                        t.incident_id,
                        t.expected_version,
                    ],
                    incident_from_row,
                )
                .optional()?;
            let Some(row) = row else {
                let exists: Option<i64> = c
                    .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
                    .query_row([t.incident_id], |r| r.get(0))
                    .optional()?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(STALE_VERSION.into()),
                    None => StoreError::NotFound,
                });
            };
            insert_event(c, t.incident_id, &t.event)?;
            super::stats::sqlite::apply_stats(c, &t.stats)?;
            crate::outbox::sqlite::insert_messages(c, &t.outbox)?;
            if let Some(p) = &t.push {
                super::follow_up::sqlite::insert_push(c, p)?;
            }
            let row = match t.callback {
                CallbackChange::Keep => row,
                change => {
                    let (status, next) = match change {
                        CallbackChange::Due(at) => (Some("due"), Some(micros(at))),
                        _ => (None, None),
                    };
                    c.prepare_cached(&format!(
                        "UPDATE incidents SET callback_status = ?1, callback_attempts = 0,
                             callback_next_at = ?2, callback_at = NULL, satisfaction = NULL
                         WHERE id = ?3 RETURNING {INCIDENT_COLS}"
                    ))?
                    .query_row(params![status, next, t.incident_id], incident_from_row)?
                }
            };
            if let Some(target) = &t.conversion {
                c.prepare_cached(
                    "INSERT INTO incident_conversions (incident_id, target, converted_at)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![t.incident_id, target, micros(t.event.at)])?;
            }
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn incident_events(&self, id: Uuid) -> Result<Vec<IncidentEvent>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM incident_events WHERE incident_id = ?1 ORDER BY seq"
            ))?;
            let rows = st.query_map([id], event_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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

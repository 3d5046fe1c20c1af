use std::time::{Duration, Instant};

use deadpool_postgres::GenericClient;
use frontline_core::incident::callback::{CallbackStatus, Satisfaction};
use frontline_core::incident::format_number;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    CallbackChange, EVENT_COLS, FollowUp, INCIDENT_COLS, IncidentChange, IncidentEvent,
    IncidentFilter, IncidentPage, IncidentRow, IncidentState, IndexHints, MAX_IDS_PER_READ,
    NewIncident, PathRange, SEARCH_COLS, STALE_VERSION, SearchDoc, TransitionWrite, incident_where,
    join_ids, page_tail, parse_status, split_ids,
};
use crate::audit::pg::append;
use crate::engine::pg::{MAX_BATCH, PgStore, bind, lock_head, store_head};
use crate::sql::Placeholder;
use crate::{AuditDraft, Result, StoreError, truncate_micros};

/// Takes the next number and inserts the row, inside the caller's transaction (also
/// used by bulk loads and the bench loop).
pub(crate) async fn insert_incident(
    c: &impl GenericClient,
    n: &NewIncident,
) -> Result<IncidentRow> {
    let (year, seq, number) = next_incident_number(c, n).await?;
    insert_incident_row(c, n, year, seq, number).await
}

/// Takes the unit-year's next incident number: (year, seq, number).
async fn next_incident_number(
    c: &impl GenericClient,
    n: &NewIncident,
) -> Result<(i32, i64, String)> {
    let year = n.year();
    let counter = c
        .prepare_cached(
            "INSERT INTO number_counters (unit_id, kind, year, last) VALUES ($1, 'incident', $2, 1)
             ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = number_counters.last + 1 RETURNING last",
        )
        .await?;
    let seq: i64 = c
        .query_one(&counter, &[&n.unit_id, &year])
        .await?
        .try_get(0)?;
    Ok((year, seq, format_number(&n.unit_code, year, seq)))
}

async fn insert_incident_row(
    c: &impl GenericClient,
    n: &NewIncident,
    year: i32,
    seq: i64,
    number: String,
) -> Result<IncidentRow> {
    let reported_at = truncate_micros(n.reported_at);
    let created_at = truncate_micros(n.created_at);
    let st = n.state.clone().truncated();
    let fu = &n.follow_up;
    let insert = c
        .prepare_cached(&format!(
            "INSERT INTO incidents ({INCIDENT_COLS}, address_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)"
        ))
        .await?;
    c.execute(
        &insert,
        &[
            &n.id,
            &number,
            &n.unit_id,
            &n.unit_path,
            &year,
            &seq,
            &reported_at,
            &created_at,
            &n.category,
            &n.address,
            &n.district_id,
            &n.caller_name,
            &n.caller_phone,
            &n.caller_id_number,
            &n.narrative,
            &n.created_by,
            &st.status.as_str(),
            &st.version,
            &st.dispatched_at,
            &st.arrived_at,
            &st.disposed_at,
            &st.ended_at,
            &st.patrol_unit,
            &join_ids(&st.assigned),
            &(fu.repeats.len() as i64),
            &fu.state.callback.map(|c| c.as_str()),
            &fu.state.callback_attempts,
            &fu.state.callback_next_at.map(truncate_micros),
            &fu.state.callback_at.map(truncate_micros),
            &fu.state.satisfaction.map(|s| s.as_str()),
            &fu.address_key,
        ],
    )
    .await?;
    for e in &n.events {
        insert_event(c, n.id, e).await?;
    }
    super::follow_up::pg::insert_follow_up(c, n).await?;
    super::stats::pg::apply_stats(c, &n.stats).await?;
    if let Some((target, at)) = n.arrives_converted() {
        c.execute(
            "INSERT INTO incident_conversions (incident_id, target, converted_at) VALUES ($1, $2, $3)",
            &[&n.id, &target, &truncate_micros(at)],
        )
        .await?;
    }
    Ok(n.stored_row(number, year, seq))
}

async fn insert_event(c: &impl GenericClient, incident: Uuid, e: &IncidentEvent) -> Result<()> {
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO incident_events (incident_id, {EVENT_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .await?;
    c.execute(
        &st,
        &[
            &incident,
            &e.seq,
            &truncate_micros(e.at),
            &e.actor_id,
            &e.actor_name,
            &e.step,
            &e.from_status.map(|s| s.as_str()),
            &e.to_status.as_str(),
            &e.note,
            &e.detail,
        ],
    )
    .await?;
    Ok(())
}

fn event_from_row(r: &Row) -> Result<IncidentEvent> {
    let from: Option<&str> = r.try_get(5)?;
    Ok(IncidentEvent {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor_id: r.try_get(2)?,
        actor_name: r.try_get(3)?,
        step: r.try_get(4)?,
        from_status: from
            .map(parse_status)
            .transpose()
            .map_err(StoreError::db_from)?,
        to_status: parse_status(r.try_get(6)?).map_err(StoreError::db_from)?,
        note: r.try_get(7)?,
        detail: r.try_get(8)?,
    })
}

fn incident_from_row(r: &Row) -> Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        unit_path: r.try_get(3)?,
        year: r.try_get(4)?,
        seq: r.try_get(5)?,
        reported_at: r.try_get(6)?,
        created_at: r.try_get(7)?,
        category: r.try_get(8)?,
        address: r.try_get(9)?,
        district_id: r.try_get(10)?,
        caller_name: r.try_get(11)?,
        caller_phone: r.try_get(12)?,
        caller_id_number: r.try_get(13)?,
        narrative: r.try_get(14)?,
        created_by: r.try_get(15)?,
        state: IncidentState {
            status: parse_status(r.try_get(16)?).map_err(StoreError::db_from)?,
            version: r.try_get(17)?,
            dispatched_at: r.try_get(18)?,
            arrived_at: r.try_get(19)?,
            disposed_at: r.try_get(20)?,
            ended_at: r.try_get(21)?,
            patrol_unit: r.try_get(22)?,
            assigned: split_ids(r.try_get(23)?).map_err(StoreError::db_from)?,
        },
        follow_up: FollowUp {
            repeat_count: r.try_get(24)?,
            callback: match r.try_get::<_, Option<&str>>(25)? {
                None => None,
                Some(s) => Some(
                    CallbackStatus::parse(s)
                        .ok_or_else(|| StoreError::db_from(super::UnknownStatus(s.into())))?,
                ),
            },
            callback_attempts: r.try_get(26)?,
            callback_next_at: r.try_get(27)?,
            callback_at: r.try_get(28)?,
            satisfaction: match r.try_get::<_, Option<&str>>(29)? {
                None => None,
                Some(s) => Some(
                    Satisfaction::parse(s)
                        .ok_or_else(|| StoreError::db_from(super::UnknownStatus(s.into())))?,
                ),
            },
        },
    })
}

fn search_doc_from_row(r: &Row) -> Result<SearchDoc> {
    Ok(SearchDoc {
        id: r.try_get(0)?,
        unit_path: r.try_get(1)?,
        category: r.try_get(2)?,
        status: parse_status(r.try_get(3)?).map_err(StoreError::db_from)?,
        reported_at: r.try_get(4)?,
        narrative: r.try_get(5)?,
        address: r.try_get(6)?,
    })
}

/// The most rows one step of a rebuild scan reads.
const MAX_ROWS_PER_QUERY_SCAN: i64 = 10_000;

/// Tells every instance's board listener that the incident changed (`<id>:<version>`),
/// inside the writing transaction: PostgreSQL delivers it on commit only, so a
/// rolled-back step (or a rolled-back savepoint of the batch) announces nothing.
async fn announce(c: &impl GenericClient, id: Uuid, version: i64) -> Result<()> {
    let st = c
        .prepare_cached("SELECT pg_notify('frontline_incident', $1)")
        .await?;
    c.execute(&st, &[&format!("{id}:{version}")]).await?;
    Ok(())
}

impl PgStore {
    pub(crate) async fn incident_changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<IncidentChange>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(
                "SELECT seq, incident_id FROM incident_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .await?;
        c.query(&st, &[&after, &limit.max(1)])
            .await?
            .iter()
            .map(|r| {
                Ok(IncidentChange {
                    seq: r.try_get(0)?,
                    incident_id: r.try_get(1)?,
                })
            })
            .collect()
    }

    pub(crate) async fn last_incident_change(&self) -> Result<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one(
            "SELECT COALESCE(MAX(seq), 0)::BIGINT FROM incident_changes",
            &[],
        )
        .await?
        .try_get(0)?)
    }

    pub(crate) async fn search_docs(&self, ids: Vec<Uuid>) -> Result<Vec<SearchDoc>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.into_iter().take(MAX_IDS_PER_READ).collect();
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {SEARCH_COLS} FROM incidents WHERE id = ANY($1)"
            ))
            .await?;
        c.query(&st, &[&ids])
            .await?
            .iter()
            .map(search_doc_from_row)
            .collect()
    }

    pub(crate) async fn search_docs_scan(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<SearchDoc>> {
        let limit = limit.clamp(1, MAX_ROWS_PER_QUERY_SCAN);
        let c = self.pool.get().await?;
        let rows = match after {
            Some(a) => {
                let st = c
                    .prepare_cached(&format!(
                        "SELECT {SEARCH_COLS} FROM incidents WHERE id > $1 ORDER BY id LIMIT $2"
                    ))
                    .await?;
                c.query(&st, &[&a, &limit]).await?
            }
            None => {
                let st = c
                    .prepare_cached(&format!(
                        "SELECT {SEARCH_COLS} FROM incidents ORDER BY id LIMIT $1"
                    ))
                    .await?;
                c.query(&st, &[&limit]).await?
            }
        };
        rows.iter().map(search_doc_from_row).collect()
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
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents \
                 WHERE unit_path >= $1 AND unit_path < $2 AND id = ANY($3)"
            ))
            .await?;
        c.query(&st, &[&scope.lower, &scope.upper, &ids])
            .await?
            .iter()
            .map(incident_from_row)
            .collect()
    }

    pub(crate) async fn create_incident(
        &self,
        n: NewIncident,
        audit: AuditDraft,
    ) -> Result<IncidentRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let (year, seq, number) = next_incident_number(tx, &n).await?;
                let mut audit = audit;
                audit.detail = serde_json::json!({ "number": number }).to_string();
                // Sent together (tokio-postgres pipelines concurrent queries on one
                // connection): one round trip for both rows.
                let (row, entry, announced) = tokio::join!(
                    insert_incident_row(tx, &n, year, seq, number),
                    append(tx, head, &audit),
                    announce(tx, n.id, 1)
                );
                // The row's own error first: the audit insert after a failed row only
                // says that the transaction is aborted.
                let row = row?;
                entry?;
                announced?;
                Ok(row)
            })
        })
        .await
    }

    pub(crate) async fn incident(&self, id: Uuid) -> Result<Option<IncidentRow>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = $1"
            ))
            .await?;
        c.query_opt(&st, &[&id])
            .await?
            .map(|r| incident_from_row(&r))
            .transpose()
    }

    pub(crate) async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage> {
        if f.scope.is_none() {
            return Ok(IncidentPage::default());
        }
        let c = self.pool.get().await?;
        let wh = incident_where(&f, Placeholder::Dollar, IndexHints::default());
        let args = bind(wh.args());
        let total: i64 = c
            .query_one(
                &format!("SELECT COUNT(*) FROM incidents{}", wh.sql()),
                &args,
            )
            .await?
            .try_get(0)?;
        let sql = format!(
            "SELECT {INCIDENT_COLS} FROM incidents{}{}",
            wh.sql(),
            page_tail(&f)
        );
        let items = c
            .query(&sql, &args)
            .await?
            .iter()
            .map(incident_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(IncidentPage { items, total })
    }

    pub(crate) async fn incidents_matching(&self, f: IncidentFilter) -> Result<Vec<IncidentRow>> {
        if f.scope.is_none() {
            return Ok(Vec::new());
        }
        let c = self.pool.get().await?;
        let wh = incident_where(&f, Placeholder::Dollar, IndexHints::default());
        let sql = format!(
            "SELECT {INCIDENT_COLS} FROM incidents{}{}",
            wh.sql(),
            page_tail(&f)
        );
        c.query(&sql, &bind(wh.args()))
            .await?
            .iter()
            .map(incident_from_row)
            .collect()
    }

    pub(crate) async fn apply_transition(
        &self,
        t: TransitionWrite,
        audit: AuditDraft,
    ) -> Result<IncidentRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let st = &t.state;
                let update = tx
                    .prepare_cached(&format!(
                        "UPDATE incidents SET status = $1, version = $2, dispatched_at = $3,
                             arrived_at = $4, disposed_at = $5, ended_at = $6, patrol_unit = $7,
                             assigned = $8
                         WHERE id = $9 AND version = $10
                         RETURNING {INCIDENT_COLS}"
                    ))
                    .await?;
                let dispatched_at = st.dispatched_at.map(truncate_micros);
                let arrived_at = st.arrived_at.map(truncate_micros);
                let disposed_at = st.disposed_at.map(truncate_micros);
                let ended_at = st.ended_at.map(truncate_micros);
                let assigned = join_ids(&st.assigned);
                let row = tx
                    .query_opt(
                        &update,
                        &[
                            &st.status.as_str(),
                            &st.version,
                            &dispatched_at,
                            &arrived_at,
                            &disposed_at,
                            &ended_at,
                            &st.patrol_unit,
                            &assigned,
                            &t.incident_id,
                            &t.expected_version,
                        ],
                    )
                    .await?;
                let Some(row) = row else {
                    let exists = tx
                        .query_opt("SELECT 1 FROM incidents WHERE id = $1", &[&t.incident_id])
                        .await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict(STALE_VERSION.into()),
                        None => StoreError::NotFound,
                    });
                };
                let mut row = incident_from_row(&row)?;
                if t.callback != CallbackChange::Keep {
                    let (status, next) = match t.callback {
                        CallbackChange::Due(at) => (Some("due"), Some(truncate_micros(at))),
                        _ => (None, None),
                    };
                    tx.execute(
                        "UPDATE incidents SET callback_status = $1, callback_attempts = 0,
                             callback_next_at = $2, callback_at = NULL, satisfaction = NULL
                         WHERE id = $3",
                        &[&status, &next, &t.incident_id],
                    )
                    .await?;
                    row.follow_up = FollowUp {
                        repeat_count: row.follow_up.repeat_count,
                        callback: status.and_then(CallbackStatus::parse),
                        callback_next_at: next,
                        ..FollowUp::default()
                    };
                }
                let (event, stats) = tokio::join!(
                    insert_event(tx, t.incident_id, &t.event),
                    super::stats::pg::apply_stats(tx, &t.stats)
                );
                event?;
                stats?;
                crate::outbox::pg::insert_messages(tx, &t.outbox).await?;
                if let Some(p) = &t.push {
                    super::follow_up::pg::insert_push(tx, p).await?;
                }
                if let Some(target) = &t.conversion {
                    tx.execute(
                        "INSERT INTO incident_conversions (incident_id, target, converted_at)
                         VALUES ($1, $2, $3)",
                        &[&t.incident_id, target, &truncate_micros(t.event.at)],
                    )
                    .await?;
                }
                announce(tx, t.incident_id, row.state.version).await?;
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
    }

    pub(crate) async fn incident_events(&self, id: Uuid) -> Result<Vec<IncidentEvent>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM incident_events WHERE incident_id = $1 ORDER BY seq"
            ))
            .await?;
        c.query(&st, &[&id])
            .await?
            .iter()
            .map(event_from_row)
            .collect()
    }

    pub(crate) async fn count_incidents(&self) -> Result<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one("SELECT COUNT(*) FROM incidents", &[])
            .await?
            .try_get(0)?)
    }

    pub(crate) async fn bare_insert_loop(
        &self,
        rows: Vec<NewIncident>,
        batch: usize,
    ) -> Result<Duration> {
        // One thread, commits of MAX_BATCH rows as the writer's full batches, the head
        // locked per transaction as the live path does.
        let mut c = self.pool.get().await?;
        let start = Instant::now();
        for chunk in rows.chunks(batch.clamp(1, MAX_BATCH)) {
            let tx = c.transaction().await?;
            let mut head = lock_head(&tx).await?;
            for n in chunk {
                insert_incident(&tx, n).await?;
                append(&tx, &mut head, &AuditDraft::for_bench(n)).await?;
            }
            store_head(&tx, &head).await?;
            tx.commit().await?;
        }
        Ok(start.elapsed())
    }
}

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    AdviceLetterRow, BoardDeadline, BoardFilter, BoardList, CASE_COLS, CaseEvent, CaseFilter,
    CasePage, CaseParty, CaseRow, CaseStepWrite, DEADLINE_COLS, DeadlineRow, EVENT_COLS,
    INCIDENT_NOT_CONVERTIBLE, NewCase, NewDeadline, PARTY_COLS, board_where, case_where,
    parse_kind, parse_outcome, parse_role, parse_status, parse_stored_state,
};
use crate::audit::pg::append;
use crate::engine::pg::{PgStore, bind};
use crate::incident::{PathRange, STALE_VERSION};
use crate::sql::Placeholder;
use crate::{AuditDraft, Result, StoreError, truncate_micros};

pub(super) fn case_from_row(r: &Row) -> Result<CaseRow> {
    Ok(CaseRow {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        unit_path: r.try_get(3)?,
        kind: parse_kind(r.try_get(4)?).map_err(StoreError::db_from)?,
        year: r.try_get(5)?,
        seq: r.try_get(6)?,
        title: r.try_get(7)?,
        summary: r.try_get(8)?,
        status: parse_status(r.try_get(9)?).map_err(StoreError::db_from)?,
        version: r.try_get(10)?,
        outcome: parse_outcome(r.try_get(11)?).map_err(StoreError::db_from)?,
        lead_officer_id: r.try_get(12)?,
        incident_id: r.try_get(13)?,
        query_code: r.try_get(14)?,
        accepted_at: r.try_get(15)?,
        closed_at: r.try_get(16)?,
        created_by: r.try_get(17)?,
    })
}

fn event_from_row(r: &Row) -> Result<CaseEvent> {
    let from: Option<&str> = r.try_get(5)?;
    Ok(CaseEvent {
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

pub(super) fn deadline_from_row(r: &Row, at: usize) -> Result<DeadlineRow> {
    Ok(DeadlineRow {
        id: r.try_get(at)?,
        case_id: r.try_get(at + 1)?,
        unit_id: r.try_get(at + 2)?,
        unit_path: r.try_get(at + 3)?,
        rule: r.try_get(at + 4)?,
        started_at: r.try_get(at + 5)?,
        due_at: r.try_get(at + 6)?,
        warn_at: r.try_get(at + 7)?,
        state: parse_stored_state(r.try_get(at + 8)?).map_err(StoreError::db_from)?,
        ended_at: r.try_get(at + 9)?,
        next_at: r.try_get(at + 10)?,
        stage: r.try_get(at + 11)?,
        events: r.try_get(at + 12)?,
        measure_id: r.try_get(at + 13)?,
    })
}

pub(super) fn letter_from_row(r: &Row) -> Result<AdviceLetterRow> {
    Ok(AdviceLetterRow {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        deadline_id: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        unit_path: r.try_get(4)?,
        number: r.try_get(5)?,
        issued_at: r.try_get(6)?,
        rule: r.try_get(7)?,
        due_at: r.try_get(8)?,
    })
}

fn measure_from_row(r: &Row) -> Result<super::MeasureRow> {
    let acts: String = r.try_get(6)?;
    Ok(super::MeasureRow {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        party_seq: i64::from(r.try_get::<_, i32>(3)?),
        started_at: r.try_get(4)?,
        ended_at: r.try_get(5)?,
        acts: acts
            .split(',')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        note: r.try_get(7)?,
    })
}

fn party_from_row(r: &Row) -> Result<CaseParty> {
    Ok(CaseParty {
        seq: i64::from(r.try_get::<_, i32>(0)?),
        role: parse_role(r.try_get(1)?).map_err(StoreError::db_from)?,
        name: r.try_get(2)?,
        id_number: r.try_get(3)?,
        phone: r.try_get(4)?,
        consent: r.try_get(5)?,
    })
}

async fn insert_event(c: &impl GenericClient, case_id: Uuid, e: &CaseEvent) -> Result<()> {
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO case_events (case_id, {EVENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .await?;
    c.execute(
        &st,
        &[
            &case_id,
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

async fn insert_deadlines(c: &impl GenericClient, row: &CaseRow, ds: &[NewDeadline]) -> Result<()> {
    if ds.is_empty() {
        return Ok(());
    }
    let st = c
        .prepare_cached(
            "INSERT INTO deadlines (id, case_id, unit_id, unit_path, rule, started_at, due_at,
                 warn_at, state, next_at, events, measure_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', $9, $10, $11)",
        )
        .await?;
    for d in ds {
        c.execute(
            &st,
            &[
                &d.id,
                &row.id,
                &row.unit_id,
                &row.unit_path,
                &d.rule,
                &truncate_micros(d.started_at),
                &truncate_micros(d.due_at),
                &truncate_micros(d.warn_at),
                &d.next_at.map(truncate_micros),
                &d.events,
                &d.measure_id,
            ],
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    pub(crate) async fn create_case(&self, n: NewCase, audit: AuditDraft) -> Result<CaseRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let year = n.year();
                let seq: i64 = tx
                    .query_one(
                        "INSERT INTO number_counters (unit_id, kind, year, last) VALUES ($1, $2, $3, 1)
                         ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = number_counters.last + 1
                         RETURNING last",
                        &[&n.unit_id, &frontline_core::case::counter_kind(n.kind), &year],
                    )
                    .await?
                    .try_get(0)?;
                let number = frontline_core::case::format_number(&n.unit_code, n.kind, year, seq);
                if let Some(incident) = n.incident_id {
                    let linked = tx
                        .execute(
                            "UPDATE incident_conversions SET target_id = $1
                             WHERE incident_id = $2 AND target = 'case' AND target_id IS NULL",
                            &[&n.id, &incident],
                        )
                        .await?;
                    if linked != 1 {
                        return Err(StoreError::Conflict(INCIDENT_NOT_CONVERTIBLE.into()));
                    }
                }
                let row = tx
                    .query_one(
                        &format!(
                            "INSERT INTO cases ({CASE_COLS})
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $13,
                                     $14, $15, NULL, $16)
                             RETURNING {CASE_COLS}"
                        ),
                        &[
                            &n.id,
                            &number,
                            &n.unit_id,
                            &n.unit_path,
                            &frontline_core::case::lifecycle::kind_str(n.kind),
                            &year,
                            &seq,
                            &n.title,
                            &n.summary,
                            &n.event.to_status.as_str(),
                            &n.event.seq,
                            &n.lead_officer_id,
                            &n.incident_id,
                            &n.query_code,
                            &truncate_micros(n.accepted_at),
                            &n.created_by,
                        ],
                    )
                    .await?;
                let row = case_from_row(&row)?;
                for o in &n.officers {
                    tx.execute(
                        "INSERT INTO case_officers (case_id, officer_id) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                        &[&n.id, o],
                    )
                    .await?;
                }
                for p in &n.parties {
                    let seq = i32::try_from(p.seq).unwrap_or(i32::MAX);
                    tx.execute(
                        &format!(
                            "INSERT INTO case_parties (case_id, {PARTY_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        ),
                        &[&n.id, &seq, &p.role.as_str(), &p.name, &p.id_number, &p.phone, &p.consent],
                    )
                    .await?;
                }
                insert_event(tx, n.id, &n.event).await?;
                insert_deadlines(tx, &row, &n.deadlines).await?;
                crate::outbox::pg::insert_messages(tx, &n.outbox).await?;
                let mut audit = audit;
                audit.detail = serde_json::json!({ "number": row.number, "kind": frontline_core::case::lifecycle::kind_str(row.kind) }).to_string();
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
        .map_err(unique_incident)
    }

    pub(crate) async fn case(&self, id: Uuid) -> Result<Option<CaseRow>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
            .await?;
        c.query_opt(&st, &[&id])
            .await?
            .map(|r| case_from_row(&r))
            .transpose()
    }

    pub(crate) async fn case_of_incident(&self, incident_id: Uuid) -> Result<Option<CaseRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {CASE_COLS} FROM cases WHERE incident_id = $1"),
            &[&incident_id],
        )
        .await?
        .map(|r| case_from_row(&r))
        .transpose()
    }

    pub(crate) async fn list_cases(&self, f: CaseFilter) -> Result<CasePage> {
        if f.scope.is_none() {
            return Ok(CasePage::default());
        }
        let c = self.pool.get().await?;
        let w = case_where(&f, Placeholder::Dollar);
        let args = bind(w.args());
        let total: i64 = c
            .query_one(&format!("SELECT COUNT(*) FROM cases{}", w.sql()), &args)
            .await?
            .try_get(0)?;
        let sql = format!(
            "SELECT {CASE_COLS} FROM cases{} ORDER BY accepted_at DESC, id DESC LIMIT {} OFFSET {}",
            w.sql(),
            f.limit.max(0),
            f.offset.max(0)
        );
        let items = c
            .query(&sql, &args)
            .await?
            .iter()
            .map(case_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(CasePage { items, total })
    }

    pub(crate) async fn case_events(&self, id: Uuid) -> Result<Vec<CaseEvent>> {
        let c = self.pool.get().await?;
        c.query(
            &format!("SELECT {EVENT_COLS} FROM case_events WHERE case_id = $1 ORDER BY seq"),
            &[&id],
        )
        .await?
        .iter()
        .map(event_from_row)
        .collect()
    }

    pub(crate) async fn case_parties(&self, id: Uuid) -> Result<Vec<CaseParty>> {
        let c = self.pool.get().await?;
        c.query(
            &format!("SELECT {PARTY_COLS} FROM case_parties WHERE case_id = $1 ORDER BY seq"),
            &[&id],
        )
        .await?
        .iter()
        .map(party_from_row)
        .collect()
    }

    pub(crate) async fn case_officers(&self, id: Uuid) -> Result<Vec<Uuid>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT officer_id FROM case_officers WHERE case_id = $1 ORDER BY officer_id::text",
                &[&id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<Vec<Uuid>, _>>()?)
    }

    pub(crate) async fn case_deadlines(&self, id: Uuid) -> Result<Vec<DeadlineRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!(
                "SELECT {DEADLINE_COLS} FROM deadlines WHERE case_id = $1 ORDER BY started_at, due_at, id"
            ),
            &[&id],
        )
        .await?
        .iter()
        .map(|r| deadline_from_row(r, 0))
        .collect()
    }

    pub(crate) async fn case_measures(&self, case_id: Uuid) -> Result<Vec<super::MeasureRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!(
                "SELECT {} FROM case_measures WHERE case_id = $1 ORDER BY started_at, id",
                super::MEASURE_COLS
            ),
            &[&case_id],
        )
        .await?
        .iter()
        .map(measure_from_row)
        .collect()
    }

    pub(crate) async fn measure(&self, id: Uuid) -> Result<Option<super::MeasureRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!(
                "SELECT {} FROM case_measures WHERE id = $1",
                super::MEASURE_COLS
            ),
            &[&id],
        )
        .await?
        .map(|r| measure_from_row(&r))
        .transpose()
    }

    pub(crate) async fn deadline(&self, id: Uuid) -> Result<Option<DeadlineRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {DEADLINE_COLS} FROM deadlines WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| deadline_from_row(&r, 0))
        .transpose()
    }

    pub(crate) async fn apply_case_step(
        &self,
        w: CaseStepWrite,
        audit: AuditDraft,
    ) -> Result<CaseRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &format!(
                            "UPDATE cases SET status = $1, version = $2, outcome = $3,
                                 closed_at = COALESCE($4, closed_at)
                             WHERE id = $5 AND version = $6
                             RETURNING {CASE_COLS}"
                        ),
                        &[
                            &w.status.as_str(),
                            &w.event.seq,
                            &w.outcome.map(|o| o.as_str()),
                            &w.closed_at.map(truncate_micros),
                            &w.case_id,
                            &w.expected_version,
                        ],
                    )
                    .await?;
                let Some(row) = row else {
                    let exists = tx
                        .query_opt("SELECT 1 FROM cases WHERE id = $1", &[&w.case_id])
                        .await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict(STALE_VERSION.into()),
                        None => StoreError::NotFound,
                    });
                };
                let row = case_from_row(&row)?;
                let at = truncate_micros(w.event.at);
                for rule in &w.meet {
                    tx.execute(
                        "UPDATE deadlines SET state = 'met', ended_at = $1, next_at = NULL
                         WHERE case_id = $2 AND rule = $3 AND state = 'running'",
                        &[&at, &w.case_id, rule],
                    )
                    .await?;
                }
                if w.cancel_rest {
                    tx.execute(
                        "UPDATE deadlines SET state = 'cancelled', ended_at = $1, next_at = NULL
                         WHERE case_id = $2 AND state = 'running'",
                        &[&at, &w.case_id],
                    )
                    .await?;
                    // A closed case's measures end with it (custody passes with the file).
                    tx.execute(
                        "UPDATE case_measures SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL",
                        &[&at, &w.case_id],
                    )
                    .await?;
                }
                if let Some(x) = &w.extend {
                    let n = tx
                        .execute(
                            "UPDATE deadlines SET due_at = $1, warn_at = $2, next_at = $3, stage = $4,
                                 events = $5
                             WHERE id = $6 AND case_id = $7 AND state = 'running'",
                            &[
                                &truncate_micros(x.due_at),
                                &truncate_micros(x.warn_at),
                                &x.next_at.map(truncate_micros),
                                &x.stage,
                                &x.events,
                                &x.id,
                                &w.case_id,
                            ],
                        )
                        .await?;
                    if n != 1 {
                        return Err(StoreError::Conflict(super::DEADLINE_NOT_RUNNING.into()));
                    }
                }
                match &w.measure {
                    None => {}
                    Some(super::MeasureWrite::Start { row: m, meet }) => {
                        let seq = i32::try_from(m.party_seq).unwrap_or(0);
                        for rule in meet {
                            tx.execute(
                                "UPDATE deadlines SET state = 'met', ended_at = $1, next_at = NULL
                                 WHERE case_id = $2 AND rule = $3 AND state = 'running'
                                   AND measure_id IN (SELECT id FROM case_measures
                                                      WHERE case_id = $2 AND party_seq = $4)",
                                &[&truncate_micros(w.event.at), &w.case_id, rule, &seq],
                            )
                            .await?;
                        }
                        let seq = i32::try_from(m.party_seq).unwrap_or(0);
                        tx.execute(
                            &format!(
                                "INSERT INTO case_measures ({}) VALUES ($1, $2, $3, $4, $5, NULL, '', $6)",
                                super::MEASURE_COLS
                            ),
                            &[&m.id, &w.case_id, &m.kind, &seq, &truncate_micros(m.started_at), &m.note],
                        )
                        .await?;
                    }
                    Some(super::MeasureWrite::Act {
                        id,
                        act,
                        meet,
                        cancel,
                        end,
                    }) => {
                        let n = tx
                            .execute(
                                "UPDATE case_measures SET acts = acts || CASE WHEN acts = '' THEN '' ELSE ',' END || $1,
                                     ended_at = $2
                                 WHERE id = $3 AND case_id = $4 AND ended_at IS NULL",
                                &[act, &end.map(truncate_micros), id, &w.case_id],
                            )
                            .await?;
                        if n != 1 {
                            return Err(StoreError::Conflict(super::MEASURE_ENDED.into()));
                        }
                        let at = truncate_micros(w.event.at);
                        if end.is_some() {
                            for rule in cancel {
                                tx.execute(
                                    "UPDATE deadlines SET state = 'cancelled', ended_at = $1, next_at = NULL
                                     WHERE measure_id = $2 AND rule = $3 AND state = 'running'",
                                    &[&at, id, rule],
                                )
                                .await?;
                            }
                            tx.execute(
                                "UPDATE deadlines SET state = 'met', ended_at = $1, next_at = NULL
                                 WHERE measure_id = $2 AND state = 'running'",
                                &[&at, id],
                            )
                            .await?;
                        } else {
                            for rule in meet {
                                tx.execute(
                                    "UPDATE deadlines SET state = 'met', ended_at = $1, next_at = NULL
                                     WHERE measure_id = $2 AND rule = $3 AND state = 'running'",
                                    &[&at, id, rule],
                                )
                                .await?;
                            }
                        }
                    }
                }
                if let Some(f) = &w.decisions_in_force {
                    super::decision::pg::bring_into_force(tx, w.case_id, row.unit_id, f).await?;
                }
                insert_deadlines(tx, &row, &w.start).await?;
                insert_event(tx, w.case_id, &w.event).await?;
                crate::outbox::pg::insert_messages(tx, &w.outbox).await?;
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
    }

    pub(crate) async fn deadline_board(&self, f: BoardFilter) -> Result<Vec<BoardDeadline>> {
        if f.scope.is_none() {
            return Ok(Vec::new());
        }
        let c = self.pool.get().await?;
        let (w, order) = board_where(&f, Placeholder::Dollar);
        let cols = DEADLINE_COLS
            .split(", ")
            .map(|col| format!("d.{col}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, c.number, c.title, c.kind, c.lead_officer_id
             FROM deadlines d JOIN cases c ON c.id = d.case_id{}{order} LIMIT {}",
            w.sql(),
            f.limit.max(0)
        );
        c.query(&sql, &bind(w.args()))
            .await?
            .iter()
            .map(|r| {
                Ok(BoardDeadline {
                    deadline: deadline_from_row(r, 0)?,
                    case_number: r.try_get(14)?,
                    case_title: r.try_get(15)?,
                    case_kind: parse_kind(r.try_get(16)?).map_err(StoreError::db_from)?,
                    lead_officer_id: r.try_get(17)?,
                })
            })
            .collect()
    }

    pub(crate) async fn deadline_counts(
        &self,
        scope: Option<PathRange>,
        unit: Option<PathRange>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(i64, i64, i64)> {
        if scope.is_none() {
            return Ok((0, 0, 0));
        }
        let c = self.pool.get().await?;
        let f = BoardFilter {
            scope,
            unit,
            list: BoardList::Running,
            now,
            since: now,
            limit: 0,
        };
        let (w, _) = board_where(&f, Placeholder::Dollar);
        let a = w.args().len() + 1;
        let sql = format!(
            "SELECT COUNT(*) FILTER (WHERE d.due_at > ${a} AND d.warn_at <= ${a}),
                    COUNT(*) FILTER (WHERE d.due_at <= ${a}),
                    COUNT(*)
             FROM deadlines d{}",
            w.sql()
        );
        let mut args = bind(w.args());
        args.push(&now);
        let r = c.query_one(&sql, &args).await?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }
}

/// Two cases racing for one incident: the partial unique index refuses the second.
fn unique_incident(e: StoreError) -> StoreError {
    match &e {
        StoreError::Db(d) if d.message().contains("cases_incident") => {
            StoreError::Conflict(INCIDENT_NOT_CONVERTIBLE.into())
        }
        StoreError::Conflict(m) if m.contains("cases_incident") => {
            StoreError::Conflict(INCIDENT_NOT_CONVERTIBLE.into())
        }
        _ => e,
    }
}

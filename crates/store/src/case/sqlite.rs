use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use super::{
    AdviceLetterRow, BoardDeadline, BoardFilter, BoardList, CASE_COLS, CaseEvent, CaseFilter,
    CasePage, CaseParty, CaseRow, CaseStepWrite, DEADLINE_COLS, DeadlineAdvance, DeadlineRow,
    EVENT_COLS, INCIDENT_NOT_CONVERTIBLE, LETTER_COLS, NewCase, NewDeadline, PARTY_COLS,
    StatusLookup, board_where, case_where, format_letter_number, parse_kind, parse_outcome,
    parse_role, parse_status, parse_stored_state,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::incident::{PathRange, STALE_VERSION};
use crate::sql::Placeholder;
use crate::{AuditDraft, Result, StoreError, from_micros, micros};

fn bad_column(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: r.get(0)?,
        number: r.get(1)?,
        unit_id: r.get(2)?,
        unit_path: r.get(3)?,
        kind: parse_kind(r.get_ref(4)?.as_str()?).map_err(|e| bad_column(4, e))?,
        year: r.get(5)?,
        seq: r.get(6)?,
        title: r.get(7)?,
        summary: r.get(8)?,
        status: parse_status(r.get_ref(9)?.as_str()?).map_err(|e| bad_column(9, e))?,
        version: r.get(10)?,
        outcome: parse_outcome(r.get_ref(11)?.as_str_or_null()?).map_err(|e| bad_column(11, e))?,
        lead_officer_id: r.get(12)?,
        incident_id: r.get(13)?,
        query_code: r.get(14)?,
        accepted_at: from_micros(r.get(15)?),
        closed_at: r.get::<_, Option<i64>>(16)?.map(from_micros),
        created_by: r.get(17)?,
    })
}

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<CaseEvent> {
    Ok(CaseEvent {
        seq: r.get(0)?,
        at: from_micros(r.get(1)?),
        actor_id: r.get(2)?,
        actor_name: r.get(3)?,
        step: r.get(4)?,
        from_status: r
            .get_ref(5)?
            .as_str_or_null()?
            .map(parse_status)
            .transpose()
            .map_err(|e| bad_column(5, e))?,
        to_status: parse_status(r.get_ref(6)?.as_str()?).map_err(|e| bad_column(6, e))?,
        note: r.get(7)?,
        detail: r.get(8)?,
    })
}

fn deadline_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<DeadlineRow> {
    Ok(DeadlineRow {
        id: r.get(at)?,
        case_id: r.get(at + 1)?,
        unit_id: r.get(at + 2)?,
        unit_path: r.get(at + 3)?,
        rule: r.get(at + 4)?,
        started_at: from_micros(r.get(at + 5)?),
        due_at: from_micros(r.get(at + 6)?),
        warn_at: from_micros(r.get(at + 7)?),
        state: parse_stored_state(r.get_ref(at + 8)?.as_str()?)
            .map_err(|e| bad_column(at + 8, e))?,
        ended_at: r.get::<_, Option<i64>>(at + 9)?.map(from_micros),
        next_at: r.get::<_, Option<i64>>(at + 10)?.map(from_micros),
        stage: r.get(at + 11)?,
        events: r.get(at + 12)?,
        measure_id: r.get(at + 13)?,
    })
}

fn letter_from_row(r: &Row<'_>) -> rusqlite::Result<AdviceLetterRow> {
    Ok(AdviceLetterRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        deadline_id: r.get(2)?,
        unit_id: r.get(3)?,
        unit_path: r.get(4)?,
        number: r.get(5)?,
        issued_at: from_micros(r.get(6)?),
        rule: r.get(7)?,
        due_at: from_micros(r.get(8)?),
    })
}

fn measure_from_row(r: &Row<'_>) -> rusqlite::Result<super::MeasureRow> {
    let acts: String = r.get(6)?;
    Ok(super::MeasureRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: r.get(2)?,
        party_seq: r.get(3)?,
        started_at: from_micros(r.get(4)?),
        ended_at: r.get::<_, Option<i64>>(5)?.map(from_micros),
        acts: acts
            .split(',')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        note: r.get(7)?,
    })
}

fn party_from_row(r: &Row<'_>) -> rusqlite::Result<CaseParty> {
    Ok(CaseParty {
        seq: r.get(0)?,
        role: parse_role(r.get_ref(1)?.as_str()?).map_err(|e| bad_column(1, e))?,
        name: r.get(2)?,
        id_number: r.get(3)?,
        phone: r.get(4)?,
        consent: r.get(5)?,
    })
}

fn insert_event(c: &Connection, case_id: Uuid, e: &CaseEvent) -> Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO case_events (case_id, {EVENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        case_id,
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

fn insert_deadlines(c: &Connection, row: &CaseRow, ds: &[NewDeadline]) -> Result<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO deadlines (id, case_id, unit_id, unit_path, rule, started_at, due_at,
             warn_at, state, next_at, events, measure_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9, ?10, ?11)",
    )?;
    for d in ds {
        st.execute(params![
            d.id,
            row.id,
            row.unit_id,
            row.unit_path,
            d.rule,
            micros(d.started_at),
            micros(d.due_at),
            micros(d.warn_at),
            d.next_at.map(micros),
            d.events,
            d.measure_id,
        ])?;
    }
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn create_case(&self, n: NewCase, audit: AuditDraft) -> Result<CaseRow> {
        self.write(move |c, head| {
            let year = n.year();
            let seq: i64 = c
                .prepare_cached(
                    "INSERT INTO number_counters (unit_id, kind, year, last) VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = last + 1 RETURNING last",
                )?
                .query_row(
                    params![n.unit_id, frontline_core::case::counter_kind(n.kind), year],
                    |r| r.get(0),
                )?;
            let number = frontline_core::case::format_number(&n.unit_code, n.kind, year, seq);
            if let Some(incident) = n.incident_id {
                let linked = c
                    .prepare_cached(
                        "UPDATE incident_conversions SET target_id = ?1
                         WHERE incident_id = ?2 AND target = 'case' AND target_id IS NULL",
                    )?
                    .execute(params![n.id, incident])?;
                if linked != 1 {
                    return Err(StoreError::Conflict(INCIDENT_NOT_CONVERTIBLE.into()));
                }
            }
            let row = c
                .prepare_cached(&format!(
                    "INSERT INTO cases ({CASE_COLS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, ?12, ?13, ?14, ?15,
                             NULL, ?16)
                     RETURNING {CASE_COLS}"
                ))?
                .query_row(
                    params![
                        n.id,
                        number,
                        n.unit_id,
                        n.unit_path,
                        frontline_core::case::lifecycle::kind_str(n.kind),
                        year,
                        seq,
                        n.title,
                        n.summary,
                        n.event.to_status.as_str(),
                        n.event.seq,
                        n.lead_officer_id,
                        n.incident_id,
                        n.query_code,
                        micros(n.accepted_at),
                        n.created_by,
                    ],
                    case_from_row,
                )?;
            let mut officer = c.prepare_cached(
                "INSERT OR IGNORE INTO case_officers (case_id, officer_id) VALUES (?1, ?2)",
            )?;
            for o in &n.officers {
                officer.execute(params![n.id, o])?;
            }
            let mut party = c.prepare_cached(&format!(
                "INSERT INTO case_parties (case_id, {PARTY_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))?;
            for p in &n.parties {
                party.execute(params![
                    n.id,
                    p.seq,
                    p.role.as_str(),
                    p.name,
                    p.id_number,
                    p.phone,
                    p.consent
                ])?;
            }
            insert_event(c, n.id, &n.event)?;
            insert_deadlines(c, &row, &n.deadlines)?;
            crate::outbox::sqlite::insert_messages(c, &n.outbox)?;
            let mut audit = audit;
            audit.detail = serde_json::json!({ "number": row.number, "kind": frontline_core::case::lifecycle::kind_str(row.kind) }).to_string();
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn case(&self, id: Uuid) -> Result<Option<CaseRow>> {
        self.read(move |c| {
            Ok(
                c.prepare_cached(&format!("SELECT {CASE_COLS} FROM cases WHERE id = ?1"))?
                    .query_row([id], case_from_row)
                    .optional()?,
            )
        })
        .await
    }

    pub(crate) async fn case_of_incident(&self, incident_id: Uuid) -> Result<Option<CaseRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {CASE_COLS} FROM cases WHERE incident_id = ?1"
            ))?
            .query_row([incident_id], case_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn list_cases(&self, f: CaseFilter) -> Result<CasePage> {
        if f.scope.is_none() {
            return Ok(CasePage::default());
        }
        self.read(move |c| {
            let w = case_where(&f, Placeholder::Question);
            let total: i64 = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM cases{}", w.sql()))?
                .query_row(params_from_iter(w.args()), |r| r.get(0))?;
            let sql = format!(
                "SELECT {CASE_COLS} FROM cases{} ORDER BY accepted_at DESC, id DESC LIMIT {} OFFSET {}",
                w.sql(),
                f.limit.max(0),
                f.offset.max(0)
            );
            let items = c
                .prepare_cached(&sql)?
                .query_map(params_from_iter(w.args()), case_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(CasePage { items, total })
        })
        .await
    }

    pub(crate) async fn case_events(&self, id: Uuid) -> Result<Vec<CaseEvent>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {EVENT_COLS} FROM case_events WHERE case_id = ?1 ORDER BY seq"
            ))?
            .query_map([id], event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_parties(&self, id: Uuid) -> Result<Vec<CaseParty>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {PARTY_COLS} FROM case_parties WHERE case_id = ?1 ORDER BY seq"
            ))?
            .query_map([id], party_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_officers(&self, id: Uuid) -> Result<Vec<Uuid>> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT officer_id FROM case_officers WHERE case_id = ?1 ORDER BY officer_id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_deadlines(&self, id: Uuid) -> Result<Vec<DeadlineRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {DEADLINE_COLS} FROM deadlines WHERE case_id = ?1 ORDER BY started_at, due_at, id"
            ))?
            .query_map([id], |r| deadline_from_row(r, 0))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_measures(&self, case_id: Uuid) -> Result<Vec<super::MeasureRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {} FROM case_measures WHERE case_id = ?1 ORDER BY started_at, id",
                super::MEASURE_COLS
            ))?
            .query_map([case_id], measure_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn measure(&self, id: Uuid) -> Result<Option<super::MeasureRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {} FROM case_measures WHERE id = ?1",
                super::MEASURE_COLS
            ))?
            .query_row([id], measure_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn deadline(&self, id: Uuid) -> Result<Option<DeadlineRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {DEADLINE_COLS} FROM deadlines WHERE id = ?1"
            ))?
            .query_row([id], |r| deadline_from_row(r, 0))
            .optional()?)
        })
        .await
    }

    pub(crate) async fn apply_case_step(
        &self,
        w: CaseStepWrite,
        audit: AuditDraft,
    ) -> Result<CaseRow> {
        self.write(move |c, head| {
            let row = c
                .prepare_cached(&format!(
                    "UPDATE cases SET status = ?1, version = ?2, outcome = ?3,
                         closed_at = COALESCE(?4, closed_at)
                     WHERE id = ?5 AND version = ?6
                     RETURNING {CASE_COLS}"
                ))?
                .query_row(
                    params![
                        w.status.as_str(),
                        w.event.seq,
                        w.outcome.map(|o| o.as_str()),
                        w.closed_at.map(micros),
                        w.case_id,
                        w.expected_version,
                    ],
                    case_from_row,
                )
                .optional()?;
            let Some(row) = row else {
                let exists: Option<i64> = c
                    .prepare_cached("SELECT 1 FROM cases WHERE id = ?1")?
                    .query_row([w.case_id], |r| r.get(0))
                    .optional()?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(STALE_VERSION.into()),
                    None => StoreError::NotFound,
                });
            };
            let at = micros(w.event.at);
            let mut meet = c.prepare_cached(
                "UPDATE deadlines SET state = 'met', ended_at = ?1, next_at = NULL
                 WHERE case_id = ?2 AND rule = ?3 AND state = 'running'",
            )?;
            for rule in &w.meet {
                meet.execute(params![at, w.case_id, rule])?;
            }
            if w.cancel_rest {
                c.prepare_cached(
                    "UPDATE deadlines SET state = 'cancelled', ended_at = ?1, next_at = NULL
                     WHERE case_id = ?2 AND state = 'running'",
                )?
                .execute(params![at, w.case_id])?;
                // A closed case's measures end with it (custody passes with the file).
                c.prepare_cached(
                    "UPDATE case_measures SET ended_at = ?1 WHERE case_id = ?2 AND ended_at IS NULL",
                )?
                .execute(params![at, w.case_id])?;
            }
            if let Some(x) = &w.extend {
                let n = c
                    .prepare_cached(
                        "UPDATE deadlines SET due_at = ?1, warn_at = ?2, next_at = ?3, stage = ?4,
                             events = ?5
                         WHERE id = ?6 AND case_id = ?7 AND state = 'running'",
                    )?
                    .execute(params![
                        micros(x.due_at),
                        micros(x.warn_at),
                        x.next_at.map(micros),
                        x.stage,
                        x.events,
                        x.id,
                        w.case_id,
                    ])?;
                if n != 1 {
                    return Err(StoreError::Conflict(super::DEADLINE_NOT_RUNNING.into()));
                }
            }
            match &w.measure {
                None => {}
                Some(super::MeasureWrite::Start { row: m, meet }) => {
                    let mut st = c.prepare_cached(
                        "UPDATE deadlines SET state = 'met', ended_at = ?1, next_at = NULL
                         WHERE case_id = ?2 AND rule = ?3 AND state = 'running'
                           AND measure_id IN (SELECT id FROM case_measures
                                              WHERE case_id = ?2 AND party_seq = ?4)",
                    )?;
                    for rule in meet {
                        st.execute(params![micros(w.event.at), w.case_id, rule, m.party_seq])?;
                    }
                    c.prepare_cached(&format!(
                        "INSERT INTO case_measures ({}) VALUES (?1, ?2, ?3, ?4, ?5, NULL, '', ?6)",
                        super::MEASURE_COLS
                    ))?
                    .execute(params![m.id, w.case_id, m.kind, m.party_seq, micros(m.started_at), m.note])?;
                }
                Some(super::MeasureWrite::Act {
                    id,
                    act,
                    meet,
                    cancel,
                    end,
                }) => {
                    let n = c
                        .prepare_cached(
                            "UPDATE case_measures SET acts = acts || CASE WHEN acts = '' THEN '' ELSE ',' END || ?1,
                                 ended_at = ?2
                             WHERE id = ?3 AND case_id = ?4 AND ended_at IS NULL",
                        )?
                        .execute(params![act, end.map(micros), id, w.case_id])?;
                    if n != 1 {
                        return Err(StoreError::Conflict(super::MEASURE_ENDED.into()));
                    }
                    let at = micros(w.event.at);
                    if end.is_some() {
                        let mut st = c.prepare_cached(
                            "UPDATE deadlines SET state = 'cancelled', ended_at = ?1, next_at = NULL
                             WHERE measure_id = ?2 AND rule = ?3 AND state = 'running'",
                        )?;
                        for rule in cancel {
                            st.execute(params![at, id, rule])?;
                        }
                        c.prepare_cached(
                            "UPDATE deadlines SET state = 'met', ended_at = ?1, next_at = NULL
                             WHERE measure_id = ?2 AND state = 'running'",
                        )?
                        .execute(params![at, id])?;
                    } else {
                        let mut st = c.prepare_cached(
                            "UPDATE deadlines SET state = 'met', ended_at = ?1, next_at = NULL
                             WHERE measure_id = ?2 AND rule = ?3 AND state = 'running'",
                        )?;
                        for rule in meet {
                            st.execute(params![at, id, rule])?;
                        }
                    }
                }
            }
            if let Some(f) = &w.decisions_in_force {
                super::decision::sqlite::bring_into_force(c, w.case_id, row.unit_id, f)?;
            }
            insert_deadlines(c, &row, &w.start)?;
            insert_event(c, w.case_id, &w.event)?;
            crate::outbox::sqlite::insert_messages(c, &w.outbox)?;
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn deadline_board(&self, f: BoardFilter) -> Result<Vec<BoardDeadline>> {
        if f.scope.is_none() {
            return Ok(Vec::new());
        }
        self.read(move |c| {
            let (w, order) = board_where(&f, Placeholder::Question);
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
            let mut st = c.prepare_cached(&sql)?;
            let rows = st
                .query_map(params_from_iter(w.args()), |r| {
                    Ok(BoardDeadline {
                        deadline: deadline_from_row(r, 0)?,
                        case_number: r.get(14)?,
                        case_title: r.get(15)?,
                        case_kind: parse_kind(r.get_ref(16)?.as_str()?)
                            .map_err(|e| bad_column(16, e))?,
                        lead_officer_id: r.get(17)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
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
        self.read(move |c| {
            let f = BoardFilter {
                scope,
                unit,
                list: BoardList::Running,
                now,
                since: now,
                limit: 0,
            };
            let (w, _) = board_where(&f, Placeholder::Question);
            let n = w.args().len();
            let sql = format!(
                "SELECT COALESCE(SUM(CASE WHEN d.due_at > ?{a} AND d.warn_at <= ?{a} THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN d.due_at <= ?{a} THEN 1 ELSE 0 END), 0),
                        COUNT(*)
                 FROM deadlines d{}",
                w.sql(),
                a = n + 1
            );
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            for v in w.args() {
                args.push(match v {
                    crate::sql::Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
                    crate::sql::Value::Time(t) => rusqlite::types::Value::Integer(micros(*t)),
                });
            }
            args.push(rusqlite::types::Value::Integer(micros(now)));
            Ok(c.prepare_cached(&sql)?
                .query_row(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
        })
        .await
    }

    pub(crate) async fn claim_deadlines(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<DeadlineRow>> {
        // The single writer makes select-and-claim atomic.
        self.write(move |c, _| {
            let mut st = c.prepare_cached(&format!(
                "UPDATE deadlines SET next_at = ?1
                 WHERE id IN (
                     SELECT id FROM deadlines
                     WHERE state = 'running' AND next_at IS NOT NULL AND next_at <= ?2
                     ORDER BY next_at LIMIT ?3)
                 RETURNING {DEADLINE_COLS}"
            ))?;
            let rows = st.query_map(
                params![micros(lease_until), micros(now), limit.clamp(1, 10_000)],
                |r| deadline_from_row(r, 0),
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn advance_deadline(&self, a: DeadlineAdvance) -> Result<bool> {
        self.write(move |c, head| {
            let n = c
                .prepare_cached(
                    "UPDATE deadlines SET stage = ?1, next_at = ?2
                     WHERE id = ?3 AND stage = ?4 AND due_at = ?5 AND state = 'running'",
                )?
                .execute(params![
                    a.stage,
                    a.next_at.map(micros),
                    a.id,
                    a.expected_stage,
                    micros(a.expected_due)
                ])?;
            if n != 1 {
                return Ok(false);
            }
            crate::outbox::sqlite::insert_messages(c, &a.outbox)?;
            if let Some(l) = &a.letter {
                use chrono::Datelike;
                let year = l.issued_at.with_timezone(&frontline_core::time::BEIJING).year();
                let seq: i64 = c
                    .prepare_cached(
                        "INSERT INTO number_counters (unit_id, kind, year, last) VALUES (?1, 'advice_letter', ?2, 1)
                         ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = last + 1 RETURNING last",
                    )?
                    .query_row(params![l.unit_id, year], |r| r.get(0))?;
                c.prepare_cached(&format!(
                    "INSERT INTO case_advice_letters ({LETTER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ))?
                .execute(params![
                    l.id,
                    l.case_id,
                    a.id,
                    l.unit_id,
                    l.unit_path,
                    format_letter_number(&l.unit_code, year, seq),
                    micros(l.issued_at),
                    l.rule,
                    micros(l.due_at),
                ])?;
            }
            if let Some(audit) = &a.audit {
                append(c, head, audit)?;
            }
            Ok(true)
        })
        .await
    }

    pub(crate) async fn case_advice_letters(&self, case_id: Uuid) -> Result<Vec<AdviceLetterRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {LETTER_COLS} FROM case_advice_letters WHERE case_id = ?1 ORDER BY issued_at, id"
            ))?
            .query_map([case_id], letter_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn advice_letter(&self, id: Uuid) -> Result<Option<AdviceLetterRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {LETTER_COLS} FROM case_advice_letters WHERE id = ?1"
            ))?
            .query_row([id], letter_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn officers_with_role(
        &self,
        role: String,
        scope: PathRange,
    ) -> Result<Vec<crate::OfficerBrief>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT o.id, o.unit_id, o.display_name, o.badge_no, o.auxiliary
                 FROM officers o JOIN units u ON u.id = o.unit_id
                 WHERE o.disabled = 0 AND (',' || o.roles || ',') LIKE ?1
                   AND u.path >= ?2 AND u.path < ?3
                 ORDER BY o.display_name, o.id",
            )?;
            let rows = st.query_map(
                params![format!("%,{role},%"), scope.lower, scope.upper],
                |r| {
                    Ok(crate::OfficerBrief {
                        id: r.get(0)?,
                        unit_id: r.get(1)?,
                        display_name: r.get(2)?,
                        badge_no: r.get(3)?,
                        auxiliary: r.get(4)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn case_by_query_code(&self, code: String) -> Result<Option<CaseRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {CASE_COLS} FROM cases WHERE query_code = ?1"
            ))?
            .query_row([code], case_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn status_lookup_times(
        &self,
        client: String,
        code_hash: String,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<(
        Vec<chrono::DateTime<chrono::Utc>>,
        Vec<chrono::DateTime<chrono::Utc>>,
    )> {
        self.read(move |c| {
            let times = |sql: &str, key: &str| -> Result<Vec<chrono::DateTime<chrono::Utc>>> {
                Ok(c.prepare_cached(sql)?
                    .query_map(params![key, micros(since)], |r| r.get::<_, i64>(0))?
                    .map(|t| t.map(from_micros))
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            };
            Ok((
                times(
                    "SELECT at FROM case_status_lookups WHERE client = ?1 AND at > ?2 LIMIT 1000",
                    &client,
                )?,
                times(
                    "SELECT at FROM case_status_lookups WHERE code_hash = ?1 AND at > ?2 AND found = 0 LIMIT 1000",
                    &code_hash,
                )?,
            ))
        })
        .await
    }

    pub(crate) async fn record_status_lookup(&self, l: StatusLookup) -> Result<()> {
        self.write(move |c, _| {
            c.prepare_cached(
                "INSERT INTO case_status_lookups (id, at, client, code_hash, found, case_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                l.id,
                micros(l.at),
                l.client,
                l.code_hash,
                l.found,
                l.case_id
            ])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn purge_status_lookups(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        self.write_standalone(move |c, _| {
            Ok(
                c.prepare_cached("DELETE FROM case_status_lookups WHERE at < ?1")?
                    .execute([micros(before)])? as u64,
            )
        })
        .await
    }
}

use chrono::{DateTime, Utc};
use frontline_core::incident::callback::{RepeatBasis, Satisfaction};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::{
    ALREADY_REVIEWED, CALLBACK_NOT_DUE, CallbackReview, CallbackRow, CallbackWrite, CategoryCount,
    RepeatCandidate, RepeatEarlier, ReviewRow,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::incident::{FollowUp, NewIncident, PathRange, parse_status};
use crate::{AuditDraft, NewMessage, Result, StoreError, from_micros, micros};

const CALLBACK_COLS: &str = "id, incident_id, attempt, at, officer_id, officer_name, reached, \
     satisfaction, comment, reviewed_at, reviewer_id, reviewer_name, review_note";
const REVIEW_COLS: &str = "review_date, incident_id, unit_path, at, reviewer_id, reviewer_name, \
     note, instruction, acknowledged_at, acknowledged_by";

fn bad(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, what.to_string().into())
}

fn callback_from_row(r: &Row<'_>) -> rusqlite::Result<CallbackRow> {
    let satisfaction = match r.get_ref(7)?.as_str_or_null()? {
        None => None,
        Some(s) => Some(Satisfaction::parse(s).ok_or_else(|| bad(7, "unknown satisfaction"))?),
    };
    let review = match r.get::<_, Option<i64>>(9)? {
        None => None,
        Some(at) => Some(CallbackReview {
            at: from_micros(at),
            reviewer_id: r.get(10)?,
            reviewer_name: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
            note: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
    };
    Ok(CallbackRow {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        attempt: r.get(2)?,
        at: from_micros(r.get(3)?),
        officer_id: r.get(4)?,
        officer_name: r.get(5)?,
        reached: r.get(6)?,
        satisfaction,
        comment: r.get(8)?,
        review,
    })
}

fn review_from_row(r: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        review_date: r.get(0)?,
        incident_id: r.get(1)?,
        unit_path: r.get(2)?,
        at: from_micros(r.get(3)?),
        reviewer_id: r.get(4)?,
        reviewer_name: r.get(5)?,
        note: r.get(6)?,
        instruction: r.get(7)?,
        acknowledged_at: r.get::<_, Option<i64>>(8)?.map(from_micros),
        acknowledged_by: r.get(9)?,
    })
}

pub(crate) fn insert_callback(c: &Connection, cb: &CallbackRow) -> Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO callbacks ({CALLBACK_COLS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(params![
        cb.id,
        cb.incident_id,
        cb.attempt,
        micros(cb.at),
        cb.officer_id,
        cb.officer_name,
        cb.reached,
        cb.satisfaction.map(Satisfaction::as_str),
        cb.comment,
        cb.review.as_ref().map(|r| micros(r.at)),
        cb.review.as_ref().map(|r| r.reviewer_id),
        cb.review.as_ref().map(|r| r.reviewer_name.clone()),
        cb.review.as_ref().map(|r| r.note.clone()),
    ])?;
    Ok(())
}

/// The repeat links and callbacks of a new incident, in its insert transaction (its
/// follow-up columns are in the incident row).
pub(crate) fn insert_follow_up(c: &Connection, n: &NewIncident) -> Result<()> {
    let f = &n.follow_up;
    for r in &f.repeats {
        c.prepare_cached(
            "INSERT INTO incident_repeats (incident_id, earlier_id, basis) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![n.id, r.earlier_id, r.basis.as_str()])?;
    }
    for cb in &f.callbacks {
        insert_callback(c, cb)?;
    }
    Ok(())
}

fn scope_sql(scope: &PathRange, col: &str, first: usize) -> (String, Vec<String>) {
    if scope.is_all() {
        (String::new(), Vec::new())
    } else {
        (
            format!(" AND {col} >= ?{first} AND {col} < ?{}", first + 1),
            vec![scope.lower.clone(), scope.upper.clone()],
        )
    }
}

impl SqliteStore {
    pub(crate) async fn repeat_candidates(
        &self,
        address_key: Option<String>,
        phone: String,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RepeatCandidate>> {
        self.read(move |c| {
            let mut out: Vec<RepeatCandidate> = Vec::new();
            let mut add = |id: Uuid, at: i64, addr: bool| match out.iter_mut().find(|x| x.id == id)
            {
                Some(x) if addr => x.same_address = true,
                Some(x) => x.same_phone = true,
                None => out.push(RepeatCandidate {
                    id,
                    reported_at: from_micros(at),
                    same_address: addr,
                    same_phone: !addr,
                }),
            };
            if let Some(k) = &address_key {
                let mut st = c.prepare_cached(
                    "SELECT id, reported_at FROM incidents
                     WHERE address_key = ?1 AND reported_at >= ?2 AND reported_at <= ?3
                     ORDER BY reported_at DESC LIMIT ?4",
                )?;
                let rows = st.query_map(params![k, micros(since), micros(until), limit], |r| {
                    Ok((r.get::<_, Uuid>(0)?, r.get::<_, i64>(1)?))
                })?;
                for row in rows {
                    let (id, at) = row?;
                    add(id, at, true);
                }
            }
            let mut st = c.prepare_cached(
                "SELECT id, reported_at FROM incidents
                 WHERE caller_phone = ?1 AND reported_at >= ?2 AND reported_at <= ?3
                 ORDER BY reported_at DESC LIMIT ?4",
            )?;
            let rows = st.query_map(params![phone, micros(since), micros(until), limit], |r| {
                Ok((r.get::<_, Uuid>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (id, at) = row?;
                add(id, at, false);
            }
            out.sort_by_key(|r| std::cmp::Reverse(r.reported_at));
            out.truncate(limit.max(0) as usize);
            Ok(out)
        })
        .await
    }

    pub(crate) async fn repeat_links(&self, incident_id: Uuid) -> Result<Vec<RepeatEarlier>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT i.id, r.basis, i.number, i.unit_path, i.reported_at, i.category, i.status
                 FROM incident_repeats r JOIN incidents i ON i.id = r.earlier_id
                 WHERE r.incident_id = ?1 ORDER BY i.reported_at DESC",
            )?;
            let rows = st.query_map([incident_id], |r| {
                Ok(RepeatEarlier {
                    id: r.get(0)?,
                    basis: RepeatBasis::parse(r.get_ref(1)?.as_str()?)
                        .ok_or_else(|| bad(1, "unknown repeat basis"))?,
                    number: r.get(2)?,
                    unit_path: r.get(3)?,
                    reported_at: from_micros(r.get(4)?),
                    category: r.get(5)?,
                    status: parse_status(r.get_ref(6)?.as_str()?)
                        .map_err(|_| bad(6, "unknown status"))?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn record_callback(
        &self,
        w: CallbackWrite,
        audit: AuditDraft,
    ) -> Result<FollowUp> {
        self.write(move |c, head| {
            let st = &w.state;
            let n = c
                .prepare_cached(
                    "UPDATE incidents SET callback_status = ?1, callback_attempts = ?2,
                         callback_next_at = ?3, callback_at = ?4, satisfaction = ?5
                     WHERE id = ?6 AND callback_status = 'due' AND callback_attempts = ?7",
                )?
                .execute(params![
                    st.callback.map(|c| c.as_str()),
                    st.callback_attempts,
                    st.callback_next_at.map(micros),
                    st.callback_at.map(micros),
                    st.satisfaction.map(Satisfaction::as_str),
                    w.callback.incident_id,
                    w.callback.attempt - 1,
                ])?;
            if n == 0 {
                let exists: Option<i64> = c
                    .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
                    .query_row([w.callback.incident_id], |r| r.get(0))
                    .optional()?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(CALLBACK_NOT_DUE.into()),
                    None => StoreError::NotFound,
                });
            }
            insert_callback(c, &w.callback)?;
            crate::outbox::sqlite::insert_messages(c, &w.outbox)?;
            append(c, head, &audit)?;
            Ok(w.state.clone().truncated())
        })
        .await
    }

    pub(crate) async fn incident_callbacks(&self, incident_id: Uuid) -> Result<Vec<CallbackRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {CALLBACK_COLS} FROM callbacks WHERE incident_id = ?1 ORDER BY attempt"
            ))?;
            let rows = st.query_map([incident_id], callback_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn callback(&self, id: Uuid) -> Result<Option<CallbackRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {CALLBACK_COLS} FROM callbacks WHERE id = ?1"
            ))?
            .query_row([id], callback_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn review_callback(
        &self,
        id: Uuid,
        review: CallbackReview,
        audit: AuditDraft,
    ) -> Result<CallbackRow> {
        self.write(move |c, head| {
            let row = c
                .prepare_cached(&format!(
                    "UPDATE callbacks SET reviewed_at = ?1, reviewer_id = ?2, reviewer_name = ?3,
                         review_note = ?4
                     WHERE id = ?5 AND reviewed_at IS NULL
                     RETURNING {CALLBACK_COLS}"
                ))?
                .query_row(
                    params![
                        micros(review.at),
                        review.reviewer_id,
                        review.reviewer_name,
                        review.note,
                        id
                    ],
                    callback_from_row,
                )
                .optional()?;
            let Some(row) = row else {
                let exists: Option<i64> = c
                    .prepare_cached("SELECT 1 FROM callbacks WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(ALREADY_REVIEWED.into()),
                    None => StoreError::NotFound,
                });
            };
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn category_counts(
        &self,
        scope: PathRange,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CategoryCount>> {
        self.read(move |c| {
            let (cond, args) = scope_sql(&scope, "unit_path", 3);
            let sql = format!(
                "SELECT unit_id, category, COUNT(*) FROM incidents
                 WHERE reported_at >= ?1 AND reported_at < ?2{cond}
                 GROUP BY unit_id, category"
            );
            let mut st = c.prepare_cached(&sql)?;
            let mut params: Vec<rusqlite::types::Value> = vec![
                rusqlite::types::Value::Integer(micros(from)),
                rusqlite::types::Value::Integer(micros(to)),
            ];
            params.extend(args.into_iter().map(rusqlite::types::Value::Text));
            let rows = st.query_map(rusqlite::params_from_iter(params), |r| {
                Ok(CategoryCount {
                    unit_id: r.get(0)?,
                    category: r.get(1)?,
                    count: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn mark_reviewed(
        &self,
        r: ReviewRow,
        outbox: Vec<NewMessage>,
        audit: AuditDraft,
    ) -> Result<ReviewRow> {
        self.write(move |c, head| {
            let row = c
                .prepare_cached(&format!(
                    "INSERT INTO incident_reviews ({REVIEW_COLS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)
                     ON CONFLICT (review_date, incident_id) DO UPDATE SET
                         at = excluded.at, reviewer_id = excluded.reviewer_id,
                         reviewer_name = excluded.reviewer_name, note = excluded.note,
                         instruction = excluded.instruction, acknowledged_at = NULL,
                         acknowledged_by = NULL
                     RETURNING {REVIEW_COLS}"
                ))?
                .query_row(
                    params![
                        r.review_date,
                        r.incident_id,
                        r.unit_path,
                        micros(r.at),
                        r.reviewer_id,
                        r.reviewer_name,
                        r.note,
                        r.instruction
                    ],
                    review_from_row,
                )?;
            crate::outbox::sqlite::insert_messages(c, &outbox)?;
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub(crate) async fn reviews_of_day(
        &self,
        date: String,
        scope: PathRange,
    ) -> Result<Vec<ReviewRow>> {
        self.read(move |c| {
            let (cond, args) = scope_sql(&scope, "unit_path", 2);
            let sql = format!(
                "SELECT {REVIEW_COLS} FROM incident_reviews WHERE review_date = ?1{cond}
                 ORDER BY at"
            );
            let mut st = c.prepare_cached(&sql)?;
            let mut p = vec![date];
            p.extend(args);
            let rows = st.query_map(rusqlite::params_from_iter(p), review_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn open_instructions(
        &self,
        scope: PathRange,
        limit: i64,
    ) -> Result<Vec<ReviewRow>> {
        self.read(move |c| {
            let (cond, args) = scope_sql(&scope, "unit_path", 1);
            let sql = format!(
                "SELECT {REVIEW_COLS} FROM incident_reviews
                 WHERE instruction <> '' AND acknowledged_at IS NULL{cond}
                 ORDER BY at DESC LIMIT {}",
                limit.clamp(1, 500)
            );
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(args), review_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn acknowledge_instruction(
        &self,
        date: String,
        incident_id: Uuid,
        by: String,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<ReviewRow> {
        self.write(move |c, head| {
            let row = c
                .prepare_cached(&format!(
                    "UPDATE incident_reviews SET acknowledged_at = ?1, acknowledged_by = ?2
                     WHERE review_date = ?3 AND incident_id = ?4 AND instruction <> ''
                       AND acknowledged_at IS NULL
                     RETURNING {REVIEW_COLS}"
                ))?
                .query_row(params![micros(at), by, date, incident_id], review_from_row)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            append(c, head, &audit)?;
            Ok(row)
        })
        .await
    }
}

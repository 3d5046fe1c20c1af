use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use frontline_core::incident::callback::{RepeatBasis, Satisfaction};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{
    ALREADY_REVIEWED, CALLBACK_NOT_DUE, CallbackReview, CallbackRow, CallbackWrite, CategoryCount,
    RepeatCandidate, RepeatEarlier, ReviewRow,
};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::incident::{FollowUp, NewIncident, PathRange, parse_status};
use crate::{AuditDraft, NewMessage, Result, StoreError, truncate_micros};

const CALLBACK_COLS: &str = "id, incident_id, attempt, at, officer_id, officer_name, reached, \
     satisfaction, comment, reviewed_at, reviewer_id, reviewer_name, review_note";
const REVIEW_COLS: &str = "review_date, incident_id, unit_path, at, reviewer_id, reviewer_name, \
     note, instruction, acknowledged_at, acknowledged_by";

#[derive(Debug, thiserror::Error)]
#[error("unknown {0} {1:?} in the database")]
struct Unknown(&'static str, String);

fn callback_from_row(r: &Row) -> Result<CallbackRow> {
    let satisfaction = match r.try_get::<_, Option<String>>(7)? {
        None => None,
        Some(s) => Some(
            Satisfaction::parse(&s)
                .ok_or_else(|| StoreError::db_from(Unknown("satisfaction", s.clone())))?,
        ),
    };
    let review = match r.try_get::<_, Option<DateTime<Utc>>>(9)? {
        None => None,
        Some(at) => Some(CallbackReview {
            at,
            reviewer_id: r.try_get(10)?,
            reviewer_name: r.try_get::<_, Option<String>>(11)?.unwrap_or_default(),
            note: r.try_get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
    };
    Ok(CallbackRow {
        id: r.try_get(0)?,
        incident_id: r.try_get(1)?,
        attempt: r.try_get(2)?,
        at: r.try_get(3)?,
        officer_id: r.try_get(4)?,
        officer_name: r.try_get(5)?,
        reached: r.try_get(6)?,
        satisfaction,
        comment: r.try_get(8)?,
        review,
    })
}

fn review_from_row(r: &Row) -> Result<ReviewRow> {
    Ok(ReviewRow {
        review_date: r.try_get(0)?,
        incident_id: r.try_get(1)?,
        unit_path: r.try_get(2)?,
        at: r.try_get(3)?,
        reviewer_id: r.try_get(4)?,
        reviewer_name: r.try_get(5)?,
        note: r.try_get(6)?,
        instruction: r.try_get(7)?,
        acknowledged_at: r.try_get(8)?,
        acknowledged_by: r.try_get(9)?,
    })
}

pub(crate) async fn insert_callback(c: &impl GenericClient, cb: &CallbackRow) -> Result<()> {
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO callbacks ({CALLBACK_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .await?;
    let review_at = cb.review.as_ref().map(|r| truncate_micros(r.at));
    let reviewer_id = cb.review.as_ref().map(|r| r.reviewer_id);
    let reviewer_name = cb.review.as_ref().map(|r| r.reviewer_name.clone());
    let note = cb.review.as_ref().map(|r| r.note.clone());
    c.execute(
        &st,
        &[
            &cb.id,
            &cb.incident_id,
            &cb.attempt,
            &truncate_micros(cb.at),
            &cb.officer_id,
            &cb.officer_name,
            &cb.reached,
            &cb.satisfaction.map(Satisfaction::as_str),
            &cb.comment,
            &review_at,
            &reviewer_id,
            &reviewer_name,
            &note,
        ],
    )
    .await?;
    Ok(())
}

/// The repeat links and callbacks of a new incident, in its insert transaction (its
/// follow-up columns are in the incident row).
pub(crate) async fn insert_follow_up(c: &impl GenericClient, n: &NewIncident) -> Result<()> {
    let f = &n.follow_up;
    for r in &f.repeats {
        c.execute(
            "INSERT INTO incident_repeats (incident_id, earlier_id, basis) VALUES ($1, $2, $3)",
            &[&n.id, &r.earlier_id, &r.basis.as_str()],
        )
        .await?;
    }
    for cb in &f.callbacks {
        insert_callback(c, cb).await?;
    }
    Ok(())
}

fn scope_sql(scope: &PathRange, col: &str, first: usize) -> (String, Vec<String>) {
    if scope.is_all() {
        (String::new(), Vec::new())
    } else {
        (
            format!(" AND {col} >= ${first} AND {col} < ${}", first + 1),
            vec![scope.lower.clone(), scope.upper.clone()],
        )
    }
}

impl PgStore {
    pub(crate) async fn repeat_candidates(
        &self,
        address_key: Option<String>,
        phone: String,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RepeatCandidate>> {
        let c = self.pool.get().await?;
        let mut out: Vec<RepeatCandidate> = Vec::new();
        let mut add =
            |id: Uuid, at: DateTime<Utc>, addr: bool| match out.iter_mut().find(|x| x.id == id) {
                Some(x) if addr => x.same_address = true,
                Some(x) => x.same_phone = true,
                None => out.push(RepeatCandidate {
                    id,
                    reported_at: at,
                    same_address: addr,
                    same_phone: !addr,
                }),
            };
        if let Some(k) = &address_key {
            let st = c
                .prepare_cached(
                    "SELECT id, reported_at FROM incidents
                     WHERE address_key = $1 AND reported_at >= $2 AND reported_at <= $3
                     ORDER BY reported_at DESC LIMIT $4",
                )
                .await?;
            for r in c.query(&st, &[k, &since, &until, &limit]).await? {
                add(r.try_get(0)?, r.try_get(1)?, true);
            }
        }
        let st = c
            .prepare_cached(
                "SELECT id, reported_at FROM incidents
                 WHERE caller_phone = $1 AND reported_at >= $2 AND reported_at <= $3
                 ORDER BY reported_at DESC LIMIT $4",
            )
            .await?;
        for r in c.query(&st, &[&phone, &since, &until, &limit]).await? {
            add(r.try_get(0)?, r.try_get(1)?, false);
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.reported_at));
        out.truncate(limit.max(0) as usize);
        Ok(out)
    }

    pub(crate) async fn repeat_links(&self, incident_id: Uuid) -> Result<Vec<RepeatEarlier>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT i.id, r.basis, i.number, i.unit_path, i.reported_at, i.category, i.status
                 FROM incident_repeats r JOIN incidents i ON i.id = r.earlier_id
                 WHERE r.incident_id = $1 ORDER BY i.reported_at DESC",
                &[&incident_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let basis: String = r.try_get(1)?;
                Ok(RepeatEarlier {
                    id: r.try_get(0)?,
                    basis: RepeatBasis::parse(&basis)
                        .ok_or_else(|| StoreError::db_from(Unknown("repeat basis", basis)))?,
                    number: r.try_get(2)?,
                    unit_path: r.try_get(3)?,
                    reported_at: r.try_get(4)?,
                    category: r.try_get(5)?,
                    status: parse_status(r.try_get(6)?).map_err(StoreError::db_from)?,
                })
            })
            .collect()
    }

    pub(crate) async fn record_callback(
        &self,
        w: CallbackWrite,
        audit: AuditDraft,
    ) -> Result<FollowUp> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let st = w.state.clone().truncated();
                let n = tx
                    .execute(
                        "UPDATE incidents SET callback_status = $1, callback_attempts = $2,
                             callback_next_at = $3, callback_at = $4, satisfaction = $5
                         WHERE id = $6 AND callback_status = 'due' AND callback_attempts = $7",
                        &[
                            &st.callback.map(|c| c.as_str()),
                            &st.callback_attempts,
                            &st.callback_next_at,
                            &st.callback_at,
                            &st.satisfaction.map(Satisfaction::as_str),
                            &w.callback.incident_id,
                            &(w.callback.attempt - 1),
                        ],
                    )
                    .await?;
                if n == 0 {
                    let exists = tx
                        .query_opt(
                            "SELECT 1 FROM incidents WHERE id = $1",
                            &[&w.callback.incident_id],
                        )
                        .await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict(CALLBACK_NOT_DUE.into()),
                        None => StoreError::NotFound,
                    });
                }
                insert_callback(tx, &w.callback).await?;
                crate::outbox::pg::insert_messages(tx, &w.outbox).await?;
                append(tx, head, &audit).await?;
                Ok(st)
            })
        })
        .await
    }

    pub(crate) async fn incident_callbacks(&self, incident_id: Uuid) -> Result<Vec<CallbackRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!(
                "SELECT {CALLBACK_COLS} FROM callbacks WHERE incident_id = $1 ORDER BY attempt"
            ),
            &[&incident_id],
        )
        .await?
        .iter()
        .map(callback_from_row)
        .collect()
    }

    pub(crate) async fn callback(&self, id: Uuid) -> Result<Option<CallbackRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {CALLBACK_COLS} FROM callbacks WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| callback_from_row(&r))
        .transpose()
    }

    pub(crate) async fn review_callback(
        &self,
        id: Uuid,
        review: CallbackReview,
        audit: AuditDraft,
    ) -> Result<CallbackRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &format!(
                            "UPDATE callbacks SET reviewed_at = $1, reviewer_id = $2,
                                 reviewer_name = $3, review_note = $4
                             WHERE id = $5 AND reviewed_at IS NULL
                             RETURNING {CALLBACK_COLS}"
                        ),
                        &[
                            &truncate_micros(review.at),
                            &review.reviewer_id,
                            &review.reviewer_name,
                            &review.note,
                            &id,
                        ],
                    )
                    .await?;
                let Some(row) = row else {
                    let exists = tx
                        .query_opt("SELECT 1 FROM callbacks WHERE id = $1", &[&id])
                        .await?;
                    return Err(match exists {
                        Some(_) => StoreError::Conflict(ALREADY_REVIEWED.into()),
                        None => StoreError::NotFound,
                    });
                };
                let row = callback_from_row(&row)?;
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
    }

    pub(crate) async fn category_counts(
        &self,
        scope: PathRange,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CategoryCount>> {
        let c = self.pool.get().await?;
        let (cond, args) = scope_sql(&scope, "unit_path", 3);
        let sql = format!(
            "SELECT unit_id, category, COUNT(*) FROM incidents
             WHERE reported_at >= $1 AND reported_at < $2{cond}
             GROUP BY unit_id, category"
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&from, &to];
        for a in &args {
            params.push(a);
        }
        c.query(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                Ok(CategoryCount {
                    unit_id: r.try_get(0)?,
                    category: r.try_get(1)?,
                    count: r.try_get(2)?,
                })
            })
            .collect()
    }

    pub(crate) async fn mark_reviewed(
        &self,
        r: ReviewRow,
        outbox: Vec<NewMessage>,
        audit: AuditDraft,
    ) -> Result<ReviewRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let row = tx
                    .query_one(
                        &format!(
                            "INSERT INTO incident_reviews ({REVIEW_COLS})
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)
                             ON CONFLICT (review_date, incident_id) DO UPDATE SET
                                 at = excluded.at, reviewer_id = excluded.reviewer_id,
                                 reviewer_name = excluded.reviewer_name, note = excluded.note,
                                 instruction = excluded.instruction, acknowledged_at = NULL,
                                 acknowledged_by = NULL
                             RETURNING {REVIEW_COLS}"
                        ),
                        &[
                            &r.review_date,
                            &r.incident_id,
                            &r.unit_path,
                            &truncate_micros(r.at),
                            &r.reviewer_id,
                            &r.reviewer_name,
                            &r.note,
                            &r.instruction,
                        ],
                    )
                    .await?;
                let row = review_from_row(&row)?;
                crate::outbox::pg::insert_messages(tx, &outbox).await?;
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
    }

    pub(crate) async fn reviews_of_day(
        &self,
        date: String,
        scope: PathRange,
    ) -> Result<Vec<ReviewRow>> {
        let c = self.pool.get().await?;
        let (cond, args) = scope_sql(&scope, "unit_path", 2);
        let sql = format!(
            "SELECT {REVIEW_COLS} FROM incident_reviews WHERE review_date = $1{cond} ORDER BY at"
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&date];
        for a in &args {
            params.push(a);
        }
        c.query(&sql, &params)
            .await?
            .iter()
            .map(review_from_row)
            .collect()
    }

    pub(crate) async fn open_instructions(
        &self,
        scope: PathRange,
        limit: i64,
    ) -> Result<Vec<ReviewRow>> {
        let c = self.pool.get().await?;
        let (cond, args) = scope_sql(&scope, "unit_path", 1);
        let sql = format!(
            "SELECT {REVIEW_COLS} FROM incident_reviews
             WHERE instruction <> '' AND acknowledged_at IS NULL{cond}
             ORDER BY at DESC LIMIT {}",
            limit.clamp(1, 500)
        );
        let params: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        c.query(&sql, &params)
            .await?
            .iter()
            .map(review_from_row)
            .collect()
    }

    pub(crate) async fn acknowledge_instruction(
        &self,
        date: String,
        incident_id: Uuid,
        by: String,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<ReviewRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        &format!(
                            "UPDATE incident_reviews SET acknowledged_at = $1, acknowledged_by = $2
                             WHERE review_date = $3 AND incident_id = $4 AND instruction <> ''
                               AND acknowledged_at IS NULL
                             RETURNING {REVIEW_COLS}"
                        ),
                        &[&truncate_micros(at), &by, &date, &incident_id],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let row = review_from_row(&row)?;
                append(tx, head, &audit).await?;
                Ok(row)
            })
        })
        .await
    }
}

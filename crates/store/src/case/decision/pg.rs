use deadpool_postgres::GenericClient;
use frontline_core::case::decision::{Decided, DecisionStatus, format_number};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{
    DECISION_COLS, DECISION_NOT_ALLOWED, DecisionItem, DecisionReview, DecisionRow,
    DecisionsInForce, ITEM_COLS, fold, parse_date, parse_status,
};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::{AuditDraft, PathRange, Result, StoreError, truncate_micros};

fn decision_from_row(r: &Row) -> Result<DecisionRow> {
    Ok(DecisionRow {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        unit_path: r.try_get(3)?,
        party_seq: r.try_get(4)?,
        status: parse_status(r.try_get(5)?)?,
        proposed_by: r.try_get(6)?,
        proposed_by_name: r.try_get(7)?,
        proposed_at: r.try_get(8)?,
        assessment: r.try_get(9)?,
        prior: r.try_get(10)?,
        departed: r.try_get(11)?,
        departure_reason: r.try_get(12)?,
        reviewed_by: r.try_get(13)?,
        reviewed_by_name: r.try_get(14)?,
        reviewed_at: r.try_get(15)?,
        review_note: r.try_get(16)?,
        number: r.try_get(17)?,
        decided_at: r.try_get(18)?,
        items: Vec::new(),
    })
}

fn item_from_row(r: &Row, at: usize) -> Result<DecisionItem> {
    let u =
        |i: usize| -> Result<u64> { Ok(u64::try_from(r.try_get::<_, i64>(at + i)?).unwrap_or(0)) };
    let d =
        |i: usize| -> Result<u32> { Ok(u32::try_from(r.try_get::<_, i64>(at + i)?).unwrap_or(0)) };
    Ok(DecisionItem {
        seq: r.try_get(at)?,
        violation_code: r.try_get(at + 1)?,
        situation: r.try_get(at + 2)?,
        offence_date: parse_date(r.try_get(at + 3)?)?,
        recommended: Decided {
            warning: r.try_get(at + 4)?,
            fine_yuan: u(5)?,
            detention_days: d(6)?,
        },
        decided: Decided {
            warning: r.try_get(at + 7)?,
            fine_yuan: u(8)?,
            detention_days: d(9)?,
        },
        departed: r.try_get(at + 10)?,
    })
}

fn joined_cols() -> String {
    let d = DECISION_COLS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let i = ITEM_COLS
        .split(", ")
        .map(|c| format!("i.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{d}, {i}")
}

const ITEM_AT: usize = 19;

async fn query(
    c: &impl GenericClient,
    where_order: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<DecisionRow>> {
    let sql = format!(
        "SELECT {} FROM penalty_decisions d JOIN penalty_decision_items i ON i.decision_id = d.id {where_order}",
        joined_cols()
    );
    let st = c.prepare_cached(&sql).await?;
    let rows = c
        .query(&st, args)
        .await?
        .iter()
        .map(|r| Ok((decision_from_row(r)?, item_from_row(r, ITEM_AT)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(fold(rows))
}

async fn one(c: &impl GenericClient, id: Uuid) -> Result<Option<DecisionRow>> {
    Ok(query(c, "WHERE d.id = $1 ORDER BY i.seq", &[&id])
        .await?
        .pop())
}

/// The decision step's part (called inside `apply_case_step`): every approved decision
/// of the case in force with its number.
pub(crate) async fn bring_into_force(
    tx: &impl GenericClient,
    case_id: Uuid,
    unit_id: Uuid,
    f: &DecisionsInForce,
) -> Result<()> {
    use chrono::Datelike;
    // Checked again inside the write: a proposal made since the step's reads wins.
    let proposed: i64 = tx
        .query_one(
            "SELECT COUNT(*) FROM penalty_decisions WHERE case_id = $1 AND status = 'proposed'",
            &[&case_id],
        )
        .await?
        .try_get(0)?;
    let year = f.at.with_timezone(&frontline_core::time::BEIJING).year();
    let ids: Vec<Uuid> = tx
        .query(
            "SELECT id FROM penalty_decisions WHERE case_id = $1 AND status = 'approved'
             ORDER BY party_seq, proposed_at FOR UPDATE",
            &[&case_id],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if proposed > 0 || ids.is_empty() {
        return Err(StoreError::Conflict(super::NOT_REVIEWED.into()));
    }
    for id in ids {
        let seq: i64 = tx
            .query_one(
                "INSERT INTO number_counters (unit_id, kind, year, last) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = number_counters.last + 1
                 RETURNING last",
                &[
                    &unit_id,
                    &frontline_core::case::decision::COUNTER_KIND,
                    &year,
                ],
            )
            .await?
            .try_get(0)?;
        tx.execute(
            "UPDATE penalty_decisions SET status = 'decided', number = $1, decided_at = $2
             WHERE id = $3",
            &[
                &format_number(&f.unit_code, year, seq),
                &truncate_micros(f.at),
                &id,
            ],
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    pub(crate) async fn propose_penalty_decision(
        &self,
        d: DecisionRow,
        outbox: Vec<crate::NewMessage>,
        audit: AuditDraft,
    ) -> Result<DecisionRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                // The case row locked: a step deciding it waits, then sees this proposal.
                let status: Option<String> = tx
                    .query_opt("SELECT status FROM cases WHERE id = $1 FOR UPDATE", &[&d.case_id])
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                if status.as_deref() != Some("investigating") {
                    return Err(StoreError::Conflict(DECISION_NOT_ALLOWED.into()));
                }
                tx.execute(
                    "UPDATE penalty_decisions SET status = 'superseded'
                     WHERE case_id = $1 AND party_seq = $2 AND status IN ('proposed', 'returned', 'approved')",
                    &[&d.case_id, &d.party_seq],
                )
                .await?;
                tx.execute(
                    &format!(
                        "INSERT INTO penalty_decisions ({DECISION_COLS})
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, NULL, '', NULL, NULL)"
                    ),
                    &[
                        &d.id,
                        &d.case_id,
                        &d.unit_id,
                        &d.unit_path,
                        &d.party_seq,
                        &d.status.as_str(),
                        &d.proposed_by,
                        &d.proposed_by_name,
                        &truncate_micros(d.proposed_at),
                        &d.assessment,
                        &d.prior,
                        &d.departed,
                        &d.departure_reason,
                    ],
                )
                .await?;
                let st = tx
                    .prepare_cached(&format!(
                        "INSERT INTO penalty_decision_items (decision_id, {ITEM_COLS})
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                    ))
                    .await?;
                for i in &d.items {
                    let date = i.offence_date.format("%Y-%m-%d").to_string();
                    let rf = i64::try_from(i.recommended.fine_yuan).unwrap_or(i64::MAX);
                    let rd = i64::from(i.recommended.detention_days);
                    let f = i64::try_from(i.decided.fine_yuan).unwrap_or(i64::MAX);
                    let dd = i64::from(i.decided.detention_days);
                    tx.execute(
                        &st,
                        &[
                            &d.id,
                            &i.seq,
                            &i.violation_code,
                            &i.situation,
                            &date,
                            &i.recommended.warning,
                            &rf,
                            &rd,
                            &i.decided.warning,
                            &f,
                            &dd,
                            &i.departed,
                        ],
                    )
                    .await?;
                }
                crate::outbox::pg::insert_messages(tx, &outbox).await?;
                append(tx, head, &audit).await?;
                one(tx, d.id).await?.ok_or(StoreError::NotFound)
            })
        })
        .await
    }

    pub(crate) async fn review_penalty_decision(
        &self,
        r: DecisionReview,
        outbox: Vec<crate::NewMessage>,
        audit: AuditDraft,
    ) -> Result<DecisionRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE penalty_decisions SET status = $1, reviewed_by = $2, reviewed_by_name = $3,
                             reviewed_at = $4, review_note = $5
                         WHERE id = $6 AND status = $7",
                        &[
                            &r.to.as_str(),
                            &r.by,
                            &r.by_name,
                            &truncate_micros(r.at),
                            &r.note,
                            &r.id,
                            &DecisionStatus::Proposed.as_str(),
                        ],
                    )
                    .await?;
                if n != 1 {
                    return Err(match one(tx, r.id).await? {
                        Some(_) => StoreError::Conflict(DECISION_NOT_ALLOWED.into()),
                        None => StoreError::NotFound,
                    });
                }
                crate::outbox::pg::insert_messages(tx, &outbox).await?;
                append(tx, head, &audit).await?;
                one(tx, r.id).await?.ok_or(StoreError::NotFound)
            })
        })
        .await
    }

    pub(crate) async fn penalty_decision(&self, id: Uuid) -> Result<Option<DecisionRow>> {
        let c = self.pool.get().await?;
        one(&c, id).await
    }

    pub(crate) async fn case_penalty_decisions(&self, case_id: Uuid) -> Result<Vec<DecisionRow>> {
        let c = self.pool.get().await?;
        query(
            &c,
            "WHERE d.case_id = $1 ORDER BY d.proposed_at, d.id, i.seq",
            &[&case_id],
        )
        .await
    }

    pub(crate) async fn prior_penalty_decisions(
        &self,
        id_number: String,
        except_case: Uuid,
    ) -> Result<Vec<DecisionRow>> {
        let c = self.pool.get().await?;
        query(
            &c,
            "JOIN case_parties p ON p.case_id = d.case_id AND p.seq = d.party_seq
             WHERE p.id_number = $1 AND d.status = 'decided' AND d.case_id <> $2
             ORDER BY d.decided_at DESC, d.id, i.seq",
            &[&id_number, &except_case],
        )
        .await
    }

    pub(crate) async fn proposed_penalty_decisions(
        &self,
        scope: PathRange,
        limit: i64,
    ) -> Result<Vec<DecisionRow>> {
        let c = self.pool.get().await?;
        query(
            &c,
            "WHERE d.id IN (SELECT id FROM penalty_decisions WHERE status = 'proposed'
                              AND unit_path >= $1 AND unit_path < $2
                            ORDER BY proposed_at LIMIT $3)
             ORDER BY d.proposed_at, d.id, i.seq",
            &[&scope.lower, &scope.upper, &limit.clamp(1, 500)],
        )
        .await
    }

    pub(crate) async fn decided_penalties(
        &self,
        scope: PathRange,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DecisionRow>> {
        let c = self.pool.get().await?;
        query(
            &c,
            "WHERE d.status = 'decided' AND d.unit_path >= $1 AND d.unit_path < $2
               AND d.decided_at >= $3 AND d.decided_at < $4
             ORDER BY d.decided_at, d.id, i.seq",
            &[
                &scope.lower,
                &scope.upper,
                &truncate_micros(from),
                &truncate_micros(to),
            ],
        )
        .await
    }
}

use frontline_core::case::decision::{Decided, DecisionStatus, format_number};
use rusqlite::types::Type;
use rusqlite::{Connection, Row, params};
use uuid::Uuid;

use super::{
    DECISION_COLS, DECISION_NOT_ALLOWED, DecisionItem, DecisionReview, DecisionRow,
    DecisionsInForce, ITEM_COLS, fold, parse_date, parse_status,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::{AuditDraft, PathRange, Result, StoreError, from_micros, micros};

fn bad(i: usize, e: StoreError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

fn decision_from_row(r: &Row<'_>) -> rusqlite::Result<DecisionRow> {
    Ok(DecisionRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        unit_id: r.get(2)?,
        unit_path: r.get(3)?,
        party_seq: r.get(4)?,
        status: parse_status(r.get_ref(5)?.as_str()?).map_err(|e| bad(5, e))?,
        proposed_by: r.get(6)?,
        proposed_by_name: r.get(7)?,
        proposed_at: from_micros(r.get(8)?),
        assessment: r.get(9)?,
        prior: r.get(10)?,
        departed: r.get(11)?,
        departure_reason: r.get(12)?,
        reviewed_by: r.get(13)?,
        reviewed_by_name: r.get(14)?,
        reviewed_at: r.get::<_, Option<i64>>(15)?.map(from_micros),
        review_note: r.get(16)?,
        number: r.get(17)?,
        decided_at: r.get::<_, Option<i64>>(18)?.map(from_micros),
        items: Vec::new(),
    })
}

fn item_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<DecisionItem> {
    let u = |i: usize| -> rusqlite::Result<u64> {
        Ok(u64::try_from(r.get::<_, i64>(at + i)?).unwrap_or(0))
    };
    let d = |i: usize| -> rusqlite::Result<u32> {
        Ok(u32::try_from(r.get::<_, i64>(at + i)?).unwrap_or(0))
    };
    Ok(DecisionItem {
        seq: r.get(at)?,
        violation_code: r.get(at + 1)?,
        situation: r.get(at + 2)?,
        offence_date: parse_date(r.get_ref(at + 3)?.as_str()?).map_err(|e| bad(at + 3, e))?,
        recommended: Decided {
            warning: r.get(at + 4)?,
            fine_yuan: u(5)?,
            detention_days: d(6)?,
        },
        decided: Decided {
            warning: r.get(at + 7)?,
            fine_yuan: u(8)?,
            detention_days: d(9)?,
        },
        departed: r.get(at + 10)?,
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

fn query(
    c: &Connection,
    where_order: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<DecisionRow>> {
    let sql = format!(
        "SELECT {} FROM penalty_decisions d JOIN penalty_decision_items i ON i.decision_id = d.id {where_order}",
        joined_cols()
    );
    let rows = c
        .prepare_cached(&sql)?
        .query_map(args, |r| {
            Ok((decision_from_row(r)?, item_from_row(r, ITEM_AT)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(fold(rows))
}

fn one(c: &Connection, id: Uuid) -> Result<Option<DecisionRow>> {
    Ok(query(c, "WHERE d.id = ?1 ORDER BY i.seq", &[&id])?.pop())
}

/// The decision step's part (called inside `apply_case_step`): every approved decision
/// of the case in force with its number.
pub(crate) fn bring_into_force(
    c: &Connection,
    case_id: Uuid,
    unit_id: Uuid,
    f: &DecisionsInForce,
) -> Result<()> {
    use chrono::Datelike;
    // Checked again inside the write: a proposal made since the step's reads wins.
    let proposed: i64 = c
        .prepare_cached(
            "SELECT COUNT(*) FROM penalty_decisions WHERE case_id = ?1 AND status = 'proposed'",
        )?
        .query_row([case_id], |r| r.get(0))?;
    let year = f.at.with_timezone(&frontline_core::time::BEIJING).year();
    let ids: Vec<Uuid> = c
        .prepare_cached(
            "SELECT id FROM penalty_decisions WHERE case_id = ?1 AND status = 'approved'
             ORDER BY party_seq, proposed_at",
        )?
        .query_map([case_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if proposed > 0 || ids.is_empty() {
        return Err(StoreError::Conflict(super::NOT_REVIEWED.into()));
    }
    for id in ids {
        let seq: i64 = c
            .prepare_cached(
                "INSERT INTO number_counters (unit_id, kind, year, last) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = last + 1
                 RETURNING last",
            )?
            .query_row(
                params![unit_id, frontline_core::case::decision::COUNTER_KIND, year],
                |r| r.get(0),
            )?;
        c.prepare_cached(
            "UPDATE penalty_decisions SET status = 'decided', number = ?1, decided_at = ?2
             WHERE id = ?3",
        )?
        .execute(params![
            format_number(&f.unit_code, year, seq),
            micros(f.at),
            id
        ])?;
    }
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn propose_penalty_decision(
        &self,
        d: DecisionRow,
        outbox: Vec<crate::NewMessage>,
        audit: AuditDraft,
    ) -> Result<DecisionRow> {
        self.write(move |c, head| {
            let open: Option<String> = c
                .prepare_cached("SELECT status FROM cases WHERE id = ?1")?
                .query_row([d.case_id], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            if open.as_deref() != Some("investigating") {
                return Err(StoreError::Conflict(DECISION_NOT_ALLOWED.into()));
            }
            c.prepare_cached(
                "UPDATE penalty_decisions SET status = 'superseded'
                 WHERE case_id = ?1 AND party_seq = ?2 AND status IN ('proposed', 'returned', 'approved')",
            )?
            .execute(params![d.case_id, d.party_seq])?;
            c.prepare_cached(&format!(
                "INSERT INTO penalty_decisions ({DECISION_COLS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, NULL, NULL, '', NULL, NULL)"
            ))?
            .execute(params![
                d.id,
                d.case_id,
                d.unit_id,
                d.unit_path,
                d.party_seq,
                d.status.as_str(),
                d.proposed_by,
                d.proposed_by_name,
                micros(d.proposed_at),
                d.assessment,
                d.prior,
                d.departed,
                d.departure_reason,
            ])?;
            let mut st = c.prepare_cached(&format!(
                "INSERT INTO penalty_decision_items (decision_id, {ITEM_COLS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))?;
            for i in &d.items {
                st.execute(params![
                    d.id,
                    i.seq,
                    i.violation_code,
                    i.situation,
                    i.offence_date.format("%Y-%m-%d").to_string(),
                    i.recommended.warning,
                    i64::try_from(i.recommended.fine_yuan).unwrap_or(i64::MAX),
                    i64::from(i.recommended.detention_days),
                    i.decided.warning,
                    i64::try_from(i.decided.fine_yuan).unwrap_or(i64::MAX),
                    i64::from(i.decided.detention_days),
                    i.departed,
                ])?;
            }
            crate::outbox::sqlite::insert_messages(c, &outbox)?;
            append(c, head, &audit)?;
            one(c, d.id)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn review_penalty_decision(
        &self,
        r: DecisionReview,
        outbox: Vec<crate::NewMessage>,
        audit: AuditDraft,
    ) -> Result<DecisionRow> {
        self.write(move |c, head| {
            let n = c
                .prepare_cached(
                    "UPDATE penalty_decisions SET status = ?1, reviewed_by = ?2, reviewed_by_name = ?3,
                         reviewed_at = ?4, review_note = ?5
                     WHERE id = ?6 AND status = ?7",
                )?
                .execute(params![
                    r.to.as_str(),
                    r.by,
                    r.by_name,
                    micros(r.at),
                    r.note,
                    r.id,
                    DecisionStatus::Proposed.as_str(),
                ])?;
            if n != 1 {
                return Err(match one(c, r.id)? {
                    Some(_) => StoreError::Conflict(DECISION_NOT_ALLOWED.into()),
                    None => StoreError::NotFound,
                });
            }
            crate::outbox::sqlite::insert_messages(c, &outbox)?;
            append(c, head, &audit)?;
            one(c, r.id)?.ok_or(StoreError::NotFound)
        })
        .await
    }

    pub(crate) async fn penalty_decision(&self, id: Uuid) -> Result<Option<DecisionRow>> {
        self.read(move |c| one(c, id)).await
    }

    pub(crate) async fn case_penalty_decisions(&self, case_id: Uuid) -> Result<Vec<DecisionRow>> {
        self.read(move |c| {
            query(
                c,
                "WHERE d.case_id = ?1 ORDER BY d.proposed_at, d.id, i.seq",
                &[&case_id],
            )
        })
        .await
    }

    pub(crate) async fn prior_penalty_decisions(
        &self,
        id_number: String,
        except_case: Uuid,
    ) -> Result<Vec<DecisionRow>> {
        self.read(move |c| {
            query(
                c,
                "JOIN case_parties p ON p.case_id = d.case_id AND p.seq = d.party_seq
                 WHERE p.id_number = ?1 AND d.status = 'decided' AND d.case_id <> ?2
                 ORDER BY d.decided_at DESC, d.id, i.seq",
                &[&id_number, &except_case],
            )
        })
        .await
    }

    pub(crate) async fn proposed_penalty_decisions(
        &self,
        scope: PathRange,
        limit: i64,
    ) -> Result<Vec<DecisionRow>> {
        self.read(move |c| {
            query(
                c,
                "WHERE d.id IN (SELECT id FROM penalty_decisions WHERE status = 'proposed'
                                  AND unit_path >= ?1 AND unit_path < ?2
                                ORDER BY proposed_at LIMIT ?3)
                 ORDER BY d.proposed_at, d.id, i.seq",
                &[&scope.lower, &scope.upper, &limit.clamp(1, 500)],
            )
        })
        .await
    }

    pub(crate) async fn decided_penalties(
        &self,
        scope: PathRange,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DecisionRow>> {
        self.read(move |c| {
            query(
                c,
                "WHERE d.status = 'decided' AND d.unit_path >= ?1 AND d.unit_path < ?2
                   AND d.decided_at >= ?3 AND d.decided_at < ?4
                 ORDER BY d.decided_at, d.id, i.seq",
                &[&scope.lower, &scope.upper, &micros(from), &micros(to)],
            )
        })
        .await
    }
}

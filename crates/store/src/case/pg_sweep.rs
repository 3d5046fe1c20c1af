//! PostgreSQL: the deadline sweep's claim and advance, advice letters, officers by role,
//! and the public status page's lookups (split from `pg.rs`).

use uuid::Uuid;

use super::pg::{case_from_row, deadline_from_row, letter_from_row};
use super::{
    AdviceLetterRow, CASE_COLS, CaseRow, DEADLINE_COLS, DeadlineAdvance, DeadlineRow, LETTER_COLS,
    StatusLookup, format_letter_number,
};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::incident::PathRange;
use crate::{Result, truncate_micros};

impl PgStore {
    pub(crate) async fn claim_deadlines(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<DeadlineRow>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "UPDATE deadlines SET next_at = $1
                 WHERE id IN (
                     SELECT id FROM deadlines
                     WHERE state = 'running' AND next_at IS NOT NULL AND next_at <= $2
                     ORDER BY next_at LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING {DEADLINE_COLS}"
            ))
            .await?;
        c.query(
            &st,
            &[
                &truncate_micros(lease_until),
                &truncate_micros(now),
                &limit.clamp(1, 10_000),
            ],
        )
        .await?
        .iter()
        .map(|r| deadline_from_row(r, 0))
        .collect()
    }

    pub(crate) async fn advance_deadline(&self, a: DeadlineAdvance) -> Result<bool> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE deadlines SET stage = $1, next_at = $2
                         WHERE id = $3 AND stage = $4 AND due_at = $5 AND state = 'running'",
                        &[
                            &a.stage,
                            &a.next_at.map(truncate_micros),
                            &a.id,
                            &a.expected_stage,
                            &truncate_micros(a.expected_due),
                        ],
                    )
                    .await?;
                if n != 1 {
                    return Ok(false);
                }
                crate::outbox::pg::insert_messages(tx, &a.outbox).await?;
                if let Some(l) = &a.letter {
                    use chrono::Datelike;
                    let year = l.issued_at.with_timezone(&frontline_core::time::BEIJING).year();
                    let seq: i64 = tx
                        .query_one(
                            "INSERT INTO number_counters (unit_id, kind, year, last) VALUES ($1, 'advice_letter', $2, 1)
                             ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = number_counters.last + 1
                             RETURNING last",
                            &[&l.unit_id, &year],
                        )
                        .await?
                        .try_get(0)?;
                    tx.execute(
                        &format!(
                            "INSERT INTO case_advice_letters ({LETTER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        ),
                        &[
                            &l.id,
                            &l.case_id,
                            &a.id,
                            &l.unit_id,
                            &l.unit_path,
                            &format_letter_number(&l.unit_code, year, seq),
                            &truncate_micros(l.issued_at),
                            &l.rule,
                            &truncate_micros(l.due_at),
                        ],
                    )
                    .await?;
                }
                if let Some(audit) = &a.audit {
                    append(tx, head, audit).await?;
                }
                Ok(true)
            })
        })
        .await
    }

    pub(crate) async fn case_advice_letters(&self, case_id: Uuid) -> Result<Vec<AdviceLetterRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!("SELECT {LETTER_COLS} FROM case_advice_letters WHERE case_id = $1 ORDER BY issued_at, id"),
            &[&case_id],
        )
        .await?
        .iter()
        .map(letter_from_row)
        .collect()
    }

    pub(crate) async fn advice_letter(&self, id: Uuid) -> Result<Option<AdviceLetterRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {LETTER_COLS} FROM case_advice_letters WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| letter_from_row(&r))
        .transpose()
    }

    pub(crate) async fn officers_with_role(
        &self,
        role: String,
        scope: PathRange,
    ) -> Result<Vec<crate::OfficerBrief>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT o.id, o.unit_id, o.display_name, o.badge_no, o.auxiliary
                 FROM officers o JOIN units u ON u.id = o.unit_id
                 WHERE NOT o.disabled AND (',' || o.roles || ',') LIKE $1
                   AND u.path >= $2 AND u.path < $3
                 ORDER BY o.display_name, o.id",
                &[&format!("%,{role},%"), &scope.lower, &scope.upper],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(crate::OfficerBrief {
                    id: r.try_get(0)?,
                    unit_id: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    badge_no: r.try_get(3)?,
                    auxiliary: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub(crate) async fn case_by_query_code(&self, code: String) -> Result<Option<CaseRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {CASE_COLS} FROM cases WHERE query_code = $1"),
            &[&code],
        )
        .await?
        .map(|r| case_from_row(&r))
        .transpose()
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
        let c = self.pool.get().await?;
        let since = truncate_micros(since);
        let times = |rows: Vec<tokio_postgres::Row>| -> Result<Vec<chrono::DateTime<chrono::Utc>>> {
            rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
        };
        let by_client = c
            .query(
                "SELECT at FROM case_status_lookups WHERE client = $1 AND at > $2 LIMIT 1000",
                &[&client, &since],
            )
            .await?;
        let by_code = c
            .query(
                "SELECT at FROM case_status_lookups WHERE code_hash = $1 AND at > $2 AND NOT found LIMIT 1000",
                &[&code_hash, &since],
            )
            .await?;
        Ok((times(by_client)?, times(by_code)?))
    }

    pub(crate) async fn record_status_lookup(&self, l: StatusLookup) -> Result<()> {
        let c = self.pool.get().await?;
        c.execute(
            "INSERT INTO case_status_lookups (id, at, client, code_hash, found, case_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &l.id,
                &truncate_micros(l.at),
                &l.client,
                &l.code_hash,
                &l.found,
                &l.case_id,
            ],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn purge_status_lookups(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        let c = self.pool.get().await?;
        Ok(c.execute(
            "DELETE FROM case_status_lookups WHERE at < $1",
            &[&truncate_micros(before)],
        )
        .await?)
    }
}

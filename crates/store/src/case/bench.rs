//! Bulk rows for `frontline bench deadlines` and `bench case-page` (no audit: these
//! are benchmark fixtures, never a path of the product).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::CaseEvent;
use crate::Result;

/// One deadline row of a benchmark fill: which case (and its unit), and its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchDeadline {
    pub case_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub running: bool,
    pub due_at: DateTime<Utc>,
    pub next_at: Option<DateTime<Utc>>,
}

pub(crate) const BATCH: usize = 20_000;

pub(crate) fn started(d: &BenchDeadline) -> DateTime<Utc> {
    d.due_at - Duration::days(30)
}

impl crate::engine::sqlite::SqliteStore {
    pub(crate) async fn bench_insert_deadlines(&self, rows: Vec<BenchDeadline>) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let chunk = chunk.to_vec();
            self.write_standalone(move |c, _| {
                let mut st = c.prepare_cached(
                    "INSERT INTO deadlines (id, case_id, unit_id, unit_path, rule, started_at,
                         due_at, warn_at, state, ended_at, next_at)
                     VALUES (?1, ?2, ?3, ?4, 'admin.case_handling', ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for d in &chunk {
                    let state = if d.running { "running" } else { "met" };
                    let ended = (!d.running).then(|| crate::micros(d.due_at - Duration::days(1)));
                    st.execute(rusqlite::params![
                        Uuid::now_v7(),
                        d.case_id,
                        d.unit_id,
                        d.unit_path,
                        crate::micros(started(d)),
                        crate::micros(d.due_at),
                        crate::micros(d.due_at - Duration::days(7)),
                        state,
                        ended,
                        d.next_at.map(crate::micros),
                    ])?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn bench_insert_events(
        &self,
        case_id: Uuid,
        events: Vec<CaseEvent>,
    ) -> Result<()> {
        self.write_standalone(move |c, _| {
            let mut st = c.prepare_cached(&format!(
                "INSERT INTO case_events (case_id, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                super::EVENT_COLS
            ))?;
            for e in &events {
                st.execute(rusqlite::params![
                    case_id,
                    e.seq,
                    crate::micros(e.at),
                    e.actor_id,
                    e.actor_name,
                    e.step,
                    e.from_status.map(|s| s.as_str()),
                    e.to_status.as_str(),
                    e.note,
                    e.detail,
                ])?;
            }
            Ok(())
        })
        .await
    }
}

impl crate::engine::pg::PgStore {
    pub(crate) async fn bench_insert_deadlines(&self, rows: Vec<BenchDeadline>) -> Result<()> {
        let c = self.pool.get().await?;
        for chunk in rows.chunks(BATCH) {
            let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::now_v7()).collect();
            let cases: Vec<Uuid> = chunk.iter().map(|d| d.case_id).collect();
            let units: Vec<Uuid> = chunk.iter().map(|d| d.unit_id).collect();
            let paths: Vec<&str> = chunk.iter().map(|d| d.unit_path.as_str()).collect();
            let starts: Vec<DateTime<Utc>> = chunk.iter().map(started).collect();
            let dues: Vec<DateTime<Utc>> = chunk.iter().map(|d| d.due_at).collect();
            let warns: Vec<DateTime<Utc>> =
                chunk.iter().map(|d| d.due_at - Duration::days(7)).collect();
            let states: Vec<&str> = chunk
                .iter()
                .map(|d| if d.running { "running" } else { "met" })
                .collect();
            let ended: Vec<Option<DateTime<Utc>>> = chunk
                .iter()
                .map(|d| (!d.running).then(|| d.due_at - Duration::days(1)))
                .collect();
            let next: Vec<Option<DateTime<Utc>>> = chunk.iter().map(|d| d.next_at).collect();
            c.execute(
                "INSERT INTO deadlines (id, case_id, unit_id, unit_path, rule, started_at, due_at,
                     warn_at, state, ended_at, next_at)
                 SELECT i, c, u, p, 'admin.case_handling', s, d, w, st, e, n
                 FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[],
                             $6::timestamptz[], $7::timestamptz[], $8::text[], $9::timestamptz[],
                             $10::timestamptz[]) AS t(i, c, u, p, s, d, w, st, e, n)",
                &[
                    &ids, &cases, &units, &paths, &starts, &dues, &warns, &states, &ended, &next,
                ],
            )
            .await?;
        }
        c.batch_execute("ANALYZE deadlines").await?;
        Ok(())
    }

    pub(crate) async fn bench_insert_events(
        &self,
        case_id: Uuid,
        events: Vec<CaseEvent>,
    ) -> Result<()> {
        let c = self.pool.get().await?;
        for e in &events {
            c.execute(
                &format!(
                    "INSERT INTO case_events (case_id, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    super::EVENT_COLS
                ),
                &[
                    &case_id,
                    &e.seq,
                    &crate::truncate_micros(e.at),
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
        }
        Ok(())
    }
}

use frontline_core::incident::stats::{Measure, StatDelta, StatKey, TargetCount, weekday};
use rusqlite::{Connection, Row, params, params_from_iter};
use uuid::Uuid;

use super::{
    Dialect, HourCount, ResponseBucket, StatCount, StatQuery, StatSource, counts_sql, hours_sql,
    plain_counts_sql, response_sql,
};
use crate::engine::sqlite::SqliteStore;
use crate::{Result, StoreError, from_micros, micros};

const COUNT_DAY: &str = "INSERT INTO incident_stats_day
     (day, month, unit_id, category, incidents, target_met, target_missed)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (day, unit_id, category) DO UPDATE SET
         incidents = incidents + excluded.incidents,
         target_met = target_met + excluded.target_met,
         target_missed = target_missed + excluded.target_missed";
const COUNT_MONTH: &str = "INSERT INTO incident_stats_month
     (month, unit_id, category, incidents, target_met, target_missed)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (month, unit_id, category) DO UPDATE SET
         incidents = incidents + excluded.incidents,
         target_met = target_met + excluded.target_met,
         target_missed = target_missed + excluded.target_missed";
const HOUR_DAY: &str = "INSERT INTO incident_hours_day (day, unit_id, hour, incidents)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (day, unit_id, hour) DO UPDATE SET incidents = incidents + excluded.incidents";
const HOUR_MONTH: &str = "INSERT INTO incident_hours_month (month, unit_id, dow, hour, incidents)
     VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (month, unit_id, dow, hour) DO UPDATE SET
         incidents = incidents + excluded.incidents";
const RESPONSE_DAY: &str = "INSERT INTO incident_response_day
     (day, unit_id, measure, bucket, incidents) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (day, unit_id, measure, bucket) DO UPDATE SET
         incidents = incidents + excluded.incidents";
const RESPONSE_MONTH: &str = "INSERT INTO incident_response_month
     (month, unit_id, measure, bucket, incidents) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (month, unit_id, measure, bucket) DO UPDATE SET
         incidents = incidents + excluded.incidents";

/// Adds the cells to both grains, inside the caller's transaction.
pub(crate) fn apply_stats(c: &Connection, cells: &[StatDelta]) -> Result<()> {
    for cell in cells {
        let n = cell.n;
        match &cell.key {
            StatKey::Count {
                day,
                month,
                unit_id,
                category,
            } => {
                c.prepare_cached(COUNT_DAY)?
                    .execute(params![day, month, unit_id, category, n, 0, 0])?;
                c.prepare_cached(COUNT_MONTH)?
                    .execute(params![month, unit_id, category, n, 0, 0])?;
            }
            StatKey::Target {
                day,
                month,
                unit_id,
                category,
                outcome,
            } => {
                let (met, missed) = match outcome {
                    TargetCount::Met => (n, 0),
                    TargetCount::Missed => (0, n),
                };
                c.prepare_cached(COUNT_DAY)?
                    .execute(params![day, month, unit_id, category, 0, met, missed])?;
                c.prepare_cached(COUNT_MONTH)?
                    .execute(params![month, unit_id, category, 0, met, missed])?;
            }
            StatKey::Hour {
                day,
                month,
                unit_id,
                hour,
            } => {
                c.prepare_cached(HOUR_DAY)?
                    .execute(params![day, unit_id, hour, n])?;
                c.prepare_cached(HOUR_MONTH)?.execute(params![
                    month,
                    unit_id,
                    weekday(*day),
                    hour,
                    n
                ])?;
            }
            StatKey::Response {
                day,
                month,
                unit_id,
                measure,
                bucket,
            } => {
                c.prepare_cached(RESPONSE_DAY)?.execute(params![
                    day,
                    unit_id,
                    measure.as_str(),
                    bucket,
                    n
                ])?;
                c.prepare_cached(RESPONSE_MONTH)?.execute(params![
                    month,
                    unit_id,
                    measure.as_str(),
                    bucket,
                    n
                ])?;
            }
        }
    }
    Ok(())
}

fn count_from_row(r: &Row<'_>) -> rusqlite::Result<StatCount> {
    Ok(StatCount {
        unit_id: r.get::<_, Option<Uuid>>(0)?,
        category: r.get(1)?,
        period: r.get(2)?,
        incidents: r.get(3)?,
        target_met: r.get(4)?,
        target_missed: r.get(5)?,
    })
}

fn read_counts(c: &Connection, sql: &str, args: &[String]) -> Result<Vec<StatCount>> {
    let mut st = c.prepare(sql)?;
    let rows = st.query_map(params_from_iter(args.iter()), count_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl SqliteStore {
    pub(crate) async fn stat_counts(&self, q: StatQuery) -> Result<Vec<StatCount>> {
        self.read(move |c| {
            let (sql, args) = counts_sql(&q, Dialect::Sqlite);
            read_counts(c, &sql, &args)
        })
        .await
    }

    pub(crate) async fn stat_counts_plain(&self, q: StatQuery) -> Result<Vec<StatCount>> {
        use frontline_core::incident::stats::day_date;
        use frontline_core::time::BEIJING;
        self.read(move |c| {
            let at = |day: i32| {
                day_date(day)
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(BEIJING).single())
                    .map(|t| micros(t.to_utc()))
                    .ok_or_else(|| StoreError::db("day out of range"))
            };
            let (sql, args) =
                plain_counts_sql(&q, Dialect::Sqlite, at(q.from_day)?, at(q.to_day + 1)?);
            read_counts(c, &sql, &args)
        })
        .await
    }

    pub(crate) async fn stat_response(&self, q: StatQuery) -> Result<Vec<ResponseBucket>> {
        self.read(move |c| {
            let mut st = c.prepare(&response_sql(&q, Dialect::Sqlite))?;
            let rows = st.query_map([], |r| {
                let m: String = r.get(1)?;
                Ok((r.get::<_, Option<Uuid>>(0)?, m, r.get(2)?, r.get(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (unit_id, m, bucket, incidents) = row?;
                let measure = Measure::parse(&m)
                    .ok_or_else(|| StoreError::db(format!("unknown measure {m:?}")))?;
                out.push(ResponseBucket {
                    unit_id,
                    measure,
                    bucket,
                    incidents,
                });
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn stat_hours(&self, q: StatQuery) -> Result<Vec<HourCount>> {
        self.read(move |c| {
            let mut st = c.prepare(&hours_sql(&q, Dialect::Sqlite))?;
            let rows = st.query_map([], |r| {
                Ok(HourCount {
                    dow: r.get(0)?,
                    hour: r.get(1)?,
                    incidents: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn stats_rebuild_needed(&self) -> Result<bool> {
        self.read(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM incident_stats_rebuild", [], |r| {
                r.get(0)
            })?;
            Ok(n > 0)
        })
        .await
    }

    pub(crate) async fn stat_sources(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<StatSource>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT id, unit_id, district_id, category, reported_at, dispatched_at,
                        arrived_at, disposed_at
                 FROM incidents WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let after = after.unwrap_or(Uuid::nil());
            let rows = st.query_map(params![after, limit.clamp(1, 100_000)], |r| {
                Ok(StatSource {
                    id: r.get(0)?,
                    unit_id: r.get(1)?,
                    district_id: r.get(2)?,
                    category: r.get(3)?,
                    reported_at: from_micros(r.get(4)?),
                    dispatched_at: r.get::<_, Option<i64>>(5)?.map(from_micros),
                    arrived_at: r.get::<_, Option<i64>>(6)?.map(from_micros),
                    disposed_at: r.get::<_, Option<i64>>(7)?.map(from_micros),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn clear_stats(&self, force: bool) -> Result<bool> {
        self.write_standalone(move |c, _head| {
            let taken = c.execute(
                "UPDATE incident_stats_rebuild SET needed = 2 WHERE needed = 1",
                [],
            )?;
            if taken == 0 && !force {
                return Ok(false);
            }
            c.execute_batch(
                "DELETE FROM incident_stats_day; DELETE FROM incident_stats_month;
                 DELETE FROM incident_hours_day; DELETE FROM incident_hours_month;
                 DELETE FROM incident_response_day; DELETE FROM incident_response_month;",
            )?;
            Ok(true)
        })
        .await
    }

    pub(crate) async fn add_stat_cells(&self, cells: Vec<StatDelta>, done: bool) -> Result<()> {
        self.write_standalone(move |c, _head| {
            apply_stats(c, &cells)?;
            if done {
                c.execute("DELETE FROM incident_stats_rebuild", [])?;
            }
            Ok(())
        })
        .await
    }
}

use deadpool_postgres::GenericClient;
use frontline_core::incident::stats::{Measure, StatDelta};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{
    Dialect, HourCount, ResponseBucket, StatCount, StatQuery, StatSource, TableRows, counts_sql,
    hours_sql, plain_counts_sql, response_sql,
};
use crate::engine::pg::PgStore;
use crate::{Result, StoreError};

/// Adds the cells to both grains inside the caller's transaction: one multi-row upsert
/// per table touched, sent together (tokio-postgres pipelines them).
pub(crate) async fn apply_stats(c: &impl GenericClient, cells: &[StatDelta]) -> Result<()> {
    if cells.is_empty() {
        return Ok(());
    }
    let t = TableRows::of(cells);
    let count_day = async {
        if t.count_day.is_empty() {
            return Ok(());
        }
        let (mut day, mut month, mut unit, mut cat) = (vec![], vec![], vec![], vec![]);
        let (mut n, mut met, mut missed) = (vec![], vec![], vec![]);
        for ((d, u, c), (m, a, b, x)) in &t.count_day {
            day.push(*d);
            unit.push(*u);
            cat.push(c.as_str());
            month.push(*m);
            n.push(*a);
            met.push(*b);
            missed.push(*x);
        }
        upsert(
            c,
            "INSERT INTO incident_stats_day AS t
                 (day, month, unit_id, category, incidents, target_met, target_missed)
             SELECT * FROM UNNEST($1::int[], $2::int[], $3::uuid[], $4::text[], $5::int8[],
                                  $6::int8[], $7::int8[])
             ON CONFLICT (day, unit_id, category) DO UPDATE SET
                 incidents = t.incidents + excluded.incidents,
                 target_met = t.target_met + excluded.target_met,
                 target_missed = t.target_missed + excluded.target_missed",
            &[&day, &month, &unit, &cat, &n, &met, &missed],
        )
        .await
    };
    let count_month = async {
        if t.count_month.is_empty() {
            return Ok(());
        }
        let (mut month, mut unit, mut cat) = (vec![], vec![], vec![]);
        let (mut n, mut met, mut missed) = (vec![], vec![], vec![]);
        for ((m, u, c), (a, b, x)) in &t.count_month {
            month.push(*m);
            unit.push(*u);
            cat.push(c.as_str());
            n.push(*a);
            met.push(*b);
            missed.push(*x);
        }
        upsert(
            c,
            "INSERT INTO incident_stats_month AS t
                 (month, unit_id, category, incidents, target_met, target_missed)
             SELECT * FROM UNNEST($1::int[], $2::uuid[], $3::text[], $4::int8[], $5::int8[],
                                  $6::int8[])
             ON CONFLICT (month, unit_id, category) DO UPDATE SET
                 incidents = t.incidents + excluded.incidents,
                 target_met = t.target_met + excluded.target_met,
                 target_missed = t.target_missed + excluded.target_missed",
            &[&month, &unit, &cat, &n, &met, &missed],
        )
        .await
    };
    let hour_day = async {
        if t.hour_day.is_empty() {
            return Ok(());
        }
        let (mut day, mut unit, mut hour, mut n) = (vec![], vec![], vec![], vec![]);
        for ((d, u, h), x) in &t.hour_day {
            day.push(*d);
            unit.push(*u);
            hour.push(*h);
            n.push(*x);
        }
        upsert(
            c,
            "INSERT INTO incident_hours_day AS t (day, unit_id, hour, incidents)
             SELECT * FROM UNNEST($1::int[], $2::uuid[], $3::int[], $4::int8[])
             ON CONFLICT (day, unit_id, hour) DO UPDATE SET
                 incidents = t.incidents + excluded.incidents",
            &[&day, &unit, &hour, &n],
        )
        .await
    };
    let hour_month = async {
        if t.hour_month.is_empty() {
            return Ok(());
        }
        let (mut month, mut unit, mut dow, mut hour, mut n) =
            (vec![], vec![], vec![], vec![], vec![]);
        for ((m, u, w, h), x) in &t.hour_month {
            month.push(*m);
            unit.push(*u);
            dow.push(*w);
            hour.push(*h);
            n.push(*x);
        }
        upsert(
            c,
            "INSERT INTO incident_hours_month AS t (month, unit_id, dow, hour, incidents)
             SELECT * FROM UNNEST($1::int[], $2::uuid[], $3::int[], $4::int[], $5::int8[])
             ON CONFLICT (month, unit_id, dow, hour) DO UPDATE SET
                 incidents = t.incidents + excluded.incidents",
            &[&month, &unit, &dow, &hour, &n],
        )
        .await
    };
    let response =
        |table: &'static str,
         key: &'static str,
         rows: &std::collections::BTreeMap<(i32, Uuid, &'static str, i32), i64>| {
            let (mut k, mut unit, mut measure, mut bucket, mut n) =
                (vec![], vec![], vec![], vec![], vec![]);
            for ((a, u, m, b), x) in rows {
                k.push(*a);
                unit.push(*u);
                measure.push(*m);
                bucket.push(*b);
                n.push(*x);
            }
            async move {
                if k.is_empty() {
                    return Ok(());
                }
                let sql = format!(
                    "INSERT INTO {table} AS t ({key}, unit_id, measure, bucket, incidents)
                 SELECT * FROM UNNEST($1::int[], $2::uuid[], $3::text[], $4::int[], $5::int8[])
                 ON CONFLICT ({key}, unit_id, measure, bucket) DO UPDATE SET
                     incidents = t.incidents + excluded.incidents"
                );
                upsert(c, &sql, &[&k, &unit, &measure, &bucket, &n]).await
            }
        };
    let (a, b, h1, h2, r1, r2) = tokio::join!(
        count_day,
        count_month,
        hour_day,
        hour_month,
        response("incident_response_day", "day", &t.response_day),
        response("incident_response_month", "month", &t.response_month),
    );
    a?;
    b?;
    h1?;
    h2?;
    r1?;
    r2?;
    Ok(())
}

async fn upsert(c: &impl GenericClient, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<()> {
    let st = c.prepare_cached(sql).await?;
    c.execute(&st, args).await?;
    Ok(())
}

fn count_from_row(r: &Row) -> Result<StatCount> {
    Ok(StatCount {
        unit_id: r.try_get(0)?,
        category: r.try_get(1)?,
        period: r.try_get(2)?,
        incidents: r.try_get(3)?,
        target_met: r.try_get(4)?,
        target_missed: r.try_get(5)?,
    })
}

/// `SUM(int8)` is numeric on PostgreSQL: the sums are cast back in the outer select.
fn cast_sums(sql: &str) -> String {
    sql.replacen(
        "SUM(incidents), SUM(target_met), SUM(target_missed)",
        "SUM(incidents)::int8, SUM(target_met)::int8, SUM(target_missed)::int8",
        1,
    )
}

impl PgStore {
    async fn read_counts(&self, sql: String, args: Vec<String>) -> Result<Vec<StatCount>> {
        let c = self.pool.get().await?;
        let params: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        c.query(&cast_sums(&sql), &params)
            .await?
            .iter()
            .map(count_from_row)
            .collect()
    }

    pub(crate) async fn stat_counts(&self, q: StatQuery) -> Result<Vec<StatCount>> {
        let (sql, args) = counts_sql(&q, Dialect::Postgres);
        self.read_counts(sql, args).await
    }

    pub(crate) async fn stat_counts_plain(&self, q: StatQuery) -> Result<Vec<StatCount>> {
        use frontline_core::incident::stats::day_date;
        use frontline_core::time::BEIJING;
        let at = |day: i32| {
            day_date(day)
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(BEIJING).single())
                .map(|t| crate::micros(t.to_utc()))
                .ok_or_else(|| StoreError::db("day out of range"))
        };
        let (sql, args) =
            plain_counts_sql(&q, Dialect::Postgres, at(q.from_day)?, at(q.to_day + 1)?);
        self.read_counts(sql, args).await
    }

    pub(crate) async fn stat_response(&self, q: StatQuery) -> Result<Vec<ResponseBucket>> {
        let c = self.pool.get().await?;
        let sql = response_sql(&q, Dialect::Postgres)
            .replacen("SUM(incidents)", "SUM(incidents)::int8", 1)
            .replacen(
                "SELECT NULL, 'dispatch', 0, 0",
                "SELECT NULL::uuid, 'dispatch', 0, 0::int8",
                1,
            );
        let mut out = Vec::new();
        for r in c.query(&sql, &[]).await? {
            let m: String = r.try_get(1)?;
            let bucket: i32 = r.try_get(2)?;
            out.push(ResponseBucket {
                unit_id: r.try_get(0)?,
                measure: Measure::parse(&m)
                    .ok_or_else(|| StoreError::db(format!("unknown measure {m:?}")))?,
                bucket: u16::try_from(bucket)
                    .map_err(|_| StoreError::db(format!("bad bucket {bucket}")))?,
                incidents: r.try_get(3)?,
            });
        }
        Ok(out)
    }

    pub(crate) async fn stat_hours(&self, q: StatQuery) -> Result<Vec<HourCount>> {
        let c = self.pool.get().await?;
        let sql = hours_sql(&q, Dialect::Postgres)
            .replacen("SUM(incidents)", "SUM(incidents)::int8", 1)
            .replacen("SELECT 0, 0, 0 WHERE", "SELECT 0, 0, 0::int8 WHERE", 1);
        let mut out = Vec::new();
        for r in c.query(&sql, &[]).await? {
            let dow: i32 = r.try_get(0)?;
            let hour: i32 = r.try_get(1)?;
            out.push(HourCount {
                dow: u8::try_from(dow).map_err(|_| StoreError::db("bad weekday"))?,
                hour: u8::try_from(hour).map_err(|_| StoreError::db("bad hour"))?,
                incidents: r.try_get(2)?,
            });
        }
        Ok(out)
    }

    pub(crate) async fn stats_rebuild_needed(&self) -> Result<bool> {
        let c = self.pool.get().await?;
        let n: i64 = c
            .query_one("SELECT COUNT(*) FROM incident_stats_rebuild", &[])
            .await?
            .try_get(0)?;
        Ok(n > 0)
    }

    pub(crate) async fn stat_sources(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<StatSource>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(
                "SELECT id, unit_id, district_id, category, reported_at, dispatched_at,
                        arrived_at, disposed_at
                 FROM incidents WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .await?;
        let after = after.unwrap_or(Uuid::nil());
        c.query(&st, &[&after, &limit.clamp(1, 100_000)])
            .await?
            .iter()
            .map(|r| {
                Ok(StatSource {
                    id: r.try_get(0)?,
                    unit_id: r.try_get(1)?,
                    district_id: r.try_get(2)?,
                    category: r.try_get(3)?,
                    reported_at: r.try_get(4)?,
                    dispatched_at: r.try_get(5)?,
                    arrived_at: r.try_get(6)?,
                    disposed_at: r.try_get(7)?,
                })
            })
            .collect()
    }

    pub(crate) async fn clear_stats(&self, force: bool) -> Result<bool> {
        self.write(true, move |tx, _head| {
            Box::pin(async move {
                let taken = tx
                    .execute(
                        "UPDATE incident_stats_rebuild SET needed = 2 WHERE needed = 1",
                        &[],
                    )
                    .await?;
                if taken == 0 && !force {
                    return Ok(false);
                }
                tx.batch_execute(
                    "DELETE FROM incident_stats_day; DELETE FROM incident_stats_month;
                     DELETE FROM incident_hours_day; DELETE FROM incident_hours_month;
                     DELETE FROM incident_response_day; DELETE FROM incident_response_month;",
                )
                .await?;
                Ok(true)
            })
        })
        .await
    }

    pub(crate) async fn add_stat_cells(&self, cells: Vec<StatDelta>, done: bool) -> Result<()> {
        self.write(true, move |tx, _head| {
            Box::pin(async move {
                apply_stats(tx, &cells).await?;
                if done {
                    tx.execute("DELETE FROM incident_stats_rebuild", &[])
                        .await?;
                }
                Ok(())
            })
        })
        .await
    }
}

//! Incident statistics rollups (警情统计): applying the cells an incident write changes
//! (in its transaction), reading them back over a date range, and rebuilding them.
//!
//! A range is read as whole months from the month grain plus its ragged ends from the
//! day grain, so a year is a few thousand rows whatever the incident count. Day and week
//! groupings read the day grain only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use frontline_core::incident::stats::{Measure, StatDelta, month_key, month_start, next_month};
use uuid::Uuid;

use crate::Result;

pub(crate) mod pg;
pub(crate) mod sqlite;

/// How rows are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatPeriod {
    Day,
    /// Monday-based weeks; a period value is the Monday's day number.
    Week,
    /// A period value is `yyyymm`.
    Month,
    /// A period value is the year.
    Year,
}

/// A statistics query over the rollups. Day numbers are Beijing dates as
/// `frontline_core::incident::stats::day_number`, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatQuery {
    /// `None`: every unit (no condition written).
    pub units: Option<Vec<Uuid>>,
    pub from_day: i32,
    pub to_day: i32,
    /// A leaf code (exact) or a root code (all its leaves).
    pub category: Option<String>,
    pub by_unit: bool,
    pub by_category: bool,
    pub period: Option<StatPeriod>,
    /// The most groups answered; one more is read so that the caller can refuse.
    pub max_groups: usize,
}

/// One group of incident counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatCount {
    pub unit_id: Option<Uuid>,
    pub category: Option<String>,
    pub period: Option<i32>,
    pub incidents: i64,
    pub target_met: i64,
    pub target_missed: i64,
}

/// One histogram bucket of a response time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResponseBucket {
    /// `None` unless the query groups by unit.
    pub unit_id: Option<Uuid>,
    pub measure: Measure,
    pub bucket: u16,
    pub incidents: i64,
}

/// One cell of the weekly heat map (0 = Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HourCount {
    pub dow: u8,
    pub hour: u8,
    pub incidents: i64,
}

/// What a rebuild needs of an incident (the app adds the response target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatSource {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub district_id: Option<Uuid>,
    pub category: String,
    pub reported_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub disposed_at: Option<DateTime<Utc>>,
}

/// A query's day range cut into day-grain and month-grain parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Split {
    /// Inclusive day ranges read from the day grain.
    pub(crate) days: Vec<(i32, i32)>,
    /// Inclusive `yyyymm` range read from the month grain.
    pub(crate) months: Option<(i32, i32)>,
}

/// Whole months inside `[from, to]` come from the month grain, the rest from days.
/// Day and week groupings need days throughout.
pub(crate) fn split(q: &StatQuery) -> Split {
    use frontline_core::incident::stats::{day_date, day_number};
    if q.from_day > q.to_day {
        return Split::default();
    }
    if matches!(q.period, Some(StatPeriod::Day | StatPeriod::Week)) {
        return Split {
            days: vec![(q.from_day, q.to_day)],
            months: None,
        };
    }
    let prev_month = |m: i32| {
        if m % 100 == 1 {
            (m / 100 - 1) * 100 + 12
        } else {
            m - 1
        }
    };
    // The first month starting on or after `from`, the last ending on or before `to`.
    let mut first = month_key(day_date(q.from_day));
    if day_number(month_start(first)) != q.from_day {
        first = next_month(first);
    }
    let mut last = month_key(day_date(q.to_day));
    if day_number(month_start(next_month(last))) != q.to_day + 1 {
        last = prev_month(last);
    }
    if first > last {
        return Split {
            days: vec![(q.from_day, q.to_day)],
            months: None,
        };
    }
    let whole_from = day_number(month_start(first));
    let whole_to = day_number(month_start(next_month(last))) - 1;
    let mut days = Vec::new();
    if q.from_day < whole_from {
        days.push((q.from_day, whole_from - 1));
    }
    if whole_to < q.to_day {
        days.push((whole_to + 1, q.to_day));
    }
    Split {
        days,
        months: Some((first, last)),
    }
}

/// SQL text pieces that differ between the engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn uuid(self, id: Uuid) -> String {
        match self {
            Dialect::Sqlite => format!("X'{}'", id.simple()),
            Dialect::Postgres => format!("'{id}'::uuid"),
        }
    }
    fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// The condition on units and category shared by every part (ids are written as literals:
/// they come from typed `Uuid`s, never from text). Category bounds are parameters 1–2.
fn common_terms(q: &StatQuery, d: Dialect, with_category: bool) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut args = Vec::new();
    if let Some(units) = &q.units {
        if units.is_empty() {
            sql.push_str(" AND 1=0");
        } else {
            let list: Vec<String> = units.iter().map(|u| d.uuid(*u)).collect();
            sql.push_str(&format!(" AND unit_id IN ({})", list.join(", ")));
        }
    }
    if with_category && let Some(c) = &q.category {
        if c.contains('.') {
            args.push(c.clone());
            sql.push_str(&format!(" AND category = {}", d.param(args.len())));
        } else {
            args.push(format!("{c}."));
            args.push(format!("{c}/"));
            sql.push_str(&format!(
                " AND category >= {} AND category < {}",
                d.param(1),
                d.param(2)
            ));
        }
    }
    (sql, args)
}

/// The period expression over a part's columns (`day`/`month` present in both grains'
/// parts as written by [`counts_sql`]).
fn period_expr(p: Option<StatPeriod>) -> &'static str {
    match p {
        None => "NULL",
        Some(StatPeriod::Day) => "day",
        Some(StatPeriod::Week) => "(day - (day + 3) % 7)",
        Some(StatPeriod::Month) => "month",
        Some(StatPeriod::Year) => "(month / 100)",
    }
}

/// `SELECT unit, category, period, sums` over the rollup parts of a count query.
pub(crate) fn counts_sql(q: &StatQuery, d: Dialect) -> (String, Vec<String>) {
    let s = split(q);
    let (terms, args) = common_terms(q, d, true);
    let mut parts = Vec::new();
    for (a, b) in &s.days {
        parts.push(format!(
            "SELECT unit_id, category, day, month, incidents, target_met, target_missed
             FROM incident_stats_day WHERE day BETWEEN {a} AND {b}{terms}"
        ));
    }
    if let Some((a, b)) = s.months {
        parts.push(format!(
            "SELECT unit_id, category, 0 AS day, month, incidents, target_met, target_missed
             FROM incident_stats_month WHERE month BETWEEN {a} AND {b}{terms}"
        ));
    }
    if parts.is_empty() {
        parts.push(
            "SELECT unit_id, category, day, month, incidents, target_met, target_missed
             FROM incident_stats_day WHERE 1=0"
                .into(),
        );
    }
    (grouped(q, &parts.join(" UNION ALL "), d), args)
}

fn grouped(q: &StatQuery, source: &str, d: Dialect) -> String {
    let unit = if q.by_unit { "unit_id" } else { "NULL" };
    let cat = if q.by_category { "category" } else { "NULL" };
    let period = period_expr(q.period);
    let mut keys = Vec::new();
    if q.by_unit {
        keys.push("1");
    }
    if q.by_category {
        keys.push("2");
    }
    if q.period.is_some() {
        keys.push("3");
    }
    let group = if keys.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", keys.join(", "))
    };
    // PostgreSQL needs the NULL columns typed.
    let (unit, cat, period) = match d {
        Dialect::Postgres => (
            if q.by_unit { unit } else { "NULL::uuid" },
            if q.by_category { cat } else { "NULL::text" },
            if q.period.is_some() {
                period
            } else {
                "NULL::int"
            },
        ),
        Dialect::Sqlite => (unit, cat, period),
    };
    format!(
        "SELECT {unit}, {cat}, {period}, SUM(incidents), SUM(target_met), SUM(target_missed)
         FROM ({source}) parts{group} HAVING SUM(incidents) > 0 ORDER BY 1, 2, 3 LIMIT {}",
        q.max_groups + 1
    )
}

/// The same counts straight from the incident table (what the rollups replace; the
/// benchmark's baseline and the conformance suite's reference).
pub(crate) fn plain_counts_sql(
    q: &StatQuery,
    d: Dialect,
    from: i64,
    to: i64,
) -> (String, Vec<String>) {
    let (terms, args) = common_terms(q, d, true);
    // The Beijing day and month of the report, in each engine's own arithmetic.
    let (day, month, range) = match d {
        Dialect::Sqlite => (
            "((reported_at / 1000000 + 28800) / 86400)".to_string(),
            "CAST(strftime('%Y%m', reported_at / 1000000 + 28800, 'unixepoch') AS INTEGER)"
                .to_string(),
            format!("reported_at >= {from} AND reported_at < {to}"),
        ),
        Dialect::Postgres => (
            "(floor((extract(epoch FROM reported_at) + 28800) / 86400))::int".to_string(),
            "to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMM')::int".to_string(),
            format!(
                "reported_at >= to_timestamp({}) AND reported_at < to_timestamp({})",
                from as f64 / 1e6,
                to as f64 / 1e6
            ),
        ),
    };
    let source = format!(
        "SELECT unit_id, category, {day} AS day, {month} AS month, 1 AS incidents,
                0 AS target_met, 0 AS target_missed
         FROM incidents WHERE {range}{terms}"
    );
    (grouped(q, &source, d), args)
}

/// Response-time histograms over the range (all categories), per unit when asked.
pub(crate) fn response_sql(q: &StatQuery, d: Dialect) -> String {
    let s = split(q);
    let (terms, _) = common_terms(q, d, false);
    let mut parts = Vec::new();
    for (a, b) in &s.days {
        parts.push(format!(
            "SELECT unit_id, measure, bucket, incidents FROM incident_response_day
             WHERE day BETWEEN {a} AND {b}{terms}"
        ));
    }
    if let Some((a, b)) = s.months {
        parts.push(format!(
            "SELECT unit_id, measure, bucket, incidents FROM incident_response_month
             WHERE month BETWEEN {a} AND {b}{terms}"
        ));
    }
    if parts.is_empty() {
        return "SELECT NULL, 'dispatch', 0, 0 WHERE 1=0".into();
    }
    let unit = match (q.by_unit, d) {
        (true, _) => "unit_id",
        (false, Dialect::Postgres) => "NULL::uuid",
        (false, Dialect::Sqlite) => "NULL",
    };
    let group = if q.by_unit { "1, 2, 3" } else { "2, 3" };
    format!(
        "SELECT {unit}, measure, bucket, SUM(incidents) FROM ({}) parts
         GROUP BY {group} HAVING SUM(incidents) > 0 ORDER BY 1, 2, 3",
        parts.join(" UNION ALL ")
    )
}

/// Reports by weekday and hour over the range (all categories).
pub(crate) fn hours_sql(q: &StatQuery, d: Dialect) -> String {
    let s = split(q);
    let (terms, _) = common_terms(q, d, false);
    let mut parts = Vec::new();
    for (a, b) in &s.days {
        parts.push(format!(
            "SELECT (day + 3) % 7 AS dow, hour, incidents FROM incident_hours_day
             WHERE day BETWEEN {a} AND {b}{terms}"
        ));
    }
    if let Some((a, b)) = s.months {
        parts.push(format!(
            "SELECT dow, hour, incidents FROM incident_hours_month
             WHERE month BETWEEN {a} AND {b}{terms}"
        ));
    }
    if parts.is_empty() {
        return "SELECT 0, 0, 0 WHERE 1=0".into();
    }
    format!(
        "SELECT dow, hour, SUM(incidents) FROM ({}) parts GROUP BY 1, 2 ORDER BY 1, 2",
        parts.join(" UNION ALL ")
    )
}

/// (day or month, unit, category).
pub(crate) type CountKey = (i32, Uuid, String);

/// Cells summed per row of each rollup table (a count and a target of one incident land
/// on the same row; PostgreSQL's multi-row upsert must see each row once).
#[derive(Debug, Default)]
pub(crate) struct TableRows {
    /// (day, unit, category) → (month, incidents, met, missed)
    pub(crate) count_day: BTreeMap<CountKey, (i32, i64, i64, i64)>,
    /// (month, unit, category) → (incidents, met, missed)
    pub(crate) count_month: BTreeMap<(i32, Uuid, String), (i64, i64, i64)>,
    /// (day, unit, hour)
    pub(crate) hour_day: BTreeMap<(i32, Uuid, i32), i64>,
    /// (month, unit, dow, hour)
    pub(crate) hour_month: BTreeMap<(i32, Uuid, i32, i32), i64>,
    /// (day, unit, measure, bucket)
    pub(crate) response_day: BTreeMap<(i32, Uuid, &'static str, i32), i64>,
    /// (month, unit, measure, bucket)
    pub(crate) response_month: BTreeMap<(i32, Uuid, &'static str, i32), i64>,
}

impl TableRows {
    pub(crate) fn of(cells: &[StatDelta]) -> TableRows {
        use frontline_core::incident::stats::{StatKey, TargetCount, weekday};
        let mut t = TableRows::default();
        for c in cells {
            let n = c.n;
            match &c.key {
                StatKey::Count {
                    day,
                    month,
                    unit_id,
                    category,
                } => {
                    t.count_day
                        .entry((*day, *unit_id, category.clone()))
                        .or_insert((*month, 0, 0, 0))
                        .1 += n;
                    t.count_month
                        .entry((*month, *unit_id, category.clone()))
                        .or_default()
                        .0 += n;
                }
                StatKey::Target {
                    day,
                    month,
                    unit_id,
                    category,
                    outcome,
                } => {
                    let d = t
                        .count_day
                        .entry((*day, *unit_id, category.clone()))
                        .or_insert((*month, 0, 0, 0));
                    let m = t
                        .count_month
                        .entry((*month, *unit_id, category.clone()))
                        .or_default();
                    match outcome {
                        TargetCount::Met => {
                            d.2 += n;
                            m.1 += n;
                        }
                        TargetCount::Missed => {
                            d.3 += n;
                            m.2 += n;
                        }
                    }
                }
                StatKey::Hour {
                    day,
                    month,
                    unit_id,
                    hour,
                } => {
                    *t.hour_day
                        .entry((*day, *unit_id, i32::from(*hour)))
                        .or_default() += n;
                    *t.hour_month
                        .entry((*month, *unit_id, i32::from(weekday(*day)), i32::from(*hour)))
                        .or_default() += n;
                }
                StatKey::Response {
                    day,
                    month,
                    unit_id,
                    measure,
                    bucket,
                } => {
                    let b = i32::from(*bucket);
                    *t.response_day
                        .entry((*day, *unit_id, measure.as_str(), b))
                        .or_default() += n;
                    *t.response_month
                        .entry((*month, *unit_id, measure.as_str(), b))
                        .or_default() += n;
                }
            }
        }
        t
    }
}

/// The most cells one rebuild write takes (callers chunk).
pub const MAX_CELLS_PER_WRITE: usize = 50_000;

store_methods! {
    /// Incident counts over the rollups, at most `max_groups + 1` groups.
    pub async fn stat_counts(&self, q: StatQuery) -> Result<Vec<StatCount>>;
    /// The same counts by `GROUP BY` over the incident table (targets are not counted:
    /// they are configuration). For the benchmark and the conformance suite.
    pub async fn stat_counts_plain(&self, q: StatQuery) -> Result<Vec<StatCount>>;
    pub async fn stat_response(&self, q: StatQuery) -> Result<Vec<ResponseBucket>>;
    pub async fn stat_hours(&self, q: StatQuery) -> Result<Vec<HourCount>>;
    /// Whether incidents filed before the rollups existed still wait to be counted.
    pub async fn stats_rebuild_needed(&self) -> Result<bool>;
    /// Incidents in id order after `after`, at most `limit` (a rebuild's scan).
    pub async fn stat_sources(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<StatSource>>;
    /// Empties every rollup (a rebuild's first step, `add_stat_cells` after it). Unless
    /// `force`, only while the rebuild mark says "needed" and not yet taken, and takes it:
    /// of instances starting together, one rebuilds (`false` for the others).
    pub async fn clear_stats(&self, force: bool) -> Result<bool>;
    /// Adds cells to the rollups (at most `MAX_CELLS_PER_WRITE`); `done` clears the
    /// rebuild mark in the same transaction.
    pub async fn add_stat_cells(&self, cells: Vec<StatDelta>, done: bool) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use frontline_core::incident::stats::day_number;

    fn q(from: (i32, u32, u32), to: (i32, u32, u32), period: Option<StatPeriod>) -> StatQuery {
        let d = |(y, m, dd)| day_number(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        StatQuery {
            units: None,
            from_day: d(from),
            to_day: d(to),
            category: None,
            by_unit: true,
            by_category: true,
            period,
            max_groups: 100,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> i32 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn a_year_is_twelve_months_and_no_days() {
        let s = split(&q((2026, 1, 1), (2026, 12, 31), Some(StatPeriod::Month)));
        assert_eq!(s.months, Some((202601, 202612)));
        assert!(s.days.is_empty());
    }

    #[test]
    fn ragged_ends_come_from_days() {
        let s = split(&q((2025, 12, 15), (2026, 3, 10), None));
        assert_eq!(s.months, Some((202601, 202602)));
        assert_eq!(
            s.days,
            vec![
                (day(2025, 12, 15), day(2025, 12, 31)),
                (day(2026, 3, 1), day(2026, 3, 10))
            ]
        );
        // Inside one month: days only.
        let s = split(&q((2026, 3, 2), (2026, 3, 30), None));
        assert_eq!(s.months, None);
        assert_eq!(s.days, vec![(day(2026, 3, 2), day(2026, 3, 30))]);
        // Exactly one month.
        let s = split(&q((2026, 2, 1), (2026, 2, 28), None));
        assert_eq!(s.months, Some((202602, 202602)));
        assert!(s.days.is_empty());
        // Weeks need days.
        let s = split(&q((2026, 1, 1), (2026, 12, 31), Some(StatPeriod::Week)));
        assert_eq!(s.months, None);
    }

    #[test]
    fn an_empty_range_reads_nothing() {
        let s = split(&q((2026, 3, 2), (2026, 3, 1), None));
        assert_eq!(s, Split::default());
        let (sql, _) = counts_sql(&q((2026, 3, 2), (2026, 3, 1), None), Dialect::Sqlite);
        assert!(sql.contains("1=0"), "{sql}");
    }
}

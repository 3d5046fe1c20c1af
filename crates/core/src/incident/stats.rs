//! Incident statistics (警情统计): what one incident adds to the rollups, and how the
//! rollups are read back (periods, medians from histograms).
//!
//! The rollups are kept in the same transaction as each incident write: intake adds the
//! incident's count and its hour of the week, each lifecycle step adds the response times
//! it makes known. A step's change is the difference between the incident's keys before
//! and after it, so a reopened and re-disposed incident moves its disposal time instead of
//! counting twice. Every key carries its Beijing day and month: the store keeps a day and
//! a month grain of every rollup and reads whole months from the month grain.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use uuid::Uuid;

use crate::time::BEIJING;

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// Days since 1970-01-01 of a Beijing calendar date (the rollups' day key).
pub fn day_number(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

/// The Beijing date of a day key (keys come from dates, so every one is in range).
pub fn day_date(day: i32) -> NaiveDate {
    EPOCH
        .checked_add_signed(Duration::days(day.into()))
        .unwrap_or(EPOCH)
}

/// `yyyymm` of a date (the rollups' month key).
pub fn month_key(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The first day of a month key.
pub fn month_start(month: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(month / 100, (month % 100) as u32, 1).unwrap_or(EPOCH)
}

/// The month key after `month`.
pub fn next_month(month: i32) -> i32 {
    if month % 100 == 12 {
        (month / 100 + 1) * 100 + 1
    } else {
        month + 1
    }
}

/// Monday of the week holding `day` (weeks run Monday to Sunday; 1970-01-01 was a
/// Thursday). The store computes the same in SQL as `day - (day + 3) % 7`.
pub fn week_start(day: i32) -> i32 {
    day - (day + 3).rem_euclid(7)
}

/// 0 = Monday … 6 = Sunday.
pub fn weekday(day: i32) -> u8 {
    (day + 3).rem_euclid(7) as u8
}

/// A time measured from the lifecycle (响应时长).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// From the call to the first dispatch.
    Dispatch,
    /// From the first dispatch to the first arrival.
    Arrival,
    /// From the first arrival to the disposal.
    Disposal,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Dispatch, Measure::Arrival, Measure::Disposal];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Dispatch => "dispatch",
            Measure::Arrival => "arrival",
            Measure::Disposal => "disposal",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How an incident's arrival stood against its target, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetCount {
    Met,
    Missed,
}

/// The last bucket: a day or longer.
pub const LAST_BUCKET: u16 = 258;

/// The histogram bucket of a duration: 30-second buckets for the first hour (0–119),
/// 10-minute buckets to a day (120–257), then one bucket for a day or more. A median read
/// from these is exact to 30 s below an hour, which is how response times are compared.
pub fn bucket(d: Duration) -> u16 {
    let s = d.num_seconds().max(0);
    if s < 3600 {
        (s / 30) as u16
    } else if s < 86_400 {
        (120 + (s - 3600) / 600) as u16
    } else {
        LAST_BUCKET
    }
}

/// `[lower, upper)` seconds of a bucket (the last one's upper bound is nominal: two days).
pub fn bucket_bounds(b: u16) -> (i64, i64) {
    let b = i64::from(b.min(LAST_BUCKET));
    if b < 120 {
        (b * 30, b * 30 + 30)
    } else if b < i64::from(LAST_BUCKET) {
        let lo = 3600 + (b - 120) * 600;
        (lo, lo + 600)
    } else {
        (86_400, 172_800)
    }
}

/// The median of a histogram in seconds, interpolated inside its bucket; `None` when empty.
pub fn median(hist: &[(u16, i64)]) -> Option<i64> {
    let mut h: Vec<(u16, i64)> = hist.iter().copied().filter(|(_, n)| *n > 0).collect();
    h.sort_unstable();
    let total: i64 = h.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let half = total as f64 / 2.0;
    let mut seen = 0i64;
    for (b, n) in h {
        if (seen + n) as f64 >= half {
            let (lo, hi) = bucket_bounds(b);
            let into = (half - seen as f64) / n as f64;
            return Some(lo + ((hi - lo) as f64 * into).round() as i64);
        }
        seen += n;
    }
    None
}

/// What the rollups need of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatFacts {
    pub unit_id: Uuid,
    pub category: String,
    pub reported_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub disposed_at: Option<DateTime<Utc>>,
    /// The arrival target in force for it (urgent category, urban or suburban district).
    pub target: Option<Duration>,
}

/// One cell of a rollup. Every cell is kept at a day and a month grain; `day` and
/// `month` are both the incident's report date (Beijing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatKey {
    /// One incident of this category at this unit.
    Count {
        day: i32,
        month: i32,
        unit_id: Uuid,
        category: String,
    },
    /// Its arrival against the target (urgent categories with a target only).
    Target {
        day: i32,
        month: i32,
        unit_id: Uuid,
        category: String,
        outcome: TargetCount,
    },
    /// The hour of the day it was reported (the weekly heat map).
    Hour {
        day: i32,
        month: i32,
        unit_id: Uuid,
        hour: u8,
    },
    /// One response time in its bucket.
    Response {
        day: i32,
        month: i32,
        unit_id: Uuid,
        measure: Measure,
        bucket: u16,
    },
}

/// A change to one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatDelta {
    pub key: StatKey,
    pub n: i64,
}

/// The cells an incident in this state counts in.
pub fn keys(f: &StatFacts) -> Vec<StatKey> {
    let local = f.reported_at.with_timezone(&BEIJING);
    let date = local.date_naive();
    let (day, month, unit_id) = (day_number(date), month_key(date), f.unit_id);
    let mut out = vec![
        StatKey::Count {
            day,
            month,
            unit_id,
            category: f.category.clone(),
        },
        StatKey::Hour {
            day,
            month,
            unit_id,
            hour: local.hour() as u8,
        },
    ];
    let mut response = |measure, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
        if let (Some(a), Some(b)) = (from, to) {
            out.push(StatKey::Response {
                day,
                month,
                unit_id,
                measure,
                bucket: bucket(b - a),
            });
        }
    };
    response(Measure::Dispatch, Some(f.reported_at), f.dispatched_at);
    response(Measure::Arrival, f.dispatched_at, f.arrived_at);
    response(Measure::Disposal, f.arrived_at, f.disposed_at);
    if let (Some(target), Some(arrived)) = (f.target, f.arrived_at) {
        out.push(StatKey::Target {
            day,
            month,
            unit_id,
            category: f.category.clone(),
            outcome: if arrived - f.reported_at <= target {
                TargetCount::Met
            } else {
                TargetCount::Missed
            },
        });
    }
    out
}

/// A new incident's cells, each +1.
pub fn added(f: &StatFacts) -> Vec<StatDelta> {
    keys(f)
        .into_iter()
        .map(|key| StatDelta { key, n: 1 })
        .collect()
}

/// What a step changes: −1 for each cell it leaves, +1 for each it enters, nothing for
/// the cells it keeps.
pub fn delta(before: &StatFacts, after: &StatFacts) -> Vec<StatDelta> {
    let old = keys(before);
    let new = keys(after);
    let mut out: Vec<StatDelta> = old
        .iter()
        .filter(|k| !new.contains(k))
        .map(|k| StatDelta {
            key: k.clone(),
            n: -1,
        })
        .collect();
    out.extend(new.iter().filter(|k| !old.contains(k)).map(|k| StatDelta {
        key: k.clone(),
        n: 1,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn facts() -> StatFacts {
        StatFacts {
            unit_id: Uuid::from_u128(7),
            category: "criminal.robbery".into(),
            // 23:50 UTC is 07:50 the next morning in Beijing.
            reported_at: at("2026-03-31T23:50:00Z"),
            dispatched_at: None,
            arrived_at: None,
            disposed_at: None,
            target: Some(Duration::minutes(5)),
        }
    }

    #[test]
    fn keys_use_the_beijing_day_month_and_hour() {
        let k = keys(&facts());
        let day = day_number(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(
            k,
            vec![
                StatKey::Count {
                    day,
                    month: 202604,
                    unit_id: Uuid::from_u128(7),
                    category: "criminal.robbery".into()
                },
                StatKey::Hour {
                    day,
                    month: 202604,
                    unit_id: Uuid::from_u128(7),
                    hour: 7
                },
            ]
        );
        assert_eq!(day_date(day), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        // 2026-04-01 is a Wednesday; its week starts on Monday 30 March.
        assert_eq!(weekday(day), 2);
        assert_eq!(
            day_date(week_start(day)),
            NaiveDate::from_ymd_opt(2026, 3, 30).unwrap()
        );
    }

    #[test]
    fn a_step_moves_only_what_it_changes() {
        let before = facts();
        let mut after = before.clone();
        after.dispatched_at = Some(before.reported_at + Duration::seconds(95));
        let d = delta(&before, &after);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].n, 1);
        assert!(matches!(
            d[0].key,
            StatKey::Response {
                measure: Measure::Dispatch,
                bucket: 3,
                ..
            }
        ));
        // Arrival 6 minutes after the call misses a 5-minute target.
        let mut arrived = after.clone();
        arrived.arrived_at = Some(before.reported_at + Duration::minutes(6));
        let d = delta(&after, &arrived);
        assert_eq!(d.len(), 2);
        assert!(d.iter().any(|x| matches!(
            x.key,
            StatKey::Target {
                outcome: TargetCount::Missed,
                ..
            }
        )));
        // A disposal recorded again later moves the disposal time.
        let mut disposed = arrived.clone();
        disposed.disposed_at = Some(before.reported_at + Duration::minutes(40));
        let mut again = disposed.clone();
        again.disposed_at = Some(before.reported_at + Duration::minutes(90));
        let d = delta(&disposed, &again);
        assert_eq!(d.iter().map(|x| x.n).sum::<i64>(), 0);
        assert_eq!(d.len(), 2);
        assert!(delta(&again, &again).is_empty());
    }

    #[test]
    fn no_target_counts_nothing_against_one() {
        let mut f = facts();
        f.target = None;
        f.dispatched_at = Some(f.reported_at);
        f.arrived_at = Some(f.reported_at + Duration::minutes(50));
        assert!(!keys(&f).iter().any(|k| matches!(k, StatKey::Target { .. })));
    }

    #[test]
    fn buckets_and_their_bounds_agree() {
        for s in [
            0i64, 29, 30, 3599, 3600, 4199, 4200, 86_399, 86_400, 500_000,
        ] {
            let b = bucket(Duration::seconds(s));
            let (lo, hi) = bucket_bounds(b);
            assert!(
                lo <= s && (s < hi || b == LAST_BUCKET),
                "{s}s in bucket {b}"
            );
        }
        assert_eq!(bucket(Duration::seconds(-5)), 0);
        assert_eq!(bucket(Duration::seconds(3599)), 119);
        assert_eq!(bucket(Duration::seconds(86_399)), 257);
    }

    #[test]
    fn median_interpolates_inside_its_bucket() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(4, 0)]), None);
        // Two in bucket 2 (60–90 s): the median is the bucket's middle.
        assert_eq!(median(&[(2, 2)]), Some(75));
        // 1 at 0–30 s, 3 at 120–150 s: half of 4 is 2, a third into the second bucket.
        assert_eq!(median(&[(4, 3), (0, 1)]), Some(130));
    }

    #[test]
    fn months_step_over_the_year() {
        assert_eq!(next_month(202612), 202701);
        assert_eq!(next_month(202603), 202604);
        assert_eq!(
            month_start(202702),
            NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
        );
        assert_eq!(
            month_key(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            202612
        );
    }
}

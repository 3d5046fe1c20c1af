//! Incident statistics (警情统计): counts by unit, category and period with year-over-
//! year and period-over-period comparison, arrivals against the response target, median
//! response times per unit and the weekly heat map, all read from the rollups that each
//! incident write keeps (`frontline_core::incident::stats`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, Months, NaiveDate};
use frontline_core::FieldError;
use frontline_core::Lang;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::incident::stats::{
    self as rules, Measure, StatFacts, day_date, day_number, median,
};
use frontline_core::org::{Actor, AreaType};
use frontline_core::time::BEIJING;
use frontline_store::{IncidentState, MAX_CELLS_PER_WRITE, StatCount, StatPeriod, StatQuery};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError, Result};

/// The longest range one query covers (five years and a day: a city's whole history at
/// the month grain).
pub const MAX_RANGE_DAYS: i64 = 5 * 366;
/// The most rows one answer's table holds.
pub const MAX_GROUPS: usize = 20_000;

/// The statistics contract, as it arrives in the query string (API, page and CSV alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct StatisticsQuery {
    /// First day (Beijing date, `2026-01-01`); default: 1 January of this year.
    #[param(value_type = Option<String>, format = Date, required = false)]
    pub from: Option<String>,
    /// Last day, included; default: today.
    #[param(value_type = Option<String>, format = Date, required = false)]
    pub to: Option<String>,
    /// What the table's rows are grouped by, comma-separated: `unit`, `category` (sub-
    /// category), `top_category`, and at most one of `day`, `week`, `month`, `year`.
    /// Default `unit,month`.
    #[param(value_type = Option<String>, required = false, example = "unit,category,month")]
    pub group_by: Option<String>,
    /// A unit; its sub-units are included.
    #[param(value_type = Option<Uuid>, required = false)]
    pub unit_id: Option<String>,
    /// Category code; a top-level code covers its sub-categories.
    #[param(value_type = Option<String>, required = false)]
    pub category: Option<String>,
    /// Parameters the statistics do not know, each refused.
    #[serde(flatten)]
    #[param(ignore)]
    pub other: BTreeMap<String, String>,
}

/// How the table is grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Grouping {
    pub unit: bool,
    pub category: bool,
    pub top_category: bool,
    #[schema(value_type = Option<String>)]
    #[serde(serialize_with = "period_name")]
    pub period: Option<StatPeriod>,
}

fn period_name<S: serde::Serializer>(
    p: &Option<StatPeriod>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match p {
        None => s.serialize_none(),
        Some(p) => s.serialize_str(period_code(*p)),
    }
}

fn period_code(p: StatPeriod) -> &'static str {
    match p {
        StatPeriod::Day => "day",
        StatPeriod::Week => "week",
        StatPeriod::Month => "month",
        StatPeriod::Year => "year",
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatRow {
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub category: Option<String>,
    pub category_name: Option<String>,
    /// `2026-03-05` (day), `2026-03-02` (the week's Monday), `2026-03` (month), `2026`.
    pub period: Option<String>,
    pub incidents: i64,
    /// The same row a year earlier (weeks: 52 weeks earlier).
    pub previous_year: i64,
    /// Urgent incidents reached within / after the response target.
    pub target_met: i64,
    pub target_missed: i64,
}

/// The figures of the whole selection.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatTotals {
    pub incidents: i64,
    pub previous_year: i64,
    /// The same number of days just before `from`.
    pub previous_period: i64,
    /// Change against a year earlier, in percent (`None` when that was 0).
    pub change_year_pct: Option<f64>,
    pub change_period_pct: Option<f64>,
    pub target_met: i64,
    pub target_missed: i64,
    /// Share of urgent incidents reached in time, in percent.
    pub target_met_pct: Option<f64>,
}

/// One point of the time series (the line chart).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatPoint {
    pub period: String,
    pub incidents: i64,
    pub previous_year: i64,
}

/// A unit's or a category's share (the bar charts).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatShare {
    pub key: String,
    pub name: String,
    pub incidents: i64,
    pub previous_year: i64,
}

/// Response times of a unit (or of the whole selection: `unit_id` null), medians read
/// from 30-second histogram buckets.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResponseRow {
    pub unit_id: Option<Uuid>,
    pub unit_name: String,
    /// Call → first dispatch.
    pub dispatch_median_secs: Option<i64>,
    /// First dispatch → first arrival.
    pub arrival_median_secs: Option<i64>,
    /// First arrival → disposal.
    pub disposal_median_secs: Option<i64>,
    pub dispatched: i64,
    pub arrived: i64,
    pub disposed: i64,
    pub target_met: i64,
    pub target_missed: i64,
    pub target_met_pct: Option<f64>,
}

/// Incidents by weekday (0 = Monday) and hour of the report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HeatCell {
    pub dow: u8,
    pub hour: u8,
    pub incidents: i64,
}

/// An inclusive range of Beijing dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DateRange {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
}

/// The statistics answer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatisticsView {
    pub range: DateRange,
    pub previous_year_range: DateRange,
    pub previous_period_range: DateRange,
    pub group_by: Grouping,
    pub unit_id: Option<Uuid>,
    pub category: Option<String>,
    pub rows: Vec<StatRow>,
    pub totals: StatTotals,
    /// By month (ranges over 62 days) or by day.
    pub series: Vec<StatPoint>,
    pub series_period: String,
    pub by_unit: Vec<StatShare>,
    pub by_category: Vec<StatShare>,
    /// Per unit, then the whole selection last. Response times cover all categories.
    pub response: Vec<ResponseRow>,
    /// 168 cells, Monday 0:00 first; all categories.
    pub heat: Vec<HeatCell>,
}

/// The table key of a count: unit, category, period.
type RowKey = (Option<Uuid>, Option<String>, Option<i32>);

/// What a count query groups by (`top`: leaves rolled up to their top-level category).
#[derive(Debug, Clone, Copy)]
struct Dims {
    unit: bool,
    category: bool,
    top: bool,
    period: Option<StatPeriod>,
}

/// A checked query.
#[derive(Debug, Clone)]
struct Checked {
    from: NaiveDate,
    to: NaiveDate,
    grouping: Grouping,
    unit_id: Option<Uuid>,
    units: Option<Vec<Uuid>>,
    category: Option<String>,
}

fn date_param(field: &str, v: Option<&str>, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if frontline_core::time::YEARS.contains(&d.year()) => Some(d),
        Ok(_) => {
            errs.push(frontline_core::time::years_error(field));
            None
        }
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "date.format",
                "日期格式不正确（例：2026-11-22）",
                "Date must look like 2026-11-22",
            ));
            None
        }
    }
}

fn parse_grouping(v: Option<&str>, errs: &mut Vec<FieldError>) -> Grouping {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Grouping {
            unit: true,
            period: Some(StatPeriod::Month),
            ..Grouping::default()
        };
    };
    let mut g = Grouping::default();
    let mut periods = 0;
    for part in s.split(',').map(str::trim) {
        match part {
            "unit" => g.unit = true,
            "category" => g.category = true,
            "top_category" => g.top_category = true,
            "day" | "week" | "month" | "year" => {
                periods += 1;
                g.period = Some(match part {
                    "day" => StatPeriod::Day,
                    "week" => StatPeriod::Week,
                    "month" => StatPeriod::Month,
                    _ => StatPeriod::Year,
                });
            }
            _ => {
                errs.push(FieldError::new(
                    "group_by",
                    "group_by.unknown",
                    "分组只能是 unit、category、top_category、day、week、month、year",
                    "group_by takes unit, category, top_category, day, week, month, year",
                ));
                return g;
            }
        }
    }
    if periods > 1 {
        errs.push(FieldError::new(
            "group_by",
            "group_by.periods",
            "只能按一种时间粒度分组",
            "Group by one time period at most",
        ));
    }
    if g.category && g.top_category {
        errs.push(FieldError::new(
            "group_by",
            "group_by.categories",
            "category 与 top_category 只能选一个",
            "Choose category or top_category, not both",
        ));
    }
    g
}

/// Percent change from `before` to `now` (one decimal).
fn change_pct(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| ((now - before) as f64 * 1000.0 / before as f64).round() / 10.0)
}

fn met_pct(met: i64, missed: i64) -> Option<f64> {
    let all = met + missed;
    (all != 0).then(|| (met as f64 * 1000.0 / all as f64).round() / 10.0)
}

/// A date one year earlier (29 February → 28 February).
fn year_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(Months::new(12)).unwrap_or(d)
}

impl App {
    /// What the rollups need of an incident in `state`, with the arrival target in force
    /// for its district (none outside any district, as the response view judges it).
    pub(crate) fn stat_facts(
        &self,
        unit_id: Uuid,
        category: &str,
        district_id: Option<Uuid>,
        reported_at: chrono::DateTime<chrono::Utc>,
        state: &IncidentState,
    ) -> StatFacts {
        let area = district_id
            .and_then(|d| self.org.district(d))
            .map_or(AreaType::Rural, |d| d.area_type);
        StatFacts {
            unit_id,
            category: category.to_string(),
            reported_at,
            dispatched_at: state.dispatched_at,
            arrived_at: state.arrived_at,
            disposed_at: state.disposed_at,
            target: self.response_targets.target(category, area),
        }
    }

    /// Counts every incident into empty rollups (after a bulk load, or for incidents
    /// filed before the rollups existed). Runs before the instance serves: incidents
    /// written meanwhile would be counted twice or not at all. Unless `force`, only when
    /// the rollups are marked as needing it and no other instance has taken that (`None`).
    pub async fn rebuild_statistics(&self, force: bool) -> Result<Option<u64>> {
        if !force && !self.store.stats_rebuild_needed().await? {
            return Ok(None);
        }
        let mut cells: HashMap<rules::StatKey, i64> = HashMap::new();
        let mut after = None;
        let mut seen = 0u64;
        loop {
            let batch = self.store.stat_sources(after, 20_000).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            for s in &batch {
                let state = IncidentState {
                    dispatched_at: s.dispatched_at,
                    arrived_at: s.arrived_at,
                    disposed_at: s.disposed_at,
                    ..IncidentState::registered()
                };
                let f =
                    self.stat_facts(s.unit_id, &s.category, s.district_id, s.reported_at, &state);
                for k in rules::keys(&f) {
                    *cells.entry(k).or_default() += 1;
                }
            }
            seen += batch.len() as u64;
        }
        if !self.store.clear_stats(force).await? {
            return Ok(None);
        }
        let mut all: Vec<rules::StatDelta> = cells
            .into_iter()
            .map(|(key, n)| rules::StatDelta { key, n })
            .collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        if all.is_empty() {
            self.store.add_stat_cells(Vec::new(), true).await?;
        }
        let chunks = all.len().div_ceil(MAX_CELLS_PER_WRITE);
        for (i, chunk) in all.chunks(MAX_CELLS_PER_WRITE).enumerate() {
            self.store
                .add_stat_cells(chunk.to_vec(), i + 1 == chunks)
                .await?;
        }
        Ok(Some(seen))
    }

    fn check_statistics(&self, actor: &Actor, q: &StatisticsQuery) -> Result<Checked> {
        let scope = authz::scope(actor, Action::StatisticsRead);
        if scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Vec::new();
        for k in q.other.keys() {
            errs.push(FieldError::new(
                k.as_str(),
                "unknown_parameter",
                "不支持的查询参数",
                "Unknown query parameter",
            ));
        }
        let today = self.now().with_timezone(&BEIJING).date_naive();
        let from = date_param("from", q.from.as_deref(), &mut errs);
        let to = date_param("to", q.to.as_deref(), &mut errs);
        let grouping = parse_grouping(q.group_by.as_deref(), &mut errs);
        let category = q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(c) = &category
            && self.categories.get(c).is_none()
        {
            errs.push(FieldError::new(
                "category",
                "category.unknown",
                "警情类别不存在",
                "Unknown incident category",
            ));
        }
        let unit = match q
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Uuid::parse_str(s).ok().and_then(|id| self.org.unit(id)) {
                // Another station's unit is as unknown as a made-up one.
                Some(u) if scope.contains(&u.path) => Some(u),
                _ => {
                    errs.push(FieldError::new(
                        "unit_id",
                        "unit.unknown",
                        "单位不存在",
                        "Unknown unit",
                    ));
                    None
                }
            },
        };
        let from =
            from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
        let to = to.unwrap_or(today);
        if errs.is_empty() {
            if to < from {
                errs.push(FieldError::new(
                    "to",
                    "date.before_from",
                    "结束日期不能早于开始日期",
                    "The last day cannot be before the first",
                ));
            } else if (to - from).num_days() >= MAX_RANGE_DAYS {
                errs.push(FieldError::new(
                    "to",
                    "statistics.range",
                    "统计区间最长五年",
                    "A range covers five years at most",
                ));
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        // The units read: the picked unit's subtree within the scope, or the scope.
        let prefix = match (&unit, &scope) {
            (Some(u), _) => Some(u.path.clone()),
            (None, Scope::Subtree(p)) => Some(p.clone()),
            _ => None,
        };
        let units = prefix.map(|p| {
            self.org
                .units()
                .into_iter()
                .filter(|u| u.path.starts_with(&p))
                .map(|u| u.id)
                .collect()
        });
        Ok(Checked {
            from,
            to,
            grouping,
            unit_id: unit.map(|u| u.id),
            units,
            category,
        })
    }

    fn stat_query(
        &self,
        c: &Checked,
        from: NaiveDate,
        to: NaiveDate,
        by_unit: bool,
        by_category: bool,
        period: Option<StatPeriod>,
    ) -> StatQuery {
        StatQuery {
            units: c.units.clone(),
            from_day: day_number(from),
            to_day: day_number(to),
            category: c.category.clone(),
            by_unit,
            by_category,
            period,
            max_groups: MAX_GROUPS,
        }
    }

    /// Counts grouped as asked, with leaves rolled up to their top-level category when
    /// `top` (the store groups by leaf).
    async fn counts(
        &self,
        c: &Checked,
        from: NaiveDate,
        to: NaiveDate,
        d: Dims,
    ) -> Result<Vec<StatCount>> {
        let top = d.top;
        let q = self.stat_query(c, from, to, d.unit, d.category || d.top, d.period);
        let rows = self.store.stat_counts(q).await?;
        if rows.len() > MAX_GROUPS {
            return Err(AppError::field(FieldError::new(
                "group_by",
                "statistics.too_many_groups",
                format!("分组过多（超过 {MAX_GROUPS} 行），请缩短区间或减少分组"),
                format!(
                    "Too many groups (over {MAX_GROUPS} rows): shorten the range or group by less"
                ),
            )));
        }
        if !top {
            return Ok(rows);
        }
        let mut merged: BTreeMap<RowKey, StatCount> = BTreeMap::new();
        for r in rows {
            let root = r
                .category
                .as_deref()
                .and_then(|c| self.categories.root_of(c))
                .map(|c| c.code.clone())
                .or(r.category.clone());
            let e = merged
                .entry((r.unit_id, root.clone(), r.period))
                .or_insert(StatCount {
                    unit_id: r.unit_id,
                    category: root,
                    period: r.period,
                    incidents: 0,
                    target_met: 0,
                    target_missed: 0,
                });
            e.incidents += r.incidents;
            e.target_met += r.target_met;
            e.target_missed += r.target_missed;
        }
        Ok(merged.into_values().collect())
    }

    fn period_label(&self, p: StatPeriod, v: i32) -> String {
        match p {
            StatPeriod::Day | StatPeriod::Week => day_date(v).format("%Y-%m-%d").to_string(),
            StatPeriod::Month => format!("{:04}-{:02}", v / 100, v % 100),
            StatPeriod::Year => v.to_string(),
        }
    }

    /// The period key a year before `v` (weeks: 52 weeks, so that weekdays line up).
    fn period_year_before(p: StatPeriod, v: i32) -> i32 {
        match p {
            StatPeriod::Day => day_number(year_before(day_date(v))),
            StatPeriod::Week => v - 364,
            StatPeriod::Month => v - 100,
            StatPeriod::Year => v - 1,
        }
    }

    /// The statistics of the actor's scope (or a unit in it) over a range.
    pub async fn incident_statistics(
        &self,
        actor: &Actor,
        q: &StatisticsQuery,
        lang: Lang,
    ) -> Result<StatisticsView> {
        let c = self.check_statistics(actor, q)?;
        let g = c.grouping;
        let grouped = Dims {
            unit: g.unit,
            category: g.category,
            top: g.top_category,
            period: g.period,
        };
        let weeks = g.period == Some(StatPeriod::Week);
        let (py_from, py_to) = if weeks {
            (c.from - Duration::days(364), c.to - Duration::days(364))
        } else {
            (year_before(c.from), year_before(c.to))
        };
        let len = (c.to - c.from).num_days() + 1;
        let (pp_from, pp_to) = (c.from - Duration::days(len), c.from - Duration::days(1));

        let rows = self.counts(&c, c.from, c.to, grouped).await?;
        let before = self.counts(&c, py_from, py_to, grouped).await?;
        let before: HashMap<RowKey, i64> = before
            .into_iter()
            .map(|r| ((r.unit_id, r.category, r.period), r.incidents))
            .collect();
        let cat_name = |code: &str| self.categories.name(code, lang).unwrap_or(code).to_string();
        let table: Vec<StatRow> = rows
            .iter()
            .map(|r| {
                let prev_key = (
                    r.unit_id,
                    r.category.clone(),
                    r.period
                        .zip(g.period)
                        .map(|(v, p)| Self::period_year_before(p, v)),
                );
                StatRow {
                    unit_id: r.unit_id,
                    unit_name: r.unit_id.map(|u| self.org.unit_name(u)),
                    category: r.category.clone(),
                    category_name: r.category.as_deref().map(cat_name),
                    period: r.period.zip(g.period).map(|(v, p)| self.period_label(p, v)),
                    incidents: r.incidents,
                    previous_year: before.get(&prev_key).copied().unwrap_or(0),
                    target_met: r.target_met,
                    target_missed: r.target_missed,
                }
            })
            .collect();

        // The totals, the bars and the line, each from the rollups again (a few
        // hundred rows each).
        let total = |v: &[StatCount]| {
            v.iter().fold((0, 0, 0), |a, r| {
                (a.0 + r.incidents, a.1 + r.target_met, a.2 + r.target_missed)
            })
        };
        let (n, met, missed) = total(
            &self
                .counts(
                    &c,
                    c.from,
                    c.to,
                    Dims {
                        unit: false,
                        category: false,
                        top: false,
                        period: None,
                    },
                )
                .await?,
        );
        let (py, _, _) = total(
            &self
                .counts(
                    &c,
                    py_from,
                    py_to,
                    Dims {
                        unit: false,
                        category: false,
                        top: false,
                        period: None,
                    },
                )
                .await?,
        );
        let (pp, _, _) = total(
            &self
                .counts(
                    &c,
                    pp_from,
                    pp_to,
                    Dims {
                        unit: false,
                        category: false,
                        top: false,
                        period: None,
                    },
                )
                .await?,
        );
        let totals = StatTotals {
            incidents: n,
            previous_year: py,
            previous_period: pp,
            change_year_pct: change_pct(n, py),
            change_period_pct: change_pct(n, pp),
            target_met: met,
            target_missed: missed,
            target_met_pct: met_pct(met, missed),
        };

        let series_period = if len > 62 {
            StatPeriod::Month
        } else {
            StatPeriod::Day
        };
        let now_series = self
            .counts(
                &c,
                c.from,
                c.to,
                Dims {
                    unit: false,
                    category: false,
                    top: false,
                    period: Some(series_period),
                },
            )
            .await?;
        let (sy_from, sy_to) = (year_before(c.from), year_before(c.to));
        let then: HashMap<i32, i64> = self
            .counts(
                &c,
                sy_from,
                sy_to,
                Dims {
                    unit: false,
                    category: false,
                    top: false,
                    period: Some(series_period),
                },
            )
            .await?
            .into_iter()
            .filter_map(|r| r.period.map(|p| (p, r.incidents)))
            .collect();
        let mut series_map: BTreeMap<i32, i64> = now_series
            .into_iter()
            .filter_map(|r| r.period.map(|p| (p, r.incidents)))
            .collect();
        // Every period of the range, zeros included: a line has no gaps.
        let mut d = c.from;
        while d <= c.to {
            let key = match series_period {
                StatPeriod::Month => rules::month_key(d),
                _ => day_number(d),
            };
            series_map.entry(key).or_insert(0);
            d = match series_period {
                StatPeriod::Month => rules::month_start(rules::next_month(rules::month_key(d))),
                _ => d + Duration::days(1),
            };
        }
        let series = series_map
            .into_iter()
            .map(|(p, incidents)| StatPoint {
                period: self.period_label(series_period, p),
                incidents,
                previous_year: then
                    .get(&Self::period_year_before(series_period, p))
                    .copied()
                    .unwrap_or(0),
            })
            .collect();

        let unit_now = self
            .counts(
                &c,
                c.from,
                c.to,
                Dims {
                    unit: true,
                    category: false,
                    top: false,
                    period: None,
                },
            )
            .await?;
        let unit_then: HashMap<Option<Uuid>, i64> = self
            .counts(
                &c,
                py_from,
                py_to,
                Dims {
                    unit: true,
                    category: false,
                    top: false,
                    period: None,
                },
            )
            .await?
            .into_iter()
            .map(|r| (r.unit_id, r.incidents))
            .collect();
        let mut by_unit: Vec<StatShare> = unit_now
            .iter()
            .map(|r| StatShare {
                key: r.unit_id.map(|u| u.to_string()).unwrap_or_default(),
                name: r.unit_id.map(|u| self.org.unit_name(u)).unwrap_or_default(),
                incidents: r.incidents,
                previous_year: unit_then.get(&r.unit_id).copied().unwrap_or(0),
            })
            .collect();
        by_unit.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.name.cmp(&b.name)));
        let cat_now = self
            .counts(
                &c,
                c.from,
                c.to,
                Dims {
                    unit: false,
                    category: false,
                    top: true,
                    period: None,
                },
            )
            .await?;
        let cat_then: HashMap<Option<String>, i64> = self
            .counts(
                &c,
                py_from,
                py_to,
                Dims {
                    unit: false,
                    category: false,
                    top: true,
                    period: None,
                },
            )
            .await?
            .into_iter()
            .map(|r| (r.category, r.incidents))
            .collect();
        let mut by_category: Vec<StatShare> = cat_now
            .iter()
            .map(|r| StatShare {
                key: r.category.clone().unwrap_or_default(),
                name: r.category.as_deref().map(cat_name).unwrap_or_default(),
                incidents: r.incidents,
                previous_year: cat_then.get(&r.category).copied().unwrap_or(0),
            })
            .collect();
        by_category.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.key.cmp(&b.key)));

        let response = self.response_rows(&c, &unit_now, lang).await?;
        let hours = self
            .store
            .stat_hours(self.stat_query(&c, c.from, c.to, false, false, None))
            .await?;
        let mut heat: Vec<HeatCell> = (0..7u8)
            .flat_map(|dow| {
                (0..24u8).map(move |hour| HeatCell {
                    dow,
                    hour,
                    incidents: 0,
                })
            })
            .collect();
        for h in hours {
            if let Some(cell) = heat.get_mut(usize::from(h.dow) * 24 + usize::from(h.hour)) {
                cell.incidents = h.incidents;
            }
        }
        Ok(StatisticsView {
            range: DateRange {
                from: c.from,
                to: c.to,
            },
            previous_year_range: DateRange {
                from: py_from,
                to: py_to,
            },
            previous_period_range: DateRange {
                from: pp_from,
                to: pp_to,
            },
            group_by: g,
            unit_id: c.unit_id,
            category: c.category.clone(),
            rows: table,
            totals,
            series,
            series_period: period_code(series_period).into(),
            by_unit,
            by_category,
            response,
            heat,
        })
    }

    async fn response_rows(
        &self,
        c: &Checked,
        unit_counts: &[StatCount],
        lang: Lang,
    ) -> Result<Vec<ResponseRow>> {
        let buckets = self
            .store
            .stat_response(self.stat_query(c, c.from, c.to, true, false, None))
            .await?;
        type Hist = BTreeMap<Measure, Vec<(u16, i64)>>;
        let mut per_unit: BTreeMap<Uuid, Hist> = BTreeMap::new();
        let mut all: Hist = BTreeMap::new();
        for b in buckets {
            if let Some(u) = b.unit_id {
                per_unit
                    .entry(u)
                    .or_default()
                    .entry(b.measure)
                    .or_default()
                    .push((b.bucket, b.incidents));
            }
            all.entry(b.measure)
                .or_default()
                .push((b.bucket, b.incidents));
        }
        let targets: HashMap<Option<Uuid>, (i64, i64)> = unit_counts
            .iter()
            .map(|r| (r.unit_id, (r.target_met, r.target_missed)))
            .collect();
        let row = |unit_id: Option<Uuid>, name: String, h: &Hist, t: (i64, i64)| {
            let of = |m: Measure| h.get(&m).map(Vec::as_slice).unwrap_or(&[]);
            let count = |m: Measure| of(m).iter().map(|(_, n)| n).sum::<i64>();
            ResponseRow {
                unit_id,
                unit_name: name,
                dispatch_median_secs: median(of(Measure::Dispatch)),
                arrival_median_secs: median(of(Measure::Arrival)),
                disposal_median_secs: median(of(Measure::Disposal)),
                dispatched: count(Measure::Dispatch),
                arrived: count(Measure::Arrival),
                disposed: count(Measure::Disposal),
                target_met: t.0,
                target_missed: t.1,
                target_met_pct: met_pct(t.0, t.1),
            }
        };
        let mut out: Vec<ResponseRow> = per_unit
            .iter()
            .map(|(u, h)| {
                row(
                    Some(*u),
                    self.org.unit_name(*u),
                    h,
                    targets.get(&Some(*u)).copied().unwrap_or((0, 0)),
                )
            })
            .collect();
        out.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
        let t = targets
            .values()
            .fold((0, 0), |a, (m, x)| (a.0 + m, a.1 + x));
        let name = match lang {
            Lang::Zh => "合计",
            Lang::En => "All",
        };
        out.push(row(None, name.into(), &all, t));
        Ok(out)
    }
}

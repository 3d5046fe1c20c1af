//! 裁量一致性: the decisions in force per violation and situation — how many, how many
//! departed from the recommendation, the medians — per unit and officer, and the
//! outliers, for legal affairs.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::case::decision::Decided;
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::time::BEIJING;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::words;
use crate::{App, AppError, Result};
use frontline_core::Lang;

/// Longest period the report covers.
pub const PERIOD_MAX_DAYS: i64 = 366 * 3;
/// How far from its situation's median a decided penalty lies before it is an outlier
/// (half the median either way).
const OUTLIER_RATIO: f64 = 0.5;

/// `GET /api/v1/penalty-decisions/consistency`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// First day (Beijing), `YYYY-MM-DD`; default a year before `to`.
    pub from: Option<String>,
    /// Last day (Beijing), `YYYY-MM-DD`; default today.
    pub to: Option<String>,
}

/// One violation and situation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyRow {
    pub violation_code: String,
    pub violation_name: String,
    pub situation: Option<String>,
    pub count: u64,
    pub departed: u64,
    /// Share departed, in whole percent.
    pub departed_pct: u64,
    pub median_fine_yuan: u64,
    pub median_detention_days: u32,
    pub min_fine_yuan: u64,
    pub max_fine_yuan: u64,
    pub min_detention_days: u32,
    pub max_detention_days: u32,
}

/// An officer's or a unit's decisions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerShare {
    pub name: String,
    pub unit_name: String,
    pub count: u64,
    pub departed: u64,
    pub departed_pct: u64,
}

/// A decided penalty far from its situation's median.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outlier {
    pub case_id: Uuid,
    pub decision_number: String,
    pub officer: String,
    pub unit_name: String,
    pub violation_code: String,
    pub situation: Option<String>,
    pub decided: String,
    pub recommended: String,
    pub median: String,
    pub departed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyReport {
    pub from: String,
    pub to: String,
    /// Violations decided (a decision may hold several).
    pub total: u64,
    pub departed: u64,
    pub departed_pct: u64,
    pub rows: Vec<ConsistencyRow>,
    pub units: Vec<OfficerShare>,
    pub officers: Vec<OfficerShare>,
    pub outliers: Vec<Outlier>,
}

fn pct(part: u64, all: u64) -> u64 {
    (part * 100 + all / 2).checked_div(all).unwrap_or(0)
}

fn median<T: Copy + Ord + Default>(v: &mut [T]) -> T {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn far(x: u64, m: u64) -> bool {
    if m == 0 {
        // A penalty of a kind its situation's decisions mostly do without.
        return x > 0;
    }
    let (x, m) = (x as f64, m as f64);
    (x - m).abs() > m * OUTLIER_RATIO
}

fn day(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "date.format",
                "日期格式应为 YYYY-MM-DD",
                "The date must be YYYY-MM-DD",
            ));
            None
        }
    }
}

impl App {
    /// The consistency report over the caller's scope (legal affairs, bureau leaders).
    pub async fn penalty_consistency(
        &self,
        actor: &Actor,
        q: &ConsistencyQuery,
        lang: Lang,
    ) -> Result<ConsistencyReport> {
        let scope =
            crate::case::read::path_range(authz::scope(actor, Action::PenaltyConsistencyRead))
                .ok_or(AppError::Forbidden)?;
        let mut errs = Errors::default();
        let today = self.now().with_timezone(&BEIJING).date_naive();
        let to = day(&mut errs, "to", q.to.as_deref()).unwrap_or(today);
        let from = day(&mut errs, "from", q.from.as_deref()).unwrap_or(to - Duration::days(365));
        if errs.is_empty() && (from > to || (to - from).num_days() > PERIOD_MAX_DAYS) {
            errs.push(FieldError::new(
                "from",
                "period.invalid",
                "起始日期须不晚于截止日期，且期间不超过三年",
                "The first day must not be after the last, and the period at most three years",
            ));
        }
        errs.into_result(()).map_err(AppError::Validation)?;
        let rows = self
            .store
            .decided_penalties(
                scope,
                crate::clock::bj_midnight(from),
                crate::clock::bj_midnight(to + Duration::days(1)),
            )
            .await?;
        let engine = self.penalty_engine();
        // (code, situation) → decided items with who decided them.
        type Key = (String, Option<String>);
        let mut groups: BTreeMap<Key, Vec<(usize, usize)>> = BTreeMap::new();
        for (di, d) in rows.iter().enumerate() {
            for (ii, i) in d.items.iter().enumerate() {
                groups
                    .entry((i.violation_code.clone(), i.situation.clone()))
                    .or_default()
                    .push((di, ii));
            }
        }
        let mut out_rows = Vec::new();
        let mut outliers = Vec::new();
        let mut total = 0;
        let mut departed_all = 0;
        for ((code, situation), members) in &groups {
            let items: Vec<_> = members
                .iter()
                .filter_map(|(di, ii)| Some((rows.get(*di)?, rows.get(*di)?.items.get(*ii)?)))
                .collect();
            let mut fines: Vec<u64> = items.iter().map(|(_, i)| i.decided.fine_yuan).collect();
            let mut days: Vec<u32> = items
                .iter()
                .map(|(_, i)| i.decided.detention_days)
                .collect();
            let count = items.len() as u64;
            let departed = items.iter().filter(|(_, i)| i.departed).count() as u64;
            total += count;
            departed_all += departed;
            let mf = median(&mut fines);
            let md = median(&mut days);
            let m = Decided {
                warning: false,
                fine_yuan: mf,
                detention_days: md,
            };
            for (d, i) in &items {
                if far(i.decided.fine_yuan, mf)
                    || far(u64::from(i.decided.detention_days), u64::from(md))
                {
                    outliers.push(Outlier {
                        case_id: d.case_id,
                        decision_number: d.number.clone().unwrap_or_default(),
                        officer: d.proposed_by_name.clone(),
                        unit_name: self.org.unit_name(d.unit_id),
                        violation_code: code.clone(),
                        situation: situation.clone(),
                        decided: words(&i.decided, lang),
                        recommended: words(&i.recommended, lang),
                        median: words(&m, lang),
                        departed: i.departed,
                    });
                }
            }
            out_rows.push(ConsistencyRow {
                violation_code: code.clone(),
                violation_name: engine
                    .engine
                    .catalog
                    .article_of(code)
                    .map(|a| a.title_zh.clone())
                    .unwrap_or_else(|| code.clone()),
                situation: situation.clone(),
                count,
                departed,
                departed_pct: pct(departed, count),
                median_fine_yuan: mf,
                median_detention_days: md,
                min_fine_yuan: fines.first().copied().unwrap_or(0),
                max_fine_yuan: fines.last().copied().unwrap_or(0),
                min_detention_days: days.first().copied().unwrap_or(0),
                max_detention_days: days.last().copied().unwrap_or(0),
            });
        }
        out_rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.violation_code.cmp(&b.violation_code))
        });
        let share = |key: &dyn Fn(&frontline_store::DecisionRow) -> (String, String)| {
            let mut m: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
            for d in &rows {
                let e = m.entry(key(d)).or_default();
                e.0 += d.items.len() as u64;
                e.1 += d.items.iter().filter(|i| i.departed).count() as u64;
            }
            let mut v: Vec<OfficerShare> = m
                .into_iter()
                .map(|((name, unit_name), (count, departed))| OfficerShare {
                    name,
                    unit_name,
                    count,
                    departed,
                    departed_pct: pct(departed, count),
                })
                .collect();
            v.sort_by(|a, b| {
                b.departed_pct
                    .cmp(&a.departed_pct)
                    .then(b.count.cmp(&a.count))
            });
            v
        };
        let units = share(&|d| (self.org.unit_name(d.unit_id), String::new()));
        let officers = share(&|d| (d.proposed_by_name.clone(), self.org.unit_name(d.unit_id)));
        outliers.truncate(200);
        Ok(ConsistencyReport {
            from: from.to_string(),
            to: to.to_string(),
            total,
            departed: departed_all,
            departed_pct: pct(departed_all, total),
            rows: out_rows,
            units,
            officers,
            outliers,
        })
    }
}

//! 内部目标: the bureau's own goals beside the legal limits (`data/internal-targets.toml`),
//! e.g. the "1-3-7" target of property crimes. Evaluated from the case's facts when
//! shown, never swept or escalated like a legal deadline, and always labelled as internal.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::measure::MeasureKind;

const BUILTIN: &str = include_str!("../../../../data/internal-targets.toml");

/// What meets a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetBy {
    Suspect,
    Measure,
    Solve,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub days: u32,
    pub met_by: MetBy,
    #[serde(default)]
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Applies {
    categories: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    applies: Applies,
    target: Vec<Target>,
}

/// The targets and the categories they apply to.
#[derive(Debug, Clone)]
pub struct Targets {
    pub categories: Vec<String>,
    pub targets: Vec<Target>,
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TargetState))]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// Not yet due, not yet met.
    Running,
    /// Met in time.
    Met,
    /// Met, but after the target.
    MetLate,
    /// Past the target and not met.
    Missed,
}

/// The facts a target is judged on.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub accepted_at: DateTime<Utc>,
    /// When the case first had a suspect (a party at acceptance, or the first measure).
    pub suspect_at: Option<DateTime<Utc>>,
    /// Each coercive measure started: kind and when it began.
    pub measures: Vec<(MeasureKind, DateTime<Utc>)>,
    pub solved_at: Option<DateTime<Utc>>,
}

/// One target judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged<'a> {
    pub target: &'a Target,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub state: TargetState,
}

impl Targets {
    /// The shipped targets, validated.
    pub fn builtin() -> Result<Targets, String> {
        Targets::parse(BUILTIN)
    }

    /// Parses and checks a targets file: at least one target, codes unique, days ≥ 1,
    /// `measures` exactly for `met_by = "measure"` and each a known measure.
    pub fn parse(text: &str) -> Result<Targets, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("internal targets: {e}"))?;
        if f.target.is_empty() {
            return Err("internal targets: none defined".into());
        }
        let mut seen = std::collections::HashSet::new();
        for t in &f.target {
            if !seen.insert(t.code.as_str()) {
                return Err(format!("internal target {:?}: duplicate code", t.code));
            }
            if t.days == 0 {
                return Err(format!(
                    "internal target {:?}: days must be at least 1",
                    t.code
                ));
            }
            if (t.met_by == MetBy::Measure) == t.measures.is_empty() {
                return Err(format!(
                    "internal target {:?}: `measures` is given exactly for met_by = \"measure\"",
                    t.code
                ));
            }
            if let Some(m) = t.measures.iter().find(|m| MeasureKind::parse(m).is_none()) {
                return Err(format!(
                    "internal target {:?}: unknown measure {m:?}",
                    t.code
                ));
            }
        }
        Ok(Targets {
            categories: f.applies.categories,
            targets: f.target,
        })
    }

    /// Whether the targets apply to a case converted from an incident of `category`.
    pub fn apply_to(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c == category)
    }

    /// Each target judged at `now`.
    pub fn judge(&self, f: &Facts, now: DateTime<Utc>) -> Vec<Judged<'_>> {
        self.targets
            .iter()
            .map(|t| {
                let due_at = f.accepted_at + Duration::days(i64::from(t.days));
                let met_at = match t.met_by {
                    MetBy::Suspect => f.suspect_at,
                    MetBy::Solve => f.solved_at,
                    MetBy::Measure => f
                        .measures
                        .iter()
                        .filter(|(k, _)| t.measures.iter().any(|m| m == k.as_str()))
                        .map(|(_, at)| *at)
                        .min(),
                };
                let state = match met_at {
                    Some(m) if m <= due_at => TargetState::Met,
                    Some(_) => TargetState::MetLate,
                    None if now > due_at => TargetState::Missed,
                    None => TargetState::Running,
                };
                Judged {
                    target: t,
                    due_at,
                    met_at,
                    state,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_shipped_targets_load() {
        let x = Targets::builtin().expect("loads");
        assert_eq!(x.targets.len(), 3);
        assert!(x.apply_to("criminal.theft"));
        assert!(!x.apply_to("criminal.injury"));
    }

    #[test]
    fn one_three_seven() {
        let x = Targets::builtin().expect("loads");
        let acc = t("2026-11-01T10:00:00+08:00");
        let f = Facts {
            accepted_at: acc,
            suspect_at: Some(t("2026-11-01T20:00:00+08:00")),
            // A summons does not count as caught; the detention on day 4 is late.
            measures: vec![
                (MeasureKind::Summons, t("2026-11-02T09:00:00+08:00")),
                (MeasureKind::Detention, t("2026-11-04T11:00:00+08:00")),
            ],
            solved_at: None,
        };
        let j = x.judge(&f, t("2026-11-06T00:00:00+08:00"));
        let states: Vec<TargetState> = j.iter().map(|j| j.state).collect();
        assert_eq!(
            states,
            vec![TargetState::Met, TargetState::MetLate, TargetState::Running]
        );
        let j = x.judge(&f, t("2026-11-08T10:00:01+08:00"));
        assert_eq!(j[2].state, TargetState::Missed);
        assert_eq!(j[2].due_at, t("2026-11-08T10:00:00+08:00"));
    }

    #[test]
    fn a_bad_file_is_refused_with_the_code() {
        let bad = BUILTIN.replace("days = 3", "days = 0");
        assert!(
            Targets::parse(&bad)
                .unwrap_err()
                .contains("target.137.catch")
        );
        let bad = BUILTIN.replace("\"detention\", ", "\"handcuffs\", ");
        assert!(Targets::parse(&bad).unwrap_err().contains("handcuffs"));
    }
}

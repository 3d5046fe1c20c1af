//! The assessment: violation + situation + circumstances + person + dates → the
//! applicable statutory range, a recommended penalty and the explanation of every step.
//!
//! Pure and deterministic: the same engine and input always give the same assessment.
//! The recommendation never exceeds the statutory maximum of the applied tier and goes
//! below its minimum only through a statutory ground for reduction (减轻), which the
//! explanation names.

mod engine;
mod error;
mod old_law;
mod resolve;
mod value;

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::catalog::{Form, LawVersion, TierKind};
use super::rules::{self, Cite};
pub use error::{AssessError, Reason};

/// The person's age and status at the time of the act.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub age: u8,
    #[serde(default)]
    pub pregnant: bool,
    #[serde(default)]
    pub nursing_infant: bool,
    /// 初次违反治安管理 (matters for 16–17-year-olds, 第23条第1款第2项). Not given: assumed
    /// true, the reading favourable to the person; the explanation says so.
    #[serde(default)]
    pub first_offence: Option<bool>,
    #[serde(default)]
    pub foreigner: bool,
}

/// One assessment request (the CLI/API JSON contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessInput {
    /// Article number in the 2025 version ("51"), or a violation code ("26-2").
    #[serde(deserialize_with = "de_article")]
    pub article: String,
    #[serde(default)]
    pub item: Option<u8>,
    #[serde(default)]
    pub situation: Option<String>,
    #[serde(default)]
    pub tier: Option<TierKind>,
    #[serde(default)]
    pub circumstances: Vec<String>,
    pub person: Person,
    pub offence_date: NaiveDate,
    /// When the police discovered the act (limitation, 第25条).
    #[serde(default)]
    pub discovered_date: Option<NaiveDate>,
    /// When the decision is made (从旧兼从轻). Not given: after 2026-01-01.
    #[serde(default)]
    pub decision_date: Option<NaiveDate>,
    /// 第27条: illegal gains in yuan.
    #[serde(default)]
    pub illegal_gains_yuan: Option<u64>,
}

fn de_article<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum A {
        S(String),
        N(u64),
    }
    Ok(match A::deserialize(d)? {
        A::S(s) => s,
        A::N(n) => n.to_string(),
    })
}

/// What the assessment concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyOutcome))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A penalty is recommended.
    Penalty,
    /// 不予处罚 (under 14, 第9/13/19/20条, reduction exhausted …).
    Exempt,
    /// 不再处罚: the limitation period passed before discovery.
    TimeBarred,
    /// Not a public-order violation under the law that applies (e.g. new in 2025, act before).
    NotPunishable,
}

/// The recommended penalty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyRecommended))]
pub struct Recommended {
    pub warning: bool,
    pub fine_yuan: u64,
    pub detention_days: u32,
    pub detention_executed: bool,
}

/// The statutory range applied (and the situation's sub-range within it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyRange))]
pub struct Range {
    /// The violation code, e.g. `51-1`.
    pub code: String,
    pub article: u16,
    pub paragraph: u8,
    pub tier: TierKind,
    pub form: Form,
    pub warning: bool,
    /// `[min, max]` days; null when the tier has no detention.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 2, max_items = 2)
    )]
    pub detention_days: Option<[u32; 2]>,
    /// `[min, max]` yuan; null when the tier has no fine.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 2, max_items = 2)
    )]
    pub fine_yuan: Option<[u64; 2]>,
    pub text_zh: String,
    /// The standard's situation and its sub-range; absent when the 2012 law applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = SubRange))]
    pub situation: Option<SubRange>,
}

/// The situation's sub-range, as the standard sets it within the statutory range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltySubRange))]
pub struct SubRange {
    #[serde(serialize_with = "ser_arc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: Arc<str>,
    pub name_zh: String,
    pub warning: bool,
    /// `[min, max]` days; null when the situation has no detention.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 2, max_items = 2)
    )]
    pub detention_days: Option<[u32; 2]>,
    /// `[min, max]` yuan; null when the situation has no fine.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_items = 2, max_items = 2)
    )]
    pub fine_yuan: Option<[u64; 2]>,
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyEffect))]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Chose the law version, tier or situation.
    Select,
    /// Set the starting value.
    Base,
    /// A discretionary circumstance of the standard moved the value.
    Adjust,
    /// 从轻 (within the statutory range).
    Mitigate,
    /// 减轻 (below the statutory minimum).
    Reduce,
    /// 从重 (within the statutory range).
    Aggravate,
    /// Kept within the (sub-)range.
    Bound,
    /// 不予处罚 / 不再处罚 / not punishable.
    Exempt,
    /// Detention decided but not executed.
    NotExecuted,
    /// Detention executed despite a not-executed ground (2025 第23条第2款).
    Executed,
    /// Named, but changes nothing here (explained).
    NoEffect,
    /// Information for the decision maker.
    Note,
}

/// One step of the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyStep))]
pub struct Step {
    /// Stable rule name, e.g. `minor_14_18`, `circumstance`, `reduce`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = rules::CiteJson))]
    pub basis: Cite,
    pub effect: Effect,
    /// The circumstance, situation or ground code concerned.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_arc"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: Option<Arc<str>>,
    /// Signed steps (circumstances) or days/yuan moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub steps: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub note_zh: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub note_en: &'static str,
    /// The recommendation after this step, where it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Recommended))]
    pub after: Option<Recommended>,
}

/// The assessment: the range applied, the recommendation and every step that led to it.
// Given by [`Engine::assess`]; a case decision step records it as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyAssessment))]
pub struct Assessment {
    pub law_version: LawVersion,
    pub outcome: Outcome,
    pub range: Range,
    pub recommended: Recommended,
    pub explain: Vec<Step>,
}

impl Assessment {
    /// No penalty: the range that applied and how it was decided.
    pub(crate) fn exempt(law_version: LawVersion, range: Range, explain: Vec<Step>) -> Assessment {
        Assessment {
            law_version,
            outcome: Outcome::Exempt,
            range,
            recommended: Recommended::default(),
            explain,
        }
    }

    /// Whether a step with this rule name is in the explanation.
    pub fn names(&self, rule: &str) -> bool {
        self.explain.iter().any(|s| s.rule == rule)
    }
}

/// Several violations of one person, decided separately (第16条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyCombined))]
pub struct Combined {
    pub warning: bool,
    pub fine_yuan: u64,
    /// Sum of detention decided.
    pub detention_days_decided: u32,
    /// Detention to execute, combined and capped at 20 days.
    pub detention_days_executed: u32,
    pub explain: Vec<Step>,
}

/// 第16条: penalties decided separately, executed together; detention combined ≤ 20 days.
pub fn combine(items: &[Assessment]) -> Combined {
    let mut c = Combined {
        warning: false,
        fine_yuan: 0,
        detention_days_decided: 0,
        detention_days_executed: 0,
        explain: Vec::new(),
    };
    let mut executed: u32 = 0;
    let mut v = LawVersion::V2025;
    for a in items {
        c.warning |= a.recommended.warning;
        c.fine_yuan = c.fine_yuan.saturating_add(a.recommended.fine_yuan);
        c.detention_days_decided = c
            .detention_days_decided
            .saturating_add(a.recommended.detention_days);
        if a.recommended.detention_executed {
            executed = executed.saturating_add(a.recommended.detention_days);
        }
        v = a.law_version;
    }
    c.detention_days_executed = executed.min(super::catalog::MAX_COMBINED_DETENTION);
    c.explain.push(Step {
        rule: "combine",
        basis: rules::combine_rule(v),
        effect: if executed > super::catalog::MAX_COMBINED_DETENTION { Effect::Bound } else { Effect::Note },
        code: None,
        steps: Some(i64::from(executed)),
        note_zh: "有两种以上违反治安管理行为的，分别决定，合并执行；行政拘留合并执行最长不超过二十日",
        note_en: "several violations: decided separately, executed together; combined detention at most 20 days",
        after: None,
    });
    c
}

pub(crate) fn ser_arc<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

fn ser_opt_arc<S: serde::Serializer>(v: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(x),
        None => s.serialize_none(),
    }
}

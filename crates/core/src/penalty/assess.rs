//! The assessment: violation + situation + circumstances + person + dates → the
//! applicable statutory range, a recommended penalty and the explanation of every step.
//!
//! Pure and deterministic: the same engine and input always give the same assessment.
//! The recommendation never exceeds the statutory maximum of the applied tier and goes
//! below its minimum only through a statutory ground for reduction (减轻), which the
//! explanation names.

use std::sync::Arc;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};

use super::Engine;
use super::catalog::{Catalog, Form, LawVersion, Rule, RuleKind, Tier, TierKind};
use super::rules::{self, Cite, Ground, GroundEffect, Law};
use super::standard::Situation;

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

/// Input the engine refuses; the CLI exits 2, the API answers 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error(
        "unknown violation {0:?}: not an article or code of the 2025 catalog (see `frontline penalty catalog`) / 未知的违法行为代码"
    )]
    UnknownViolation(String),
    #[error("violation {violation} has no item {item} / 该条没有第{item}项")]
    UnknownItem { violation: String, item: u8 },
    #[error(
        "violation {violation}: give the item, the 2012 law treats its items differently / 请注明项"
    )]
    ItemRequired { violation: String },
    #[error("violation {violation} cannot be assessed here: {reason}")]
    NotAssessable { violation: String, reason: String },
    #[error("violation {violation} has no {tier} tier / 该行为没有此处罚档次")]
    UnknownTier {
        violation: String,
        tier: &'static str,
    },
    #[error("unknown situation {0:?} for this violation and tier / 未知的违法情形")]
    UnknownSituation(String),
    #[error("unknown circumstance {0:?} / 未知的情节")]
    UnknownCircumstance(String),
    #[error(
        "circumstance {circumstance:?} does not apply to violation {violation} / 该情节不适用于此行为"
    )]
    CircumstanceNotApplicable {
        circumstance: String,
        violation: String,
    },
    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
}

impl AssessError {
    /// The input field at fault (for field-level errors in the API and the form).
    pub fn field(&self) -> &'static str {
        match self {
            AssessError::UnknownViolation(_) | AssessError::NotAssessable { .. } => "article",
            AssessError::UnknownItem { .. } | AssessError::ItemRequired { .. } => "item",
            AssessError::UnknownTier { .. } => "tier",
            AssessError::UnknownSituation(_) => "situation",
            AssessError::UnknownCircumstance(_) | AssessError::CircumstanceNotApplicable { .. } => {
                "circumstances"
            }
            AssessError::InvalidInput { field, .. } => field,
        }
    }

    /// A stable error code clients may switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AssessError::UnknownViolation(_) => "unknown_violation",
            AssessError::UnknownItem { .. } => "unknown_item",
            AssessError::ItemRequired { .. } => "item_required",
            AssessError::NotAssessable { .. } => "not_assessable",
            AssessError::UnknownTier { .. } => "unknown_tier",
            AssessError::UnknownSituation(_) => "unknown_situation",
            AssessError::UnknownCircumstance(_) => "unknown_circumstance",
            AssessError::CircumstanceNotApplicable { .. } => "circumstance_not_applicable",
            AssessError::InvalidInput { .. } => "invalid_date",
        }
    }
}

/// What the assessment concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
pub struct Recommended {
    pub warning: bool,
    pub fine_yuan: u64,
    pub detention_days: u32,
    pub detention_executed: bool,
}

/// The statutory range applied (and the situation's sub-range within it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    pub code: String,
    pub article: u16,
    pub paragraph: u8,
    pub tier: TierKind,
    pub form: Form,
    pub warning: bool,
    pub detention_days: Option<[u32; 2]>,
    pub fine_yuan: Option<[u64; 2]>,
    pub text_zh: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub situation: Option<SubRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubRange {
    #[serde(serialize_with = "ser_arc")]
    pub code: Arc<str>,
    pub name_zh: String,
    pub warning: bool,
    pub detention_days: Option<[u32; 2]>,
    pub fine_yuan: Option<[u64; 2]>,
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
pub struct Step {
    /// Stable rule name, e.g. `minor_14_18`, `circumstance`, `reduce`.
    pub rule: &'static str,
    pub basis: Cite,
    pub effect: Effect,
    /// The circumstance, situation or ground code concerned.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_arc"
    )]
    pub code: Option<Arc<str>>,
    /// Signed steps (circumstances) or days/yuan moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,
    pub note_zh: &'static str,
    pub note_en: &'static str,
    /// The recommendation after this step, where it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Recommended>,
}

/// The result of [`Engine::assess`]; a case decision step records it as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub law_version: LawVersion,
    pub outcome: Outcome,
    pub range: Range,
    pub recommended: Recommended,
    pub explain: Vec<Step>,
}

impl Assessment {
    /// Whether a step with this rule name is in the explanation.
    pub fn names(&self, rule: &str) -> bool {
        self.explain.iter().any(|s| s.rule == rule)
    }
}

/// Several violations of one person, decided separately (第16条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

// ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Val {
    warning: bool,
    fine: u64,
    det: u32,
}

impl Val {
    fn rec(self, executed: bool) -> Recommended {
        Recommended {
            warning: self.warning,
            fine_yuan: self.fine,
            detention_days: self.det,
            detention_executed: executed && self.det > 0,
        }
    }
    const ZERO: Val = Val {
        warning: false,
        fine: 0,
        det: 0,
    };
}

/// Maps `v` from [lo, hi] onto [lo2, hi2] by relative position (rounded).
fn map_pos(v: u64, lo: u64, hi: u64, lo2: u64, hi2: u64) -> u64 {
    if hi <= lo {
        return lo2;
    }
    let v = v.clamp(lo, hi);
    let num = (v - lo) * (hi2 - lo2) + (hi - lo) / 2;
    lo2 + num / (hi - lo)
}

fn add_signed_u64(v: u64, d: i64) -> u64 {
    if d >= 0 {
        v.saturating_add(d.unsigned_abs())
    } else {
        v.saturating_sub(d.unsigned_abs())
    }
}

fn add_signed_u32(v: u32, d: i64) -> u32 {
    let r = i64::from(v) + d;
    u32::try_from(r.max(0)).unwrap_or(u32::MAX)
}

/// The lowest lawful fine of a clause's fine branch (no statutory minimum: the step).
fn fine_floor(t: &Tier, step: u64) -> u64 {
    match t.fine_yuan {
        Some([lo, hi]) => {
            if t.fine_min_statutory {
                lo
            } else {
                no_min_floor(hi, step)
            }
        }
        None => 0,
    }
}

/// The lowest fine the engine recommends where the text gives only a maximum: a
/// twentieth of the maximum (at least 1 yuan, at most one step).
fn no_min_floor(hi: u64, step: u64) -> u64 {
    (hi / 20).clamp(1, step.max(1))
}

/// The effective fine range of a tier (第27条: multiple of the gains).
fn fine_range(t: &Tier, gains: Option<u64>) -> Option<[u64; 2]> {
    let r = t.fine_yuan?;
    if let Some(m) = &t.fine_multiplier
        && let Some(g) = gains
        && g >= m.fallback_below_yuan
    {
        return Some([g.saturating_mul(m.min_times), g.saturating_mul(m.max_times)]);
    }
    Some(r)
}

/// Key ordering statutory ranges by severity (lower is lighter): the longest detention,
/// the detention that must be imposed, the largest fine, the fine that must be imposed,
/// and whether a warning is unavailable.
fn severity_key(t: &Tier) -> (u32, u32, u64, u64, bool) {
    let d_max = t.detention_days.map_or(0, |d| d[1]);
    let d_min = if t.form.detention_mandatory() {
        t.detention_days.map_or(0, |d| d[0])
    } else {
        0
    };
    let f_max = t.fine_yuan.map_or(0, |f| f[1]);
    let f_min = if t.form.fine_mandatory() {
        t.fine_yuan.map_or(0, |f| f[0])
    } else {
        0
    };
    (d_max, d_min, f_max, f_min, !t.warning)
}

struct Ctx {
    explain: Vec<Step>,
}

impl Ctx {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: &'static str,
        basis: Cite,
        effect: Effect,
        code: Option<Arc<str>>,
        steps: Option<i64>,
        note_zh: &'static str,
        note_en: &'static str,
        after: Option<Recommended>,
    ) {
        self.explain.push(Step {
            rule,
            basis,
            effect,
            code,
            steps,
            note_zh,
            note_en,
            after,
        });
    }
}

fn range_of(
    rule: &Rule,
    cited: &Rule,
    tier: &Tier,
    fine: Option<[u64; 2]>,
    sub: Option<SubRange>,
) -> Range {
    let article = cited
        .code
        .split_once('-')
        .and_then(|(a, _)| a.parse().ok())
        .unwrap_or(0);
    Range {
        code: cited.code.clone(),
        article,
        paragraph: if cited.kind == RuleKind::Penalty {
            cited.paragraph
        } else {
            rule.paragraph
        },
        tier: tier.tier,
        form: tier.form,
        warning: tier.warning,
        detention_days: tier.detention_days,
        fine_yuan: fine,
        text_zh: tier.text_zh.clone(),
        situation: sub,
    }
}

fn cite_rule(v: LawVersion, r: &Rule, item: u8) -> Cite {
    let article = r
        .code
        .split_once('-')
        .and_then(|(a, _)| a.parse().ok())
        .unwrap_or(0);
    Cite::psapl(v, article, r.paragraph, item)
}

/// Resolves an input article/code to a 2025 rule.
fn resolve<'c>(cat: &'c Catalog, article: &str, item: Option<u8>) -> Result<&'c Rule, AssessError> {
    let a = article
        .trim()
        .trim_start_matches('第')
        .trim_end_matches('条');
    let rule = if a.contains('-') {
        cat.rule(a)
    } else {
        let n: u16 = a
            .parse()
            .map_err(|_| AssessError::UnknownViolation(article.to_string()))?;
        let art = cat
            .article(n)
            .ok_or_else(|| AssessError::UnknownViolation(article.to_string()))?;
        match item {
            Some(i) => art
                .rules
                .iter()
                .find(|r| r.items.as_ref().is_some_and(|its| its.contains(&i))),
            None => art.rules.iter().find(|r| {
                matches!(
                    r.kind,
                    RuleKind::Penalty | RuleKind::Refer | RuleKind::Aggravate | RuleKind::NoPenalty
                )
            }),
        }
        .or_else(|| art.rules.first())
    };
    let rule = rule.ok_or_else(|| AssessError::UnknownViolation(article.to_string()))?;
    if let Some(i) = item {
        let has = rule.items.as_ref().is_some_and(|its| its.contains(&i))
            || (rule.kind != RuleKind::Penalty
                && cat
                    .article_of(&rule.code)
                    .is_some_and(|a| a.items.iter().any(|x| x.item == i)));
        if !has {
            return Err(AssessError::UnknownItem {
                violation: rule.code.clone(),
                item: i,
            });
        }
    }
    Ok(rule)
}

fn not_assessable(rule: &Rule) -> AssessError {
    let reason = match rule.kind {
        RuleKind::Measure => "it is a measure, not a penalty / 该款为附随措施，不是治安管理处罚",
        RuleKind::Directive => {
            "it is a directive to a school, not a public-order penalty / 该款为责令改正、建议处分，不是治安管理处罚"
        }
        _ => {
            "the law refers to the specific act or another law; assess that act / 依照具体行为或其他法律处罚，请按具体行为评估"
        }
    };
    AssessError::NotAssessable {
        violation: rule.code.clone(),
        reason: reason.to_string(),
    }
}

/// Circumstances split into statutory grounds and the standard's (by index), deduplicated.
struct Circs {
    grounds: Vec<(Ground, Arc<str>)>,
    discretionary: Vec<usize>,
}

impl Circs {
    fn has(&self, g: Ground) -> bool {
        self.grounds.iter().any(|(x, _)| *x == g)
    }
}

impl Engine {
    /// Assesses one violation. Pure: no clock, no I/O.
    pub fn assess(&self, input: &AssessInput) -> Result<Assessment, AssessError> {
        let new = &self.catalog;
        let rule = resolve(new, &input.article, input.item)?;
        let prule = match rule.kind {
            RuleKind::Penalty | RuleKind::Aggravate | RuleKind::Refer => {
                new.penalty_rule(rule).ok_or_else(|| not_assessable(rule))?
            }
            RuleKind::NoPenalty => new
                .rule(&format!("{}-1", rule.code.split('-').next().unwrap_or("")))
                .ok_or_else(|| not_assessable(rule))?,
            _ => return Err(not_assessable(rule)),
        };
        let tier_kind = match input.tier {
            Some(t) => t,
            None => {
                if prule.tier(TierKind::Base).is_some() {
                    TierKind::Base
                } else {
                    prule.tiers.first().map_or(TierKind::Base, |t| t.tier)
                }
            }
        };
        let tier = prule.tier(tier_kind).ok_or(AssessError::UnknownTier {
            violation: rule.code.clone(),
            tier: tier_kind.as_str(),
        })?;
        // Situation (of the rule that carries the tiers).
        let sit_idx = match &input.situation {
            Some(code) => {
                let i = self
                    .standard
                    .situation_idx(code)
                    .ok_or_else(|| AssessError::UnknownSituation(code.clone()))?;
                let s = self
                    .standard
                    .situation_at(i)
                    .ok_or_else(|| AssessError::UnknownSituation(code.clone()))?;
                if s.violation != prule.code || s.tier != tier_kind {
                    return Err(AssessError::UnknownSituation(code.clone()));
                }
                i
            }
            None => self
                .standard
                .default_situation_idx(&prule.code, tier_kind)
                .ok_or_else(|| {
                    AssessError::UnknownSituation(format!("{} {}", prule.code, tier_kind.as_str()))
                })?,
        };
        let sit = self
            .standard
            .situation_at(sit_idx)
            .ok_or_else(|| AssessError::UnknownSituation(String::new()))?;
        // Circumstances.
        let article_no: u16 = rule
            .code
            .split_once('-')
            .and_then(|(a, _)| a.parse().ok())
            .unwrap_or(0);
        let mut circs = Circs {
            grounds: Vec::new(),
            discretionary: Vec::new(),
        };
        for c in &input.circumstances {
            if let Some(sc) = rules::statutory(c) {
                if !circs.has(sc.ground) {
                    circs.grounds.push((sc.ground, Arc::from(sc.code)));
                }
            } else if let Some(i) = self.standard.circumstance_idx(c) {
                let ci = self
                    .standard
                    .circumstance_at(i)
                    .ok_or_else(|| AssessError::UnknownCircumstance(c.clone()))?;
                if !ci.articles.is_empty() && !ci.articles.contains(&article_no) {
                    return Err(AssessError::CircumstanceNotApplicable {
                        circumstance: c.clone(),
                        violation: rule.code.clone(),
                    });
                }
                if !circs.discretionary.contains(&i) {
                    circs.discretionary.push(i);
                }
            } else {
                return Err(AssessError::UnknownCircumstance(c.clone()));
            }
        }
        circs.grounds.sort_by_key(|(g, _)| *g);
        circs.discretionary.sort_unstable();
        if rule.kind == RuleKind::NoPenalty {
            // 83-2 named directly: 在成熟前自行铲除 → 不予处罚.
            if !circs.has(Ground::SelfEradicated) {
                circs
                    .grounds
                    .push((Ground::SelfEradicated, Arc::from("self_eradicated")));
            }
        } else if circs.has(Ground::SelfEradicated)
            && !(prule.code == "83-1" && input.item == Some(1))
        {
            return Err(AssessError::CircumstanceNotApplicable {
                circumstance: "self_eradicated".into(),
                violation: rule.code.clone(),
            });
        }
        // Dates.
        let old = &self.old;
        if input.offence_date < old.effective_from {
            return Err(AssessError::InvalidInput {
                field: "offence_date",
                message: format!(
                    "offence_date {} is before {}, the earliest version loaded / 行为日期早于已载入的最早版本",
                    input.offence_date, old.effective_from
                ),
            });
        }
        if let Some(d) = input.discovered_date
            && d < input.offence_date
        {
            return Err(AssessError::InvalidInput {
                field: "discovered_date",
                message: "discovered_date is before offence_date / 发现日期早于行为日期".into(),
            });
        }
        if let Some(d) = input.decision_date
            && d < input.offence_date
        {
            return Err(AssessError::InvalidInput {
                field: "decision_date",
                message: "decision_date is before offence_date / 决定日期早于行为日期".into(),
            });
        }

        let mut cx = Ctx {
            explain: Vec::with_capacity(16),
        };
        let gains = input.illegal_gains_yuan;
        let sub = SubRange {
            code: sit.code.clone(),
            name_zh: sit.name_zh.clone(),
            warning: sit.warning,
            detention_days: sit.detention_days,
            fine_yuan: sit.fine_yuan,
        };
        let new_range = range_of(rule, prule, tier, fine_range(tier, gains), Some(sub));
        let item = input.item.unwrap_or(0);

        // Which law: 2025 for acts from its entry into force; before, the 2012 law unless
        // the 2025 law is lighter (行政处罚法第37条).
        let at_time = if input.offence_date >= new.effective_from {
            LawVersion::V2025
        } else {
            LawVersion::V2012
        };
        let mut law = LawVersion::V2025;
        let mut old_pick: Option<(&Rule, &Rule, &Tier)> = None;
        if at_time == LawVersion::V2012 {
            let decided_under_new = input.decision_date.is_none_or(|d| d >= new.effective_from);
            match self.old_counterpart(rule, prule, tier_kind, input.item)? {
                None => {
                    // Not a violation of the 2012 law.
                    cx.push(
                        "old_law_no_counterpart",
                        rules::OLD_OR_LIGHTER,
                        Effect::Exempt,
                        None,
                        None,
                        "行为发生时的治安管理处罚法（2012年修正）没有对应的违法行为及罚则，依照行为时的法律不予治安管理处罚",
                        "the 2012 law in force at the time had no such violation: no public-order penalty",
                        Some(Recommended::default()),
                    );
                    return Ok(Assessment {
                        law_version: LawVersion::V2012,
                        outcome: Outcome::NotPunishable,
                        range: new_range,
                        recommended: Recommended::default(),
                        explain: cx.explain,
                    });
                }
                Some((orule, oprule, otier)) => {
                    let old_lighter = severity_key(otier) <= severity_key(tier);
                    if !decided_under_new || old_lighter {
                        law = LawVersion::V2012;
                        old_pick = Some((orule, oprule, otier));
                        cx.push(
                            "law_version",
                            rules::OLD_OR_LIGHTER,
                            Effect::Select,
                            None,
                            None,
                            if decided_under_new {
                                "从旧兼从轻：行为发生在2026年1月1日前，行为时的法律（2012年修正）处罚不重于新法，适用旧法"
                            } else {
                                "行为及决定均在2026年1月1日前，适用2012年修正的治安管理处罚法"
                            },
                            if decided_under_new {
                                "act before 2026-01-01; the 2012 law is not heavier than the 2025 law, so it applies"
                            } else {
                                "act and decision before 2026-01-01: the 2012 law applies"
                            },
                            None,
                        );
                    } else {
                        cx.push(
                            "law_version",
                            rules::OLD_OR_LIGHTER,
                            Effect::Select,
                            None,
                            None,
                            "从旧兼从轻：行为发生在2026年1月1日前，但新法（2025年修订）处罚较轻，适用新法",
                            "act before 2026-01-01, but the 2025 law is lighter, so it applies",
                            None,
                        );
                    }
                }
            }
        } else {
            cx.push(
                "law_version",
                Cite::psapl(LawVersion::V2025, 144, 0, 0),
                Effect::Select,
                None,
                None,
                "行为发生在2026年1月1日以后，适用2025年修订的治安管理处罚法",
                "act on or after 2026-01-01: the 2025 revision applies",
                None,
            );
        }

        // The rule, tier and range of the law applied.
        let (arule, _aprule, atier, range) = match old_pick {
            Some((orule, oprule, otier)) => (
                orule,
                oprule,
                otier,
                range_of(orule, oprule, otier, otier.fine_yuan, None),
            ),
            None => (rule, prule, tier, new_range),
        };
        let cite = cite_rule(law, arule, item);
        cx.push(
            "tier",
            cite,
            Effect::Select,
            None,
            None,
            match atier.tier {
                TierKind::Lighter => "适用情节较轻的处罚档次",
                TierKind::Base => "适用一般情形的处罚档次",
                TierKind::Heavier => "适用情节较重（严重、恶劣或法定加重情形）的处罚档次",
            },
            match atier.tier {
                TierKind::Lighter => "the lighter-circumstances tier applies",
                TierKind::Base => "the base tier applies",
                TierKind::Heavier => "the heavier-circumstances tier applies",
            },
            None,
        );
        if rule.kind == RuleKind::Refer || arule.kind == RuleKind::Refer {
            cx.push(
                "refer",
                cite,
                Effect::Note,
                None,
                None,
                "依照所援引条款的规定处罚",
                "penalised under the provision referred to",
                None,
            );
        }

        // Exemptions that end the assessment.
        let exempt = |cx: &mut Ctx,
                      rule: &'static str,
                      basis: Cite,
                      zh: &'static str,
                      en: &'static str,
                      outcome: Outcome| {
            cx.push(
                rule,
                basis,
                Effect::Exempt,
                None,
                None,
                zh,
                en,
                Some(Recommended::default()),
            );
            Ok(Assessment {
                law_version: law,
                outcome,
                range: range.clone(),
                recommended: Recommended::default(),
                explain: std::mem::take(&mut cx.explain),
            })
        };
        if let Some(discovered) = input.discovered_date {
            let limit = input
                .offence_date
                .checked_add_months(Months::new(6))
                .unwrap_or(NaiveDate::MAX);
            if discovered > limit {
                return exempt(
                    &mut cx,
                    "limitation",
                    rules::limitation_rule(law),
                    "违反治安管理行为在六个月以内没有被公安机关发现的，不再处罚",
                    "not discovered within six months: no longer punishable",
                    Outcome::TimeBarred,
                );
            }
        }
        let minor_age = self.catalog.general.minor_exempt_age;
        if input.person.age < minor_age {
            return exempt(
                &mut cx,
                "under_14",
                rules::minor_rule(law),
                "不满十四周岁的人违反治安管理的，不予处罚，但应当责令其监护人严加管教",
                "under 14: no penalty; the guardian is ordered to discipline",
                Outcome::Exempt,
            );
        }
        for (g, code) in &circs.grounds {
            let (c, e) = g.rule(law);
            if e == GroundEffect::Exempt
                && let Some(c) = c
            {
                cx.push(
                    "statutory_ground",
                    c,
                    Effect::Exempt,
                    Some(code.clone()),
                    None,
                    "法定不予处罚情形",
                    "statutory ground for no penalty",
                    Some(Recommended::default()),
                );
                return Ok(Assessment {
                    law_version: law,
                    outcome: Outcome::Exempt,
                    range,
                    recommended: Recommended::default(),
                    explain: cx.explain,
                });
            }
        }
        if law == LawVersion::V2025
            && circs.has(Ground::ExcessiveDefence)
            && atier.tier == TierKind::Lighter
        {
            return exempt(
                &mut cx,
                "excessive_defence",
                Cite::psapl(law, 19, 0, 0),
                "制止不法侵害明显超过必要限度，情节较轻的，不予处罚",
                "excessive defence with lighter circumstances: no penalty",
                Outcome::Exempt,
            );
        }

        // Starting value from the situation (2025) or its position mapped onto the 2012 range.
        let pol = &self.standard.policy;
        let (det_step, fine_step) = (
            i64::from(sit.detention_step),
            i64::try_from(sit.fine_step).unwrap_or(i64::MAX),
        );
        let eff_fine = fine_range(tier, gains);
        let scale_fine = |v: u64| -> u64 {
            match (tier.fine_yuan, eff_fine) {
                (Some(f), Some(e)) if f != e => map_pos(v, f[0], f[1], e[0], e[1]),
                _ => v,
            }
        };
        let mut v = Val {
            warning: sit.warning,
            fine: scale_fine(sit.fine_base),
            det: sit.detention_base,
        };
        cx.push(
            "situation",
            Cite {
                law: Law::Standard,
                article: 0,
                paragraph: 0,
                item: 0,
            },
            Effect::Base,
            Some(sit.code.clone()),
            None,
            "按裁量基准的违法情形确定基准值",
            "base value of the discretion standard's situation",
            Some(v.rec(true)),
        );
        if eff_fine != tier.fine_yuan {
            cx.push(
                "fine_multiplier",
                Cite::psapl(LawVersion::V2025, 27, 0, 0),
                Effect::Note,
                None,
                None,
                "违法所得在一千元以上的，罚款为违法所得的一至五倍，基准值按相对位置换算",
                "illegal gains of 1000 yuan or more: fine 1–5 times the gains; base scaled by position",
                Some(v.rec(true)),
            );
        }
        // Discretionary circumstances: net steps, kept in the situation's sub-range.
        let mut net: i64 = 0;
        for &i in &circs.discretionary {
            if let Some(c) = self.standard.circumstance_at(i) {
                net += i64::from(c.steps);
                cx.push(
                    "circumstance",
                    Cite {
                        law: Law::Standard,
                        article: 0,
                        paragraph: 0,
                        item: 0,
                    },
                    Effect::Adjust,
                    Some(c.code.clone()),
                    Some(i64::from(c.steps)),
                    "裁量情节按基准规定的步长调整",
                    "discretionary circumstance: moves the value by its steps",
                    None,
                );
            }
        }
        if net != 0 {
            apply_steps(
                &mut v,
                net,
                det_step,
                fine_step,
                sit_bounds(sit, &scale_fine),
            );
            cx.push(
                "circumstances_total",
                Cite {
                    law: Law::Standard,
                    article: 0,
                    paragraph: 0,
                    item: 0,
                },
                Effect::Bound,
                None,
                Some(net),
                "裁量情节合计调整，结果限于该违法情形的幅度内",
                "discretionary circumstances in total, kept within the situation's sub-range",
                Some(v.rec(true)),
            );
        }
        if let Some((_, _, otier)) = old_pick {
            v = map_to_tier(v, tier, eff_fine, otier, sit.fine_step);
            cx.push(
                "old_law_mapping",
                rules::OLD_OR_LIGHTER,
                Effect::Base,
                None,
                None,
                "按违法情形在新法幅度内的相对位置，换算到旧法相应档次的幅度",
                "position within the 2025 range carried over to the 2012 range",
                Some(v.rec(true)),
            );
        }

        // Statutory grounds.
        let bounds = tier_bounds(
            atier,
            if old_pick.is_some() {
                atier.fine_yuan
            } else {
                eff_fine
            },
            sit.fine_step,
        );
        let mut optional = 0u32;
        let mut lenient = 0u32;
        let mut must_reduce = false;
        let mut reduce_2012 = false;
        let mut aggravations = 0u32;
        let mut reduce_grounds: Vec<Step> = Vec::new();
        if input.person.age < 18 {
            optional += 1;
            reduce_grounds.push(Step {
                rule: "minor_14_18",
                basis: rules::minor_rule(law),
                effect: Effect::Mitigate,
                code: None,
                steps: None,
                note_zh: "已满十四周岁不满十八周岁的人违反治安管理的，从轻或者减轻处罚",
                note_en: "aged 14–17: mitigated or reduced",
                after: None,
            });
        }
        if law == LawVersion::V2012 && circs.has(Ground::Remedied) && circs.has(Ground::Forgiven) {
            reduce_2012 = true;
            reduce_grounds.push(Step {
                rule: "statutory_ground",
                basis: Cite::psapl(law, 19, 0, 2),
                effect: Effect::Reduce,
                code: Some(Arc::from("remedied+forgiven")),
                steps: None,
                note_zh: "主动消除或者减轻违法后果，并取得被侵害人谅解的，减轻处罚或者不予处罚",
                note_en: "consequences remedied and victim's forgiveness obtained: reduced or no penalty",
                after: None,
            });
        }
        for (g, code) in &circs.grounds {
            let (c, e) = g.rule(law);
            let basis = c.unwrap_or(Cite::psapl(law, 0, 0, 0));
            let mk = |effect, zh, en| Step {
                rule: "statutory_ground",
                basis,
                effect,
                code: Some(code.clone()),
                steps: None,
                note_zh: zh,
                note_en: en,
                after: None,
            };
            match e {
                GroundEffect::MitigateOrReduce => {
                    optional += 1;
                    reduce_grounds.push(mk(
                        Effect::Mitigate,
                        "法定从轻、减轻处罚情节",
                        "statutory ground to mitigate or reduce",
                    ));
                }
                GroundEffect::Reduce => {
                    reduce_2012 = true;
                    reduce_grounds.push(mk(
                        Effect::Reduce,
                        "法定减轻处罚或者不予处罚情节",
                        "statutory ground to reduce or exempt",
                    ));
                }
                GroundEffect::MustReduce => {
                    must_reduce = true;
                    reduce_grounds.push(mk(Effect::Reduce, "应当减轻处罚", "must be reduced"));
                }
                GroundEffect::Lenient => {
                    lenient += 1;
                    reduce_grounds.push(mk(
                        Effect::Mitigate,
                        "认错认罚，可以依法从宽处理",
                        "admission and acceptance: may be treated leniently",
                    ));
                }
                GroundEffect::Aggravate => {
                    aggravations += 1;
                    cx.explain.push(mk(
                        Effect::Aggravate,
                        "法定从重处罚情节",
                        "statutory ground to aggravate",
                    ));
                }
                GroundEffect::Exempt | GroundEffect::ExecuteDetention => {}
                GroundEffect::None => {
                    cx.explain.push(mk(
                        Effect::NoEffect,
                        "该情节在所适用的法律版本中不是法定情节（或须与其他情节同时具备），不作调整",
                        "not a statutory ground in the version applied (or needs another ground with it): no change",
                    ));
                }
            }
        }
        // Article-specific aggravation (e.g. 第61条第2款 阻碍人民警察).
        if arule.kind == RuleKind::Aggravate {
            aggravations += 1;
            cx.push(
                "article_aggravation",
                cite_rule(law, arule, 0),
                Effect::Aggravate,
                None,
                None,
                "本条规定从重处罚的情形",
                "aggravation prescribed by the article itself",
                None,
            );
        }
        let reduce = must_reduce || reduce_2012 || optional >= pol.reduce_at_grounds;
        if reduce {
            for mut s in reduce_grounds {
                s.effect = Effect::Reduce;
                cx.explain.push(s);
            }
            let (nv, exempted) = reduce_below(atier, bounds, sit.fine_step);
            v = nv;
            if exempted {
                cx.push(
                    "reduce",
                    cite,
                    Effect::Exempt,
                    None,
                    None,
                    "减轻处罚：法定最轻的处罚已是警告，无法再减，不予处罚",
                    "reduction: the lightest statutory penalty is a warning; nothing lower, so no penalty",
                    Some(Recommended::default()),
                );
                return Ok(Assessment {
                    law_version: law,
                    outcome: Outcome::Exempt,
                    range,
                    recommended: Recommended::default(),
                    explain: cx.explain,
                });
            }
            cx.push(
                "reduce",
                cite,
                Effect::Reduce,
                None,
                None,
                "减轻处罚：在法定最低处罚以下确定（拘留降至下限以下，无法再降的降为较轻种类）",
                "reduced below the statutory minimum (detention below its floor, else a lighter kind)",
                Some(v.rec(true)),
            );
        } else {
            let mit = optional + lenient;
            for s in reduce_grounds {
                cx.explain.push(s);
            }
            let steps = i64::from(aggravations) * i64::from(pol.statutory_aggravation_steps)
                - i64::from(mit) * i64::from(pol.statutory_mitigation_steps);
            if mit + aggravations > 0 {
                apply_steps(&mut v, steps, det_step, fine_step, bounds);
                cx.push(
                    "statutory_total",
                    cite,
                    if steps < 0 {
                        Effect::Mitigate
                    } else if steps > 0 {
                        Effect::Aggravate
                    } else {
                        Effect::NoEffect
                    },
                    None,
                    Some(steps),
                    "法定从轻、从重情节合计调整，结果不超出法定幅度",
                    "statutory mitigation and aggravation in total, kept within the statutory range",
                    Some(v.rec(true)),
                );
            }
        }
        if atier.discretionary {
            cx.push(
                "discretionary_penalty",
                cite,
                Effect::Note,
                None,
                None,
                "本款为「可以处」，也可以不予处罚",
                "the clause says 'may': the penalty itself is discretionary",
                None,
            );
        }
        if input.person.foreigner {
            cx.push(
                "foreigner",
                rules::foreigner_rule(law),
                Effect::Note,
                None,
                None,
                "对违反治安管理的外国人，可以附加适用限期出境或者驱逐出境",
                "a foreigner may additionally be ordered to leave or be deported",
                None,
            );
        }

        // Detention decided but not executed.
        let mut executed = true;
        if v.det > 0 {
            executed = self.detention_executed(law, input, &circs, &mut cx);
        }
        let rec = v.rec(executed);
        Ok(Assessment {
            law_version: law,
            outcome: Outcome::Penalty,
            range,
            recommended: rec,
            explain: cx.explain,
        })
    }

    /// The 2012 rule, penalty rule and tier for a 2025 violation; `None` if not a violation then.
    fn old_counterpart(
        &self,
        rule: &Rule,
        prule: &Rule,
        tier: TierKind,
        item: Option<u8>,
    ) -> Result<Option<(&Rule, &Rule, &Tier)>, AssessError> {
        // The mapping lives on the rule named (aggravating / referring rules have their own).
        let maps = rule.old_2012.as_ref().or(prule.old_2012.as_ref());
        let Some(maps) = maps else { return Ok(None) };
        let entry = match item {
            Some(i) => maps
                .iter()
                .find(|m| m.items.as_ref().is_none_or(|its| its.contains(&i))),
            None => {
                if maps.len() > 1 {
                    return Err(AssessError::ItemRequired {
                        violation: rule.code.clone(),
                    });
                }
                maps.first()
            }
        };
        let Some(entry) = entry else { return Ok(None) };
        let Some(code) = &entry.rule else {
            return Ok(None);
        };
        let Some(orule) = self.old.rule(code) else {
            return Ok(None);
        };
        let Some(oprule) = self.old.penalty_rule(orule) else {
            // 不予处罚 in the old law too (e.g. 2012 第71条第2款): no counterpart tier.
            return Ok(None);
        };
        let otier_kind = match entry.tiers.as_ref().and_then(|m| m.get(&tier)) {
            Some(None) => return Ok(None),
            Some(Some(t)) => *t,
            None => {
                if oprule.tier(tier).is_some() {
                    tier
                } else if oprule.tier(TierKind::Base).is_some() {
                    TierKind::Base
                } else {
                    match oprule.tiers.first() {
                        Some(t) => t.tier,
                        None => return Ok(None),
                    }
                }
            }
        };
        Ok(oprule.tier(otier_kind).map(|t| (orule, oprule, t)))
    }

    fn detention_executed(
        &self,
        law: LawVersion,
        input: &AssessInput,
        circs: &Circs,
        cx: &mut Ctx,
    ) -> bool {
        let p = &input.person;
        let first = p.first_offence.unwrap_or(true);
        let item: u8 = if (14..16).contains(&p.age) {
            1
        } else if (16..18).contains(&p.age) && first {
            2
        } else if p.age >= 70 {
            3
        } else if p.pregnant || p.nursing_infant {
            4
        } else {
            0
        };
        if item == 0 {
            return true;
        }
        // 2025 第23条第2款: items 1–3 when serious and egregious; items 1 and 3 when two or
        // more violations within a year. The 2012 law (第21条) had no exception.
        let pregnant_too = p.pregnant || p.nursing_infant;
        if law == LawVersion::V2025 && !pregnant_too {
            let serious = circs.has(Ground::SeriousAndEgregious) && item <= 3;
            let repeat = circs.has(Ground::RepeatWithinYear) && (item == 1 || item == 3);
            if serious || repeat {
                cx.push(
                    "detention_executed_exception",
                    Cite::psapl(law, 23, 2, 0),
                    Effect::Executed,
                    Some(Arc::from(if serious { "serious_and_egregious" } else { "repeat_within_year" })),
                    None,
                    "情节严重、影响恶劣，或者一年以内二次以上违反治安管理的，不受不执行行政拘留的限制",
                    "serious and egregious, or two or more violations within a year: detention may be executed",
                    None,
                );
                if item <= 2 {
                    cx.push(
                        "hearing_for_minor",
                        Cite::psapl(law, 117, 2, 0),
                        Effect::Note,
                        None,
                        None,
                        "对可能执行行政拘留的未成年人，应当告知其和监护人有权要求举行听证",
                        "a minor who may be detained, and the guardian, must be told of the right to a hearing",
                        None,
                    );
                }
                return true;
            }
        }
        let (zh, en) = match item {
            1 => (
                "已满十四周岁不满十六周岁的，依法应当给予行政拘留处罚的，不执行行政拘留处罚",
                "aged 14–15: detention decided but not executed",
            ),
            2 => (
                "已满十六周岁不满十八周岁，初次违反治安管理的，不执行行政拘留处罚（未注明是否初次的，按初次处理）",
                "aged 16–17, first violation: not executed (first violation assumed when not stated)",
            ),
            3 => (
                "七十周岁以上的，不执行行政拘留处罚",
                "aged 70 or over: not executed",
            ),
            _ => (
                "怀孕或者哺乳自己不满一周岁婴儿的，不执行行政拘留处罚",
                "pregnant or nursing own infant under one: not executed",
            ),
        };
        cx.push(
            "detention_not_executed",
            rules::not_executed_rule(law, item),
            Effect::NotExecuted,
            None,
            None,
            zh,
            en,
            None,
        );
        if law == LawVersion::V2025 && item <= 2 {
            cx.push(
                "minor_education",
                Cite::psapl(law, 24, 0, 0),
                Effect::Note,
                None,
                None,
                "不执行行政拘留的未成年人，依照预防未成年人犯罪法采取矫治教育等措施",
                "minors not detained: corrective education under the Juvenile Delinquency Prevention Law",
                None,
            );
        }
        false
    }
}

/// Bounds for a value: detention [lo, hi], fine [lo, hi] (per branch).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    det: Option<[u32; 2]>,
    fine: Option<[u64; 2]>,
}

fn sit_bounds(s: &Situation, scale: &dyn Fn(u64) -> u64) -> Bounds {
    Bounds {
        det: s.detention_days,
        fine: s.fine_yuan.map(|f| [scale(f[0]), scale(f[1])]),
    }
}

fn tier_bounds(t: &Tier, fine: Option<[u64; 2]>, step: u64) -> Bounds {
    let floor = match fine {
        Some(f) if t.fine_min_statutory => f[0],
        Some(f) => no_min_floor(f[1], step),
        None => 0,
    };
    Bounds {
        det: t.detention_days,
        fine: fine.map(|f| [floor, f[1]]),
    }
}

/// Moves the active components by `steps` and keeps them within `b`.
fn apply_steps(v: &mut Val, steps: i64, det_step: i64, fine_step: i64, b: Bounds) {
    if v.det > 0 {
        let d = add_signed_u32(v.det, steps.saturating_mul(det_step));
        v.det = match b.det {
            Some([lo, hi]) => d.clamp(lo, hi),
            None => d,
        };
    }
    let fine_active = v.fine > 0 || (v.det == 0 && !v.warning && b.fine.is_some());
    if fine_active {
        let f = add_signed_u64(v.fine, steps.saturating_mul(fine_step));
        v.fine = match b.fine {
            Some([lo, hi]) => f.clamp(lo, hi),
            None => f,
        };
    }
}

/// Carries a 2025 value over to a 2012 tier by relative position (see module docs).
fn map_to_tier(v: Val, new: &Tier, new_fine: Option<[u64; 2]>, old: &Tier, step: u64) -> Val {
    let floor = fine_floor(old, step);
    let lightest = || -> Val {
        if old.warning {
            Val {
                warning: true,
                ..Val::ZERO
            }
        } else if old.form.detention_mandatory() {
            let det = old.detention_days.map_or(0, |d| d[0]);
            let fine = if old.form.fine_mandatory() { floor } else { 0 };
            Val {
                warning: false,
                fine,
                det,
            }
        } else {
            Val {
                warning: false,
                fine: floor,
                det: 0,
            }
        }
    };
    if v.warning {
        return lightest();
    }
    let pos_det = |d: u32| -> Option<u32> {
        let [lo, hi] = new.detention_days?;
        let [olo, ohi] = old.detention_days?;
        u32::try_from(map_pos(
            u64::from(d),
            u64::from(lo),
            u64::from(hi),
            u64::from(olo),
            u64::from(ohi),
        ))
        .ok()
    };
    let pos_fine = |f: u64| -> Option<u64> {
        let [lo, hi] = new_fine?;
        let [olo, ohi] = old.fine_yuan?;
        Some(map_pos(f, lo, hi, olo, ohi))
    };
    if v.det > 0 {
        if let Some(det) = pos_det(v.det) {
            let fine = if old.form.fine_mandatory() {
                if v.fine > 0 {
                    pos_fine(v.fine).unwrap_or(floor).max(floor)
                } else {
                    floor
                }
            } else if old.form == Form::DetentionOptFine && v.fine > 0 {
                pos_fine(v.fine).unwrap_or(0)
            } else {
                0
            };
            return Val {
                warning: false,
                fine,
                det,
            };
        }
        // No detention in the old tier: its fine (or warning) at the same position.
        if let (Some([lo, hi]), Some([olo, ohi])) = (new.detention_days, old.fine_yuan) {
            let f = map_pos(
                u64::from(v.det),
                u64::from(lo),
                u64::from(hi),
                olo.max(floor.min(ohi)),
                ohi,
            );
            return Val {
                warning: false,
                fine: f,
                det: 0,
            };
        }
        return lightest();
    }
    if v.fine > 0 {
        if old.form.has_fine() {
            let f = pos_fine(v.fine).unwrap_or(floor);
            if old.form.detention_mandatory() {
                let f = if old.form.fine_mandatory() {
                    f.max(floor)
                } else {
                    f
                };
                let det = old.detention_days.map_or(0, |d| d[0]);
                let fine = if old.form.fine_mandatory() || old.form == Form::DetentionOptFine {
                    f
                } else {
                    0
                };
                return Val {
                    warning: false,
                    fine,
                    det,
                };
            }
            return Val {
                warning: false,
                fine: f.max(floor),
                det: 0,
            };
        }
        return lightest();
    }
    lightest()
}

/// 减轻: one notch below the lightest lawful option of the tier. Returns (value, exempted).
fn reduce_below(t: &Tier, b: Bounds, step: u64) -> (Val, bool) {
    if t.warning {
        // Nothing is lighter than a warning: no penalty (上海规则②).
        return (Val::ZERO, true);
    }
    let warning = (
        Val {
            warning: true,
            ..Val::ZERO
        },
        false,
    );
    if !t.form.detention_mandatory() {
        // The fine branch is the lightest.
        return match b.fine {
            Some([lo, _]) if t.fine_min_statutory && lo > step => (
                Val {
                    fine: lo - step,
                    ..Val::ZERO
                },
                false,
            ),
            _ => warning,
        };
    }
    match t.detention_days {
        Some([lo, _]) if t.detention_min_statutory && lo > 1 => {
            let fine = match (t.form, b.fine) {
                (Form::DetentionAndFine, Some([flo, _])) => {
                    if t.fine_min_statutory {
                        flo.saturating_sub(step)
                    } else {
                        flo
                    }
                }
                _ => 0,
            };
            (
                Val {
                    warning: false,
                    fine,
                    det: lo - 1,
                },
                false,
            )
        }
        _ => warning,
    }
}

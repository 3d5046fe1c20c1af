//! Discretion standards (裁量基准) as data.
//!
//! A standard refines each penalty tier of the 2025 catalog into situations (违法情形),
//! each with a sub-range and a base value, and defines discretionary circumstances that
//! move the value by a number of steps. The default is `data/penalty/standard-default.toml`;
//! a bureau may load its own. [`Standard::parse`] refuses a standard whose situation leaves
//! the statute, overlaps another ambiguously, names an unknown violation, tier or
//! circumstance, or leaves a tier uncovered — naming the line.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Form, RuleKind, TierKind};
use super::rules::STATUTORY_CIRCUMSTANCES;

/// The default standard shipped with the binary.
pub const DEFAULT_STANDARD_TOML: &str =
    include_str!("../../../../data/penalty/standard-default.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub detention_step_days: u32,
    pub fine_step_yuan: u64,
    pub statutory_mitigation_steps: u32,
    pub statutory_aggravation_steps: u32,
    pub reduce_at_grounds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CircumstanceRaw {
    code: String,
    name_zh: String,
    name_en: String,
    steps: i32,
    #[serde(default)]
    articles: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SituationRaw {
    code: String,
    violation: String,
    tier: TierKind,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    warning: bool,
    detention_days: Option<[u32; 2]>,
    detention_base: Option<u32>,
    fine_yuan: Option<[u64; 2]>,
    fine_base: Option<u64>,
    detention_step: Option<u32>,
    fine_step: Option<u64>,
    #[serde(default)]
    circumstances: Vec<String>,
    #[serde(default)]
    default: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardFile {
    name_zh: String,
    name_en: String,
    version: String,
    law_version: String,
    policy: Policy,
    #[serde(default)]
    circumstance: Vec<toml::Spanned<CircumstanceRaw>>,
    #[serde(default)]
    situation: Vec<toml::Spanned<SituationRaw>>,
}

/// A discretionary circumstance of the standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Circumstance {
    #[serde(serialize_with = "super::assess::ser_arc")]
    pub code: Arc<str>,
    pub name_zh: String,
    pub name_en: String,
    /// Signed: negative mitigates, positive aggravates.
    pub steps: i32,
    /// Articles it applies to (empty: all).
    pub articles: Vec<u16>,
}

/// A situation: a refined case type under one violation and tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Situation {
    #[serde(serialize_with = "super::assess::ser_arc")]
    pub code: Arc<str>,
    pub violation: String,
    pub tier: TierKind,
    pub name_zh: String,
    pub name_en: String,
    pub warning: bool,
    pub detention_days: Option<[u32; 2]>,
    pub detention_base: u32,
    pub fine_yuan: Option<[u64; 2]>,
    pub fine_base: u64,
    pub detention_step: u32,
    pub fine_step: u64,
    pub circumstances: Vec<String>,
    pub default: bool,
    /// Line in the standard file.
    pub line: usize,
}

/// A validated standard.
#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub name_zh: String,
    pub name_en: String,
    pub version: String,
    pub policy: Policy,
    pub circumstances: Vec<Circumstance>,
    pub situations: Vec<Situation>,
    #[serde(skip)]
    by_code: HashMap<Arc<str>, usize>,
    /// (violation, tier) -> situation indices; the default first.
    #[serde(skip)]
    by_tier: HashMap<String, [Vec<usize>; 3]>,
    #[serde(skip)]
    circ_by_code: HashMap<Arc<str>, usize>,
}

/// Why a standard was refused: the line (1-based, 0 when unknown), the entry and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("discretion standard, line {line} ({entry}): {message}")]
pub struct StandardError {
    pub line: usize,
    pub entry: String,
    pub message: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn tier_slot(t: TierKind) -> usize {
    match t {
        TierKind::Lighter => 0,
        TierKind::Base => 1,
        TierKind::Heavier => 2,
    }
}

fn overlap<T: Ord + Copy>(a: [T; 2], b: [T; 2]) -> bool {
    a[0] <= b[1] && b[0] <= a[1]
}

/// Which branch of an alternative clause a situation picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Branch {
    Warning,
    Fine,
    Detention,
}

impl Situation {
    fn branch(&self) -> Branch {
        if self.detention_days.is_some() {
            Branch::Detention
        } else if self.fine_yuan.is_some() {
            Branch::Fine
        } else {
            Branch::Warning
        }
    }
}

impl Standard {
    /// Parses and validates a standard against the 2025 catalog.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Standard, StandardError> {
        let file: StandardFile = toml::from_str(text).map_err(|e| StandardError {
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
            entry: "file".into(),
            message: e.message().to_string(),
        })?;
        if file.law_version != catalog.version.as_str() {
            return Err(StandardError {
                line: 0,
                entry: "law_version".into(),
                message: format!(
                    "the standard is for law version {}, the catalog is {}",
                    file.law_version,
                    catalog.version.as_str()
                ),
            });
        }
        let p = &file.policy;
        if p.detention_step_days == 0 || p.fine_step_yuan == 0 {
            return Err(StandardError {
                line: 0,
                entry: "policy".into(),
                message: "steps must be positive".into(),
            });
        }
        if p.reduce_at_grounds == 0 {
            return Err(StandardError {
                line: 0,
                entry: "policy".into(),
                message: "reduce_at_grounds must be at least 1".into(),
            });
        }
        let mut circumstances = Vec::new();
        let mut circ_by_code: HashMap<Arc<str>, usize> = HashMap::new();
        for c in file.circumstance {
            let line = line_of(text, c.span().start);
            let c = c.into_inner();
            let e = |m: String| StandardError {
                line,
                entry: format!("circumstance {}", c.code),
                message: m,
            };
            if c.code.is_empty()
                || !c
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(e("code must be made of a-z, 0-9 and _".into()));
            }
            if STATUTORY_CIRCUMSTANCES.iter().any(|s| s.code == c.code) {
                return Err(e(
                    "this code is a statutory ground built into the engine; choose another".into(),
                ));
            }
            if c.steps == 0 || c.steps.abs() > 10 {
                return Err(e("steps must be between -10 and 10, not 0".into()));
            }
            for a in &c.articles {
                if catalog.article(*a).is_none() {
                    return Err(e(format!("unknown article {a}")));
                }
            }
            let code: Arc<str> = Arc::from(c.code.as_str());
            if circ_by_code
                .insert(code.clone(), circumstances.len())
                .is_some()
            {
                return Err(e("duplicate circumstance".into()));
            }
            circumstances.push(Circumstance {
                code,
                name_zh: c.name_zh,
                name_en: c.name_en,
                steps: c.steps,
                articles: c.articles,
            });
        }
        let mut situations: Vec<Situation> = Vec::new();
        let mut by_code: HashMap<Arc<str>, usize> = HashMap::new();
        let mut by_tier: HashMap<String, [Vec<usize>; 3]> = HashMap::new();
        for s in file.situation {
            let line = line_of(text, s.span().start);
            let s = s.into_inner();
            let e = |m: String| StandardError {
                line,
                entry: format!("situation {}", s.code),
                message: m,
            };
            let Some(rule) = catalog.rule(&s.violation) else {
                return Err(e(format!("unknown violation {}", s.violation)));
            };
            if rule.kind != RuleKind::Penalty {
                return Err(e(format!(
                    "{} has no penalty tiers of its own",
                    s.violation
                )));
            }
            let Some(tier) = rule.tier(s.tier) else {
                return Err(e(format!(
                    "{} has no {} tier",
                    s.violation,
                    s.tier.as_str()
                )));
            };
            for c in &s.circumstances {
                if !circ_by_code.contains_key(c.as_str())
                    && !STATUTORY_CIRCUMSTANCES.iter().any(|x| x.code == c)
                {
                    return Err(e(format!("unknown circumstance {c:?}")));
                }
            }
            let form = tier.form;
            let kinds = (s.warning, s.detention_days.is_some(), s.fine_yuan.is_some());
            let ok = match form {
                Form::Warning => kinds == (true, false, false),
                Form::WarningOrFine => {
                    kinds == (true, false, false) || kinds == (false, false, true)
                }
                Form::DetentionOrWarning => {
                    kinds == (true, false, false) || kinds == (false, true, false)
                }
                Form::Detention => kinds == (false, true, false),
                Form::DetentionOrFine => {
                    kinds == (false, true, false) || kinds == (false, false, true)
                }
                Form::DetentionOptFine => {
                    kinds == (false, true, false) || kinds == (false, true, true)
                }
                Form::DetentionAndFine => kinds == (false, true, true),
                Form::Fine => kinds == (false, false, true),
            };
            if !ok {
                return Err(e(format!(
                    "the penalty kinds do not fit the statutory clause 「{}」",
                    tier.text_zh
                )));
            }
            if let Some(sub) = s.detention_days {
                let Some(stat) = tier.detention_days else {
                    return Err(e("the clause has no detention".into()));
                };
                if sub[0] > sub[1] || sub[0] < stat[0] || sub[1] > stat[1] {
                    return Err(e(format!(
                        "detention {}–{} days leaves the statutory range {}–{} days",
                        sub[0], sub[1], stat[0], stat[1]
                    )));
                }
                let Some(b) = s.detention_base else {
                    return Err(e("detention_base is missing".into()));
                };
                if b < sub[0] || b > sub[1] {
                    return Err(e(format!(
                        "detention_base {b} is outside {}–{}",
                        sub[0], sub[1]
                    )));
                }
            } else if s.detention_base.is_some() {
                return Err(e("detention_base without detention_days".into()));
            }
            if let Some(sub) = s.fine_yuan {
                let Some(stat) = tier.fine_yuan else {
                    return Err(e("the clause has no fine".into()));
                };
                let floor = if form.fine_mandatory()
                    || form == Form::DetentionOrFine
                    || form == Form::WarningOrFine
                {
                    stat[0].max(1)
                } else {
                    stat[0]
                };
                if sub[0] > sub[1] || sub[0] < floor || sub[1] > stat[1] {
                    return Err(e(format!(
                        "fine {}–{} yuan leaves the statutory range {}–{} yuan",
                        sub[0], sub[1], floor, stat[1]
                    )));
                }
                let Some(b) = s.fine_base else {
                    return Err(e("fine_base is missing".into()));
                };
                if b < sub[0] || b > sub[1] {
                    return Err(e(format!("fine_base {b} is outside {}–{}", sub[0], sub[1])));
                }
            } else if s.fine_base.is_some() {
                return Err(e("fine_base without fine_yuan".into()));
            }
            if s.detention_step == Some(0) || s.fine_step == Some(0) {
                return Err(e("steps must be positive".into()));
            }
            let sit = Situation {
                code: Arc::from(s.code.as_str()),
                violation: s.violation.clone(),
                tier: s.tier,
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone(),
                warning: s.warning,
                detention_days: s.detention_days,
                detention_base: s.detention_base.unwrap_or(0),
                fine_yuan: s.fine_yuan,
                fine_base: s.fine_base.unwrap_or(0),
                detention_step: s.detention_step.unwrap_or(p.detention_step_days),
                fine_step: s.fine_step.unwrap_or(p.fine_step_yuan),
                circumstances: s.circumstances.clone(),
                default: s.default,
                line,
            };
            let slots = by_tier.entry(s.violation.clone()).or_default();
            let Some(siblings) = slots.get_mut(tier_slot(s.tier)) else {
                return Err(e("tier slot".into()));
            };
            for &i in siblings.iter() {
                let Some(o) = situations.get(i) else { continue };
                let b = sit.branch();
                let ambiguous = b == o.branch()
                    && match b {
                        Branch::Warning => true,
                        Branch::Detention => match (sit.detention_days, o.detention_days) {
                            (Some(x), Some(y)) => overlap(x, y),
                            _ => false,
                        },
                        Branch::Fine => match (sit.fine_yuan, o.fine_yuan) {
                            (Some(x), Some(y)) => overlap(x, y),
                            _ => false,
                        },
                    };
                if ambiguous {
                    return Err(e(format!(
                        "overlaps situation {} (line {}) of the same violation and tier",
                        o.code, o.line
                    )));
                }
                if sit.default && o.default {
                    return Err(e(format!(
                        "a second default for {} {} (first: {})",
                        s.violation,
                        s.tier.as_str(),
                        o.code
                    )));
                }
            }
            if by_code.insert(sit.code.clone(), situations.len()).is_some() {
                return Err(e("duplicate situation code".into()));
            }
            if sit.default {
                siblings.insert(0, situations.len());
            } else {
                siblings.push(situations.len());
            }
            situations.push(sit);
        }
        // Every tier of every penalty rule is covered; several situations need a default.
        for r in catalog.rules().filter(|r| r.kind == RuleKind::Penalty) {
            for t in &r.tiers {
                let Some(list) = by_tier
                    .get(&r.code)
                    .and_then(|v| v.get(tier_slot(t.tier)))
                    .filter(|l| !l.is_empty())
                else {
                    return Err(StandardError {
                        line: 0,
                        entry: format!("{} {}", r.code, t.tier.as_str()),
                        message: "no situation covers this statutory tier".into(),
                    });
                };
                if list.len() > 1
                    && !list
                        .first()
                        .and_then(|i| situations.get(*i))
                        .is_some_and(|s| s.default)
                {
                    return Err(StandardError {
                        line: list
                            .first()
                            .and_then(|i| situations.get(*i))
                            .map_or(0, |s| s.line),
                        entry: format!("{} {}", r.code, t.tier.as_str()),
                        message: "several situations but none is marked default = true".into(),
                    });
                }
            }
        }
        Ok(Standard {
            name_zh: file.name_zh,
            name_en: file.name_en,
            version: file.version,
            policy: file.policy,
            circumstances,
            situations,
            by_code,
            by_tier,
            circ_by_code,
        })
    }

    pub fn builtin(catalog: &Catalog) -> Result<Standard, StandardError> {
        Standard::parse(DEFAULT_STANDARD_TOML, catalog)
    }

    pub fn situation(&self, code: &str) -> Option<&Situation> {
        self.by_code.get(code).and_then(|i| self.situations.get(*i))
    }

    /// The situations of one violation and tier, the default first.
    pub fn situations_for(
        &self,
        violation: &str,
        tier: TierKind,
    ) -> impl Iterator<Item = &Situation> {
        self.by_tier
            .get(violation)
            .and_then(|v| v.get(tier_slot(tier)))
            .into_iter()
            .flat_map(|v| v.iter().filter_map(|i| self.situations.get(*i)))
    }

    pub(crate) fn default_situation_idx(&self, violation: &str, tier: TierKind) -> Option<usize> {
        self.by_tier
            .get(violation)
            .and_then(|v| v.get(tier_slot(tier)))
            .and_then(|v| v.first().copied())
    }

    pub(crate) fn situation_idx(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    pub(crate) fn situation_at(&self, i: usize) -> Option<&Situation> {
        self.situations.get(i)
    }

    pub fn circumstance(&self, code: &str) -> Option<&Circumstance> {
        self.circ_by_code
            .get(code)
            .and_then(|i| self.circumstances.get(*i))
    }

    pub(crate) fn circumstance_idx(&self, code: &str) -> Option<usize> {
        self.circ_by_code.get(code).copied()
    }

    pub(crate) fn circumstance_at(&self, i: usize) -> Option<&Circumstance> {
        self.circumstances.get(i)
    }
}

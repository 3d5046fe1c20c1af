//! The deadline rule catalog (办案期限规则) as data, and deadlines started from it.
//!
//! Each rule names one time limit of the case-handling law: its code, names, legal basis,
//! triggering event, period, counting mode, the extensions the law allows (by how much,
//! how many times, approved by whom) and when to warn before it ends. The built-in
//! catalog is `data/deadline-rules.toml` (law-facts.md §1.9 and §2); an administrator
//! may replace it, and [`RuleCatalog::parse`] refuses a file that breaks the rules,
//! naming the rule.
//!
//! The case workflow starts a [`Deadline`] from a rule when the triggering event happens
//! ([`RuleCatalog::start`]) and applies approved extensions ([`Deadline::extend`]). A
//! deadline is fully determined by (rule, start, events: the extensions and exclusions
//! applied, [`DeadlineEvent`]), so the workflow stores those and rebuilds the deadline with [`RuleCatalog::rebuild`] (e.g. after a
//! new calendar year is loaded).

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::{Deserialize, Serialize};

use super::compute_with;
use super::{Calendars, ComputeOptions, Mode, PeriodSpec, Span, Unit};
use super::{Deadline, DeadlineError, DeadlineEvent};
use crate::error::Lang;
use crate::time::BEIJING;

/// The catalog shipped with the binary.
pub const BUILTIN_TOML: &str = include_str!("../../../../data/deadline-rules.toml");

/// Administrative (治安/行政) or criminal (刑事).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Administrative,
    Criminal,
}

/// A legal source: the law (with its version) and the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    pub law: String,
    pub article: String,
}

/// The period of a rule: a counted span, or "immediately" (立即/及时: no counted period;
/// the rule is listed so that the catalog is complete, but cannot start a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulePeriod {
    Immediate,
    Counted(Span),
}

impl Serialize for RulePeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RulePeriod::Immediate => s.serialize_str("immediate"),
            RulePeriod::Counted(span) => s.collect_str(span),
        }
    }
}

impl<'de> Deserialize<'de> for RulePeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RulePeriod, D::Error> {
        let s = String::deserialize(d)?;
        if s == "immediate" {
            return Ok(RulePeriod::Immediate);
        }
        s.parse()
            .map(RulePeriod::Counted)
            .map_err(serde::de::Error::custom)
    }
}

/// How much an extension adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionSize {
    /// Exactly this much more, counted from the end of the period being extended.
    By(Span),
    /// At most this much more (the approver sets the amount), counted like `By`.
    UpTo(Span),
    /// The whole period becomes this long, counted from the original start.
    To(Span),
}

impl ExtensionSize {
    pub fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (ExtensionSize::By(s), Lang::Zh) => format!("延长{}", s.describe(lang)),
            (ExtensionSize::UpTo(s), Lang::Zh) => format!("延长至多{}", s.describe(lang)),
            (ExtensionSize::To(s), Lang::Zh) => format!("延长至{}", s.describe(lang)),
            (ExtensionSize::By(s), Lang::En) => format!("+{}", s.describe(lang)),
            (ExtensionSize::UpTo(s), Lang::En) => format!("+ up to {}", s.describe(lang)),
            (ExtensionSize::To(s), Lang::En) => format!("to {} in all", s.describe(lang)),
        }
    }
}

/// An extension the law allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub size: ExtensionSize,
    /// How many times it may be granted; `None` = no limit stated by the law.
    pub times: Option<u32>,
    pub approved_by_zh: Option<String>,
    pub approved_by_en: Option<String>,
    pub condition_zh: Option<String>,
    pub condition_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionFile {
    by: Option<Span>,
    up_to: Option<Span>,
    to: Option<Span>,
    times: Option<u32>,
    approved_by_zh: Option<String>,
    approved_by_en: Option<String>,
    condition_zh: Option<String>,
    condition_en: Option<String>,
}

/// One time limit of the case-handling law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineRule {
    /// Stable code, e.g. `admin.case_handling`.
    pub code: String,
    /// The row of law-facts.md it comes from (e.g. `A16`, `C11`, `1.9`).
    pub reference: String,
    pub kind: CaseKind,
    pub name_zh: String,
    pub name_en: String,
    pub trigger_zh: String,
    pub trigger_en: String,
    pub period: RulePeriod,
    pub mode: Mode,
    pub basis: Vec<Basis>,
    pub extensions: Vec<Extension>,
    /// Reminders this long before the due instant (hours or days).
    pub warn_before: Vec<Span>,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
    /// Known only from a secondary source (〔二手〕); to be checked against the original.
    pub secondary: bool,
}

impl DeadlineRule {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
    /// The period spec, or `None` for an immediate rule.
    pub fn spec(&self) -> Option<PeriodSpec> {
        match self.period {
            RulePeriod::Counted(span) => Some(PeriodSpec::new(span, self.mode)),
            RulePeriod::Immediate => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFileEntry {
    code: String,
    reference: String,
    kind: CaseKind,
    name_zh: String,
    name_en: String,
    trigger_zh: String,
    trigger_en: String,
    period: RulePeriod,
    #[serde(default)]
    mode: Mode,
    basis: Vec<Basis>,
    #[serde(default)]
    extensions: Vec<ExtensionFile>,
    #[serde(default)]
    warn_before: Vec<Span>,
    note_zh: Option<String>,
    note_en: Option<String>,
    #[serde(default)]
    secondary: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    version: String,
    #[serde(default)]
    rule: Vec<RuleFileEntry>,
}

/// Why a rule file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("deadline rules: {message}")]
pub struct RuleCatalogError {
    /// The offending rule's code, when one is to blame.
    pub code: Option<String>,
    pub message: String,
}

/// A validated rule catalog.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCatalog {
    pub version: String,
    pub rules: Vec<DeadlineRule>,
}

/// Rough length in hours, to compare spans of different units (a month counts 28 days,
/// its shortest, so that "shorter than the period" is never wrongly refused).
fn rough_hours(s: Span) -> u64 {
    let n = u64::from(s.amount);
    match s.unit {
        Unit::Hours => n,
        Unit::Days => n * 24,
        Unit::Months => n * 28 * 24,
    }
}

fn non_empty(s: &Option<String>) -> bool {
    s.as_ref().is_some_and(|v| !v.trim().is_empty())
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn check_rule(r: &RuleFileEntry) -> Result<(), String> {
    if r.code.is_empty()
        || !r
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Err("code must be made of a-z, 0-9, '_' and '.'".into());
    }
    for (field, v) in [
        ("reference", &r.reference),
        ("name_zh", &r.name_zh),
        ("name_en", &r.name_en),
        ("trigger_zh", &r.trigger_zh),
        ("trigger_en", &r.trigger_en),
    ] {
        if v.trim().is_empty() {
            return Err(format!("{field} must not be empty"));
        }
    }
    if r.basis.is_empty() {
        return Err("at least one legal basis (law, article) is required".into());
    }
    for b in &r.basis {
        if b.law.trim().is_empty() || b.article.trim().is_empty() {
            return Err("every basis needs both law and article".into());
        }
    }
    let span = match r.period {
        RulePeriod::Immediate => {
            if !r.extensions.is_empty() || !r.warn_before.is_empty() {
                return Err("an immediate rule has no extensions and no warnings".into());
            }
            if r.mode != Mode::Legal {
                return Err("an immediate rule has no counting mode".into());
            }
            return Ok(());
        }
        RulePeriod::Counted(s) => s,
    };
    if r.mode == Mode::WorkingDays && span.unit != Unit::Days {
        return Err("a working-days rule must be counted in days".into());
    }
    for (i, e) in r.extensions.iter().enumerate() {
        let n = i + 1;
        let sizes = [e.by, e.up_to, e.to].iter().filter(|s| s.is_some()).count();
        if sizes != 1 {
            return Err(format!("extension #{n}: give exactly one of by, up_to, to"));
        }
        if let Some(to) = e.to
            && rough_hours(to) <= rough_hours(span)
        {
            return Err(format!(
                "extension #{n}: `to = {to}` is not longer than the period {span}"
            ));
        }
        if r.mode == Mode::WorkingDays
            && let Some(s) = e.by.or(e.up_to).or(e.to)
            && s.unit != Unit::Days
        {
            return Err(format!(
                "extension #{n}: a working-days rule extends in days"
            ));
        }
        if e.times == Some(0) {
            return Err(format!(
                "extension #{n}: times must be at least 1 (leave it out for no limit)"
            ));
        }
        if non_empty(&e.approved_by_zh) != non_empty(&e.approved_by_en) {
            return Err(format!(
                "extension #{n}: give approved_by_zh and approved_by_en together"
            ));
        }
        if non_empty(&e.condition_zh) != non_empty(&e.condition_en) {
            return Err(format!(
                "extension #{n}: give condition_zh and condition_en together"
            ));
        }
    }
    for w in &r.warn_before {
        if w.unit == Unit::Months {
            return Err(format!("warn_before {w}: give reminders in hours or days"));
        }
        if rough_hours(*w) >= rough_hours(span) {
            return Err(format!(
                "warn_before {w} is not shorter than the period {span}"
            ));
        }
    }
    if non_empty(&r.note_zh) != non_empty(&r.note_en) {
        return Err("give note_zh and note_en together".into());
    }
    Ok(())
}

impl RuleCatalog {
    /// The built-in catalog (`data/deadline-rules.toml`).
    pub fn builtin() -> Result<RuleCatalog, RuleCatalogError> {
        RuleCatalog::parse(BUILTIN_TOML)
    }

    /// Parses and validates a rule file: unique well-formed codes; names, trigger and
    /// at least one basis (law and article) present; a working-days rule counts days;
    /// an immediate rule has no extensions or reminders; each extension gives exactly one
    /// of `by`, `up_to`, `to` (and `to` is longer than the period), `times` ≥ 1 when
    /// given, zh/en texts in pairs; reminders are in hours or days and shorter than the
    /// period.
    pub fn parse(text: &str) -> Result<RuleCatalog, RuleCatalogError> {
        let file: RuleFile = toml::from_str(text).map_err(|e| RuleCatalogError {
            code: None,
            message: e.to_string().trim_end().to_string(),
        })?;
        if file.version.trim().is_empty() {
            return Err(RuleCatalogError {
                code: None,
                message: "version must not be empty".into(),
            });
        }
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(file.rule.len());
        for r in file.rule {
            let fail = |m: String| RuleCatalogError {
                code: Some(r.code.clone()),
                message: format!("rule {}: {m}", r.code),
            };
            check_rule(&r).map_err(fail)?;
            if !seen.insert(r.code.clone()) {
                return Err(fail("code is used twice".into()));
            }
            let mut warn = r.warn_before;
            warn.sort_by_key(|w| std::cmp::Reverse(rough_hours(*w)));
            warn.dedup();
            rules.push(DeadlineRule {
                code: r.code,
                reference: r.reference.trim().to_string(),
                kind: r.kind,
                name_zh: r.name_zh.trim().to_string(),
                name_en: r.name_en.trim().to_string(),
                trigger_zh: r.trigger_zh.trim().to_string(),
                trigger_en: r.trigger_en.trim().to_string(),
                period: r.period,
                mode: r.mode,
                basis: r.basis,
                extensions: r
                    .extensions
                    .into_iter()
                    .map(|e| Extension {
                        size: match (e.by, e.up_to, e.to) {
                            (Some(s), _, _) => ExtensionSize::By(s),
                            (_, Some(s), _) => ExtensionSize::UpTo(s),
                            (_, _, Some(s)) => ExtensionSize::To(s),
                            // check_rule guarantees exactly one.
                            (None, None, None) => ExtensionSize::By(Span::days(1)),
                        },
                        times: e.times,
                        approved_by_zh: trimmed(e.approved_by_zh),
                        approved_by_en: trimmed(e.approved_by_en),
                        condition_zh: trimmed(e.condition_zh),
                        condition_en: trimmed(e.condition_en),
                    })
                    .collect(),
                warn_before: warn,
                note_zh: trimmed(r.note_zh),
                note_en: trimmed(r.note_en),
                secondary: r.secondary,
            });
        }
        if rules.is_empty() {
            return Err(RuleCatalogError {
                code: None,
                message: "the catalog has no rules".into(),
            });
        }
        Ok(RuleCatalog {
            version: file.version.trim().to_string(),
            rules,
        })
    }

    pub fn get(&self, code: &str) -> Option<&DeadlineRule> {
        self.rules.iter().find(|r| r.code == code)
    }

    /// Starts the deadline of rule `code` for an event at `at`.
    pub fn start(
        &self,
        code: &str,
        at: impl Into<DateTime<FixedOffset>>,
        cals: &Calendars,
        opts: ComputeOptions,
    ) -> Result<Deadline, DeadlineError> {
        self.rebuild(code, at, &[], cals, opts)
    }

    /// Rebuilds a deadline from its stored parts: rule, start and the events applied
    /// (extensions and exclusions, validated again, in order).
    pub fn rebuild(
        &self,
        code: &str,
        at: impl Into<DateTime<FixedOffset>>,
        events: &[DeadlineEvent],
        cals: &Calendars,
        opts: ComputeOptions,
    ) -> Result<Deadline, DeadlineError> {
        let rule = self.get(code).ok_or_else(|| DeadlineError::UnknownRule {
            code: code.to_string(),
        })?;
        let spec = rule.spec().ok_or_else(|| DeadlineError::Immediate {
            code: code.to_string(),
        })?;
        let start = at.into().with_timezone(&BEIJING);
        let result = compute_with(start, &spec, cals, opts)?;
        let mut d = Deadline {
            rule: rule.clone(),
            start,
            events: Vec::new(),
            warn_at: Vec::new(),
            result,
            excluded_days: 0,
            excluded_time: TimeDelta::zero(),
            opts_provisional: opts.provisional,
        };
        d.set_warnings();
        for e in events {
            match e {
                DeadlineEvent::Extension(a) => {
                    d.extend(a.index, a.granted, a.approval.clone(), cals)?
                }
                DeadlineEvent::Exclusion(x) => d.exclude(x.clone(), cals)?,
            }
        }
        Ok(d)
    }
}

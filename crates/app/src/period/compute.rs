//! 期限计算: the calculator's answer, computed over loaded calendars and rules (no
//! store: the CLI answers with [`compute`] too) or by [`App::compute_deadline`].

use chrono::{DateTime, FixedOffset};
use frontline_core::authz::Action;
use frontline_core::org::Actor;
use frontline_core::period::{
    Calendars, DeadlineError, DeadlineRule, Mode, PeriodError, PeriodResult, RuleCatalog,
    compute_with,
};
use frontline_core::{FieldError, Lang};
use serde::Serialize;

use super::request::{Counted, DeadlineQuestion, DeadlineRequest, period_field_error};
use crate::{App, AppError, Result};

/// What was computed: the period's end with its explanation, and the rule if any.
#[derive(Debug, Clone)]
pub struct Computed {
    pub result: PeriodResult,
    pub rule: Option<DeadlineRule>,
    pub warn_at: Vec<DateTime<FixedOffset>>,
}

/// One step of the explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExplainStep {
    /// Stable step kind: `start`, `counted_from_day`, `nominal_end`, `roll_over`,
    /// `last_day_working`, `custody_not_extended`, `working_days_counted`, `due`, …
    pub kind: String,
    /// The step in words, in the request's language.
    pub text: String,
    /// The step in Chinese.
    pub zh: String,
    /// The step in English.
    pub en: String,
}

/// A rule in short, as part of an answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleRef {
    pub code: String,
    pub name: String,
    /// Legal bases, e.g. `治安管理处罚法（2025年修订） 第117条`.
    pub basis: Vec<String>,
}

/// `POST /api/v1/deadlines/compute` answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineAnswer {
    /// When the period ends, RFC 3339 in Beijing time: act before this instant. A day or
    /// month period ends at 24:00 of its last day, written as the next day's `T00:00:00+08:00`.
    pub due: String,
    /// The end before any holiday roll-over.
    pub nominal_end: String,
    /// The start in Beijing time.
    pub start: String,
    /// The period counted, e.g. `30d`.
    pub period: String,
    /// `legal`, `custody` or `working_days`.
    pub mode: String,
    /// The last day after any roll-over (day and month periods).
    pub last_day: Option<String>,
    /// The last day before any roll-over.
    pub nominal_last_day: Option<String>,
    pub provisional: bool,
    pub explain: Vec<ExplainStep>,
    /// The catalog rule used, when the question named one.
    pub rule: Option<RuleRef>,
    /// Reminder instants from the rule's `warn_before` (RFC 3339).
    pub warn_at: Vec<String>,
}

pub(super) fn ts(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

fn basis_text(r: &DeadlineRule) -> Vec<String> {
    r.basis
        .iter()
        .map(|b| format!("{} {}", b.law, b.article))
        .collect()
}

impl Computed {
    pub fn view(&self, lang: Lang) -> DeadlineAnswer {
        let r = &self.result;
        DeadlineAnswer {
            due: ts(&r.due),
            nominal_end: ts(&r.nominal_end),
            start: ts(&r.start),
            period: r.spec.span().to_string(),
            mode: mode_code(r.spec.mode).into(),
            last_day: r.last_day.map(|d| d.to_string()),
            nominal_last_day: r.nominal_last_day.map(|d| d.to_string()),
            provisional: r.provisional,
            explain: r
                .explain
                .iter()
                .map(|s| ExplainStep {
                    kind: s.kind().to_string(),
                    text: s.text(lang),
                    zh: s.text(Lang::Zh),
                    en: s.text(Lang::En),
                })
                .collect(),
            rule: self.rule.as_ref().map(|rule| RuleRef {
                code: rule.code.clone(),
                name: rule.name(lang).to_string(),
                basis: basis_text(rule),
            }),
            warn_at: self.warn_at.iter().map(ts).collect(),
        }
    }
}

pub fn mode_code(m: Mode) -> &'static str {
    match m {
        Mode::Legal => "legal",
        Mode::Custody => "custody",
        Mode::WorkingDays => "working_days",
    }
}

/// A refusal of the count as a field error.
pub fn deadline_field_error(e: &DeadlineError) -> FieldError {
    match e {
        DeadlineError::Period(p) => period_field_error(p),
        DeadlineError::UnknownRule { code } => FieldError::new(
            "rule",
            "rule.unknown",
            format!("没有代码为「{code}」的期限规则"),
            format!("No deadline rule with code “{code}”"),
        ),
        DeadlineError::Immediate { .. } => FieldError::new(
            "rule",
            "rule.immediate",
            "该规则要求立即（及时）办理，没有可计算的期间",
            "This rule requires immediate action and has no counted period",
        ),
        other => FieldError::new("rule", "rule.error", other.to_string(), other.to_string()),
    }
}

impl DeadlineQuestion {
    /// Counts the period over `cals` (and `rules` for a rule's period).
    pub fn run(
        &self,
        cals: &Calendars,
        rules: &RuleCatalog,
    ) -> std::result::Result<Computed, DeadlineError> {
        match &self.counted {
            Counted::Period(spec) => Ok(Computed {
                result: compute_with(self.start, spec, cals, self.options)?,
                rule: None,
                warn_at: Vec::new(),
            }),
            Counted::Rule(code) => {
                let d = rules.start(code, self.start, cals, self.options)?;
                Ok(Computed {
                    result: d.result,
                    rule: Some(d.rule),
                    warn_at: d.warn_at,
                })
            }
        }
    }
}

/// 期限计算 over calendars and rules already loaded: the check, then the count. Bad
/// input and a year without a calendar are field errors.
pub fn compute(req: &DeadlineRequest, cals: &Calendars, rules: &RuleCatalog) -> Result<Computed> {
    req.check()?
        .run(cals, rules)
        .map_err(|e| AppError::field(deadline_field_error(&e)))
}

impl App {
    /// 期限计算: when does this period (or this catalog rule's period) end, and why.
    /// Bad input and a year without a calendar are field errors; nothing is stored.
    pub async fn compute_deadline(&self, actor: &Actor, req: &DeadlineRequest) -> Result<Computed> {
        crate::gate::require(actor, Action::DeadlineCompute)?;
        let q = req.check()?;
        let rules = &self.deadlines.rules;
        let answer = match q.run(&self.deadlines.current().calendars, rules) {
            // Another instance may have stored that year since this one started.
            Err(DeadlineError::Period(PeriodError::CalendarUnknown { .. }))
                if self.deadlines.refresh(&self.store).await? =>
            {
                q.run(&self.deadlines.current().calendars, rules)
            }
            other => other,
        };
        answer.map_err(|e| AppError::field(deadline_field_error(&e)))
    }
}

//! 期限计算: the calculator's input, its errors and its answer.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use frontline_core::authz::Action;
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::period::{
    CHINA, Calendars, ComputeOptions, DeadlineError, DeadlineRule, Mode, PeriodError, PeriodResult,
    PeriodSpec, Span, Step, compute_with,
};
use frontline_core::{FieldError, Lang};
use serde::Serialize;

use crate::{App, AppError, Result};

// ---------------------------------------------------------------------------
// The calculator: input, errors, answer
// ---------------------------------------------------------------------------

/// A calculator question as it arrives (JSON body or form), checked here.
#[derive(Debug, Clone, Default)]
pub struct DeadlineInput {
    /// RFC 3339 with an offset, or a Beijing wall-clock time `2026-09-30T10:00[:00]`.
    pub start: Option<String>,
    /// `<N>h`, `<N>d` or `<N>m` (blanks allowed: `30 d`).
    pub period: Option<String>,
    /// A catalog rule code instead of `period`.
    pub rule: Option<String>,
    pub custody: bool,
    pub working_days: bool,
    /// For a year without a calendar, assume plain weekends and flag the answer
    /// provisional instead of refusing.
    pub provisional: bool,
}

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

fn step_kind(s: &Step) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.get("step").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
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
                    kind: step_kind(s),
                    text: s.text(lang),
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

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// RFC 3339 with an offset, or a wall-clock time read as Beijing time
/// (`2026-09-30T10:00`, `2026-09-30 10:00`, with or without seconds).
pub fn parse_start(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&CHINA));
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return n.and_local_timezone(CHINA).single();
        }
    }
    None
}

fn bad_start() -> FieldError {
    FieldError::new(
        "start",
        "datetime.format",
        "起算时间格式不正确（例：2026-09-30T10:00 或 2026-09-30T10:00:00+08:00）",
        "Start must look like 2026-09-30T10:00 (Beijing time) or 2026-09-30T10:00:00+08:00",
    )
}

/// A core refusal as a field error (the field the user can correct).
pub fn period_field_error(e: &PeriodError) -> FieldError {
    match e {
        PeriodError::CalendarUnknown { year } => FieldError::new(
            "start",
            "calendar.unknown",
            format!(
                "{year} 年节假日安排尚未载入，无法计算（calendar unknown for {year}）；请管理员上传 {year} 年日历"
            ),
            format!(
                "calendar unknown for {year}: the {year} holiday calendar is not loaded; an administrator can upload it"
            ),
        ),
        PeriodError::BadSpan { .. } => FieldError::new(
            "period",
            "period.format",
            "期间格式不正确：应为正整数加单位 h（小时）、d（日）或 m（月），例：24h、30d、2m",
            "Period must be a whole number and a unit h, d or m, e.g. 24h, 30d, 2m",
        ),
        PeriodError::InvalidAmount { max, .. } => FieldError::new(
            "period",
            "period.range",
            format!("期间长度应在 1 至 {max} 之间"),
            format!("The amount must be between 1 and {max}"),
        ),
        PeriodError::WorkingDaysNeedDays { .. } => FieldError::new(
            "working_days",
            "working_days.unit",
            "只计工作日的期间须以日计算",
            "A working-days period must be counted in days",
        ),
        PeriodError::OutOfRange => FieldError::new(
            "start",
            "date.range",
            "日期超出可计算的范围",
            "The date is out of range",
        ),
        PeriodError::EndlessRollOver { from, days } => FieldError::new(
            "start",
            "calendar.broken",
            format!("日历有误：{from} 之后连续 {days} 天均为休息日"),
            format!("Calendar error: {days} rest days in a row after {from}"),
        ),
    }
}

fn deadline_field_error(e: &DeadlineError) -> FieldError {
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

impl App {
    /// 期限计算: when does this period (or this catalog rule's period) end, and why.
    /// Bad input and a year without a calendar are field errors; nothing is stored.
    pub async fn compute_deadline(&self, actor: &Actor, input: &DeadlineInput) -> Result<Computed> {
        App::require_deadline(actor, Action::DeadlineCompute)?;
        let mut errs = Errors::default();
        let start = match non_blank(&input.start) {
            None => {
                errs.push(FieldError::required("start"));
                None
            }
            Some(s) => {
                let t = parse_start(s);
                if t.is_none() {
                    errs.push(bad_start());
                }
                t
            }
        };
        let period = non_blank(&input.period);
        let rule = non_blank(&input.rule);
        let span = match (period, rule) {
            (Some(_), Some(_)) => {
                errs.push(FieldError::new(
                    "period",
                    "period.or_rule",
                    "请填写期间或选择规则，二者只选其一",
                    "Give either a period or a rule, not both",
                ));
                None
            }
            (None, None) => {
                errs.push(FieldError::new(
                    "period",
                    "required",
                    "请填写期间（例：30 日）或选择一条期限规则",
                    "Give a period (e.g. 30 days) or choose a deadline rule",
                ));
                None
            }
            (Some(p), None) => {
                let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                match compact.parse::<Span>() {
                    Ok(s) => Some(s),
                    Err(e) => {
                        errs.push(period_field_error(&e));
                        None
                    }
                }
            }
            (None, Some(_)) => None,
        };
        if rule.is_some() {
            for (on, field) in [
                (input.custody, "custody"),
                (input.working_days, "working_days"),
            ] {
                if on {
                    errs.push(FieldError::new(
                        field,
                        "rule.mode_fixed",
                        "选择规则时按规则规定的计算方式计算，请不要另选羁押或工作日",
                        "A rule sets its own counting mode; leave custody and working days unticked",
                    ));
                }
            }
        } else if input.custody && input.working_days {
            errs.push(FieldError::new(
                "working_days",
                "mode.conflict",
                "羁押期间与只计工作日不能同时选择",
                "Custody and working days cannot both be chosen",
            ));
        }
        if let Some(s) = span
            && input.working_days
            && !input.custody
            && s.unit != frontline_core::period::Unit::Days
        {
            errs.push(period_field_error(&PeriodError::WorkingDaysNeedDays {
                unit: s.unit,
            }));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let Some(start) = start else {
            return Err(AppError::field(bad_start()));
        };
        let opts = ComputeOptions {
            provisional: input.provisional,
        };
        let mode = match (input.custody, input.working_days) {
            (true, _) => Mode::Custody,
            (_, true) => Mode::WorkingDays,
            _ => Mode::Legal,
        };
        let run = |cals: &Calendars| -> std::result::Result<Computed, DeadlineError> {
            match (span, rule) {
                (Some(span), _) => Ok(Computed {
                    result: compute_with(start, &PeriodSpec::new(span, mode), cals, opts)?,
                    rule: None,
                    warn_at: Vec::new(),
                }),
                (None, Some(code)) => {
                    let d = self.deadlines.rules.start(code, start, cals, opts)?;
                    Ok(Computed {
                        result: d.result,
                        rule: Some(d.rule),
                        warn_at: d.warn_at,
                    })
                }
                (None, None) => Err(DeadlineError::UnknownRule {
                    code: String::new(),
                }),
            }
        };
        let answer = match run(&self.deadlines.current().calendars) {
            // Another instance may have stored that year since this one started.
            Err(DeadlineError::Period(PeriodError::CalendarUnknown { .. }))
                if self.deadlines.refresh(&self.store).await? =>
            {
                run(&self.deadlines.current().calendars)
            }
            other => other,
        };
        answer.map_err(|e| AppError::field(deadline_field_error(&e)))
    }
}

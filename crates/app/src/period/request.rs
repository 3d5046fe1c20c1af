//! The calculator's contract: one request type for the API body, the calculator form and
//! the CLI flags, and the one check that turns it into a question or field errors.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use frontline_core::FieldError;
use frontline_core::error::Errors;
use frontline_core::period::{ComputeOptions, Mode, PeriodError, PeriodSpec, Span, Unit};
use frontline_core::request::{Given, Unknown, read};
use frontline_core::text;
use frontline_core::time::BEIJING;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{AppError, Result};

/// Body of `POST /api/v1/deadlines/compute`: a period or a catalog rule.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[schema(as = DeadlineComputeRequest)]
pub struct DeadlineRequest {
    /// RFC 3339 with an offset (`2026-09-30T10:00:00+08:00`), or Beijing wall-clock time
    /// (`2026-09-30T10:00`).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub start: Given<String>,
    /// `<N>h`, `<N>d` or `<N>m` (hours, days, months), e.g. `30d`; or give `rule`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub period: Given<String>,
    /// A rule code from `/api/v1/deadline-rules` instead of `period`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub rule: Given<String>,
    /// Custody / restricted personal liberty: never extended by holidays.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub custody: Given<bool>,
    /// Count working days only (day periods).
    #[serde(default)]
    #[schema(value_type = bool)]
    pub working_days: Given<bool>,
    /// For a year whose holiday calendar is not loaded, assume plain weekends and flag
    /// the answer `provisional` (with a step saying so) instead of refusing.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub provisional: Given<bool>,
    /// Keys the contract does not know: each is refused.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Unknown,
}

/// Body of `POST /api/v1/calendars`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct CalendarUploadRequest {
    /// The year's calendar file (TOML, as `data/calendars/2026.toml`).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub text: Given<String>,
}

impl CalendarUploadRequest {
    pub fn new(text: impl Into<String>) -> CalendarUploadRequest {
        CalendarUploadRequest {
            text: Given::Value(text.into()),
        }
    }

    /// Reads a JSON body. Other keys are ignored; a body that is not an object carries
    /// no text and is refused as such by the use case.
    pub fn from_json(v: serde_json::Value) -> CalendarUploadRequest {
        // Only an object: serde would read an array's items as the fields in order.
        if !v.is_object() {
            return CalendarUploadRequest::default();
        }
        read(v).unwrap_or_default()
    }
}

/// What the calculator counts: a period, or the period of a catalog rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counted {
    Period(PeriodSpec),
    Rule(String),
}

/// A calculator question that passed the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineQuestion {
    pub start: DateTime<FixedOffset>,
    pub counted: Counted,
    pub options: ComputeOptions,
}

fn wrong_text(field: &str) -> FieldError {
    FieldError::new(field, "string", "应为字符串", "Must be a string")
}

fn wrong_flag(field: &str) -> FieldError {
    FieldError::new(
        field,
        "boolean",
        "应为 true 或 false",
        "Must be true or false",
    )
}

fn bad_start() -> FieldError {
    FieldError::new(
        "start",
        "datetime.format",
        "起算时间格式不正确（例：2026-09-30T10:00 或 2026-09-30T10:00:00+08:00）",
        "Start must look like 2026-09-30T10:00 (Beijing time) or 2026-09-30T10:00:00+08:00",
    )
}

fn wrong<T>(g: &Given<T>) -> bool {
    matches!(g, Given::Wrong)
}

/// The text of a field through the normaliser ([`text::line`]); blank reads as absent,
/// a refused character is the field's error.
fn non_blank(field: &str, v: Option<&String>, errs: &mut Errors) -> Option<String> {
    text::line(field, v?)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten()
}

/// RFC 3339 with an offset, or a wall-clock time read as Beijing time
/// (`2026-09-30T10:00`, `2026-09-30 10:00`, with or without seconds).
pub fn parse_start(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&BEIJING));
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return n.and_local_timezone(BEIJING).single();
        }
    }
    None
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

impl DeadlineRequest {
    /// Reads a JSON body into the contract; only a body that is not an object fails.
    pub fn from_json(v: serde_json::Value) -> Result<DeadlineRequest> {
        read(v).map_err(|_| {
            AppError::field(FieldError::new(
                "",
                "body.object",
                "请求内容应为 JSON 对象",
                "The body must be a JSON object",
            ))
        })
    }

    /// The one check of a calculator question. Every problem is reported at once:
    /// unknown keys, then values of the wrong type, then what the values say.
    pub fn check(&self) -> Result<DeadlineQuestion> {
        let mut errs = Errors::default();
        for k in self.unknown.keys() {
            errs.push(FieldError::new(
                k.clone(),
                "unknown_field",
                format!("未知字段「{k}」"),
                format!("Unknown field “{k}”"),
            ));
        }
        let start = self.start.checked(&mut errs, || wrong_text("start"));
        let period = self.period.checked(&mut errs, || wrong_text("period"));
        let rule = self.rule.checked(&mut errs, || wrong_text("rule"));
        let mut flag = |g: &Given<bool>, field: &str| {
            g.checked(&mut errs, || wrong_flag(field))
                .copied()
                .unwrap_or(false)
        };
        let custody = flag(&self.custody, "custody");
        let working_days = flag(&self.working_days, "working_days");
        let provisional = flag(&self.provisional, "provisional");

        // A value of the wrong type was reported above; it is not also missing.
        let before = errs.0.len();
        let start = match (non_blank("start", start, &mut errs), &self.start) {
            (Some(s), _) => match parse_start(&s) {
                None => {
                    errs.push(bad_start());
                    None
                }
                Some(t) if !frontline_core::time::in_years(&t) => {
                    errs.push(frontline_core::time::years_error("start"));
                    None
                }
                Some(t) => Some(t),
            },
            (None, Given::Wrong) => None,
            (None, _) if errs.0.len() > before => None,
            (None, _) => {
                errs.push(FieldError::required("start"));
                None
            }
        };
        let before = errs.0.len();
        let period = non_blank("period", period, &mut errs);
        let rule = non_blank("rule", rule, &mut errs);
        let refused = errs.0.len() > before;
        let span = match (period.as_deref(), rule.as_deref()) {
            (Some(_), Some(_)) => {
                errs.push(FieldError::new(
                    "period",
                    "period.or_rule",
                    "请填写期间或选择规则，二者只选其一",
                    "Give either a period or a rule, not both",
                ));
                None
            }
            (None, None) if refused || wrong(&self.period) || wrong(&self.rule) => None,
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
            for (on, field) in [(custody, "custody"), (working_days, "working_days")] {
                if on {
                    errs.push(FieldError::new(
                        field,
                        "rule.mode_fixed",
                        "选择规则时按规则规定的计算方式计算，请不要另选羁押或工作日",
                        "A rule sets its own counting mode; leave custody and working days unticked",
                    ));
                }
            }
        } else if custody && working_days {
            errs.push(FieldError::new(
                "working_days",
                "mode.conflict",
                "羁押期间与只计工作日不能同时选择",
                "Custody and working days cannot both be chosen",
            ));
        }
        if let Some(s) = span
            && working_days
            && !custody
            && s.unit != Unit::Days
        {
            errs.push(period_field_error(&PeriodError::WorkingDaysNeedDays {
                unit: s.unit,
            }));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let mode = match (custody, working_days) {
            (true, _) => Mode::Custody,
            (_, true) => Mode::WorkingDays,
            _ => Mode::Legal,
        };
        let counted = match (span, rule) {
            (Some(span), _) => Counted::Period(PeriodSpec::new(span, mode)),
            (None, Some(code)) => Counted::Rule(code.to_string()),
            // Reported above as `period` required.
            (None, None) => return Err(AppError::field(FieldError::required("period"))),
        };
        let Some(start) = start else {
            return Err(AppError::field(bad_start()));
        };
        Ok(DeadlineQuestion {
            start,
            counted,
            options: ComputeOptions { provisional },
        })
    }
}

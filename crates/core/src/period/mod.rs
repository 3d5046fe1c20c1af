//! Legal periods (期间): when does a period that the law sets end?
//!
//! The counting rules (law-facts.md §3; 刑事诉讼法第105条, 《公安机关办理行政案件程序规定》
//! 第35条, 民法典第201–203条):
//!
//! * periods are counted in hours, days or months; the hour or day in which the period
//!   starts is not counted: an hour period runs from the start instant and ends at the
//!   exact instant `start + n hours`; a day period's first day is the day after the start
//!   day, and its last day is the n-th;
//! * a month period's last day is the day of the later month that corresponds to the
//!   start day, or that month's last day when it has none (1-31 + 1 month → 2-28/29);
//! * a day or month period ends at 24:00 of its last day, written as the next day's
//!   `00:00+08:00`; all dates are China Standard Time (UTC+8, no daylight saving);
//! * when the last day is a rest day (a weekend day that is not a make-up working day,
//!   or a public holiday) the period ends on the first working day after it ([`Mode::Legal`]);
//! * periods of custody or of restricted personal liberty end on their last day even when
//!   it is a rest day ([`Mode::Custody`]);
//! * periods the law defines in working days (行政处罚法第85条, 行政强制法第69条, e.g. the
//!   7 working days of 先行登记保存) count working days only ([`Mode::WorkingDays`]).
//!
//! Every answer carries its explanation ([`Step`]s: start, counted from, nominal end,
//! each roll-over and why, due). A question about a year whose calendar is not loaded
//! is refused with [`PeriodError::CalendarUnknown`], unless the caller asks for a
//! *provisional* answer, which assumes plain weekends for that year and says so.
//!
//! The rule catalog ([`RuleCatalog`], `data/deadline-rules.toml`) names the periods of
//! the case-handling law; [`RuleCatalog::start`] starts a [`Deadline`] from a rule and
//! [`Deadline::extend`] applies an approved extension.
//!
//! ```
//! use chrono::DateTime;
//! use frontline_core::Lang;
//! use frontline_core::period::{Calendars, ComputeOptions, Mode, PeriodSpec, RuleCatalog, Span, compute};
//!
//! let cals = Calendars::builtin().expect("built-in calendars are valid"); // load once
//! let start = DateTime::parse_from_rfc3339("2026-09-01T15:00:00+08:00").expect("RFC 3339");
//! // 30 days: the last day 10-01 is National Day, so the period ends with 10-08.
//! let r = compute(start, &PeriodSpec::new(Span::days(30), Mode::Legal), &cals).expect("2026 is loaded");
//! assert_eq!(r.due.to_rfc3339(), "2026-10-09T00:00:00+08:00");
//! assert!(r.explain_text(Lang::Zh).iter().any(|s| s.contains("国庆节")));
//!
//! // The case workflow: start the public-order case deadline when the case is filed.
//! let rules = RuleCatalog::builtin().expect("built-in rules are valid");
//! let d = rules.start("admin.case_handling", start, &cals, ComputeOptions::default()).expect("rule");
//! assert_eq!(d.due(), r.due);
//! ```

pub mod calendar;
mod deadline;
mod explain;
pub mod rules;
mod span;
#[cfg(test)]
mod tests;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveTime, TimeDelta, Weekday,
};
use serde::Serialize;

use crate::error::Lang;
use crate::time::BEIJING;
pub use calendar::{CalendarError, Calendars, Holiday, RestKind, UnknownYear, YearCalendar};
pub use deadline::{
    AppliedExclusion, AppliedExtension, Approval, Deadline, DeadlineError, DeadlineEvent, Excluded,
};
use explain::weekday_en;
pub use explain::{DayOff, HolidaySkipped, Step};
pub use rules::{
    Basis, CaseKind, DeadlineRule, Extension, ExtensionSize, RuleCatalog, RuleCatalogError,
    RulePeriod,
};
pub use span::{Mode, PeriodSpec, Span, Unit};

/// How many rest days in a row a roll-over may cross before the calendar is judged
/// broken (the longest real holiday block is 9 days).
const MAX_ROLL: u32 = 40;

/// Options of [`compute_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComputeOptions {
    /// Answer a question touching a year without a calendar by assuming plain weekends
    /// for that year, flagged `provisional`, instead of refusing it.
    pub provisional: bool,
}

/// Why a period cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "calendar unknown for {year}: load the State Council holiday arrangement for {year} as a calendar file {year}.toml, or ask for a provisional answer / {year}年节假日安排尚未载入"
    )]
    CalendarUnknown { year: i32 },
    #[error("bad period {input:?}: expected <N>h, <N>d or <N>m, e.g. 24h, 30d, 2m")]
    BadSpan { input: String },
    #[error("period {span} out of range: the amount must be 1..={max}")]
    InvalidAmount { span: String, max: u32 },
    #[error("working-day periods are counted in days, not {unit:?}")]
    WorkingDaysNeedDays { unit: Unit },
    #[error("date out of range")]
    OutOfRange,
    #[error("calendar error: {days} rest days in a row after {from}")]
    EndlessRollOver { from: NaiveDate, days: u32 },
}

/// The end of a period, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodResult {
    /// The start, in China time.
    pub start: DateTime<FixedOffset>,
    pub spec: PeriodSpec,
    /// The period's last day after any roll-over (day and month periods).
    pub last_day: Option<NaiveDate>,
    /// The last day before any roll-over (day and month periods).
    pub nominal_last_day: Option<NaiveDate>,
    /// 24:00 of the nominal last day, or the exact instant of an hour period.
    pub nominal_end: DateTime<FixedOffset>,
    /// When the period ends (`+08:00`): act before this instant.
    pub due: DateTime<FixedOffset>,
    /// Some year involved had no calendar and plain weekends were assumed.
    pub provisional: bool,
    pub explain: Vec<Step>,
}

impl PeriodResult {
    /// The explanation as sentences in `lang`, in order.
    pub fn explain_text(&self, lang: Lang) -> Vec<String> {
        self.explain.iter().map(|s| s.text(lang)).collect()
    }
}

/// 00:00 (China time) of `d` (`None` only at the very edge of the date range).
#[inline]
pub fn midnight(d: NaiveDate) -> Option<DateTime<FixedOffset>> {
    // 00:00 at +08:00 is 16:00 UTC of the previous day.
    let utc = d
        .and_time(NaiveTime::MIN)
        .checked_sub_signed(TimeDelta::hours(8))?;
    Some(DateTime::from_naive_utc_and_offset(utc, BEIJING))
}

/// 24:00 of `d`, i.e. 00:00 of the next day.
#[inline]
fn end_of_day(d: NaiveDate) -> Result<DateTime<FixedOffset>, PeriodError> {
    d.succ_opt()
        .and_then(midnight)
        .ok_or(PeriodError::OutOfRange)
}

/// Looks days up, refusing or flagging unknown years.
struct Looker<'a> {
    cals: &'a Calendars,
    provisional: bool,
    assumed: Vec<i32>,
}

impl Looker<'_> {
    #[inline]
    fn is_working(&mut self, d: NaiveDate) -> Result<bool, PeriodError> {
        match self.cals.is_working_day(d) {
            Ok(w) => Ok(w),
            Err(UnknownYear(year)) if self.provisional => {
                if !self.assumed.contains(&year) {
                    self.assumed.push(year);
                }
                Ok(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            }
            Err(UnknownYear(year)) => Err(PeriodError::CalendarUnknown { year }),
        }
    }

    /// Why `d` (known to be a rest day) is one.
    fn day_off(&self, d: NaiveDate) -> DayOff {
        match self.cals.year(d.year()).and_then(|c| c.rest_kind(d)) {
            Some(RestKind::Holiday(h)) => DayOff::Holiday {
                date: d,
                name_zh: h.name_zh.clone(),
                name_en: h.name_en.clone(),
            },
            Some(RestKind::Weekend) => DayOff::Weekend {
                date: d,
                weekday: weekday_en(d),
            },
            None => DayOff::AssumedWeekend {
                date: d,
                weekday: weekday_en(d),
            },
        }
    }
}

/// Computes the end of a period that starts at `start`. See the module documentation for
/// the rules. A year without a calendar that the answer depends on gives
/// [`PeriodError::CalendarUnknown`].
pub fn compute(
    start: impl Into<DateTime<FixedOffset>>,
    spec: &PeriodSpec,
    cals: &Calendars,
) -> Result<PeriodResult, PeriodError> {
    compute_with(start, spec, cals, ComputeOptions::default())
}

/// [`compute`] with options (e.g. a provisional answer for an unknown year).
pub fn compute_with(
    start: impl Into<DateTime<FixedOffset>>,
    spec: &PeriodSpec,
    cals: &Calendars,
    opts: ComputeOptions,
) -> Result<PeriodResult, PeriodError> {
    let start = start.into().with_timezone(&BEIJING);
    let span = spec.span();
    span.check()?;
    let mut explain = Vec::with_capacity(6);
    explain.push(Step::Start {
        at: start,
        period: span,
        mode: spec.mode,
    });
    let mut look = Looker {
        cals,
        provisional: opts.provisional,
        assumed: Vec::new(),
    };

    if span.unit == Unit::Hours {
        if spec.mode == Mode::WorkingDays {
            return Err(PeriodError::WorkingDaysNeedDays { unit: span.unit });
        }
        let due = start
            .checked_add_signed(TimeDelta::hours(i64::from(span.amount)))
            .ok_or(PeriodError::OutOfRange)?;
        explain.push(Step::CountedFromInstant { at: start });
        explain.push(Step::NominalEnd {
            last_day: None,
            at: due,
        });
        explain.push(Step::HoursExact);
        explain.push(Step::Due { at: due });
        return Ok(PeriodResult {
            start,
            spec: *spec,
            last_day: None,
            nominal_last_day: None,
            nominal_end: due,
            due,
            provisional: false,
            explain,
        });
    }

    let start_day = start.date_naive();
    let first_day = start_day.succ_opt().ok_or(PeriodError::OutOfRange)?;
    explain.push(Step::CountedFromDay {
        start_day,
        first_day,
    });

    let nominal_last = match (span.unit, spec.mode) {
        (Unit::Months, Mode::WorkingDays) => {
            return Err(PeriodError::WorkingDaysNeedDays { unit: span.unit });
        }
        (Unit::Days, Mode::WorkingDays) => {
            let mut d = start_day;
            let mut counted = 0u32;
            let mut weekend_days = 0u32;
            let mut holidays: Vec<HolidaySkipped> = Vec::new();
            while counted < span.amount {
                d = d.succ_opt().ok_or(PeriodError::OutOfRange)?;
                if look.is_working(d)? {
                    counted += 1;
                    continue;
                }
                match cals.year(d.year()).and_then(|c| c.rest_kind(d)) {
                    Some(RestKind::Holiday(h)) => match holidays.last_mut() {
                        Some(last) if last.name_zh == h.name_zh => last.days += 1,
                        _ => holidays.push(HolidaySkipped {
                            name_zh: h.name_zh.clone(),
                            name_en: h.name_en.clone(),
                            days: 1,
                        }),
                    },
                    _ => weekend_days += 1,
                }
            }
            explain.push(Step::WorkingDaysCounted {
                first: first_day,
                last: d,
                working_days: counted,
                weekend_days,
                holidays,
            });
            d
        }
        (Unit::Days, _) => start_day
            .checked_add_days(Days::new(u64::from(span.amount)))
            .ok_or(PeriodError::OutOfRange)?,
        (Unit::Months, _) => {
            let d = start_day
                .checked_add_months(Months::new(span.amount))
                .ok_or(PeriodError::OutOfRange)?;
            if d.day() != start_day.day() {
                explain.push(Step::MonthEnd {
                    wanted_day: start_day.day(),
                    last_day: d,
                });
            }
            d
        }
        (Unit::Hours, _) => return Err(PeriodError::OutOfRange),
    };
    let nominal_end = end_of_day(nominal_last)?;
    explain.push(Step::NominalEnd {
        last_day: Some(nominal_last),
        at: nominal_end,
    });

    let last = match spec.mode {
        Mode::Custody => {
            // Never extended; the calendar only colours the explanation.
            let (day_off, known) = match cals.is_working_day(nominal_last) {
                Ok(true) => (None, true),
                Ok(false) => (Some(look.day_off(nominal_last)), true),
                Err(_) => (None, false),
            };
            explain.push(Step::CustodyNotExtended {
                last_day: nominal_last,
                day_off,
                calendar_known: known,
            });
            nominal_last
        }
        Mode::WorkingDays => nominal_last,
        Mode::Legal => {
            let mut d = nominal_last;
            let mut days_off = Vec::new();
            while !look.is_working(d)? {
                days_off.push(look.day_off(d));
                if days_off.len() as u32 > MAX_ROLL {
                    return Err(PeriodError::EndlessRollOver {
                        from: nominal_last,
                        days: MAX_ROLL,
                    });
                }
                d = d.succ_opt().ok_or(PeriodError::OutOfRange)?;
            }
            if days_off.is_empty() {
                explain.push(Step::LastDayWorking { date: d });
            } else {
                explain.push(Step::RollOver {
                    from: nominal_last,
                    to: d,
                    days_off,
                });
            }
            d
        }
    };
    let due = end_of_day(last)?;
    for &year in &look.assumed {
        explain.push(Step::Provisional { year });
    }
    explain.push(Step::Due { at: due });
    Ok(PeriodResult {
        start,
        spec: *spec,
        last_day: Some(last),
        nominal_last_day: Some(nominal_last),
        nominal_end,
        due,
        provisional: !look.assumed.is_empty(),
        explain,
    })
}

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
pub mod rules;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveTime, TimeDelta, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::error::Lang;
pub use calendar::{CalendarError, Calendars, Holiday, RestKind, UnknownYear, YearCalendar};
pub use rules::{
    AppliedExclusion, AppliedExtension, Approval, Basis, CaseKind, Deadline, DeadlineError,
    DeadlineEvent, DeadlineRule, Excluded, Extension, ExtensionSize, RuleCatalog, RuleCatalogError,
    RulePeriod,
};

/// China Standard Time, the offset every legal date is read in ([`crate::time::BEIJING`]).
pub const CHINA: FixedOffset = crate::time::BEIJING;

/// Upper bounds on a period, far above any statutory one (guards against overflow and
/// absurd input): 100 000 hours, 10 000 days, 1 200 months.
const MAX_HOURS: u32 = 100_000;
const MAX_DAYS: u32 = 10_000;
const MAX_MONTHS: u32 = 1_200;

/// How many rest days in a row a roll-over may cross before the calendar is judged
/// broken (the longest real holiday block is 9 days).
const MAX_ROLL: u32 = 40;

/// The unit of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hours,
    Days,
    Months,
}

impl Unit {
    pub fn suffix(self) -> char {
        match self {
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Months => 'm',
        }
    }
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Unit::Hours, Lang::Zh) => "小时",
            (Unit::Days, Lang::Zh) => "日",
            (Unit::Months, Lang::Zh) => "个月",
            (Unit::Hours, Lang::En) => "hours",
            (Unit::Days, Lang::En) => "days",
            (Unit::Months, Lang::En) => "months",
        }
    }
}

/// A length of time in one unit: `24h`, `30d`, `2m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub amount: u32,
    pub unit: Unit,
}

impl Span {
    pub const fn new(amount: u32, unit: Unit) -> Span {
        Span { amount, unit }
    }
    pub fn hours(n: u32) -> Span {
        Span::new(n, Unit::Hours)
    }
    pub fn days(n: u32) -> Span {
        Span::new(n, Unit::Days)
    }
    pub fn months(n: u32) -> Span {
        Span::new(n, Unit::Months)
    }
    /// In words, e.g. `30日` / `30 days`.
    pub fn describe(self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("{}{}", self.amount, self.unit.name(lang)),
            Lang::En => format!("{} {}", self.amount, self.unit.name(lang)),
        }
    }
    fn check(self) -> Result<(), PeriodError> {
        let max = match self.unit {
            Unit::Hours => MAX_HOURS,
            Unit::Days => MAX_DAYS,
            Unit::Months => MAX_MONTHS,
        };
        if self.amount == 0 || self.amount > max {
            return Err(PeriodError::InvalidAmount {
                span: self.to_string(),
                max,
            });
        }
        Ok(())
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

impl FromStr for Span {
    type Err = PeriodError;
    /// `<N>h`, `<N>d` or `<N>m` (N a positive whole number).
    fn from_str(s: &str) -> Result<Span, PeriodError> {
        let bad = || PeriodError::BadSpan {
            input: s.to_string(),
        };
        let s2 = s.trim();
        let unit = match s2.chars().last() {
            Some('h') | Some('H') => Unit::Hours,
            Some('d') | Some('D') => Unit::Days,
            Some('m') | Some('M') => Unit::Months,
            _ => return Err(bad()),
        };
        let digits = &s2[..s2.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let span = Span { amount, unit };
        span.check()?;
        Ok(span)
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How the end of a period is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Natural days; a last day that is a rest day rolls over to the next working day.
    #[default]
    Legal,
    /// Custody or restricted personal liberty: natural days, never extended.
    Custody,
    /// Working days only (days unit only).
    WorkingDays,
}

impl Mode {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Mode::Legal, Lang::Zh) => "法定期间（末日遇节假日顺延）",
            (Mode::Custody, Lang::Zh) => "羁押/限制人身自由期间（不因节假日延长）",
            (Mode::WorkingDays, Lang::Zh) => "工作日期间",
            (Mode::Legal, Lang::En) => "legal period (a last day that is a rest day rolls over)",
            (Mode::Custody, Lang::En) => "custody / restricted liberty (never extended)",
            (Mode::WorkingDays, Lang::En) => "working days",
        }
    }
}

/// A period to count: an amount of a unit, counted in a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeriodSpec {
    pub amount: u32,
    pub unit: Unit,
    pub mode: Mode,
}

impl PeriodSpec {
    pub fn new(span: Span, mode: Mode) -> PeriodSpec {
        PeriodSpec {
            amount: span.amount,
            unit: span.unit,
            mode,
        }
    }
    pub fn span(&self) -> Span {
        Span::new(self.amount, self.unit)
    }
}

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

/// Why a day is not a working day (for explanations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayOff {
    /// A Saturday or Sunday that is not a make-up working day.
    Weekend {
        date: NaiveDate,
        weekday: &'static str,
    },
    /// A public holiday.
    Holiday {
        date: NaiveDate,
        name_zh: String,
        name_en: String,
    },
    /// A Saturday or Sunday of a year without a calendar (provisional answers only).
    AssumedWeekend {
        date: NaiveDate,
        weekday: &'static str,
    },
}

impl DayOff {
    pub fn date(&self) -> NaiveDate {
        match self {
            DayOff::Weekend { date, .. }
            | DayOff::Holiday { date, .. }
            | DayOff::AssumedWeekend { date, .. } => *date,
        }
    }
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (DayOff::Weekend { date, weekday }, Lang::Zh) => {
                format!("{date}（{}）为休息日", weekday_zh(weekday))
            }
            (DayOff::Weekend { date, weekday }, Lang::En) => {
                format!("{date} is a {weekday} (rest day)")
            }
            (DayOff::Holiday { date, name_zh, .. }, Lang::Zh) => format!("{date} 为{name_zh}假期"),
            (DayOff::Holiday { date, name_en, .. }, Lang::En) => {
                format!("{date} is a public holiday ({name_en})")
            }
            (DayOff::AssumedWeekend { date, weekday }, Lang::Zh) => {
                format!(
                    "{date}（{}）按普通周末视为休息日（该年节假日安排未载入）",
                    weekday_zh(weekday)
                )
            }
            (DayOff::AssumedWeekend { date, weekday }, Lang::En) => {
                format!(
                    "{date} is a {weekday}, assumed a rest day (that year's calendar is not loaded)"
                )
            }
        }
    }
}

fn weekday_zh(en: &str) -> &'static str {
    match en {
        "Monday" => "星期一",
        "Tuesday" => "星期二",
        "Wednesday" => "星期三",
        "Thursday" => "星期四",
        "Friday" => "星期五",
        "Saturday" => "星期六",
        _ => "星期日",
    }
}

fn weekday_en(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Days of one holiday block skipped while counting working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidaySkipped {
    pub name_zh: String,
    pub name_en: String,
    pub days: u32,
}

/// One step of an explanation. Dates are China dates; instants are `+08:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The event that starts the period.
    Start {
        at: DateTime<FixedOffset>,
        period: Span,
        mode: Mode,
    },
    /// An hour period runs from the start instant itself.
    CountedFromInstant { at: DateTime<FixedOffset> },
    /// A day or month period: the start day is not counted; counting begins the next day.
    CountedFromDay {
        start_day: NaiveDate,
        first_day: NaiveDate,
    },
    /// A month period whose corresponding day does not exist ends on the month's last day.
    MonthEnd {
        wanted_day: u32,
        last_day: NaiveDate,
    },
    /// Working days counted, with the rest days skipped on the way: weekend days, and the
    /// days of each holiday block crossed.
    WorkingDaysCounted {
        first: NaiveDate,
        last: NaiveDate,
        working_days: u32,
        weekend_days: u32,
        holidays: Vec<HolidaySkipped>,
    },
    /// The nominal end: 24:00 of the nominal last day, or the exact instant for hours.
    NominalEnd {
        last_day: Option<NaiveDate>,
        at: DateTime<FixedOffset>,
    },
    /// An hour period ends at its exact instant: no roll-over.
    HoursExact,
    /// The last day is a rest day: the period ends on the first working day after it.
    RollOver {
        from: NaiveDate,
        to: NaiveDate,
        days_off: Vec<DayOff>,
    },
    /// The last day is a working day: no roll-over.
    LastDayWorking { date: NaiveDate },
    /// A custody period is never extended, even when its last day is a rest day.
    CustodyNotExtended {
        last_day: NaiveDate,
        day_off: Option<DayOff>,
        calendar_known: bool,
    },
    /// A year without a calendar was assumed to have plain weekends only.
    Provisional { year: i32 },
    /// An approved extension (see [`Deadline::extend`]).
    Extension {
        index: usize,
        size: String,
        approved_by: String,
        approved_at: DateTime<FixedOffset>,
    },
    /// Time left out of the period (see [`Deadline::exclude`]).
    Excluded {
        reason: String,
        first_day: Option<NaiveDate>,
        last_day: Option<NaiveDate>,
        from: Option<DateTime<FixedOffset>>,
        until: Option<DateTime<FixedOffset>>,
        days: Option<u32>,
    },
    /// The period ends at this instant.
    Due { at: DateTime<FixedOffset> },
}

fn ts(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

impl Step {
    /// The step in words.
    pub fn text(&self, lang: Lang) -> String {
        use Lang::{En, Zh};
        match (self, lang) {
            (Step::Start { at, period, mode }, Zh) => {
                format!(
                    "起算时刻 {}；期间 {}；{}",
                    ts(at),
                    period.describe(Zh),
                    mode.name(Zh)
                )
            }
            (Step::Start { at, period, mode }, En) => {
                format!(
                    "starts at {}; period {}; {}",
                    ts(at),
                    period.describe(En),
                    mode.name(En)
                )
            }
            (Step::CountedFromInstant { at }, Zh) => {
                format!("以小时计算，开始之时不计，自 {} 起计满", ts(at))
            }
            (Step::CountedFromInstant { at }, En) => {
                format!(
                    "counted in hours from the start instant {} (the starting hour is not counted as a whole hour)",
                    ts(at)
                )
            }
            (
                Step::CountedFromDay {
                    start_day,
                    first_day,
                },
                Zh,
            ) => {
                format!("开始之日 {start_day} 不计入，自 {first_day} 起算")
            }
            (
                Step::CountedFromDay {
                    start_day,
                    first_day,
                },
                En,
            ) => {
                format!("the start day {start_day} is not counted; counting begins on {first_day}")
            }
            (
                Step::MonthEnd {
                    wanted_day,
                    last_day,
                },
                Zh,
            ) => {
                format!("到期月没有第 {wanted_day} 日，以该月末日 {last_day} 为期间最后一日")
            }
            (
                Step::MonthEnd {
                    wanted_day,
                    last_day,
                },
                En,
            ) => {
                format!(
                    "the final month has no day {wanted_day}: its last day {last_day} is the period's last day"
                )
            }
            (
                Step::WorkingDaysCounted {
                    first,
                    last,
                    working_days,
                    weekend_days,
                    holidays,
                },
                Zh,
            ) => {
                let mut s = format!("只计工作日：{first} 至 {last} 共 {working_days} 个工作日");
                if *weekend_days > 0 {
                    s.push_str(&format!("，跳过周末休息日 {weekend_days} 天"));
                }
                for h in holidays {
                    s.push_str(&format!("，跳过{}假期 {} 天", h.name_zh, h.days));
                }
                s
            }
            (
                Step::WorkingDaysCounted {
                    first,
                    last,
                    working_days,
                    weekend_days,
                    holidays,
                },
                En,
            ) => {
                let mut s = format!(
                    "working days only: {working_days} working days from {first} to {last}"
                );
                if *weekend_days > 0 {
                    s.push_str(&format!("; {weekend_days} weekend days skipped"));
                }
                for h in holidays {
                    s.push_str(&format!(
                        "; {} holiday days skipped ({})",
                        h.days, h.name_en
                    ));
                }
                s
            }
            (
                Step::NominalEnd {
                    last_day: Some(d),
                    at,
                },
                Zh,
            ) => format!("期间最后一日 {d}，至该日 24 时（{}）", ts(at)),
            (
                Step::NominalEnd {
                    last_day: Some(d),
                    at,
                },
                En,
            ) => format!("nominal last day {d}, ending at 24:00 ({})", ts(at)),
            (Step::NominalEnd { last_day: None, at }, Zh) => format!("期满时刻 {}", ts(at)),
            (Step::NominalEnd { last_day: None, at }, En) => format!("nominal end {}", ts(at)),
            (Step::HoursExact, Zh) => "以小时计算的期间至期满时刻为止，不因节假日顺延".to_string(),
            (Step::HoursExact, En) => {
                "an hour period ends at its exact instant; no holiday roll-over".to_string()
            }
            (Step::RollOver { from, to, days_off }, Zh) => {
                let why: Vec<String> = days_off.iter().map(|d| d.describe(Zh)).collect();
                format!(
                    "最后一日 {from} 为节假日（{}），以节假日后的第一个工作日 {to} 为期满日",
                    why.join("；")
                )
            }
            (Step::RollOver { from, to, days_off }, En) => {
                let why: Vec<String> = days_off.iter().map(|d| d.describe(En)).collect();
                format!(
                    "the last day {from} is a rest day ({}); the period ends on the first working day after it, {to}",
                    why.join("; ")
                )
            }
            (Step::LastDayWorking { date }, Zh) => format!("最后一日 {date} 为工作日，无需顺延"),
            (Step::LastDayWorking { date }, En) => {
                format!("the last day {date} is a working day: no roll-over")
            }
            (
                Step::CustodyNotExtended {
                    last_day,
                    day_off,
                    calendar_known,
                },
                Zh,
            ) => match (day_off, calendar_known) {
                (Some(off), _) => {
                    format!(
                        "{}；羁押、限制人身自由期间至期满之日为止，不因节假日延长",
                        off.describe(Zh)
                    )
                }
                (None, true) => {
                    format!("最后一日 {last_day} 为工作日；羁押、限制人身自由期间本不因节假日延长")
                }
                (None, false) => format!(
                    "羁押、限制人身自由期间不因节假日延长，无需查询 {} 年节假日安排",
                    last_day.year()
                ),
            },
            (
                Step::CustodyNotExtended {
                    last_day,
                    day_off,
                    calendar_known,
                },
                En,
            ) => match (day_off, calendar_known) {
                (Some(off), _) => {
                    format!(
                        "{}; a custody / restricted-liberty period ends on its last day and is never extended",
                        off.describe(En)
                    )
                }
                (None, true) => format!(
                    "the last day {last_day} is a working day; custody periods are never extended anyway"
                ),
                (None, false) => format!(
                    "custody periods are never extended: the {} calendar is not needed",
                    last_day.year()
                ),
            },
            (Step::Provisional { year }, Zh) => {
                format!(
                    "【暂定】{year} 年节假日安排尚未载入，按普通周末计算，正式安排公布后须重新计算"
                )
            }
            (Step::Provisional { year }, En) => format!(
                "PROVISIONAL: the {year} holiday calendar is not loaded; plain weekends assumed; recompute once it is published"
            ),
            (
                Step::Extension {
                    index,
                    size,
                    approved_by,
                    approved_at,
                },
                Zh,
            ) => {
                format!(
                    "经 {approved_by} 于 {} 批准延长（第 {} 项延长）：{size}",
                    ts(approved_at),
                    index + 1
                )
            }
            (
                Step::Extension {
                    index,
                    size,
                    approved_by,
                    approved_at,
                },
                En,
            ) => {
                format!(
                    "extension #{} ({size}) approved by {approved_by} at {}",
                    index + 1,
                    ts(approved_at)
                )
            }
            (
                Step::Excluded {
                    reason,
                    first_day: Some(a),
                    last_day: Some(b),
                    days,
                    ..
                },
                Zh,
            ) => format!(
                "{a} 至 {b}（{} 日）{reason}期间不计入，期间最后一日相应顺后",
                days.unwrap_or(0)
            ),
            (
                Step::Excluded {
                    reason,
                    first_day: Some(a),
                    last_day: Some(b),
                    days,
                    ..
                },
                En,
            ) => format!(
                "{a} to {b} ({} days, {reason}) not counted: the last day moves later by as much",
                days.unwrap_or(0)
            ),
            (
                Step::Excluded {
                    reason,
                    from,
                    until,
                    ..
                },
                Zh,
            ) => format!(
                "{} 至 {} {reason}时间不计入，期满时刻相应顺后",
                from.as_ref().map(ts).unwrap_or_default(),
                until.as_ref().map(ts).unwrap_or_default()
            ),
            (
                Step::Excluded {
                    reason,
                    from,
                    until,
                    ..
                },
                En,
            ) => format!(
                "{} to {} ({reason}) not counted: the end moves later by as long",
                from.as_ref().map(ts).unwrap_or_default(),
                until.as_ref().map(ts).unwrap_or_default()
            ),
            (Step::Due { at }, Zh) => format!("期满时刻 {}", ts(at)),
            (Step::Due { at }, En) => format!("due at {}", ts(at)),
        }
    }
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
    Some(DateTime::from_naive_utc_and_offset(utc, CHINA))
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
    let start = start.into().with_timezone(&CHINA);
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

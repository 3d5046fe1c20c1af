//! The explanation of a computed period: its steps, rendered in Chinese or English.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
use serde::Serialize;

use super::{Mode, Span};
use crate::error::Lang;

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

pub(super) fn weekday_en(d: NaiveDate) -> &'static str {
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
    /// The stable name of the step (`start`, `roll_over`, …), as it is serialized.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Start { .. } => "start",
            Step::CountedFromInstant { .. } => "counted_from_instant",
            Step::CountedFromDay { .. } => "counted_from_day",
            Step::MonthEnd { .. } => "month_end",
            Step::WorkingDaysCounted { .. } => "working_days_counted",
            Step::NominalEnd { .. } => "nominal_end",
            Step::HoursExact => "hours_exact",
            Step::RollOver { .. } => "roll_over",
            Step::LastDayWorking { .. } => "last_day_working",
            Step::CustodyNotExtended { .. } => "custody_not_extended",
            Step::Provisional { .. } => "provisional",
            Step::Extension { .. } => "extension",
            Step::Excluded { .. } => "excluded",
            Step::Due { .. } => "due",
        }
    }

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
                lang,
            ) => match lang {
                Zh => format!("开始之日 {start_day} 不计入，自 {first_day} 起算"),
                En => format!(
                    "the start day {start_day} is not counted; counting begins on {first_day}"
                ),
            },
            (
                Step::MonthEnd {
                    wanted_day,
                    last_day,
                },
                lang,
            ) => match lang {
                Zh => format!("到期月没有第 {wanted_day} 日，以该月末日 {last_day} 为期间最后一日"),
                En => format!(
                    "the final month has no day {wanted_day}: its last day {last_day} is the period's last day"
                ),
            },
            (
                Step::WorkingDaysCounted {
                    first,
                    last,
                    working_days,
                    weekend_days,
                    holidays,
                },
                lang,
            ) => {
                let mut s = match lang {
                    Zh => format!("只计工作日：{first} 至 {last} 共 {working_days} 个工作日"),
                    En => format!(
                        "working days only: {working_days} working days from {first} to {last}"
                    ),
                };
                if *weekend_days > 0 {
                    s.push_str(&match lang {
                        Zh => format!("，跳过周末休息日 {weekend_days} 天"),
                        En => format!("; {weekend_days} weekend days skipped"),
                    });
                }
                for h in holidays {
                    s.push_str(&match lang {
                        Zh => format!("，跳过{}假期 {} 天", h.name_zh, h.days),
                        En => format!("; {} holiday days skipped ({})", h.days, h.name_en),
                    });
                }
                s
            }
            (
                Step::NominalEnd {
                    last_day: Some(d),
                    at,
                },
                lang,
            ) => match lang {
                Zh => format!("期间最后一日 {d}，至该日 24 时（{}）", ts(at)),
                En => format!("nominal last day {d}, ending at 24:00 ({})", ts(at)),
            },
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
                lang,
            ) => match (day_off, calendar_known, lang) {
                (Some(off), _, Zh) => {
                    format!(
                        "{}；羁押、限制人身自由期间至期满之日为止，不因节假日延长",
                        off.describe(Zh)
                    )
                }
                (Some(off), _, En) => {
                    format!(
                        "{}; a custody / restricted-liberty period ends on its last day and is never extended",
                        off.describe(En)
                    )
                }
                (None, true, Zh) => {
                    format!("最后一日 {last_day} 为工作日；羁押、限制人身自由期间本不因节假日延长")
                }
                (None, true, En) => format!(
                    "the last day {last_day} is a working day; custody periods are never extended anyway"
                ),
                (None, false, Zh) => format!(
                    "羁押、限制人身自由期间不因节假日延长，无需查询 {} 年节假日安排",
                    last_day.year()
                ),
                (None, false, En) => format!(
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
                lang,
            ) => match lang {
                Zh => format!(
                    "经 {approved_by} 于 {} 批准延长（第 {} 项延长）：{size}",
                    ts(approved_at),
                    index + 1
                ),
                En => format!(
                    "extension #{} ({size}) approved by {approved_by} at {}",
                    index + 1,
                    ts(approved_at)
                ),
            },
            (
                Step::Excluded {
                    reason,
                    first_day: Some(a),
                    last_day: Some(b),
                    days,
                    ..
                },
                lang,
            ) => match lang {
                Zh => format!(
                    "{a} 至 {b}（{} 日）{reason}期间不计入，期间最后一日相应顺后",
                    days.unwrap_or(0)
                ),
                En => format!(
                    "{a} to {b} ({} days, {reason}) not counted: the last day moves later by as much",
                    days.unwrap_or(0)
                ),
            },
            (
                Step::Excluded {
                    reason,
                    from,
                    until,
                    ..
                },
                lang,
            ) => {
                let (from, until) = (
                    from.as_ref().map(ts).unwrap_or_default(),
                    until.as_ref().map(ts).unwrap_or_default(),
                );
                match lang {
                    Zh => format!("{from} 至 {until} {reason}时间不计入，期满时刻相应顺后"),
                    En => format!(
                        "{from} to {until} ({reason}) not counted: the end moves later by as long"
                    ),
                }
            }
            (Step::Due { at }, Zh) => format!("期满时刻 {}", ts(at)),
            (Step::Due { at }, En) => format!("due at {}", ts(at)),
        }
    }
}

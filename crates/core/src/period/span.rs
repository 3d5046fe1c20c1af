//! What a period is: an amount of hours, days or months, and the mode it is counted in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::PeriodError;
use crate::error::Lang;

/// Upper bounds on a period, far above any statutory one (guards against overflow and
/// absurd input): 100 000 hours, 10 000 days, 1 200 months.
const MAX_HOURS: u32 = 100_000;
const MAX_DAYS: u32 = 10_000;
const MAX_MONTHS: u32 = 1_200;

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
    pub(super) fn check(self) -> Result<(), PeriodError> {
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

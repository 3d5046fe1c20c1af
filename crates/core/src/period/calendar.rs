//! Official working-day calendars (国务院办公厅 部分节假日安排), one per year, as data.
//!
//! A year's file lists its holiday blocks (days off) and the make-up working days
//! (调休上班: Saturdays or Sundays worked in exchange). A day is a *working day* when it
//! is a make-up working day, or a Monday–Friday that is not a holiday; every other day
//! (a Saturday or Sunday not worked, or a holiday) is a *rest day*.
//!
//! The years 2025 and 2026 are built in (`data/calendars/<year>.toml`); an administrator
//! adds the next year with [`Calendars::add_toml`] (the CLI reads a directory of such
//! files) without a release. Every file is validated when it is loaded; a year that was
//! never loaded is *unknown*, and a question about it is answered with an error, never
//! a guess.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The calendar files shipped with the binary: (file name, contents).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "2025.toml",
        include_str!("../../../../data/calendars/2025.toml"),
    ),
    (
        "2026.toml",
        include_str!("../../../../data/calendars/2026.toml"),
    ),
];

/// Years a calendar may describe (a guard against typos such as `year = 20260`).
const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2200;

/// Why a calendar file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar {file}: {message}")]
pub struct CalendarError {
    /// The file (or upload) the calendar came from.
    pub file: String,
    pub message: String,
}

/// One holiday block of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub makeup_workdays: Vec<NaiveDate>,
}

/// Why a day is a rest day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestKind<'a> {
    /// A Saturday or Sunday that is not a make-up working day.
    Weekend,
    /// A day of a holiday block.
    Holiday(&'a Holiday),
}

/// A validated calendar of one year, with a bit set of its rest days for O(1) lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    pub year: i32,
    pub source: String,
    pub holidays: Vec<Holiday>,
    /// Bit `ordinal0` set = rest day.
    #[serde(skip)]
    rest: [u64; 6],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    name_zh: String,
    name_en: String,
    first: toml::value::Datetime,
    last: toml::value::Datetime,
    #[serde(default)]
    makeup_workdays: Vec<toml::value::Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    year: i32,
    source: String,
    #[serde(default)]
    holiday: Vec<HolidayFile>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn to_date(v: &toml::value::Datetime, what: &str) -> Result<NaiveDate, String> {
    match (&v.date, &v.time, &v.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{what}: {v} is not a calendar date"))
        }
        _ => Err(format!(
            "{what}: {v} must be a plain date such as 2026-10-01"
        )),
    }
}

impl YearCalendar {
    /// Parses and validates one year's file. `source` names it in error messages
    /// (e.g. the file name). Rules: the year is plausible; the source note and every
    /// holiday name are present; every date lies inside the year; a block's first day is
    /// not after its last; blocks do not overlap; a make-up working day is a Saturday or
    /// Sunday, outside every holiday block, and listed once.
    pub fn parse(source: &str, text: &str) -> Result<YearCalendar, CalendarError> {
        let err = |message: String| CalendarError {
            file: source.to_string(),
            message,
        };
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let year = file.year;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(err(format!(
                "year {year} is outside {MIN_YEAR}..{MAX_YEAR}"
            )));
        }
        if file.source.trim().is_empty() {
            return Err(err(
                "`source` (the notice this calendar comes from) must not be empty".into(),
            ));
        }
        let mut holidays: Vec<Holiday> = Vec::with_capacity(file.holiday.len());
        for (i, h) in file.holiday.iter().enumerate() {
            let label = if h.name_zh.trim().is_empty() {
                format!("holiday #{}", i + 1)
            } else {
                h.name_zh.clone()
            };
            if h.name_zh.trim().is_empty() {
                return Err(err(format!(
                    "holiday #{}: name_zh must not be empty",
                    i + 1
                )));
            }
            if h.name_en.trim().is_empty() {
                return Err(err(format!("holiday {label}: name_en must not be empty")));
            }
            let first = to_date(&h.first, &format!("holiday {label}: first")).map_err(&err)?;
            let last = to_date(&h.last, &format!("holiday {label}: last")).map_err(&err)?;
            let mut makeup = Vec::with_capacity(h.makeup_workdays.len());
            for m in &h.makeup_workdays {
                makeup
                    .push(to_date(m, &format!("holiday {label}: makeup_workdays")).map_err(&err)?);
            }
            for d in [first, last].iter().chain(makeup.iter()) {
                if d.year() != year {
                    return Err(err(format!("holiday {label}: {d} is not in {year}")));
                }
            }
            if first > last {
                return Err(err(format!(
                    "holiday {label}: first day {first} is after last day {last}"
                )));
            }
            holidays.push(Holiday {
                name_zh: h.name_zh.trim().to_string(),
                name_en: h.name_en.trim().to_string(),
                first,
                last,
                makeup_workdays: makeup,
            });
        }
        holidays.sort_by_key(|h| h.first);
        for pair in holidays.windows(2) {
            if let [a, b] = pair
                && b.first <= a.last
            {
                return Err(err(format!(
                    "holidays {} ({}..{}) and {} ({}..{}) overlap",
                    a.name_zh, a.first, a.last, b.name_zh, b.first, b.last
                )));
            }
        }
        let mut seen: Vec<NaiveDate> = Vec::new();
        for h in &holidays {
            for &m in &h.makeup_workdays {
                if !is_weekend(m) {
                    return Err(err(format!(
                        "holiday {}: make-up working day {m} is a {:?}, not a Saturday or Sunday",
                        h.name_zh,
                        m.weekday()
                    )));
                }
                if let Some(other) = holidays.iter().find(|o| o.first <= m && m <= o.last) {
                    return Err(err(format!(
                        "{m} is both a make-up working day (of {}) and a holiday ({})",
                        h.name_zh, other.name_zh
                    )));
                }
                if seen.contains(&m) {
                    return Err(err(format!("make-up working day {m} is listed twice")));
                }
                seen.push(m);
            }
        }
        let mut cal = YearCalendar {
            year,
            source: file.source.trim().to_string(),
            holidays,
            rest: [0; 6],
        };
        cal.build_bits();
        Ok(cal)
    }

    fn build_bits(&mut self) {
        let mut rest = [0u64; 6];
        let mut set = |d: NaiveDate, on: bool| {
            let i = d.ordinal0() as usize;
            if let Some(w) = rest.get_mut(i / 64) {
                if on {
                    *w |= 1 << (i % 64);
                } else {
                    *w &= !(1 << (i % 64));
                }
            }
        };
        let mut d = NaiveDate::from_yo_opt(self.year, 1);
        while let Some(day) = d {
            if day.year() != self.year {
                break;
            }
            set(day, is_weekend(day));
            d = day.succ_opt();
        }
        for h in &self.holidays {
            for day in h.first.iter_days().take_while(|x| *x <= h.last) {
                set(day, true);
            }
            for &m in &h.makeup_workdays {
                set(m, false);
            }
        }
        self.rest = rest;
    }

    /// Whether `d` (which must lie in this year) is a rest day.
    #[inline]
    fn is_rest(&self, d: NaiveDate) -> bool {
        let i = d.ordinal0() as usize;
        self.rest
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Why `d` is a rest day, or `None` for a working day.
    pub fn rest_kind(&self, d: NaiveDate) -> Option<RestKind<'_>> {
        if !self.is_rest(d) {
            return None;
        }
        match self.holidays.iter().find(|h| h.first <= d && d <= h.last) {
            Some(h) => Some(RestKind::Holiday(h)),
            None => Some(RestKind::Weekend),
        }
    }

    /// The holiday block whose make-up working day `d` is, if any.
    pub fn makeup_of(&self, d: NaiveDate) -> Option<&Holiday> {
        self.holidays
            .iter()
            .find(|h| h.makeup_workdays.contains(&d))
    }

    /// Number of rest days in the year.
    pub fn rest_days(&self) -> u32 {
        self.rest.iter().map(|w| w.count_ones()).sum()
    }
}

/// The set of loaded year calendars: loaded once, shared read-only.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    /// Indexed by `year - first_year`.
    first_year: i32,
    years: Vec<Option<YearCalendar>>,
}

/// The answer to "is this day a working day?" for a day of an unknown year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownYear(pub i32);

impl Calendars {
    /// No calendar at all: every question is answered "unknown year".
    pub fn empty() -> Calendars {
        Calendars::default()
    }

    /// The calendars shipped with the binary (2025, 2026).
    pub fn builtin() -> Result<Calendars, CalendarError> {
        let mut c = Calendars::empty();
        for (name, text) in BUILTIN {
            c.add_toml(name, text)?;
        }
        Ok(c)
    }

    /// Validates `text` and adds (or replaces) its year. When `source` is a file name of
    /// the form `<year>.toml`, the year inside must match it.
    pub fn add_toml(&mut self, source: &str, text: &str) -> Result<i32, CalendarError> {
        let cal = YearCalendar::parse(source, text)?;
        let stem = std::path::Path::new(source)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if let Ok(named) = stem.parse::<i32>()
            && named != cal.year
        {
            return Err(CalendarError {
                file: source.to_string(),
                message: format!("file is named for {named} but describes year {}", cal.year),
            });
        }
        let year = cal.year;
        self.insert(cal);
        Ok(year)
    }

    /// Adds (or replaces) a validated year.
    pub fn insert(&mut self, cal: YearCalendar) {
        let year = cal.year;
        if self.years.is_empty() {
            self.first_year = year;
        }
        if year < self.first_year {
            let shift = (self.first_year - year) as usize;
            let mut v: Vec<Option<YearCalendar>> = vec![None; shift];
            v.append(&mut self.years);
            self.years = v;
            self.first_year = year;
        }
        let i = (year - self.first_year) as usize;
        if self.years.len() <= i {
            self.years.resize(i + 1, None);
        }
        if let Some(slot) = self.years.get_mut(i) {
            *slot = Some(cal);
        }
    }

    /// The calendar of `year`, if loaded.
    #[inline]
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        let i = year.checked_sub(self.first_year)?;
        self.years.get(usize::try_from(i).ok()?)?.as_ref()
    }

    /// The loaded years, ascending.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.iter().flatten()
    }

    /// Whether `d` is a working day; `Err` when its year has no calendar.
    #[inline]
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, UnknownYear> {
        match self.year(d.year()) {
            Some(c) => Ok(!c.is_rest(d)),
            None => Err(UnknownYear(d.year())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const GOOD: &str = r#"
year = 2027
source = "test"
[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
first = 2027-01-01
last = 2027-01-03
makeup_workdays = [2027-01-09]
"#;

    #[test]
    fn builtin_loads_and_classifies() {
        let c = Calendars::builtin().unwrap();
        assert_eq!(
            c.years().map(|y| y.year).collect::<Vec<_>>(),
            vec![2025, 2026]
        );
        assert_eq!(c.is_working_day(d("2026-01-04")), Ok(true)); // make-up Sunday
        assert_eq!(c.is_working_day(d("2026-01-03")), Ok(false)); // 元旦 Saturday
        assert_eq!(c.is_working_day(d("2026-01-10")), Ok(false)); // plain Saturday
        assert_eq!(c.is_working_day(d("2026-01-05")), Ok(true)); // Monday
        assert_eq!(c.is_working_day(d("2027-01-04")), Err(UnknownYear(2027)));
        assert_eq!(c.is_working_day(d("2024-12-31")), Err(UnknownYear(2024)));
        let y25 = c.year(2025).unwrap();
        assert_eq!(y25.holidays.len(), 6);
        // Working days per year, counted independently from holidays.md.
        assert_eq!(365 - y25.rest_days(), 248);
        let y26 = c.year(2026).unwrap();
        assert_eq!(365 - y26.rest_days(), 248);
    }

    #[test]
    fn adding_a_year_and_file_name_check() {
        let mut c = Calendars::builtin().unwrap();
        assert_eq!(c.add_toml("2027.toml", GOOD).unwrap(), 2027);
        assert_eq!(c.is_working_day(d("2027-01-09")), Ok(true));
        assert_eq!(c.is_working_day(d("2027-01-01")), Ok(false));
        let e = c.add_toml("2028.toml", GOOD).unwrap_err();
        assert!(e.message.contains("named for 2028"), "{e}");
        // Adding an earlier year shifts the index.
        let early = GOOD.replace("2027", "2020");
        c.add_toml("2020.toml", &early.replace("2020-01-09", "2020-01-04"))
            .unwrap();
        assert_eq!(c.is_working_day(d("2020-01-01")), Ok(false));
        assert_eq!(c.is_working_day(d("2026-01-04")), Ok(true));
        assert_eq!(c.is_working_day(d("2023-01-04")), Err(UnknownYear(2023)));
    }

    #[test]
    fn validation_errors_name_the_problem() {
        let cases: &[(&str, &str, &str)] = &[
            ("2027-01-03", "2026-12-31", "not in 2027"),
            ("first = 2027-01-01", "first = 2027-01-07", "after last day"),
            (
                "name_en = \"New Year's Day\"",
                "name_en = \" \"",
                "name_en must not be empty",
            ),
            (
                "name_zh = \"元旦\"",
                "name_zh = \"\"",
                "name_zh must not be empty",
            ),
            ("[2027-01-09]", "[2027-01-02]", "both a make-up working day"),
            ("[2027-01-09]", "[2027-01-08]", "not a Saturday or Sunday"),
            ("[2027-01-09]", "[2027-01-09, 2027-01-09]", "listed twice"),
            ("source = \"test\"", "source = \"\"", "source"),
            ("year = 2027", "year = 20270", "outside"),
            (
                "first = 2027-01-01",
                "first = 2027-01-01T10:00:00",
                "plain date",
            ),
            ("first = 2027-01-01", "frist = 2027-01-01", "unknown field"),
        ];
        for (from, to, want) in cases {
            let text = GOOD.replacen(from, to, 1);
            assert_ne!(text, GOOD, "{from}");
            let e = YearCalendar::parse("x.toml", &text).unwrap_err();
            assert!(e.to_string().contains(want), "{from} -> {to}: {e}");
            assert!(e.to_string().contains("x.toml"));
        }
        let overlap = format!(
            "{GOOD}\n[[holiday]]\nname_zh = \"春节\"\nname_en = \"Spring\"\nfirst = 2027-01-03\nlast = 2027-01-05\n"
        );
        let e = YearCalendar::parse("x.toml", &overlap).unwrap_err();
        assert!(e.message.contains("overlap"), "{e}");
    }
}

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

use std::ops::Range;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use toml::Spanned;

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
    /// The line (1-based) of the text the problem is on, when known. For a TOML syntax
    /// error the message names the line too.
    pub line: Option<usize>,
    /// The key at fault (`year`, `source`, `name_zh`, `name_en`, `first`, `last`,
    /// `makeup_workdays`); `None` for a TOML syntax error.
    pub key: Option<&'static str>,
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
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
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    first: Spanned<toml::value::Datetime>,
    last: Spanned<toml::value::Datetime>,
    #[serde(default)]
    makeup_workdays: Vec<Spanned<toml::value::Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    year: Spanned<i32>,
    source: Spanned<String>,
    #[serde(default)]
    holiday: Vec<HolidayFile>,
}

/// Where a holiday's dates are in the text (byte ranges), kept beside the holiday.
struct HolidaySpans {
    first: Range<usize>,
    makeup: Vec<Range<usize>>,
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
        YearCalendar::parse_located(source, text).map(|(cal, _)| cal)
    }

    /// [`YearCalendar::parse`], also giving the line of the `year` key.
    fn parse_located(source: &str, text: &str) -> Result<(YearCalendar, usize), CalendarError> {
        let err = |key: &'static str, span: &Range<usize>, message: String| CalendarError {
            file: source.to_string(),
            message,
            line: Some(line_of(text, span.start)),
            key: Some(key),
        };
        let file: CalendarFile = toml::from_str(text).map_err(|e| CalendarError {
            file: source.to_string(),
            message: e.to_string().trim_end().to_string(),
            line: e.span().map(|s| line_of(text, s.start)),
            key: None,
        })?;
        let year = *file.year.get_ref();
        let year_line = line_of(text, file.year.span().start);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(err(
                "year",
                &file.year.span(),
                format!("year {year} is outside {MIN_YEAR}..{MAX_YEAR}"),
            ));
        }
        if file.source.get_ref().trim().is_empty() {
            return Err(err(
                "source",
                &file.source.span(),
                "`source` (the notice this calendar comes from) must not be empty".into(),
            ));
        }
        let mut holidays: Vec<(Holiday, HolidaySpans)> = Vec::with_capacity(file.holiday.len());
        for (i, h) in file.holiday.iter().enumerate() {
            let name_zh = h.name_zh.get_ref();
            let label = if name_zh.trim().is_empty() {
                format!("holiday #{}", i + 1)
            } else {
                name_zh.clone()
            };
            if name_zh.trim().is_empty() {
                return Err(err(
                    "name_zh",
                    &h.name_zh.span(),
                    format!("holiday #{}: name_zh must not be empty", i + 1),
                ));
            }
            if h.name_en.get_ref().trim().is_empty() {
                return Err(err(
                    "name_en",
                    &h.name_en.span(),
                    format!("holiday {label}: name_en must not be empty"),
                ));
            }
            let date = |key: &'static str, v: &Spanned<toml::value::Datetime>| {
                to_date(v.get_ref(), &format!("holiday {label}: {key}"))
                    .map_err(|m| err(key, &v.span(), m))
            };
            let first = date("first", &h.first)?;
            let last = date("last", &h.last)?;
            let mut makeup = Vec::with_capacity(h.makeup_workdays.len());
            for m in &h.makeup_workdays {
                makeup.push(date("makeup_workdays", m)?);
            }
            let located = [
                (first, "first", h.first.span()),
                (last, "last", h.last.span()),
            ];
            let makeup_located = makeup
                .iter()
                .zip(&h.makeup_workdays)
                .map(|(d, m)| (*d, "makeup_workdays", m.span()));
            for (d, key, span) in located.into_iter().chain(makeup_located) {
                if d.year() != year {
                    return Err(err(
                        key,
                        &span,
                        format!("holiday {label}: {d} is not in {year}"),
                    ));
                }
            }
            if first > last {
                return Err(err(
                    "first",
                    &h.first.span(),
                    format!("holiday {label}: first day {first} is after last day {last}"),
                ));
            }
            holidays.push((
                Holiday {
                    name_zh: name_zh.trim().to_string(),
                    name_en: h.name_en.get_ref().trim().to_string(),
                    first,
                    last,
                    makeup_workdays: makeup,
                },
                HolidaySpans {
                    first: h.first.span(),
                    makeup: h.makeup_workdays.iter().map(Spanned::span).collect(),
                },
            ));
        }
        holidays.sort_by_key(|(h, _)| h.first);
        for pair in holidays.windows(2) {
            if let [(a, _), (b, b_at)] = pair
                && b.first <= a.last
            {
                return Err(err(
                    "first",
                    &b_at.first,
                    format!(
                        "holidays {} ({}..{}) and {} ({}..{}) overlap",
                        a.name_zh, a.first, a.last, b.name_zh, b.first, b.last
                    ),
                ));
            }
        }
        let mut seen: Vec<NaiveDate> = Vec::new();
        for (h, at) in &holidays {
            for (&m, span) in h.makeup_workdays.iter().zip(&at.makeup) {
                let fail = |message: String| Err(err("makeup_workdays", span, message));
                if !is_weekend(m) {
                    return fail(format!(
                        "holiday {}: make-up working day {m} is a {:?}, not a Saturday or Sunday",
                        h.name_zh,
                        m.weekday()
                    ));
                }
                if let Some((other, _)) = holidays.iter().find(|(o, _)| o.first <= m && m <= o.last)
                {
                    return fail(format!(
                        "{m} is both a make-up working day (of {}) and a holiday ({})",
                        h.name_zh, other.name_zh
                    ));
                }
                if seen.contains(&m) {
                    return fail(format!("make-up working day {m} is listed twice"));
                }
                seen.push(m);
            }
        }
        let mut cal = YearCalendar {
            year,
            source: file.source.get_ref().trim().to_string(),
            holidays: holidays.into_iter().map(|(h, _)| h).collect(),
            rest: [0; 6],
        };
        cal.build_bits();
        Ok((cal, year_line))
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
        let (cal, year_line) = YearCalendar::parse_located(source, text)?;
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
                line: Some(year_line),
                key: Some("year"),
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

    #[test]
    fn errors_carry_their_line_and_key() {
        let text = "year = 2027\nsource = \"x\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"\"\n\
                    first = 2027-01-01\nlast = 2027-01-01\nmakeup_workdays = [2027-01-02]\n";
        let at = |t: &str| {
            let e = YearCalendar::parse("x.toml", t).unwrap_err();
            (e.line, e.key)
        };
        assert_eq!(at(text), (Some(5), Some("name_en")));
        let text = text
            .replace("name_en = \"\"", "name_en = \"New Year\"")
            .replace("last = 2027-01-01", "last = 2027-01-03");
        assert_eq!(at(&text), (Some(8), Some("makeup_workdays")));
        assert_eq!(at("year = 2027\n[[holiday]\n"), (Some(2), None));
        assert_eq!(
            at(&GOOD.replace("year = 2027", "year = 20270")),
            (Some(2), Some("year"))
        );
        assert_eq!(
            at(&GOOD.replace("source = \"test\"", "source = \"\"")),
            (Some(3), Some("source"))
        );
        assert_eq!(
            at(&GOOD.replacen("2027-01-03", "2026-12-31", 1)),
            (Some(8), Some("last"))
        );
        let overlap = format!(
            "{GOOD}\n[[holiday]]\nname_zh = \"春节\"\nname_en = \"Spring\"\nfirst = 2027-01-03\nlast = 2027-01-05\n"
        );
        assert_eq!(at(&overlap), (Some(14), Some("first")));
        let e = Calendars::empty().add_toml("2028.toml", GOOD).unwrap_err();
        assert_eq!((e.line, e.key), (Some(2), Some("year")));
    }
}

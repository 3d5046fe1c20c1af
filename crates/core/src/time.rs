//! Beijing time and calendar facts shared by every capability.
//!
//! China has kept UTC+8 without daylight saving since 1991, so one fixed offset reads
//! every wall-clock time and legal date.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone};

/// Beijing time (China Standard Time, UTC+8).
pub const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

/// The Beijing calendar years a date or instant given to the system may fall in:
/// from 1949 (the People's Republic, and so every record and legal period this system
/// keeps, begins then) to 2200 (far past the longest period counted from any start one
/// may give, and every instant in the range is an RFC 3339 four-digit year: chrono would
/// otherwise write year 10000 as `+10000`, and accept `-9999` as a list bound).
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2200;

/// Whether an instant falls in [`YEARS`] (Beijing time).
pub fn in_years<Tz: TimeZone>(t: &DateTime<Tz>) -> bool {
    YEARS.contains(&beijing_year(t))
}

/// The field error for a date or instant outside [`YEARS`].
pub fn years_error(field: &str) -> crate::FieldError {
    crate::FieldError::new(
        field,
        "date.range",
        format!("年份应在 {} 至 {} 之间", YEARS.start(), YEARS.end()),
        format!(
            "The year must be between {} and {}",
            YEARS.start(),
            YEARS.end()
        ),
    )
}

/// Whether `year` of the proleptic Gregorian calendar has a 29 February.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days of `month` (1–12) in `year`; `None` for a month outside 1–12.
pub const fn days_in_month(year: i32, month: u32) -> Option<u32> {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if is_leap_year(year) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// The Beijing calendar date of an instant.
pub fn beijing_date<Tz: TimeZone>(t: &DateTime<Tz>) -> NaiveDate {
    t.with_timezone(&BEIJING).date_naive()
}

/// The Beijing calendar year of an instant (incident numbers restart with it).
pub fn beijing_year<Tz: TimeZone>(t: &DateTime<Tz>) -> i32 {
    beijing_date(t).year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        for (y, leap) in [
            (1900, false),
            (2000, true),
            (2024, true),
            (2025, false),
            (2100, false),
            (2400, true),
        ] {
            assert_eq!(is_leap_year(y), leap, "{y}");
            assert_eq!(NaiveDate::from_ymd_opt(y, 2, 29).is_some(), leap, "{y}");
        }
    }

    #[test]
    fn days_in_month_agrees_with_chrono() {
        for y in [1900, 2000, 2023, 2024, 2026] {
            for m in 1..=12 {
                let n = days_in_month(y, m).unwrap();
                assert!(NaiveDate::from_ymd_opt(y, m, n).is_some(), "{y}-{m}");
                assert!(NaiveDate::from_ymd_opt(y, m, n + 1).is_none(), "{y}-{m}");
            }
        }
        assert_eq!(days_in_month(2026, 0), None);
        assert_eq!(days_in_month(2026, 13), None);
    }

    #[test]
    fn beijing_year_turns_at_beijing_midnight() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(beijing_year(&t("2026-12-31T15:59:59Z")), 2026);
        assert_eq!(beijing_year(&t("2026-12-31T16:00:00Z")), 2027);
        assert_eq!(
            beijing_date(&t("2026-09-30T16:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
    }
}

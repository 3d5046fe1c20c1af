//! Table tests from the statutes' examples and every holiday block of 2025 and 2026;
//! the rule catalog and deadlines, and the property tests, in their own files.

mod deadlines;
mod properties;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta};
use proptest::prelude::*;

use super::*;

fn cals() -> Calendars {
    Calendars::builtin().unwrap()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn spec(p: &str, mode: Mode) -> PeriodSpec {
    PeriodSpec::new(p.parse().unwrap(), mode)
}

/// (start instant, period, mode, expected due, why)
type Case = (&'static str, &'static str, Mode, &'static str, &'static str);

const L: Mode = Mode::Legal;
const C: Mode = Mode::Custody;
const W: Mode = Mode::WorkingDays;

/// The statutes' own examples and the counting rules of law-facts §3.
const STATUTE_CASES: &[Case] = &[
    // law-facts §3.2: 2026-01-01 10:00 detention → arrest request, 3 days, custody: ends 01-04.
    (
        "2026-01-01T10:00:00+08:00",
        "3d",
        C,
        "2026-01-05T00:00:00+08:00",
        "law-facts §3 example",
    ),
    // Same in legal mode: 01-04 is a make-up working Sunday, so nothing rolls either.
    (
        "2026-01-01T10:00:00+08:00",
        "3d",
        L,
        "2026-01-05T00:00:00+08:00",
        "01-04 make-up workday",
    ),
    // Start at 00:00: the start day is still not counted.
    (
        "2026-03-02T00:00:00+08:00",
        "1d",
        L,
        "2026-03-04T00:00:00+08:00",
        "start day never counted",
    ),
    (
        "2026-03-02T23:59:59+08:00",
        "1d",
        L,
        "2026-03-04T00:00:00+08:00",
        "start day never counted",
    ),
    // A start given in UTC is read in China time (04:00 on 01-01 in Beijing).
    (
        "2025-12-31T20:00:00Z",
        "3d",
        C,
        "2026-01-05T00:00:00+08:00",
        "UTC start is 2026-01-01 in China",
    ),
    // Hours: the exact instant, holidays do not matter.
    (
        "2026-02-14T22:15:00+08:00",
        "24h",
        L,
        "2026-02-15T22:15:00+08:00",
        "hours exact, into Spring Festival",
    ),
    (
        "2026-01-01T02:00:00Z",
        "8h",
        C,
        "2026-01-01T18:00:00+08:00",
        "hours from a UTC start",
    ),
    (
        "2025-10-01T09:00:00+08:00",
        "48h",
        L,
        "2025-10-03T09:00:00+08:00",
        "hours never roll over",
    ),
    // 民法典第202条: 1-31 + 1 month → last day of February; 4-30 + 1 month → 5-30.
    (
        "2025-01-31T10:00:00+08:00",
        "1m",
        L,
        "2025-03-01T00:00:00+08:00",
        "Feb has no 31st → 02-28 (Fri)",
    ),
    (
        "2025-04-30T10:00:00+08:00",
        "1m",
        L,
        "2025-05-31T00:00:00+08:00",
        "corresponding day 05-30 (Fri)",
    ),
    (
        "2026-01-31T10:00:00+08:00",
        "1m",
        L,
        "2026-03-01T00:00:00+08:00",
        "02-28 is a make-up Saturday",
    ),
    (
        "2026-03-31T10:00:00+08:00",
        "1m",
        L,
        "2026-05-01T00:00:00+08:00",
        "April has no 31st → 04-30 (Thu)",
    ),
    (
        "2025-08-31T10:00:00+08:00",
        "1m",
        L,
        "2025-10-01T00:00:00+08:00",
        "09-30 (Tue), before National Day",
    ),
    (
        "2025-12-31T10:00:00+08:00",
        "2m",
        C,
        "2026-03-01T00:00:00+08:00",
        "custody 2 months → 02-28",
    ),
    (
        "2025-12-31T10:00:00+08:00",
        "2m",
        L,
        "2026-03-01T00:00:00+08:00",
        "02-28 make-up Saturday works",
    ),
    (
        "2025-11-30T10:00:00+08:00",
        "3m",
        L,
        "2026-03-01T00:00:00+08:00",
        "no 02-30 → 02-28, a make-up Saturday",
    ),
    (
        "2026-07-31T10:00:00+08:00",
        "2m",
        L,
        "2026-10-01T00:00:00+08:00",
        "09-30 (Wed) ends at 24:00",
    ),
    (
        "2025-05-31T10:00:00+08:00",
        "1m",
        L,
        "2025-07-01T00:00:00+08:00",
        "06-30 Monday",
    ),
    // Leap years (no calendar needed in custody mode): 2028-01-31 + 1m → 02-29.
    (
        "2028-01-31T10:00:00+08:00",
        "1m",
        C,
        "2028-03-01T00:00:00+08:00",
        "leap February 29",
    ),
    (
        "2024-01-31T10:00:00+08:00",
        "1m",
        C,
        "2024-03-01T00:00:00+08:00",
        "leap February 29 (2024)",
    ),
    (
        "2027-01-31T10:00:00+08:00",
        "1m",
        C,
        "2027-03-01T00:00:00+08:00",
        "common February 28 (2027)",
    ),
    (
        "2027-12-31T10:00:00+08:00",
        "2m",
        C,
        "2028-03-01T00:00:00+08:00",
        "12-31 + 2m → leap 02-29",
    ),
    // A16: public-order case filed 2026-09-01, 30 days → 10-01 (National Day) → 10-08.
    (
        "2026-09-01T15:00:00+08:00",
        "30d",
        L,
        "2026-10-09T00:00:00+08:00",
        "A16 rolls over National Day",
    ),
    // Custody ending on a holiday is not extended.
    (
        "2025-09-28T10:00:00+08:00",
        "3d",
        C,
        "2025-10-02T00:00:00+08:00",
        "custody ends on 10-01",
    ),
    (
        "2026-02-12T10:00:00+08:00",
        "7d",
        C,
        "2026-02-20T00:00:00+08:00",
        "custody ends inside Spring Festival",
    ),
    // A21: fine paid within 15 days.
    (
        "2026-04-20T16:00:00+08:00",
        "15d",
        L,
        "2026-05-07T00:00:00+08:00",
        "05-05 Labour Day → 05-06",
    ),
    // Working days: A12 先行登记保存 7 working days across National Day 2025.
    (
        "2025-09-26T10:00:00+08:00",
        "7d",
        W,
        "2025-10-14T00:00:00+08:00",
        "09-28 and 10-11 make-up days count",
    ),
    (
        "2026-02-12T10:00:00+08:00",
        "7d",
        W,
        "2026-03-01T00:00:00+08:00",
        "02-14 and 02-28 make-up days count",
    ),
    (
        "2026-04-30T10:00:00+08:00",
        "1d",
        W,
        "2026-05-07T00:00:00+08:00",
        "first working day after Labour Day",
    ),
    (
        "2025-12-26T10:00:00+08:00",
        "3d",
        W,
        "2026-01-01T00:00:00+08:00",
        "12-29, 12-30, 12-31",
    ),
    // Year end: a last day on 12-31 ends at 2027-01-01 00:00 without needing 2027.
    (
        "2026-12-30T10:00:00+08:00",
        "1d",
        L,
        "2027-01-01T00:00:00+08:00",
        "12-31 Thursday",
    ),
    (
        "2026-12-25T10:00:00+08:00",
        "1d",
        L,
        "2026-12-29T00:00:00+08:00",
        "12-26 Sat → 12-28 Mon",
    ),
    (
        "2024-12-30T10:00:00+08:00",
        "2d",
        L,
        "2025-01-03T00:00:00+08:00",
        "start in 2024 needs no 2024 calendar",
    ),
];

/// Every holiday block of 2025 and 2026: a period whose last day is the eve, the first
/// day, the last day, the day after; make-up working days; the weekend next to them.
/// Each case is "1 day from the day before", so the nominal last day is the named day.
const HOLIDAY_CASES: &[(&str, &str, &str)] = &[
    // (nominal last day, expected last day after roll-over, why)
    // 2025 元旦 01-01 (Wed)
    ("2025-01-01", "2025-01-02", "2025 元旦 first=last day"),
    ("2025-01-02", "2025-01-02", "2025 元旦 day after"),
    // 2025 春节 01-28 (Tue) .. 02-04 (Tue); make-up 01-26 (Sun), 02-08 (Sat)
    ("2025-01-27", "2025-01-27", "2025 春节 eve (Mon)"),
    ("2025-01-28", "2025-02-05", "2025 春节 first day"),
    ("2025-02-01", "2025-02-05", "2025 春节 middle (Sat)"),
    ("2025-02-04", "2025-02-05", "2025 春节 last day"),
    ("2025-02-05", "2025-02-05", "2025 春节 day after"),
    (
        "2025-01-25",
        "2025-01-26",
        "2025 春节 Sat before the make-up Sunday",
    ),
    ("2025-01-26", "2025-01-26", "2025 春节 make-up Sunday"),
    ("2025-02-08", "2025-02-08", "2025 春节 make-up Saturday"),
    ("2025-02-09", "2025-02-10", "2025 plain Sunday after"),
    // 2025 清明 04-04 (Fri) .. 04-06 (Sun)
    ("2025-04-03", "2025-04-03", "2025 清明 eve"),
    ("2025-04-04", "2025-04-07", "2025 清明 first day"),
    ("2025-04-06", "2025-04-07", "2025 清明 last day"),
    // 2025 劳动节 05-01 (Thu) .. 05-05 (Mon); make-up 04-27 (Sun)
    ("2025-04-30", "2025-04-30", "2025 劳动节 eve"),
    ("2025-05-01", "2025-05-06", "2025 劳动节 first day"),
    ("2025-05-05", "2025-05-06", "2025 劳动节 last day"),
    (
        "2025-04-26",
        "2025-04-27",
        "2025 Sat rolls onto the make-up Sunday",
    ),
    ("2025-04-27", "2025-04-27", "2025 劳动节 make-up Sunday"),
    // 2025 端午 05-31 (Sat) .. 06-02 (Mon)
    ("2025-05-30", "2025-05-30", "2025 端午 eve"),
    ("2025-05-31", "2025-06-03", "2025 端午 first day"),
    ("2025-06-02", "2025-06-03", "2025 端午 last day"),
    // 2025 国庆+中秋 10-01 (Wed) .. 10-08 (Wed); make-up 09-28 (Sun), 10-11 (Sat)
    ("2025-09-30", "2025-09-30", "2025 国庆 eve"),
    ("2025-10-01", "2025-10-09", "2025 国庆 first day"),
    ("2025-10-06", "2025-10-09", "2025 国庆 中秋 day"),
    ("2025-10-08", "2025-10-09", "2025 国庆 last day"),
    (
        "2025-09-27",
        "2025-09-28",
        "2025 Sat rolls onto the make-up Sunday",
    ),
    ("2025-09-28", "2025-09-28", "2025 国庆 make-up Sunday"),
    ("2025-10-11", "2025-10-11", "2025 国庆 make-up Saturday"),
    ("2025-10-12", "2025-10-13", "2025 plain Sunday after"),
    // 2026 元旦 01-01 (Thu) .. 01-03 (Sat); make-up 01-04 (Sun)
    ("2025-12-31", "2025-12-31", "2026 元旦 eve"),
    (
        "2026-01-01",
        "2026-01-04",
        "2026 元旦 first day → make-up Sunday",
    ),
    (
        "2026-01-03",
        "2026-01-04",
        "2026 元旦 last day → make-up Sunday",
    ),
    ("2026-01-04", "2026-01-04", "2026 元旦 make-up Sunday"),
    // 2026 春节 02-15 (Sun) .. 02-23 (Mon); make-up 02-14 (Sat), 02-28 (Sat)
    ("2026-02-13", "2026-02-13", "2026 春节 Friday before"),
    (
        "2026-02-14",
        "2026-02-14",
        "2026 春节 eve is a make-up Saturday",
    ),
    ("2026-02-15", "2026-02-24", "2026 春节 first day"),
    ("2026-02-23", "2026-02-24", "2026 春节 last day"),
    ("2026-02-28", "2026-02-28", "2026 春节 make-up Saturday"),
    ("2026-03-01", "2026-03-02", "2026 plain Sunday after"),
    // 2026 清明 04-04 (Sat) .. 04-06 (Mon)
    ("2026-04-03", "2026-04-03", "2026 清明 eve"),
    ("2026-04-04", "2026-04-07", "2026 清明 first day"),
    ("2026-04-06", "2026-04-07", "2026 清明 last day"),
    // 2026 劳动节 05-01 (Fri) .. 05-05 (Tue); make-up 05-09 (Sat)
    ("2026-04-30", "2026-04-30", "2026 劳动节 eve"),
    ("2026-05-01", "2026-05-06", "2026 劳动节 first day"),
    ("2026-05-05", "2026-05-06", "2026 劳动节 last day"),
    ("2026-05-09", "2026-05-09", "2026 劳动节 make-up Saturday"),
    ("2026-05-10", "2026-05-11", "2026 plain Sunday after"),
    // 2026 端午 06-19 (Fri) .. 06-21 (Sun)
    ("2026-06-18", "2026-06-18", "2026 端午 eve"),
    ("2026-06-19", "2026-06-22", "2026 端午 first day"),
    ("2026-06-21", "2026-06-22", "2026 端午 last day"),
    // 2026 中秋 09-25 (Fri) .. 09-27 (Sun)
    ("2026-09-24", "2026-09-24", "2026 中秋 eve"),
    ("2026-09-25", "2026-09-28", "2026 中秋 first day"),
    ("2026-09-27", "2026-09-28", "2026 中秋 last day"),
    // 2026 国庆 10-01 (Thu) .. 10-07 (Wed); make-up 09-20 (Sun), 10-10 (Sat)
    ("2026-09-30", "2026-09-30", "2026 国庆 eve"),
    ("2026-10-01", "2026-10-08", "2026 国庆 first day"),
    ("2026-10-07", "2026-10-08", "2026 国庆 last day"),
    (
        "2026-09-19",
        "2026-09-20",
        "2026 Sat rolls onto the make-up Sunday",
    ),
    ("2026-09-20", "2026-09-20", "2026 国庆 make-up Sunday"),
    ("2026-10-10", "2026-10-10", "2026 国庆 make-up Saturday"),
    ("2026-10-11", "2026-10-12", "2026 plain Sunday after"),
    // Month ends
    ("2025-02-28", "2025-02-28", "2025 February end (Fri)"),
    ("2025-08-31", "2025-09-01", "2025 August end (Sun)"),
    ("2026-01-31", "2026-02-02", "2026 January end (Sat)"),
    ("2026-05-31", "2026-06-01", "2026 May end (Sun)"),
    ("2026-10-31", "2026-11-02", "2026 October end (Sat)"),
    ("2026-12-31", "2026-12-31", "2026 year end (Thu)"),
];

#[test]
fn statute_examples() {
    let c = cals();
    for (start, p, mode, due, why) in STATUTE_CASES {
        let r = compute(at(start), &spec(p, *mode), &c).unwrap_or_else(|e| panic!("{why}: {e}"));
        assert_eq!(
            r.due,
            at(due),
            "{why}: {start} + {p} {mode:?}\n{:#?}",
            r.explain
        );
        assert_eq!(
            r.due.offset().local_minus_utc(),
            8 * 3600,
            "{why}: due is +08:00"
        );
        assert!(r.due >= r.nominal_end, "{why}");
        assert!(!r.provisional);
    }
}

#[test]
fn three_month_case_checked_by_hand() {
    // 2025-11-30 + 3 months → 2026-02-28 (no 30th in February), a make-up Saturday.
    let r = compute(at("2025-11-30T10:00:00+08:00"), &spec("3m", L), &cals()).unwrap();
    assert_eq!(r.nominal_last_day, Some(day("2026-02-28")));
    assert!(
        r.explain
            .iter()
            .any(|s| matches!(s, Step::MonthEnd { wanted_day: 30, .. }))
    );
}

#[test]
fn every_holiday_block_of_2025_and_2026() {
    let c = cals();
    for (last, expect, why) in HOLIDAY_CASES {
        let nominal = day(last);
        let start = midnight(nominal.pred_opt().unwrap()).unwrap() + TimeDelta::hours(9);
        // Legal: rolls to the first working day after a rest day.
        let r = compute(start, &spec("1d", L), &c).unwrap_or_else(|e| panic!("{why}: {e}"));
        assert_eq!(r.nominal_last_day, Some(nominal), "{why}");
        assert_eq!(r.last_day, Some(day(expect)), "{why}\n{:#?}", r.explain);
        assert_eq!(
            r.due,
            midnight(day(expect).succ_opt().unwrap()).unwrap(),
            "{why}"
        );
        let rolled = r.explain.iter().any(|s| matches!(s, Step::RollOver { .. }));
        assert_eq!(rolled, last != expect, "{why}");
        // Custody: never extended, whatever the day.
        let rc = compute(start, &spec("1d", C), &c).unwrap();
        assert_eq!(rc.last_day, Some(nominal), "{why} (custody)");
        assert_eq!(rc.due, rc.nominal_end, "{why} (custody)");
        // The same last day reached by a 10-day period.
        let start10 = midnight(nominal - TimeDelta::days(10)).unwrap() + TimeDelta::hours(15);
        let r10 = compute(start10, &spec("10d", L), &c).unwrap();
        assert_eq!(r10.last_day, Some(day(expect)), "{why} (10d)");
    }
}

#[test]
fn roll_over_explains_each_day_off_by_name() {
    let r = compute(at("2025-09-20T10:00:00+08:00"), &spec("11d", L), &cals()).unwrap();
    let Some(Step::RollOver { from, to, days_off }) = r
        .explain
        .iter()
        .find(|s| matches!(s, Step::RollOver { .. }))
    else {
        panic!("no roll-over: {:#?}", r.explain)
    };
    assert_eq!((*from, *to), (day("2025-10-01"), day("2025-10-09")));
    assert_eq!(days_off.len(), 8);
    assert!(
        days_off
            .iter()
            .all(|d| matches!(d, DayOff::Holiday { name_zh, .. } if name_zh == "国庆节、中秋节"))
    );
    let zh = r
        .explain
        .iter()
        .map(|s| s.text(Lang::Zh))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(zh.contains("开始之日 2025-09-20 不计入"), "{zh}");
    assert!(zh.contains("国庆节、中秋节"), "{zh}");
    assert!(zh.contains("2025-10-09"), "{zh}");
    let en = r
        .explain
        .iter()
        .map(|s| s.text(Lang::En))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        en.contains("first working day after it, 2025-10-09"),
        "{en}"
    );
    // Explanation order: start, counted from, nominal end, roll-over, due.
    assert!(matches!(r.explain.first(), Some(Step::Start { .. })));
    assert!(matches!(
        r.explain.get(1),
        Some(Step::CountedFromDay { .. })
    ));
    assert!(matches!(r.explain.get(2), Some(Step::NominalEnd { .. })));
    assert!(matches!(r.explain.last(), Some(Step::Due { .. })));
    // Weekend reasons are named as such.
    let w = compute(at("2026-03-06T10:00:00+08:00"), &spec("1d", L), &cals()).unwrap();
    assert!(w.explain.iter().any(
        |s| matches!(s, Step::RollOver { days_off, .. } if matches!(days_off.first(), Some(DayOff::Weekend { weekday, .. }) if *weekday == "Saturday"))
    ));
}

#[test]
fn custody_on_a_holiday_says_it_is_not_extended() {
    let r = compute(at("2025-09-28T10:00:00+08:00"), &spec("3d", C), &cals()).unwrap();
    assert!(r.explain.iter().any(|s| matches!(
        s,
        Step::CustodyNotExtended {
            day_off: Some(DayOff::Holiday { .. }),
            ..
        }
    )));
    assert!(
        r.explain
            .iter()
            .any(|s| s.text(Lang::Zh).contains("不因节假日延长"))
    );
}

#[test]
fn unknown_years_are_refused_or_flagged() {
    let c = cals();
    // A last day in 2027 (no calendar): refused, never guessed.
    let e = compute(at("2026-12-31T10:00:00+08:00"), &spec("2d", L), &c).unwrap_err();
    assert_eq!(e, PeriodError::CalendarUnknown { year: 2027 });
    assert!(e.to_string().contains("calendar unknown for 2027"), "{e}");
    let e = compute(at("2024-12-29T10:00:00+08:00"), &spec("2d", L), &c).unwrap_err();
    assert_eq!(e, PeriodError::CalendarUnknown { year: 2024 });
    // Working days crossing into 2027.
    let e = compute(at("2026-12-28T10:00:00+08:00"), &spec("7d", W), &c).unwrap_err();
    assert_eq!(e, PeriodError::CalendarUnknown { year: 2027 });
    // Provisional: plain weekends, flagged.
    let opts = ComputeOptions { provisional: true };
    let r = compute_with(at("2026-12-31T10:00:00+08:00"), &spec("2d", L), &c, opts).unwrap();
    assert!(r.provisional);
    assert_eq!(r.last_day, Some(day("2027-01-04")));
    assert!(
        r.explain
            .iter()
            .any(|s| matches!(s, Step::Provisional { year: 2027 }))
    );
    assert!(
        r.explain
            .iter()
            .any(|s| s.text(Lang::En).contains("PROVISIONAL"))
    );
    let r = compute_with(at("2026-12-28T10:00:00+08:00"), &spec("7d", W), &c, opts).unwrap();
    assert!(r.provisional);
    assert_eq!(r.last_day, Some(day("2027-01-06")));
    // Provisional changes nothing when the calendar is known.
    let r = compute_with(at("2026-09-01T10:00:00+08:00"), &spec("30d", L), &c, opts).unwrap();
    assert!(!r.provisional);
    // Custody needs no calendar: answered with certainty, and says so.
    let r = compute(at("2027-03-01T10:00:00+08:00"), &spec("2m", C), &c).unwrap();
    assert!(!r.provisional);
    assert_eq!(r.due, at("2027-05-02T00:00:00+08:00"));
    assert!(r.explain.iter().any(|s| matches!(
        s,
        Step::CustodyNotExtended {
            calendar_known: false,
            ..
        }
    )));
    // Hours need no calendar either.
    let r = compute(at("2030-01-01T10:00:00+08:00"), &spec("24h", L), &c).unwrap();
    assert_eq!(r.due, at("2030-01-02T10:00:00+08:00"));
    // An empty calendar set refuses everything that needs one.
    let e = compute(
        at("2026-03-02T10:00:00+08:00"),
        &spec("1d", L),
        &Calendars::empty(),
    )
    .unwrap_err();
    assert_eq!(e, PeriodError::CalendarUnknown { year: 2026 });
}

#[test]
fn bad_specs() {
    for bad in [
        "",
        "d",
        "0d",
        "3",
        "3w",
        "-3d",
        "3.5d",
        "1e3d",
        "10001d",
        "100001h",
        "1201m",
        "99999999999d",
    ] {
        assert!(bad.parse::<Span>().is_err(), "{bad:?}");
    }
    assert_eq!("30d".parse::<Span>().unwrap(), Span::days(30));
    assert_eq!("24H".parse::<Span>().unwrap(), Span::hours(24));
    assert_eq!(Span::months(2).to_string(), "2m");
    let c = cals();
    let e = compute(at("2026-03-02T10:00:00+08:00"), &spec("2m", W), &c).unwrap_err();
    assert!(matches!(e, PeriodError::WorkingDaysNeedDays { .. }));
    let e = compute(at("2026-03-02T10:00:00+08:00"), &spec("8h", W), &c).unwrap_err();
    assert!(matches!(e, PeriodError::WorkingDaysNeedDays { .. }));
    let zero = PeriodSpec {
        amount: 0,
        unit: Unit::Days,
        mode: L,
    };
    assert!(matches!(
        compute(at("2026-03-02T10:00:00+08:00"), &zero, &c),
        Err(PeriodError::InvalidAmount { .. })
    ));
    // Far-future dates do not panic: custody needs no calendar, legal needs one.
    let far = PeriodSpec {
        amount: 1200,
        unit: Unit::Months,
        mode: C,
    };
    assert_eq!(
        compute(at("9999-12-31T10:00:00+08:00"), &far, &c)
            .unwrap()
            .last_day,
        Some(day("+10099-12-31"))
    );
    let far = PeriodSpec {
        amount: 1200,
        unit: Unit::Months,
        mode: L,
    };
    assert!(compute(at("9999-12-31T10:00:00+08:00"), &far, &c).is_err());
}

#[test]
fn json_shape_of_steps() {
    let r = compute(at("2026-09-01T15:00:00+08:00"), &spec("30d", L), &cals()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["due"], "2026-10-09T00:00:00+08:00");
    assert_eq!(v["nominal_end"], "2026-10-02T00:00:00+08:00");
    assert_eq!(v["explain"][0]["step"], "start");
    assert_eq!(v["explain"][0]["period"], "30d");
    let roll = v["explain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "roll_over")
        .unwrap();
    assert_eq!(roll["from"], "2026-10-01");
    assert_eq!(roll["to"], "2026-10-08");
    assert_eq!(roll["days_off"][0]["kind"], "holiday");
    assert_eq!(roll["days_off"][0]["name_zh"], "国庆节");
}

#[test]
fn a_steps_kind_is_its_serialized_name() {
    let c = cals();
    let mut seen = std::collections::BTreeSet::new();
    for (start, period, mode) in [
        ("2026-09-01T15:00:00+08:00", "30d", L),
        ("2026-09-01T15:00:00+08:00", "24h", L),
        ("2026-01-31T15:00:00+08:00", "1m", L),
        ("2026-09-30T10:00:00+08:00", "3d", Mode::Custody),
        ("2026-09-25T10:00:00+08:00", "7d", Mode::WorkingDays),
    ] {
        let r = compute(at(start), &spec(period, mode), &c).unwrap();
        for s in &r.explain {
            let v = serde_json::to_value(s).unwrap();
            assert_eq!(v["step"], s.kind(), "{v}");
            seen.insert(s.kind());
        }
    }
    assert!(seen.len() >= 6, "{seen:?}");
}

#[test]
fn working_days_explain_what_was_skipped() {
    let r = compute(at("2025-09-26T10:00:00+08:00"), &spec("7d", W), &cals()).unwrap();
    let Some(Step::WorkingDaysCounted {
        working_days,
        weekend_days,
        holidays,
        last,
        ..
    }) = r
        .explain
        .iter()
        .find(|s| matches!(s, Step::WorkingDaysCounted { .. }))
    else {
        panic!("{:#?}", r.explain)
    };
    assert_eq!(
        (*working_days, *weekend_days, *last),
        (7, 2, day("2025-10-13"))
    );
    assert_eq!(holidays.len(), 1);
    assert_eq!(
        (holidays[0].name_zh.as_str(), holidays[0].days),
        ("国庆节、中秋节", 8)
    );
    let zh = r
        .explain
        .iter()
        .map(|s| s.text(Lang::Zh))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(zh.contains("跳过国庆节、中秋节假期 8 天"), "{zh}");
}

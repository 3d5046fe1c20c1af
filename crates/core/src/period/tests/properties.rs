//! Property tests of the period count.

use super::*;

fn arb_start() -> impl Strategy<Value = DateTime<FixedOffset>> {
    // Any minute from 2025-01-01 to 2026-09-30 (so 90-day / 3-month periods stay in 2026).
    (0i64..(638 * 24 * 60)).prop_map(|m| at("2025-01-01T00:00:00+08:00") + TimeDelta::minutes(m))
}

fn arb_spec() -> impl Strategy<Value = PeriodSpec> {
    prop_oneof![
        (1u32..=72, prop_oneof![Just(L), Just(C)])
            .prop_map(|(n, m)| PeriodSpec::new(Span::hours(n), m)),
        (1u32..=90, prop_oneof![Just(L), Just(C), Just(W)]).prop_map(|(n, m)| {
            // Keep working-day periods inside 2026 as well.
            let n = if m == W { n.min(60) } else { n };
            PeriodSpec::new(Span::days(n), m)
        }),
        (1u32..=3, prop_oneof![Just(L), Just(C)])
            .prop_map(|(n, m)| PeriodSpec::new(Span::months(n), m)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn due_is_never_before_nominal_end(start in arb_start(), s in arb_spec()) {
        let c = cals();
        let r = compute(start, &s, &c).unwrap();
        prop_assert!(r.due >= r.nominal_end);
        prop_assert!(r.nominal_end > start);
        prop_assert_eq!(r.due.offset().local_minus_utc(), 8 * 3600);
        let ends_with_due = matches!(r.explain.last(), Some(Step::Due { at }) if *at == r.due);
        prop_assert!(ends_with_due);
    }

    #[test]
    fn custody_never_extends(start in arb_start(), s in arb_spec()) {
        let c = cals();
        let s = PeriodSpec { mode: C, ..s };
        let r = compute(start, &s, &c).unwrap();
        prop_assert_eq!(r.due, r.nominal_end);
        prop_assert_eq!(r.last_day, r.nominal_last_day);
    }

    #[test]
    fn non_custody_day_periods_end_on_the_first_working_day(
        start in arb_start(),
        s in prop_oneof![
            (1u32..=90).prop_map(|n| PeriodSpec::new(Span::days(n), L)),
            (1u32..=60).prop_map(|n| PeriodSpec::new(Span::days(n), W)),
            (1u32..=3).prop_map(|n| PeriodSpec::new(Span::months(n), L)),
        ],
    ) {
        let c = cals();
        let r = compute(start, &s, &c).unwrap();
        let last = r.last_day.unwrap();
        let nominal = r.nominal_last_day.unwrap();
        prop_assert_eq!(c.is_working_day(last), Ok(true));
        // Minimal: every day from the nominal last day up to the last one is a rest day.
        for d in nominal.iter_days().take_while(|d| *d < last) {
            prop_assert_eq!(c.is_working_day(d), Ok(false));
        }
        prop_assert_eq!(r.due, midnight(last.succ_opt().unwrap()).unwrap());
    }

    #[test]
    fn working_day_periods_count_working_days(start in arb_start(), n in 1u32..=60) {
        let c = cals();
        let r = compute(start, &PeriodSpec::new(Span::days(n), W), &c).unwrap();
        let first = start.with_timezone(&BEIJING).date_naive().succ_opt().unwrap();
        let last = r.last_day.unwrap();
        let count = first.iter_days().take_while(|d| *d <= last).filter(|d| c.is_working_day(*d) == Ok(true)).count();
        prop_assert_eq!(count as u32, n);
        prop_assert_eq!(c.is_working_day(last), Ok(true));
    }

    #[test]
    fn hours_are_exact_and_days_are_calendar_exact(start in arb_start(), n in 1u32..=90) {
        let c = cals();
        let h = compute(start, &PeriodSpec::new(Span::hours(n), L), &c).unwrap();
        prop_assert_eq!(h.due - start, TimeDelta::hours(i64::from(n)));
        let d = compute(start, &PeriodSpec::new(Span::days(n), C), &c).unwrap();
        let start_day = start.with_timezone(&BEIJING).date_naive();
        prop_assert_eq!((d.nominal_last_day.unwrap() - start_day).num_days(), i64::from(n));
        let m = compute(start, &PeriodSpec::new(Span::months(1), C), &c).unwrap();
        let last = m.last_day.unwrap();
        prop_assert!(last.day() == start_day.day() || (last.day() < start_day.day() && last.succ_opt().unwrap().day() == 1));
    }
}

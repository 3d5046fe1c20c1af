//! Legal-period computations per second: `cargo bench -p frontline-core --bench period`.

use std::hint::black_box;

use chrono::{DateTime, FixedOffset, TimeDelta};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline_core::period::{
    Calendars, ComputeOptions, Mode, PeriodSpec, RuleCatalog, Span, compute,
};

fn starts() -> Vec<DateTime<FixedOffset>> {
    let Ok(base) = DateTime::parse_from_rfc3339("2025-01-01T09:30:00+08:00") else {
        return Vec::new();
    };
    // One start every 17 hours over ~1.3 years: every weekday, holiday and hour.
    (0..700).map(|i| base + TimeDelta::hours(17 * i)).collect()
}

fn specs() -> Vec<PeriodSpec> {
    vec![
        PeriodSpec::new(Span::days(30), Mode::Legal),
        PeriodSpec::new(Span::days(3), Mode::Custody),
        PeriodSpec::new(Span::days(7), Mode::WorkingDays),
        PeriodSpec::new(Span::months(2), Mode::Custody),
        PeriodSpec::new(Span::months(1), Mode::Legal),
        PeriodSpec::new(Span::hours(24), Mode::Legal),
        PeriodSpec::new(Span::days(15), Mode::Legal),
        PeriodSpec::new(Span::days(2), Mode::Legal),
    ]
}

fn bench(c: &mut Criterion) {
    let Ok(cals) = Calendars::builtin() else {
        return;
    };
    let starts = starts();
    let specs = specs();
    let n = (starts.len() * specs.len()) as u64;
    let mut g = c.benchmark_group("period");
    g.throughput(Throughput::Elements(n));
    g.bench_function("compute_mixed", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for s in &starts {
                for spec in &specs {
                    if compute(*s, black_box(spec), &cals).is_ok() {
                        ok += 1;
                    }
                }
            }
            black_box(ok)
        })
    });
    // Worst cases: a 30-day period whose last day is 2025-10-01 (8 holiday days to roll
    // over, each named in the explanation) and 60 working days across National Day.
    g.throughput(Throughput::Elements(1));
    let national_day = DateTime::parse_from_rfc3339("2025-08-31T10:00:00+08:00").ok();
    if let Some(start) = national_day {
        let legal = PeriodSpec::new(Span::days(31), Mode::Legal);
        g.bench_function("compute_rollover_8_days", |b| {
            b.iter(|| compute(black_box(start), &legal, &cals))
        });
        let wd = PeriodSpec::new(Span::days(60), Mode::WorkingDays);
        g.bench_function("compute_60_working_days", |b| {
            b.iter(|| compute(black_box(start), &wd, &cals))
        });
    }
    // Starting a deadline from a catalog rule (what the case workflow does).
    if let (Ok(catalog), Some(start)) = (RuleCatalog::builtin(), national_day) {
        g.bench_function("deadline_start_case_handling", |b| {
            b.iter(|| {
                catalog.start(
                    "admin.case_handling",
                    black_box(start),
                    &cals,
                    ComputeOptions::default(),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

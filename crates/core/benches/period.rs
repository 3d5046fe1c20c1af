//! Legal-period computations per second (issue 3): `cargo bench -p frontline-core --bench period`.

use std::hint::black_box;

use chrono::{DateTime, FixedOffset, TimeDelta};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline_core::period::{Calendars, Mode, PeriodSpec, Span, compute};

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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

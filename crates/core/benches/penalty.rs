//! Penalty discretion engine: assessments per second on one core, and load time of the
//! catalogs + default standard. Targets: >= 1,000,000 assessments/s and < 50 ms.
#![expect(clippy::unwrap_used, reason = "a bench with broken setup stops loudly")]

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline_core::penalty::{AssessInput, Engine, Person, TierKind};

fn inputs() -> Vec<AssessInput> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let mk = |article: &str, tier: Option<TierKind>, circs: &[&str], age: u8, date: NaiveDate| {
        AssessInput {
            article: article.into(),
            item: None,
            situation: None,
            tier,
            circumstances: circs.iter().map(|s| s.to_string()).collect(),
            person: Person {
                age,
                ..Person::default()
            },
            offence_date: date,
            discovered_date: None,
            decision_date: None,
            illegal_gains_yuan: None,
        }
    };
    vec![
        mk(
            "51",
            None,
            &["dispute_origin", "confessed"],
            34,
            d(2026, 3, 1),
        ),
        mk(
            "58",
            Some(TierKind::Heavier),
            &["prior_penalty_1y", "multiple_acts"],
            41,
            d(2026, 4, 2),
        ),
        mk("82", None, &["first_violation"], 17, d(2026, 5, 3)),
        mk("30", None, &["surrendered", "forgiven"], 25, d(2026, 6, 4)),
        mk("26", None, &[], 72, d(2026, 7, 5)),
        mk(
            "51",
            Some(TierKind::Heavier),
            &["prior_penalty_6m"],
            30,
            d(2025, 10, 1),
        ),
        mk(
            "59",
            None,
            &["minor_harm", "compensated"],
            15,
            d(2025, 11, 2),
        ),
        mk(
            "84",
            Some(TierKind::Lighter),
            &["confessed"],
            52,
            d(2026, 8, 6),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    let engine = Engine::builtin().unwrap();
    eprintln!(
        "penalty: catalogs (2025 + 2012) + default standard loaded in {:?}",
        t.elapsed()
    );
    let inputs = inputs();
    for i in &inputs {
        engine.assess(i).unwrap();
    }
    let mut g = c.benchmark_group("penalty");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("assess_mix_8", |b| {
        b.iter(|| {
            for i in &inputs {
                black_box(engine.assess(black_box(i)).unwrap());
            }
        })
    });
    g.finish();
    c.bench_function("penalty_load_catalogs_and_standard", |b| {
        b.iter(|| black_box(Engine::builtin().unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Identifiers in free text, as every list row (200 a page) and export row (up to 10,000)
//! masks its narrative, address and caller name: `cargo bench -p frontline-core --bench ident`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline_core::ident::{find_identifiers, mask_identifiers};

/// A typical narrative (about 120 chars), without and with numbers in it.
const PLAIN: &str = "报警人称其停放在人民路12号楼下的电动自行车于2026年5月13日14时30分许被盗，\
                     车辆为黑色雅迪牌，价值约3500元。民警到场后调取周边监控，正在进一步调查。";
const WITH_IDS: &str = "报警人称其弟（电话139 1234 5678，身份证11010519491231002X）于今晨走失，\
                        最后一次出现在人民路12号，门卫电话0551-6123456，已通知家属。";

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ident");
    g.throughput(Throughput::Bytes(PLAIN.len() as u64));
    g.bench_function("mask_narrative_plain", |b| {
        b.iter(|| mask_identifiers(black_box(PLAIN)).len())
    });
    g.throughput(Throughput::Bytes(WITH_IDS.len() as u64));
    g.bench_function("mask_narrative_with_ids", |b| {
        b.iter(|| mask_identifiers(black_box(WITH_IDS)).len())
    });
    g.bench_function("find_narrative_with_ids", |b| {
        b.iter(|| find_identifiers(black_box(WITH_IDS)).len())
    });
    // An export's worth of narratives: 10,000 rows.
    let rows: Vec<&str> = (0..10_000)
        .map(|i| if i % 10 == 0 { WITH_IDS } else { PLAIN })
        .collect();
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.sample_size(20);
    g.bench_function("mask_export_10000_rows", |b| {
        b.iter(|| {
            rows.iter()
                .map(|r| mask_identifiers(black_box(r)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

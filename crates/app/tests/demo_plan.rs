//! The demo plan is a fixed data set: browser and API tests rely on specific records, so
//! the same seed must give byte-for-byte the same plan. The digest pins it.

use chrono::{TimeZone, Utc};
use frontline_app::demo::DEMO_SEED;
use frontline_app::demo::plan::{DEMO_INCIDENT_COUNT, plan};
use frontline_core::incident::category::CategoryTree;
use sha2::{Digest, Sha256};

#[test]
fn demo_plan_output_is_pinned() {
    let tree = CategoryTree::builtin().unwrap();
    let end = Utc
        .with_ymd_and_hms(2025, 6, 30, 15, 59, 59)
        .single()
        .unwrap();
    let mut digests = Vec::new();
    for (seed, n) in [
        (DEMO_SEED, DEMO_INCIDENT_COUNT),
        (DEMO_SEED + 1, 500),
        (42, 0),
    ] {
        let p = plan(seed, end, n, &tree).unwrap();
        digests.push(hex::encode(Sha256::digest(format!("{p:?}").as_bytes())));
    }
    assert_eq!(
        digests,
        [
            "4b267a74eccadc9eacd3ca67cd346eb1855333c0402446069d32be5746e1a3c3",
            "32b6fba2a78683a218b0843c2adc61ec12053e21c85b2b23b36d4c5b1df3649e",
            "dbfeded25b8309f5f832af5868f89f8fa3addc0b0b3341090bbf971cd338a0bf",
        ]
    );
}

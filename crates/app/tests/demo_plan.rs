//! The demo plan is a fixed data set: browser and API tests rely on specific records, so
//! the same seed must give byte-for-byte the same plan. The digest pins it (it changes
//! when the plan gains a field, as when districts got their area types).

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
            "aceff6a6cd7146bd327c7edcdca66aaf34c622dafd9c8d7deefab914fa9502ed",
            "5296e5462311fe8897d9a012da5fde6c57e88af42652eb3597a7dc575c318c31",
            "0ae2d6149192a266b714d1f54d9ef1a9685bafcf890a8111947c228437ee4fce",
        ]
    );
}

//! The organisation cache: typed unit kinds, stations in path order, districts per unit,
//! and a reload that sees what the store holds now.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]

mod common;

use frontline_core::org::UnitKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_holds_the_demo_organisation_typed() {
    let e = common::start().await;
    let org = &e.app.org;
    assert!(!org.is_empty());
    let units = org.units();
    let bureau = org.unit_by_code("QHGA").unwrap();
    assert_eq!((bureau.kind, bureau.parent_id), (UnitKind::Bureau, None));
    let stations = org.stations();
    assert!(!stations.is_empty());
    assert!(stations.iter().all(|u| u.kind == UnitKind::Station));
    assert!(stations.iter().all(|u| u.station_class.is_some()));
    assert!(
        stations.windows(2).all(|w| w[0].path < w[1].path),
        "path order"
    );
    assert_eq!(
        stations.len(),
        units.iter().filter(|u| u.kind == UnitKind::Station).count()
    );
    for k in [
        UnitKind::StreetOffice,
        UnitKind::Procuratorate,
        UnitKind::Court,
    ] {
        let u = units.iter().find(|u| u.kind == k).unwrap();
        assert!(u.kind.is_partner() && u.parent_id.is_none(), "{k:?}");
    }
    assert!(
        units
            .iter()
            .all(|u| u.kind.is_partner() || u.path.starts_with(&bureau.path)),
        "police units sit under the bureau"
    );

    let s01 = org.unit_by_code("S01").unwrap();
    assert_eq!(org.unit(s01.id).unwrap().name, org.unit_name(s01.id));
    let districts = org.districts_of(s01.id);
    assert!(!districts.is_empty());
    assert!(districts.iter().all(|d| d.unit_id == s01.id));
    assert_eq!(
        org.district(districts[0].id).unwrap().code,
        districts[0].code
    );
    assert!(org.unit(uuid::Uuid::now_v7()).is_none());
    assert_eq!(org.unit_name(uuid::Uuid::now_v7()), "");

    // The API's answer: kinds spelt as core spells them, districts grouped by unit.
    let overview = org.overview();
    assert_eq!(overview.units.len(), units.len());
    let v = serde_json::to_value(&overview).unwrap();
    let kind_of = |code: &str| {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .map(|u| u["kind"].clone())
    };
    assert_eq!(kind_of("QHGA"), Some("bureau".into()));
    assert_eq!(kind_of("JD01"), Some("street_office".into()));
    let owners: Vec<_> = overview.districts.iter().map(|d| d.unit_id).collect();
    let mut grouped = owners.clone();
    grouped.dedup();
    let mut unique = grouped.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        grouped.len(),
        unique.len(),
        "each unit's districts together"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_sees_the_store() {
    let db = frontline_store::testing::fresh().await.unwrap();
    let app = frontline_app::App::open(
        &db.config,
        std::sync::Arc::new(frontline_app::FixedClock::new(common::now0())),
        frontline_app::AppConfig::for_tests(),
    )
    .await
    .unwrap();
    assert!(app.org.is_empty());
    assert!(app.org.stations().is_empty());
    app.load_demo(common::now0(), 0).await.unwrap();
    assert!(!app.org.is_empty(), "loading the demo refreshes the cache");
    let before = app.org.units().len();
    app.org.reload(&app.store).await.unwrap();
    assert_eq!(app.org.units().len(), before);
}

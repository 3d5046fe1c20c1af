//! Organisation: units, districts, settings, bulk loads.

use crate::common::*;

// ============================================================================
// 2. Organisation
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_round_trip() {
    let (_db, store, org) = with_org().await;

    let mut want_units = org.units();
    want_units.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let units = store.list_units().await.unwrap();
    assert_eq!(units, want_units);
    assert_eq!(
        units.iter().map(|u| u.path.as_str()).collect::<Vec<_>>(),
        [
            "/QC/",
            "/QC/S01/",
            "/QC/S010/",
            "/QC/S02/",
            "/QC/XZ/",
            "/QC/XZ/XZ1/"
        ]
    );
    let s01 = units.iter().find(|u| u.code == "S01").unwrap();
    assert_eq!(
        (s01.kind.as_str(), s01.station_class, s01.parent_id),
        ("station", Some(1), Some(org.bureau.id))
    );
    let xz1 = units.iter().find(|u| u.code == "XZ1").unwrap();
    assert_eq!(
        (xz1.kind.as_str(), xz1.station_class, xz1.parent_id),
        ("team", None, Some(org.xz.id))
    );

    let mut want_districts = org.districts.clone();
    want_districts.sort_by(|a, b| a.unit_id.cmp(&b.unit_id).then(a.code.cmp(&b.code)));
    assert_eq!(store.list_districts().await.unwrap(), want_districts);

    for o in org.officers() {
        let want = truncated_officer(&o);
        let by_name = store.officer_by_username(&o.username).await.unwrap();
        assert!(
            by_name == Some(want.clone()),
            "officer_by_username({}) = {by_name:?}",
            o.username
        );
        // Debug hides the hash; compare it explicitly so a mismatch is readable.
        assert_eq!(
            by_name.as_ref().map(|r| r.password_hash.as_str()),
            Some(o.password_hash.as_str())
        );
        assert_eq!(
            by_name.as_ref().map(|r| r.created_at),
            Some(truncate_micros(o.created_at))
        );
        let by_id = store.officer_by_id(o.id).await.unwrap();
        assert!(by_id == Some(want), "officer_by_id({})", o.id);
    }
    let aux = store.officer_by_username("s02.aux").await.unwrap().unwrap();
    assert!(aux.auxiliary && aux.badge_no.is_none() && !aux.disabled);
    assert_eq!(aux.roles, vec![Role::DeskOfficer, Role::CommunityOfficer]);

    assert!(store.officer_by_username("nobody").await.unwrap().is_none());
    assert!(
        store
            .officer_by_username("S01.DESK")
            .await
            .unwrap()
            .is_none(),
        "usernames are exact"
    );
    assert!(store.officer_by_id(Uuid::now_v7()).await.unwrap().is_none());

    assert_eq!(
        store.get_setting("jurisdiction").await.unwrap().as_deref(),
        Some("QC")
    );
    assert_eq!(store.get_setting("missing").await.unwrap(), None);
    assert_eq!(
        store.audit_head().await.unwrap().map(|h| h.0),
        Some(1),
        "one load, one entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_with_one_bad_row_stores_nothing() {
    let (db, store) = fresh_store().await;
    let org = Org::build();

    // Duplicate username in the last row.
    let mut load = org.load();
    let mut dup = officer(
        &org.s02,
        &org.desk01.username,
        &[Role::DeskOfficer],
        false,
        None,
    );
    dup.badge_no = Some("020002".into());
    load.officers.push(dup);
    load.incidents.push(new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-03-01T08:00:00Z"),
        "criminal.theft",
    ));
    let err = store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate username: {err:?}"
    );
    assert!(
        store.list_units().await.unwrap().is_empty(),
        "no unit survives a failed load"
    );
    assert!(store.list_districts().await.unwrap().is_empty());
    assert!(
        store
            .officer_by_username(&org.desk01.username)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.officer_by_id(org.chief.id).await.unwrap().is_none());
    assert_eq!(store.count_incidents().await.unwrap(), 0);
    assert_eq!(store.get_setting("jurisdiction").await.unwrap(), None);
    assert_eq!(store.audit_head().await.unwrap(), None);
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());

    // A district pointing at a unit that does not exist (foreign key).
    let mut load = org.load();
    load.districts.push(DistrictRow {
        id: Uuid::now_v7(),
        unit_id: Uuid::now_v7(),
        code: "D9".into(),
        name: "Nowhere".into(),
        area_type: frontline_core::org::AreaType::Rural,
        partner_unit_id: None,
        community_officer_id: None,
    });
    let err = store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "foreign key: {err:?}");
    assert!(store.list_units().await.unwrap().is_empty());
    assert_eq!(store.audit_head().await.unwrap(), None);

    // The good load still works afterwards, and its incident gets number 1: the
    // failed load consumed no number.
    let mut load = org.load();
    let n = new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-03-01T08:00:00Z"),
        "criminal.theft",
    );
    load.incidents.push(n.clone());
    store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap();
    assert_eq!(store.list_units().await.unwrap().len(), 6);
    assert!(store.incident(n.id).await.unwrap() == Some(expected_row(&n, 2026, 1)));

    // A second load that clashes with existing data (username taken) adds nothing.
    let s03 = unit(
        Some(&org.bureau),
        "station",
        Some(2),
        "S03",
        "Station Three",
        "/QC/S03/",
    );
    let clash = officer(
        &s03,
        &org.desk02.username,
        &[Role::DeskOfficer],
        false,
        None,
    );
    let before = head(&store).await;
    let err = store
        .bulk_load(
            BulkLoad {
                units: vec![s03.clone()],
                officers: vec![clash],
                ..Default::default()
            },
            draft("org.import", "org", "S03"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        store
            .list_units()
            .await
            .unwrap()
            .iter()
            .all(|u| u.code != "S03")
    );
    assert_eq!(head(&store).await, before);
    drop(store);
    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM units WHERE code = 'S03'").await,
        0
    );
}

/// Kinds and roles are typed in rows and plain text in the schema: written as core
/// spells them, and a stored value core does not know is an error, never a panic nor
/// a silently dropped role.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_kinds_and_roles_are_stored_as_text_and_checked_when_read() {
    let (db, store, org) = with_org().await;
    assert_eq!(
        raw_count(
            &db.config,
            "SELECT COUNT(*) FROM units WHERE code = 'XZ1' AND kind = 'team'"
        )
        .await,
        1
    );
    assert_eq!(
        raw_count(
            &db.config,
            "SELECT COUNT(*) FROM officers \
             WHERE username = 's02.aux' AND roles = 'desk_officer,community_officer'"
        )
        .await,
        1
    );

    raw_execute(
        &db.config,
        "UPDATE officers SET roles = 'desk_officer,root' WHERE username = 's02.aux'",
    )
    .await;
    let err = store.officer_by_username("s02.aux").await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Db(e) if e.message().contains("root")),
        "{err:?}"
    );
    assert!(matches!(
        store.officer_by_id(org.desk02.id).await,
        Err(StoreError::Db(_))
    ));
    assert!(
        store
            .officer_by_username("s01.desk")
            .await
            .unwrap()
            .is_some(),
        "other officers still read"
    );
    raw_execute(
        &db.config,
        "UPDATE officers SET roles = '' WHERE username = 's02.aux'",
    )
    .await;
    assert_eq!(
        store
            .officer_by_username("s02.aux")
            .await
            .unwrap()
            .map(|o| o.roles),
        Some(vec![]),
        "an empty list is no role, not an error"
    );

    raw_execute(
        &db.config,
        "UPDATE units SET kind = 'galaxy' WHERE code = 'S02'",
    )
    .await;
    let err = store.list_units().await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Db(e) if e.message().contains("galaxy")),
        "{err:?}"
    );
}

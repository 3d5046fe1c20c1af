//! Incidents: numbering, atomicity, concurrency, and listing.

use crate::common::*;

// ============================================================================
// 4. Incidents: numbering, atomicity, concurrency
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_numbers_per_unit_and_beijing_year() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;

    let a = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft");
    let b = new_incident(&org.s01, d, ts("2026-03-01T09:00:00Z"), "criminal.fraud");
    let c = new_incident(&org.s02, d, ts("2026-03-01T09:30:00Z"), "traffic.accident");
    // 2026-12-31T16:30Z is 2027-01-01 00:30 in Beijing.
    let next_year = new_incident(&org.s01, d, ts("2026-12-31T16:30:00Z"), "criminal.theft");
    // 2026-12-31T15:59:59Z is still 2026 in Beijing (23:59:59).
    let last_2026 = new_incident(&org.s01, d, ts("2026-12-31T15:59:59Z"), "criminal.theft");
    // 2025-12-31T16:00Z is 2026-01-01 00:00 in Beijing: year 2026.
    let first_2026 = new_incident(&org.s02, d, ts("2025-12-31T16:00:00Z"), "criminal.theft");
    // 2026-01-01T00:00Z is 08:00 in Beijing; reported at 2025-12-31T15:00Z → 2025.
    let in_2025 = new_incident(&org.s02, d, ts("2025-12-31T15:00:00Z"), "criminal.theft");
    let team = new_incident(&org.xz1, d, ts("2026-05-01T00:00:00Z"), "criminal.theft");

    let expect = [
        (&a, "S01-2026-000001", 2026, 1),
        (&b, "S01-2026-000002", 2026, 2),
        (&c, "S02-2026-000001", 2026, 1),
        (&next_year, "S01-2027-000001", 2027, 1),
        (&last_2026, "S01-2026-000003", 2026, 3),
        (&first_2026, "S02-2026-000002", 2026, 2),
        (&in_2025, "S02-2025-000001", 2025, 1),
        (&team, "XZ1-2026-000001", 2026, 1),
    ];
    for (n, number, year, seq) in expect {
        let row = create(&store, n).await;
        assert_eq!(row.number, number);
        assert!(
            row == expected_row(n, year, seq),
            "returned row for {number}: {row:?}"
        );
        let back = store.incident(n.id).await.unwrap();
        assert!(
            back == Some(row.clone()),
            "incident({number}) round trip: {back:?}"
        );
        // Every field, so a mismatch names the field (Debug hides personal data).
        let back = back.unwrap();
        assert_eq!(back.reported_at, truncate_micros(n.reported_at));
        assert_eq!(back.created_at, truncate_micros(n.created_at));
        assert_eq!(
            (
                &back.caller_name,
                &back.caller_phone,
                &back.caller_id_number,
                &back.narrative,
                &back.address
            ),
            (
                &n.caller_name,
                &n.caller_phone,
                &n.caller_id_number,
                &n.narrative,
                &n.address
            )
        );
    }
    assert_eq!(store.count_incidents().await.unwrap(), 8);
    assert!(store.incident(Uuid::now_v7()).await.unwrap().is_none());

    // Optional fields: a district and no ID number.
    let mut e = new_incident(&org.s01, d, now_ns(), "public_order.noise");
    e.district_id = Some(org.districts[0].id);
    e.caller_id_number = None;
    let row = create(&store, &e).await;
    assert!(store.incident(e.id).await.unwrap() == Some(row.clone()));
    assert_eq!(row.district_id, Some(org.districts[0].id));
    assert_eq!(row.caller_id_number, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_create_stores_nothing_and_consumes_no_number() {
    let (_db, store, org) = with_org().await;
    let t = ts("2026-04-01T02:00:00Z");
    let first = create(
        &store,
        &new_incident(&org.s01, &org.desk01, t, "criminal.theft"),
    )
    .await;
    assert_eq!(first.seq, 1);
    let before = head(&store).await;

    // created_by is not an officer: foreign key violation.
    let mut ghost = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    ghost.created_by = Uuid::now_v7();
    let err = store
        .create_incident(ghost.clone(), incident_draft(&ghost))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "unknown creator: {err:?}");
    assert!(store.incident(ghost.id).await.unwrap().is_none());

    // A district that does not exist.
    let mut bad_district = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    bad_district.district_id = Some(Uuid::now_v7());
    let err = store
        .create_incident(bad_district.clone(), incident_draft(&bad_district))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Db(_)),
        "unknown district: {err:?}"
    );

    // Same id as an existing incident: conflict.
    let mut dup = new_incident(&org.s01, &org.desk01, t, "criminal.fraud");
    dup.id = first.id;
    let err = store
        .create_incident(dup.clone(), incident_draft(&dup))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate id: {err:?}"
    );
    assert!(
        store.incident(first.id).await.unwrap() == Some(first.clone()),
        "original untouched"
    );

    assert_eq!(
        head(&store).await,
        before,
        "no audit entry for failed creates"
    );
    assert_eq!(store.count_incidents().await.unwrap(), 1);

    let next = create(
        &store,
        &new_incident(&org.s01, &org.desk01, t, "criminal.theft"),
    )
    .await;
    assert_eq!(
        (next.seq, next.number.as_str()),
        (2, "S01-2026-000002"),
        "no gap after failures"
    );
    assert_eq!(head(&store).await.0, before.0 + 1);
    assert_eq!(verify_chain(&store).await, Ok(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_number_without_gaps_or_duplicates() {
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-06-01T00:00:00Z");
    let mut tasks = Vec::new();
    for worker in 0..20 {
        let (store, s01, desk) = (store.clone(), org.s01.clone(), org.desk01.clone());
        tasks.push(tokio::spawn(async move {
            let mut rows = Vec::new();
            for i in 0..10 {
                let n = new_incident(
                    &s01,
                    &desk,
                    t0 + Duration::seconds(worker * 10 + i),
                    "criminal.theft",
                );
                rows.push(create(&store, &n).await);
            }
            rows
        }));
    }
    let mut rows = Vec::new();
    for t in tasks {
        rows.extend(t.await.unwrap());
    }
    let mut seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let mut nums: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
    nums.sort_unstable();
    nums.dedup();
    assert_eq!(nums.len(), 200);
    for r in &rows {
        assert_eq!(r.number, format!("S01-2026-{:06}", r.seq));
        assert!(store.incident(r.id).await.unwrap() == Some(r.clone()));
    }
    assert_eq!(store.count_incidents().await.unwrap(), 200);
    assert_eq!(verify_chain(&store).await, Ok(201));
    // Every create's audit entry names its incident and number.
    let entries = all_audit(&store).await;
    for r in &rows {
        let e = entries
            .iter()
            .find(|e| e.record.object_id == r.id.to_string())
            .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&e.record.detail).unwrap();
        assert_eq!(detail["number"], r.number.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_failures_do_not_disturb_the_successes() {
    // On SQLite failing and succeeding requests share one group commit: each must
    // be rolled back to its own savepoint without touching its neighbours.
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-06-01T00:00:00Z");
    let mut tasks = Vec::new();
    for i in 0..80i64 {
        let (store, s01, desk) = (store.clone(), org.s01.clone(), org.desk01.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = new_incident(&s01, &desk, t0 + Duration::seconds(i), "criminal.theft");
            let bad = i % 4 == 3;
            if bad {
                n.created_by = Uuid::now_v7();
            }
            (
                bad,
                n.id,
                store.create_incident(n.clone(), incident_draft(&n)).await,
            )
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        let (bad, id, r) = t.await.unwrap();
        if bad {
            assert!(matches!(r, Err(StoreError::Db(_))), "bad row {id}: {r:?}");
            assert!(store.incident(id).await.unwrap().is_none());
        } else {
            seqs.push(r.unwrap().seq);
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
    assert_eq!(store.count_incidents().await.unwrap(), 60);
    assert_eq!(verify_chain(&store).await, Ok(61));
}

// ============================================================================
// 5. Listing: scope, unit, time, category, order, paging
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_incidents_scope_filters_order_and_paging() {
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-03-01T00:00:00Z");
    let h = |m: i64| t0 + Duration::minutes(m);
    let d = &org.desk01;
    let specs = [
        ('a', &org.s01, h(60), "criminal.theft"),
        ('b', &org.s01, h(120), "criminal.fraud"),
        ('c', &org.s01, h(180), "traffic.accident"),
        ('d', &org.s01, h(180), "criminal.theft"), // same instant as c: id breaks the tie
        ('e', &org.s010, h(240), "criminal.theft"),
        ('f', &org.s02, h(300), "criminal_x.other"),
        ('g', &org.s02, h(30), "criminal.theft"),
        ('h', &org.xz1, h(360), "public_order.noise"),
    ];
    let mut rows = std::collections::BTreeMap::new();
    for (k, u, t, cat) in specs {
        rows.insert(k, create(&store, &new_incident(u, d, t, cat)).await);
    }
    let pick = |keys: &str| listed(keys.chars().map(|k| &rows[&k]));
    let all = pick("abcdefgh");
    let check = |page: IncidentPage, want: Vec<IncidentRow>, what: &str| {
        assert_eq!(
            numbers(&page),
            want.iter().map(|r| r.number.clone()).collect::<Vec<_>>(),
            "{what}"
        );
        assert!(page.items == want, "{what}: rows differ");
        assert_eq!(page.total, want.len() as i64, "{what}: total");
    };
    // c and d share reported_at: d (created later, larger UUIDv7) comes first.
    assert!(rows[&'d'].id > rows[&'c'].id);

    // No scope: nothing, whatever else is asked.
    let p = store.list_incidents(filter(None)).await.unwrap();
    assert!(p.items.is_empty() && p.total == 0);
    let p = store
        .list_incidents(IncidentFilter {
            unit: Some(PathRange::all()),
            ..filter(None)
        })
        .await
        .unwrap();
    assert!(p.items.is_empty() && p.total == 0);

    let list = |f: IncidentFilter| {
        let store = store.clone();
        async move { store.list_incidents(f).await.unwrap() }
    };
    check(
        list(filter(Some(PathRange::all()))).await,
        all.clone(),
        "all",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/")))).await,
        all.clone(),
        "bureau subtree",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S01/")))).await,
        pick("abcd"),
        "S01 (not S010)",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S010/")))).await,
        pick("e"),
        "S010",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/XZ/")))).await,
        pick("h"),
        "department subtree",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S03/")))).await,
        vec![],
        "empty unit",
    );

    // Unit filter intersected with scope.
    let scoped = |scope: &str, unit: &str| IncidentFilter {
        unit: Some(PathRange::subtree(unit)),
        ..filter(Some(PathRange::subtree(scope)))
    };
    check(
        list(scoped("/QC/", "/QC/S01/")).await,
        pick("abcd"),
        "bureau ∩ S01",
    );
    check(
        list(scoped("/QC/S01/", "/QC/S01/")).await,
        pick("abcd"),
        "S01 ∩ S01",
    );
    check(
        list(scoped("/QC/S01/", "/QC/S02/")).await,
        vec![],
        "S01 ∩ S02",
    );
    check(
        list(scoped("/QC/S01/", "/QC/")).await,
        pick("abcd"),
        "S01 ∩ bureau",
    );
    check(
        list(scoped("/QC/XZ/", "/QC/XZ/XZ1/")).await,
        pick("h"),
        "XZ ∩ XZ1",
    );

    // Time bounds: from inclusive, to exclusive.
    let timed = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| IncidentFilter {
        from,
        to,
        ..filter(Some(PathRange::all()))
    };
    check(
        list(timed(Some(h(120)), Some(h(240)))).await,
        pick("bcd"),
        "[2h, 4h)",
    );
    check(list(timed(Some(h(300)), None)).await, pick("fh"), "from 5h");
    check(
        list(timed(None, Some(h(60)))).await,
        pick("g"),
        "to 1h (exclusive)",
    );
    check(
        list(timed(Some(h(180)), Some(h(180)))).await,
        vec![],
        "empty interval",
    );
    check(
        list(timed(
            Some(h(180)),
            Some(h(180) + Duration::microseconds(1)),
        ))
        .await,
        pick("cd"),
        "one microsecond",
    );

    // Categories: a leaf is exact; a root is every leaf under it and nothing else.
    let cat = |c: &str| IncidentFilter {
        category: Some(c.into()),
        ..filter(Some(PathRange::all()))
    };
    check(
        list(cat("criminal.theft")).await,
        pick("adeg"),
        "leaf criminal.theft",
    );
    check(
        list(cat("criminal")).await,
        pick("abdeg"),
        "root criminal (not criminal_x)",
    );
    check(list(cat("criminal_x")).await, pick("f"), "root criminal_x");
    check(list(cat("traffic")).await, pick("c"), "root traffic");
    check(
        list(cat("criminal.the")).await,
        vec![],
        "a leaf prefix is not a match",
    );
    check(
        list(cat("crim")).await,
        vec![],
        "a root prefix is not a match",
    );

    // Everything at once.
    let combined = IncidentFilter {
        category: Some("criminal".into()),
        from: Some(h(120)),
        unit: Some(PathRange::subtree("/QC/S01/")),
        ..filter(Some(PathRange::subtree("/QC/")))
    };
    check(list(combined).await, pick("bd"), "combined");

    // Paging: pages concatenate to the full list; total ignores paging.
    let mut paged = Vec::new();
    for offset in [0, 3, 6] {
        let p = list(IncidentFilter {
            limit: 3,
            offset,
            ..filter(Some(PathRange::all()))
        })
        .await;
        assert_eq!(p.total, 8, "total at offset {offset}");
        assert_eq!(p.items.len(), if offset == 6 { 2 } else { 3 });
        paged.extend(p.items);
    }
    assert!(paged == all, "pages in order");
    let p = list(IncidentFilter {
        limit: 3,
        offset: 8,
        ..filter(Some(PathRange::all()))
    })
    .await;
    assert!(p.items.is_empty());
    assert_eq!(p.total, 8);
    let p = list(IncidentFilter {
        limit: 2,
        offset: 1,
        ..filter(Some(PathRange::subtree("/QC/S01/")))
    })
    .await;
    assert_eq!(p.total, 4);
    assert!(
        p.items == pick("abcd")[1..3].to_vec(),
        "page inside a scope"
    );
}

/// (id, reported_at, unit_path, category) of a loaded incident.
type Listed = (Uuid, DateTime<Utc>, String, String);

/// Past a few thousand matching rows a page is read differently (walking the time index
/// rather than sorting the matches); both ways give the same rows in the same order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_are_the_same_for_large_and_small_matches() {
    let (_db, store) = fresh_store().await;
    let org = Org::build();
    let mut load = org.load();
    let t0 = ts("2026-01-01T00:00:00Z");
    let cats = [
        "criminal.theft",
        "criminal.fraud",
        "dispute.neighbour",
        "traffic.accident",
    ];
    for i in 0..6_400i64 {
        // S01 holds 6,000 (over the threshold), S02 400; every 7th pair shares an instant.
        let unit = if i % 16 == 5 { &org.s02 } else { &org.s01 };
        let at = t0 + Duration::minutes(i - i % 7 * (i % 2));
        let cat = cats[(i as usize * 7 + i as usize / 3) % 4];
        load.incidents
            .push(new_incident(unit, &org.desk01, at, cat));
    }
    let all: Vec<Listed> = load
        .incidents
        .iter()
        .map(|n| (n.id, n.reported_at, n.unit_path.clone(), n.category.clone()))
        .collect();
    store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap();
    let want = |keep: &dyn Fn(&Listed) -> bool| {
        let mut v: Vec<_> = all.iter().filter(|r| keep(r)).cloned().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        v.into_iter().map(|r| r.0).collect::<Vec<Uuid>>()
    };
    let s01 = org.s01.path.clone();
    let cases: Vec<(&str, IncidentFilter, Vec<Uuid>)> = vec![
        ("all", filter(Some(PathRange::all())), want(&|_| true)),
        (
            "S01",
            filter(Some(PathRange::subtree(&s01))),
            want(&|r| r.2 == s01),
        ),
        (
            "S02",
            filter(Some(PathRange::subtree(&org.s02.path))),
            want(&|r| r.2 == org.s02.path),
        ),
        (
            "S01 criminal",
            IncidentFilter {
                category: Some("criminal".into()),
                ..filter(Some(PathRange::subtree(&s01)))
            },
            want(&|r| r.2 == s01 && r.3.starts_with("criminal.")),
        ),
        (
            "S01 traffic.accident in a window",
            IncidentFilter {
                category: Some("traffic.accident".into()),
                from: Some(t0 + Duration::minutes(1000)),
                to: Some(t0 + Duration::minutes(3000)),
                ..filter(Some(PathRange::subtree(&s01)))
            },
            want(&|r| {
                r.2 == s01
                    && r.3 == "traffic.accident"
                    && r.1 >= t0 + Duration::minutes(1000)
                    && r.1 < t0 + Duration::minutes(3000)
            }),
        ),
        (
            "open everywhere up to a time (the review's still-open list)",
            IncidentFilter {
                open_only: true,
                to: Some(t0 + Duration::minutes(3000)),
                ..filter(Some(PathRange::all()))
            },
            want(&|r| r.1 < t0 + Duration::minutes(3000)),
        ),
    ];
    for (what, f, ids) in cases {
        let total = ids.len() as i64;
        for offset in [0, 40, total / 2, (total - 25).max(0)] {
            let p = store
                .list_incidents(IncidentFilter {
                    limit: 50,
                    offset,
                    ..f.clone()
                })
                .await
                .unwrap();
            assert_eq!(p.total, total, "{what}: total");
            let got: Vec<Uuid> = p.items.iter().map(|r| r.id).collect();
            let end = (offset as usize + 50).min(ids.len());
            let start = (offset as usize).min(end);
            assert_eq!(got, ids[start..end].to_vec(), "{what} at {offset}");
            let p = store
                .list_incidents(IncidentFilter {
                    limit: 50,
                    offset,
                    oldest_first: true,
                    ..f.clone()
                })
                .await
                .unwrap();
            let mut rev = ids.clone();
            rev.reverse();
            let got: Vec<Uuid> = p.items.iter().map(|r| r.id).collect();
            assert_eq!(
                got,
                rev[start..end].to_vec(),
                "{what} oldest first at {offset}"
            );
        }
        // The daily review's one-query lists: every match, in order, no total.
        let got: Vec<Uuid> = store
            .incidents_matching(IncidentFilter {
                limit: 10_000,
                ..f.clone()
            })
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, ids, "{what}: every match");
    }
}

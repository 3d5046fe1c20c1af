//! The suite runs on the engine asked for; migrations; durability across reopen and handles.

use crate::common::*;

// ============================================================================
// 0. The suite runs on the engine CI asked for.
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_matches_environment() {
    let (db, store) = fresh_store().await;
    let want = if testing::pg_url_from_env().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(store.engine(), want);
    match (&db.config, want) {
        (DbConfig::Sqlite { .. }, "sqlite") | (DbConfig::Postgres { .. }, "postgres") => {}
        (cfg, _) => panic!("fresh() returned {cfg:?} for engine {want}"),
    }
}

// ============================================================================
// 1. Migrations
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_is_idempotent_and_schema_version_is_current() {
    let (db, first) = fresh_store().await;
    assert_eq!(first.schema_version().await.unwrap(), SCHEMA_VERSION);
    let org = Org::build();
    first
        .bulk_load(org.load(), draft("org.load", "org", "QC"))
        .await
        .unwrap();

    // A second open while the first is alive, then another after both are gone.
    let second = Store::open(&db.config).await.expect("second open");
    assert_eq!(second.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(
        second.list_units().await.unwrap().len(),
        6,
        "second open kept the data"
    );
    drop(second);
    drop(first);
    let third = Store::open(&db.config).await.expect("third open");
    assert_eq!(third.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(third.list_units().await.unwrap().len(), 6);
    assert_eq!(third.audit_head().await.unwrap().map(|h| h.0), Some(1));
    drop(third);

    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM schema_migrations").await,
        MIGRATIONS_APPLIED
    );
    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM audit_head").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_open_migrates_once() {
    // Two instances starting at once on a new database (a server and a CLI command).
    for _ in 0..3 {
        let db = testing::fresh().await.unwrap();
        let (a, b, c) = tokio::join!(
            Store::open(&db.config),
            Store::open(&db.config),
            Store::open(&db.config)
        );
        for s in [a, b, c] {
            let s = s.expect("concurrent open");
            assert_eq!(s.schema_version().await.unwrap(), SCHEMA_VERSION);
        }
        assert_eq!(
            raw_count(&db.config, "SELECT COUNT(*) FROM schema_migrations").await,
            MIGRATIONS_APPLIED
        );
    }
}

// ============================================================================
// 7. Durability
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_and_chain_survive_reopen() {
    let (db, store, org) = with_org().await;
    let mut made = Vec::new();
    for i in 0..3 {
        let n = new_incident(
            &org.s01,
            &org.desk01,
            ts("2026-07-01T00:00:00Z") + Duration::hours(i),
            "criminal.theft",
        );
        made.push(create(&store, &n).await);
    }
    let s = session_for(&org.desk02, "tok-durable");
    store
        .insert_session(s.clone(), draft("session.create", "session", "tok-durable"))
        .await
        .unwrap();
    store
        .append_audit(draft("incident.read", "incident", "x"))
        .await
        .unwrap();
    let units = store.list_units().await.unwrap();
    let head_before = head(&store).await;
    let log_before = all_audit(&store).await;
    assert_eq!(head_before.0, 6);
    drop(store);

    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(store.list_units().await.unwrap(), units);
    assert!(
        store.officer_by_id(org.desk01.id).await.unwrap() == Some(truncated_officer(&org.desk01))
    );
    assert_eq!(
        store.session("tok-durable").await.unwrap(),
        Some(truncated_session(&s))
    );
    for r in &made {
        assert!(
            store.incident(r.id).await.unwrap() == Some(r.clone()),
            "{} survived",
            r.number
        );
    }
    let page = store
        .list_incidents(filter(Some(PathRange::all())))
        .await
        .unwrap();
    assert!(page.items == listed(&made));
    assert_eq!(head(&store).await, head_before);
    assert_eq!(all_audit(&store).await, log_before);

    // The chain continues from the persisted head.
    let d = draft("incident.read", "incident", "after-reopen");
    store.append_audit(d.clone()).await.unwrap();
    assert_appended_one(&store, &head_before, &d).await;
    // And the counters continue too.
    let next = create(
        &store,
        &new_incident(
            &org.s01,
            &org.desk01,
            ts("2026-07-02T00:00:00Z"),
            "criminal.theft",
        ),
    )
    .await;
    assert_eq!(next.number, "S01-2026-000004");
    assert_eq!(verify_chain(&store).await, Ok(8));

    // Once more, with writes still arriving right before the close.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(draft("incident.read", "incident", &format!("burst-{i}")))
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let h = head(&store).await;
    drop(store);
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(head(&store).await, h);
    assert_eq!(verify_chain(&store).await, Ok(28));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_database_share_the_chain() {
    // E.g. the server running while `frontline user add` writes from the CLI.
    let (db, a, org) = with_org().await;
    let b = Store::open(&db.config).await.unwrap();
    let mut expect_seq = 1;
    for round in 0..3 {
        for (name, s) in [("a", &a), ("b", &b)] {
            expect_seq += 1;
            let seq = s
                .append_audit(draft(
                    "incident.read",
                    "incident",
                    &format!("{name}-{round}"),
                ))
                .await
                .unwrap_or_else(|e| panic!("append via handle {name}, round {round}: {e}"));
            assert_eq!(seq, expect_seq, "handle {name}, round {round}");
            // A fixed report time: numbering restarts each Beijing year, and a run
            // crossing New Year must not change what this checks.
            let at = ts("2026-07-01T00:00:00Z") + Duration::seconds(expect_seq);
            let n = new_incident(&org.s01, &org.desk01, at, "criminal.theft");
            let row = s
                .create_incident(n.clone(), incident_draft(&n))
                .await
                .unwrap_or_else(|e| panic!("create via handle {name}, round {round}: {e}"));
            expect_seq += 1;
            assert_eq!(row.seq, expect_seq / 2, "numbers shared across handles");
        }
    }
    assert_eq!(verify_chain(&a).await, Ok(13));
    assert_eq!(verify_chain(&b).await, Ok(13));
}

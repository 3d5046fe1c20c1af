//! The audit chain: one entry per write, concurrency, tamper evidence.

use crate::common::*;

// ============================================================================
// 6. Audit chain
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_appends_exactly_one_entry() {
    let (_db, store) = fresh_store().await;
    assert_eq!(store.audit_head().await.unwrap(), None);
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());
    assert_eq!(verify_chain(&store).await, Ok(0));
    let org = Org::build();
    let mut h = head(&store).await;

    let d = draft("org.load", "org", "QC");
    store.bulk_load(org.load(), d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let o = officer(
        &org.s02,
        "s02.new",
        &[Role::CaseOfficer],
        false,
        Some("020009"),
    );
    let mut d = draft("officer.create", "officer", &o.id.to_string());
    d.actor_id = Some(org.chief.id);
    d.purpose = Some("onboarding".into());
    d.detail = r#"{"username":"s02.new"}"#.into();
    store.insert_officer(o.clone(), d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("officer.password", "officer", &o.id.to_string());
    store
        .update_officer_auth(o.id, Some("h2".into()), None, None, d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("session.create", "session", "tok");
    store
        .insert_session(session_for(&o, "tok"), d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("session.delete", "session", "tok");
    store.delete_session("tok", d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let n = new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-02-02T02:02:02Z"),
        "criminal.theft",
    );
    let mut d = incident_draft(&n);
    d.detail = "ignored: the store records the number".into();
    let row = store.create_incident(n.clone(), d.clone()).await.unwrap();
    d.detail = serde_json::json!({ "number": row.number }).to_string();
    h = assert_appended_one(&store, &h, &d).await;

    let mut d = draft("incident.read", "incident", &n.id.to_string());
    d.actor_id = Some(org.chief.id);
    d.purpose = Some("case review".into());
    let seq = store.append_audit(d.clone()).await.unwrap();
    assert_eq!(seq, h.0 + 1, "append_audit returns the new seq");
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("officer.disable", "officer", &o.id.to_string());
    store
        .update_officer_auth(o.id, None, None, Some(true), d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    // Failed writes of every kind: no entry.
    let bad = [
        store
            .bulk_load(org.load(), draft("org.load", "org", "QC"))
            .await
            .unwrap_err(),
        store
            .insert_officer(o.clone(), draft("officer.create", "officer", "dup"))
            .await
            .unwrap_err(),
        store
            .update_officer_auth(
                Uuid::now_v7(),
                None,
                None,
                Some(true),
                draft("officer.disable", "officer", "?"),
            )
            .await
            .unwrap_err(),
        store
            .insert_session(
                session_for(&Org::build().chief, "t2"),
                draft("session.create", "session", "t2"),
            )
            .await
            .unwrap_err(),
        store
            .create_incident(n.clone(), incident_draft(&n))
            .await
            .unwrap_err(),
    ];
    assert_eq!(bad.len(), 5);
    assert_eq!(head(&store).await, h, "failed writes appended nothing");

    let entries = all_audit(&store).await;
    assert_eq!(entries.len(), 8);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.record.seq, i as i64 + 1, "seq runs 1, 2, 3, …");
        let prev = if i == 0 {
            GENESIS
        } else {
            entries[i - 1].hash.as_str()
        };
        assert_eq!(
            e.prev_hash, prev,
            "entry {} links to its predecessor",
            e.record.seq
        );
    }
    assert_eq!(
        store
            .audit_entries(3, 2)
            .await
            .unwrap()
            .iter()
            .map(|e| e.record.seq)
            .collect::<Vec<_>>(),
        [4, 5]
    );
    assert!(store.audit_entries(8, 10).await.unwrap().is_empty());
    assert_eq!(verify_chain(&store).await, Ok(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_keep_one_valid_chain() {
    let (_db, store, org) = with_org().await;
    let before = head(&store).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let store = store.clone();
        let actor = org.chief.id;
        tasks.push(tokio::spawn(async move {
            let mut d = draft("incident.read", "incident", &format!("obj-{i}"));
            d.actor_id = Some(actor);
            store.append_audit(d).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (before.0 + 1..=before.0 + 100).collect::<Vec<_>>(),
        "distinct seqs, no gaps"
    );
    let entries = all_audit(&store).await;
    assert_eq!(entries.len() as i64, before.0 + 100);
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].record.seq < w[1].record.seq)
    );
    assert_eq!(entries[0].record.seq, 1);
    let mut ids: Vec<&str> = entries[1..]
        .iter()
        .map(|e| e.record.object_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 100, "every append recorded once");
    assert_eq!(verify_chain(&store).await, Ok(before.0 as u64 + 100));
    assert_eq!(head(&store).await.1, entries.last().unwrap().hash);
}

/// A store with the org and nine more entries (ten in all), closed.
async fn ten_entries() -> TestDb {
    let (db, store, _org) = with_org().await;
    for i in 2..=10 {
        store
            .append_audit(draft("incident.read", "incident", &format!("obj-{i}")))
            .await
            .unwrap();
    }
    assert_eq!(verify_chain(&store).await, Ok(10));
    // SQLite: the writer caches the head; tamper only with the store closed.
    drop(store);
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_entry_is_reported_at_its_seq() {
    let db = ten_entries().await;
    let n = raw_execute(
        &db.config,
        "UPDATE audit_log SET action = 'incident.delete' WHERE seq = 5",
    )
    .await;
    assert_eq!(n, 1);
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::HashMismatch { seq: 5 })
    );

    // Another field of another entry (purpose NULL → a value), on a fresh copy.
    drop(store);
    let db = ten_entries().await;
    raw_execute(
        &db.config,
        "UPDATE audit_log SET purpose = 'x' WHERE seq = 8",
    )
    .await;
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::HashMismatch { seq: 8 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_entry_is_reported_as_a_gap() {
    let db = ten_entries().await;
    assert_eq!(
        raw_execute(&db.config, "DELETE FROM audit_log WHERE seq = 4").await,
        1
    );
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::Gap {
            expected_seq: 4,
            found_seq: 5
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_tail_is_reported_by_the_head() {
    let db = ten_entries().await;
    assert_eq!(
        raw_execute(&db.config, "DELETE FROM audit_log WHERE seq >= 9").await,
        2
    );
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::Head {
            head_seq: 10,
            last_seq: 8
        })
    );
}

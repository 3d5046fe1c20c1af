//! Penalty discretion standards.

use crate::common::*;

// ============================================================================
// Penalty discretion standards
// ============================================================================

fn new_standard(by: &OfficerRow, name: &str, version: &str) -> NewPenaltyStandard {
    NewPenaltyStandard {
        id: Uuid::now_v7(),
        name: name.into(),
        version: version.into(),
        text: format!("name_zh = \"{name}\"\nversion = \"{version}\"\n# 裁量基准正文\n"),
        uploaded_by: by.id,
        uploaded_at: now_ns(),
    }
}

fn standard_row(n: &NewPenaltyStandard, by: &OfficerRow) -> PenaltyStandardRow {
    PenaltyStandardRow {
        id: n.id,
        name: n.name.clone(),
        version: n.version.clone(),
        uploaded_by: by.id,
        uploaded_by_name: by.display_name.clone(),
        uploaded_at: truncate_micros(n.uploaded_at),
        activated_at: None,
        active: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn penalty_standards_upload_activate_and_keep_history() {
    let (_db, store, org) = with_org().await;
    assert!(store.list_penalty_standards().await.unwrap().is_empty());
    assert!(store.active_penalty_standard().await.unwrap().is_none());

    // Upload: a draft, inactive, with its text and one audit entry.
    let a = new_standard(&org.chief, "青禾县裁量基准", "2026.1");
    let before = head(&store).await;
    let d = draft(
        "penalty.standard.upload",
        "penalty_standard",
        &a.id.to_string(),
    );
    store
        .insert_penalty_standard(a.clone(), d.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &before, &d).await;
    let (row, text) = store.penalty_standard(a.id).await.unwrap().unwrap();
    assert_eq!(row, standard_row(&a, &org.chief));
    assert_eq!(text, a.text, "the text round-trips byte for byte");
    assert!(
        store.active_penalty_standard().await.unwrap().is_none(),
        "a draft is not active"
    );

    // The same id again: conflict, nothing written.
    let err = store
        .insert_penalty_standard(a.clone(), d.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // An uploader who is not an officer: refused, nothing written.
    let mut ghost = new_standard(&org.chief, "ghost", "x");
    ghost.uploaded_by = Uuid::now_v7();
    assert!(
        store
            .insert_penalty_standard(ghost.clone(), d.clone())
            .await
            .is_err()
    );
    assert!(store.penalty_standard(ghost.id).await.unwrap().is_none());
    assert_eq!(head(&store).await, h, "failed uploads leave no audit entry");

    // Activate the first.
    let t1 = now_ns();
    let d1 = draft(
        "penalty.standard.activate",
        "penalty_standard",
        &a.id.to_string(),
    );
    let got = store
        .activate_penalty_standard(a.id, t1, d1.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &d1).await;
    let mut want_a = PenaltyStandardRow {
        activated_at: Some(truncate_micros(t1)),
        active: true,
        ..standard_row(&a, &org.chief)
    };
    assert_eq!(got, want_a);
    let (active, text) = store.active_penalty_standard().await.unwrap().unwrap();
    assert_eq!((active, text), (want_a.clone(), a.text.clone()));

    // A second upload, then activate it: the first stays listed, inactive, with its
    // activation time kept.
    let b = new_standard(&org.desk01, "青禾县裁量基准", "2026.2");
    let db_ = draft(
        "penalty.standard.upload",
        "penalty_standard",
        &b.id.to_string(),
    );
    store
        .insert_penalty_standard(b.clone(), db_.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &db_).await;
    let t2 = now_ns();
    let d2 = draft(
        "penalty.standard.activate",
        "penalty_standard",
        &b.id.to_string(),
    );
    let got = store
        .activate_penalty_standard(b.id, t2, d2.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &d2).await;
    let want_b = PenaltyStandardRow {
        activated_at: Some(truncate_micros(t2)),
        active: true,
        ..standard_row(&b, &org.desk01)
    };
    assert_eq!(got, want_b);
    want_a.active = false;
    assert_eq!(
        store.list_penalty_standards().await.unwrap(),
        vec![want_b.clone(), want_a.clone()],
        "newest upload first; the previous one stays on record"
    );
    assert_eq!(
        store.active_penalty_standard().await.unwrap().map(|x| x.0),
        Some(want_b.clone())
    );

    // Activating an unknown id: not found, nothing changed, no audit entry.
    let err = store
        .activate_penalty_standard(Uuid::now_v7(), now_ns(), draft("x", "y", "z"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(head(&store).await, h);
    assert_eq!(
        store
            .active_penalty_standard()
            .await
            .unwrap()
            .map(|x| x.0.id),
        Some(b.id)
    );

    // Re-activating the first: exactly one active row, in the database too.
    store
        .activate_penalty_standard(
            a.id,
            now_ns(),
            draft(
                "penalty.standard.activate",
                "penalty_standard",
                &a.id.to_string(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .active_penalty_standard()
            .await
            .unwrap()
            .map(|x| x.0.id),
        Some(a.id)
    );
    let (db, store2) = (_db, store);
    let active_rows = match &db.config {
        DbConfig::Sqlite { .. } => {
            raw_count(
                &db.config,
                "SELECT COUNT(*) FROM penalty_standards WHERE active = 1",
            )
            .await
        }
        DbConfig::Postgres { .. } => {
            raw_count(
                &db.config,
                "SELECT COUNT(*) FROM penalty_standards WHERE active",
            )
            .await
        }
    };
    assert_eq!(active_rows, 1);
    assert_eq!(verify_chain(&store2).await, Ok(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_activations_leave_exactly_one_active() {
    let (db, store, org) = with_org().await;
    let mut ids = Vec::new();
    for v in 0..6 {
        let n = new_standard(&org.chief, "并发", &format!("v{v}"));
        ids.push(n.id);
        store
            .insert_penalty_standard(
                n.clone(),
                draft(
                    "penalty.standard.upload",
                    "penalty_standard",
                    &n.id.to_string(),
                ),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for id in ids.iter().copied() {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.activate_penalty_standard(
                id,
                now_ns(),
                draft(
                    "penalty.standard.activate",
                    "penalty_standard",
                    &id.to_string(),
                ),
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let listed = store.list_penalty_standards().await.unwrap();
    assert_eq!(listed.len(), 6);
    assert_eq!(listed.iter().filter(|r| r.active).count(), 1);
    assert!(listed.iter().all(|r| r.activated_at.is_some()));
    let sql = match &db.config {
        DbConfig::Sqlite { .. } => "SELECT COUNT(*) FROM penalty_standards WHERE active = 1",
        DbConfig::Postgres { .. } => "SELECT COUNT(*) FROM penalty_standards WHERE active",
    };
    assert_eq!(raw_count(&db.config, sql).await, 1);
    assert_eq!(verify_chain(&store).await, Ok(13));
}

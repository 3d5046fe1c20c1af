//! The search index's change log: a row per write that changes what the index holds,
//! in the writing transaction (a failed write leaves none), read back in order; the
//! documents and by-id reads the indexer and the search page use, the latter in scope.

use frontline_core::incident::lifecycle::Status;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_leave_change_rows_in_order_and_failed_writes_none() {
    let (_db, store, org) = with_org().await;
    let base = store.last_incident_change().await.unwrap();
    let a = create(
        &store,
        &new_incident(
            &org.s01,
            &org.desk01,
            ts("2026-03-01T08:00:00Z"),
            "criminal.theft",
        ),
    )
    .await;
    let b = create(
        &store,
        &new_incident(
            &org.s02,
            &org.desk01,
            ts("2026-03-01T09:00:00Z"),
            "traffic.accident",
        ),
    )
    .await;
    let rows = store.incident_changes_after(base, 100).await.unwrap();
    assert_eq!(
        rows.iter().map(|c| c.incident_id).collect::<Vec<_>>(),
        [a.id, b.id]
    );
    assert!(rows[0].seq < rows[1].seq);
    let top = store.last_incident_change().await.unwrap();
    assert_eq!(top, rows[1].seq);

    // A lifecycle step changes the status: one more row.
    let mut state = a.state.clone();
    state.status = Status::Referred;
    state.version = 2;
    let step = TransitionWrite {
        incident_id: a.id,
        expected_version: 1,
        state,
        event: IncidentEvent {
            seq: 2,
            at: ts("2026-03-01T08:10:00Z"),
            actor_id: Some(org.desk01.id),
            actor_name: org.desk01.display_name.clone(),
            step: "refer".into(),
            from_status: Some(Status::Registered),
            to_status: Status::Referred,
            note: String::new(),
            detail: "{}".into(),
        },
        conversion: None,
        outbox: Vec::new(),
        callback: Default::default(),
        push: None,
        stats: Vec::new(),
    };
    store
        .apply_transition(
            step.clone(),
            draft("incident.refer", "incident", &a.id.to_string()),
        )
        .await
        .unwrap();
    let rows = store.incident_changes_after(top, 100).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].incident_id, a.id);
    let top = rows[0].seq;

    // A stale step writes nothing, so no change row either.
    assert!(
        store
            .apply_transition(step, draft("incident.refer", "incident", &a.id.to_string()))
            .await
            .is_err()
    );
    assert_eq!(store.last_incident_change().await.unwrap(), top);
    assert!(
        store
            .incident_changes_after(top, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // The limit holds.
    assert_eq!(
        store.incident_changes_after(base, 2).await.unwrap().len(),
        2
    );

    // The documents: current state, absent ids left out.
    let mut docs = store
        .search_docs(vec![a.id, b.id, Uuid::now_v7()])
        .await
        .unwrap();
    docs.sort_by_key(|d| d.id);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].id, a.id);
    assert_eq!(docs[0].status, Status::Referred);
    assert_eq!(docs[0].unit_path, "/QC/S01/");
    assert_eq!(docs[0].narrative, a.narrative);
    assert_eq!(docs[1].category, "traffic.accident");
    assert_eq!(docs[1].reported_at, b.reported_at);

    // The scan walks every incident in id order.
    let first = store.search_docs_scan(None, 1).await.unwrap();
    let rest = store.search_docs_scan(Some(first[0].id), 10).await.unwrap();
    let mut ids: Vec<Uuid> = first.iter().chain(&rest).map(|d| d.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1]);
    ids.sort();
    assert_eq!(ids, {
        let mut v = vec![a.id, b.id];
        v.sort();
        v
    });

    // By-id reads keep to the scope given.
    let s01 = store
        .incidents_by_ids(vec![a.id, b.id], PathRange::subtree("/QC/S01/"))
        .await
        .unwrap();
    assert_eq!(s01.iter().map(|r| r.id).collect::<Vec<_>>(), [a.id]);
    let all = store
        .incidents_by_ids(vec![a.id, b.id], PathRange::all())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        store
            .incidents_by_ids(Vec::new(), PathRange::all())
            .await
            .unwrap()
            .is_empty()
    );
}

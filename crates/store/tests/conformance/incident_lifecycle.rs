//! Incident lifecycle steps: versioned updates, the timeline, one winner among racers.

use frontline_core::incident::lifecycle::Status;

use crate::common::*;

fn step(
    row: &IncidentRow,
    to: Status,
    at: DateTime<Utc>,
    by: &OfficerRow,
    name: &str,
) -> TransitionWrite {
    let mut state = row.state.clone();
    state.status = to;
    state.version = row.state.version + 1;
    TransitionWrite {
        incident_id: row.id,
        expected_version: row.state.version,
        state,
        event: IncidentEvent {
            seq: row.state.version + 1,
            at,
            actor_id: Some(by.id),
            actor_name: by.display_name.clone(),
            step: name.into(),
            from_status: Some(row.state.status),
            to_status: to,
            note: String::new(),
            detail: "{}".into(),
        },
        conversion: None,
        outbox: Vec::new(),
        callback: Default::default(),
        push: None,
        stats: Vec::new(),
    }
}

fn notice(key: &str) -> frontline_store::NewMessage {
    frontline_store::NewMessage {
        id: Uuid::now_v7(),
        created_at: ts("2026-03-01T08:00:00Z"),
        channel: "inbox".into(),
        recipient: Uuid::nil().to_string(),
        idempotency_key: key.into(),
        payload: "{}".into(),
    }
}

fn audit_of(row: &IncidentRow, action: &str) -> AuditDraft {
    draft(action, "incident", &row.id.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_moves_the_state_and_writes_its_timeline_row() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let n = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft");
    let row = create(&store, &n).await;
    assert_eq!(row.state, IncidentState::registered());

    let at = ts("2026-03-01T08:02:00.123456Z");
    let mut t = step(&row, Status::Dispatched, at, d, "dispatch");
    t.state.dispatched_at = Some(at);
    t.state.patrol_unit = Some("巡逻一组".into());
    t.state.assigned = vec![org.desk01.id, org.chief.id];
    t.event.note = "派民警两名".into();
    t.event.detail = r#"{"officers":2}"#.into();
    t.outbox = vec![notice("dispatch:a"), notice("dispatch:b")];
    let head_before = store.audit_head().await.unwrap().unwrap().0;
    let moved = store
        .apply_transition(t.clone(), audit_of(&row, "incident.dispatch"))
        .await
        .unwrap();
    assert_eq!(moved.state, t.state);
    assert_eq!(store.incident(row.id).await.unwrap(), Some(moved.clone()));
    assert_eq!(
        store.audit_head().await.unwrap().unwrap().0,
        head_before + 1,
        "one audit entry per step"
    );
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        2,
        "its messages with it"
    );

    let events = store.incident_events(row.id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].step, "register");
    assert_eq!(events[0].to_status, Status::Registered);
    assert_eq!(events[0].from_status, None);
    assert_eq!(events[1], t.event);

    // A conversion records its link for the capability that takes it over.
    let mut on_scene = step(&moved, Status::OnScene, at, d, "arrive");
    on_scene.state.arrived_at = Some(at);
    let on_scene = store
        .apply_transition(on_scene, audit_of(&row, "incident.arrive"))
        .await
        .unwrap();
    let mut conv = step(&on_scene, Status::Converted, at, d, "convert");
    conv.conversion = Some("case".into());
    let done = store
        .apply_transition(conv, audit_of(&row, "incident.convert"))
        .await
        .unwrap();
    assert_eq!(done.state.status, Status::Converted);
    assert_eq!(done.state.version, 4);
    assert_eq!(store.incident_events(row.id).await.unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_step_changes_nothing_and_a_missing_incident_is_not_found() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let n = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft");
    let row = create(&store, &n).await;
    let first = step(
        &row,
        Status::Dispatched,
        ts("2026-03-01T08:01:00Z"),
        d,
        "dispatch",
    );
    store
        .apply_transition(first, audit_of(&row, "incident.dispatch"))
        .await
        .unwrap();
    let head = store.audit_head().await.unwrap();
    // Made against version 1 again: refused, and no row, event or audit entry written.
    let mut stale = step(
        &row,
        Status::Referred,
        ts("2026-03-01T08:03:00Z"),
        d,
        "refer",
    );
    stale.outbox = vec![notice("refer:stale")];
    let err = store
        .apply_transition(stale, audit_of(&row, "incident.refer"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m == frontline_store::STALE_VERSION),
        "{err:?}"
    );
    let now = store.incident(row.id).await.unwrap().unwrap();
    assert_eq!(now.state.status, Status::Dispatched);
    assert_eq!(now.state.version, 2);
    assert_eq!(store.incident_events(row.id).await.unwrap().len(), 2);
    assert_eq!(store.audit_head().await.unwrap(), head);
    assert_eq!(
        store.outbox_counts().await.unwrap().pending,
        0,
        "no message of a refused step"
    );

    let mut ghost = step(
        &row,
        Status::Dispatched,
        ts("2026-03-01T08:03:00Z"),
        d,
        "dispatch",
    );
    ghost.incident_id = Uuid::now_v7();
    let err = store
        .apply_transition(ghost, audit_of(&row, "incident.dispatch"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(
        store
            .incident_events(Uuid::now_v7())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_steps_on_one_incident_have_exactly_one_winner() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let n = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft");
    let row = create(&store, &n).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        let mut t = step(
            &row,
            Status::Dispatched,
            ts("2026-03-01T08:01:00Z"),
            d,
            "dispatch",
        );
        t.state.patrol_unit = Some(format!("P{i}"));
        let audit = audit_of(&row, "incident.dispatch");
        tasks.push(tokio::spawn(async move {
            store.apply_transition(t, audit).await
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => won.push(r),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one winner");
    let now = store.incident(row.id).await.unwrap().unwrap();
    assert_eq!(now.state.version, 2);
    assert_eq!(now.state.patrol_unit, won[0].state.patrol_unit);
    assert_eq!(store.incident_events(row.id).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_filter_lists_only_that_state() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let a = create(
        &store,
        &new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft"),
    )
    .await;
    let b = create(
        &store,
        &new_incident(&org.s01, d, ts("2026-03-01T09:00:00Z"), "criminal.theft"),
    )
    .await;
    store
        .apply_transition(
            step(
                &a,
                Status::Dispatched,
                ts("2026-03-01T08:01:00Z"),
                d,
                "dispatch",
            ),
            audit_of(&a, "incident.dispatch"),
        )
        .await
        .unwrap();
    let list = |status| {
        let store = store.clone();
        async move {
            store
                .list_incidents(IncidentFilter {
                    scope: Some(PathRange::all()),
                    status: Some(status),
                    limit: 20,
                    ..IncidentFilter::default()
                })
                .await
                .unwrap()
        }
    };
    let dispatched = list(Status::Dispatched).await;
    assert_eq!(dispatched.total, 1);
    assert_eq!(dispatched.items[0].id, a.id);
    let registered = list(Status::Registered).await;
    assert_eq!(registered.total, 1);
    assert_eq!(registered.items[0].id, b.id);
    assert_eq!(list(Status::Closed).await.total, 0);
}

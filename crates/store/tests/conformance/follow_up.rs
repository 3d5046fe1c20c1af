//! Repeat links, callbacks and daily review marks: the same behaviour on both engines.

use frontline_core::incident::callback::{CallbackStatus, RepeatBasis, Satisfaction};
use frontline_core::incident::lifecycle::Status;
use frontline_store::{
    ALREADY_REVIEWED, CALLBACK_NOT_DUE, CallbackChange, CallbackReview, CallbackRow, CallbackWrite,
    FollowUp, NewFollowUp, RepeatLink, ReviewRow,
};

use crate::common::*;

fn closed(row: &IncidentRow, at: DateTime<Utc>, by: &OfficerRow) -> TransitionWrite {
    let mut state = row.state.clone();
    state.status = Status::Closed;
    state.version += 1;
    state.ended_at = Some(at);
    TransitionWrite {
        incident_id: row.id,
        expected_version: row.state.version,
        state,
        event: IncidentEvent {
            seq: row.state.version + 1,
            at,
            actor_id: Some(by.id),
            actor_name: by.display_name.clone(),
            step: "close".into(),
            from_status: Some(row.state.status),
            to_status: Status::Closed,
            note: String::new(),
            detail: "{}".into(),
        },
        conversion: None,
        outbox: Vec::new(),
        callback: CallbackChange::Due(at),
        push: None,
        stats: Vec::new(),
    }
}

fn attempt(row: &IncidentRow, n: i64, by: &OfficerRow, sat: Option<Satisfaction>) -> CallbackRow {
    CallbackRow {
        id: Uuid::now_v7(),
        incident_id: row.id,
        attempt: n,
        at: ts("2026-03-02T09:00:00Z") + Duration::hours(n),
        officer_id: by.id,
        officer_name: by.display_name.clone(),
        reached: sat.is_some(),
        satisfaction: sat,
        comment: "报警人表示不满".into(),
        review: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_are_found_by_address_key_or_phone_within_the_window() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let mut first = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "dispute.neighbour");
    first.follow_up.address_key = Some("幸福路12号3单元501".into());
    first.caller_phone = "13900000001".into();
    let first = create(&store, &first).await;
    let mut other = new_incident(&org.s02, d, ts("2026-03-05T08:00:00Z"), "dispute.neighbour");
    other.caller_phone = "13900000001".into();
    let other = create(&store, &other).await;
    let since = ts("2026-02-10T00:00:00Z");
    let until = ts("2026-03-10T00:00:00Z");
    let found = store
        .repeat_candidates(
            Some("幸福路12号3单元501".into()),
            "13900000001".into(),
            since,
            until,
            5,
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    // Newest first; the first call matches on both.
    assert_eq!(found[0].id, other.id);
    assert!(found[0].same_phone && !found[0].same_address);
    assert_eq!(found[1].id, first.id);
    assert!(found[1].same_phone && found[1].same_address);
    // Outside the window: nothing.
    let none = store
        .repeat_candidates(
            None,
            "13900000001".into(),
            until,
            until + Duration::days(1),
            5,
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    let mut third = new_incident(&org.s01, d, ts("2026-03-09T08:00:00Z"), "dispute.neighbour");
    third.follow_up = NewFollowUp {
        address_key: Some("幸福路12号3单元501".into()),
        repeats: vec![
            RepeatLink {
                earlier_id: other.id,
                basis: RepeatBasis::Phone,
            },
            RepeatLink {
                earlier_id: first.id,
                basis: RepeatBasis::Both,
            },
        ],
        ..NewFollowUp::default()
    };
    let third = create(&store, &third).await;
    assert_eq!(third.follow_up.repeat_count, 2);
    assert_eq!(store.incident(third.id).await.unwrap(), Some(third.clone()));
    let links = store.repeat_links(third.id).await.unwrap();
    assert_eq!(
        links.iter().map(|l| (l.id, l.basis)).collect::<Vec<_>>(),
        [
            (other.id, RepeatBasis::Phone),
            (first.id, RepeatBasis::Both)
        ]
    );
    let mut f = filter(Some(PathRange::all()));
    f.repeat_only = true;
    assert_eq!(
        numbers(&store.list_incidents(f).await.unwrap()),
        std::slice::from_ref(&third.number)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_queues_a_callback_and_one_of_two_racing_attempts_wins() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let row = create(
        &store,
        &new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft"),
    )
    .await;
    let at = ts("2026-03-01T10:00:00Z");
    let row = store
        .apply_transition(
            closed(&row, at, d),
            draft("incident.close", "incident", "x"),
        )
        .await
        .unwrap();
    assert_eq!(row.follow_up.callback, Some(CallbackStatus::Due));
    assert_eq!(row.follow_up.callback_next_at, Some(at));
    assert_eq!(store.incident(row.id).await.unwrap(), Some(row.clone()));
    let mut q = filter(Some(PathRange::subtree("/QC/S01/")));
    q.callback = Some(CallbackStatus::Due);
    assert_eq!(store.list_incidents(q.clone()).await.unwrap().total, 1);

    // Two officers record the first attempt at once: one wins.
    let write = |sat: Option<Satisfaction>| CallbackWrite {
        callback: attempt(&row, 1, d, sat),
        state: FollowUp {
            callback: Some(CallbackStatus::Done),
            callback_attempts: 1,
            callback_at: Some(ts("2026-03-02T10:00:00Z")),
            satisfaction: sat,
            ..FollowUp::default()
        },
        outbox: Vec::new(),
    };
    let head = store.audit_head().await.unwrap().unwrap().0;
    let (a, b) = tokio::join!(
        store.record_callback(
            write(Some(Satisfaction::Dissatisfied)),
            draft("incident.callback", "incident", "a")
        ),
        store.record_callback(
            write(Some(Satisfaction::Satisfied)),
            draft("incident.callback", "incident", "b")
        ),
    );
    let results = [a, b];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(m)) if m == CALLBACK_NOT_DUE))
    );
    assert_eq!(store.audit_head().await.unwrap().unwrap().0, head + 1);
    let cbs = store.incident_callbacks(row.id).await.unwrap();
    assert_eq!(cbs.len(), 1, "the loser wrote nothing");
    assert_eq!(store.list_incidents(q).await.unwrap().total, 0);
    let now = store.incident(row.id).await.unwrap().unwrap();
    assert_eq!(now.follow_up.callback, Some(CallbackStatus::Done));
    assert_eq!(now.follow_up.satisfaction, cbs[0].satisfaction);

    // A review once; a second one is refused.
    let review = CallbackReview {
        at: ts("2026-03-03T09:00:00.5Z"),
        reviewer_id: org.chief.id,
        reviewer_name: org.chief.display_name.clone(),
        note: "已回访解释".into(),
    };
    let reviewed = store
        .review_callback(
            cbs[0].id,
            review.clone(),
            draft("incident.callback.review", "incident", "r"),
        )
        .await
        .unwrap();
    assert_eq!(reviewed.review, Some(review.clone()));
    assert_eq!(store.callback(cbs[0].id).await.unwrap(), Some(reviewed));
    assert!(matches!(
        store
            .review_callback(cbs[0].id, review.clone(), draft("x", "incident", "r"))
            .await,
        Err(StoreError::Conflict(m)) if m == ALREADY_REVIEWED
    ));
    assert!(matches!(
        store
            .review_callback(Uuid::now_v7(), review, draft("x", "incident", "r"))
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_marks_replace_and_instructions_are_acknowledged_once() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;
    let t = ts("2026-03-01T08:00:00Z");
    let row = create(&store, &new_incident(&org.s01, d, t, "dispute.family")).await;
    create(&store, &new_incident(&org.s01, d, t, "criminal.theft")).await;
    create(&store, &new_incident(&org.s02, d, t, "criminal.theft")).await;
    let counts = store
        .category_counts(PathRange::subtree("/QC/S01/"), t, t + Duration::hours(1))
        .await
        .unwrap();
    let mut got: Vec<(String, i64)> = counts
        .iter()
        .map(|c| (c.category.clone(), c.count))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("criminal.theft".to_string(), 1),
            ("dispute.family".to_string(), 1)
        ]
    );
    assert_eq!(
        store
            .category_counts(PathRange::all(), t, t + Duration::hours(1))
            .await
            .unwrap()
            .iter()
            .map(|c| c.count)
            .sum::<i64>(),
        3
    );
    let mark = |note: &str, instruction: &str| ReviewRow {
        review_date: "2026-03-01".into(),
        incident_id: row.id,
        unit_path: row.unit_path.clone(),
        at: ts("2026-03-02T01:00:00Z"),
        reviewer_id: org.chief.id,
        reviewer_name: "指挥中心".into(),
        note: note.into(),
        instruction: instruction.into(),
        acknowledged_at: None,
        acknowledged_by: None,
    };
    store
        .mark_reviewed(
            mark("first", ""),
            Vec::new(),
            draft("incident.review", "incident", "a"),
        )
        .await
        .unwrap();
    let second = store
        .mark_reviewed(
            mark("second", "三日内回访"),
            Vec::new(),
            draft("incident.review", "incident", "b"),
        )
        .await
        .unwrap();
    assert_eq!(second.note, "second");
    let day = store
        .reviews_of_day("2026-03-01".into(), PathRange::subtree("/QC/S01/"))
        .await
        .unwrap();
    assert_eq!(day, std::slice::from_ref(&second));
    assert!(
        store
            .reviews_of_day("2026-03-01".into(), PathRange::subtree("/QC/S02/"))
            .await
            .unwrap()
            .is_empty()
    );
    let open = store
        .open_instructions(PathRange::subtree("/QC/S01/"), 10)
        .await
        .unwrap();
    assert_eq!(open, [second]);
    let ack = store
        .acknowledge_instruction(
            "2026-03-01".into(),
            row.id,
            "所长".into(),
            ts("2026-03-02T02:00:00Z"),
            draft("incident.review.acknowledge", "incident", "c"),
        )
        .await
        .unwrap();
    assert_eq!(ack.acknowledged_by.as_deref(), Some("所长"));
    assert!(
        store
            .open_instructions(PathRange::all(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store
            .acknowledge_instruction(
                "2026-03-01".into(),
                row.id,
                "所长".into(),
                ts("2026-03-02T02:00:00Z"),
                draft("x", "incident", "c"),
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

//! Cases: numbering per unit, kind and year; versioned steps with their timeline and
//! deadline changes; the deadline board's lists in scope; one case per incident.

use frontline_core::case::{CaseKind, Outcome, PartyRole, Status};
use frontline_store::{
    BoardFilter, BoardList, CaseEvent, CaseFilter, CaseParty, CaseRow, CaseStepWrite,
    INCIDENT_NOT_CONVERTIBLE, NewCase, NewDeadline, STALE_VERSION, StoredState,
};

use crate::common::*;

fn deadline(rule: &str, start: DateTime<Utc>, due_h: i64, warn_h: i64) -> NewDeadline {
    NewDeadline {
        id: Uuid::now_v7(),
        rule: rule.into(),
        started_at: start,
        due_at: start + Duration::hours(due_h),
        warn_at: start + Duration::hours(warn_h),
        next_at: Some(start + Duration::hours(warn_h)),
        events: "[]".into(),
        measure_id: None,
    }
}

fn new_case(unit: &UnitRow, by: &OfficerRow, kind: CaseKind, at: DateTime<Utc>) -> NewCase {
    NewCase {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_code: unit.code.clone(),
        kind,
        title: "殴打他人案".into(),
        summary: "因停车纠纷发生殴打。".into(),
        lead_officer_id: Some(by.id),
        officers: Vec::new(),
        parties: vec![CaseParty {
            seq: 1,
            role: PartyRole::Victim,
            name: "李某".into(),
            id_number: Some("610921199001011234".into()),
            phone: Some("13800138000".into()),
            consent: true,
        }],
        incident_id: None,
        query_code: format!("Q{}", &Uuid::now_v7().simple().to_string()[20..29]).to_uppercase(),
        accepted_at: at,
        created_by: by.id,
        event: CaseEvent {
            seq: 1,
            at,
            actor_id: Some(by.id),
            actor_name: by.display_name.clone(),
            step: "accept".into(),
            from_status: None,
            to_status: Status::Accepted,
            note: String::new(),
            detail: "{}".into(),
        },
        deadlines: vec![deadline("admin.case_handling", at, 720, 696)],
        outbox: Vec::new(),
    }
}

fn step_of(row: &CaseRow, to: Status, at: DateTime<Utc>, by: &OfficerRow) -> CaseStepWrite {
    CaseStepWrite {
        case_id: row.id,
        expected_version: row.version,
        status: to,
        outcome: row.outcome,
        closed_at: None,
        event: CaseEvent {
            seq: row.version + 1,
            at,
            actor_id: Some(by.id),
            actor_name: by.display_name.clone(),
            step: "step".into(),
            from_status: Some(row.status),
            to_status: to,
            note: String::new(),
            detail: "{}".into(),
        },
        meet: Vec::new(),
        cancel_rest: false,
        start: Vec::new(),
        outbox: Vec::new(),
        extend: None,
        measure: None,
        decisions_in_force: None,
    }
}

fn scoped(unit: &UnitRow, list: BoardList, now: DateTime<Utc>) -> BoardFilter {
    BoardFilter {
        scope: Some(PathRange::subtree(&unit.path)),
        unit: None,
        list,
        now,
        since: now - Duration::days(7),
        limit: 100,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbering_steps_and_deadlines() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    let n = new_case(&org.s01, &org.desk01, CaseKind::Administrative, at);
    let row = store
        .create_case(n.clone(), draft("case.create", "case", &n.id.to_string()))
        .await
        .unwrap();
    assert_eq!(row.number, "S01-2026-XZ00001");
    assert_eq!((row.status, row.version), (Status::Accepted, 1));
    let second = new_case(&org.s01, &org.desk01, CaseKind::Administrative, at);
    let second = store
        .create_case(second, draft("case.create", "case", "x"))
        .await
        .unwrap();
    assert_eq!(second.number, "S01-2026-XZ00002");
    let criminal = new_case(&org.s01, &org.desk01, CaseKind::Criminal, at);
    let criminal = store
        .create_case(criminal, draft("case.create", "case", "y"))
        .await
        .unwrap();
    assert_eq!(criminal.number, "S01-2026-XS00001", "one counter per kind");
    assert_eq!(store.case(row.id).await.unwrap(), Some(row.clone()));
    assert_eq!(store.case_parties(row.id).await.unwrap(), n.parties);

    // A step meets the rule's deadline and starts another; a stale step loses.
    let mut w = step_of(&row, Status::Decided, at + Duration::days(3), &org.chief);
    w.outcome = Some(Outcome::Penalty);
    w.meet = vec!["admin.case_handling".into()];
    w.start = vec![deadline(
        "admin.decision_service",
        at + Duration::days(3),
        48,
        24,
    )];
    let decided = store
        .apply_case_step(w.clone(), draft("case.decide", "case", "z"))
        .await
        .unwrap();
    assert_eq!(decided.version, 2);
    assert_eq!(decided.outcome, Some(Outcome::Penalty));
    match store
        .apply_case_step(w, draft("case.decide", "case", "z"))
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, STALE_VERSION),
        other => panic!("{other:?}"),
    }
    let ds = store.case_deadlines(row.id).await.unwrap();
    assert_eq!(ds.len(), 2);
    assert_eq!(ds[0].state, StoredState::Met);
    assert_eq!(
        ds[0].ended_at,
        Some(truncate_micros(at + Duration::days(3)))
    );
    assert_eq!(ds[1].state, StoredState::Running);
    // Closing cancels what still runs.
    let mut close = step_of(&decided, Status::Closed, at + Duration::days(4), &org.chief);
    close.cancel_rest = true;
    close.closed_at = Some(at + Duration::days(4));
    let closed = store
        .apply_case_step(close, draft("case.close", "case", "z"))
        .await
        .unwrap();
    assert!(closed.closed_at.is_some());
    let ds = store.case_deadlines(row.id).await.unwrap();
    assert_eq!(ds[1].state, StoredState::Cancelled);
    let ev = store.case_events(row.id).await.unwrap();
    assert_eq!(ev.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(ev[2].from_status, Some(Status::Decided));

    let page = store
        .list_cases(CaseFilter {
            scope: Some(PathRange::subtree(&org.s01.path)),
            unit: None,
            kind: Some(CaseKind::Administrative),
            status: None,
            open_only: true,
            from: None,
            to: None,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1, "the closed one is left out");
    assert_eq!(page.items[0].id, second.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_lists_in_scope() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    for (unit, by) in [(&org.s01, &org.desk01), (&org.s02, &org.desk02)] {
        let n = new_case(unit, by, CaseKind::Criminal, at);
        store
            .create_case(n, draft("case.create", "case", "x"))
            .await
            .unwrap();
    }
    // Due at +720 h, first reminder at +696 h.
    let soon = at + Duration::hours(700);
    let late = at + Duration::hours(800);
    let s01 = |list, now| scoped(&org.s01, list, now);
    assert_eq!(
        store
            .deadline_board(s01(BoardList::Running, at))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .deadline_board(s01(BoardList::DueSoon, at))
            .await
            .unwrap()
            .is_empty()
    );
    let due = store
        .deadline_board(s01(BoardList::DueSoon, soon))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].case_number, "S01-2026-XS00001");
    assert_eq!(
        store
            .deadline_board(s01(BoardList::Overdue, late))
            .await
            .unwrap()
            .len(),
        1
    );
    let all = BoardFilter {
        scope: Some(PathRange::all()),
        ..s01(BoardList::Overdue, late)
    };
    assert_eq!(store.deadline_board(all).await.unwrap().len(), 2);
    let none = BoardFilter {
        scope: None,
        ..s01(BoardList::Running, at)
    };
    assert!(store.deadline_board(none).await.unwrap().is_empty());
    let counts = store
        .deadline_counts(Some(PathRange::subtree(&org.s01.path)), None, soon)
        .await
        .unwrap();
    assert_eq!(counts, (1, 0, 1));
    let counts = store
        .deadline_counts(Some(PathRange::all()), None, late)
        .await
        .unwrap();
    assert_eq!(counts, (0, 2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_case_per_converted_incident() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    let inc = create(
        &store,
        &new_incident(&org.s01, &org.desk01, at, "criminal.theft"),
    )
    .await;
    let mut n = new_case(&org.s01, &org.desk01, CaseKind::Criminal, at);
    n.incident_id = Some(inc.id);
    // Not converted: refused, and nothing is left behind.
    match store
        .create_case(n.clone(), draft("case.create", "case", "x"))
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, INCIDENT_NOT_CONVERTIBLE),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.case(n.id).await.unwrap(), None);
    // Converted (the incident's last step), then taken over exactly once.
    let mut state = inc.state.clone();
    state.status = frontline_core::incident::lifecycle::Status::Converted;
    state.version += 1;
    store
        .apply_transition(
            TransitionWrite {
                incident_id: inc.id,
                expected_version: inc.state.version,
                state,
                event: IncidentEvent {
                    seq: inc.state.version + 1,
                    at,
                    actor_id: Some(org.desk01.id),
                    actor_name: "x".into(),
                    step: "convert".into(),
                    from_status: Some(inc.state.status),
                    to_status: frontline_core::incident::lifecycle::Status::Converted,
                    note: String::new(),
                    detail: "{}".into(),
                },
                conversion: Some("case".into()),
                outbox: Vec::new(),
                callback: Default::default(),
                push: None,
                stats: Vec::new(),
            },
            draft("incident.convert", "incident", &inc.id.to_string()),
        )
        .await
        .unwrap();
    let row = store
        .create_case(n.clone(), draft("case.create", "case", "x"))
        .await
        .unwrap();
    assert_eq!(row.incident_id, Some(inc.id));
    assert_eq!(
        store.case_of_incident(inc.id).await.unwrap().map(|c| c.id),
        Some(row.id)
    );
    let mut again = new_case(&org.s01, &org.desk01, CaseKind::Criminal, at);
    again.incident_id = Some(inc.id);
    match store
        .create_case(again.clone(), draft("case.create", "case", "y"))
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, INCIDENT_NOT_CONVERTIBLE),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.case(again.id).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_claims_due_deadlines_once_and_advances_by_stage() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    let n = new_case(&org.s01, &org.desk01, CaseKind::Administrative, at);
    let row = store
        .create_case(n.clone(), draft("case.create", "case", "x"))
        .await
        .unwrap();
    let d = n.deadlines[0].clone();
    let first = d.next_at.unwrap();
    assert!(
        store
            .claim_deadlines(first - Duration::seconds(1), first + Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let lease = first + Duration::minutes(2);
    let claimed = store.claim_deadlines(first, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, d.id);
    assert_eq!(claimed[0].stage, 0);
    // Claimed: not claimed again before its lease ends; after it, it comes back.
    assert!(
        store
            .claim_deadlines(first, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .claim_deadlines(lease, lease + Duration::minutes(2), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let advance = |expected: i32, stage: i32, letter: bool| frontline_store::DeadlineAdvance {
        id: d.id,
        expected_stage: expected,
        expected_due: d.due_at,
        stage,
        next_at: Some(d.due_at),
        outbox: Vec::new(),
        letter: letter.then(|| frontline_store::NewAdviceLetter {
            id: Uuid::now_v7(),
            case_id: row.id,
            unit_id: row.unit_id,
            unit_path: row.unit_path.clone(),
            unit_code: "S01".into(),
            issued_at: at,
            rule: d.rule.clone(),
            due_at: d.due_at,
        }),
        audit: letter.then(|| draft("case.advice_letter", "case", "x")),
    };
    assert!(store.advance_deadline(advance(0, 1, false)).await.unwrap());
    assert!(
        !store.advance_deadline(advance(0, 1, false)).await.unwrap(),
        "stale stage"
    );
    assert!(store.advance_deadline(advance(1, 2, true)).await.unwrap());
    let letters = store.case_advice_letters(row.id).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].number, "S01-2026-JY0001");
    assert_eq!(
        store.advice_letter(letters[0].id).await.unwrap(),
        Some(letters[0].clone())
    );
    let ds = store.case_deadlines(row.id).await.unwrap();
    assert_eq!(
        (ds[0].stage, ds[0].next_at),
        (2, Some(truncate_micros(d.due_at)))
    );
    // A deadline that is no longer running is never claimed.
    let mut close = step_of(&row, Status::Closed, at, &org.chief);
    close.cancel_rest = true;
    store
        .apply_case_step(close, draft("case.close", "case", "x"))
        .await
        .unwrap();
    assert!(
        store
            .claim_deadlines(
                d.due_at + Duration::days(9),
                d.due_at + Duration::days(10),
                10
            )
            .await
            .unwrap()
            .is_empty()
    );
    let leaders = store
        .officers_with_role("bureau_leader".into(), PathRange::all())
        .await
        .unwrap();
    assert_eq!(
        leaders.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![org.chief.id]
    );
    assert!(
        store
            .officers_with_role("bureau_leader".into(), PathRange::subtree(&org.s01.path))
            .await
            .unwrap()
            .is_empty(),
        "the bureau's leader is not inside the station"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_ends_the_measures_and_the_lookup_log_is_purged() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    let n = new_case(&org.s01, &org.desk01, CaseKind::Criminal, at);
    let row = store
        .create_case(n, draft("case.create", "case", "x"))
        .await
        .unwrap();
    let m = Uuid::now_v7();
    let mut start = step_of(&row, Status::Accepted, at, &org.chief);
    start.measure = Some(frontline_store::MeasureWrite::Start {
        row: frontline_store::MeasureRow {
            id: m,
            case_id: row.id,
            kind: "detention".into(),
            party_seq: 1,
            started_at: at,
            ended_at: None,
            acts: Vec::new(),
            note: String::new(),
        },
        meet: Vec::new(),
    });
    let row = store
        .apply_case_step(start, draft("case.measure", "case", "x"))
        .await
        .unwrap();
    let mut act = step_of(&row, Status::Accepted, at, &org.chief);
    act.measure = Some(frontline_store::MeasureWrite::Act {
        id: m,
        act: "notify_family".into(),
        meet: Vec::new(),
        cancel: Vec::new(),
        end: None,
    });
    let row = store
        .apply_case_step(act, draft("case.measure", "case", "x"))
        .await
        .unwrap();
    assert_eq!(
        store.measure(m).await.unwrap().unwrap().acts,
        vec!["notify_family"]
    );
    let mut close = step_of(&row, Status::Closed, at + Duration::days(1), &org.chief);
    close.cancel_rest = true;
    store
        .apply_case_step(close, draft("case.close", "case", "x"))
        .await
        .unwrap();
    let ms = store.case_measures(row.id).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert!(ms[0].ended_at.is_some(), "the measure ended with the case");

    for (days, found) in [(200, true), (10, false)] {
        store
            .record_status_lookup(frontline_store::StatusLookup {
                id: Uuid::now_v7(),
                at: at - Duration::days(days),
                client: "198.51.100.7".into(),
                code_hash: "h".into(),
                found,
                case_id: None,
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .purge_status_lookups(at - Duration::days(180))
            .await
            .unwrap(),
        1
    );
    let (by_client, by_code) = store
        .status_lookup_times("198.51.100.7".into(), "h".into(), at - Duration::days(365))
        .await
        .unwrap();
    assert_eq!(
        (by_client.len(), by_code.len()),
        (1, 1),
        "the recent failed one stays"
    );
}

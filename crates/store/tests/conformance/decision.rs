//! Penalty decisions: a new proposal supersedes the party's earlier one; a review moves
//! only a proposal; the decision step brings approved ones into force with numbers per
//! unit and year; the lookup by ID number finds decisions in force of other cases only;
//! the report reads decisions in force in scope and period.

use frontline_core::case::decision::{Decided, DecisionStatus};
use frontline_core::case::{CaseKind, Outcome, PartyRole, Status};
use frontline_store::{
    CaseEvent, CaseParty, CaseRow, CaseStepWrite, DECISION_NOT_ALLOWED, DecisionItem,
    DecisionReview, DecisionRow, DecisionsInForce, NewCase,
};

use crate::common::*;

const ID: &str = "610921199001011234";

async fn case_at(store: &Store, org: &Org, at: DateTime<Utc>) -> CaseRow {
    let id = Uuid::now_v7();
    let n = NewCase {
        id,
        unit_id: org.s01.id,
        unit_path: org.s01.path.clone(),
        unit_code: org.s01.code.clone(),
        kind: CaseKind::Administrative,
        title: "殴打他人案".into(),
        summary: "因停车纠纷发生殴打。".into(),
        lead_officer_id: Some(org.desk01.id),
        officers: Vec::new(),
        parties: vec![CaseParty {
            seq: 1,
            role: PartyRole::Suspect,
            name: "张某".into(),
            id_number: Some(ID.into()),
            phone: None,
            consent: false,
        }],
        incident_id: None,
        query_code: format!("Q{}", &id.simple().to_string()[20..29]).to_uppercase(),
        accepted_at: at,
        created_by: org.desk01.id,
        event: CaseEvent {
            seq: 1,
            at,
            actor_id: Some(org.desk01.id),
            actor_name: org.desk01.display_name.clone(),
            step: "accept".into(),
            from_status: None,
            to_status: Status::Accepted,
            note: String::new(),
            detail: "{}".into(),
        },
        deadlines: Vec::new(),
        outbox: Vec::new(),
    };
    store
        .create_case(n, draft("case.create", "case", &id.to_string()))
        .await
        .unwrap()
}

fn proposal(case: &CaseRow, by: &OfficerRow, at: DateTime<Utc>, fine: u64) -> DecisionRow {
    let d = Decided {
        warning: false,
        fine_yuan: fine,
        detention_days: 5,
    };
    DecisionRow {
        id: Uuid::now_v7(),
        case_id: case.id,
        unit_id: case.unit_id,
        unit_path: case.unit_path.clone(),
        party_seq: 1,
        status: DecisionStatus::Proposed,
        proposed_by: by.id,
        proposed_by_name: by.display_name.clone(),
        proposed_at: at,
        assessment: "{}".into(),
        prior: None,
        departed: fine != 500,
        departure_reason: if fine != 500 {
            "赔偿并取得谅解".into()
        } else {
            String::new()
        },
        reviewed_by: None,
        reviewed_by_name: None,
        reviewed_at: None,
        review_note: String::new(),
        number: None,
        decided_at: None,
        items: vec![DecisionItem {
            seq: 1,
            violation_code: "51-1".into(),
            situation: Some("51-1-a".into()),
            offence_date: at.date_naive(),
            recommended: Decided {
                fine_yuan: 500,
                ..d
            },
            decided: d,
            departed: fine != 500,
        }],
    }
}

fn review(id: Uuid, to: DecisionStatus, by: &OfficerRow, at: DateTime<Utc>) -> DecisionReview {
    DecisionReview {
        id,
        to,
        by: by.id,
        by_name: by.display_name.clone(),
        at,
        note: "同意".into(),
    }
}

fn decide(row: &CaseRow, by: &OfficerRow, at: DateTime<Utc>, unit_code: &str) -> CaseStepWrite {
    CaseStepWrite {
        case_id: row.id,
        expected_version: row.version,
        status: Status::Decided,
        outcome: Some(Outcome::Penalty),
        closed_at: None,
        event: CaseEvent {
            seq: row.version + 1,
            at,
            actor_id: Some(by.id),
            actor_name: by.display_name.clone(),
            step: "decide".into(),
            from_status: Some(row.status),
            to_status: Status::Decided,
            note: "依法处罚".into(),
            detail: "{}".into(),
        },
        meet: Vec::new(),
        cancel_rest: false,
        start: Vec::new(),
        outbox: Vec::new(),
        extend: None,
        measure: None,
        decisions_in_force: Some(DecisionsInForce {
            unit_code: unit_code.into(),
            at,
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_reviews_and_numbers() {
    let (_db, store, org) = with_org().await;
    let at = ts("2026-03-01T08:00:00Z");
    let case = case_at(&store, &org, at).await;
    // Only a case under investigation takes a proposal.
    match store
        .propose_penalty_decision(
            proposal(&case, &org.desk01, at, 500),
            Vec::new(),
            draft("penalty.propose", "case", "a"),
        )
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, DECISION_NOT_ALLOWED),
        other => panic!("{other:?}"),
    }
    let mut investigate = decide(&case, &org.desk01, at, &org.s01.code);
    investigate.status = Status::Investigating;
    investigate.outcome = None;
    investigate.event.to_status = Status::Investigating;
    investigate.decisions_in_force = None;
    let case = store
        .apply_case_step(investigate, draft("case.investigate", "case", "i"))
        .await
        .unwrap();
    // A decision step with nothing approved brings nothing into force: refused whole.
    match store
        .apply_case_step(
            decide(&case, &org.chief, at, &org.s01.code),
            draft("case.decide", "case", "x"),
        )
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, "penalty.decision_not_reviewed"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.case(case.id).await.unwrap().unwrap().status,
        Status::Investigating
    );
    let first = store
        .propose_penalty_decision(
            proposal(&case, &org.desk01, at, 500),
            Vec::new(),
            draft("penalty.propose", "case", "a"),
        )
        .await
        .unwrap();
    assert_eq!(first.status, DecisionStatus::Proposed);
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.items[0].decided.detention_days, 5);
    assert!(!first.departed);
    // A second proposal for the same party replaces the first.
    let second = store
        .propose_penalty_decision(
            proposal(&case, &org.desk01, at + Duration::hours(1), 300),
            Vec::new(),
            draft("penalty.propose", "case", "b"),
        )
        .await
        .unwrap();
    assert!(second.departed);
    assert_eq!(second.departure_reason, "赔偿并取得谅解");
    let all = store.case_penalty_decisions(case.id).await.unwrap();
    assert_eq!(
        all.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![DecisionStatus::Superseded, DecisionStatus::Proposed]
    );
    assert_eq!(
        store
            .proposed_penalty_decisions(PathRange::subtree(&org.s01.path), 10)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        vec![second.id]
    );
    assert!(
        store
            .proposed_penalty_decisions(PathRange::subtree(&org.s02.path), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Only a proposal can be reviewed.
    match store
        .review_penalty_decision(
            review(first.id, DecisionStatus::Approved, &org.chief, at),
            Vec::new(),
            draft("penalty.review", "case", "c"),
        )
        .await
    {
        Err(StoreError::Conflict(m)) => assert_eq!(m, DECISION_NOT_ALLOWED),
        other => panic!("{other:?}"),
    }
    let approved = store
        .review_penalty_decision(
            review(
                second.id,
                DecisionStatus::Approved,
                &org.chief,
                at + Duration::hours(2),
            ),
            Vec::new(),
            draft("penalty.review", "case", "d"),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, DecisionStatus::Approved);
    assert_eq!(approved.reviewed_by, Some(org.chief.id));
    assert_eq!(approved.review_note, "同意");
    let decided_at = at + Duration::days(1);
    store
        .apply_case_step(
            decide(&case, &org.chief, decided_at, &org.s01.code),
            draft("case.decide", "case", "e"),
        )
        .await
        .unwrap();
    let d = store.penalty_decision(second.id).await.unwrap().unwrap();
    assert_eq!(d.status, DecisionStatus::Decided);
    assert_eq!(d.number.as_deref(), Some("S01-2026-CF0001"));
    assert_eq!(d.decided_at, Some(truncate_micros(decided_at)));
    assert_eq!(
        store
            .penalty_decision(first.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        DecisionStatus::Superseded,
        "a superseded proposal stays on record, out of force"
    );

    // Another case of the same person finds it; the case itself does not.
    let other = case_at(&store, &org, at + Duration::days(30)).await;
    let found = store
        .prior_penalty_decisions(ID.into(), other.id)
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![second.id]
    );
    assert!(
        store
            .prior_penalty_decisions(ID.into(), case.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .prior_penalty_decisions("110101199003070000".into(), other.id)
            .await
            .unwrap()
            .is_empty()
    );

    // The report's read: in force, in scope, in the period.
    let in_period = store
        .decided_penalties(
            PathRange::subtree(&org.s01.path),
            at,
            at + Duration::days(2),
        )
        .await
        .unwrap();
    assert_eq!(in_period.len(), 1);
    assert_eq!(in_period[0].items[0].recommended.fine_yuan, 500);
    assert_eq!(in_period[0].items[0].decided.fine_yuan, 300);
    assert!(
        store
            .decided_penalties(
                PathRange::subtree(&org.s02.path),
                at,
                at + Duration::days(2)
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .decided_penalties(
                PathRange::all(),
                at + Duration::days(2),
                at + Duration::days(3)
            )
            .await
            .unwrap()
            .is_empty()
    );
}

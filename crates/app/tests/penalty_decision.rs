//! Penalty decisions on an administrative case: the proposal (statute, departures and
//! their reasons, the earlier decisions by ID number with a purpose), legal review, the
//! decision step bringing it into force with a number, and who may do what.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::AppError;
use frontline_app::case::decision::{
    DecisionReviewRequest, PenaltyDecisionRequest, PriorLookupRequest,
};
use frontline_app::case::{CaseRequest, CaseStepRequest};
use frontline_core::Lang;
use frontline_core::case::Status;
use frontline_core::case::decision::DecisionStatus;
use frontline_core::org::Actor;
use serde_json::{Value, json};
use uuid::Uuid;

const ID: &str = "610921199001011234";

fn case_body(id_number: &str) -> Value {
    json!({
        "kind": "administrative",
        "title": "张某殴打他人案",
        "summary": "2026年11月20日10时许，张某在人民路12号因停车纠纷殴打李某。",
        "parties": [
            {"role": "suspect", "name": "张某", "id_number": id_number},
            {"role": "victim", "name": "李某", "phone": "13800138000", "consent": true}
        ]
    })
}

fn proposal(decided: Value, extra: Value) -> PenaltyDecisionRequest {
    let mut b = json!({
        "party": 1,
        "violations": [{"article": "51", "offence_date": "2026-11-20", "decided": decided}],
        "purpose": "case_handling",
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    PenaltyDecisionRequest::read(b)
}

fn step(action: &str, version: i64, extra: Value) -> CaseStepRequest {
    let mut b = json!({"action": action, "version": version});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    CaseStepRequest::read(b)
}

fn fields(r: frontline_app::Result<impl std::fmt::Debug>) -> Vec<(String, &'static str)> {
    match r {
        Err(AppError::Validation(v)) => v.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected 422, got {other:?}"),
    }
}

fn conflict(r: frontline_app::Result<impl std::fmt::Debug>) -> &'static str {
    match r {
        Err(AppError::StateConflict(e)) => e.code,
        other => panic!("expected 409, got {other:?}"),
    }
}

/// A case under investigation, its id and version.
async fn investigating(e: &common::Env, officer: &Actor, id_number: &str) -> (Uuid, i64) {
    let row = e
        .app
        .create_case(officer, &CaseRequest::read(case_body(id_number)))
        .await
        .unwrap();
    let r = e
        .app
        .transition_case(officer, row.id, &step("investigate", 1, json!({})))
        .await
        .unwrap();
    (r.id, r.version)
}

/// The engine's recommendation for the test's violation, as a `decided` body.
async fn recommended(e: &common::Env) -> Value {
    let loaded = e.app.penalty_engine();
    let input: frontline_core::penalty::AssessInput = serde_json::from_value(json!({
        "article": "51", "offence_date": "2026-11-20",
        "person": {"age": 36, "first_offence": true}, "decision_date": "2026-11-22"
    }))
    .unwrap();
    let a = loaded.engine.assess(&input).unwrap();
    json!({
        "warning": a.recommended.warning,
        "fine_yuan": a.recommended.fine_yuan,
        "detention_days": a.recommended.detention_days,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_outside_the_statute_or_departing_without_reason_changes_nothing() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let (case, _) = investigating(&e, &officer, ID).await;
    let seq = e.audit_seq().await;
    // 第51条 第1款: detention 5–10 days and a fine of 200–500 yuan at most.
    let f = fields(
        e.app
            .propose_penalty_decision(
                &officer,
                case,
                &proposal(
                    json!({"detention_days": 16, "fine_yuan": 500}),
                    json!({"departure_reason": "情节恶劣，多次殴打"}),
                ),
            )
            .await,
    );
    assert!(
        f.contains(&(
            "violations.0.decided.detention_days".into(),
            "penalty.outside_statute"
        )),
        "{f:?}"
    );
    let rec = recommended(&e).await;
    let mut other = rec.clone();
    other["fine_yuan"] = json!(if rec["fine_yuan"] == json!(500) {
        400
    } else {
        500
    });
    let f = fields(
        e.app
            .propose_penalty_decision(&officer, case, &proposal(other.clone(), json!({})))
            .await,
    );
    assert_eq!(
        f,
        vec![(
            "departure_reason".to_string(),
            "penalty.departure_reason_required"
        )]
    );
    // The party has an ID number: the lookup of earlier decisions needs a purpose.
    let mut no_purpose = proposal(rec.clone(), json!({}));
    no_purpose.purpose = frontline_core::request::Given::Absent;
    let f = fields(
        e.app
            .propose_penalty_decision(&officer, case, &no_purpose)
            .await,
    );
    assert_eq!(f[0].0, "purpose", "{f:?}");
    // Nothing recorded but the looks at the person's earlier decisions (each audited
    // with its purpose, even when the proposal is then refused): the two refused
    // proposals that stated one.
    let audit = e.audit_since(seq).await;
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        vec!["penalty.prior_lookup", "penalty.prior_lookup"]
    );
    assert!(
        audit
            .iter()
            .all(|a| a.purpose.as_deref() == Some("case_handling"))
    );
    let seq = e.audit_seq().await;
    let d = e
        .app
        .case_detail(
            &officer,
            &e.app.case(&officer, case).await.unwrap(),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert!(d.penalty_decisions.is_empty());
    // With a reason the departure is lawful and recorded as such.
    let v = e
        .app
        .propose_penalty_decision(
            &officer,
            case,
            &proposal(
                other,
                json!({"departure_reason": "当事人主动赔偿被害人损失并取得谅解"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(v.status, DecisionStatus::Proposed);
    assert!(v.departed);
    assert!(v.items[0].departed);
    assert!(!v.items[0].explain.is_empty(), "the explanation is kept");
    let audit = e.audit_since(seq).await;
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        vec!["penalty.prior_lookup", "penalty.propose"]
    );
    assert_eq!(audit[1].purpose.as_deref(), Some("case_handling"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_then_decision_gives_a_number_and_earlier_decisions_count_next_time() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let legal = e.actor("legal").await;
    let other_officer = e.actor("s2.investigator").await;
    let (case, version) = investigating(&e, &officer, ID).await;
    let rec = recommended(&e).await;

    // Deciding a penalty before any reviewed proposal is refused.
    assert_eq!(
        conflict(
            e.app
                .transition_case(
                    &chief,
                    case,
                    &step(
                        "decide",
                        version,
                        json!({"outcome": "penalty", "note": "依法给予处罚"})
                    )
                )
                .await
        ),
        "penalty.decision_not_reviewed"
    );
    // Another station's officer does not see the case at all.
    assert!(matches!(
        e.app
            .propose_penalty_decision(&other_officer, case, &proposal(rec.clone(), json!({})))
            .await,
        Err(AppError::NotFound)
    ));
    // The legal reviewer reviews; proposing is the case officer's.
    assert!(matches!(
        e.app
            .propose_penalty_decision(&legal, case, &proposal(rec.clone(), json!({})))
            .await,
        Err(AppError::Forbidden)
    ));
    let first = e
        .app
        .propose_penalty_decision(&officer, case, &proposal(rec.clone(), json!({})))
        .await
        .unwrap();
    assert!(!first.departed);
    assert_eq!(first.prior_count, Some(0));
    // Only legal affairs reviews; a return needs its reason.
    let approve = DecisionReviewRequest::read(json!({"verdict": "approve"}));
    assert!(matches!(
        e.app
            .review_penalty_decision(&chief, first.id, &approve)
            .await,
        Err(AppError::Forbidden)
    ));
    let f = fields(
        e.app
            .review_penalty_decision(
                &legal,
                first.id,
                &DecisionReviewRequest::read(json!({"verdict": "return"})),
            )
            .await,
    );
    assert_eq!(f, vec![("note".to_string(), "required")]);
    let queue = e.app.penalty_review_queue(&legal, Lang::Zh).await.unwrap();
    assert!(queue.items.iter().any(|d| d.id == first.id));
    let v = e
        .app
        .review_penalty_decision(&legal, first.id, &approve)
        .await
        .unwrap();
    assert_eq!(v.status, DecisionStatus::Approved);
    assert_eq!(
        conflict(
            e.app
                .review_penalty_decision(&legal, first.id, &approve)
                .await
        ),
        "penalty.decision_not_allowed"
    );
    let r = e
        .app
        .transition_case(
            &chief,
            case,
            &step(
                "decide",
                version,
                json!({"outcome": "penalty", "note": "依法给予处罚"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(r.status, Status::Decided);
    let d = e.app.case_detail(&chief, &r, Lang::Zh).await.unwrap();
    let dec = &d.penalty_decisions[0];
    assert_eq!(dec.status, DecisionStatus::Decided);
    let number = dec.number.clone().unwrap();
    assert!(number.ends_with("-2026-CF0001"), "{number}");

    // The same person in a new case: the earlier decision is found (purpose audited)
    // and brings the circumstances of a penalty within six months.
    let (case2, _) = investigating(&e, &officer, ID).await;
    let seq = e.audit_seq().await;
    let prior = e
        .app
        .prior_penalty_decisions(
            &officer,
            case2,
            1,
            &PriorLookupRequest::read(json!({"purpose": "case_handling"})),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert_eq!(prior.count, 1);
    assert_eq!(prior.decisions[0].number, number);
    assert!(!prior.first_offence);
    assert!(
        prior
            .circumstances
            .contains(&"prior_penalty_6m".to_string())
    );
    let audit = e.audit_since(seq).await;
    assert_eq!(audit[0].action, "penalty.prior_lookup");
    assert_eq!(audit[0].purpose.as_deref(), Some("case_handling"));
    let row2 = e.app.case(&officer, case2).await.unwrap();
    let ev = e
        .app
        .evaluate_penalty_decision(
            &officer,
            &row2,
            // Acted on the day of the first decision: it counts (an act before it would not).
            &proposal(
                rec.clone(),
                json!({"departure_reason": "当事人已赔偿，维持原建议幅度",
                       "violations": [{"article": "51", "offence_date": "2026-11-22", "decided": rec}]}),
            ),
        )
        .await;
    let ev = ev.unwrap();
    assert_eq!(ev.prior_count, 1);
    let circs = &ev.items[0].input.circumstances;
    assert!(circs.iter().any(|c| c == "prior_penalty_6m"), "{circs:?}");
    assert!(circs.iter().any(|c| c == "repeat_within_year"), "{circs:?}");
    assert_eq!(ev.items[0].input.person.first_offence, Some(false));
}

//! Case use cases over an in-process store: acceptance (direct and from a converted
//! incident), the lifecycle steps with their deadlines, the board, authorization and
//! the audit entry of every write.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::AppError;
use frontline_app::case::{CaseListQuery, CaseRequest, CaseStepRequest, DeadlineQuery};
use frontline_app::incident::{IncidentRequest, TransitionRequest};
use frontline_core::Lang;
use frontline_core::case::{DeadlineState, Status};
use serde_json::{Value, json};

fn admin_case() -> Value {
    json!({
        "kind": "administrative",
        "title": "张某殴打他人案",
        "summary": "2026年11月22日10时许，张某在人民路12号因停车纠纷殴打李某，致其面部轻微伤。",
        "parties": [
            {"role": "suspect", "name": "张某", "id_number": "610921199001011234"},
            {"role": "victim", "name": "李某", "phone": "13800138000", "consent": true}
        ]
    })
}

fn step(action: &str, version: i64, extra: Value) -> CaseStepRequest {
    let mut b = json!({"action": action, "version": version});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    CaseStepRequest::read(b)
}

fn state_code(r: frontline_app::Result<impl std::fmt::Debug>) -> &'static str {
    match r {
        Err(AppError::StateConflict(e)) => e.code,
        other => panic!("expected a state conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acceptance_starts_the_handling_limit_and_is_audited() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let seq = e.audit_seq().await;
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    assert_eq!(row.status, Status::Accepted);
    assert_eq!(row.version, 1);
    assert!(row.number.contains("-2026-XZ00001"), "{}", row.number);
    assert_eq!(
        row.lead_officer_id,
        Some(officer.officer_id),
        "the accepting officer leads"
    );
    assert_eq!(row.query_code.len(), frontline_core::case::QUERY_CODE_LEN);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "case.create");
    assert_eq!(audit[0].object_id, row.id.to_string());

    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    assert_eq!(d.deadlines.len(), 1);
    assert_eq!(d.deadlines[0].rule, "admin.case_handling");
    // 30 days from 2026-11-22 (a Sunday): the 30th day is 12-22, a Tuesday.
    assert_eq!(d.deadlines[0].due_at, "2026-12-23T00:00:00+08:00");
    assert_eq!(d.deadlines[0].state, DeadlineState::Running);
    assert_eq!(
        d.parties[0].id_number.as_deref(),
        Some("610921********1234")
    );
    assert_eq!(d.parties[1].phone.as_deref(), Some("138****8000"));
    assert_eq!(d.timeline.len(), 1);
    assert_eq!(d.timeline[0].step, "accept");
    assert!(
        d.steps.is_empty() || d.steps.iter().all(|s| s.action.as_str() == "investigate"),
        "a case officer may start the investigation only: {:?}",
        d.steps
    );

    // A second case of the same unit, kind and year takes the next number.
    let second = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    assert!(second.number.ends_with("XZ00002"), "{}", second.number);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_station_and_partners_see_nothing() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    for who in [
        "s2.investigator",
        "s2.chief",
        "street1",
        "procuratorate",
        "command",
    ] {
        let a = e.actor(who).await;
        assert!(
            matches!(e.app.case(&a, row.id).await, Err(AppError::NotFound)),
            "{who} must not see the case"
        );
        assert!(
            matches!(
                e.app
                    .transition_case(&a, row.id, &step("investigate", 1, json!({})))
                    .await,
                Err(AppError::NotFound)
            ),
            "{who} must not change the case"
        );
    }
    let s2 = e.actor("s2.chief").await;
    let list = e
        .app
        .list_cases(&s2, &CaseListQuery::default(), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(list.total, 0);
    let board = e
        .app
        .deadline_board(&s2, &DeadlineQuery::default(), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(board.running, 0);
    for who in ["street1", "procuratorate", "custodian"] {
        let a = e.actor(who).await;
        assert!(matches!(
            e.app
                .list_cases(&a, &CaseListQuery::default(), Lang::Zh)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app
                .create_case(&a, &CaseRequest::read(admin_case()))
                .await,
            Err(AppError::Forbidden)
        ));
    }
    // Legal affairs and the bureau leader read every station's cases.
    for who in ["legal", "leader"] {
        let a = e.actor(who).await;
        assert_eq!(e.app.case(&a, row.id).await.unwrap().id, row.id, "{who}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrative_path_meets_and_starts_deadlines() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    // The officer may not decide; the chief may not decide before the investigation.
    let decide = step(
        "decide",
        1,
        json!({"outcome": "penalty", "note": "罚款五百元"}),
    );
    assert!(matches!(
        e.app.transition_case(&officer, row.id, &decide).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        state_code(e.app.transition_case(&chief, row.id, &decide).await),
        "case.transition_not_allowed"
    );
    let seq = e.audit_seq().await;
    let r = e
        .app
        .transition_case(&officer, row.id, &step("investigate", 1, json!({})))
        .await
        .unwrap();
    assert_eq!(r.status, Status::Investigating);
    assert_eq!(r.version, 2);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "case.investigate");
    // A stale version loses.
    assert_eq!(
        state_code(e.app.transition_case(&chief, row.id, &decide).await),
        "conflict.stale_version"
    );
    // A penalty is decided on a proposal legal affairs approved.
    let legal = e.actor("legal").await;
    let input: frontline_core::penalty::AssessInput = serde_json::from_value(json!({
        "article": "51", "offence_date": "2026-11-22",
        "person": {"age": 36, "first_offence": true}, "decision_date": "2026-11-22"
    }))
    .unwrap();
    let rec = e
        .app
        .penalty_engine()
        .engine
        .assess(&input)
        .unwrap()
        .recommended;
    let proposal = e
        .app
        .propose_penalty_decision(
            &officer,
            row.id,
            &frontline_app::case::decision::PenaltyDecisionRequest::read(json!({
                "party": 1, "purpose": "case_handling",
                "violations": [{"article": "51", "offence_date": "2026-11-22", "decided": {
                    "warning": rec.warning, "fine_yuan": rec.fine_yuan,
                    "detention_days": rec.detention_days}}]
            })),
        )
        .await
        .unwrap();
    e.app
        .review_penalty_decision(
            &legal,
            proposal.id,
            &frontline_app::case::decision::DecisionReviewRequest::read(
                json!({"verdict": "approve"}),
            ),
        )
        .await
        .unwrap();
    let r = e
        .app
        .transition_case(
            &chief,
            row.id,
            &step(
                "decide",
                2,
                json!({"outcome": "penalty", "note": "罚款五百元"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(r.status, Status::Decided);
    let d = e.app.case_detail(&chief, &r, Lang::En).await.unwrap();
    let by_rule = |code: &str| d.deadlines.iter().find(|x| x.rule == code).unwrap().state;
    assert_eq!(by_rule("admin.case_handling"), DeadlineState::Met);
    assert_eq!(by_rule("admin.decision_service"), DeadlineState::Running);
    // Closing before execution is refused; executing meets the service deadline.
    assert_eq!(
        state_code(
            e.app
                .transition_case(&chief, row.id, &step("close", 3, json!({})))
                .await
        ),
        "case.transition_not_allowed"
    );
    let r = e
        .app
        .transition_case(&officer, row.id, &step("execute", 3, json!({})))
        .await
        .unwrap();
    let r = e
        .app
        .transition_case(&chief, row.id, &step("close", r.version, json!({})))
        .await
        .unwrap();
    assert_eq!(r.status, Status::Closed);
    assert!(r.closed_at.is_some());
    let d = e.app.case_detail(&chief, &r, Lang::Zh).await.unwrap();
    assert!(
        d.deadlines.iter().all(|x| x.state == DeadlineState::Met),
        "{:?}",
        d.deadlines
    );
    assert_eq!(d.timeline.len(), 5);
    assert!(d.steps.is_empty(), "a closed case offers nothing");
    assert!(
        d.targets.is_empty(),
        "no internal targets on a public-order case"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_converted_incident_becomes_exactly_one_case() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let chief = e.actor("s1.chief").await;
    let incident = e
        .app
        .create_incident(
            &desk,
            &IncidentRequest::read(json!({
                "reported_at": "2026-11-22T10:00:00+08:00",
                "category": "criminal.theft",
                "address": "人民路12号",
                "caller": {"name": "王某", "phone": "13800138000"},
                "narrative": "报警人称其电动车电瓶被盗。",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let mut body = json!({
        "kind": "criminal", "incident_id": incident.id.to_string(),
        "title": "人民路电瓶被盗案", "summary": "电动车电瓶被盗，价值约800元。"
    });
    // Not converted yet.
    assert_eq!(
        state_code(
            e.app
                .create_case(&desk, &CaseRequest::read(body.clone()))
                .await
        ),
        "case.incident_not_convertible"
    );
    let mut v = incident.state.version;
    for (action, extra) in [
        ("dispose", json!({"note": "现场勘查"})),
        ("convert", json!({"target": "case"})),
    ] {
        let mut b = json!({"action": action, "version": v});
        for (k, x) in extra.as_object().unwrap() {
            b[k] = x.clone();
        }
        v = e
            .app
            .transition_incident(&chief, incident.id, &TransitionRequest::read(b))
            .await
            .unwrap()
            .state
            .version;
    }
    // Another station cannot take it over: for them the incident does not exist.
    let s2 = e.actor("s2.desk").await;
    let errs = match e
        .app
        .create_case(&s2, &CaseRequest::read(body.clone()))
        .await
    {
        Err(AppError::Validation(errs)) => errs,
        other => panic!("{other:?}"),
    };
    assert_eq!(errs[0].code, "incident.unknown");
    let row = e
        .app
        .create_case(&desk, &CaseRequest::read(body.clone()))
        .await
        .unwrap();
    assert_eq!(row.incident_id, Some(incident.id));
    assert!(row.number.contains("XS"), "{}", row.number);
    let d = e.app.case_detail(&desk, &row, Lang::Zh).await.unwrap();
    assert_eq!(d.deadlines[0].rule, "criminal.filing_review");
    // A theft: the "1-3-7" internal targets run beside the legal limits, apart from them.
    assert_eq!(
        d.targets
            .iter()
            .map(|t| t.code.as_str())
            .collect::<Vec<_>>(),
        vec![
            "target.137.identify",
            "target.137.catch",
            "target.137.solve"
        ]
    );
    assert!(
        d.targets
            .iter()
            .all(|t| t.state == frontline_core::case::target::TargetState::Running)
    );
    assert_eq!(d.targets[2].due_at, "2026-11-29T12:00:00+08:00");
    assert!(d.deadlines.iter().all(|x| !x.rule.starts_with("target.")));
    assert_eq!(
        state_code(
            e.app
                .create_case(&desk, &CaseRequest::read(body.clone()))
                .await
        ),
        "case.incident_not_convertible",
        "a second case for the same incident"
    );
    body["incident_id"] = json!("not-an-id");
    let errs = match e.app.create_case(&desk, &CaseRequest::read(body)).await {
        Err(AppError::Validation(errs)) => errs,
        other => panic!("{other:?}"),
    };
    assert_eq!(errs[0].field, "incident_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_lists_due_soon_overdue_and_met() {
    let (e, clock) = common::start_clocked().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(b.clone()))
        .await
        .unwrap();
    let q = |state: &str| DeadlineQuery {
        state: Some(state.into()),
        ..DeadlineQuery::default()
    };
    let board = e
        .app
        .deadline_board(&chief, &q("running"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!((board.running, board.due_soon, board.overdue), (1, 0, 0));
    // The 3-day filing review of a Sunday noon acceptance is due at 11-26 00:00; its
    // reminders start a day before.
    clock.set(common::now0() + chrono::Duration::hours(60));
    let board = e
        .app
        .deadline_board(&chief, &q("due_soon"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(board.items.len(), 1, "{board:?}");
    assert_eq!(board.items[0].case_id, row.id);
    clock.set(common::now0() + chrono::Duration::days(5));
    let board = e
        .app
        .deadline_board(&chief, &q("overdue"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(board.items.len(), 1);
    assert_eq!(board.items[0].deadline.state, DeadlineState::Overdue);
    // Filing meets it (late) and the board's met list shows it.
    e.app
        .transition_case(&chief, row.id, &step("file", 1, json!({})))
        .await
        .unwrap();
    let board = e
        .app
        .deadline_board(&chief, &q("met"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(board.items.len(), 1);
    assert_eq!(board.overdue, 0);
    // Bad filters are field errors, not empty lists.
    for (query, field) in [
        (q("late"), "state"),
        (
            DeadlineQuery {
                unit_id: Some(uuid::Uuid::nil().to_string()),
                ..DeadlineQuery::default()
            },
            "unit_id",
        ),
    ] {
        match e.app.deadline_board(&chief, &query, Lang::Zh).await {
            Err(AppError::Validation(errs)) => assert_eq!(errs[0].field, field),
            other => panic!("{other:?}"),
        }
    }
}

/// The kinds of the officer's notifications, after the dispatcher delivered.
async fn inbox(e: &common::Env, username: &str) -> Vec<String> {
    e.app.deliver_due().await.unwrap();
    let id = e
        .app
        .store
        .officer_by_username(username)
        .await
        .unwrap()
        .unwrap()
        .id;
    e.app
        .store
        .notifications(id, 100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_reminds_two_people_escalates_and_issues_one_letter() {
    let (e, clock) = common::start_clocked().await;
    let officer = e.actor("s1.investigator").await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(b))
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(&d.deadlines[0].due_at)
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 0, "nothing due yet");

    // The rule's one reminder (a day before): the lead officer and legal affairs at once.
    clock.set(due - chrono::Duration::hours(23));
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 1);
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 0, "sent once");
    assert_eq!(
        inbox(&e, "s1.investigator").await,
        vec!["case.deadline_reminder"]
    );
    assert_eq!(inbox(&e, "legal").await, vec!["case.deadline_reminder"]);
    assert!(
        inbox(&e, "s1.chief").await.is_empty(),
        "the chief hears only of overdue"
    );
    assert!(inbox(&e, "s2.investigator").await.is_empty());

    // Due and not met: the chief hears of it.
    clock.set(due + chrono::Duration::minutes(5));
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 1);
    assert_eq!(inbox(&e, "s1.chief").await, vec!["case.deadline_overdue"]);
    assert!(
        !inbox(&e, "s2.chief")
            .await
            .contains(&"case.deadline_overdue".to_string())
    );

    // Still overdue a day later: one advice letter, on record and audited.
    let seq = e.audit_seq().await;
    clock.set(due + chrono::Duration::hours(25));
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 1);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "case.advice_letter");
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    assert_eq!(d.advice_letters.len(), 1);
    assert!(
        d.advice_letters[0].number.contains("-2026-JY0001"),
        "{:?}",
        d.advice_letters
    );
    assert!(
        inbox(&e, "s1.chief")
            .await
            .contains(&"case.advice_letter".to_string())
    );
    clock.set(due + chrono::Duration::days(30));
    assert_eq!(
        e.app.sweep_deadlines().await.unwrap(),
        0,
        "nothing left to do"
    );
    // The letter is the case's: another station's officer cannot open it.
    let s2 = e.actor("s2.chief").await;
    assert!(matches!(
        e.app
            .advice_letter(&s2, row.id, d.advice_letters[0].id)
            .await,
        Err(AppError::NotFound)
    ));
    assert!(
        e.app
            .advice_letter(&officer, row.id, d.advice_letters[0].id)
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_met_deadline_is_never_reminded() {
    let (e, clock) = common::start_clocked().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(b))
        .await
        .unwrap();
    e.app
        .transition_case(&chief, row.id, &step("file", 1, json!({})))
        .await
        .unwrap();
    clock.set(common::now0() + chrono::Duration::days(10));
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 0);
    assert!(inbox(&e, "s1.investigator").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_sweep_without_doubles() {
    let (e, clock) = common::start_clocked().await;
    if !matches!(e.db.config, frontline_store::DbConfig::Postgres { .. }) {
        // Two servers share one database only on PostgreSQL.
        return;
    }
    let second = frontline_app::App::open(
        &e.db.config,
        clock.clone(),
        frontline_app::AppConfig::for_tests(),
    )
    .await
    .unwrap();
    let officer = e.actor("s1.investigator").await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    let n = 120;
    for _ in 0..n {
        e.app
            .create_case(&officer, &CaseRequest::read(b.clone()))
            .await
            .unwrap();
    }
    // Both instances sweep at once, well past the due instant: every deadline is
    // claimed by exactly one of them and advanced exactly once.
    clock.set(common::now0() + chrono::Duration::days(4) + chrono::Duration::hours(1));
    let (a, z) = tokio::join!(
        async {
            let mut t = 0;
            for _ in 0..5 {
                t += e.app.sweep_deadlines().await.unwrap();
            }
            t
        },
        async {
            let mut t = 0;
            for _ in 0..5 {
                t += second.sweep_deadlines().await.unwrap();
            }
            t
        }
    );
    assert_eq!(a + z, n, "each deadline claimed once: {a} + {z}");
    let board = e
        .app
        .deadline_board(
            &e.actor("s1.chief").await,
            &DeadlineQuery {
                state: Some("overdue".into()),
                limit: Some("500".into()),
                ..DeadlineQuery::default()
            },
            Lang::Zh,
        )
        .await
        .unwrap();
    assert_eq!(board.overdue, n as i64);
    // A day later, one letter per deadline, however the two split the work.
    clock.set(common::now0() + chrono::Duration::days(6));
    let (a, z) = tokio::join!(e.app.sweep_deadlines(), second.sweep_deadlines());
    assert_eq!(a.unwrap() + z.unwrap(), n);
    assert_eq!(e.app.sweep_deadlines().await.unwrap(), 0);
    let list = e
        .app
        .list_cases(&officer, &CaseListQuery::default(), Lang::Zh)
        .await
        .unwrap();
    let mut letters = 0;
    for c in &list.items {
        letters += e.app.store.case_advice_letters(c.id).await.unwrap().len();
    }
    assert_eq!(letters, list.items.len(), "one letter per overdue deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consenting_victims_hear_of_public_steps_by_text_message() {
    let db = frontline_store::testing::fresh().await.unwrap();
    let config = frontline_app::AppConfig {
        sms_gateway_url: Some("http://127.0.0.1:9/sms".into()),
        ..frontline_app::AppConfig::for_tests()
    };
    let app = frontline_app::App::open(
        &db.config,
        std::sync::Arc::new(frontline_app::FixedClock::new(common::now0())),
        config,
    )
    .await
    .unwrap();
    app.load_demo(common::now0(), 0).await.unwrap();
    let e = common::Env { app, db };
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let pending = || async { e.app.store.outbox_counts().await.unwrap().pending };
    let before = pending().await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    // Two parties: the consenting victim hears, the suspect never does.
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(b))
        .await
        .unwrap();
    assert_eq!(
        pending().await,
        before + 1,
        "the acceptance, with the query code"
    );
    e.app
        .transition_case(&chief, row.id, &step("file", 1, json!({})))
        .await
        .unwrap();
    assert_eq!(pending().await, before + 2, "filing is a public step");
    e.app
        .transition_case(&officer, row.id, &step("investigate", 2, json!({})))
        .await
        .unwrap();
    assert_eq!(
        pending().await,
        before + 2,
        "starting the investigation is not"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_needs_approval_and_never_goes_beyond_the_rule() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    let d = e.app.case_detail(&chief, &row, Lang::Zh).await.unwrap();
    let deadline = &d.deadlines[0];
    assert_eq!(deadline.extensions.len(), 1, "{:?}", deadline.extensions);
    assert_eq!(deadline.extensions[0].times, Some(2));
    assert!(d.may_extend);
    let ext = |version: i64, extra: Value| {
        let mut b = json!({"extension": 1, "version": version,
            "approver": "青禾县公安局 王局长", "reference": "青公审〔2026〕12号"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        frontline_app::case::ExtensionRequest::read(b)
    };
    // The officer may not; nobody may without naming the approval.
    assert!(matches!(
        e.app
            .extend_deadline(&officer, deadline.id, &ext(1, json!({})))
            .await,
        Err(AppError::Forbidden)
    ));
    let s2 = e.actor("s2.chief").await;
    assert!(matches!(
        e.app
            .extend_deadline(&s2, deadline.id, &ext(1, json!({})))
            .await,
        Err(AppError::NotFound)
    ));
    match e
        .app
        .extend_deadline(&chief, deadline.id, &ext(1, json!({"approver": " "})))
        .await
    {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "approver.required"),
        other => panic!("{other:?}"),
    }
    let seq = e.audit_seq().await;
    let r = e
        .app
        .extend_deadline(&chief, deadline.id, &ext(1, json!({})))
        .await
        .unwrap();
    assert_eq!(r.version, 2, "on the timeline");
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "case.extend_deadline");
    let d2 = e.app.case_detail(&chief, &r, Lang::Zh).await.unwrap();
    // 30 more days from 12-22 (the nominal last day): 2027-01-21, a Thursday.
    assert_eq!(d2.deadlines[0].due_at, "2027-01-22T00:00:00+08:00");
    assert_eq!(d2.deadlines[0].extensions[0].used, 1);
    assert_eq!(d2.timeline.last().unwrap().step, "extend");
    // A stale version loses; the second extension is allowed, the third is not.
    assert_eq!(
        state_code(
            e.app
                .extend_deadline(&chief, deadline.id, &ext(1, json!({})))
                .await
        ),
        "conflict.stale_version"
    );
    let r = e
        .app
        .extend_deadline(&chief, deadline.id, &ext(2, json!({})))
        .await
        .unwrap();
    match e
        .app
        .extend_deadline(&chief, deadline.id, &ext(r.version, json!({})))
        .await
    {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "extension.exhausted"),
        other => panic!("{other:?}"),
    }
    match e
        .app
        .extend_deadline(
            &chief,
            deadline.id,
            &ext(r.version, json!({"extension": 2})),
        )
        .await
    {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "extension.unknown"),
        other => panic!("{other:?}"),
    }
    match e
        .app
        .extend_deadline(
            &chief,
            deadline.id,
            &ext(r.version, json!({"granted": "lots"})),
        )
        .await
    {
        Err(AppError::Validation(errs)) => {
            assert!(errs.iter().any(|x| x.field == "granted"), "{errs:?}")
        }
        other => panic!("{other:?}"),
    }
    let d3 = e.app.case_detail(&chief, &r, Lang::Zh).await.unwrap();
    assert_eq!(
        d3.deadlines[0].extensions[0].used, 2,
        "refusals changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detention_starts_its_four_deadlines_and_each_act_meets_its_own() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let mut b = admin_case();
    b["kind"] = json!("criminal");
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(b))
        .await
        .unwrap();
    let row = e
        .app
        .transition_case(&chief, row.id, &step("file", 1, json!({})))
        .await
        .unwrap();
    let m = |v: Value| frontline_app::case::MeasureRequest::read_json(v);
    // The victim (party 2) is no suspect; an administrative measure name is fine, a
    // made-up one is not.
    for (body, field) in [
        (
            json!({"measure": "detention", "party": 2, "version": 2}),
            "party",
        ),
        (
            json!({"measure": "jail", "party": 1, "version": 2}),
            "measure",
        ),
        (
            json!({"measure": "detention", "party": 1, "version": 2, "at": "2999-01-01T00:00:00+08:00"}),
            "at",
        ),
    ] {
        match e.app.start_measure(&officer, row.id, &m(body)).await {
            Err(AppError::Validation(errs)) => {
                assert!(errs.iter().any(|x| x.field == field), "{errs:?}")
            }
            other => panic!("{other:?}"),
        }
    }
    let s2 = e.actor("s2.investigator").await;
    assert!(matches!(
        e.app
            .start_measure(
                &s2,
                row.id,
                &m(json!({"measure": "detention", "party": 1, "version": 2}))
            )
            .await,
        Err(AppError::NotFound)
    ));
    let row = e
        .app
        .start_measure(
            &officer,
            row.id,
            &m(json!({"measure": "detention", "party": 1, "version": 2,
            "at": "2026-11-22T11:00:00+08:00"})),
        )
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    let running: Vec<&str> = d
        .deadlines
        .iter()
        .filter(|x| x.state == DeadlineState::Running || x.state == DeadlineState::DueSoon)
        .map(|x| x.rule.as_str())
        .collect();
    assert_eq!(running.len(), 4, "{running:?}");
    let lockup = d
        .deadlines
        .iter()
        .find(|x| x.rule == "criminal.detention_to_lockup")
        .unwrap();
    assert_eq!(
        lockup.due_at, "2026-11-23T11:00:00+08:00",
        "24 hours from the detention"
    );
    let measure = &d.measures[0];
    assert_eq!(measure.party_name, "张某");
    assert_eq!(
        measure.acts.len(),
        4,
        "lock up, tell the family, interrogate, end"
    );
    let act = |a: &str, version: i64| {
        frontline_app::case::MeasureActRequest::read_json(json!({"act": a, "version": version}))
    };
    let row = e
        .app
        .record_measure_act(&officer, measure.id, &act("notify_family", row.version))
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    let state_of = |code: &str| d.deadlines.iter().find(|x| x.rule == code).unwrap().state;
    assert_eq!(
        state_of("criminal.detention_family_notice"),
        DeadlineState::Met
    );
    assert_ne!(state_of("criminal.detention_to_lockup"), DeadlineState::Met);
    match e
        .app
        .record_measure_act(&officer, measure.id, &act("notify_family", row.version))
        .await
    {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "act.not_applicable"),
        other => panic!("{other:?}"),
    }
    // The arrest request meets the detention's 3 days and starts the procuratorate's 7.
    let row = e
        .app
        .start_measure(
            &officer,
            row.id,
            &m(json!({"measure": "arrest_request", "party": 1, "version": row.version})),
        )
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    let state_of = |code: &str| d.deadlines.iter().find(|x| x.rule == code).unwrap().state;
    assert_eq!(state_of("criminal.arrest_request"), DeadlineState::Met);
    assert_ne!(state_of("criminal.arrest_review"), DeadlineState::Met);
    // Ending the detention: the acts not done are no longer owed (cancelled, not met);
    // it then takes no act.
    let row = e
        .app
        .record_measure_act(&officer, measure.id, &act("end", row.version))
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    assert!(d.measures[0].ended_at.is_some());
    assert!(d.measures[0].acts.is_empty());
    let state_of = |code: &str| d.deadlines.iter().find(|x| x.rule == code).unwrap().state;
    assert_eq!(
        state_of("criminal.detention_to_lockup"),
        DeadlineState::Cancelled
    );
    assert_eq!(
        state_of("criminal.detention_interrogation"),
        DeadlineState::Cancelled
    );
    assert_eq!(
        state_of("criminal.detention_family_notice"),
        DeadlineState::Met,
        "what was done stays met"
    );
    assert_eq!(
        state_code(
            e.app
                .record_measure_act(&officer, measure.id, &act("end", row.version))
                .await
        ),
        "measure.ended"
    );
    // An administrative case summons and questions, and does nothing else.
    let admin = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    match e
        .app
        .start_measure(
            &officer,
            admin.id,
            &m(json!({"measure": "detention", "party": 1, "version": 1})),
        )
        .await
    {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "measure.not_for_kind"),
        other => panic!("{other:?}"),
    }
    let admin = e
        .app
        .start_measure(
            &officer,
            admin.id,
            &m(json!({"measure": "summons", "party": 1, "version": 1})),
        )
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &admin, Lang::Zh).await.unwrap();
    assert!(d.deadlines.iter().any(|x| x.rule == "admin.questioning"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_suspects_arrest_request_leaves_the_others_days_running() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let chief = e.actor("s1.chief").await;
    let row = e
        .app
        .create_case(
            &officer,
            &CaseRequest::read(json!({"kind": "criminal", "title": "张某、赵某盗窃案",
                "summary": "二人结伙盗窃电动车电瓶。",
                "parties": [{"role": "suspect", "name": "张某"}, {"role": "suspect", "name": "赵某"}]})),
        )
        .await
        .unwrap();
    let mut row = e
        .app
        .transition_case(&chief, row.id, &step("file", 1, json!({})))
        .await
        .unwrap();
    let m = |v: Value| frontline_app::case::MeasureRequest::read_json(v);
    for party in [1, 2] {
        row = e
            .app
            .start_measure(
                &officer,
                row.id,
                &m(json!({"measure": "detention", "party": party, "version": row.version})),
            )
            .await
            .unwrap();
    }
    row = e
        .app
        .start_measure(
            &officer,
            row.id,
            &m(json!({"measure": "arrest_request", "party": 1, "version": row.version})),
        )
        .await
        .unwrap();
    let d = e.app.case_detail(&officer, &row, Lang::Zh).await.unwrap();
    let mut states: Vec<DeadlineState> = d
        .deadlines
        .iter()
        .filter(|x| x.rule == "criminal.arrest_request")
        .map(|x| x.state)
        .collect();
    states.sort_by_key(|s| s.as_str());
    assert_eq!(states.len(), 2);
    assert!(
        states.contains(&DeadlineState::Met),
        "张某's 3 days are met"
    );
    assert!(
        states.iter().any(|s| *s != DeadlineState::Met),
        "赵某's still run: {states:?}"
    );
    // A closed case takes no new measure.
    let admin = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    let mut v = admin.version;
    for (who, action, extra) in [
        (&officer, "investigate", json!({})),
        (
            &chief,
            "decide",
            json!({"outcome": "exempt", "note": "情节特别轻微"}),
        ),
        (&chief, "close", json!({})),
    ] {
        v = e
            .app
            .transition_case(who, admin.id, &step(action, v, extra))
            .await
            .unwrap()
            .version;
    }
    assert_eq!(
        state_code(
            e.app
                .start_measure(
                    &officer,
                    admin.id,
                    &m(json!({"measure": "summons", "party": 1, "version": v}))
                )
                .await
        ),
        "case.closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_takes_no_step_hears_403_before_its_body_is_judged() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let desk = e.actor("s1.desk").await;
    let row = e
        .app
        .create_case(&officer, &CaseRequest::read(admin_case()))
        .await
        .unwrap();
    // The desk officer reads the case but takes no step: 403, not the body's 422.
    let bad = CaseStepRequest::read(json!({"action": "fly", "version": "x"}));
    assert!(matches!(
        e.app.transition_case(&desk, row.id, &bad).await,
        Err(AppError::Forbidden)
    ));
    // The officer with the same body hears what is wrong with it.
    assert!(matches!(
        e.app.transition_case(&officer, row.id, &bad).await,
        Err(AppError::Validation(_))
    ));
}

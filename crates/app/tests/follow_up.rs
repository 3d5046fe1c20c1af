//! Repeat incidents, callbacks (回访) and the daily review (三清点调): rules, roles,
//! scopes and audit entries.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::AppError;
use frontline_app::incident::{
    AcknowledgeRequest, CallbackRequest, CallbackReviewRequest, DailyReviewQuery, IncidentRequest,
    ReviewMarkRequest, TransitionRequest,
};
use frontline_core::Lang;
use frontline_core::incident::callback::{CallbackStatus, RepeatBasis, Satisfaction};
use frontline_core::org::Actor;
use frontline_store::IncidentRow;
use serde_json::{Value, json};

use common::Env;

fn intake(category: &str, address: &str, phone: &str) -> IncidentRequest {
    IncidentRequest::read(json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": category,
        "address": address,
        "caller": {"name": "王某", "phone": phone},
        "narrative": "报警人称邻居装修噪音扰民。",
    }))
    .unwrap()
}

fn step(v: Value) -> TransitionRequest {
    TransitionRequest::read(v)
}

fn cb(v: Value) -> CallbackRequest {
    CallbackRequest::read(v)
}

fn codes<T: std::fmt::Debug>(r: frontline_app::Result<T>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Validation(errs)) => errs
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect(),
        Err(AppError::StateConflict(e)) => vec![(e.field, e.code.to_string())],
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// Files, and closes after a phone disposal.
async fn closed(e: &Env, desk: &Actor, category: &str) -> IncidentRow {
    let row = e
        .app
        .create_incident(
            desk,
            &intake(category, "城关镇幸福路12号3单元501室", "13912345678"),
        )
        .await
        .unwrap();
    let row = e
        .app
        .transition_incident(
            desk,
            row.id,
            &step(json!({"action": "dispose", "version": 1, "note": "电话劝解"})),
        )
        .await
        .unwrap();
    e.app
        .transition_incident(
            desk,
            row.id,
            &step(json!({"action": "close", "version": 2})),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_call_from_the_same_address_or_phone_is_flagged_with_links() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let first = e
        .app
        .create_incident(
            &desk,
            &intake("dispute.neighbour", "幸福路12号 3单元501", "13912345678"),
        )
        .await
        .unwrap();
    assert_eq!(first.follow_up.repeat_count, 0);
    // Same place written differently (full-width digits, punctuation), another phone.
    let second = e
        .app
        .create_incident(
            &desk,
            &intake(
                "dispute.neighbour",
                "幸福路１２号（3单元501）",
                "13800000000",
            ),
        )
        .await
        .unwrap();
    assert_eq!(second.follow_up.repeat_count, 1);
    // Another address, the first caller's phone: both earlier calls? Only the phone's.
    let third = e
        .app
        .create_incident(
            &desk,
            &intake("public_order.noise", "人民路88号", "13912345678"),
        )
        .await
        .unwrap();
    assert_eq!(third.follow_up.repeat_count, 1);
    let parts = e.app.incident_parts(&third).await.unwrap();
    let d = e.app.incident_detail(&desk, &third, &parts, Lang::Zh);
    assert_eq!(d.repeats.len(), 1);
    assert_eq!(d.repeats[0].id, Some(first.id));
    assert_eq!(d.repeats[0].basis, RepeatBasis::Phone);
    assert_eq!(d.incident.repeat_count, 1);
    // A bare town name is too general to make a repeat.
    let a = e
        .app
        .create_incident(&desk, &intake("dispute.other", "城关镇", "13700000001"))
        .await
        .unwrap();
    let b = e
        .app
        .create_incident(&desk, &intake("dispute.other", "城关镇", "13700000002"))
        .await
        .unwrap();
    assert_eq!((a.follow_up.repeat_count, b.follow_up.repeat_count), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_follow_the_rules_roles_and_scopes() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let community = e.actor("s1.community").await;
    let chief = e.actor("s1.chief").await;

    // Not closed yet: refused, nothing written.
    let open = e
        .app
        .create_incident(
            &desk,
            &intake("criminal.theft", "人民路12号", "13900000009"),
        )
        .await
        .unwrap();
    assert_eq!(
        codes(
            e.app
                .record_callback(
                    &desk,
                    open.id,
                    &cb(json!({"reached": true, "satisfaction": "satisfied"})),
                    Lang::Zh
                )
                .await
        ),
        [(
            "incident".to_string(),
            "callback.incident_not_closed".to_string()
        )]
    );
    // A consultation needs no callback.
    let consult = closed(&e, &desk, "other.consultation").await;
    assert_eq!(consult.follow_up.callback, None);
    assert_eq!(
        codes(
            e.app
                .record_callback(&desk, consult.id, &cb(json!({"reached": false})), Lang::Zh)
                .await
        ),
        [("incident".to_string(), "callback.not_due".to_string())]
    );

    let row = closed(&e, &desk, "criminal.theft").await;
    assert_eq!(row.follow_up.callback, Some(CallbackStatus::Due));
    let queue = e.app.callback_queue(&desk, 1, Lang::Zh).await.unwrap();
    assert!(queue.items.iter().any(|v| v.id == row.id));
    // Another station's desk does not see it; a community officer does not call back.
    assert!(
        !e.app
            .callback_queue(&desk2, 1, Lang::Zh)
            .await
            .unwrap()
            .items
            .iter()
            .any(|v| v.id == row.id)
    );
    assert!(matches!(
        e.app
            .record_callback(&desk2, row.id, &cb(json!({"reached": false})), Lang::Zh)
            .await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        e.app
            .record_callback(&community, row.id, &cb(json!({"reached": false})), Lang::Zh)
            .await,
        Err(AppError::Forbidden)
    ));
    // Field rules, all reported at once.
    let seq = e.audit_seq().await;
    assert_eq!(
        codes(
            e.app
                .record_callback(&desk, row.id, &cb(json!({})), Lang::Zh)
                .await
        ),
        [("reached".to_string(), "required".to_string())]
    );
    assert_eq!(
        codes(
            e.app
                .record_callback(
                    &desk,
                    row.id,
                    &cb(json!({"reached": false, "satisfaction": "satisfied", "x": 1})),
                    Lang::Zh
                )
                .await
        ),
        [
            ("x".to_string(), "unknown_field".to_string()),
            (
                "satisfaction".to_string(),
                "satisfaction.not_reached".to_string()
            )
        ]
    );
    assert_eq!(
        codes(
            e.app
                .record_callback(
                    &desk,
                    row.id,
                    &cb(json!({"reached": true, "satisfaction": "dissatisfied"})),
                    Lang::Zh
                )
                .await
        ),
        [(
            "comment".to_string(),
            "comment.required_when_dissatisfied".to_string()
        )]
    );
    assert_eq!(
        codes(
            e.app
                .record_callback(&desk, row.id, &cb(json!({"reached": "yes"})), Lang::Zh)
                .await
        )[0]
        .1,
        "type"
    );
    assert_eq!(e.audit_seq().await, seq, "refused attempts wrote nothing");

    // Not reached twice, then reached and dissatisfied: the chief is told.
    for n in 1..=2 {
        let s = e
            .app
            .record_callback(
                &desk,
                row.id,
                &cb(json!({"reached": false, "comment": "无人接听"})),
                Lang::Zh,
            )
            .await
            .unwrap();
        assert_eq!((s.status, s.attempts), (Some(CallbackStatus::Due), n));
        assert!(s.next_at.is_some());
    }
    let s = e
        .app
        .record_callback(&desk, row.id, &cb(json!({"reached": true, "satisfaction": "dissatisfied", "comment": "认为出警慢，电话13912345678"})), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(s.status, Some(CallbackStatus::Done));
    assert_eq!(s.satisfaction, Some(Satisfaction::Dissatisfied));
    let last = s.callbacks.last().unwrap().clone();
    assert!(last.review_pending);
    assert!(
        last.comment.contains("139****5678"),
        "identifiers masked: {}",
        last.comment
    );
    assert!(
        !e.app
            .callback_queue(&desk, 1, Lang::Zh)
            .await
            .unwrap()
            .items
            .iter()
            .any(|v| v.id == row.id)
    );
    let audit = e.audit_since(seq).await;
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "incident.callback")
            .count(),
        3
    );
    e.app.deliver_due().await.unwrap();
    let inbox = e
        .app
        .store
        .notifications(chief.officer_id, 10, 0)
        .await
        .unwrap();
    assert!(
        inbox.iter().any(|n| n.title_zh.contains(&row.number)),
        "{inbox:?}"
    );

    // Only the chief reviews; once.
    let note = |t: &str| CallbackReviewRequest::read(json!({"note": t}));
    assert!(matches!(
        e.app
            .review_callback(&desk, last.id, &note("已解释"), Lang::Zh)
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        e.app
            .review_callback(&desk2, last.id, &note("已解释"), Lang::Zh)
            .await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        codes(
            e.app
                .review_callback(&chief, last.id, &note(" "), Lang::Zh)
                .await
        ),
        [("note".to_string(), "required".to_string())]
    );
    let v = e
        .app
        .review_callback(
            &chief,
            last.id,
            &note("已电话解释，报警人表示理解"),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert!(!v.review_pending);
    assert_eq!(
        codes(
            e.app
                .review_callback(&chief, last.id, &note("再次审核"), Lang::Zh)
                .await
        ),
        [(
            "callback".to_string(),
            "callback.already_reviewed".to_string()
        )]
    );
    let first_attempt = s.callbacks[0].id;
    assert_eq!(
        codes(
            e.app
                .review_callback(&chief, first_attempt, &note("不需要"), Lang::Zh)
                .await
        ),
        [(
            "callback".to_string(),
            "callback.not_dissatisfied".to_string()
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_caller_leaves_the_queue_after_the_last_attempt() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let row = closed(&e, &desk, "dispute.family").await;
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            e.app
                .record_callback(&desk, row.id, &cb(json!({"reached": false})), Lang::Zh)
                .await
                .unwrap(),
        );
    }
    assert_eq!(last.unwrap().status, Some(CallbackStatus::Unreachable));
    assert_eq!(
        codes(
            e.app
                .record_callback(&desk, row.id, &cb(json!({"reached": false})), Lang::Zh)
                .await
        ),
        [("incident".to_string(), "callback.not_due".to_string())]
    );
    // Reopened and closed again: due again.
    let chief = e.actor("s1.chief").await;
    let r = e
        .app
        .transition_incident(
            &chief,
            row.id,
            &step(json!({"action": "reopen", "version": 3, "note": "报警人再次来电"})),
        )
        .await
        .unwrap();
    assert_eq!(r.follow_up.callback, None);
    let r = e
        .app
        .transition_incident(
            &desk,
            row.id,
            &step(json!({"action": "dispose", "version": 4, "note": "再次调解"})),
        )
        .await
        .unwrap();
    let r = e
        .app
        .transition_incident(
            &desk,
            row.id,
            &step(json!({"action": "close", "version": r.state.version})),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.follow_up.callback, r.follow_up.callback_attempts),
        (Some(CallbackStatus::Due), 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_review_by_role_with_marks_and_instructions() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let chief = e.actor("s1.chief").await;
    let chief2 = e.actor("s2.chief").await;
    let cc = e.actor("command").await;
    let leader = e.actor("leader").await;
    let dispute = e
        .app
        .create_incident(
            &desk,
            &intake("dispute.neighbour", "幸福路12号3单元501", "13912345678"),
        )
        .await
        .unwrap();
    let q = |date: &str| DailyReviewQuery {
        date: Some(date.into()),
        ..DailyReviewQuery::default()
    };
    // The clock is 2026-11-22 12:00; the intake was reported that morning.
    let mine = e
        .app
        .daily_review(&chief, &q("2026-11-22"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(mine.stations.len(), 1, "a chief sees the own station");
    assert_eq!(mine.stations[0].unit_id, chief.unit_id);
    assert!(!mine.can_mark);
    let st = &mine.stations[0];
    assert_eq!(st.total.count, 1);
    assert_eq!(st.dispute.items[0].incident.id, dispute.id);
    assert_eq!(st.still_open.total, 1);
    let all = e
        .app
        .daily_review(&cc, &q("2026-11-22"), Lang::Zh)
        .await
        .unwrap();
    assert!(all.stations.len() > 1 && all.can_mark);
    assert!(
        e.app
            .daily_review(&leader, &q("2026-11-22"), Lang::Zh)
            .await
            .unwrap()
            .can_mark
    );
    // Default: yesterday.
    assert_eq!(
        e.app
            .daily_review(&chief, &DailyReviewQuery::default(), Lang::Zh)
            .await
            .unwrap()
            .date,
        "2026-11-21"
    );
    assert!(matches!(
        e.app.daily_review(&desk, &q("2026-11-22"), Lang::Zh).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        codes(e.app.daily_review(&chief, &q("2026-11-23"), Lang::Zh).await),
        [("date".to_string(), "date.future".to_string())]
    );
    assert_eq!(
        codes(e.app.daily_review(&chief, &q("22/11/2026"), Lang::Zh).await),
        [("date".to_string(), "date.format".to_string())]
    );
    let other_station = DailyReviewQuery {
        unit_id: Some(chief2.unit_id.to_string()),
        ..DailyReviewQuery::default()
    };
    assert_eq!(
        codes(e.app.daily_review(&chief, &other_station, Lang::Zh).await),
        [("unit_id".to_string(), "unit.unknown".to_string())]
    );
    let mut typo = q("2026-11-22");
    typo.other.insert("dat".into(), "x".into());
    assert_eq!(
        codes(e.app.daily_review(&chief, &typo, Lang::Zh).await)[0].1,
        "unknown_parameter"
    );

    // The command centre marks the dispute with an instruction: the chief is told and
    // sees it on the station's board until acknowledged.
    let mark = |note: &str| {
        ReviewMarkRequest::read(
            json!({"date": "2026-11-22", "incident_id": dispute.id.to_string(), "note": note, "instruction": "请社区民警三日内上门回访"}),
        )
    };
    assert!(matches!(
        e.app.mark_reviewed(&chief, &mark("看过")).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        codes(
            e.app
                .mark_reviewed(&cc, &ReviewMarkRequest::read(json!({"date": "2026-11-22"})))
                .await
        ),
        [
            ("incident_id".to_string(), "required".to_string()),
            ("note".to_string(), "required".to_string())
        ]
    );
    let seq = e.audit_seq().await;
    let m = e
        .app
        .mark_reviewed(&cc, &mark("邻里纠纷反复报警"))
        .await
        .unwrap();
    assert_eq!(m.incident_number.as_deref(), Some(dispute.number.as_str()));
    assert_eq!(e.audit_since(seq).await[0].action, "incident.review");
    e.app.deliver_due().await.unwrap();
    let inbox = e
        .app
        .store
        .notifications(chief.officer_id, 10, 0)
        .await
        .unwrap();
    assert!(
        inbox.iter().any(|n| n.title_zh.starts_with("三清点调指示")),
        "{inbox:?}"
    );
    let mine = e
        .app
        .daily_review(&chief, &q("2026-11-22"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(mine.stations[0].instructions.len(), 1);
    assert!(mine.stations[0].dispute.items[0].mark.is_some());
    // Another station's chief neither sees nor acknowledges it.
    let theirs = e
        .app
        .daily_review(&chief2, &q("2026-11-22"), Lang::Zh)
        .await
        .unwrap();
    assert!(theirs.stations[0].instructions.is_empty());
    let ack = AcknowledgeRequest::read(
        json!({"date": "2026-11-22", "incident_id": dispute.id.to_string()}),
    );
    assert!(matches!(
        e.app.acknowledge_instruction(&chief2, &ack).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        e.app.acknowledge_instruction(&desk, &ack).await,
        Err(AppError::Forbidden)
    ));
    e.app.acknowledge_instruction(&chief, &ack).await.unwrap();
    let mine = e
        .app
        .daily_review(&chief, &q("2026-11-22"), Lang::Zh)
        .await
        .unwrap();
    assert!(mine.stations[0].instructions.is_empty());
    assert!(matches!(
        e.app.acknowledge_instruction(&chief, &ack).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_dispute_is_pushed_to_its_street_office_which_answers_once() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let street = e.actor("street1").await;
    let street2 = e.actor("street2").await;
    let desk2 = e.actor("s2.desk").await;
    let chief = e.actor("s1.chief").await;
    let district = e.app.org.districts_of(desk.unit_id)[0].clone();
    assert!(
        district.partner_unit_id.is_some(),
        "the demo maps districts to street offices"
    );
    let mut body = json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "dispute.neighbour",
        "address": "城关镇幸福路12号3单元501室",
        "district_id": district.id.to_string(),
        "caller": {"name": "王某", "phone": "13912345678"},
        "narrative": "邻居装修噪音扰民，报警人电话13912345678。",
    });
    let row = e
        .app
        .create_incident(&desk, &IncidentRequest::read(body.clone()).unwrap())
        .await
        .unwrap();
    let row = e
        .app
        .transition_incident(
            &desk,
            row.id,
            &step(json!({"action": "dispose", "version": 1, "note": "现场调解"})),
        )
        .await
        .unwrap();
    e.app
        .transition_incident(
            &desk,
            row.id,
            &step(json!({"action": "close", "version": 2})),
        )
        .await
        .unwrap();
    // A theft in the same district is not pushed.
    body["category"] = json!("criminal.theft");
    let theft = e
        .app
        .create_incident(&desk, &IncidentRequest::read(body).unwrap())
        .await
        .unwrap();
    e.app
        .transition_incident(
            &desk,
            theft.id,
            &step(json!({"action": "dispose", "version": 1, "note": "登记"})),
        )
        .await
        .unwrap();
    e.app
        .transition_incident(
            &desk,
            theft.id,
            &step(json!({"action": "close", "version": 2})),
        )
        .await
        .unwrap();

    let list = e.app.pushes(&street, 1).await.unwrap();
    assert_eq!(list.total, 1);
    let p = &list.items[0];
    assert_eq!(p.number, row.number);
    assert_eq!(
        p.incident_id, None,
        "the street office gets no link into the incident"
    );
    assert!(
        p.summary.narrative.contains("139****5678"),
        "{}",
        p.summary.narrative
    );
    assert_eq!(e.app.pushes(&street2, 1).await.unwrap().total, 0);
    assert_eq!(e.app.pushes(&desk2, 1).await.unwrap().total, 0);
    let mine = e.app.pushes(&desk, 1).await.unwrap();
    assert_eq!(mine.items[0].incident_id, Some(row.id));
    // The street office's accounts and the community officer are told.
    e.app.deliver_due().await.unwrap();
    let inbox = e
        .app
        .store
        .notifications(street.officer_id, 10, 0)
        .await
        .unwrap();
    assert!(
        inbox.iter().any(|n| n.title_zh.starts_with("纠纷推送")),
        "{inbox:?}"
    );
    if let Some(c) = district.community_officer_id {
        assert!(
            !e.app
                .store
                .notifications(c, 10, 0)
                .await
                .unwrap()
                .is_empty()
        );
    }

    let answer = |t: &str| frontline_app::incident::PushAnswerRequest::read(json!({"note": t}));
    assert!(matches!(
        e.app.answer_push(&street2, p.id, &answer("已处理")).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        e.app.answer_push(&desk2, p.id, &answer("已处理")).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        e.app.answer_push(&desk, p.id, &answer("已处理")).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        codes(e.app.answer_push(&street, p.id, &answer("")).await),
        [("note".to_string(), "required".to_string())]
    );
    let seq = e.audit_seq().await;
    let done = e
        .app
        .answer_push(&street, p.id, &answer("已组织调解，双方达成一致"))
        .await
        .unwrap();
    assert_eq!(done.answer.as_deref(), Some("已组织调解，双方达成一致"));
    assert_eq!(e.audit_since(seq).await[0].action, "incident.push.answer");
    assert_eq!(
        codes(e.app.answer_push(&street, p.id, &answer("再次反馈")).await),
        [("push".to_string(), "push.already_answered".to_string())]
    );
    let on_page = e.app.pushes_of(&row).await.unwrap();
    assert_eq!(
        on_page[0].answer.as_deref(),
        Some("已组织调解，双方达成一致")
    );
    e.app.deliver_due().await.unwrap();
    let told = e
        .app
        .store
        .notifications(chief.officer_id, 10, 0)
        .await
        .unwrap();
    assert!(
        told.iter().any(|n| n.title_zh.starts_with("街道已反馈")),
        "{told:?}"
    );
}

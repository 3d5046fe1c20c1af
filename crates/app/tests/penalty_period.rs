//! Penalty assessment, deadline computation and calendar upload over an in-process
//! store: who may, what is refused, what is audited.

mod common;

use frontline_app::AppError;
use frontline_app::deadlines::DeadlineInput;
use frontline_app::penalty::parse_assess_request;
use frontline_core::Lang;
use serde_json::json;

/// A test calendar for 2027 (not the official arrangement).
const CAL_2027: &str = r#"year = 2027
source = "测试用 2027 年日历 (test calendar)"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
first = 2027-01-01
last = 2027-01-03
makeup_workdays = []
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn penalty_assess_is_audited_and_refused_to_other_roles() {
    let e = common::start().await;
    let legal = e.actor("legal").await;
    let custodian = e.actor("custodian").await;
    let input = parse_assess_request(&json!({
        "article": 43, "item": 1, "person": {"age": 40}, "offence_date": "2025-09-01"
    }))
    .unwrap();
    let seq = e.audit_seq().await;
    assert!(matches!(
        e.app.assess_penalty(&custodian, &input).await,
        Err(AppError::Forbidden)
    ));
    assert!(e.audit_since(seq).await.is_empty());

    e.app.assess_penalty(&legal, &input).await.unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "penalty.assess");
    // No person's name or identifier in the trace: only the case facts.
    assert!(!audit[0].detail.contains("name"), "{}", audit[0].detail);

    let errs = parse_assess_request(&json!({ "article": 43, "person": { "age": -1 } }))
        .err()
        .unwrap();
    assert!(errs.iter().any(|f| f.field == "person.age"), "{errs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_compute_is_not_audited_and_checks_its_input() {
    let e = common::start().await;
    let legal = e.actor("legal").await;
    let seq = e.audit_seq().await;
    let q = DeadlineInput {
        start: Some("2026-09-30T10:00".into()),
        period: Some("1d".into()),
        ..DeadlineInput::default()
    };
    let c = e.app.compute_deadline(&legal, &q).await.unwrap();
    let answer = c.view(Lang::En);
    // 1 day from 30 September ends on the National Day holiday, so it rolls over.
    assert!(answer.due.as_str() > "2026-10-02", "{answer:?}");
    assert!(
        e.audit_since(seq).await.is_empty(),
        "a computation writes nothing"
    );

    let bad = DeadlineInput {
        period: Some("soon".into()),
        ..q.clone()
    };
    assert!(matches!(
        e.app.compute_deadline(&legal, &bad).await,
        Err(AppError::Validation(_))
    ));
    let partner = e.actor("street1").await;
    assert!(matches!(
        e.app.compute_deadline(&partner, &q).await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_upload_is_for_administrators_validated_and_audited() {
    let e = common::start().await;
    let admin = e.actor("admin").await;
    let legal = e.actor("legal").await;
    let seq = e.audit_seq().await;
    assert!(matches!(
        e.app.upload_calendar(&legal, CAL_2027, Lang::En).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        e.app
            .upload_calendar(&admin, "year = 2027\n[[holiday]\n", Lang::En)
            .await,
        Err(AppError::Validation(_))
    ));
    assert!(
        e.audit_since(seq).await.is_empty(),
        "refusals write nothing"
    );

    let q = DeadlineInput {
        start: Some("2027-03-01T10:00".into()),
        period: Some("1d".into()),
        ..DeadlineInput::default()
    };
    assert!(matches!(
        e.app.compute_deadline(&legal, &q).await,
        Err(AppError::Validation(_))
    ));
    let year = e
        .app
        .upload_calendar(&admin, CAL_2027, Lang::En)
        .await
        .unwrap();
    assert_eq!(year.year, 2027);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "calendar.upload");
    // Used at once by this instance.
    e.app.compute_deadline(&legal, &q).await.unwrap();
}

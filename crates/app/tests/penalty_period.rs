//! Penalty assessment over an in-process store: who may, what is refused, what is
//! audited. (Legal periods: `period.rs`.)

mod common;

use frontline_app::AppError;
use frontline_app::penalty::parse_assess_request;
use serde_json::json;

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

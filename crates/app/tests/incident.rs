//! Incident use cases over an in-process store: intake, reading, unmasking, with their
//! authorization and audit entries.

mod common;

use frontline_app::AppError;
use frontline_core::incident::IncidentInput;

fn theft() -> IncidentInput {
    IncidentInput {
        reported_at: Some("2026-11-22T10:00:00+08:00".into()),
        category: Some("criminal.theft".into()),
        address: Some("人民路12号附近".into()),
        caller_name: Some("王某".into()),
        caller_phone: Some("13800138000".into()),
        caller_id_number: Some("610921199001011234".into()),
        narrative: Some("报警人称其手机被盗。".into()),
        ..IncidentInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_is_audited_and_scoped_to_the_station() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let seq = e.audit_seq().await;

    let row = e.app.create_incident(&desk1, &theft()).await.unwrap();
    assert_eq!(
        row.unit_id, desk1.unit_id,
        "filed for the officer's own station"
    );
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "one write, one entry: {audit:?}");
    assert_eq!(audit[0].action, "incident.create");
    assert_eq!(audit[0].object_id, row.id.to_string());
    assert_eq!(audit[0].actor, "s1.desk");

    assert_eq!(e.app.incident(&desk1, row.id).await.unwrap().id, row.id);
    // Another station's officer: the incident does not exist for them.
    assert!(matches!(
        e.app.incident(&desk2, row.id).await,
        Err(AppError::NotFound)
    ));
    // The view masks the caller's identifiers.
    let view = e.app.incident_view(&row, frontline_core::Lang::Zh);
    assert_eq!(view.caller.phone, "138****8000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_refuses_bad_input_and_roles_without_intake() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let custodian = e.actor("custodian").await;
    let seq = e.audit_seq().await;
    let bad = IncidentInput {
        category: None,
        caller_phone: Some("12345".into()),
        ..theft()
    };
    match e.app.create_incident(&desk, &bad).await {
        Err(AppError::Validation(errs)) => {
            let fields: Vec<&str> = errs.iter().map(|f| f.field.as_str()).collect();
            assert!(fields.contains(&"category"), "{fields:?}");
            assert!(fields.contains(&"caller.phone"), "{fields:?}");
        }
        other => panic!("expected validation errors, got {other:?}"),
    }
    assert!(matches!(
        e.app.create_incident(&custodian, &theft()).await,
        Err(AppError::Forbidden)
    ));
    assert!(
        e.audit_since(seq).await.is_empty(),
        "refusals write nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmask_needs_a_purpose_and_leaves_a_trace() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let row = e.app.create_incident(&desk1, &theft()).await.unwrap();
    let seq = e.audit_seq().await;

    assert!(matches!(
        e.app.unmask_caller(&desk1, row.id, " ").await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        e.app.unmask_caller(&desk2, row.id, "核实报警人身份").await,
        Err(AppError::NotFound)
    ));
    assert!(e.audit_since(seq).await.is_empty());

    let shown = e
        .app
        .unmask_caller(&desk1, row.id, "核实报警人身份")
        .await
        .unwrap();
    assert_eq!(shown.phone, "13800138000");
    assert_eq!(shown.id_number.as_deref(), Some("610921199001011234"));
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "incident.caller.unmask");
    assert_eq!(audit[0].purpose.as_deref(), Some("核实报警人身份"));
}

//! Incident use cases over an in-process store: intake, reading, listing, export and
//! unmasking, with their authorization and audit entries.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::AppError;
use frontline_app::incident::{IncidentRequest, ListQuery};
use frontline_core::FieldError;
use serde_json::{Value, json};

fn body() -> Value {
    json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "criminal.theft",
        "address": "人民路12号附近",
        "caller": {"name": "王某", "phone": "13800138000", "id_number": "610921199001011234"},
        "narrative": "报警人称其手机被盗。",
    })
}

fn theft() -> IncidentRequest {
    IncidentRequest::read(body()).unwrap()
}

fn with(patch: Value) -> IncidentRequest {
    let mut b = body();
    for (k, v) in patch.as_object().unwrap() {
        b[k] = v.clone();
    }
    IncidentRequest::read(b).unwrap()
}

fn field_errors(r: frontline_app::Result<impl std::fmt::Debug>) -> Vec<FieldError> {
    match r {
        Err(AppError::Validation(errs)) => errs,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn codes(errs: &[FieldError]) -> Vec<(&str, &str)> {
    errs.iter().map(|e| (e.field.as_str(), e.code)).collect()
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
    let street = e.actor("street1").await;
    let seq = e.audit_seq().await;
    let mut b = body();
    b["category"] = Value::Null;
    b["caller"]["phone"] = json!("12345");
    let bad = IncidentRequest::read(b).unwrap();
    let errs = field_errors(e.app.create_incident(&desk, &bad).await);
    let fields: Vec<&str> = errs.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"category"), "{fields:?}");
    assert!(fields.contains(&"caller.phone"), "{fields:?}");

    // Wrong types are reported on their paths, in place of "required".
    let errs = field_errors(
        e.app
            .create_incident(
                &desk,
                &with(json!({"narrative": 5, "caller": {"phone": 1}})),
            )
            .await,
    );
    let c = codes(&errs);
    assert!(c.contains(&("narrative", "type")), "{c:?}");
    assert!(c.contains(&("caller.phone", "type")), "{c:?}");
    assert!(c.contains(&("caller.name", "required")), "{c:?}");
    assert!(!c.contains(&("narrative", "required")), "{c:?}");
    let errs = field_errors(
        e.app
            .create_incident(&desk, &with(json!({"caller": "王某"})))
            .await,
    );
    assert!(codes(&errs).contains(&("caller", "type")));
    assert_eq!(
        IncidentRequest::read(json!(["x"])).unwrap_err()[0].zh,
        "请求体应为 JSON 对象"
    );

    for who in [&custodian, &street] {
        assert!(matches!(
            e.app.create_incident(who, &theft()).await,
            Err(AppError::Forbidden)
        ));
    }
    assert!(
        e.audit_since(seq).await.is_empty(),
        "refusals write nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_permitted_users_choose_another_unit_at_intake() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let command = e.actor("command").await;
    let s2 = desk2.unit_id.to_string();
    let seq = e.audit_seq().await;

    // A desk officer naming another station is refused on the field (API and page alike).
    let errs = field_errors(
        e.app
            .create_incident(&desk1, &with(json!({"unit_id": s2})))
            .await,
    );
    assert_eq!(codes(&errs), vec![("unit_id", "unit.not_permitted")]);
    assert_eq!(errs[0].zh, "无权为其他单位登记警情");
    assert!(e.audit_since(seq).await.is_empty());
    // Naming one's own station is no choice at all.
    let own = desk1.unit_id.to_string();
    let row = e
        .app
        .create_incident(&desk1, &with(json!({"unit_id": own})))
        .await
        .unwrap();
    assert_eq!(row.unit_id, desk1.unit_id);

    // The command centre chooses; without a choice it is asked for one.
    let row = e
        .app
        .create_incident(&command, &with(json!({"unit_id": s2})))
        .await
        .unwrap();
    assert_eq!(row.unit_id, desk2.unit_id);
    let errs = field_errors(e.app.create_incident(&command, &theft()).await);
    assert_eq!(codes(&errs), vec![("unit_id", "unit.required")]);
    let errs = field_errors(
        e.app
            .create_incident(&command, &with(json!({"unit_id": "nope"})))
            .await,
    );
    assert_eq!(codes(&errs), vec![("unit_id", "invalid")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_exports_stay_in_scope_and_refuse_roles_without_any() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let leader = e.actor("leader").await;
    let row = e.app.create_incident(&desk1, &theft()).await.unwrap();
    let all = ListQuery::default();

    let (rows, total, page, per_page) = e.app.list_incidents(&desk1, &all).await.unwrap();
    assert_eq!((total, page, per_page), (1, 1, 20));
    assert_eq!(rows[0].id, row.id);
    let (_, total, _, _) = e.app.list_incidents(&desk2, &all).await.unwrap();
    assert_eq!(total, 0, "another station sees none of S01's incidents");
    let (_, total, _, _) = e.app.list_incidents(&leader, &all).await.unwrap();
    assert_eq!(total, 1);

    // No incident scope at all: 403 for the list and the export, nothing audited.
    let seq = e.audit_seq().await;
    for who in ["street1", "custodian", "procuratorate"] {
        let a = e.actor(who).await;
        assert!(
            matches!(
                e.app.list_incidents(&a, &all).await,
                Err(AppError::Forbidden)
            ),
            "{who}"
        );
        assert!(
            matches!(
                e.app.export_incidents(&common::signed_in(&a), &all).await,
                Err(AppError::Forbidden)
            ),
            "{who}"
        );
        // A single incident outside scope stays "not found".
        assert!(matches!(
            e.app.incident(&a, row.id).await,
            Err(AppError::NotFound)
        ));
    }
    let logins = e.audit_since(seq).await;
    assert!(
        logins.iter().all(|r| r.action != "incident.export"),
        "{logins:?}"
    );

    // Every filter problem at once, with the codes of the API.
    let bad = ListQuery {
        from: Some("11/01/2026".into()),
        category: Some("nope".into()),
        page: Some("x".into()),
        per_page: Some("1000".into()),
        ..ListQuery::default()
    };
    let errs = field_errors(e.app.list_incidents(&desk1, &bad).await);
    let c = codes(&errs);
    for want in [
        ("from", "date.format"),
        ("category", "category.unknown"),
        ("page", "integer"),
        ("per_page", "per_page.range"),
    ] {
        assert!(c.contains(&want), "{want:?} missing in {c:?}");
    }

    // An export is audited with its filters and row count.
    let seq = e.audit_seq().await;
    let rows = e
        .app
        .export_incidents(&common::signed_in(&desk1), &all)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "incident.export");
    let rows = e
        .app
        .export_incidents(&common::signed_in(&desk2), &all)
        .await
        .unwrap();
    assert!(rows.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmask_needs_a_purpose_and_leaves_a_trace() {
    use frontline_app::incident::UnmaskRequest;
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let row = e.app.create_incident(&desk1, &theft()).await.unwrap();
    let seq = e.audit_seq().await;

    // No purpose, a body that is no object, a purpose that is not text or not listed
    // (free text, as accepted before, included), and junk beside `other`: refused.
    for (body, want) in [
        (json!({}), vec![("purpose", "purpose.required")]),
        (
            json!({"purpose": " "}),
            vec![("purpose", "purpose.required")],
        ),
        (json!(["callback"]), vec![("purpose", "purpose.required")]),
        (json!({"purpose": 5}), vec![("purpose", "purpose.unknown")]),
        (
            json!({"purpose": "\u{0}\u{0}"}),
            vec![("purpose", "purpose.unknown")],
        ),
        (
            json!({"purpose": "核实报警人身份"}),
            vec![("purpose", "purpose.unknown")],
        ),
        (
            json!({"purpose": "other"}),
            vec![("purpose_text", "required")],
        ),
        (
            json!({"purpose": "other", "purpose_text": ".."}),
            vec![("purpose_text", "purpose_text.not_meaningful")],
        ),
        (
            json!({"purpose": "other", "purpose_text": "\u{200b}aaaa\u{200b}"}),
            vec![("purpose_text", "purpose_text.not_meaningful")],
        ),
        (
            json!({"purpose": "callback", "purpose_text": "顺便核实身份"}),
            vec![("purpose_text", "purpose_text.not_expected")],
        ),
    ] {
        let r = UnmaskRequest::read(body.clone());
        let errs = field_errors(
            e.app
                .unmask_caller(&common::signed_in(&desk1), row.id, &r)
                .await,
        );
        assert_eq!(codes(&errs), want, "{body}");
    }
    assert!(matches!(
        e.app
            .unmask_caller(
                &common::signed_in(&desk2),
                row.id,
                &UnmaskRequest::listed("callback")
            )
            .await,
        Err(AppError::NotFound)
    ));
    assert!(e.audit_since(seq).await.is_empty());

    let shown = e
        .app
        .unmask_caller(
            &common::signed_in(&desk1),
            row.id,
            &UnmaskRequest::listed("callback"),
        )
        .await
        .unwrap();
    assert_eq!(shown.phone, "13800138000");
    assert_eq!(shown.id_number.as_deref(), Some("610921199001011234"));
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "incident.caller.unmask");
    assert_eq!(audit[0].purpose.as_deref(), Some("callback"));
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail, json!({"number": row.number}));

    // `other` with its text: the code in the purpose, the text in the detail.
    let seq = e.audit_seq().await;
    e.app
        .unmask_caller(
            &common::signed_in(&desk1),
            row.id,
            &UnmaskRequest::with_text("other", " 法院协查函要求核实 "),
        )
        .await
        .unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit[0].purpose.as_deref(), Some("other"));
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(
        detail,
        json!({"number": row.number, "purpose_text": "法院协查函要求核实"})
    );
}

/// Numbers typed into free text are masked in the view (list pages and the export build
/// it) by the fields' rules, and shown whole by the audited unmasking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifiers_in_free_text_are_masked_in_views_and_shown_by_unmasking() {
    use frontline_app::incident::UnmaskRequest;
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let narrative = "现场另一当事人电话１３９１２３４５６７８，身份证号110105 19491231 002X。";
    let row = e
        .app
        .create_incident(
            &desk1,
            &with(json!({"narrative": narrative, "address": "人民路12号（010-62345678）"})),
        )
        .await
        .unwrap();
    let view = e.app.incident_view(&row, frontline_core::Lang::Zh);
    assert_eq!(
        view.narrative,
        "现场另一当事人电话１３９****５６７８，身份证号110105 ******** 002X。"
    );
    assert_eq!(view.address, "人民路12号（010-****5678）");
    let seq = e.audit_seq().await;
    let shown = e
        .app
        .unmask_caller(
            &common::signed_in(&desk1),
            row.id,
            &UnmaskRequest::listed("evidence"),
        )
        .await
        .unwrap();
    assert_eq!(shown.narrative, narrative);
    assert_eq!(shown.address, "人民路12号（010-62345678）");
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].purpose.as_deref(), Some("evidence"));
}

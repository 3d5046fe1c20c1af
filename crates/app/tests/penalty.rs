//! Penalty discretion over an in-process store: the request contract, the rules of an
//! assessment, the engine's refusals in plain words, the catalog and the standards —
//! who may, what is refused, what is audited.
#![allow(clippy::unwrap_used, reason = "tests stop loudly")]
#![allow(clippy::indexing_slicing, clippy::panic, reason = "tests stop loudly")]

mod common;

use chrono::NaiveDate;
use frontline_app::AppError;
use frontline_app::penalty::{
    AssessBody, CatalogQuery, StandardUploadRequest, assess_inputs, parse_assess_request,
};
use frontline_core::FieldError;
use frontline_core::penalty::Engine;
use frontline_core::penalty::standard::DEFAULT_STANDARD_TOML;
use serde_json::{Value, json};

fn body(v: Value) -> AssessBody {
    AssessBody::read(v)
}

fn fields(errs: &[FieldError]) -> Vec<String> {
    errs.iter()
        .map(|e| format!("{}:{}", e.field, e.code))
        .collect()
}

fn validation(r: Result<impl std::fmt::Debug, AppError>) -> Vec<FieldError> {
    match r {
        Err(AppError::Validation(e)) => e,
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn request_51() -> Value {
    json!({ "article": "51", "tier": "base", "person": { "age": 35 }, "offence_date": "2026-03-01" })
}

#[test]
fn the_contract_reports_every_problem_at_once_on_its_path() {
    let errs = body(json!({
        "article": true, "item": "x", "situation": 5, "tier": "worst",
        "circumstances": ["ok", 3, " "], "person": { "age": "abc", "foreigner": 1, "name": "张三" },
        "offence_date": 20260301, "discovered_date": "2026/03/01", "illegal_gains_yuan": -5,
        "extra": 1
    }))
    .check()
    .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec![
            "extra:unknown_field",
            "article:article.format",
            "item:integer.range",
            "situation:string",
            "tier:tier.unknown",
            "circumstances.1:string",
            "circumstances.2:string",
            "person.name:unknown_field",
            "person.age:integer.range",
            "person.foreigner:boolean",
            "offence_date:string",
            "discovered_date:date.format",
            "illegal_gains_yuan:integer.range",
        ]
    );
    // The messages are the ones the API has always given.
    let age = errs.iter().find(|e| e.field == "person.age").unwrap();
    assert_eq!(age.zh, "应为 0 到 120 之间的整数");
    assert_eq!(age.en, "Must be a whole number from 0 to 120");
    let unknown = errs.iter().find(|e| e.field == "person.name").unwrap();
    assert_eq!(unknown.zh, "未知字段「person.name」");

    // Numbers as text, trimmed codes, duplicates dropped.
    let (inputs, many) = body(json!({
        "article": 51, "item": "1", "circumstances": [" first_violation", "first_violation"],
        "person": { "age": "17", "first_offence": false }, "offence_date": " 2026-03-01 ",
        "illegal_gains_yuan": "300"
    }))
    .check()
    .unwrap();
    assert!(!many);
    let i = &inputs[0];
    assert_eq!(i.article, "51");
    assert_eq!(i.item, Some(1));
    assert_eq!(i.circumstances, vec!["first_violation".to_string()]);
    assert_eq!((i.person.age, i.person.first_offence), (17, Some(false)));
    assert_eq!(i.illegal_gains_yuan, Some(300));
}

#[test]
fn a_missing_or_blank_field_is_required_and_never_read_as_zero() {
    let errs = body(json!({ "article": "51" })).check().unwrap_err();
    assert_eq!(
        fields(&errs),
        vec!["person.age:required", "offence_date:required"]
    );
    let errs = body(json!({ "article": " ", "person": null, "offence_date": null }))
        .check()
        .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec![
            "article:required",
            "person.age:required",
            "offence_date:required"
        ]
    );
    // A blank age is no age (not 0, a child under 14), a blank date no date.
    let errs = body(json!({ "article": "51", "person": { "age": "" }, "offence_date": "" }))
        .check()
        .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec!["person.age:required", "offence_date:required"]
    );
    let errs = body(json!({ "article": "51", "person": 3, "offence_date": "2026-03-01" }))
        .check()
        .unwrap_err();
    assert_eq!(fields(&errs), vec!["person:object"]);
}

#[test]
fn an_array_names_the_index_and_a_body_that_is_no_object_says_so() {
    let errs = body(json!([request_51(), 1, { "article": "51", "person": { "age": 300 } }]))
        .check()
        .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec![
            "1:body.object",
            "2.person.age:integer.range",
            "2.offence_date:required"
        ]
    );
    assert_eq!(
        fields(&body(json!("x")).check().unwrap_err()),
        vec![":body.object"]
    );
    let (inputs, many) = body(json!([request_51()])).check().unwrap();
    assert!(many && inputs.len() == 1);
    // The shorthand reads the same contract.
    assert_eq!(
        parse_assess_request(&request_51()).unwrap(),
        inputs[0].clone()
    );
    assert_eq!(
        fields(&parse_assess_request(&json!([1])).unwrap_err()),
        vec![":body.object"]
    );
}

#[test]
fn the_rules_hold_without_a_store_as_the_cli_applies_them() {
    let engine = Engine::builtin().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let (one, _) = body(request_51()).check().unwrap();
    assert_eq!(
        fields(&assess_inputs(&engine, &[], true, today).unwrap_err()),
        vec![":violations.count"]
    );
    let many = vec![one[0].clone(); 21];
    assert_eq!(
        fields(&assess_inputs(&engine, &many, true, today).unwrap_err()),
        vec![":violations.count"]
    );
    let mut late = one[0].clone();
    late.offence_date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    assert_eq!(
        fields(&assess_inputs(&engine, &[one[0].clone(), late], true, today).unwrap_err()),
        vec!["1.offence_date:date.future"]
    );
    assert_eq!(assess_inputs(&engine, &one, false, today).unwrap().len(), 1);
}

#[test]
fn engine_refusals_carry_their_reason_in_both_languages_and_the_range_from_core() {
    let engine = Engine::builtin().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let (unknown, _) =
        body(json!({ "article": "999", "person": { "age": 30 }, "offence_date": "2026-03-01" }))
            .check()
            .unwrap();
    let e = &assess_inputs(&engine, &unknown, false, today).unwrap_err()[0];
    assert_eq!((e.field.as_str(), e.code), ("article", "unknown_violation"));
    assert_eq!(
        e.zh,
        "没有「999」这一条文或违法行为代码（2025年修订版条文号为第26条至第89条）"
    );
    assert_eq!(
        e.en,
        "No article or violation code “999” (2025 numbering: articles 26–89)"
    );
    // A reason the engine words itself is read as data, each language on its own.
    let (early, _) = body(json!({
        "article": "51", "person": { "age": 30 }, "offence_date": "2026-03-01",
        "decision_date": "2026-02-01"
    }))
    .check()
    .unwrap();
    let e = &assess_inputs(&engine, &early, false, today).unwrap_err()[0];
    assert_eq!(e.field, "decision_date");
    assert_eq!(e.zh, "决定日期早于行为日期");
    assert_eq!(e.en, "decision_date is before offence_date");
    let (not_here, _) =
        body(json!({ "article": "60", "person": { "age": 15 }, "offence_date": "2026-02-01" }))
            .check()
            .unwrap();
    let e = &assess_inputs(&engine, &not_here, false, today).unwrap_err()[0];
    assert_eq!(e.code, "not_assessable");
    assert!(
        e.zh.starts_with("违法行为 ") && !e.zh.contains(" / "),
        "{}",
        e.zh
    );
    assert!(
        e.en.starts_with("Violation ") && !e.en.contains(" / "),
        "{}",
        e.en
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_is_audited_per_violation_and_answered_as_the_engine_answers() {
    let e = common::start().await;
    let officer = e.actor("s1.investigator").await;
    let engine = Engine::builtin().unwrap();

    let seq = e.audit_seq().await;
    let answer = e
        .app
        .assess_request(&officer, &body(request_51()))
        .await
        .unwrap();
    let want = engine
        .assess(&serde_json::from_value(request_51()).unwrap())
        .unwrap();
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        serde_json::to_value(&want).unwrap()
    );
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "penalty.assess");
    assert_eq!(audit[0].object_id, "51-1");
    assert!(!audit[0].detail.contains("age"), "{}", audit[0].detail);

    // An array: each assessment and their combination; one entry per violation.
    let seq = e.audit_seq().await;
    let answer = e
        .app
        .assess_request(&officer, &body(json!([request_51(), request_51()])))
        .await
        .unwrap();
    let v = serde_json::to_value(&answer).unwrap();
    assert_eq!(v["assessments"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["combined"]["explain"][0]["rule"], "combine");
    assert_eq!(e.audit_since(seq).await.len(), 2);

    // A refused request leaves no trace, even when only one of the array is wrong.
    let seq = e.audit_seq().await;
    let future = json!({ "article": "51", "person": { "age": 30 }, "offence_date": "2026-12-01" });
    let errs = validation(
        e.app
            .assess_request(&officer, &body(json!([request_51(), future])))
            .await,
    );
    assert_eq!(fields(&errs), vec!["1.offence_date:date.future"]);
    let errs = validation(e.app.assess_request(&officer, &body(json!([]))).await);
    assert_eq!(fields(&errs), vec![":violations.count"]);
    assert!(e.audit_since(seq).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_assess_and_read_the_catalog() {
    let e = common::start().await;
    for user in ["custodian", "street1", "s1.community"] {
        let a = e.actor(user).await;
        let seq = e.audit_seq().await;
        assert!(
            matches!(
                e.app.assess_request(&a, &body(request_51())).await,
                Err(AppError::Forbidden)
            ),
            "{user}"
        );
        assert!(
            matches!(
                e.app.penalty_catalog(&a, &CatalogQuery::default()).await,
                Err(AppError::Forbidden)
            ),
            "{user}"
        );
        assert!(e.audit_since(seq).await.is_empty(), "{user}");
    }
    // Another station's officer assesses the same way: an assessment touches no record.
    for user in ["s1.investigator", "s2.investigator", "legal"] {
        let a = e.actor(user).await;
        assert!(
            e.app.assess_request(&a, &body(request_51())).await.is_ok(),
            "{user}"
        );
    }
    // The catalog says where the articles are when asked for one it lacks.
    let legal = e.actor("legal").await;
    let q = CatalogQuery {
        q: None,
        article: Some("12".into()),
    };
    let errs = validation(e.app.penalty_catalog(&legal, &q).await);
    assert_eq!(fields(&errs), vec!["article:unknown_violation"]);
    assert_eq!(errs[0].zh, "没有第12条（2025年修订版为第26条至第89条）");
    assert_eq!(errs[0].en, "No article 12 (2025 numbering: articles 26–89)");
    let q = CatalogQuery {
        q: None,
        article: Some("第51条".into()),
    };
    let cat = e.app.penalty_catalog(&legal, &q).await.unwrap();
    assert_eq!(cat.articles.len(), 1);
}

fn upload(v: Value) -> StandardUploadRequest {
    StandardUploadRequest::read(v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standards_are_for_administrators_refused_with_their_line_and_audited() {
    let e = common::start().await;
    let admin = e.actor("admin").await;
    for user in ["s1.chief", "s2.investigator", "legal", "leader"] {
        let a = e.actor(user).await;
        let seq = e.audit_seq().await;
        assert!(matches!(
            e.app.list_standards(&a).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app
                .upload_standard_request(&a, &upload(json!({ "text": DEFAULT_STANDARD_TOML })))
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app.activate_standard(&a, uuid::Uuid::now_v7()).await,
            Err(AppError::Forbidden)
        ));
        assert!(e.audit_since(seq).await.is_empty(), "{user}");
    }

    // The body's contract: text is required, name optional; one error as always.
    let seq = e.audit_seq().await;
    for v in [
        json!({}),
        json!({ "text": 5 }),
        json!({ "name": 1, "text": "x" }),
        json!([1]),
    ] {
        let errs = validation(
            e.app
                .upload_standard_request(&admin, &upload(v.clone()))
                .await,
        );
        assert_eq!(fields(&errs), vec!["text:required"], "{v}");
        assert_eq!(errs[0].zh, "请提供 text（裁量基准 TOML 文本），name 可选");
    }
    let errs = validation(
        e.app
            .upload_standard_request(&admin, &upload(json!({ "text": "  " })))
            .await,
    );
    assert_eq!(errs[0].zh, "请粘贴或选择裁量基准文件（TOML）");
    // A standard that leaves the statute names its line.
    let bad =
        DEFAULT_STANDARD_TOML.replacen("fine_yuan = [500, 1000]", "fine_yuan = [500, 99999]", 1);
    let errs = validation(
        e.app
            .upload_standard_request(&admin, &upload(json!({ "text": bad })))
            .await,
    );
    assert_eq!(fields(&errs), vec!["text:standard.invalid"]);
    assert!(errs[0].zh.starts_with("第 "), "{}", errs[0].zh);
    assert!(errs[0].en.starts_with("line "), "{}", errs[0].en);
    assert!(e.audit_since(seq).await.is_empty());

    // A valid one: stored as a draft (audited), then activated (audited).
    let up = e
        .app
        .upload_standard_request(
            &admin,
            &upload(json!({ "name": "试行", "text": DEFAULT_STANDARD_TOML })),
        )
        .await
        .unwrap();
    assert_eq!(up.standard.name, "试行");
    assert!(!up.standard.active);
    let act = e
        .app
        .activate_standard(&admin, up.standard.id)
        .await
        .unwrap();
    assert!(act.active && act.in_use);
    let actions: Vec<String> = e
        .audit_since(seq)
        .await
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        vec!["penalty.standard.upload", "penalty.standard.activate"]
    );
    let list = e.app.list_standards(&admin).await.unwrap();
    assert_eq!(list.in_use.id, Some(up.standard.id));
}

/// Hardening defect 2: the request's texts go through core's normaliser.
#[test]
fn control_and_bidi_characters_in_penalty_texts_are_field_errors() {
    let errs = body(json!({
        "article": "51\u{0000}", "situation": "a\u{202e}b", "tier": "base\u{0007}",
        "circumstances": ["x\u{2066}"], "person": { "age": 35 }, "offence_date": "2026-03-01\u{0000}"
    }))
    .check()
    .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec![
            "article:text.control",
            "situation:text.bidi",
            "tier:text.control",
            "circumstances.0:text.bidi",
            "offence_date:text.control",
        ]
    );
    // Invisible characters alone are blank: a required field is `required`.
    let errs = body(json!({
        "article": "\u{200b}\u{200b}", "person": { "age": 35 }, "offence_date": "\u{feff}"
    }))
    .check()
    .unwrap_err();
    assert_eq!(
        fields(&errs),
        vec!["article:required", "offence_date:required"]
    );
    // Invisible ends are trimmed from what is read.
    let ok = body(json!({
        "article": "\u{200b}51", "tier": "base\u{200b}", "person": { "age": 35 },
        "offence_date": "\u{feff}2026-03-01"
    }))
    .check()
    .unwrap();
    assert_eq!(ok.0[0].article, "51");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_upload_with_a_control_character_is_refused() {
    let e = common::start().await;
    let admin = e.actor("admin").await;
    let seq = e.audit_seq().await;
    let nul = format!("{DEFAULT_STANDARD_TOML}\n# \u{0000}\n");
    let errs = validation(
        e.app
            .upload_standard_request(
                &admin,
                &upload(json!({ "name": "试行\u{202e}", "text": nul })),
            )
            .await,
    );
    assert_eq!(fields(&errs), vec!["name:text.bidi", "text:text.control"]);
    assert!(e.audit_since(seq).await.is_empty());
}

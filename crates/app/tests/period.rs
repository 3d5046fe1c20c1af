//! Legal periods over an in-process store: the calculator's one contract and check, the
//! rule catalog and the holiday calendars: who may, what is refused, what is audited.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use frontline_app::AppError;
use frontline_app::period::{
    CalendarUploadRequest, DeadlineRequest, LoadedCalendars, calendar_list, compute, load_rules,
};
use frontline_core::Lang;
use frontline_core::request::Given;
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

fn question(start: &str, period: &str) -> DeadlineRequest {
    DeadlineRequest {
        start: start.to_string().into(),
        period: period.to_string().into(),
        ..DeadlineRequest::default()
    }
}

/// The (field, code) pairs of a refusal, in order.
fn refused<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<(String, &'static str)> {
    match r {
        Err(AppError::Validation(errs)) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn check(body: serde_json::Value) -> Vec<(String, &'static str)> {
    refused(DeadlineRequest::from_json(body).and_then(|r| r.check()))
}

fn pairs(want: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    want.iter().map(|(f, c)| (f.to_string(), *c)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_compute_is_not_audited_and_checks_its_input() {
    let e = common::start().await;
    let legal = e.actor("legal").await;
    let seq = e.audit_seq().await;
    let q = question("2026-09-30T10:00", "1d");
    let c = e.app.compute_deadline(&legal, &q).await.unwrap();
    let answer = c.view(Lang::En);
    // 1 day from 30 September ends on the National Day holiday, so it rolls over.
    assert_eq!(answer.due, "2026-10-09T00:00:00+08:00");
    assert!(answer.explain.iter().any(|s| s.kind == "roll_over"));
    assert!(
        e.audit_since(seq).await.is_empty(),
        "a computation writes nothing"
    );

    let bad = question("2026-09-30T10:00", "soon");
    assert_eq!(
        refused(e.app.compute_deadline(&legal, &bad).await),
        pairs(&[("period", "period.format")])
    );
    // Roles without the calculator are refused before the question is looked at.
    for user in ["street1", "s1.community"] {
        let who = e.actor(user).await;
        assert!(matches!(
            e.app.compute_deadline(&who, &q).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app.compute_deadline(&who, &bad).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app.deadline_rules(&who, Lang::Zh),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            e.app.calendars(&who, Lang::Zh).await,
            Err(AppError::Forbidden)
        ));
    }
}

#[test]
fn the_check_reports_every_problem_at_once() {
    // Unknown keys, then wrong types, then what the values say.
    assert_eq!(
        check(json!({ "start": 5, "period": "1d", "custody": "yes", "extra": 1 })),
        pairs(&[
            ("extra", "unknown_field"),
            ("start", "string"),
            ("custody", "boolean")
        ])
    );
    assert_eq!(
        check(json!({ "start": "30/09/2026", "period": "1w", "provisional": 1, "b": 0, "a": 0 })),
        pairs(&[
            ("a", "unknown_field"),
            ("b", "unknown_field"),
            ("provisional", "boolean"),
            ("start", "datetime.format"),
            ("period", "period.format"),
        ])
    );
    // A period of the wrong type is not also missing.
    assert_eq!(
        check(json!({ "start": "2026-09-30T10:00", "period": 30 })),
        pairs(&[("period", "string")])
    );
    assert_eq!(
        check(json!({ "period": " ", "rule": "" })),
        pairs(&[("start", "required"), ("period", "required")])
    );
    assert_eq!(
        check(
            json!({ "start": "2026-09-30T10:00", "rule": "admin.case_handling", "custody": true, "working_days": true })
        ),
        pairs(&[
            ("custody", "rule.mode_fixed"),
            ("working_days", "rule.mode_fixed")
        ])
    );
    assert_eq!(
        check(json!({ "start": "2026-09-30T10:00", "period": "2m", "working_days": true })),
        pairs(&[("working_days", "working_days.unit")])
    );
    assert_eq!(check(json!([1])), pairs(&[("", "body.object")]));
    let e = DeadlineRequest::from_json(json!("x")).err();
    let Some(AppError::Validation(errs)) = e else {
        panic!("not an object");
    };
    assert_eq!(errs[0].en, "The body must be a JSON object");
    assert_eq!(errs[0].zh, "请求内容应为 JSON 对象");
    let errs =
        match DeadlineRequest::from_json(json!({ "start": 1, "x": 1 })).and_then(|r| r.check()) {
            Err(AppError::Validation(errs)) => errs,
            other => panic!("{other:?}"),
        };
    assert_eq!(
        (errs[0].zh.as_str(), errs[0].en.as_str()),
        ("未知字段「x」", "Unknown field “x”")
    );
    assert_eq!(
        (errs[1].zh.as_str(), errs[1].en.as_str()),
        ("应为字符串", "Must be a string")
    );
}

#[test]
fn the_store_free_calculator_answers_as_the_app_does() {
    let loaded = LoadedCalendars::from_dir(None).unwrap();
    let rules = load_rules(None).unwrap();
    let c = compute(
        &question("2026-09-01T15:00:00+08:00", "30d"),
        &loaded.calendars,
        &rules,
    )
    .unwrap();
    let a = c.view(Lang::Zh);
    assert_eq!(a.due, "2026-10-09T00:00:00+08:00");
    let roll = a.explain.iter().find(|s| s.kind == "roll_over").unwrap();
    assert_eq!(roll.text, roll.zh);
    assert!(roll.zh.contains("国庆节") && roll.en.contains("National Day"));

    let by_rule = DeadlineRequest {
        start: "2026-03-02T09:00:00+08:00".to_string().into(),
        rule: "admin.case_handling".to_string().into(),
        ..DeadlineRequest::default()
    };
    let a = compute(&by_rule, &loaded.calendars, &rules)
        .unwrap()
        .view(Lang::En);
    assert_eq!(
        a.rule.map(|r| r.code).as_deref(),
        Some("admin.case_handling")
    );
    assert_eq!(a.warn_at.len(), 3);
    let unknown = DeadlineRequest {
        rule: "no.such_rule".to_string().into(),
        ..by_rule.clone()
    };
    assert_eq!(
        refused(compute(&unknown, &loaded.calendars, &rules)),
        pairs(&[("rule", "rule.unknown")])
    );
    let immediate = DeadlineRequest {
        rule: "admin.file".to_string().into(),
        ..by_rule
    };
    assert_eq!(
        refused(compute(&immediate, &loaded.calendars, &rules)),
        pairs(&[("rule", "rule.immediate")])
    );
    // A year without a calendar: refused on `start`, unless a provisional answer is asked for.
    let late = question("2026-12-31T10:00:00+08:00", "2d");
    assert_eq!(
        refused(compute(&late, &loaded.calendars, &rules)),
        pairs(&[("start", "calendar.unknown")])
    );
    let provisional = DeadlineRequest {
        provisional: true.into(),
        ..late
    };
    let a = compute(&provisional, &loaded.calendars, &rules)
        .unwrap()
        .view(Lang::Zh);
    assert!(a.provisional);
    let list = calendar_list(&loaded, Lang::Zh);
    let years: Vec<i32> = list.years.iter().map(|y| y.year).collect();
    assert_eq!(years, [2025, 2026]);
    assert!(list.years.iter().all(|y| y.origin == "builtin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_upload_is_for_administrators_validated_and_audited() {
    let e = common::start().await;
    let admin = e.actor("admin").await;
    let legal = e.actor("legal").await;
    let seq = e.audit_seq().await;
    let good = CalendarUploadRequest::new(CAL_2027);
    for user in ["legal", "street1", "leader", "s1.chief"] {
        let who = e.actor(user).await;
        assert!(
            matches!(
                e.app.upload_calendar(&who, &good, Lang::En).await,
                Err(AppError::Forbidden)
            ),
            "{user}"
        );
    }
    let syntax = CalendarUploadRequest::new("year = 2027\n[[holiday]\n");
    assert_eq!(
        refused(e.app.upload_calendar(&admin, &syntax, Lang::En).await),
        pairs(&[("text", "calendar.invalid")])
    );
    // The line of a refused key comes from the check, not from its message.
    let no_name = CalendarUploadRequest::new(CAL_2027.replace("New Year's Day", ""));
    match e.app.upload_calendar(&admin, &no_name, Lang::En).await {
        Err(AppError::Validation(errs)) => {
            assert_eq!(
                errs[0].en,
                "The calendar is invalid (line 6): holiday 元旦: name_en must not be empty"
            );
            assert_eq!(
                errs[0].zh,
                "日历文件有误（第 6 行）：holiday 元旦: name_en must not be empty"
            );
        }
        other => panic!("{other:?}"),
    }
    for (req, code) in [
        (CalendarUploadRequest::default(), "required"),
        (CalendarUploadRequest::new("  "), "required"),
        (CalendarUploadRequest { text: Given::Wrong }, "string"),
        (CalendarUploadRequest::from_json(json!([1])), "required"),
        (
            CalendarUploadRequest::from_json(json!({ "text": 5 })),
            "string",
        ),
        (
            CalendarUploadRequest::new("#".repeat(33 * 1024)),
            "too_large",
        ),
    ] {
        assert_eq!(
            refused(e.app.upload_calendar(&admin, &req, Lang::En).await),
            pairs(&[("text", code)]),
            "{code}"
        );
    }
    assert!(
        e.audit_since(seq)
            .await
            .iter()
            .all(|a| a.action != "calendar.upload"),
        "refusals write nothing"
    );
    assert!(e.app.store.list_calendars().await.unwrap().is_empty());

    let q = question("2027-03-01T10:00", "1d");
    assert_eq!(
        refused(e.app.compute_deadline(&legal, &q).await),
        pairs(&[("start", "calendar.unknown")])
    );
    let seq = e.audit_seq().await;
    let year = e
        .app
        .upload_calendar(
            &admin,
            &CalendarUploadRequest::from_json(json!({ "text": CAL_2027, "note": "ignored" })),
            Lang::En,
        )
        .await
        .unwrap();
    assert_eq!((year.year, year.origin.as_str()), (2027, "upload"));
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "calendar.upload");
    assert_eq!(audit[0].object_id, "2027");
    assert_eq!(audit[0].actor, "admin");
    // Used at once by this instance, and listed as uploaded.
    e.app.compute_deadline(&legal, &q).await.unwrap();
    let list = e.app.calendars(&legal, Lang::Zh).await.unwrap();
    let last = list.years.last().unwrap();
    assert_eq!((last.year, last.origin.as_str()), (2027, "upload"));
}

/// Hardening defect 2: the calculator's strings and an uploaded calendar go through
/// core's normaliser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_and_bidi_characters_in_deadline_texts_are_field_errors() {
    assert_eq!(
        check(json!({ "start": "2026-09-30T10:00\u{0000}", "period": "30d" })),
        pairs(&[("start", "text.control")])
    );
    assert_eq!(
        check(json!({ "start": "2026-09-30T10:00", "period": "3\u{202e}0d" })),
        pairs(&[("period", "text.bidi")])
    );
    assert_eq!(
        check(json!({ "start": "2026-09-30T10:00", "rule": "x\u{0007}" })),
        pairs(&[("rule", "text.control")])
    );
    assert_eq!(
        check(json!({ "start": "\u{200b}\u{200b}", "period": "30d" })),
        pairs(&[("start", "required")])
    );
    // Invisible ends are trimmed before the value is read.
    let q = DeadlineRequest::from_json(
        json!({ "start": "\u{feff}2026-09-30T10:00", "period": "30d\u{200b}" }),
    )
    .and_then(|r| r.check());
    assert!(q.is_ok(), "{q:?}");

    let e = common::start().await;
    let admin = e.actor("admin").await;
    let seq = e.audit_seq().await;
    for (text, code) in [
        (format!("{CAL_2027}\n# \u{0000}\n"), "text.control"),
        (format!("# \u{202e}\n{CAL_2027}"), "text.bidi"),
        ("\u{feff}\u{200b}\n".to_string(), "required"),
    ] {
        let req = CalendarUploadRequest::new(text);
        assert_eq!(
            refused(e.app.upload_calendar(&admin, &req, Lang::En).await),
            pairs(&[("text", code)]),
            "{code}"
        );
    }
    assert!(e.audit_since(seq).await.is_empty());
    assert!(e.app.store.list_calendars().await.unwrap().is_empty());
}

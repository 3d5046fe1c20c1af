//! Issue 10, cases: `POST /api/v1/cases`, `GET /api/v1/cases/{id}`, the transitions
//! with their 409s, the deadline board, bad input as field errors that change nothing,
//! and what another station's user and a partner see. Runs on SQLite and (in CI) on
//! PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use reqwest::StatusCode;
use serde_json::{Value, json};

fn fight() -> Value {
    json!({
        "kind": "administrative",
        "title": "张某殴打他人案",
        "summary": "张某因停车纠纷殴打李某（身份证号610921199001011234），致其轻微伤。",
        "parties": [{"role": "victim", "name": "李某", "phone": "13800138000", "consent": true}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_step_and_read_with_deadlines_and_timeline() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let chief = s.login("s1.chief").await;
    let (st, v) = s.post(&officer, "/api/v1/cases", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["version"], 1);
    assert_eq!(v["query_code"].as_str().unwrap().len(), 10);
    assert_eq!(v["deadlines"][0]["rule"], "admin.case_handling");
    assert_eq!(v["deadlines"][0]["state"], "running");
    assert!(
        v["deadlines"][0]["due_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert!(v["deadlines"][0]["warn_at"].is_string());
    // Identifiers in the summary are masked, the victim's phone too.
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .contains("610921********1234"),
        "{v}"
    );
    assert_eq!(v["parties"][0]["phone"], "138****8000");

    let path = format!("/api/v1/cases/{id}/transitions");
    let (st, v) = s
        .post(
            &officer,
            &path,
            &json!({"action": "investigate", "version": 1}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 2);
    // The contract's 409s.
    let (st, v) = s
        .post(&chief, &path, &json!({"action": "close", "version": 2}))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["code"], "case.transition_not_allowed", "{v}");
    let (st, v) = s
        .post(
            &chief,
            &path,
            &json!({"action": "decide", "version": 1,
            "outcome": "exempt", "note": "情节特别轻微"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["code"], "conflict.stale_version", "{v}");
    let (st, v) = s
        .post(
            &chief,
            &path,
            &json!({"action": "decide", "version": 2,
            "outcome": "exempt", "note": "情节特别轻微，不予处罚"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "exempt");
    assert_eq!(v["deadlines"][0]["state"], "met");

    let (st, v) = s.get(&chief, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(v["timeline"][2]["step"], "decide");
    assert_eq!(v["steps"][0]["action"], "close");

    let (st, v) = s
        .get(&chief, "/api/v1/cases?kind=administrative&open=true")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    let (st, v) = s.get(&chief, "/api/v1/deadlines?state=met").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["items"][0]["case_id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_field_error_that_changes_nothing() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let before = s.audit_seq().await;
    let (st, v) = s
        .post(
            &officer,
            "/api/v1/cases",
            &json!({"kind": "civil", "title": "", "x": 1,
            "parties": [{"role": "victim", "name": "李某", "id_number": "110101199003070000"}]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["x", "kind", "title", "summary", "parties[0].id_number"] {
        assert!(fields.contains(&f), "{f} in {v}");
    }
    let (st, _) = s.post(&officer, "/api/v1/cases", &json!([1, 2])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.audit_seq().await, before, "nothing written");
    let (st, v) = s.get(&officer, "/api/v1/cases?colour=red").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = s.get(&officer, "/api/v1/deadlines?state=soon").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = s.get(&officer, "/api/v1/cases?status=flying").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_station_and_partners_cannot_see_or_change() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let (st, v) = s.post(&officer, "/api/v1/cases", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    for who in ["s2.investigator", "s2.chief", "street1", "procuratorate"] {
        let t = s.login(who).await;
        let (st, _) = s.get(&t, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{who}");
        let (st, _) = s
            .post(
                &t,
                &format!("/api/v1/cases/{id}/transitions"),
                &json!({"action": "investigate", "version": 1}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{who}");
        let (st, v) = s.get(&t, "/api/v1/cases").await;
        if st == StatusCode::OK {
            assert_eq!(v["total"], 0, "{who}: {v}");
        } else {
            assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        }
        let (st, v) = s.get(&t, "/api/v1/deadlines").await;
        if st == StatusCode::OK {
            assert_eq!(v["running"], 0, "{who}: {v}");
        } else {
            assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        }
    }
    let street = s.login("street1").await;
    let (st, _) = s.post(&street, "/api/v1/cases", &fight()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_status_answers_three_things_and_throttles_guessing() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let (st, v) = s.post(&officer, "/api/v1/cases", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let code = v["query_code"].as_str().unwrap().to_string();
    let client = reqwest::Client::new();
    let ask = |body: Value| {
        let client = client.clone();
        let url = s.url("/api/public/v1/case-status");
        async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            let st = r.status();
            (st, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // No sign-in needed; spaces and lower case are forgiven.
    let spaced = format!("{} {}", &code[..5], code[5..].to_lowercase());
    let (st, v) = ask(json!({"query_code": spaced, "phone_last4": "8000"})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec!["officer_badge", "stage", "stage_name", "unit_name"],
        "nothing else"
    );
    assert_eq!(v["stage"], "accepted");
    assert_eq!(v["unit_name"], "城关派出所");
    // Wrong digits and a wrong code read the same.
    let (st1, wrong_digits) = ask(json!({"query_code": code, "phone_last4": "1234"})).await;
    let other = if code.starts_with('2') {
        "3333333333"
    } else {
        "2222222222"
    };
    let (st2, wrong_code) = ask(json!({"query_code": other, "phone_last4": "8000"})).await;
    assert_eq!(
        (st1, st2),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY
        )
    );
    assert_eq!(wrong_digits, wrong_code, "no hint which was wrong");
    assert_eq!(wrong_code["errors"][0]["code"], "case_status.no_match");
    let (st, v) = ask(json!({"query_code": "!!", "phone_last4": "80"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Guessing one code: after five failures it is refused for a while, even with the
    // right digits.
    for _ in 0..4 {
        ask(json!({"query_code": code, "phone_last4": "0000"})).await;
    }
    let (st, v) = ask(json!({"query_code": code, "phone_last4": "8000"})).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_is_approved_or_refused_on_its_field() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let chief = s.login("s1.chief").await;
    let (_, v) = s.post(&officer, "/api/v1/cases", &fight()).await;
    let deadline = v["deadlines"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(v["deadlines"][0]["extensions"][0]["times"], 2, "{v}");
    let path = format!("/api/v1/deadlines/{deadline}/extensions");
    let before = s.audit_seq().await;
    let (st, v) = s
        .post(&chief, &path, &json!({"extension": 1, "version": 1}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "approver");
    let (st, _) = s
        .post(
            &officer,
            &path,
            &json!({"extension": 1, "version": 1, "approver": "王局长"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the officer does not approve");
    assert_eq!(s.audit_seq().await, before, "nothing changed");
    let (st, v) = s
        .post(
            &chief,
            &path,
            &json!({"extension": 1, "version": 1, "approver": "青禾县公安局 王局长"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["deadlines"][0]["extensions"][0]["used"], 1);
    let (st, v) = s
        .post(
            &chief,
            &path,
            &json!({"extension": 1, "version": 1, "approver": "王局长"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["code"], "conflict.stale_version");
}

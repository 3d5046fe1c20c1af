//! Issue 9, callbacks and the daily review over HTTP: the contract's paths, field-level
//! errors in both languages, the 409s, and what another station and a partner get.
//! Runs on SQLite and (in CI) on PostgreSQL.

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
use serde_json::json;

/// A closed theft at S01; returns (id, desk token).
async fn closed(s: &Server) -> (String, String) {
    let t = s.login("s1.desk").await;
    let body = json!({
        "category": "criminal.theft",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000" },
        "narrative": "报警人称电动车被盗。"
    });
    let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/incidents/{id}/transitions");
    let (st, v) = s
        .post(
            &t,
            &path,
            &json!({"action": "dispose", "version": 1, "note": "已登记"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .post(&t, &path, &json!({"action": "close", "version": 2}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["callback"]["status"], "due", "{v}");
    (id, t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_over_http_with_its_errors_and_scopes() {
    let s = start(50).await;
    let (id, t) = closed(&s).await;
    let (st, q) = s.get(&t, "/api/v1/callbacks").await;
    assert_eq!(st, StatusCode::OK, "{q}");
    assert!(
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    let (st, v) = s.get(&t, "/api/v1/callbacks?pag=2").await;
    assert_eq!(
        (st, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("pag".into(), "unknown_parameter".into())]
        )
    );

    let path = format!("/api/v1/incidents/{id}/callbacks");
    let seq = s.audit_seq().await;
    let (st, v) = s.post(&t, &path, &json!({"reached": true})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        fields(&v),
        [(
            "satisfaction".to_string(),
            "satisfaction.required".to_string()
        )]
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("满意度"),
        "{v}"
    );
    assert_eq!(s.audit_seq().await, seq, "nothing written");
    // Another station: the incident does not exist; a partner: no such thing either.
    for user in ["s2.desk", "street1"] {
        let other = s.login(user).await;
        let (st, v) = s.post(&other, &path, &json!({"reached": false})).await;
        assert!(
            st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
            "{user}: {st} {v}"
        );
        let (_, q) = s.get(&other, "/api/v1/callbacks").await;
        assert!(!q.to_string().contains(&id), "{user} sees nothing of it");
    }
    let (st, v) = s
        .post(
            &t,
            &path,
            &json!({"reached": true, "satisfaction": "basically_satisfied"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "done");
    assert_eq!(v["callbacks"][0]["satisfaction_name"], "基本满意");
    // Done: a second attempt is a conflict.
    let (st, v) = s.post(&t, &path, &json!({"reached": false})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["errors"][0]["code"], "callback.not_due", "{v}");
    let (_, d) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(d["callback_status"], "done");
    assert_eq!(d["satisfaction"], "basically_satisfied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_review_over_http() {
    let s = start(300).await;
    let chief = s.login("s1.chief").await;
    let (st, v) = s.get(&chief, "/api/v1/daily-review?date=2026-11-21").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["date"], "2026-11-21");
    assert_eq!(v["week_before"], "2026-11-14");
    assert_eq!(v["year_before"], "2025-11-21");
    assert_eq!(v["stations"].as_array().unwrap().len(), 1);
    let s2 = s.unit_id("S02").await;
    let (st, v) = s
        .get(&chief, &format!("/api/v1/daily-review?unit_id={s2}"))
        .await;
    assert_eq!(
        (st, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_id".into(), "unit.unknown".into())]
        )
    );
    let (st, _) = s
        .get(&s.login("street1").await, "/api/v1/daily-review")
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let cc = s.login("command").await;
    let (st, v) = s.get(&cc, "/api/v1/daily-review?date=2026-11-21").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["stations"].as_array().unwrap().len() > 1);
    assert_eq!(v["can_mark"], true);
    let (st, v) = s
        .post(
            &cc,
            "/api/v1/daily-review/marks",
            &json!({"date": "2026-11-21", "incident_id": "x", "note": "n"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        fields(&v),
        [
            ("incident_id".to_string(), "invalid".to_string()),
            ("note".to_string(), "required".to_string())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elements_are_suggested_and_nothing_is_stored() {
    let s = start(20).await;
    let t = s.login("s1.desk").await;
    let seq = s.audit_seq().await;
    let body = json!({
        "narrative": "报警人称今天上午9点在人民路被骗1.2万元，对方电话13912345678，身份证110105194912310021。",
        "reported_at": "2026-11-22T10:00:00+08:00"
    });
    let (st, v) = s.post(&t, "/api/v1/incidents/elements", &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let got: Vec<(String, String)> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().into(),
                e["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("time".to_string(), "2026-11-22T09:00:00+08:00".to_string()),
            ("amount".to_string(), "12000".to_string()),
            ("phone".to_string(), "13912345678".to_string()),
        ],
        "an ID number with a wrong check character is not offered"
    );
    assert_eq!(s.audit_seq().await, seq, "nothing stored, nothing audited");
    let (st, v) = s
        .post(
            &t,
            "/api/v1/incidents/elements",
            &json!({"reported_at": "x"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        [
            ("narrative".to_string(), "required".to_string()),
            ("reported_at".to_string(), "reported_at.format".to_string())
        ]
    );
    let (st, _) = s
        .post(
            &s.login("street1").await,
            "/api/v1/incidents/elements",
            &json!({"narrative": "x"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

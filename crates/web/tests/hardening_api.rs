//! Issue 8 (hardening), defects 6 and 8: authorization before the body on every write and
//! computation, `Cache-Control: no-store` on the API, unknown and repeated JSON keys
//! refused, years outside 1949–2200 refused. Each test names the request it replays.

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
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// Bodies that cannot be read, or not into any contract: not JSON, cut short, a repeated
/// key, not an object, wrong types.
const MALFORMED: [&str; 6] = [
    "not json",
    r#"{"a":"#,
    r#"{"a":1,"a":2}"#,
    r#""x""#,
    "[1,2]",
    r#"{"article":5,"person":{"age":"x"},"start":1,"text":7,"purpose":[],"category":{}}"#,
];

impl Server {
    /// POSTs raw bytes as JSON, in English; `(status, headers, body)`.
    async fn raw(&self, token: &str, path: &str, body: &str) -> (StatusCode, HeaderMap, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("accept-language", "en")
            .body(body.to_string())
            .send()
            .await
            .expect("post");
        let (s, h) = (r.status(), r.headers().clone());
        (s, h, r.json().await.unwrap_or(Value::Null))
    }

    /// Every malformed body from `user` to `path` gets `want`, and nothing is audited.
    async fn refused_before_the_body(&self, user: &str, path: &str, want: StatusCode) {
        let t = self.login(user).await;
        let seq = self.audit_seq().await;
        for b in MALFORMED {
            let (st, _, v) = self.raw(&t, path, b).await;
            assert_eq!(st, want, "{user} POST {path} {b}: {v}");
        }
        assert_eq!(self.audit_seq().await, seq, "{path}: nothing audited");
    }

    /// An incident of station 1 (from the demo).
    async fn s1_incident(&self) -> String {
        let t = self.login("s1.desk").await;
        let (st, v) = self.get(&t, "/api/v1/incidents?per_page=1").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        v["items"][0]["id"].as_str().expect("id").to_string()
    }
}

fn good_intake() -> Value {
    json!({
        "category": "criminal.theft",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000" },
        "narrative": "报警人称其电动自行车被盗。"
    })
}

// ---- defect 6: 401, then 403/404, then 400/413/422 ----

/// `POST /api/v1/incidents` as street1 with a malformed body: 403 (was 400/422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_intake_with_a_malformed_body_is_403() {
    let s = start(5).await;
    s.refused_before_the_body("street1", "/api/v1/incidents", StatusCode::FORBIDDEN)
        .await;
    // Who may file still hears about the body.
    let t = s.login("s1.desk").await;
    assert_eq!(
        s.raw(&t, "/api/v1/incidents", "not json").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.raw(&t, "/api/v1/incidents", "[1]").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// `POST /api/v1/incidents/{id}/caller/unmask` of station 1's incident by street1 and by
/// s2.desk with a malformed body: 404 (was 400/422), the same as for a missing incident.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmask_outside_ones_scope_with_a_malformed_body_is_404() {
    let s = start(5).await;
    let path = format!("/api/v1/incidents/{}/caller/unmask", s.s1_incident().await);
    s.refused_before_the_body("street1", &path, StatusCode::NOT_FOUND)
        .await;
    s.refused_before_the_body("s2.desk", &path, StatusCode::NOT_FOUND)
        .await;
    let t = s.login("s1.desk").await;
    assert_eq!(
        s.raw(&t, &path, "not json").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.raw(&t, &path, r#"{"purpose":1}"#).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// `POST /api/v1/penalty/assessments` as street1 with a bad body: 403 (was 422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_assessment_with_a_malformed_body_is_403() {
    let s = start(5).await;
    for user in ["street1", "custodian", "s1.community"] {
        s.refused_before_the_body(user, "/api/v1/penalty/assessments", StatusCode::FORBIDDEN)
            .await;
    }
    let t = s.login("s1.desk").await;
    assert_eq!(
        s.raw(&t, "/api/v1/penalty/assessments", r#"{"article":5}"#)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// `POST /api/v1/penalty/standards` as street1 and as legal (not administrators) with a
/// malformed body: 403 (was 400/422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_upload_without_the_action_is_403_whatever_the_body() {
    let s = start(5).await;
    for user in ["street1", "legal"] {
        s.refused_before_the_body(user, "/api/v1/penalty/standards", StatusCode::FORBIDDEN)
            .await;
    }
}

/// `POST /api/v1/penalty/standards/{id}/activate` as street1 with a body and an id that
/// is none: 403 before the id is looked at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_activation_without_the_action_is_403() {
    let s = start(5).await;
    for id in ["nope", &uuid::Uuid::now_v7().to_string()] {
        let path = format!("/api/v1/penalty/standards/{id}/activate");
        s.refused_before_the_body("street1", &path, StatusCode::FORBIDDEN)
            .await;
    }
}

/// `POST /api/v1/deadlines/compute` as street1 with a malformed body: 403 (was 400/422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_deadline_computation_with_a_malformed_body_is_403() {
    let s = start(5).await;
    s.refused_before_the_body(
        "street1",
        "/api/v1/deadlines/compute",
        StatusCode::FORBIDDEN,
    )
    .await;
    let t = s.login("legal").await;
    assert_eq!(
        s.raw(&t, "/api/v1/deadlines/compute", "[1]").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// `POST /api/v1/calendars` as street1 and legal with a malformed body: 403 (was 400).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_upload_without_the_action_is_403_whatever_the_body() {
    let s = start(5).await;
    for user in ["street1", "legal"] {
        s.refused_before_the_body(user, "/api/v1/calendars", StatusCode::FORBIDDEN)
            .await;
    }
}

/// An oversize body (> 64 KiB) to `POST /api/v1/incidents` from street1: 403, not 413.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_oversize_intake_is_403() {
    let s = start(5).await;
    let big = format!(r#"{{"narrative":"{}"}}"#, "x".repeat(70 * 1024));
    let t = s.login("street1").await;
    assert_eq!(
        s.raw(&t, "/api/v1/incidents", &big).await.0,
        StatusCode::FORBIDDEN
    );
    let t = s.login("s1.desk").await;
    assert_eq!(
        s.raw(&t, "/api/v1/incidents", &big).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

// ---- defect 8 ----

fn no_store(h: &HeaderMap, what: &str) {
    assert_eq!(
        h.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{what}"
    );
}

/// `GET /api/v1/me`, the incident list, one incident, the export and an unmask carry
/// `Cache-Control: no-store` (only the export did).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_personal_data_are_not_cached() {
    let s = start(5).await;
    let id = s.s1_incident().await;
    let t = s.login("s1.desk").await;
    for p in [
        "/api/v1/me".to_string(),
        "/api/v1/incidents".to_string(),
        format!("/api/v1/incidents/{id}"),
        "/api/v1/incidents/export".to_string(),
    ] {
        let r = s
            .http
            .get(s.url(&p))
            .bearer_auth(&t)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{p}");
        no_store(r.headers(), &p);
    }
    let (st, h, v) = s
        .raw(
            &t,
            &format!("/api/v1/incidents/{id}/caller/unmask"),
            r#"{"purpose":"contact_caller"}"#,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    no_store(&h, "unmask");
    // Errors too.
    let (st, h, _) = s.raw(&t, "/api/v1/incidents", "{}").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    no_store(&h, "a refused intake");
}

/// `POST /api/v1/incidents` with `"priority"` and `caller.nick`, and an unmask with
/// `"reason"`: 422 `unknown_field` on each (were 201 and 200, the keys ignored).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_refused_in_intake_and_unmask() {
    let s = start(5).await;
    let t = s.login("s1.desk").await;
    let before = s.app.store.count_incidents().await.expect("count");
    let mut b = good_intake();
    b["priority"] = json!("high");
    b["caller"]["nick"] = json!("老张");
    let (st, _, v) = s.raw(&t, "/api/v1/incidents", &b.to_string()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let f = fields(&v);
    assert!(
        f.contains(&("priority".into(), "unknown_field".into())),
        "{v}"
    );
    assert!(
        f.contains(&("caller.nick".into(), "unknown_field".into())),
        "{v}"
    );
    assert_eq!(v["errors"][0]["message"], "Unknown field “priority”");
    assert_eq!(s.app.store.count_incidents().await.expect("count"), before);
    // The contract as published still files.
    let (st, _, v) = s
        .raw(&t, "/api/v1/incidents", &good_intake().to_string())
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");

    let id = v["id"].as_str().expect("id");
    let seq = s.audit_seq().await;
    let (st, _, v) = s
        .raw(
            &t,
            &format!("/api/v1/incidents/{id}/caller/unmask"),
            r#"{"purpose":"contact_caller","reason":"x"}"#,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), vec![("reason".into(), "unknown_field".into())]);
    assert_eq!(s.audit_seq().await, seq, "nothing unmasked");
}

/// `POST /api/v1/incidents` with `"category"` twice (and `caller.name` twice): 400
/// `body.duplicate_key` naming the key (the last one used to win).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_json_key_is_refused() {
    let s = start(5).await;
    let t = s.login("s1.desk").await;
    let before = s.app.store.count_incidents().await.expect("count");
    let body = r#"{"category":"criminal.theft","category":"traffic.accident","address":"青禾县城关镇人民路12号",
        "caller":{"name":"张三","phone":"13800138000"},"narrative":"报警人称其电动自行车被盗。"}"#;
    let (st, _, v) = s.raw(&t, "/api/v1/incidents", body).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        fields(&v),
        vec![("category".into(), "body.duplicate_key".into())]
    );
    assert_eq!(
        v["errors"][0]["message"],
        "The key “category” appears more than once"
    );
    let body = r#"{"caller":{"name":"张三","name":"李四"}}"#;
    let (st, _, v) = s.raw(&t, "/api/v1/incidents", body).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        fields(&v),
        vec![("caller.name".into(), "body.duplicate_key".into())]
    );
    // In Chinese by default.
    let r = s
        .http
        .post(s.url("/api/v1/deadlines/compute"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(r#"{"start":"2026-09-30T10:00","period":"30d","period":"1h"}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["errors"][0]["message"], "字段「period」出现了不止一次");
    assert_eq!(s.app.store.count_incidents().await.expect("count"), before);
}

/// `POST /api/v1/deadlines/compute {"start":"9999-12-31T23:00","period":"1m"}`: 422 on
/// `start` (answered `"+10000-02-01…"`, not RFC 3339, before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_start_outside_1949_to_2200_is_refused() {
    let s = start(5).await;
    let t = s.login("legal").await;
    for start in [
        "9999-12-31T23:00",
        "1900-01-01T00:00",
        "2201-01-01T00:00:00+08:00",
    ] {
        let body = json!({ "start": start, "period": "1m", "provisional": true });
        let (st, _, v) = s
            .raw(&t, "/api/v1/deadlines/compute", &body.to_string())
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{start}: {v}");
        assert_eq!(
            fields(&v),
            vec![("start".into(), "date.range".into())],
            "{v}"
        );
        assert_eq!(
            v["errors"][0]["message"],
            "The year must be between 1949 and 2200"
        );
    }
    let body = json!({ "start": "2200-12-01T10:00", "period": "10d", "provisional": true });
    let (st, _, v) = s
        .raw(&t, "/api/v1/deadlines/compute", &body.to_string())
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// `GET /api/v1/incidents?from=-9999-01-01` (and `to=2201-01-01`): 422 on the bound
/// (was accepted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_bounds_outside_1949_to_2200_are_refused() {
    let s = start(5).await;
    let t = s.login("s1.desk").await;
    for (q, field) in [
        ("from=-9999-01-01", "from"),
        ("from=1948-12-31", "from"),
        ("to=2201-01-01", "to"),
        ("to=-0001-01-01T00:00:00%2B08:00", "to"),
    ] {
        let (st, v) = s.get(&t, &format!("/api/v1/incidents?{q}")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        let f = fields(&v);
        assert_eq!(f.len(), 1, "{q}: {v}");
        assert_eq!(f[0].0, field, "{q}: {v}");
        let (st, _) = s.get(&t, &format!("/api/v1/incidents/export?{q}")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "export {q}");
    }
    let (st, v) = s
        .get(&t, "/api/v1/incidents?from=1949-01-01&to=2200-12-31")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

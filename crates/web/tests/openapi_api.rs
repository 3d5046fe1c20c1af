//! The OpenAPI document tells the truth about the server: who must sign in, what every
//! error looks like; and (below) no id path lets another station or a partner at an
//! object. Both walk the served document, so an endpoint added tomorrow is checked the
//! day it appears. SQLite, or PostgreSQL when FRONTLINE_TEST_DATABASE_URL is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A well-formed id that names nothing.
const NO_SUCH_ID: &str = "0190aaaa-0000-7000-8000-000000000000";

/// Every `(method, path, operation)` of the document.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            out.push((m, path.clone(), op.clone()));
        }
    }
    out
}

/// `security: [{}]` is how an operation says it needs no session.
fn is_public(op: &Value) -> bool {
    op["security"] == serde_json::json!([{}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_says_who_must_sign_in_and_how_errors_look() {
    let s = start(5).await;
    let (st, doc) = s.get("", "/api/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "fl_session");
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("tag name"))
        .collect();

    // A created object links to the operations on it.
    let links = &doc["paths"]["/api/v1/incidents"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        links["get_incident"]["parameters"]["id"],
        "$response.body#/id"
    );
    assert_eq!(links["unmask_caller"]["operationId"], "unmask_caller");

    let ops = operations(&doc);
    assert!(ops.len() >= 19, "{} operations", ops.len());
    let mut public = Vec::new();
    for (method, path, op) in &ops {
        let at = format!("{method} {path}");
        let op_tags = op["tags"].as_array().expect("tags of an operation");
        assert!(
            op_tags.len() == 1 && tags.contains(&op_tags[0].as_str().unwrap_or("")),
            "{at}: one declared tag, not {op_tags:?}"
        );
        for (status, r) in op["responses"].as_object().expect("responses") {
            if status.as_str() >= "400" {
                assert_eq!(
                    r["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{at} {status}"
                );
                assert_eq!(r["content"].as_object().map(|c| c.len()), Some(1), "{at}");
                assert!(r["description"].as_str().is_some_and(|d| !d.is_empty()));
            }
        }
        // Anonymous, with a JSON body where one is taken: the document says 401 exactly
        // when the server answers it.
        let url = s.url(&path.replace("{id}", NO_SUCH_ID));
        let mut req = s.http.request(method.clone(), &url);
        if op.get("requestBody").is_some() {
            req = req.json(&serde_json::json!({}));
        }
        let r = req.send().await.expect("send");
        let status = r.status();
        if is_public(op) {
            public.push(at.clone());
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{at} is public");
            continue;
        }
        assert_eq!(
            op["security"],
            serde_json::json!([{ "bearer": [] }, { "session_cookie": [] }]),
            "{at}"
        );
        assert!(op["responses"].get("401").is_some(), "{at} documents 401");
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{at} anonymous");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{at}"
        );
    }
    public.sort();
    assert_eq!(
        public,
        ["GET /api/v1/incident-categories", "POST /api/v1/session"]
    );
}

/// What no handler wrote is problem+json too: a query the extractor cannot read, a
/// method a path does not have (with its `Allow`), a path under `/api/` that is none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_outside_the_handlers_are_problems() {
    let s = start(5).await;
    let t = s.login("s1.desk").await;
    for (method, path, status) in [
        (
            Method::GET,
            "/api/v1/incidents?sort=a&sort=b",
            StatusCode::BAD_REQUEST,
        ),
        (Method::PATCH, "/api/v1/me", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/api/v1/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let r = s
            .http
            .request(method.clone(), s.url(path))
            .bearer_auth(&t)
            .header("accept-language", "en")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), status, "{method} {path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(r.headers().get("allow").is_some(), "Allow kept");
        }
        let v: Value = r.json().await.expect("problem");
        assert_eq!(v["status"], status.as_u16(), "{v}");
    }
}

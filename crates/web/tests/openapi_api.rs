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
        let url = s.url(&path.replace("{id}", NO_SUCH_ID).replace("{seq}", "1"));
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
        [
            "GET /api/v1/incident-categories",
            "GET /api/v1/unmask-purposes",
            "POST /api/public/v1/case-status",
            "POST /api/v1/session"
        ]
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

/// What an `{id}` path is about, and how the probe gets one of station 1's (or, for a
/// bureau-wide object, the bureau's) to aim at.
#[derive(Clone, Copy, Debug)]
enum Object {
    /// An incident filed at station 1 by its desk officer.
    Incident,
    /// A penalty discretion standard (bureau-wide, administrators only).
    Standard,
    /// Station 1 itself (its dispatchable officers).
    Unit,
    /// A notification in the inbox of a station-1 officer (sent to an incident).
    Notification,
    /// A session of station 1's desk officer.
    Session,
    /// A dissatisfied callback on a closed station-1 incident (its chief reviews it).
    Callback,
    /// A station-1 dispute pushed to street office 1 (which answers it).
    Push,
    /// An administrative case accepted at station 1 by its investigator.
    Case,
    /// The running deadline of such a case.
    Deadline,
    /// A summons on the suspect of such a case.
    Measure,
    /// A penalty proposal on the suspect of such a case, awaiting legal review.
    PenaltyDecision,
    /// A photo attached to such a case.
    Attachment,
}

/// Every path of the document with an id, and the object it takes. A path missing here
/// fails the probe: a new endpoint is probed the day it appears, or the build says why not.
const OBJECTS: &[(&str, Object)] = &[
    ("/api/v1/incidents/{id}", Object::Incident),
    ("/api/v1/incidents/{id}/caller/unmask", Object::Incident),
    ("/api/v1/incidents/{id}/transitions", Object::Incident),
    ("/api/v1/incidents/{id}/callbacks", Object::Incident),
    ("/api/v1/callbacks/{id}/review", Object::Callback),
    ("/api/v1/pushes/{id}/answer", Object::Push),
    ("/api/v1/penalty/standards/{id}/activate", Object::Standard),
    ("/api/v1/units/{id}/officers", Object::Unit),
    ("/api/v1/notifications/{id}/read", Object::Notification),
    ("/api/v1/me/sessions/{id}", Object::Session),
    ("/api/v1/cases/{id}", Object::Case),
    ("/api/v1/cases/{id}/transitions", Object::Case),
    ("/api/v1/deadlines/{id}/extensions", Object::Deadline),
    ("/api/v1/cases/{id}/measures", Object::Case),
    ("/api/v1/measures/{id}/acts", Object::Measure),
    ("/api/v1/cases/{id}/penalty-decision", Object::Case),
    (
        "/api/v1/cases/{id}/parties/{seq}/prior-decisions",
        Object::Case,
    ),
    (
        "/api/v1/penalty-decisions/{id}/review",
        Object::PenaltyDecision,
    ),
    ("/api/v1/cases/{id}/attachments", Object::Case),
    ("/api/v1/attachments/{id}", Object::Attachment),
];

/// Station 2's officers of every role, and the partners.
const OUTSIDERS: &[&str] = &[
    "s2.desk",
    "s2.chief",
    "s2.community",
    "s2.investigator",
    "street1",
    "street2",
    "procuratorate",
    "court",
];

impl Object {
    /// A fresh object's id and the user it belongs to (who must not be answered 404).
    async fn make(self, s: &Server) -> (String, &'static str) {
        match self {
            Object::Incident => (incident(s).await, "s1.desk"),
            Object::Unit => {
                let unit = s.app.org.unit_by_code("S01").expect("S01").id;
                (unit.to_string(), "s1.desk")
            }
            Object::Session => {
                let t = s.login("s1.desk").await;
                let (st, v) = s.get(&t, "/api/v1/me/sessions").await;
                assert_eq!(st, StatusCode::OK, "{v}");
                let id = v[0]["id"].as_str().expect("a session");
                (id.to_string(), "s1.desk")
            }
            Object::Notification => {
                // The desk officer sends the station's investigator to a new incident.
                let id = incident(s).await;
                let investigator = s.login("s1.investigator").await;
                let (_, me) = s.get(&investigator, "/api/v1/me").await;
                let desk = s.login("s1.desk").await;
                let step = serde_json::json!({ "action": "dispatch", "version": 1,
                    "officers": [me["id"]] });
                let path = format!("/api/v1/incidents/{id}/transitions");
                let (st, v) = s.post(&desk, &path, &step).await;
                assert_eq!(st, StatusCode::OK, "{v}");
                // The server's dispatcher delivers it within moments.
                for _ in 0..50 {
                    let (_, v) = s.get(&investigator, "/api/v1/notifications").await;
                    if let Some(id) = v["items"][0]["id"].as_str() {
                        return (id.to_string(), "s1.investigator");
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                panic!("no notification for the officer sent")
            }
            Object::Callback => {
                let id = incident(s).await;
                let desk = s.login("s1.desk").await;
                let path = format!("/api/v1/incidents/{id}/transitions");
                for step in [
                    serde_json::json!({ "action": "dispose", "version": 1, "note": "电话劝解" }),
                    serde_json::json!({ "action": "close", "version": 2 }),
                ] {
                    let (st, v) = s.post(&desk, &path, &step).await;
                    assert_eq!(st, StatusCode::OK, "{v}");
                }
                let body = serde_json::json!({ "reached": true,
                    "satisfaction": "dissatisfied", "comment": "认为处理不及时" });
                let path = format!("/api/v1/incidents/{id}/callbacks");
                let (st, v) = s.post(&desk, &path, &body).await;
                assert_eq!(st, StatusCode::OK, "{v}");
                let cb = v["callbacks"][0]["id"].as_str().expect("callback id");
                (cb.to_string(), "s1.chief")
            }
            Object::Push => {
                let desk = s.login("s1.desk").await;
                let district = s
                    .app
                    .org
                    .districts_of(s.app.org.unit_by_code("S01").expect("S01").id)[0]
                    .id;
                let body = serde_json::json!({
                    "category": "dispute.neighbour",
                    "address": "青禾县城关镇人民路12号",
                    "district_id": district,
                    "caller": { "name": "张三", "phone": "13800138000" },
                    "narrative": "邻里纠纷。"
                });
                let (st, v) = s.post(&desk, "/api/v1/incidents", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let id = v["id"].as_str().expect("id");
                let path = format!("/api/v1/incidents/{id}/transitions");
                for step in [
                    serde_json::json!({ "action": "dispose", "version": 1, "note": "调解" }),
                    serde_json::json!({ "action": "close", "version": 2 }),
                ] {
                    let (st, v) = s.post(&desk, &path, &step).await;
                    assert_eq!(st, StatusCode::OK, "{v}");
                }
                let street = s.login("street1").await;
                let (_, v) = s.get(&street, "/api/v1/pushes").await;
                let push = v["items"][0]["id"].as_str().expect("a push");
                (push.to_string(), "street1")
            }
            Object::Case => {
                let t = s.login("s1.investigator").await;
                let body = serde_json::json!({ "kind": "administrative", "title": "殴打他人案",
                    "summary": "因停车纠纷发生殴打。" });
                let (st, v) = s.post(&t, "/api/v1/cases", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let id = v["id"].as_str().expect("id");
                (id.to_string(), "s1.investigator")
            }
            Object::Deadline => {
                let t = s.login("s1.investigator").await;
                let body = serde_json::json!({ "kind": "administrative", "title": "殴打他人案",
                    "summary": "因停车纠纷发生殴打。" });
                let (st, v) = s.post(&t, "/api/v1/cases", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let id = v["deadlines"][0]["id"].as_str().expect("deadline id");
                (id.to_string(), "s1.investigator")
            }
            Object::Measure => {
                let t = s.login("s1.investigator").await;
                let body = serde_json::json!({ "kind": "administrative", "title": "殴打他人案",
                    "summary": "因停车纠纷发生殴打。",
                    "parties": [{"role": "suspect", "name": "张某"}] });
                let (st, v) = s.post(&t, "/api/v1/cases", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let case = v["id"].as_str().expect("id");
                let m = serde_json::json!({ "measure": "summons", "party": 1, "version": 1 });
                let (st, v) = s
                    .post(&t, &format!("/api/v1/cases/{case}/measures"), &m)
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
                let id = v["measures"][0]["id"].as_str().expect("measure id");
                (id.to_string(), "s1.investigator")
            }
            Object::PenaltyDecision => {
                let t = s.login("s1.investigator").await;
                let body = serde_json::json!({ "kind": "administrative", "title": "殴打他人案",
                    "summary": "因停车纠纷发生殴打。",
                    "parties": [{"role": "suspect", "name": "张某"}] });
                let (st, v) = s.post(&t, "/api/v1/cases", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let case = v["id"].as_str().expect("id").to_string();
                let step = serde_json::json!({ "action": "investigate", "version": 1 });
                let (st, v) = s
                    .post(&t, &format!("/api/v1/cases/{case}/transitions"), &step)
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
                let p = serde_json::json!({ "party": 1, "age": 30, "violations": [
                    {"article": "51", "offence_date": "2026-11-01", "decided": "recommended"}] });
                let (st, v) = s
                    .post(&t, &format!("/api/v1/cases/{case}/penalty-decision"), &p)
                    .await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let id = v["id"].as_str().expect("decision id");
                (id.to_string(), "s1.investigator")
            }
            Object::Attachment => {
                let t = s.login("s1.investigator").await;
                let body = serde_json::json!({ "kind": "administrative", "title": "殴打他人案",
                    "summary": "因停车纠纷发生殴打。" });
                let (st, v) = s.post(&t, "/api/v1/cases", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let case = v["id"].as_str().expect("id").to_string();
                let r = s
                    .http
                    .post(s.url(&format!("/api/v1/cases/{case}/attachments?name=a.pdf")))
                    .bearer_auth(&t)
                    .header("content-type", "application/pdf")
                    .body(b"%PDF-1.4\n%%EOF\n".to_vec())
                    .send()
                    .await
                    .expect("upload");
                assert_eq!(r.status(), StatusCode::CREATED);
                let v: serde_json::Value = r.json().await.expect("json");
                (v["id"].as_str().expect("id").to_string(), "s1.investigator")
            }
            Object::Standard => {
                let t = s.login("admin").await;
                let text = frontline_core::penalty::standard::DEFAULT_STANDARD_TOML;
                let body = serde_json::json!({ "text": text });
                let (st, v) = s.post(&t, "/api/v1/penalty/standards", &body).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                let id = v["standard"]["id"].as_str().expect("id");
                (id.to_string(), "admin")
            }
        }
    }

    /// What an outsider hears: a station's object does not exist for them (404); a
    /// bureau-wide one is refused because the role lacks the action (403).
    fn outsider_status(self) -> StatusCode {
        match self {
            Object::Incident => StatusCode::NOT_FOUND,
            Object::Standard => StatusCode::FORBIDDEN,
            Object::Unit
            | Object::Notification
            | Object::Session
            | Object::Callback
            | Object::Push
            | Object::Case
            | Object::Deadline
            | Object::Measure
            | Object::PenaltyDecision
            | Object::Attachment => StatusCode::NOT_FOUND,
        }
    }
}

/// A fresh incident filed at station 1 by its desk officer.
async fn incident(s: &Server) -> String {
    let t = s.login("s1.desk").await;
    let body = serde_json::json!({
        "category": "criminal.theft",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000",
            "id_number": "11010519491231002X" },
        "narrative": "报警人称其电动自行车被盗。"
    });
    let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_string()
}

async fn send(
    s: &Server,
    token: &str,
    method: &Method,
    url: &str,
    body: bool,
) -> (StatusCode, Value) {
    let mut req = s.http.request(method.clone(), url).bearer_auth(token);
    if body {
        req = req.json(&serde_json::json!({}));
    }
    let r = req.send().await.expect("send");
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

/// The cross-unit probe: every operation on an `{id}` path, aimed at station 1's object
/// by station 2's officers of every role and by the partners, is answered as if the
/// object did not exist (the same 404 as an id that names nothing), or 403 for a
/// bureau-wide object the role may not manage; nothing is written or read on the way.
/// The owner, aiming at the same object, is not answered 404, so the probe hits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_path_lets_another_station_or_a_partner_at_an_object() {
    let s = start(5).await;
    let (_, doc) = s.get("", "/api/openapi.json").await;
    let mut tokens = Vec::new();
    for user in OUTSIDERS {
        tokens.push((*user, s.login(user).await));
    }
    let id_paths: Vec<(Method, String, bool)> = operations(&doc)
        .into_iter()
        .filter(|(_, path, _)| path.contains('{'))
        .map(|(m, path, op)| (m, path, op.get("requestBody").is_some()))
        .collect();
    for (_, path, _) in &id_paths {
        assert!(
            OBJECTS.iter().any(|(p, _)| p == path),
            "{path} has an id the cross-unit probe cannot aim at: add it to OBJECTS"
        );
    }
    for (p, _) in OBJECTS {
        assert!(
            id_paths.iter().any(|(_, path, _)| path == p),
            "{p} is in OBJECTS but not in the document"
        );
    }

    let mut probed = 0;
    for (method, path, body) in &id_paths {
        let object = OBJECTS
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, o)| *o)
            .expect("listed");
        let (id, owner) = object.make(&s).await;
        let at = format!("{method} {path} ({object:?})");
        let url = s.url(&path.replace("{id}", &id).replace("{seq}", "1"));
        let nothing_url = s.url(&path.replace("{id}", NO_SUCH_ID).replace("{seq}", "1"));
        let before = s.audit_seq().await;
        for (user, token) in &tokens {
            // A street office's own push: it is the owner there, not an outsider.
            if *user == owner {
                continue;
            }
            let (st, v) = send(&s, token, method, &url, *body).await;
            assert_eq!(st, object.outsider_status(), "{at} as {user}: {v}");
            // Exactly the answer to an id that names nothing: the id leaks nothing.
            let (nothing_st, nothing) = send(&s, token, method, &nothing_url, *body).await;
            if st == StatusCode::NOT_FOUND {
                assert_eq!((nothing_st, &nothing), (st, &v), "{at} as {user}");
            }
            probed += 1;
        }
        assert_eq!(s.audit_seq().await, before, "{at}: nothing written or read");
        let owner_token = s.login(owner).await;
        let (st, v) = send(&s, &owner_token, method, &url, *body).await;
        assert_ne!(
            st,
            StatusCode::NOT_FOUND,
            "{at}: the owner {owner} reaches it: {v}"
        );
    }
    assert!(
        probed >= OBJECTS.len() * (OUTSIDERS.len() - 1),
        "{probed} probes"
    );
}

/// Writes every signed-in user may make, whatever their role.
const ANYONE_MAY: &[&str] = &[
    "DELETE /api/v1/session",
    "POST /api/v1/me/password",
    "POST /api/v1/me/reauthenticate",
    "POST /api/v1/me/totp/enrolment",
    "POST /api/v1/me/totp/confirm",
    "POST /api/v1/me/totp/disable",
];

/// Partners (street offices, procuratorate, court) write nothing of the police's: every
/// signed-in write without an id in the document answers them 403 whatever the body,
/// and stores nothing (the id paths are the probe's above).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_are_refused_every_write() {
    let s = start(5).await;
    let (_, doc) = s.get("", "/api/openapi.json").await;
    let partners = ["street1", "procuratorate", "court"];
    let mut tokens = Vec::new();
    for user in partners {
        tokens.push((user, s.login(user).await));
    }
    let before = s.audit_seq().await;
    let mut probed = 0;
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        if method == Method::GET || is_public(&op) || path.contains('{') {
            continue;
        }
        if ANYONE_MAY.contains(&at.as_str()) {
            continue;
        }
        for (user, token) in &tokens {
            let body = op.get("requestBody").is_some();
            let (st, v) = send(&s, token, &method, &s.url(&path), body).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{at} as {user}: {v}");
            probed += 1;
        }
    }
    assert!(probed >= 5 * partners.len(), "{probed} probes");
    assert_eq!(s.audit_seq().await, before, "nothing stored");
}

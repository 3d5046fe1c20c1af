//! The JSON API through the real HTTP stack, on a fresh database per test (SQLite, or
//! PostgreSQL when FRONTLINE_TEST_DATABASE_URL is set).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use frontline_app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

impl Server {
    async fn incident_count(&self) -> i64 {
        self.app.store.count_incidents().await.expect("count")
    }
}

fn good_body() -> Value {
    json!({
        "category": "criminal.theft",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000", "id_number": "11010519491231002X" },
        "narrative": "报警人称其电动自行车被盗。"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_openapi() {
    let s = start(300).await;
    let r = s.http.get(s.url("/healthz")).send().await.expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = s
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .expect("doc")
        .json()
        .await
        .expect("json");
    for p in [
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/session",
        "/api/v1/incident-categories",
        "/api/v1/unmask-purposes",
    ] {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI lacks {p}");
    }
    assert!(doc["components"]["schemas"].get("IncidentView").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_read_list_incident() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let before = s.audit_seq().await;
    let (st, v) = s.post(&t, "/api/v1/incidents", &good_body()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let number = v["number"].as_str().expect("number");
    assert!(number.starts_with("S01-2026-"), "{number}");
    assert_eq!(v["unit_id"], s.unit_id("S01").await);
    assert_eq!(v["caller"]["phone"], "138****8000");
    assert_eq!(v["caller"]["id_number"], "110105********002X");
    assert_eq!(v["category_name"], "盗窃");
    assert_eq!(v["reported_at"], "2026-11-22T10:00:00+08:00");
    assert_eq!(
        s.audit_seq().await,
        before + 1,
        "one audit entry per create"
    );

    let id = v["id"].as_str().expect("id");
    let (st, mut got) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    // The detail adds the timeline: the registration, by the desk officer.
    let timeline = got
        .as_object_mut()
        .and_then(|o| o.remove("timeline"))
        .expect("timeline");
    assert_eq!(timeline.as_array().map(Vec::len), Some(1), "{timeline}");
    assert_eq!(timeline[0]["step"], "register");
    assert_eq!(timeline[0]["to_status"], "registered");
    // And what follows the call: no repeat links, no callback yet.
    let o = got.as_object_mut().expect("object");
    assert_eq!(o.remove("repeats"), Some(serde_json::json!([])));
    assert_eq!(
        o.remove("callback").map(|c| c["status"].clone()),
        Some(Value::Null)
    );
    assert_eq!(got, v);
    assert_eq!(v["status"], "registered");
    assert_eq!(v["version"], 1);

    let (st, list) = s.get(&t, "/api/v1/incidents?per_page=5").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["items"][0]["id"], id, "newest first");
    assert!(list["total"].as_i64().unwrap_or(0) > 1);
    let s1 = s.unit_id("S01").await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["unit_id"] == s1)
    );

    // Numbers continue without gaps within the unit-year.
    let (_, v2) = s.post(&t, "/api/v1/incidents", &good_body()).await;
    let seq = |n: &str| {
        n.rsplit('-')
            .next()
            .and_then(|x| x.parse::<i64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(seq(v2["number"].as_str().unwrap_or("")), seq(number) + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_field_by_field_and_stores_nothing() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let other_district = s
        .app
        .org
        .districts_of(s.app.org.unit_by_code("S02").expect("S02").id)[0]
        .id
        .to_string();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"caller": {"id_number": "360426199101010072"}}),
            "caller.id_number",
            "id_number.check_digit",
        ),
        (
            json!({"category": "criminal.nonsense"}),
            "category",
            "category.unknown",
        ),
        (
            json!({"category": "criminal"}),
            "category",
            "category.not_leaf",
        ),
        (json!({"address": "   "}), "address", "required"),
        (json!({"narrative": null}), "narrative", "required"),
        (
            json!({"reported_at": "2026-11-22T12:00:00+08:00"}),
            "reported_at",
            "reported_at.future",
        ),
        (
            json!({"reported_at": "yesterday"}),
            "reported_at",
            "reported_at.format",
        ),
        (
            json!({"caller": {"phone": "12345"}}),
            "caller.phone",
            "phone.invalid",
        ),
        (json!({"narrative": 42}), "narrative", "type"),
        (json!({"caller": "张三"}), "caller", "type"),
        (
            json!({"district_id": other_district}),
            "district_id",
            "district.other_unit",
        ),
        (
            json!({"unit_id": s.unit_id("S02").await}),
            "unit_id",
            "unit.not_permitted",
        ),
        (json!({"address": "路".repeat(201)}), "address", "too_long"),
    ];
    let count = s.incident_count().await;
    let seq = s.audit_seq().await;
    for (patch, field, code) in cases {
        let mut body = good_body();
        for (k, v) in patch.as_object().expect("obj") {
            if k == "caller" && v.is_object() {
                for (ck, cv) in v.as_object().expect("obj") {
                    body["caller"][ck] = cv.clone();
                }
            } else {
                body[k] = v.clone();
            }
        }
        let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert!(
            fields(&v).contains(&(field.to_string(), code.to_string())),
            "expected {field}/{code}, got {v}"
        );
    }
    // The Chinese message is the one officers read.
    let mut body = good_body();
    body["caller"]["id_number"] = json!("360426199101010072");
    let (_, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(v["errors"][0]["message"], "身份证号校验位错误");
    // Several problems are reported at once.
    let (_, v) = s
        .post(&t, "/api/v1/incidents", &json!({"caller": {}}))
        .await;
    let f: Vec<String> = fields(&v).into_iter().map(|f| f.0).collect();
    for want in [
        "category",
        "address",
        "narrative",
        "caller.name",
        "caller.phone",
    ] {
        assert!(f.contains(&want.to_string()), "missing {want} in {f:?}");
    }
    // English on request.
    let r = s
        .http
        .post(s.url("/api/v1/incidents"))
        .bearer_auth(&t)
        .header("accept-language", "en-US,en;q=0.9")
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["errors"][0]["message"], "ID number check digit is wrong");
    // Malformed JSON and oversize bodies.
    let r = s
        .http
        .post(s.url("/api/v1/incidents"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"category\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.expect("json");
    assert_eq!(fields(&v)[0].1, "body.json");
    let mut big = good_body();
    big["narrative"] = json!("案".repeat(70_000));
    let (st, v) = s.post(&t, "/api/v1/incidents", &big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let (st, _) = s.post(&t, "/api/v1/incidents", &json!([1, 2])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(s.incident_count().await, count, "nothing stored");
    assert_eq!(s.audit_seq().await, seq, "nothing audited as written");
}

/// Replays the hardening issue's requests (defect 2): control, bidi and invisible
/// characters are field errors that store nothing; clean text is stored normalised.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_and_invisible_characters_are_refused_on_their_field() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let count = s.incident_count().await;
    let seq = s.audit_seq().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"caller": {"name": "张\u{0000}三"}}),
            "caller.name",
            "text.control",
        ),
        (
            json!({"narrative": "abc\u{0000}def"}),
            "narrative",
            "text.control",
        ),
        (
            json!({"caller": {"name": "\u{200b}\u{200b}"}}),
            "caller.name",
            "required",
        ),
        (
            json!({"address": "人民路\u{202e}21号"}),
            "address",
            "text.bidi",
        ),
        (
            json!({"narrative": "报警\u{2066}人\u{2069}"}),
            "narrative",
            "text.bidi",
        ),
        (
            json!({"caller": {"name": "张三\u{0007}"}}),
            "caller.name",
            "text.control",
        ),
        (
            json!({"narrative": "响铃\u{0007}"}),
            "narrative",
            "text.control",
        ),
        (
            json!({"address": "人民路\n12号"}),
            "address",
            "text.multiline",
        ),
        (
            json!({"caller": {"phone": "138\u{0000}00138000"}}),
            "caller.phone",
            "text.control",
        ),
        (
            json!({"caller": {"id_number": "\u{202d}11010519491231002X"}}),
            "caller.id_number",
            "text.bidi",
        ),
        (
            json!({"category": "criminal.theft\u{0085}"}),
            "category",
            "text.control",
        ),
        (
            json!({"address": "\u{feff}\u{3000}\u{2060}"}),
            "address",
            "required",
        ),
    ];
    for (patch, field, code) in cases {
        let mut body = good_body();
        for (k, v) in patch.as_object().expect("obj") {
            if k == "caller" {
                for (ck, cv) in v.as_object().expect("obj") {
                    body["caller"][ck] = cv.clone();
                }
            } else {
                body[k] = v.clone();
            }
        }
        let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert_eq!(
            fields(&v),
            vec![(field.to_string(), code.to_string())],
            "{patch}"
        );
    }
    // The message names the character, in the request's language.
    let mut body = good_body();
    body["caller"]["name"] = json!("张\u{0000}三");
    let (_, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(v["errors"][0]["message"], "不能包含控制字符（U+0000）");
    let r = s
        .http
        .post(s.url("/api/v1/incidents"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .expect("post");
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        v["errors"][0]["message"],
        "Must not contain a control character (U+0000)"
    );
    // The unmask purpose and the sign-in username go through the same normaliser.
    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "s1.desk\u{0000}", "password": "demo-password"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.expect("json");
    assert_eq!(fields(&v), vec![("username".into(), "text.control".into())]);
    assert_eq!(s.incident_count().await, count, "nothing stored");
    assert_eq!(s.audit_seq().await, seq, "nothing audited");

    // Clean text is stored as NFC, CRLF as LF, invisible ends trimmed.
    let mut body = good_body();
    body["caller"]["name"] = json!("\u{200b}Jose\u{301}\u{feff}");
    body["narrative"] = json!("第一行\r\n第二行\t完\u{200b}");
    let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["caller"]["name"], "Jos\u{e9}");
    assert_eq!(v["narrative"], "第一行\n第二行\t完");
    let id = v["id"].as_str().expect("id");
    let path = format!("/api/v1/incidents/{id}/caller/unmask");
    let seq = s.audit_seq().await;
    for purpose in [
        "\u{0000}\u{0000}",
        "回访\u{0007}",
        "回访\u{202e}核实",
        "\u{200b}\u{200b}",
    ] {
        let (st, v) = s.post(&t, &path, &json!({ "purpose": purpose })).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{purpose:?}: {v}");
        assert_eq!(fields(&v)[0].0, "purpose", "{v}");
        let other = json!({ "purpose": "other", "purpose_text": purpose });
        let (st, v) = s.post(&t, &path, &other).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{purpose:?}: {v}");
        assert_eq!(fields(&v)[0].0, "purpose_text", "{v}");
    }
    assert_eq!(s.audit_seq().await, seq, "no unmask audited");
}

/// An oversize body must come back as a 413 every time, on a connection that stays
/// usable, never as a reset connection (the server reads it whole before refusing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_bodies_always_get_their_413() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let count = s.incident_count().await;
    let mut big = good_body();
    big["narrative"] = json!("案".repeat(400_000));
    for round in 0..200 {
        let (st, v) = s.post(&t, "/api/v1/incidents", &big).await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "round {round}: {v}");
        assert_eq!(fields(&v)[0].1, "body.too_large", "round {round}");
    }
    let (st, _) = s.post(&t, "/api/v1/incidents", &good_body()).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        s.incident_count().await,
        count + 1,
        "only the good one stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_units_incident_is_invisible_and_roles_are_enforced() {
    let s = start(300).await;
    let t1 = s.login("s1.desk").await;
    let t2 = s.login("s2.desk").await;
    let (_, v) = s.post(&t1, "/api/v1/incidents", &good_body()).await;
    let id = v["id"].as_str().expect("id").to_string();

    let (st, body) = s.get(&t2, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "another station's incident reads as 404"
    );
    assert_eq!(body["status"], 404);
    let (st, _) = s
        .post(
            &t2,
            &format!("/api/v1/incidents/{id}/caller/unmask"),
            &json!({"purpose": "case_handling"}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, list) = s.get(&t2, "/api/v1/incidents?per_page=200").await;
    let s2 = s.unit_id("S02").await;
    let items = list["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["unit_id"] == s2), "s2 sees only S02");
    // Asking for S01 explicitly does not widen the scope.
    let (_, list) = s
        .get(
            &t2,
            &format!("/api/v1/incidents?unit_id={}", s.unit_id("S01").await),
        )
        .await;
    assert_eq!(list["total"], 0);

    // Bureau-wide roles see it; the command centre may file for any station.
    let tc = s.login("command").await;
    let (st, _) = s.get(&tc, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let mut b = good_body();
    b["unit_id"] = json!(s.unit_id("S03").await);
    let (st, v) = s.post(&tc, "/api/v1/incidents", &b).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(v["number"].as_str().unwrap_or("").starts_with("S03-"));
    // Without naming a station, the command centre (not a station) is asked to choose.
    let (st, v) = s.post(&tc, "/api/v1/incidents", &good_body()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v)[0],
        ("unit_id".to_string(), "unit.required".to_string())
    );

    // Partners and custodians neither file nor see incidents.
    for who in ["street1", "custodian", "procuratorate"] {
        let t = s.login(who).await;
        let (st, _) = s.post(&t, "/api/v1/incidents", &good_body()).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who} may not file");
        // No incident scope at all: refused, as the list page is.
        let (st, _) = s.get(&t, "/api/v1/incidents").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who} sees no list");
        let (st, _) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // No credentials at all.
    let r = s
        .http
        .get(s.url("/api/v1/incidents"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = s
        .http
        .get(s.url("/api/v1/incidents"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmasking_needs_a_purpose_and_is_audited() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let (_, v) = s.post(&t, "/api/v1/incidents", &good_body()).await;
    let id = v["id"].as_str().expect("id");
    let path = format!("/api/v1/incidents/{id}/caller/unmask");
    let seq = s.audit_seq().await;
    for (body, want) in [
        (json!({"purpose": ""}), ("purpose", "purpose.required")),
        // Free text was accepted as a purpose; it must be a code of the list now.
        (
            json!({"purpose": "回访核实报警人"}),
            ("purpose", "purpose.unknown"),
        ),
        (json!({"purpose": ".."}), ("purpose", "purpose.unknown")),
        (json!({"purpose": "other"}), ("purpose_text", "required")),
        (
            json!({"purpose": "other", "purpose_text": "...."}),
            ("purpose_text", "purpose_text.not_meaningful"),
        ),
    ] {
        let (st, v) = s.post(&t, &path, &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(
            fields(&v),
            vec![(want.0.to_string(), want.1.to_string())],
            "{body}"
        );
    }
    assert_eq!(s.audit_seq().await, seq);
    let (st, v) = s.post(&t, &path, &json!({"purpose": "callback"})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["phone"], "13800138000");
    assert_eq!(v["id_number"], "11010519491231002X");
    let (st, _) = s
        .post(
            &t,
            &path,
            &json!({"purpose": "other", "purpose_text": "检察院来函核实报警人"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let entries = s.app.store.audit_entries(seq, 10).await.expect("audit");
    assert_eq!(entries.len(), 2);
    let e = &entries[0].record;
    assert_eq!(e.action, "incident.caller.unmask");
    assert_eq!(e.actor, "s1.desk");
    assert_eq!(e.object_id, id);
    assert_eq!(e.purpose.as_deref(), Some("callback"));
    let e = &entries[1].record;
    assert_eq!(e.purpose.as_deref(), Some("other"));
    let detail: Value = serde_json::from_str(&e.detail).expect("detail");
    assert_eq!(detail["purpose_text"], "检察院来函核实报警人");
}

/// The purposes an unmasking may state, in the request's language, as the list in data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmask_purposes_are_listed() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let (st, v) = s.get(&t, "/api/v1/unmask-purposes").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let codes: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "case_handling",
            "callback",
            "contact_caller",
            "legal_review",
            "evidence",
            "other"
        ]
    );
    assert_eq!(v[1]["name"], "回访");
    assert_eq!(v[1]["text_required"], false);
    assert_eq!(v[5]["text_required"], true);
    let r = s
        .http
        .get(s.url("/api/v1/unmask-purposes"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .send()
        .await
        .expect("get");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v[3]["name"], "Legal review");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_throttling_logout_and_disable() {
    let s = start(300).await;
    for _ in 0..5 {
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({"username": "s3.desk", "password": "wrong-password"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password.
    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "s3.desk", "password": "demo-password"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    // Other accounts are unaffected; the lock lifts with time.
    s.login("s4.desk").await;
    s.clock.advance(chrono::Duration::minutes(16));
    s.login("s3.desk").await;

    let r = s
        .http
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "nobody", "password": "demo-password"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let t = s.login("s1.desk").await;
    let r = s
        .http
        .delete(s.url("/api/v1/session"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (st, _) = s.get(&t, "/api/v1/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "token dead after logout");

    let t = s.login("s5.desk").await;
    s.app
        .update_officer("test", "s5.desk", None, Some(true))
        .await
        .expect("disable");
    let (st, _) = s.get(&t, "/api/v1/me").await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "disabled account loses its session"
    );
}

/// Behind TLS the session cookie is marked Secure; on plain loopback (the demo) it is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_secure_when_configured() {
    for secure in [false, true] {
        let s = common::start_with(
            5,
            AppConfig {
                secure_cookies: secure,
                ..AppConfig::for_tests()
            },
        )
        .await;
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .json(&json!({ "username": "s1.desk", "password": "demo-password" }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(cookie.starts_with("fl_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        let token = r.json::<Value>().await.expect("json")["token"]
            .as_str()
            .expect("token")
            .to_string();
        let r = s
            .http
            .delete(s.url("/api/v1/session"))
            .header("cookie", format!("fl_session={token}"))
            .send()
            .await
            .expect("logout");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let cleared = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert_eq!(cleared.contains("Secure"), secure, "{cleared}");
    }
}

/// 导出: every row the filters select in the caller's scope, as CSV for Excel (BOM),
/// masked, formula cells defused, audited; too many rows is refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_is_the_whole_filtered_list_masked_and_audited() {
    let s = common::start_with(
        300,
        AppConfig {
            export_max_rows: 60,
            ..AppConfig::for_tests()
        },
    )
    .await;
    let t1 = s.login("s1.desk").await;
    let t2 = s.login("s2.desk").await;
    let mut body = good_body();
    body["address"] = json!("=HYPERLINK(\"http://example.invalid\")");
    let (st, mine) = s.post(&t1, "/api/v1/incidents", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{mine}");
    let (_, theirs) = s.post(&t2, "/api/v1/incidents", &good_body()).await;
    let q = "from=2026-11-01&to=2026-11-22";
    let (_, list) = s
        .get(&t1, &format!("/api/v1/incidents?{q}&per_page=200"))
        .await;
    let total = list["total"].as_u64().expect("total") as usize;
    assert!((1..=60).contains(&total), "{total}");

    let before = s.audit_seq().await;
    let r = s
        .http
        .get(s.url(&format!("/api/v1/incidents/export?{q}")))
        .bearer_auth(&t1)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"incidents-20261122-1000.csv\""
    );
    let bytes = r.bytes().await.expect("body");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    assert!(!text.contains("13800138000"), "phones are masked");
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let heads: Vec<String> = rd
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(heads[0], "警情编号");
    assert_eq!(heads.len(), 10);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), total, "the whole filtered list, not one page");
    assert_eq!(
        &rows[0][0],
        mine["number"].as_str().expect("number"),
        "newest first"
    );
    assert_eq!(
        &rows[0][3], "'=HYPERLINK(\"http://example.invalid\")",
        "formula defused"
    );
    assert_eq!(&rows[0][6], "张三");
    assert_eq!(&rows[0][7], "138****8000");
    assert_eq!(&rows[0][8], "110105********002X");
    let theirs = theirs["number"].as_str().expect("number");
    assert!(
        rows.iter().all(|r| &r[0] != theirs),
        "another station's incident is not exported"
    );
    assert!(rows.iter().all(|r| r[0].starts_with("S01-")));
    assert_eq!(s.audit_seq().await, before + 1, "the export is audited");
    let entry = s.app.store.audit_entries(before, 1).await.expect("audit");
    assert_eq!(entry[0].record.action, "incident.export");
    assert_eq!(entry[0].record.actor, "s1.desk");
    let detail: Value = serde_json::from_str(&entry[0].record.detail).expect("detail");
    assert_eq!(detail["rows"], total);
    assert_eq!(detail["from"], "2026-11-01");

    // English headings on request.
    let r = s
        .http
        .get(s.url(&format!("/api/v1/incidents/export?{q}")))
        .bearer_auth(&t1)
        .header("accept-language", "en")
        .send()
        .await
        .expect("export");
    let text = r.text().await.expect("text");
    assert!(
        text.trim_start_matches('\u{feff}')
            .starts_with("Number,Reported,"),
        "{text}"
    );

    // Refusals change nothing: bad filters, too many rows, no read scope.
    let admin = s.login("command").await;
    let partner = s.login("street1").await;
    let before = s.audit_seq().await;
    let (st, v) = s.get(&t1, "/api/v1/incidents/export?from=yesterday").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "from", "{v}");
    let (st, v) = s.get(&admin, "/api/v1/incidents/export").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "export.too_many", "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("最多导出 60 条")),
        "{v}"
    );
    let (st, _) = s.get(&partner, "/api/v1/incidents/export").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        s.audit_seq().await,
        before,
        "refusals are not audited as exports"
    );

    // The list page's export link: a file, or the list again with the reason.
    let cookie = format!("fl_session={t1}");
    let r = s
        .http
        .get(s.url(&format!("/incidents?{q}&export=csv")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("csv").contains("'=HYPERLINK"));
    // A link on another site cannot make the officer's browser export (nor audit).
    let before = s.audit_seq().await;
    for path in [
        format!("/incidents?{q}&export=csv"),
        format!("/api/v1/incidents/export?{q}"),
    ] {
        let r = s
            .http
            .get(s.url(&path))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .expect("page");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(s.audit_seq().await, before);
    let r = s
        .http
        .get(s.url("/incidents?export=csv"))
        .header("cookie", format!("fl_session={admin}"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("一次最多导出 60 条"), "{html}");
    assert!(
        html.contains("data-testid=\"incident-table\""),
        "the list is still shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_writes_from_another_origin_are_refused() {
    let s = start(300).await;
    let jar_client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let r = jar_client
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": "s1.desk", "password": "demo-password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::OK);
    let r = jar_client
        .post(s.url("/api/v1/incidents"))
        .header("origin", "http://evil.example")
        .json(&good_body())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let host = s.base.trim_start_matches("http://").to_string();
    let r = jar_client
        .post(s.url("/api/v1/incidents"))
        .header("origin", format!("http://{host}"))
        .json(&good_body())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_and_their_errors() {
    let s = start(300).await;
    let t = s.login("leader").await;
    let (st, all) = s.get(&t, "/api/v1/incidents?per_page=1").await;
    assert_eq!(st, StatusCode::OK);
    let total = all["total"].as_i64().expect("total");
    assert!(total >= 300, "bureau leader sees the whole demo: {total}");
    let (_, crim) = s
        .get(&t, "/api/v1/incidents?category=criminal&per_page=200")
        .await;
    let items = crim["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| {
        i["category"]
            .as_str()
            .unwrap_or("")
            .starts_with("criminal.")
    }));
    assert!(crim["total"].as_i64().unwrap_or(0) < total);
    let (_, day) = s
        .get(
            &t,
            "/api/v1/incidents?from=2026-11-01&to=2026-11-10&per_page=200",
        )
        .await;
    for i in day["items"].as_array().expect("items") {
        let d = &i["reported_at"].as_str().unwrap_or("")[..10];
        assert!(("2026-11-01"..="2026-11-10").contains(&d), "{d}");
    }
    let (_, p2) = s.get(&t, "/api/v1/incidents?per_page=10&page=2").await;
    assert_eq!(p2["items"].as_array().map(|a| a.len()), Some(10));
    assert_eq!(p2["page"], 2);
    let (st, v) = s
        .get(
            &t,
            "/api/v1/incidents?from=11/01/2026&per_page=1000&page=x&category=nope",
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let f: Vec<String> = fields(&v).into_iter().map(|f| f.0).collect();
    assert!(f.contains(&"page".to_string()), "{v}");
    let (st, v) = s
        .get(
            &t,
            "/api/v1/incidents?from=11/01/2026&per_page=1000&category=nope",
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let f: Vec<String> = fields(&v).into_iter().map(|f| f.0).collect();
    for want in ["from", "per_page", "category"] {
        assert!(f.contains(&want.to_string()), "{want} missing in {v}");
    }

    // Oldest first on request; anything else but the two orders is refused.
    let (st, newest) = s.get(&t, "/api/v1/incidents?per_page=200").await;
    assert_eq!(st, StatusCode::OK);
    let (st, oldest) = s
        .get(&t, "/api/v1/incidents?per_page=200&sort=reported_at")
        .await;
    assert_eq!(st, StatusCode::OK);
    let times = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .map(|a| a.iter().map(|i| i["reported_at"].to_string()).collect())
            .unwrap_or_default()
    };
    let mut asc = times(&oldest);
    assert!(asc.len() > 2);
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    assert_eq!(newest["total"], oldest["total"]);
    if newest["total"].as_i64() <= Some(200) {
        asc.reverse();
        assert_eq!(asc, times(&newest), "the same rows, reversed");
    }
    let (st, v) = s.get(&t, "/api/v1/incidents?sort=address").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v)[0].0, "sort", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_tree_and_audit_chain_stays_intact() {
    let s = start(300).await;
    let r = s
        .http
        .get(s.url("/api/v1/incident-categories"))
        .send()
        .await
        .expect("get");
    let tree: Value = r.json().await.expect("json");
    let roots: Vec<&str> = tree
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(
        roots,
        [
            "criminal",
            "public_order",
            "traffic",
            "dispute",
            "assistance",
            "lost_missing",
            "fire",
            "other"
        ]
    );
    assert_eq!(tree[0]["name"], "刑事");
    assert!(
        tree[0]["children"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    let t = s.login("s1.desk").await;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (http, url, t) = (s.http.clone(), s.url("/api/v1/incidents"), t.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(t)
                .json(&good_body())
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.expect("join").expect("send"),
            StatusCode::CREATED
        );
    }
    // The same check as `frontline audit verify`.
    let report = s.app.verify_audit().await.expect("audit");
    assert!(report.is_intact(), "{report}");
    assert!(report.checked >= 43);
}

/// The published API document is checked in (`docs/openapi.json`); a change to the API
/// shows up as a diff in review. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p frontline-web --test api openapi`.
#[test]
fn openapi_document_matches_the_snapshot() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let now = frontline_web::openapi_json();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(path, &now).expect("write snapshot");
    }
    let saved = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        saved == now,
        "docs/openapi.json is stale; run UPDATE_SNAPSHOTS=1 cargo test -p frontline-web --test api openapi"
    );
}

/// Sends `POST path` with the session cookie of `token`, `body` as it is, and `headers`.
async fn cookie_post(
    s: &Server,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, String, String) {
    // A client with no default Origin: each case says exactly what it sends.
    let mut req = reqwest::Client::new()
        .post(s.url(path))
        .header("cookie", format!("fl_session={token}"))
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("post");
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.text().await.unwrap_or_default())
}

/// Replays the request: `POST /api/v1/incidents` with the session cookie,
/// `Content-Type: text/plain` (or none) and no Origin. Refused, nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_text_plain_without_origin_is_refused_and_stores_nothing() {
    let s = start(20).await;
    let t = s.login("s1.desk").await;
    let before = s.audit_seq().await;
    let body = good_body().to_string();
    for headers in [
        vec![("content-type", "text/plain")],
        vec![],
        vec![("content-type", "application/json")],
    ] {
        let (st, ct, text) = cookie_post(&s, &t, "/api/v1/incidents", &headers, &body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{headers:?}: {text}");
        assert_eq!(ct, "application/problem+json");
        let v: Value = serde_json::from_str(&text).expect("problem");
        assert_eq!(
            fields(&v),
            vec![(String::new(), "request.cross_origin".to_string())]
        );
    }
    // From our own page (Sec-Fetch-Site) but not JSON: 415, zh by default and en on request.
    for (headers, message) in [
        (
            vec![
                ("content-type", "text/plain"),
                ("sec-fetch-site", "same-origin"),
            ],
            "请求内容必须是 JSON（Content-Type: application/json）",
        ),
        (
            vec![("sec-fetch-site", "same-origin"), ("accept-language", "en")],
            "The body must be JSON (Content-Type: application/json)",
        ),
    ] {
        let (st, ct, text) = cookie_post(&s, &t, "/api/v1/incidents", &headers, &body).await;
        assert_eq!(
            st,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{headers:?}: {text}"
        );
        assert_eq!(ct, "application/problem+json");
        let v: Value = serde_json::from_str(&text).expect("problem");
        assert_eq!(
            fields(&v),
            vec![(String::new(), "body.content_type".to_string())]
        );
        assert_eq!(v["errors"][0]["message"], message);
    }
    assert_eq!(s.audit_seq().await, before, "nothing was stored");
}

/// The allowed writes: bearer + JSON (no Origin), cookie + JSON + same Origin, cookie +
/// JSON + `Sec-Fetch-Site: same-origin` (or `none`); and the refused: a cross-site Origin,
/// `Origin: null`, `Sec-Fetch-Site: cross-site`, and the same on a page form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_writes_need_this_sites_origin() {
    let s = start(20).await;
    let t = s.login("s1.desk").await;
    let body = good_body().to_string();
    let json = ("content-type", "application/json; charset=utf-8");

    let r = reqwest::Client::new()
        .post(s.url("/api/v1/incidents"))
        .bearer_auth(&t)
        .header(json.0, json.1)
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED, "bearer + JSON, no Origin");

    let origin = s.base.clone();
    for headers in [
        vec![json, ("origin", origin.as_str())],
        vec![json, ("sec-fetch-site", "same-origin")],
        vec![json, ("sec-fetch-site", "none")],
    ] {
        let (st, _, text) = cookie_post(&s, &t, "/api/v1/incidents", &headers, &body).await;
        assert_eq!(st, StatusCode::CREATED, "{headers:?}: {text}");
    }

    let before = s.audit_seq().await;
    for headers in [
        vec![json, ("origin", "http://evil.example")],
        vec![json, ("origin", "null")],
        vec![
            json,
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "same-origin"),
        ],
        vec![json, ("sec-fetch-site", "cross-site")],
        vec![json, ("sec-fetch-site", "same-site")],
    ] {
        let (st, ct, text) = cookie_post(&s, &t, "/api/v1/incidents", &headers, &body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{headers:?}: {text}");
        assert_eq!(ct, "application/problem+json");
    }
    // A page form: the error page, before the CSRF token is even looked at.
    let form = ("content-type", "application/x-www-form-urlencoded");
    for headers in [vec![form], vec![form, ("origin", "http://evil.example")]] {
        let (st, ct, _) = cookie_post(&s, &t, "/incidents", &headers, "csrf=x").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(ct.starts_with("text/html"), "{ct}");
    }
    assert_eq!(s.audit_seq().await, before, "nothing was stored");
}

/// Every operation the OpenAPI document gives a body refuses a body that is not JSON
/// with 415 (bearer and anonymous clients alike), and documents it; a body-less write
/// (`DELETE /api/v1/session`) needs no content type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_operations_refuse_other_content_types() {
    let s = start(5).await;
    let admin = s.login("admin").await;
    let (_, doc) = s.get("", "/api/openapi.json").await;
    let before = s.audit_seq().await;
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if op.get("requestBody").is_none() {
                continue;
            }
            // An upload takes the file itself, not JSON (its content is checked instead).
            let json_body = op["requestBody"]["content"]
                .as_object()
                .is_some_and(|c| c.keys().any(|k| k.contains("json")));
            if !json_body {
                continue;
            }
            assert_eq!(
                op["responses"]["415"]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path} documents 415"
            );
            seen += 1;
            let url = s.url(&path.replace("{id}", "0190aaaa-0000-7000-8000-000000000000"));
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for (token, ct) in [
                (admin.as_str(), Some("text/plain")),
                (admin.as_str(), None),
                ("", Some("application/x-www-form-urlencoded")),
            ] {
                let mut req = s.http.request(m.clone(), &url).body("{}");
                if let Some(ct) = ct {
                    req = req.header("content-type", ct);
                }
                if !token.is_empty() {
                    req = req.bearer_auth(token);
                }
                let r = req.send().await.expect("send");
                assert_eq!(
                    r.status(),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "{method} {path} {ct:?}"
                );
                let v: Value = r.json().await.expect("problem");
                assert_eq!(
                    fields(&v),
                    vec![(String::new(), "body.content_type".to_string())]
                );
            }
        }
    }
    assert!(seen >= 7, "{seen} JSON operations");
    assert_eq!(s.audit_seq().await, before);
    let r = s
        .http
        .delete(s.url("/api/v1/session"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

/// Phone and ID numbers typed into the narrative, the address and the caller's name are
/// masked in the answer to intake, the incident, the list and the CSV export (they were
/// shown whole); unmasking with a purpose shows them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifiers_in_free_text_are_masked_until_unmasked() {
    let s = start(300).await;
    let t = s.login("s1.desk").await;
    let mut body = good_body();
    let narrative = "报警人称其弟（电话139 1234 5678，身份证11010519491231002X）走失。";
    let address = "青禾县城关镇人民路12号，门卫电话0551-6123456";
    body["narrative"] = json!(narrative);
    body["address"] = json!(address);
    body["caller"]["name"] = json!("张三13912345678");
    let (st, v) = s.post(&t, "/api/v1/incidents", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let masked_narrative = "报警人称其弟（电话139 **** 5678，身份证110105********002X）走失。";
    let masked_address = "青禾县城关镇人民路12号，门卫电话0551-***3456";
    let (_, one) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    let (_, list) = s.get(&t, "/api/v1/incidents?per_page=200").await;
    let listed = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id.as_str())
        .expect("listed")
        .clone();
    for shown in [&v, &one, &listed] {
        assert_eq!(shown["narrative"], masked_narrative, "{shown}");
        assert_eq!(shown["address"], masked_address, "{shown}");
        assert_eq!(shown["caller"]["name"], "张三139****5678", "{shown}");
    }
    let csv = s
        .http
        .get(s.url("/api/v1/incidents/export"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("csv");
    assert!(csv.contains(masked_narrative), "{csv}");
    assert!(csv.contains(masked_address), "{csv}");
    for whole in ["1234 5678", "11010519491231002X", "6123456", "13912345678"] {
        assert!(!csv.contains(whole), "{whole} in the export");
    }

    let (st, u) = s
        .post(
            &t,
            &format!("/api/v1/incidents/{id}/caller/unmask"),
            &json!({"purpose": "case_handling"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["narrative"], narrative);
    assert_eq!(u["address"], address);
    assert_eq!(u["name"], "张三13912345678");
}

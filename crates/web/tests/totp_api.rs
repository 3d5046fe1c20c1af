//! Issue 8, the second factor and re-authentication over HTTP: enrolment and sign-in
//! with a code (API and the browser's two steps), the role requirement (403
//! `auth.totp_enrolment_required`), re-authentication before unmasking and exports (403
//! `auth.reauthentication_required`), field-level refusals that change nothing, and
//! nobody touching another officer's factor.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use chrono::Duration;
use frontline_core::totp;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn code_now(s: &Server, secret: &str) -> String {
    totp::code_at(secret, s.app.now().timestamp()).unwrap()
}

fn error_code(v: &Value) -> String {
    fields(v).first().map(|f| f.1.clone()).unwrap_or_default()
}

/// Enrols `user` over the API and returns its secret; the clock then moves a step on.
async fn enrol(s: &Server, token: &str) -> String {
    let (st, v) = s.post(token, "/api/v1/me/totp/enrolment", &json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let secret = v["secret"].as_str().unwrap().to_string();
    assert!(v["otpauth_uri"].as_str().unwrap().contains(&secret));
    let (st, v) = s
        .post(
            token,
            "/api/v1/me/totp/confirm",
            &json!({ "code": code_now(s, &secret) }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    s.clock.advance(Duration::seconds(30));
    secret
}

async fn sign_in(s: &Server, user: &str, code: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({ "username": user, "password": "demo-password" });
    if let Some(c) = code {
        body["totp_code"] = json!(c);
    }
    s.post("", "/api/v1/session", &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_and_sign_in_with_a_code() {
    let s = start(0).await;
    let t = s.login("s1.desk").await;
    let (st, v) = s.get(&t, "/api/v1/me/totp").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        v,
        json!({ "enrolled": false, "required": false, "pending": false })
    );
    // Confirming nothing, bad bodies: refused on their fields, nothing written.
    let seq = s.audit_seq().await;
    let (st, v) = s
        .post(&t, "/api/v1/me/totp/confirm", &json!({ "code": "123456" }))
        .await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::CONFLICT, "totp.no_enrolment"),
        "{v}"
    );
    for (body, field, code) in [
        (json!({}), "code", "required"),
        (json!({ "code": 123456 }), "code", "totp_code.invalid"),
        (json!({ "code": "12345" }), "code", "totp_code.invalid"),
        (
            json!({ "code": "123456", "extra": 1 }),
            "extra",
            "unknown_field",
        ),
    ] {
        let (st, v) = s.post(&t, "/api/v1/me/totp/confirm", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(
            fields(&v),
            vec![(field.to_string(), code.to_string())],
            "{body}"
        );
    }
    assert_eq!(s.audit_seq().await, seq, "nothing written");
    let secret = enrol(&s, &t).await;
    let (_, v) = s.get(&t, "/api/v1/me/totp").await;
    assert_eq!(v["enrolled"], true);
    // The secret is never shown again, and nobody else is touched.
    assert!(!v.to_string().contains(&secret));
    let t2 = s.login("s2.desk").await;
    let (_, v) = s.get(&t2, "/api/v1/me/totp").await;
    assert_eq!(v["enrolled"], false);
    // Sign-in: the code is required, checked, used once.
    let (st, v) = sign_in(&s, "s1.desk", None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        vec![("totp_code".into(), "totp_code.required".into())]
    );
    let now = code_now(&s, &secret);
    let wrong = if now == "000000" { "111111" } else { "000000" };
    let (st, v) = sign_in(&s, "s1.desk", Some(wrong)).await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "totp_code.wrong")
    );
    let (st, v) = sign_in(&s, "s1.desk", Some(&now)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], false);
    let (st, v) = sign_in(&s, "s1.desk", Some(&now)).await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "totp_code.used")
    );
    // Removing takes a current code.
    s.clock.advance(Duration::seconds(30));
    let (st, _) = s
        .post(&t, "/api/v1/me/totp/disable", &json!({ "code": wrong }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, v) = s
        .post(
            &t,
            "/api/v1/me/totp/disable",
            &json!({ "code": code_now(&s, &secret) }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, _) = sign_in(&s, "s1.desk", None).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_factor_leaves_only_enrolment() {
    let s = start_strict().await;
    let (st, v) = sign_in(&s, "admin", None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], true);
    let t = v["token"].as_str().unwrap().to_string();
    for path in ["/api/v1/me", "/api/v1/incidents", "/api/v1/totp-policy"] {
        let (st, v) = s.get(&t, path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            error_code(&v),
            "auth.totp_enrolment_required",
            "{path}: {v}"
        );
    }
    let (st, v) = s.get(&t, "/api/v1/me/totp").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["required"], true);
    enrol(&s, &t).await;
    let (st, _) = s.get(&t, "/api/v1/me").await;
    assert_eq!(st, StatusCode::OK);
    // The administrator requires it for desk officers; partners and officers may not.
    let desk = s.login("s1.desk").await;
    for who in [&desk, &s.login("street1").await] {
        let (st, _) = s.get(who, "/api/v1/totp-policy").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .post(
                who,
                "/api/v1/totp-policy",
                &json!({ "role": "desk_officer", "required": true }),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let seq = s.audit_seq().await;
    let (st, v) = s
        .post(
            &t,
            "/api/v1/totp-policy",
            &json!({ "role": "nobody", "required": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&v);
    f.sort();
    assert_eq!(
        f,
        vec![
            ("required".into(), "required.not_boolean".into()),
            ("role".into(), "role.unknown".into())
        ]
    );
    assert_eq!(s.audit_seq().await, seq, "nothing written");
    let (st, v) = s
        .post(
            &t,
            "/api/v1/totp-policy",
            &json!({ "role": "desk_officer", "required": true }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s.get(&desk, "/api/v1/incidents").await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::FORBIDDEN, "auth.totp_enrolment_required")
    );
}

fn incident() -> Value {
    json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "criminal.theft",
        "address": "人民路12号附近",
        "caller": {"name": "王某", "phone": "13800138000", "id_number": "610921199001011234"},
        "narrative": "报警人称其手机被盗。",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmasking_and_exports_ask_to_re_authenticate() {
    let s = start(0).await;
    let t = s.login("s1.desk").await;
    let (st, v) = s.post(&t, "/api/v1/incidents", &incident()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let unmask = format!(
        "/api/v1/incidents/{}/caller/unmask",
        v["id"].as_str().unwrap()
    );
    let why = json!({ "purpose": "callback" });
    let (st, _) = s.post(&t, &unmask, &why).await;
    assert_eq!(st, StatusCode::OK, "signing in counts");
    s.clock.advance(Duration::minutes(11));
    let t = s.login("s1.desk").await;
    s.clock.advance(Duration::minutes(11));
    let t2 = s.login("s2.desk").await;
    let seq = s.audit_seq().await;
    let (st, v) = s.post(&t, &unmask, &why).await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::FORBIDDEN, "auth.reauthentication_required"),
        "{v}"
    );
    let (st, v) = s.get(&t, "/api/v1/incidents/export").await;
    assert_eq!(
        (st, error_code(&v).as_str()),
        (StatusCode::FORBIDDEN, "auth.reauthentication_required"),
        "{v}"
    );
    // Another station's officer: 404 as ever.
    let (st, _) = s.post(&t2, &unmask, &why).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(s.audit_seq().await, seq, "nothing unmasked or exported");
    for (body, field, code) in [
        (json!({}), "password", "reauth.required"),
        (
            json!({ "password": "wrong-password" }),
            "password",
            "password.wrong",
        ),
        (
            json!({ "totp_code": "123456" }),
            "totp_code",
            "totp.not_enrolled",
        ),
        (
            json!({ "password": "demo-password", "x": 1 }),
            "x",
            "unknown_field",
        ),
    ] {
        let (st, v) = s.post(&t, "/api/v1/me/reauthenticate", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(
            fields(&v),
            vec![(field.to_string(), code.to_string())],
            "{body}"
        );
    }
    let (st, _) = s.post(&t, &unmask, &why).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "refusals authenticate nothing");
    let (st, v) = s
        .post(
            &t,
            "/api/v1/me/reauthenticate",
            &json!({ "password": "demo-password" }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, v) = s.post(&t, &unmask, &why).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["phone"], "13800138000");
    assert!(v["timeline"].is_array(), "{v}");
    let (st, _) = s.get(&t, "/api/v1/incidents/export").await;
    assert_eq!(st, StatusCode::OK);
}

/// A client that follows no redirect, as a browser would be seen step by step.
fn no_redirects(s: &Server) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, s.base.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An urlencoded form body (the client has no form feature).
fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

const FORM: &str = "application/x-www-form-urlencoded";

fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fl_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_asks_for_the_code_second() {
    let s = start(0).await;
    let t = s.login("s1.desk").await;
    let secret = enrol(&s, &t).await;
    let c = no_redirects(&s);
    let r = c
        .post(s.url("/login"))
        .header("content-type", FORM)
        .body(form(&[
            ("username", "s1.desk"),
            ("password", "demo-password"),
            ("next", "/incidents"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login/totp?next=/incidents");
    let cookie = session_cookie(&r);
    // Nothing but the code until then.
    let r = c
        .get(s.url("/incidents"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login/totp")
    );
    let r = c
        .get(s.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), "auth.totp_required");
    let page = c
        .get(s.url("/login/totp?next=/incidents"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let r = c
        .post(s.url("/login/totp"))
        .header("cookie", &cookie)
        .header("content-type", FORM)
        .body(form(&[
            ("csrf", csrf.as_str()),
            ("code", "12"),
            ("next", "/incidents"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("data-testid=\"code-error\"")
    );
    let code = code_now(&s, &secret);
    let r = c
        .post(s.url("/login/totp"))
        .header("cookie", &cookie)
        .header("content-type", FORM)
        .body(form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("next", "/incidents"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/incidents");
    let r = c
        .get(s.url("/incidents"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A fresh enrolment: the QR code drawn on the server, and no cache keeps the page.
    let page = c
        .get(s.url("/me/totp"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // s1.desk has a factor: remove it with a code, then start again.
    s.clock.advance(Duration::seconds(30));
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let code = code_now(&s, &secret);
    let r = c
        .post(s.url("/me/totp"))
        .header("cookie", &cookie)
        .header("content-type", FORM)
        .body(form(&[
            ("csrf", csrf.as_str()),
            ("action", "remove"),
            ("code", code.as_str()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .post(s.url("/me/totp"))
        .header("cookie", &cookie)
        .header("content-type", FORM)
        .body(form(&[("csrf", csrf.as_str()), ("action", "begin")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("<svg"), "the QR code inline");
    assert!(html.contains("data-testid=\"totp-secret\""));
}

//! Issue 8 (hardening), defect 3 and "sessions and accounts": sign-in back-off instead
//! of a lock, the idle timeout, one's own sessions, and the forced password change,
//! over HTTP (API and pages).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use frontline_app::auth::NewOfficer;
use reqwest::StatusCode;
use serde_json::{Value, json};

impl Server {
    async fn sign_in_raw(&self, user: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/session"))
            .json(&json!({ "username": user, "password": password }))
            .send()
            .await
            .expect("post")
    }

    async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("delete");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Adds an account as `frontline user add` does (its password must be changed).
    async fn add_officer(&self, username: &str) {
        self.app
            .add_officer(
                "cli:test",
                NewOfficer {
                    username: username.into(),
                    display_name: "新民警".into(),
                    unit_code: "S01".into(),
                    roles: vec!["desk_officer".into()],
                    auxiliary: false,
                    password: "operator-chosen".into(),
                },
            )
            .await
            .expect("add officer");
    }
}

/// A client that does not follow redirects and posts forms as our pages do.
fn page_client(base: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, base.parse().expect("origin"));
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// An urlencoded form body (reqwest is built without its `form` feature here).
trait FormBody {
    fn form_body<T: serde::Serialize + ?Sized>(self, form: &T) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_body<T: serde::Serialize + ?Sized>(self, form: &T) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).expect("form"))
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_back_off_with_retry_after_and_the_right_one_works_after_it() {
    let s = start(0).await;
    let seq = s.audit_seq().await;
    for _ in 0..5 {
        let r = s.sign_in_raw("s3.desk", "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(s.audit_seq().await, seq + 5, "every failure is audited");
    let r = s.sign_in_raw("s3.desk", "demo-password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("30")
    );
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert_eq!(
        s.audit_seq().await,
        seq + 5,
        "a refused attempt is not audited"
    );
    s.clock.advance(chrono::Duration::seconds(30));
    let r = s.sign_in_raw("s3.desk", "demo-password").await;
    assert_eq!(r.status(), StatusCode::OK, "no lock-out beyond the wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_is_refused_with_401() {
    let s = start(0).await;
    let t = s.login("s1.desk").await;
    s.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(s.get(&t, "/api/v1/me").await.0, StatusCode::OK);
    s.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(s.get(&t, "/api/v1/me").await.0, StatusCode::OK);
    s.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(s.get(&t, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_see_and_end_their_own_sessions_only() {
    let s = start(0).await;
    let a = s.login("s1.desk").await;
    let b = s.login("s1.desk").await;
    let other = s.login("s2.desk").await;
    let (st, list) = s.get(&a, "/api/v1/me/sessions").await;
    assert_eq!(st, StatusCode::OK);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let text = list.to_string();
    assert!(!text.contains(&a) && !text.contains(&b), "no tokens shown");
    assert!(
        !text.contains(&frontline_app::auth::token_hash(&b)),
        "no token hashes shown"
    );
    let keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "client",
            "created_at",
            "current",
            "expires_at",
            "id",
            "last_seen_at",
            "user_agent"
        ]
    );
    assert_eq!(items[0]["client"], "127.0.0.1");
    let b_id = items.iter().find(|v| v["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Another officer cannot see or end it: 404, like an id that does not exist.
    let (st, theirs) = s.get(&other, "/api/v1/me/sessions").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!theirs.to_string().contains(&b_id));
    let seq = s.audit_seq().await;
    for (token, id) in [
        (other.as_str(), b_id.as_str()),
        (a.as_str(), "0190b6c1-0000-7000-8000-000000000000"),
        (a.as_str(), "not-a-uuid"),
    ] {
        let (st, body) = s.delete(token, &format!("/api/v1/me/sessions/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{id}: {body}");
    }
    assert_eq!(s.audit_seq().await, seq);
    assert_eq!(s.get(&b, "/api/v1/me").await.0, StatusCode::OK);

    let (st, _) = s.delete(&a, &format!("/api/v1/me/sessions/{b_id}")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&b, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get(&a, "/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(s.audit_seq().await, seq + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_must_change_its_password_before_anything_else() {
    let s = start(0).await;
    s.add_officer("s1.newbie").await;
    let r = s.sign_in_raw("s1.newbie", "operator-chosen").await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["password_change_required"], true);
    let t = v["token"].as_str().unwrap().to_string();
    let t2 = s.login_as("s1.newbie", "operator-chosen").await;

    for path in ["/api/v1/me", "/api/v1/incidents", "/api/v1/me/sessions"] {
        let (st, body) = s.get(&t, path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            fields(&body),
            [(String::new(), "auth.password_change_required".to_string())],
            "{path}"
        );
    }
    // Even a write with a bad body hears 403 first.
    let (st, body) = s.post(&t, "/api/v1/incidents", &json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(fields(&body)[0].1, "auth.password_change_required");

    // Field-level errors in the request's language; nothing changes.
    let seq = s.audit_seq().await;
    let r = s
        .http
        .post(s.url("/api/v1/me/password"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .json(&json!({ "current_password": "operator-chosen", "new_password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        fields(&body),
        [("new_password".to_string(), "password.too_short".to_string())]
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Password must have at least 8 characters"
    );
    let (st, body) = s
        .post(
            &t,
            "/api/v1/me/password",
            &json!({ "current_password": "operator-chosen", "new_password": "s1.newbie!!", "extra": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&body),
        [
            ("extra".to_string(), "unknown_field".to_string()),
            (
                "new_password".to_string(),
                "password.contains_username".to_string()
            )
        ]
    );
    assert_eq!(body["errors"][1]["message"], "密码不能是或包含用户名");
    assert_eq!(s.audit_seq().await, seq, "nothing written");

    let (st, _) = s
        .post(
            &t,
            "/api/v1/me/password",
            &json!({ "current_password": "operator-chosen", "new_password": "my-own-secret" }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&t, "/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(
        s.get(&t2, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the other sessions ended"
    );
    s.login_as("s1.newbie", "my-own-secret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_works_while_a_password_change_is_pending() {
    let s = start(0).await;
    s.add_officer("s1.newbie").await;
    let t = s.login_as("s1.newbie", "operator-chosen").await;
    let (st, _) = s.delete(&t, "/api/v1/session").await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s
        .post(
            &t,
            "/api/v1/me/password",
            &json!({ "current_password": "operator-chosen", "new_password": "my-own-secret" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_lead_a_new_account_to_its_password_and_list_sessions() {
    let s = start(0).await;
    s.add_officer("s1.newbie").await;
    let web = page_client(&s.base);
    let r = web
        .post(s.url("/login"))
        .form_body(&[
            ("username", "s1.newbie"),
            ("password", "operator-chosen"),
            ("next", "/incidents"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me/password?next=/incidents");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("fl_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let get = |path: &str| web.get(s.url(path)).header("cookie", cookie.clone()).send();
    // Every page leads there until the password is changed.
    let r = get("/").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me/password?next=/");
    let r = get("/me/password?next=/incidents").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("data-testid=\"password-forced\""), "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let post = |form: Vec<(&'static str, String)>| {
        web.post(s.url("/me/password"))
            .header("cookie", cookie.clone())
            .form_body(&form)
            .send()
    };
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("current_password", "operator-chosen".into()),
        ("new_password", "my-own-secret".into()),
        ("new_password_confirm", "my-own-secreT".into()),
        ("next", "/incidents".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("两次输入的新密码不一致"));
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("current_password", "wrong".into()),
        ("new_password", "my-own-secret".into()),
        ("new_password_confirm", "my-own-secret".into()),
        ("next", "/incidents".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("当前密码不正确"));
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("current_password", "operator-chosen".into()),
        ("new_password", "my-own-secret".into()),
        ("new_password_confirm", "my-own-secret".into()),
        ("next", "/incidents".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/incidents");
    assert_eq!(get("/").await.unwrap().status(), StatusCode::OK);

    // The sessions page: this one marked, another one ended from a form.
    let other = s.login_as("s1.newbie", "my-own-secret").await;
    let r = get("/me/sessions").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("我的登录会话") && page.contains("data-testid=\"session-current\""));
    assert!(
        page.contains("href=\"/me/sessions\""),
        "linked from the user menu"
    );
    let action = page
        .split("action=\"/me/sessions/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = web
        .post(s.url(&format!("/me/sessions/{action}")))
        .header("cookie", cookie.clone())
        .form_body(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/me/sessions?ended=1");
    assert_eq!(
        s.get(&other, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let r = web
        .get(s.url("/me/sessions"))
        .header("cookie", cookie.clone())
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("My sign-in sessions"));
}

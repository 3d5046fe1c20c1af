//! The harness every HTTP suite shares: a fresh database (SQLite, or PostgreSQL when
//! FRONTLINE_TEST_DATABASE_URL is set), the demo jurisdiction, a server on a free port.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use frontline_app::{App, AppConfig, FixedClock};
use frontline_store::testing::{self, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) app: App,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) http: reqwest::Client,
    pub(crate) db: TestDb,
}

/// The fixed "now" of every suite: 2026-11-22 10:00 Beijing time.
pub(crate) fn now0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default()
}

/// Serves `app` on a free loopback port; returns its base URL.
pub(crate) async fn serve(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = frontline_web::serve(app, listener, std::future::pending()).await;
    });
    base
}

/// A server over a fresh database holding the demo with `incidents` incidents.
pub(crate) async fn start(incidents: usize) -> Server {
    start_with(incidents, AppConfig::for_tests()).await
}

/// As `start`, with the given settings. As in `frontline demo`, the administrator signs
/// in with the password only ([`start_strict`] keeps the built-in requirement).
pub(crate) async fn start_with(incidents: usize, config: AppConfig) -> Server {
    start_inner(incidents, config, false).await
}

/// As `start`, with the built-in second-factor requirement (administrators need one).
pub(crate) async fn start_strict() -> Server {
    start_inner(0, AppConfig::for_tests(), true).await
}

async fn start_inner(incidents: usize, config: AppConfig, strict: bool) -> Server {
    let db = testing::fresh().await.expect("fresh database");
    let clock = Arc::new(FixedClock::new(now0()));
    let app = App::open(&db.config, clock.clone(), config)
        .await
        .expect("open app");
    app.load_demo(now0(), incidents).await.expect("demo");
    if !strict {
        app.store
            .set_totp_policy(
                frontline_store::TotpPolicyRow {
                    role: frontline_core::org::Role::Admin,
                    required: false,
                    updated_at: now0(),
                },
                frontline_store::AuditDraft {
                    at: now0(),
                    actor_id: None,
                    actor: "test".into(),
                    action: "totp.policy".into(),
                    object_type: "role".into(),
                    object_id: "admin".into(),
                    purpose: None,
                    detail: "{}".into(),
                },
            )
            .await
            .expect("admin without a second factor");
    }
    let base = serve(app.clone()).await;
    let http = browser_client(&base);
    Server {
        base,
        app,
        clock,
        http,
        db,
    }
}

/// A client that says where its requests come from as a browser on our pages does
/// (`Origin` on every request), so that cookie-authenticated writes are accepted.
pub(crate) fn browser_client(base: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(base).expect("origin"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

impl Server {
    pub(crate) fn url(&self, p: &str) -> String {
        format!("{}{p}", self.base)
    }

    pub(crate) async fn login(&self, user: &str) -> String {
        self.login_as(user, "demo-password").await
    }

    pub(crate) async fn login_as(&self, user: &str, password: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/session"))
            .json(&json!({ "username": user, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK, "login {user}");
        let v: Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    /// POSTs JSON; an empty token sends no credentials.
    pub(crate) async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let mut req = self.http.post(self.url(path)).json(body);
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let r = req.send().await.expect("post");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// GETs JSON; an empty token sends no credentials.
    pub(crate) async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let mut req = self.http.get(self.url(path));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let r = req.send().await.expect("get");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The id of the unit with this code, as text.
    #[allow(dead_code, reason = "not every suite asks")]
    pub(crate) async fn unit_id(&self, code: &str) -> String {
        self.app
            .org
            .unit_by_code(code)
            .expect("unit")
            .id
            .to_string()
    }

    pub(crate) async fn audit_seq(&self) -> i64 {
        self.app
            .store
            .audit_head()
            .await
            .expect("head")
            .map(|h| h.0)
            .unwrap_or(0)
    }
}

/// `(field, code)` of each problem+json error.
pub(crate) fn fields(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_string(),
                        e["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

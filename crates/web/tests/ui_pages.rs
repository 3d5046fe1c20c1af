//! The pages through the router, on a fresh demo database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, Utc};
use frontline_app::{App, AppConfig, FixedClock};
use frontline_store::testing::{self, TestDb};
use frontline_web::http::session::{LANG_COOKIE, SESSION_COOKIE};
use tower::ServiceExt;

// ---- through the router, on a fresh demo database ----

struct Ui {
    router: Router,
    _db: TestDb,
}

fn now0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default()
}

async fn ui() -> Ui {
    let db = testing::fresh().await.expect("fresh database");
    let app = App::open(
        &db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .expect("open app");
    app.load_demo(now0(), 200).await.expect("demo");
    Ui {
        router: frontline_web::router(app),
        _db: db,
    }
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }
    /// The value of the first hidden `csrf` field on the page.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap_or("").to_string()
    }
}

impl Ui {
    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
    async fn get(&self, path: &str, cookie: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }
    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(form).expect("form");
        // What a browser sends on a form posted from our own page.
        let req = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
    /// Signs in and returns the Cookie header value.
    async fn sign_in(&self, user: &str) -> String {
        let r = self
            .post(
                "/login",
                "",
                &[
                    ("username", user),
                    ("password", "demo-password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{user} signs in: {}",
            r.body
        );
        r.cookie(SESSION_COOKIE).expect("session cookie")
    }
}

fn incident_form<'a>(csrf: &'a str, id_number: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("reported_at", "2026-11-22T09:30"),
        ("category", "criminal.theft"),
        ("address", "人民路 12 号"),
        ("district_id", ""),
        ("caller_name", "王晓明"),
        ("caller_phone", "13800138000"),
        ("caller_id_number", id_number),
        ("narrative", "手机被盗。"),
    ]
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_goes_to_next() {
    let ui = ui().await;
    let r = ui.get("/incidents?page=2", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/incidents%3Fpage%3D2");

    let r = ui.get("/login?next=/incidents", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<html lang=\"zh-CN\">"));
    assert!(r.body.contains("name=\"next\" value=\"/incidents\""));
    assert_eq!(
        r.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );

    let r = ui
        .post(
            "/login",
            "",
            &[
                ("username", "s1.desk"),
                ("password", "wrong-one"),
                ("next", "/incidents"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    assert!(r.body.contains("value=\"s1.desk\""), "the username is kept");
    assert!(r.cookie(SESSION_COOKIE).is_none());

    let r = ui
        .post(
            "/login",
            "",
            &[
                ("username", "s1.desk"),
                ("password", "demo-password"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    let cookie = r.cookie(SESSION_COOKIE).expect("session cookie");

    let r = ui.get("/", &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("您好，"));
    assert!(r.body.contains("值班民警"));
    assert!(r.body.contains("href=\"/incidents/new\""));

    // Sign out needs the form's token.
    let csrf = r.csrf();
    assert_eq!(
        ui.post("/logout", &cookie, &[("csrf", "nope")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = ui.post("/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
    assert_eq!(ui.get("/", &cookie).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let ui = ui().await;
    for _ in 0..5 {
        ui.post(
            "/login",
            "",
            &[("username", "s3.desk"), ("password", "bad-password")],
        )
        .await;
    }
    let r = ui
        .post(
            "/login",
            "",
            &[("username", "s3.desk"), ("password", "demo-password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    // The first wait is 30 s (shown rounded up to a minute); the right password works after.
    assert!(
        r.body.contains("登录失败次数过多，请 1 分钟后再试"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn intake_files_shows_errors_and_unmasks() {
    let ui = ui().await;
    let cookie = ui.sign_in("s1.desk").await;
    let form = ui.get("/incidents/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("value=\"2026-11-22T10:00\""),
        "reported time defaults to now (Beijing)"
    );
    assert!(form.body.contains("<optgroup label=\"刑事\">"));
    assert!(
        !form.body.contains("id=\"unit_id\""),
        "desk officers file for their own station"
    );
    let csrf = form.csrf();

    // Without the session's token: refused.
    let r = ui
        .post("/incidents", &cookie, &incident_form("forged", ""))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("无权执行此操作"));

    // A wrong check digit: the form again, with the message beside the field.
    let r = ui
        .post(
            "/incidents",
            &cookie,
            &incident_form(&csrf, "360426199101010072"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("class=\"error-summary\""));
    assert!(
        r.body
            .contains("<a href=\"#caller_id_number\">身份证号：身份证号校验位错误</a>")
    );
    assert!(r.body.contains("id=\"caller_id_number-error\""));
    assert!(r.body.contains("value=\"360426199101010072\""));
    assert!(r.body.contains("value=\"人民路 12 号\""));
    assert!(r.body.contains("value=\"13800138000\""));
    assert!(r.body.contains(">手机被盗。</textarea>"));
    assert!(
        r.body
            .contains("<option value=\"criminal.theft\" selected>")
    );

    // Filed.
    let r = ui
        .post("/incidents", &cookie, &incident_form(&csrf, ""))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location().to_string();
    assert!(
        loc.starts_with("/incidents/") && loc.ends_with("?created=1"),
        "{loc}"
    );
    let detail = ui.get(&loc, &cookie).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("警情已登记，编号 S01-2026-"));
    assert!(detail.body.contains("2026-11-22 09:30"));
    assert!(detail.body.contains("138****8000"));
    assert!(!detail.body.contains("13800138000"));
    let path = loc.trim_end_matches("?created=1").to_string();

    // It is listed (newest first) with a masked phone.
    let list = ui.get("/incidents", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("<a href=\"{path}\">S01-2026-")));
    assert!(list.body.contains("条</p>"));

    // Unmasking needs a purpose, then shows the number and says it was recorded.
    let unmask = format!("{path}/unmask");
    // The form offers the purposes of the list.
    assert!(
        detail
            .body
            .contains("<option value=\"callback\">回访</option>")
    );
    assert!(detail.body.contains("id=\"purpose_text\""));
    let r = ui
        .post(&unmask, &cookie, &[("csrf", &csrf), ("purpose", "x")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"purpose-error\""));
    assert!(r.body.contains("查询事由不在列表中"));
    assert!(!r.body.contains("13800138000"));
    // "Other" without a meaningful text: the error beside the text field, the choice kept.
    let r = ui
        .post(
            &unmask,
            &cookie,
            &[
                ("csrf", &csrf),
                ("purpose", "other"),
                ("purpose_text", "。。。。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"purpose_text-error\""));
    assert!(
        r.body
            .contains("<option value=\"other\" data-text-required selected>")
    );
    assert!(!r.body.contains("13800138000"));
    let r = ui
        .post(
            &unmask,
            &cookie,
            &[
                ("csrf", &csrf),
                ("purpose", "callback"),
                ("purpose_text", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("13800138000"));
    assert!(r.body.contains("本次查看已记入审计日志（查询事由：回访）"));
    let r = ui
        .post(
            &unmask,
            &cookie,
            &[
                ("csrf", &csrf),
                ("purpose", "other"),
                ("purpose_text", "法院协查函核实"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("本次查看已记入审计日志（查询事由：其他：法院协查函核实）")
    );
    assert_eq!(
        ui.post(&unmask, &cookie, &[("purpose", "callback")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Another station's officer: not found, and no unmasking either.
    let other = ui.sign_in("s2.desk").await;
    let r = ui.get(&path, &other).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    let other_csrf = ui.get("/", &other).await.csrf();
    let r = ui
        .post(
            &unmask,
            &other,
            &[("csrf", &other_csrf), ("purpose", "callback")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ui.get("/incidents/not-a-uuid", &other).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn list_filters_paging_and_bureau_wide_unit_picker() {
    let ui = ui().await;
    let cookie = ui.sign_in("command").await;
    let r = ui
        .get("/incidents?per_page=10&category=criminal", &cookie)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"unit_id\""),
        "bureau-wide users filter by unit"
    );
    assert!(r.body.contains("<option value=\"criminal\" selected>"));
    assert!(
        r.body
            .contains("href=\"/incidents?category=criminal&#38;per_page=10&#38;page=2\"")
    );

    let r = ui
        .get("/incidents?from=2026-13-01&category=nope", &cookie)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("日期格式不正确"));
    assert!(r.body.contains("警情类别不存在"));
    assert!(
        r.body.contains("value=\"2026-13-01\""),
        "the filter is kept"
    );

    // Command centre may name the owning station on intake.
    let r = ui.get("/incidents/new", &cookie).await;
    assert!(r.body.contains("id=\"unit_id\""));

    // Partners see neither intake nor the list, and a note on the home page.
    let partner = ui.sign_in("street1").await;
    let home = ui.get("/", &partner).await;
    assert!(home.body.contains("目前还没有推送给您单位的事项"));
    assert!(!home.body.contains("href=\"/incidents/new\""));
    assert_eq!(
        ui.get("/incidents", &partner).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ui.get("/incidents/new", &partner).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_page_post_naming_another_unit_gets_the_api_s_field_error() {
    let ui = ui().await;
    // The stations the command centre may choose from, as its intake form offers them.
    let command = ui.sign_in("command").await;
    let form = ui.get("/incidents/new", &command).await;
    let select = form
        .body
        .split("id=\"unit_id\"")
        .nth(1)
        .expect("unit choice");
    let select = select.split("</select>").next().unwrap_or("");
    let units: Vec<&str> = select
        .split("<option value=\"")
        .skip(1)
        .filter_map(|o| o.split('"').next())
        .filter(|v| !v.is_empty())
        .collect();
    assert!(units.len() > 1, "{select}");

    let cookie = ui.sign_in("s1.desk").await;
    let csrf = ui.get("/incidents/new", &cookie).await.csrf();
    let mut refused = 0;
    for unit in units {
        let mut fields = incident_form(&csrf, "");
        fields.push(("unit_id", unit));
        let r = ui.post("/incidents", &cookie, &fields).await;
        if r.status == StatusCode::SEE_OTHER {
            continue; // the officer's own station
        }
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("无权为其他单位登记警情"), "{}", r.body);
        refused += 1;
    }
    assert!(refused > 0);
}

#[tokio::test]
async fn language_switch_assets_and_unknown_paths() {
    let ui = ui().await;
    let r = ui.get("/lang/en?next=/login", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
    assert_eq!(r.cookie(LANG_COOKIE).as_deref(), Some("lang=en"));
    let r = ui.get("/login", "lang=en").await;
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains("Sign in to Frontline"));
    assert_eq!(
        ui.get("/lang/zh-CN?next=https://evil.example", "")
            .await
            .location(),
        "/"
    );

    let css = ui.get("/static/app.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/css; charset=utf-8")
    );
    assert!(css.headers.get(header::CACHE_CONTROL).is_some());
    assert!(css.body.contains("PingFang SC"));
    let js = ui.get("/static/app.js", "").await;
    assert_eq!(js.status, StatusCode::OK);

    let r = ui.get("/no/such/page", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    let r = ui.get("/api/v1/nope", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_queue_and_daily_review_pages_by_role() {
    let ui = ui().await;
    let desk = ui.sign_in("s1.desk").await;
    let chief = ui.sign_in("s1.chief").await;
    let command = ui.sign_in("command").await;
    let community = ui.sign_in("s1.community").await;

    let q = ui.get("/callbacks", &desk).await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    assert!(q.body.contains("回访队列"));
    let home = ui.get("/", &desk).await;
    assert!(home.body.contains("href=\"/callbacks\""));
    assert!(
        !home.body.contains("href=\"/daily-review\""),
        "a desk officer reviews nothing"
    );
    assert_eq!(
        ui.get("/callbacks", &community).await.status,
        StatusCode::FORBIDDEN
    );

    let r = ui.get("/daily-review?date=2026-11-21", &chief).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.matches("data-testid=\"review-station\"").count(), 1);
    assert!(
        !r.body.contains("data-testid=\"mark-form\""),
        "a chief does not mark"
    );
    let all = ui.get("/daily-review?date=2026-11-21", &command).await;
    assert!(all.body.matches("data-testid=\"review-station\"").count() > 1);
    assert_eq!(
        ui.get("/daily-review", &desk).await.status,
        StatusCode::FORBIDDEN
    );
    // A refused date shows the field's message with the default day's board.
    let bad = ui.get("/daily-review?date=2026-13-40", &chief).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("日期格式不正确"), "{}", bad.body);

    // A mark posted with no note is shown again with the field's message.
    // Today's call, still open, is on today's board with a mark form.
    let csrf = ui.get("/incidents/new", &desk).await.csrf();
    let filed = ui
        .post("/incidents", &desk, &incident_form(&csrf, ""))
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let all = ui.get("/daily-review?date=2026-11-22", &command).await;
    let at = all
        .body
        .find("name=\"incident_id\" value=\"")
        .expect("an item to review");
    {
        let id = all.body[at + 26..]
            .split('"')
            .next()
            .unwrap_or("")
            .to_string();
        let csrf = all.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("date", "2026-11-22"),
            ("incident_id", id.as_str()),
            ("note", ""),
        ];
        let refused = ui.post("/daily-review/marks", &command, &form).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        let form = [
            ("csrf", csrf.as_str()),
            ("date", "2026-11-22"),
            ("incident_id", id.as_str()),
            ("note", "已点调"),
            ("instruction", "请所长跟进"),
        ];
        let saved = ui.post("/daily-review/marks", &command, &form).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        // The station's chief sees the instruction and acknowledges it.
        let board = ui.get("/daily-review?date=2026-11-22", &chief).await;
        assert!(board.body.contains("请所长跟进"), "{}", board.body);
        let ack = [
            ("csrf", board.csrf()),
            ("date", "2026-11-22".to_string()),
            ("incident_id", id.clone()),
        ];
        let ack: Vec<(&str, &str)> = ack.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = ui.post("/daily-review/acknowledge", &chief, &ack).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let board = ui.get("/daily-review?date=2026-11-22", &chief).await;
        assert!(!board.body.contains("data-testid=\"instruction\""));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_page_charts_csv_and_refusals_by_role() {
    let ui = ui().await;
    let command = ui.sign_in("command").await;
    let chief = ui.sign_in("s1.chief").await;
    let street = ui.sign_in("street1").await;

    let home = ui.get("/", &command).await;
    assert!(home.body.contains("href=\"/statistics\""));
    let p = ui
        .get(
            "/statistics?from=2025-11-01&to=2026-11-22&group_by=unit%2Cmonth",
            &command,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("警情统计"));
    // Three charts drawn on the server, the heat map with its 168 cells.
    assert_eq!(
        p.body.matches("<svg").count(),
        4,
        "line, heat map, two bar charts"
    );
    assert!(p.body.matches("<rect x=").count() >= 168);
    assert!(p.body.contains("data-testid=\"stats-row\""));
    let link = p
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/statistics/export"))
        .and_then(|s| s.split('"').next());
    assert_eq!(
        link,
        Some("/statistics/export?from=2025-11-01&#38;to=2026-11-22&#38;group_by=unit%2Cmonth")
    );
    let csv = ui
        .get(
            "/statistics/export?from=2025-11-01&to=2026-11-22&group_by=unit%2Cmonth",
            &command,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("\u{feff}单位,期间,警情数"),
        "{}",
        &csv.body[..60.min(csv.body.len())]
    );

    // The station chief's picker has no other station; a partner has no page.
    let own = ui.get("/statistics", &chief).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        !own.body.contains("name=\"unit_id\""),
        "one station: no picker"
    );
    assert_eq!(
        ui.get("/statistics", &street).await.status,
        StatusCode::FORBIDDEN
    );
    // A refused range is shown with its message and the default figures.
    let bad = ui
        .get("/statistics?from=2026-11-22&to=2026-11-01", &command)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("结束日期不能早于开始日期"),
        "{}",
        bad.body
    );
}

//! The penalty discretion API through the real HTTP stack, on a fresh database per test
//! (SQLite, or PostgreSQL when FRONTLINE_TEST_DATABASE_URL is set).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;
use std::sync::Arc;

use frontline_app::{App, AppConfig, FixedClock};
use frontline_core::penalty::Engine;
use frontline_core::penalty::standard::DEFAULT_STANDARD_TOML;
use reqwest::StatusCode;
use serde_json::{Value, json};

impl Server {
    async fn audit_since(&self, seq: i64) -> Vec<frontline_core::audit::AuditRecord> {
        self.app
            .store
            .audit_entries(seq, 100)
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.record)
            .collect()
    }
}

fn request_51() -> Value {
    json!({
        "article": "51",
        "circumstances": ["first_violation"],
        "person": { "age": 30 },
        "offence_date": "2026-03-01"
    })
}

/// The default standard with 51-1's typical case starting at 8 days instead of 7
/// (and, with `fine_max`, its fine sub-range reaching that many yuan).
fn standard_51(version: &str, fine_max: u64) -> String {
    let at = DEFAULT_STANDARD_TOML
        .find("code = \"51-1.base.2\"")
        .expect("fixture out of date");
    let (head, tail) = DEFAULT_STANDARD_TOML.split_at(at);
    let from = "detention_days = [7, 8]\ndetention_base = 7\nfine_yuan = [500, 1000]";
    assert!(tail[..400].contains(from), "fixture out of date");
    let to = format!("detention_days = [7, 8]\ndetention_base = 8\nfine_yuan = [500, {fine_max}]");
    format!("{head}{}", tail.replacen(from, &to, 1)).replacen(
        "version = \"2026.1\"",
        &format!("version = \"{version}\""),
        1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assessment_follows_the_cli_contract_and_is_audited() {
    let s = start(20).await;
    let t = s.login("s1.investigator").await;
    let before = s.audit_seq().await;
    let (st, v) = s
        .post(&t, "/api/v1/penalty/assessments", &request_51())
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // Exactly what the engine (and so `frontline penalty assess`) answers.
    let engine = Engine::builtin().expect("engine");
    let input = serde_json::from_value(request_51()).expect("input");
    let want = serde_json::to_value(engine.assess(&input).expect("assess")).expect("json");
    assert_eq!(v, want);
    assert_eq!(v["law_version"], "2025");
    assert_eq!(v["range"]["code"], "51-1");
    assert_eq!(v["range"]["detention_days"], json!([5, 10]));
    let days = v["recommended"]["detention_days"].as_u64().unwrap_or(0);
    assert!((5..=10).contains(&days), "{v}");
    assert!(v["explain"].as_array().is_some_and(|a| a.len() >= 3));
    assert!(
        v["explain"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s["code"] == "first_violation"))
    );

    // One audit entry: the violation, the law version and the recommendation; nothing
    // about the person beyond what was asked.
    let new = s.audit_since(before).await;
    assert_eq!(new.len(), 1, "{new:?}");
    let e = &new[0];
    assert_eq!(e.action, "penalty.assess");
    assert_eq!(e.object_type, "penalty_violation");
    assert_eq!(e.object_id, "51-1");
    assert_eq!(e.actor, "s1.investigator");
    let d: Value = serde_json::from_str(&e.detail).expect("detail json");
    assert_eq!(d["law_version"], "2025");
    assert_eq!(d["recommended"], v["recommended"]);
    assert!(!e.detail.contains("age"), "{}", e.detail);

    // An offence before 2026 is judged under the lighter law; a violation code works too.
    let (st, v) = s
        .post(
            &t,
            "/api/v1/penalty/assessments",
            &json!({ "article": "26-1", "item": 2, "tier": "heavier",
                     "person": { "age": 16, "first_offence": true }, "offence_date": "2025-06-01" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["explain"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(v["recommended"]["detention_executed"] == false, "{v}");

    // Legal reviewers and chiefs may use it too.
    for user in ["legal", "s1.chief", "s1.desk", "command", "leader", "admin"] {
        let t = s.login(user).await;
        let (st, _) = s
            .post(&t, "/api/v1/penalty/assessments", &request_51())
            .await;
        assert_eq!(st, StatusCode::OK, "{user}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_field_errors_and_leave_no_trace() {
    let s = start(20).await;
    let t = s.login("s1.investigator").await;
    let before = s.audit_seq().await;
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (
            json!({ "article": "999", "person": { "age": 30 }, "offence_date": "2026-03-01" }),
            vec![("article", "unknown_violation")],
        ),
        (
            json!({ "article": "51", "situation": "51-1.base.99", "person": { "age": 30 }, "offence_date": "2026-03-01" }),
            vec![("situation", "unknown_situation")],
        ),
        (
            json!({ "article": "51", "circumstances": ["bribed_the_officer"], "person": { "age": 30 }, "offence_date": "2026-03-01" }),
            vec![("circumstances", "unknown_circumstance")],
        ),
        (
            json!({ "article": "51", "person": { "age": 300 }, "offence_date": "2026-03-01" }),
            vec![("person.age", "integer.range")],
        ),
        (
            json!({ "article": "51", "person": { "age": 30, "name": "张三" }, "offence_date": "2026-03-01" }),
            vec![("person.name", "unknown_field")],
        ),
        (
            json!({ "article": "51", "offence_date": "2026-03-01" }),
            vec![("person.age", "required")],
        ),
        (
            json!({ "article": "51", "person": { "age": 30 }, "offence_date": "2026-12-01" }),
            vec![("offence_date", "date.future")],
        ),
        (
            json!({ "article": "51", "tier": "worst", "person": { "age": 30 }, "offence_date": "01/03/2026" }),
            vec![("tier", "tier.unknown"), ("offence_date", "date.format")],
        ),
    ];
    for (body, want) in cases {
        let (st, v) = s.post(&t, "/api/v1/penalty/assessments", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        assert_eq!(fields(&v), want, "{body}");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // Malformed JSON: 400 problem+json.
    let r = s
        .http
        .post(s.url("/api/v1/penalty/assessments"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"article\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    // English messages on request.
    let r = s
        .http
        .post(s.url("/api/v1/penalty/assessments"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .json(&json!({ "article": "999", "person": { "age": 30 }, "offence_date": "2026-03-01" }))
        .send()
        .await
        .expect("post");
    let v: Value = r.json().await.expect("json");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("No article")),
        "{v}"
    );
    assert_eq!(
        s.audit_seq().await,
        before,
        "refused requests are not audited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_use_the_calculator_catalog_and_standards() {
    let s = start(20).await;
    // No token: 401.
    let (st, v) = s
        .post("", "/api/v1/penalty/assessments", &request_51())
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(
        s.get("", "/api/v1/penalty/catalog").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Partners, custodians and community officers: 403.
    for user in ["street1", "procuratorate", "custodian", "s1.community"] {
        let t = s.login(user).await;
        let (st, v) = s
            .post(&t, "/api/v1/penalty/assessments", &request_51())
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}: {v}");
        assert_eq!(
            s.get(&t, "/api/v1/penalty/catalog").await.0,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    // Standards are for administrators only.
    for user in ["legal", "s1.investigator", "leader"] {
        let t = s.login(user).await;
        assert_eq!(
            s.get(&t, "/api/v1/penalty/standards").await.0,
            StatusCode::FORBIDDEN
        );
        let (st, _) = s
            .post(&t, "/api/v1/penalty/standards", &json!({ "text": "x = 1" }))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}");
        let (st, _) = s
            .post(
                &t,
                &format!(
                    "/api/v1/penalty/standards/{}/activate",
                    uuid::Uuid::now_v7()
                ),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}");
    }
    let t = s.login("admin").await;
    let (st, v) = s.get(&t, "/api/v1/penalty/standards").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["in_use"]["builtin"], true);
    assert_eq!(v["items"], json!([]));
    let (st, _) = s
        .post(
            &t,
            &format!(
                "/api/v1/penalty/standards/{}/activate",
                uuid::Uuid::now_v7()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_lists_articles_tiers_situations_and_circumstances_with_citations() {
    let s = start(20).await;
    let t = s.login("legal").await;
    let (st, v) = s.get(&t, "/api/v1/penalty/catalog").await;
    assert_eq!(st, StatusCode::OK);
    let n = v["articles"].as_array().map_or(0, Vec::len);
    assert_eq!(n as u64, v["total_articles"].as_u64().unwrap_or(0));
    assert!(n >= 60, "every violation article of the 2025 law: {n}");
    assert_eq!(v["standard"]["builtin"], true);
    assert!(
        v["statutory_circumstances"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["code"] == "surrendered"
                && c["cite_zh"].as_str().is_some_and(|z| z.contains("第20条")))),
        "statutory grounds cite their article"
    );
    assert!(
        v["circumstances"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["code"] == "first_violation"))
    );

    let (st, v) = s.get(&t, "/api/v1/penalty/catalog?article=51").await;
    assert_eq!(st, StatusCode::OK);
    let a = &v["articles"][0];
    assert_eq!(v["articles"].as_array().map_or(0, Vec::len), 1);
    assert_eq!(a["article"], 51);
    assert_eq!(a["cite_zh"], "治安管理处罚法（2025年修订）第51条");
    let viol = &a["violations"][0];
    assert_eq!(viol["code"], "51-1");
    assert_eq!(viol["cite_zh"], "治安管理处罚法（2025年修订）第51条第1款");
    let base = viol["tiers"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["tier"] == "base"))
        .expect("base tier");
    assert_eq!(base["detention_days"], json!([5, 10]));
    assert!(
        base["situations"]
            .as_array()
            .is_some_and(|s| s.len() >= 3 && s.iter().any(|x| x["default"] == true))
    );

    // Search by words and by code.
    let (_, v) = s
        .get(&t, "/api/v1/penalty/catalog?q=%E6%AE%B4%E6%89%93")
        .await; // 殴打
    assert!(
        v["articles"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["article"] == 51))
    );
    let (_, v) = s.get(&t, "/api/v1/penalty/catalog?q=26-2").await;
    assert_eq!(v["articles"][0]["article"], 26);
    let (st, v) = s.get(&t, "/api/v1/penalty/catalog?article=12").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        vec![("article".into(), "unknown_violation".into())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standards_are_validated_stored_activated_and_kept_on_record() {
    let s = start(20).await;
    let t = s.login("admin").await;
    let officer = s.login("s1.investigator").await;

    // A standard whose sub-range leaves the statute: refused with its line, nothing stored.
    let bad = standard_51("bad", 5000);
    let bad_line = bad
        .lines()
        .position(|l| l == "fine_yuan = [500, 5000]")
        .map(|i| i + 1)
        .expect("line");
    let before = s.audit_seq().await;
    let (st, v) = s
        .post(
            &t,
            "/api/v1/penalty/standards",
            &json!({ "name": "坏基准", "text": bad }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), vec![("text".into(), "standard.invalid".into())]);
    let msg = v["errors"][0]["message"].as_str().unwrap_or("");
    let line: usize = msg
        .trim_start_matches("第 ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        line > 0 && line.abs_diff(bad_line) <= 10,
        "names the line near {bad_line}: {msg}"
    );
    let (_, list) = s.get(&t, "/api/v1/penalty/standards").await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(list["in_use"]["builtin"], true);
    assert_eq!(s.audit_seq().await, before);
    let (st, v) = s
        .post(&t, "/api/v1/penalty/standards", &json!({ "text": "  " }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), vec![("text".into(), "required".into())]);

    // A valid one: stored as a draft; the engine does not change until it is activated.
    let (st, up) = s
        .post(
            &t,
            "/api/v1/penalty/standards",
            &json!({ "name": "青禾县基准（试行）", "text": standard_51("2026.9", 1000) }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{up}");
    assert_eq!(up["standard"]["active"], false);
    assert_eq!(up["standard"]["version"], "2026.9");
    assert_eq!(up["standard"]["name"], "青禾县基准（试行）");
    assert!(up["situations"].as_u64().unwrap_or(0) > 100);
    let first = up["standard"]["id"].as_str().expect("id").to_string();
    let plain = json!({ "article": "51", "person": { "age": 30 }, "offence_date": "2026-03-01" });
    let (_, v) = s
        .post(&officer, "/api/v1/penalty/assessments", &plain)
        .await;
    assert_eq!(v["recommended"]["detention_days"], 7, "{v}");

    let (st, act) = s
        .post(
            &t,
            &format!("/api/v1/penalty/standards/{first}/activate"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{act}");
    assert_eq!(act["active"], true);
    assert_eq!(act["in_use"], true);
    let (_, v) = s
        .post(&officer, "/api/v1/penalty/assessments", &plain)
        .await;
    assert_eq!(
        v["recommended"]["detention_days"], 8,
        "the new standard is used: {v}"
    );
    let (_, cat) = s.get(&officer, "/api/v1/penalty/catalog?article=51").await;
    assert_eq!(cat["standard"]["id"], first.as_str());
    assert_eq!(cat["standard"]["version"], "2026.9");
    let acts: Vec<String> = s
        .audit_since(before)
        .await
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert!(acts.contains(&"penalty.standard.upload".to_string()));
    assert!(acts.contains(&"penalty.standard.activate".to_string()));

    // A second version: the first stays listed, inactive.
    let (st, up2) = s
        .post(
            &t,
            "/api/v1/penalty/standards",
            &json!({ "text": DEFAULT_STANDARD_TOML }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{up2}");
    let second = up2["standard"]["id"].as_str().expect("id").to_string();
    assert!(
        up2["standard"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("默认裁量基准")),
        "the name defaults to the standard's own"
    );
    let (st, _) = s
        .post(
            &t,
            &format!("/api/v1/penalty/standards/{second}/activate"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, list) = s.get(&t, "/api/v1/penalty/standards").await;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], second.as_str());
    assert_eq!(items[0]["active"], true);
    assert_eq!(items[1]["id"], first.as_str());
    assert_eq!(items[1]["active"], false);
    assert!(
        items[1]["activated_at"].is_string(),
        "its activation stays on record"
    );
    assert_eq!(list["in_use"]["id"], second.as_str());
    let (_, v) = s
        .post(&officer, "/api/v1/penalty/assessments", &plain)
        .await;
    assert_eq!(v["recommended"]["detention_days"], 7);

    // Back to the first, then a restart: the active stored standard is loaded at start.
    let (st, _) = s
        .post(
            &t,
            &format!("/api/v1/penalty/standards/{first}/activate"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let reopened = App::open(
        &s.db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .expect("reopen");
    let loaded = reopened.penalty_engine();
    assert_eq!(
        loaded.standard_id.map(|u| u.to_string()),
        Some(first.clone())
    );
    assert_eq!(loaded.engine.standard.version, "2026.9");
    let base = serve(reopened).await;
    let r = s
        .http
        .post(format!("{base}/api/v1/penalty/assessments"))
        .bearer_auth(&officer)
        .json(&plain)
        .send()
        .await
        .expect("post");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["recommended"]["detention_days"], 8, "{v}");
}

/// Signs in through the login form; returns the Cookie header value.
async fn page_session(s: &Server, user: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password=demo-password&next=/"))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{user} signs in");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("fl_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

async fn page(s: &Server, cookie: &str, method: &str, path: &str, form: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let req = if method == "POST" {
        client
            .post(s.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_string())
    } else {
        client.get(s.url(path))
    };
    let r = req
        .header("cookie", cookie)
        .header("origin", &s.base)
        .send()
        .await
        .expect("page");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("csrf field")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_calculator_print_catalog_and_standards() {
    let s = start(20).await;
    let officer = page_session(&s, "s1.investigator").await;
    let (st, html) = page(&s, &officer, "GET", "/penalty?article=51", "").await;
    assert_eq!(st, 200);
    assert!(html.contains("治安处罚裁量计算器"));
    assert!(
        html.contains("href=\"/penalty\" aria-current=\"page\""),
        "nav entry"
    );
    assert!(html.contains("value=\"51-1.base.2\""), "situations offered");
    let csrf = csrf_of(&html);
    let form = format!(
        "csrf={csrf}&article=51&violation=51-1&item=&tier=&situation=&age=30&offence_date=2026-03-01&circumstances=first_violation"
    );
    // A 17-year-old who has violated before: detention is executed (第23条第1款第2项 is
    // for first violations); not established, it is read in the person's favour.
    for (prior, executed) in [("no", "（执行）"), ("", "（决定但不执行）")] {
        let f = form.replace("age=30", "age=17") + &format!("&first_offence={prior}&foreigner=1");
        let (st, html) = page(&s, &officer, "POST", "/penalty", &f).await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains(executed), "{prior}: {html}");
        assert!(html.contains("第10条第2款"), "the foreigner rule is cited");
        assert!(
            html.contains(&format!("<option value=\"{prior}\" selected>")),
            "the form keeps the answer"
        );
    }
    let (st, html) = page(
        &s,
        &officer,
        "POST",
        "/penalty",
        &(form.clone() + "&first_offence=maybe"),
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("id=\"person_first_offence-error\""), "{html}");
    let before = s.audit_seq().await;
    let (st, html) = page(&s, &officer, "POST", "/penalty", &form).await;
    assert_eq!(st, 200, "{html}");
    assert!(
        html.contains("data-testid=\"recommended\">行政拘留 7 日（执行）；罚款 550 元"),
        "{html}"
    );
    assert!(html.contains("治安管理处罚法（2025年修订）第51条第1款"));
    assert_eq!(s.audit_seq().await, before + 1, "the assessment is audited");
    let (st, html) = page(&s, &officer, "POST", "/penalty/print", &form).await;
    assert_eq!(st, 200);
    assert_eq!(
        s.audit_seq().await,
        before + 2,
        "the printed note is audited"
    );
    let last = s
        .app
        .store
        .audit_entries(before + 1, 1)
        .await
        .expect("audit");
    assert_eq!(last[0].record.action, "penalty.print");
    assert!(html.contains("class=\"print-doc\""));
    assert!(html.contains("治安管理处罚裁量意见"));
    assert!(
        !html.contains("class=\"sidenav\""),
        "no navigation on the note"
    );
    // Field errors re-show the form; a forged form is refused.
    let bad = form.replace("age=30", "age=abc");
    let (st, html) = page(&s, &officer, "POST", "/penalty", &bad).await;
    assert_eq!(st, 422);
    assert!(html.contains("id=\"person_age-error\""));
    assert!(html.contains("value=\"abc\""));
    let forged = form.replace(&csrf, "forged");
    assert_eq!(page(&s, &officer, "POST", "/penalty", &forged).await.0, 403);

    let legal = page_session(&s, "legal").await;
    let (st, html) = page(&s, &legal, "GET", "/penalty/catalog?article=51", "").await;
    assert_eq!(st, 200);
    assert!(html.contains("51-1.base.2"));
    assert!(html.contains("治安管理处罚法（2025年修订）第51条第1款"));
    assert_eq!(
        page(&s, &legal, "GET", "/penalty/standards", "").await.0,
        403
    );

    let partner = page_session(&s, "street1").await;
    assert_eq!(page(&s, &partner, "GET", "/penalty", "").await.0, 403);
    assert_eq!(
        page(&s, &partner, "GET", "/penalty/catalog", "").await.0,
        403
    );

    let admin = page_session(&s, "admin").await;
    let (st, html) = page(&s, &admin, "GET", "/penalty/standards", "").await;
    assert_eq!(st, 200);
    let csrf = csrf_of(&html);
    let text: String = serde_urlencoded_like(&standard_51("2026.7", 1000));
    let (st, _) = page(
        &s,
        &admin,
        "POST",
        "/penalty/standards",
        &format!("csrf={csrf}&name=&text={text}"),
    )
    .await;
    assert_eq!(st, 303, "a 150 KB standard posts through the form");
    let (_, list) = s
        .get(&s.login("admin").await, "/api/v1/penalty/standards")
        .await;
    let id = list["items"][0]["id"].as_str().expect("stored").to_string();
    let (st, _) = page(
        &s,
        &admin,
        "POST",
        &format!("/penalty/standards/{id}/activate"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = page(
        &s,
        &admin,
        "GET",
        &format!("/penalty/standards?activated={id}"),
        "",
    )
    .await;
    assert!(html.contains("（2026.7）"), "{html}");
    assert!(html.contains("使用中"));
}

/// Percent-encodes a form value.
fn serde_urlencoded_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_follows_an_activation() {
    let s = start(20).await;
    // A second instance on the same database, looking at the store on every request.
    let b = App::open(
        &s.db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .expect("second instance");
    b.penalty.set_recheck(std::time::Duration::ZERO);
    let base_b = serve(b).await;
    let officer = s.login("s1.investigator").await;
    let plain = json!({ "article": "51", "person": { "age": 30 }, "offence_date": "2026-03-01" });
    let assess_b = || async {
        let r = s
            .http
            .post(format!("{base_b}/api/v1/penalty/assessments"))
            .bearer_auth(&officer)
            .json(&plain)
            .send()
            .await
            .expect("post");
        r.json::<Value>().await.expect("json")
    };
    assert_eq!(assess_b().await["recommended"]["detention_days"], 7);

    let t = s.login("admin").await;
    let (_, up) = s
        .post(
            &t,
            "/api/v1/penalty/standards",
            &json!({ "text": standard_51("2026.8", 1000) }),
        )
        .await;
    let id = up["standard"]["id"].as_str().expect("id").to_string();
    let (st, _) = s
        .post(
            &t,
            &format!("/api/v1/penalty/standards/{id}/activate"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        assess_b().await["recommended"]["detention_days"],
        8,
        "instance B uses the standard activated on instance A"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_violations_are_assessed_separately_and_combined() {
    let s = start(20).await;
    let t = s.login("s1.investigator").await;
    let heavy = json!({ "article": "51", "tier": "heavier", "person": { "age": 30 }, "offence_date": "2026-03-01" });
    let body = json!([heavy.clone(), heavy.clone(), request_51()]);
    let before = s.audit_seq().await;
    let (st, v) = s.post(&t, "/api/v1/penalty/assessments", &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // As `frontline penalty assess` answers an array.
    let engine = Engine::builtin().expect("engine");
    let all: Vec<_> = body
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            engine
                .assess(&serde_json::from_value(x.clone()).expect("input"))
                .expect("assess")
        })
        .collect();
    let want = json!({ "assessments": all, "combined": frontline_core::penalty::combine(&all) });
    assert_eq!(v, want);
    assert!(
        v["combined"]["detention_days_executed"]
            .as_u64()
            .unwrap_or(99)
            <= 20
    );
    assert_eq!(s.audit_seq().await, before + 3, "one entry per violation");

    // One bad request in the array: its index names the field; nothing is audited.
    let bad = json!([request_51(), { "article": "999", "person": { "age": 30 }, "offence_date": "2026-03-01" }]);
    let (st, v) = s.post(&t, "/api/v1/penalty/assessments", &bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        fields(&v),
        vec![("1.article".into(), "unknown_violation".into())]
    );
    let bad = json!([request_51(), { "article": "51", "person": { "age": -1 }, "offence_date": "2026-03-01" }]);
    let (_, v) = s.post(&t, "/api/v1/penalty/assessments", &bad).await;
    assert_eq!(
        fields(&v),
        vec![("1.person.age".into(), "integer.range".into())]
    );
    let (st, v) = s.post(&t, "/api/v1/penalty/assessments", &json!([])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(s.audit_seq().await, before + 3);
}

/// Checks `v` against `schema` of the published document: types, enums, required and no
/// undocumented property, fixed array lengths; `oneOf` needs exactly one match.
fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return conforms(doc, &doc["components"]["schemas"][name], v, at);
    }
    if let Some(alts) = schema["oneOf"].as_array() {
        let ok = alts
            .iter()
            .filter(|s| conforms(doc, s, v, at).is_ok())
            .count();
        return if ok == 1 {
            Ok(())
        } else {
            Err(format!("{at}: {ok} of the oneOf alternatives match {v}"))
        };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.is_empty() && !types.contains(&kind) {
        return Err(format!("{at}: {kind} where the document says {types:?}"));
    }
    if let Some(e) = schema["enum"].as_array()
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {e:?}"));
    }
    match v {
        Value::Object(o) => {
            for r in schema["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap_or_default();
                if !o.contains_key(r) {
                    return Err(format!("{at}: required {r} missing"));
                }
            }
            for (k, x) in o {
                let Some(p) = schema["properties"].get(k) else {
                    return Err(format!("{at}: {k} is not in the document"));
                };
                conforms(doc, p, x, &format!("{at}.{k}"))?;
            }
        }
        Value::Array(a) => {
            let n = a.len() as u64;
            if schema["minItems"].as_u64().is_some_and(|m| n < m)
                || schema["maxItems"].as_u64().is_some_and(|m| n > m)
            {
                return Err(format!("{at}: {n} items"));
            }
            for (i, x) in a.iter().enumerate() {
                conforms(doc, &schema["items"], x, &format!("{at}.{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assessment_answers_match_the_published_schema() {
    let doc: Value = serde_json::from_str(&frontline_web::openapi_json()).expect("document");
    let schema = &doc["paths"]["/api/v1/penalty/assessments"]["post"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert!(schema.is_object(), "no 200 schema");
    let s = start(20).await;
    let t = s.login("s1.investigator").await;
    let old_law = json!({ "article": "26-1", "item": 2, "tier": "heavier",
        "person": { "age": 16, "first_offence": true }, "offence_date": "2025-06-01" });
    let young = json!({ "article": "51", "circumstances": ["first_violation"],
        "person": { "age": 13 }, "offence_date": "2026-03-01" });
    let bodies = [
        request_51(),
        old_law.clone(),
        young,
        json!([request_51(), old_law]),
    ];
    for body in bodies {
        let (st, v) = s.post(&t, "/api/v1/penalty/assessments", &body).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        if let Err(e) = conforms(&doc, schema, &v, "") {
            panic!("{body}: {e}");
        }
    }
    // The check itself tells a wrong answer from a right one.
    let (_, mut v) = s
        .post(&t, "/api/v1/penalty/assessments", &request_51())
        .await;
    v["range"]["tier"] = json!("worst");
    assert!(conforms(&doc, schema, &v, "").is_err());
    v["range"]["tier"] = json!("base");
    v["range"]["undocumented"] = json!(1);
    assert!(conforms(&doc, schema, &v, "").is_err());
}

//! Legal periods through the real HTTP stack: the deadline calculator, the rule
//! catalog and the holiday calendars, on a fresh database per test (SQLite, or PostgreSQL
//! when FRONTLINE_TEST_DATABASE_URL is set).

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
use reqwest::StatusCode;
use serde_json::{Value, json};

impl Server {
    async fn compute(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.post(token, "/api/v1/deadlines/compute", &body).await
    }
}

fn message(v: &Value, field: &str) -> String {
    v["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or("")
        .to_string()
}

fn kinds(v: &Value) -> Vec<String> {
    v["explain"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["kind"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A test calendar for 2027 (not the official arrangement, which is not yet published).
const CAL_2027: &str = r#"year = 2027
source = "测试用 2027 年日历 (test calendar)"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
first = 2027-01-01
last = 2027-01-03
makeup_workdays = []

[[holiday]]
name_zh = "国庆节"
name_en = "National Day"
first = 2027-10-01
last = 2027-10-07
makeup_workdays = [2027-09-26, 2027-10-09]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_contract_with_holiday_roll_over() {
    let s = start(20).await;
    let t = s.login("legal").await;

    // 2026-09-30 + 1 day: the last day 10-01 is National Day; the period ends with 10-08.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-09-30T10:00:00+08:00", "period": "1d" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["due"], "2026-10-09T00:00:00+08:00");
    assert_eq!(v["nominal_end"], "2026-10-02T00:00:00+08:00");
    assert_eq!(v["mode"], "legal");
    assert_eq!(v["period"], "1d");
    assert_eq!(v["last_day"], "2026-10-08");
    assert_eq!(v["provisional"], false);
    let k = kinds(&v);
    assert_eq!(k.first().map(String::as_str), Some("start"));
    assert_eq!(k.last().map(String::as_str), Some("due"));
    assert!(k.contains(&"roll_over".to_string()), "{k:?}");
    let roll = v["explain"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["kind"] == "roll_over"))
        .and_then(|s| s["text"].as_str())
        .unwrap_or("");
    assert!(
        roll.contains("国庆节") && roll.contains("2026-10-08"),
        "{roll}"
    );

    // Beijing wall-clock time, blanks in the period, English explanation.
    let r = s
        .http
        .post(s.url("/api/v1/deadlines/compute"))
        .bearer_auth(&t)
        .header("Accept-Language", "en")
        .json(&json!({ "start": "2026-09-30T10:00", "period": " 1 d " }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let en: Value = r.json().await.expect("json");
    assert_eq!(en["due"], "2026-10-09T00:00:00+08:00");
    assert!(en["explain"].to_string().contains("National Day"), "{en}");

    // Custody: never extended, even on National Day.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-09-30T10:00:00+08:00", "period": "1d", "custody": true }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["due"], "2026-10-02T00:00:00+08:00");
    assert_eq!(v["mode"], "custody");
    assert!(!kinds(&v).contains(&"roll_over".to_string()));
    assert!(kinds(&v).contains(&"custody_not_extended".to_string()));

    // Hours end at the exact instant.
    let (_, v) = s
        .compute(
            &t,
            json!({ "start": "2026-10-01T09:15:00+08:00", "period": "24h" }),
        )
        .await;
    assert_eq!(v["due"], "2026-10-02T09:15:00+08:00");

    // Working days skip the holiday block.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-09-29T10:00:00+08:00", "period": "7d", "working_days": true }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["mode"], "working_days");

    // A catalog rule: the public-order case period, with its basis and reminders.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-09-01T15:00:00+08:00", "rule": "admin.case_handling" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["due"], "2026-10-09T00:00:00+08:00");
    assert_eq!(v["rule"]["code"], "admin.case_handling");
    assert!(v["rule"]["basis"].as_array().is_some_and(|b| !b.is_empty()));

    // The rule catalog and the calendars.
    let (st, cat) = s.get(&t, "/api/v1/deadline-rules").await;
    assert_eq!(st, StatusCode::OK);
    let rules = cat["rules"].as_array().expect("rules");
    assert!(rules.len() >= 50, "{}", rules.len());
    assert!(rules.iter().any(|r| r["kind"] == "criminal"));
    assert!(rules.iter().any(|r| r["kind"] == "administrative"));
    let (st, cals) = s.get(&t, "/api/v1/calendars").await;
    assert_eq!(st, StatusCode::OK);
    let years: Vec<i64> = cals["years"]
        .as_array()
        .expect("years")
        .iter()
        .filter_map(|y| y["year"].as_i64())
        .collect();
    assert_eq!(years, [2025, 2026]);
    assert_eq!(cals["years"][1]["builtin"], true);
    assert_eq!(cals["years"][1]["origin"], "builtin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_questions_get_field_errors() {
    let s = start(20).await;
    let t = s.login("s1.investigator").await;

    // A year without a calendar: an error on `start`, never a guess.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-12-31T10:00:00+08:00", "period": "1d" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [("start".into(), "calendar.unknown".into())]);
    assert!(message(&v, "start").contains("2027"), "{v}");
    let r = s
        .http
        .post(s.url("/api/v1/deadlines/compute"))
        .bearer_auth(&t)
        .header("Accept-Language", "en")
        .json(&json!({ "start": "2026-12-31T10:00:00+08:00", "period": "1d" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|h| h.to_str().ok()),
        Some("application/problem+json")
    );
    let en: Value = r.json().await.expect("json");
    assert!(
        message(&en, "start").contains("calendar unknown for 2027"),
        "{en}"
    );

    // On request, a provisional answer (plain weekends), flagged as such.
    let (st, v) = s
        .compute(
            &t,
            json!({ "start": "2026-12-31T10:00:00+08:00", "period": "1d", "provisional": true }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["provisional"], true);
    assert_eq!(v["due"], "2027-01-02T00:00:00+08:00");
    assert!(kinds(&v).contains(&"provisional".to_string()), "{v}");

    for (body, want) in [
        (json!({ "period": "1d" }), vec![("start", "required")]),
        (
            json!({ "start": "30/09/2026", "period": "1d" }),
            vec![("start", "datetime.format")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "period": "1w" }),
            vec![("period", "period.format")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "period": "0d" }),
            vec![("period", "period.range")],
        ),
        (
            json!({ "start": "2026-09-30T10:00" }),
            vec![("period", "required")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "period": "1d", "rule": "admin.case_handling" }),
            vec![("period", "period.or_rule")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "rule": "nope" }),
            vec![("rule", "rule.unknown")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "rule": "admin.file" }),
            vec![("rule", "rule.immediate")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "period": "1d", "custody": true, "working_days": true }),
            vec![("working_days", "mode.conflict")],
        ),
        (
            json!({ "start": "2026-09-30T10:00", "period": "24h", "working_days": true }),
            vec![("working_days", "working_days.unit")],
        ),
        (
            json!({ "start": 5, "period": "1d", "custody": "yes", "extra": 1 }),
            vec![
                ("extra", "unknown_field"),
                ("start", "string"),
                ("custody", "boolean"),
            ],
        ),
        // Every problem at once: unknown keys, wrong types, then what the values say.
        (
            json!({ "start": "30/09/2026", "period": "1w", "working_days": 1, "b": 0 }),
            vec![
                ("b", "unknown_field"),
                ("working_days", "boolean"),
                ("start", "datetime.format"),
                ("period", "period.format"),
            ],
        ),
        (json!([1]), vec![("", "body.object")]),
    ] {
        let (st, v) = s.compute(&t, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {v}");
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        assert_eq!(fields(&v), want, "{body}");
    }
    let r = s
        .http
        .post(s.url("/api/v1/deadlines/compute"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"start\":")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_compute_and_who_may_upload() {
    let s = start(20).await;
    let body = json!({ "start": "2026-09-30T10:00:00+08:00", "period": "1d" });
    let r = s
        .http
        .post(s.url("/api/v1/deadlines/compute"))
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for p in ["/api/v1/deadline-rules", "/api/v1/calendars"] {
        let r = s.http.get(s.url(p)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{p}");
    }
    let r = s
        .http
        .post(s.url("/api/v1/calendars"))
        .json(&json!({ "text": CAL_2027 }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let partner = s.login("street1").await;
    let (st, _) = s.compute(&partner, body.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get(&partner, "/api/v1/deadline-rules").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get(&partner, "/api/v1/calendars").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let community = s.login("s1.community").await;
    let (st, _) = s.compute(&community, body.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    for user in [
        "legal",
        "s1.investigator",
        "s1.chief",
        "s1.desk",
        "leader",
        "command",
        "admin",
    ] {
        let t = s.login(user).await;
        let (st, v) = s.compute(&t, body.clone()).await;
        assert_eq!(st, StatusCode::OK, "{user}: {v}");
    }

    // Only administrators upload calendars; a refused upload stores nothing.
    let before = s.audit_seq().await;
    for user in ["legal", "street1", "leader"] {
        let t = s.login(user).await;
        let (st, _) = s
            .post(&t, "/api/v1/calendars", &json!({ "text": CAL_2027 }))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}");
    }
    // (Each login above is audited; no calendar entry was added.)
    let after = s
        .app
        .store
        .audit_entries(before, 1000)
        .await
        .expect("audit");
    assert!(after.iter().all(|e| e.record.action != "calendar.upload"));
    assert!(s.app.store.list_calendars().await.expect("list").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_upload_validates_then_applies_at_once_and_is_audited() {
    let s = start(20).await;
    let admin = s.login("admin").await;
    let legal = s.login("legal").await;
    let question = json!({ "start": "2026-12-31T10:00:00+08:00", "period": "1d" });
    let (st, _) = s.compute(&legal, question.clone()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // A second instance on the same database, started before the upload.
    let other = App::open(
        &s.db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .expect("second instance");
    let other_base = serve(other.clone()).await;

    let seq0 = s.audit_seq().await;
    let bad = [
        // TOML syntax: the message names the line.
        (
            "year = 2027\nsource = \"x\"\n[[holiday]\nname_zh = \"元旦\"\n",
            "line 3",
        ),
        // A day both a holiday and a make-up working day.
        (
            "year = 2027\nsource = \"x\"\n[[holiday]]\nname_zh = \"国庆节\"\nname_en = \"National Day\"\nfirst = 2027-10-01\nlast = 2027-10-07\nmakeup_workdays = [2027-10-02]\n",
            "2027-10-02",
        ),
        // A date outside the year.
        (
            "year = 2027\nsource = \"x\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year\"\nfirst = 2026-12-31\nlast = 2027-01-01\n",
            "2026-12-31",
        ),
        // A missing name.
        (
            "year = 2027\nsource = \"x\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"\"\nfirst = 2027-01-01\nlast = 2027-01-01\n",
            "name_en",
        ),
        // An unknown field.
        ("year = 2027\nsource = \"x\"\nholidays = []\n", "holidays"),
    ];
    for (text, needle) in bad {
        let (st, v) = s
            .post(&admin, "/api/v1/calendars", &json!({ "text": text }))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{text}: {v}");
        assert_eq!(fields(&v), [("text".into(), "calendar.invalid".into())]);
        assert!(message(&v, "text").contains(needle), "{needle}: {v}");
    }
    let (st, v) = s
        .post(&admin, "/api/v1/calendars", &json!({ "text": "  " }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), [("text".into(), "required".into())]);
    let (st, v) = s
        .post(&admin, "/api/v1/calendars", &json!({ "text": 5 }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), [("text".into(), "string".into())]);
    assert_eq!(s.audit_seq().await, seq0, "refused uploads change nothing");
    let (st, _) = s.compute(&legal, question.clone()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // A valid 2027: stored, audited and used at once.
    let (st, v) = s
        .post(&admin, "/api/v1/calendars", &json!({ "text": CAL_2027 }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["year"], 2027);
    assert_eq!(v["builtin"], false);
    assert_eq!(v["holidays"][1]["makeup_workdays"][0], "2027-09-26");
    let entries = s.app.store.audit_entries(seq0, 10).await.expect("audit");
    assert_eq!(entries.len(), 1);
    let e = &entries[0].record;
    assert_eq!(
        (
            e.action.as_str(),
            e.object_type.as_str(),
            e.object_id.as_str()
        ),
        ("calendar.upload", "calendar", "2027")
    );
    assert_eq!(e.actor, "admin");

    // 2026-12-31 + 1 day: 2027-01-01 is New Year's Day (to 01-03), so it ends with 01-04.
    let (st, v) = s.compute(&legal, question.clone()).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    assert!(kinds(&v).contains(&"roll_over".to_string()));
    let (_, cals) = s.get(&legal, "/api/v1/calendars").await;
    let last = &cals["years"][2];
    assert_eq!(last["year"], 2027);
    assert_eq!(last["builtin"], false);
    assert_eq!(last["origin"], "upload");
    assert!(last["uploaded_by"].as_str().is_some_and(|n| !n.is_empty()));

    // The other instance answers for 2027 too: an unknown year makes it look again.
    let r = s
        .http
        .post(format!("{other_base}/api/v1/deadlines/compute"))
        .bearer_auth(&legal)
        .json(&question)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    assert!(other.deadlines.current().uploaded.contains_key(&2027));

    // A second App on the same database loads the stored year at start.
    let again = App::open(
        &s.db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .expect("reopen");
    let cal = again.deadlines.current();
    assert!(cal.calendars.year(2027).is_some());
    assert!(cal.uploaded.contains_key(&2027));
    assert!(cal.load_errors.is_empty());

    // Re-uploading replaces the year (one row) and is audited again.
    let changed = CAL_2027.replace("last = 2027-01-03", "last = 2027-01-01");
    let (st, _) = s
        .post(&admin, "/api/v1/calendars", &json!({ "text": changed }))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(s.app.store.list_calendars().await.expect("list").len(), 1);
    let (_, v) = s.compute(&legal, question).await;
    // 2027-01-02/03 are now a plain weekend: still rolls over to Monday 01-04.
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    let (_, v) = s
        .compute(
            &legal,
            json!({ "start": "2026-12-30T10:00:00+08:00", "period": "2d" }),
        )
        .await;
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    assert_eq!(s.audit_seq().await, seq0 + 2);
}

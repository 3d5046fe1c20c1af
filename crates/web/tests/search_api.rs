//! Issue 9, item 10: `GET /api/v1/incidents?q=…` — an incident filed through the API is
//! findable within seconds (the indexer that `serve` runs), combined with the list's
//! filters, only within the caller's scope, and a bad term is a field-level 422 that
//! changes nothing. Runs on SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use std::time::{Duration, Instant};

use common::*;

use reqwest::StatusCode;
use serde_json::{Value, json};

fn filing() -> Value {
    json!({
        "category": "criminal.theft",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000" },
        "narrative": "报警人称店里的貔貅摆件被盗，联系电话13912345678。"
    })
}

/// Waits until `path` lists `n` incidents (at most 5 s); answers the list.
async fn until_total(s: &Server, t: &str, path: &str, n: i64) -> Value {
    let start = Instant::now();
    loop {
        let (st, v) = s.get(t, path).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        if v["total"] == n {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{path}: {} after 5 s, want {n}",
            v["total"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filed_incident_is_found_within_seconds_with_the_filters_and_only_in_scope() {
    let s = start(30).await;
    let t = s.login("s1.desk").await;
    let (st, v) = s.post(&t, "/api/v1/incidents", &filing()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();

    let v = until_total(&s, &t, "/api/v1/incidents?q=貔貅", 1).await;
    assert_eq!(v["items"][0]["id"], id.as_str());
    // The narrative is shown masked, as in every list.
    assert!(
        v["items"][0]["narrative"]
            .as_str()
            .unwrap()
            .contains("139****5678"),
        "{v}"
    );
    for (path, n) in [
        ("/api/v1/incidents?q=貔貅&status=registered", 1),
        ("/api/v1/incidents?q=貔貅&status=open", 1),
        ("/api/v1/incidents?q=貔貅&status=closed", 0),
        ("/api/v1/incidents?q=貔貅&category=criminal", 1),
        ("/api/v1/incidents?q=貔貅&category=traffic", 0),
        ("/api/v1/incidents?q=貔貅摆件被盗", 1),
        ("/api/v1/incidents?q=貔貅%20人民路", 1),
        ("/api/v1/incidents?q=貔貅%20解放路", 0),
        // Phone numbers are not searchable, whole or in part.
        ("/api/v1/incidents?q=13912345678", 0),
        ("/api/v1/incidents?q=1234", 0),
    ] {
        let (st, v) = s.get(&t, path).await;
        assert_eq!(st, StatusCode::OK, "{path}: {v}");
        assert_eq!(v["total"], n, "{path}: {v}");
    }
    // The empty box of the list page's form means no search.
    let (st, v) = s.get(&t, "/api/v1/incidents?q=").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["total"].as_i64().unwrap() > 1);

    // Another station's officer and chief find nothing of S01's; a partner may not list.
    for who in ["s2.desk", "s2.chief"] {
        let t2 = s.login(who).await;
        let (st, v) = s.get(&t2, "/api/v1/incidents?q=貔貅").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 0, "{who}");
        assert!(v["items"].as_array().unwrap().is_empty());
    }
    let unit = s.unit_id("S01").await;
    let t2 = s.login("s2.desk").await;
    let (_, v) = s
        .get(&t2, &format!("/api/v1/incidents?q=貔貅&unit_id={unit}"))
        .await;
    assert_eq!(v["total"], 0, "naming the unit widens nothing");
    let partner = s.login("street1").await;
    let (st, _) = s.get(&partner, "/api/v1/incidents?q=貔貅").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The command centre sees the whole bureau.
    let command = s.login("command").await;
    let (_, v) = s
        .get(
            &command,
            &format!("/api/v1/incidents?q=貔貅&unit_id={unit}"),
        )
        .await;
    assert_eq!(v["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_search_terms_are_field_level_422_and_change_nothing() {
    let s = start(10).await;
    let t = s.login("s1.desk").await;
    let before = s.audit_seq().await;
    let long = "盗".repeat(500);
    for (path, code) in [
        ("/api/v1/incidents?q=盗".to_string(), "q.too_short"),
        (format!("/api/v1/incidents?q={long}"), "q.too_long"),
        (
            "/api/v1/incidents?q=电瓶%20车".to_string(),
            "q.term_too_short",
        ),
        (
            "/api/v1/incidents?q=%E2%80%AE%E7%94%B5%E7%93%B6".to_string(),
            "text.bidi",
        ),
    ] {
        let (st, v) = s.get(&t, &path).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(fields(&v), [("q".into(), code.into())], "{path}");
    }
    // Several problems at once, each on its field.
    let (st, v) = s.get(&t, "/api/v1/incidents?q=盗&status=lost&qq=1").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let mut f = fields(&v);
    f.sort();
    assert_eq!(
        f,
        [
            ("q".into(), "q.too_short".into()),
            ("qq".into(), "unknown_parameter".into()),
            ("status".into(), "status.unknown".into()),
        ]
    );
    // Paging beyond the first 10,000 results is refused on `page`.
    let (st, v) = s
        .get(&t, "/api/v1/incidents?q=电瓶&page=101&per_page=100")
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [("page".into(), "page.search_window".into())]);
    // The English message for an English client.
    let r = s
        .http
        .get(s.url("/api/v1/incidents?q=盗"))
        .bearer_auth(&t)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least 2 characters"),
        "{v}"
    );
    assert_eq!(s.audit_seq().await, before, "nothing was written");
}

//! Incident statistics over HTTP: the contract's path, the CSV file, field-level errors
//! in both languages, and what another station, a partner and no session get. Runs on
//! SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use reqwest::StatusCode;

const PATH: &str = "/api/v1/statistics/incidents";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_sees_every_station_and_a_station_its_own() {
    // 400 demo incidents over the 366 days before 2026-11-22.
    let s = start(400).await;
    let cc = s.login("command").await;
    let (st, v) = s
        .get(
            &cc,
            &format!("{PATH}?from=2025-11-01&to=2026-11-22&group_by=unit,category,month"),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let total = v["totals"]["incidents"].as_i64().unwrap();
    assert_eq!(total, s.app.store.count_incidents().await.unwrap());
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["incidents"].as_i64().unwrap())
            .sum::<i64>(),
        total
    );
    assert!(
        rows.iter()
            .all(|r| r["period"].as_str().unwrap().len() == 7),
        "yyyy-mm"
    );
    let units: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["unit_id"].as_str().unwrap())
        .collect();
    assert!(units.len() > 1, "several stations");
    assert_eq!(v["heat"].as_array().unwrap().len(), 168);

    // A station's desk: only its own, whatever it asks.
    let s01 = s.unit_id("S01").await;
    let s02 = s.unit_id("S02").await;
    let desk = s.login("s1.desk").await;
    let (st, own) = s
        .get(
            &desk,
            &format!("{PATH}?from=2025-11-01&to=2026-11-22&group_by=unit"),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{own}");
    assert!(
        own["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["unit_id"] == s01.as_str())
    );
    let (st, e) = s.get(&desk, &format!("{PATH}?unit_id={s02}")).await;
    assert_eq!(
        (st, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_id".into(), "unit.unknown".into())]
        )
    );

    // The CSV file: the same rows with a heading, Chinese by default.
    let r =
        s.http
            .get(s.url(
                "/api/v1/statistics/incidents/export?from=2025-11-01&to=2026-11-22&group_by=unit",
            ))
            .bearer_auth(&cc)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = r.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}单位,警情数,去年同期,按时到场,超时到场"
    );
    let sum: i64 = lines
        .map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_are_field_errors_and_partners_get_nothing() {
    let s = start(0).await;
    let cc = s.login("command").await;
    for (q, want) in [
        ("from=2026-02-30", ("from", "date.format")),
        ("from=2026-11-02&to=2026-11-01", ("to", "date.before_from")),
        ("group_by=unit,hour", ("group_by", "group_by.unknown")),
        ("category=nope", ("category", "category.unknown")),
        ("unit=x", ("unit", "unknown_parameter")),
        ("unit_id=not-a-uuid", ("unit_id", "unit.unknown")),
    ] {
        let (st, v) = s.get(&cc, &format!("{PATH}?{q}")).await;
        assert_eq!(
            (st, fields(&v)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![(want.0.into(), want.1.into())]
            ),
            "{q}"
        );
    }
    let r = s
        .http
        .get(s.url(&format!("{PATH}?group_by=day,week")))
        .bearer_auth(&cc)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("one time period"),
        "{v}"
    );

    let street = s.login("street1").await;
    let (st, _) = s.get(&street, PATH).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("", PATH).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

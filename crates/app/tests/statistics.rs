//! Incident statistics (警情统计): figures from the rollups the writes keep, the scopes
//! of each role, and field-level refusals of bad queries.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::AppError;
use frontline_app::incident::{IncidentRequest, StatisticsQuery, TransitionRequest};
use frontline_core::Lang;
use frontline_core::org::{Actor, AreaType};
use frontline_store::IncidentRow;
use serde_json::json;

use common::Env;

fn q(from: &str, to: &str, group_by: &str) -> StatisticsQuery {
    StatisticsQuery {
        from: Some(from.into()),
        to: Some(to.into()),
        group_by: Some(group_by.into()),
        ..StatisticsQuery::default()
    }
}

fn codes<T: std::fmt::Debug>(r: frontline_app::Result<T>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Validation(errs)) => errs
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn file(
    e: &Env,
    desk: &Actor,
    at: &str,
    category: &str,
    district: Option<String>,
) -> IncidentRow {
    let mut body = json!({
        "reported_at": at,
        "category": category,
        "address": "城关镇人民路1号",
        "caller": {"name": "李某", "phone": "13912345678"},
        "narrative": "报警人称店门口发生纠纷。",
    });
    if let Some(d) = district {
        body["district_id"] = json!(d);
    }
    e.app
        .create_incident(desk, &IncidentRequest::read(body).unwrap())
        .await
        .unwrap()
}

/// Dispatches and records arrival now (the fixed clock's 12:00).
async fn reach(e: &Env, desk: &Actor, row: &IncidentRow) -> IncidentRow {
    let crew = e.app.dispatch_candidates(desk, row.unit_id).await.unwrap();
    let row = e
        .app
        .transition_incident(
            desk,
            row.id,
            &TransitionRequest::read(
                json!({"action": "dispatch", "version": row.state.version, "officers": [crew[0].id.to_string()]}),
            ),
        )
        .await
        .unwrap();
    e.app
        .transition_incident(
            desk,
            row.id,
            &TransitionRequest::read(json!({
                "action": "arrive",
                "version": row.state.version,
            })),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_targets_and_a_year_earlier_for_the_bureau_and_one_station() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let desk2 = e.actor("s2.desk").await;
    let cc = e.actor("command").await;
    let chief1 = e.actor("s1.chief").await;
    let urban = e
        .app
        .org
        .districts_of(desk1.unit_id)
        .into_iter()
        .find(|d| d.area_type == AreaType::Urban)
        .unwrap();
    // The clock stands at 2026-11-22 12:00 Beijing time.
    let a = file(
        &e,
        &desk1,
        "2026-11-22T11:56:00+08:00",
        "criminal.robbery",
        Some(urban.id.to_string()),
    )
    .await;
    let b = file(
        &e,
        &desk1,
        "2026-11-22T11:50:00+08:00",
        "criminal.robbery",
        Some(urban.id.to_string()),
    )
    .await;
    file(
        &e,
        &desk1,
        "2026-11-03T09:00:00+08:00",
        "dispute.neighbour",
        None,
    )
    .await;
    file(
        &e,
        &desk2,
        "2026-11-10T21:00:00+08:00",
        "criminal.theft",
        None,
    )
    .await;
    // A year earlier (intake may be dated back up to 366 days).
    file(
        &e,
        &desk1,
        "2025-11-24T10:00:00+08:00",
        "dispute.neighbour",
        None,
    )
    .await;
    // Reached 4 minutes after the call (in time) and 10 minutes after it (late).
    reach(&e, &desk1, &a).await;
    reach(&e, &desk1, &b).await;

    let v = e
        .app
        .incident_statistics(
            &cc,
            &q("2026-11-01", "2026-11-30", "unit,top_category"),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert_eq!(v.totals.incidents, 4);
    assert_eq!(v.totals.previous_year, 1);
    assert_eq!(v.totals.change_year_pct, Some(300.0));
    assert_eq!((v.totals.target_met, v.totals.target_missed), (1, 1));
    assert_eq!(v.totals.target_met_pct, Some(50.0));
    let s1_criminal = v
        .rows
        .iter()
        .find(|r| r.unit_id == Some(desk1.unit_id) && r.category.as_deref() == Some("criminal"))
        .unwrap();
    assert_eq!(s1_criminal.incidents, 2);
    assert_eq!(s1_criminal.category_name.as_deref(), Some("刑事"));
    let s1_dispute = v
        .rows
        .iter()
        .find(|r| r.unit_id == Some(desk1.unit_id) && r.category.as_deref() == Some("dispute"))
        .unwrap();
    assert_eq!((s1_dispute.incidents, s1_dispute.previous_year), (1, 1));
    // The heat map has every hour of the week; the series every day of the range.
    assert_eq!(v.heat.len(), 168);
    assert_eq!(v.heat.iter().map(|c| c.incidents).sum::<i64>(), 4);
    assert_eq!(v.series.len(), 30);
    assert_eq!(v.series_period, "day");
    // Response times: two dispatched and reached at s1, medians from the buckets.
    let s1 = v
        .response
        .iter()
        .find(|r| r.unit_id == Some(desk1.unit_id))
        .unwrap();
    assert_eq!((s1.dispatched, s1.arrived), (2, 2));
    assert!(s1.dispatch_median_secs.is_some());
    let all = v.response.last().unwrap();
    assert_eq!(all.unit_id, None);
    assert_eq!(all.target_met + all.target_missed, 2);

    // The station chief sees the station only, whatever is asked.
    let own = e
        .app
        .incident_statistics(&chief1, &q("2026-11-01", "2026-11-30", "unit"), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(own.totals.incidents, 3);
    assert!(own.rows.iter().all(|r| r.unit_id == Some(desk1.unit_id)));
    assert!(
        own.by_unit
            .iter()
            .all(|s| s.key == desk1.unit_id.to_string())
    );
    let other = StatisticsQuery {
        unit_id: Some(desk2.unit_id.to_string()),
        ..q("2026-11-01", "2026-11-30", "unit")
    };
    assert_eq!(
        codes(e.app.incident_statistics(&chief1, &other, Lang::Zh).await),
        vec![("unit_id".to_string(), "unit.unknown".to_string())]
    );
    // The command centre may narrow to one station and one category.
    let narrowed = StatisticsQuery {
        unit_id: Some(desk2.unit_id.to_string()),
        category: Some("criminal.theft".into()),
        ..q("2026-11-01", "2026-11-30", "category,month")
    };
    let n = e
        .app
        .incident_statistics(&cc, &narrowed, Lang::En)
        .await
        .unwrap();
    assert_eq!(n.totals.incidents, 1);
    assert_eq!(n.rows[0].period.as_deref(), Some("2026-11"));
    assert_eq!(n.rows[0].category_name.as_deref(), Some("Theft"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_have_no_statistics_and_bad_queries_are_refused_per_field() {
    let e = common::start().await;
    let street = e.actor("street1").await;
    assert!(matches!(
        e.app
            .incident_statistics(&street, &StatisticsQuery::default(), Lang::Zh)
            .await,
        Err(AppError::Forbidden)
    ));
    let cc = e.actor("command").await;
    let bad = |from: &str, to: &str, g: &str| q(from, to, g);
    for (query, want) in [
        (
            bad("2026-13-01", "2026-11-30", "unit"),
            ("from", "date.format"),
        ),
        (
            bad("2026-11-30", "2026-11-01", "unit"),
            ("to", "date.before_from"),
        ),
        (
            bad("2016-01-01", "2026-11-30", "unit"),
            ("to", "statistics.range"),
        ),
        (
            bad("2026-11-01", "2026-11-30", "unit,station"),
            ("group_by", "group_by.unknown"),
        ),
        (
            bad("2026-11-01", "2026-11-30", "day,month"),
            ("group_by", "group_by.periods"),
        ),
        (
            bad("2026-11-01", "2026-11-30", "category,top_category"),
            ("group_by", "group_by.categories"),
        ),
        (
            bad("1900-01-01", "2026-11-30", "unit"),
            ("from", "date.range"),
        ),
    ] {
        assert_eq!(
            codes(e.app.incident_statistics(&cc, &query, Lang::Zh).await),
            vec![(want.0.to_string(), want.1.to_string())],
            "{query:?}"
        );
    }
    let mut unknown = q("2026-11-01", "2026-11-30", "unit");
    unknown.other.insert("units".into(), "x".into());
    unknown.category = Some("nope".into());
    let mut got = codes(e.app.incident_statistics(&cc, &unknown, Lang::Zh).await);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("category".to_string(), "category.unknown".to_string()),
            ("units".to_string(), "unknown_parameter".to_string())
        ]
    );
    // Defaults: this year to today, by unit and month.
    let v = e
        .app
        .incident_statistics(&cc, &StatisticsQuery::default(), Lang::Zh)
        .await
        .unwrap();
    assert_eq!(v.range.from.to_string(), "2026-01-01");
    assert_eq!(v.range.to.to_string(), "2026-11-22");
    assert!(v.group_by.unit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_year_range_draws_its_series_by_month() {
    let e = common::start().await;
    let cc = e.actor("command").await;
    let desk = e.actor("s1.desk").await;
    file(
        &e,
        &desk,
        "2026-11-20T10:00:00+08:00",
        "dispute.neighbour",
        None,
    )
    .await;
    // Five years by day, unit and sub-category could be millions of rows; with one
    // incident it is one row, which is fine: the limit is on rows answered.
    let v = e
        .app
        .incident_statistics(
            &cc,
            &q("2021-11-23", "2026-11-22", "unit,category,day"),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert_eq!(v.rows.len(), 1);
    assert_eq!(v.series_period, "month");
    assert_eq!(v.series.len(), 61);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_year_is_counted_after_its_load() {
    let e = common::start().await;
    // `start` loads the demo organisation without incidents; a small demo year on a
    // fresh database is counted by the rebuild at the end of the load.
    let db = frontline_store::testing::fresh().await.unwrap();
    let app = frontline_app::App::open(
        &db.config,
        std::sync::Arc::new(frontline_app::FixedClock::new(common::now0())),
        frontline_app::AppConfig::for_tests(),
    )
    .await
    .unwrap();
    app.load_demo(common::now0(), 3_000).await.unwrap();
    common::admin_without_second_factor(&app).await;
    let (_, session) = app
        .login("command", frontline_app::demo::DEMO_PASSWORD, "test")
        .await
        .unwrap();
    let v = app
        .incident_statistics(
            &session.actor,
            &q("2025-01-01", "2026-12-31", "unit"),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert_eq!(
        v.totals.incidents,
        app.store.count_incidents().await.unwrap()
    );
    assert!(
        v.totals.target_met > v.totals.target_missed,
        "{:?}",
        v.totals
    );
    assert!(v.response.last().unwrap().arrival_median_secs.is_some());
    drop(e);
}

//! The demo's cases: converted criminal incidents taken over as criminal cases, the
//! stations' public-order cases, every state a case can be in, and at every station a
//! deadline due soon (the board is never empty on the demo), some overdue with their
//! advice letters.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]

mod common;

use std::sync::Arc;

use frontline_app::case::{CaseListQuery, DeadlineQuery};
use frontline_app::{App, AppConfig, FixedClock};
use frontline_core::Lang;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_cases_in_every_state_and_a_board_at_every_station() {
    let db = frontline_store::testing::fresh().await.unwrap();
    let app = App::open(
        &db.config,
        Arc::new(FixedClock::new(common::now0())),
        AppConfig::for_tests(),
    )
    .await
    .unwrap();
    app.load_demo(common::now0(), 5_000).await.unwrap();
    common::admin_without_second_factor(&app).await;
    let e = common::Env { app, db };
    let leader = e.actor("leader").await;
    let count = |status: &str, kind: &str| {
        let q = CaseListQuery {
            status: Some(status.into()),
            kind: Some(kind.into()),
            ..CaseListQuery::default()
        };
        let app = &e.app;
        let leader = &leader;
        async move { app.list_cases(leader, &q, Lang::Zh).await.unwrap().total }
    };
    for (kind, statuses) in [
        ("criminal", &["investigating", "referred", "closed"][..]),
        ("administrative", &["investigating", "closed"][..]),
    ] {
        for s in statuses {
            assert!(count(s, kind).await > 0, "a {kind} case that is {s}");
        }
    }
    for i in 1..=3 {
        let chief = e.actor(&format!("s{i}.chief")).await;
        let b = e
            .app
            .deadline_board(&chief, &DeadlineQuery::default(), Lang::Zh)
            .await
            .unwrap();
        assert!(b.due_soon > 0, "station {i}: {} due soon", b.due_soon);
    }
    let b = e
        .app
        .deadline_board(
            &leader,
            &DeadlineQuery {
                state: Some("overdue".into()),
                ..DeadlineQuery::default()
            },
            Lang::Zh,
        )
        .await
        .unwrap();
    assert!(b.overdue > 0);
    let mut letters = 0;
    for item in &b.items {
        letters += e
            .app
            .store
            .case_advice_letters(item.case_id)
            .await
            .unwrap()
            .len();
    }
    assert!(
        letters > 0,
        "the long-overdue ones have their advice letters"
    );
    // Penalty decisions: in force with their numbers (mostly following the
    // recommendation, some departures with reasons), and proposals awaiting review.
    let legal = e.actor("legal").await;
    let report = e
        .app
        .penalty_consistency(
            &legal,
            &frontline_app::case::decision::ConsistencyQuery::default(),
            Lang::Zh,
        )
        .await
        .unwrap();
    assert!(report.total > 50, "{} decided", report.total);
    assert!(report.departed > 0, "some depart");
    assert!(
        report.departed_pct < 40,
        "most follow: {}%",
        report.departed_pct
    );
    assert!(report.rows.len() >= 3, "several kinds of act");
    let queue = e.app.penalty_review_queue(&legal, Lang::Zh).await.unwrap();
    assert!(!queue.items.is_empty(), "the legal reviewer has work");
}

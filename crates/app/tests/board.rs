//! The live board: the initial state by role and scope, and the change feed: a change
//! reaches a subscriber in scope and never one outside it; on PostgreSQL a change made
//! through one instance reaches a board of another, and a rolled-back step announces
//! nothing. Runs on SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use frontline_app::incident::{BoardEvent, BoardSubscription, IncidentRequest, TransitionRequest};
use frontline_app::{App, AppConfig, AppError, FixedClock};
use frontline_core::Lang;
use frontline_core::incident::lifecycle::Status;
use serde_json::json;

fn intake(category: &str) -> IncidentRequest {
    IncidentRequest::read(json!({
        "category": category,
        "address": "青禾县城关镇人民路66号",
        "caller": { "name": "李建国", "phone": "13912345678" },
        "narrative": "烧烤店门口有人打架，报警人电话13912345678。"
    }))
    .unwrap()
}

async fn next_row(sub: &mut BoardSubscription) -> frontline_app::incident::BoardRow {
    match tokio::time::timeout(Duration::from_secs(5), sub.next()).await {
        Ok(Some(BoardEvent::Row(r))) => *r,
        other => panic!("expected a board row, got {other:?}"),
    }
}

async fn nothing_more(sub: &mut BoardSubscription) {
    if let Ok(e) = tokio::time::timeout(Duration::from_millis(400), sub.next()).await {
        panic!("expected nothing, got {e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_lists_open_incidents_by_state_within_the_scope() {
    let env = start().await;
    let desk1 = env.actor("s1.desk").await;
    let desk2 = env.actor("s2.desk").await;
    let cc = env.actor("command").await;
    let a = env
        .app
        .create_incident(&desk1, &intake("public_order.fight"))
        .await
        .unwrap();
    let b = env
        .app
        .create_incident(&desk2, &intake("public_order.fight"))
        .await
        .unwrap();
    let crew = env
        .app
        .dispatch_candidates(&desk1, a.unit_id)
        .await
        .unwrap();
    env.app
        .transition_incident(
            &desk1,
            a.id,
            &TransitionRequest::read(
                json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]}),
            ),
        )
        .await
        .unwrap();
    let board = env.app.board(&desk1, Lang::Zh).await.unwrap();
    let states: Vec<Status> = board.groups.iter().map(|g| g.status).collect();
    assert_eq!(
        states,
        [
            Status::Registered,
            Status::Dispatched,
            Status::OnScene,
            Status::Disposed
        ]
    );
    assert_eq!(board.total, 1);
    assert_eq!(board.groups[1].items.len(), 1);
    let row = &board.groups[1].items[0];
    assert_eq!(row.id, a.id);
    assert_eq!(row.version, 2);
    assert!(row.open);
    assert!(!row.address.contains("13912345678"));
    assert!(
        board
            .groups
            .iter()
            .flat_map(|g| &g.items)
            .all(|r| r.id != b.id),
        "another station's incident is not on station 1's board"
    );
    let all = env.app.board(&cc, Lang::En).await.unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.groups[0].status_name, "Awaiting dispatch");
    let chief = env.actor("s1.chief").await;
    assert_eq!(env.app.board(&chief, Lang::Zh).await.unwrap().total, 1);
    for who in ["leader", "s1.community", "street1", "admin"] {
        let actor = env.actor(who).await;
        assert!(
            matches!(
                env.app.board(&actor, Lang::Zh).await,
                Err(AppError::Forbidden)
            ),
            "{who}"
        );
        assert!(matches!(
            env.app.subscribe_board(&actor, Lang::Zh).await,
            Err(AppError::Forbidden)
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_a_board_in_scope_and_never_one_outside_it() {
    let env = start().await;
    let desk1 = env.actor("s1.desk").await;
    let desk2 = env.actor("s2.desk").await;
    let cc = env.actor("command").await;
    let mut own = env.app.subscribe_board(&desk1, Lang::Zh).await.unwrap();
    let mut other = env.app.subscribe_board(&desk2, Lang::Zh).await.unwrap();
    let mut centre = env.app.subscribe_board(&cc, Lang::Zh).await.unwrap();
    let row = env
        .app
        .create_incident(&desk1, &intake("public_order.fight"))
        .await
        .unwrap();
    let seen = next_row(&mut own).await;
    assert_eq!(
        (seen.id, seen.version, seen.status),
        (row.id, 1, Status::Registered)
    );
    assert!(!seen.address.contains("13912345678"));
    assert_eq!(next_row(&mut centre).await.id, row.id);
    // A step is announced too, with the row after it.
    let crew = env
        .app
        .dispatch_candidates(&desk1, row.unit_id)
        .await
        .unwrap();
    env.app
        .transition_incident(
            &desk1,
            row.id,
            &TransitionRequest::read(
                json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]}),
            ),
        )
        .await
        .unwrap();
    let seen = next_row(&mut own).await;
    assert_eq!((seen.version, seen.status), (2, Status::Dispatched));
    assert_eq!(next_row(&mut centre).await.version, 2);
    // A refused step (stale version) announces nothing.
    let stale = env
        .app
        .transition_incident(
            &desk1,
            row.id,
            &TransitionRequest::read(
                json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]}),
            ),
        )
        .await;
    assert!(
        matches!(stale, Err(AppError::StateConflict(_))),
        "{stale:?}"
    );
    nothing_more(&mut own).await;
    // Station 2's board heard nothing of station 1's incident.
    nothing_more(&mut other).await;
    // Its own incident it does hear.
    let row2 = env
        .app
        .create_incident(&desk2, &intake("public_order.fight"))
        .await
        .unwrap();
    assert_eq!(next_row(&mut other).await.id, row2.id);
    nothing_more(&mut own).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_incident_created_through_one_instance_reaches_a_board_of_another() {
    let env = start().await;
    if env.app.store.engine() != "postgres" {
        // One SQLite file has one instance; covered by the test above.
        return;
    }
    let clock = Arc::new(FixedClock::new(now0()));
    let a = App::open(&env.db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    let b = App::open(&env.db.config, clock, AppConfig::for_tests())
        .await
        .unwrap();
    let desk1 = env.actor("s1.desk").await;
    let desk2 = env.actor("s2.desk").await;
    let cc = env.actor("command").await;
    let mut centre_b = b.subscribe_board(&cc, Lang::Zh).await.unwrap();
    let mut desk2_b = b.subscribe_board(&desk2, Lang::Zh).await.unwrap();
    let mut centre_a = a.subscribe_board(&cc, Lang::Zh).await.unwrap();
    let row = a
        .create_incident(&desk1, &intake("public_order.fight"))
        .await
        .unwrap();
    let seen = next_row(&mut centre_b).await;
    assert_eq!((seen.id, seen.version), (row.id, 1));
    // The writing instance hears its own change through the same LISTEN.
    assert_eq!(next_row(&mut centre_a).await.id, row.id);
    nothing_more(&mut desk2_b).await;
    // A step through B reaches A's board.
    let crew = b.dispatch_candidates(&desk1, row.unit_id).await.unwrap();
    b.transition_incident(
        &desk1,
        row.id,
        &TransitionRequest::read(
            json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(next_row(&mut centre_a).await.status, Status::Dispatched);
    assert_eq!(next_row(&mut centre_b).await.version, 2);
    // A step that fails inside its transaction (an officer of another unit is refused
    // before; a stale version inside the store) announces nothing.
    let stale = a
        .transition_incident(
            &desk1,
            row.id,
            &TransitionRequest::read(
                json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]}),
            ),
        )
        .await;
    assert!(stale.is_err());
    nothing_more(&mut centre_a).await;
    nothing_more(&mut centre_b).await;
    nothing_more(&mut desk2_b).await;

    // Two instances race for one step: one wins (in the app's version check or in the
    // store's versioned update, whose loser's transaction rolls back); one event only.
    let arrive = TransitionRequest::read(json!({"action": "arrive", "version": 2}));
    let (ra, rb) = tokio::join!(
        a.transition_incident(&desk1, row.id, &arrive),
        b.transition_incident(&desk1, row.id, &arrive)
    );
    assert_eq!(
        [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "one winner"
    );
    let seen = next_row(&mut centre_b).await;
    assert_eq!((seen.version, seen.status), (3, Status::OnScene));
    nothing_more(&mut centre_b).await;
}

//! The outbox end to end: a dispatch reaches the officers' inboxes, the SMS gateway and
//! the webhook get each message once under its idempotency key, a failing gateway is
//! retried with back-off, and two instances on one database neither lose nor repeat a
//! message. Runs on SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests stop loudly"
)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use frontline_app::incident::{IncidentRequest, TransitionRequest};
use frontline_app::{App, AppConfig, AppError, FixedClock};
use frontline_core::Lang;
use serde_json::json;

/// A fake SMS gateway / webhook: counts each idempotency key, answers 503 to the first
/// `fail_first` requests.
#[derive(Clone, Default)]
struct Gateway {
    seen: Arc<Mutex<HashMap<String, usize>>>,
    fail_first: Arc<Mutex<usize>>,
}

async fn gateway(g: Gateway) -> String {
    let app = axum::Router::new().route(
        "/",
        post(move |headers: HeaderMap, _body: String| {
            let g = g.clone();
            async move {
                {
                    let mut f = g.fail_first.lock().unwrap();
                    if *f > 0 {
                        *f -= 1;
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                }
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                *g.seen.lock().unwrap().entry(key).or_default() += 1;
                StatusCode::OK
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    url
}

fn intake() -> IncidentRequest {
    IncidentRequest::read(json!({
        "category": "public_order.fight",
        "address": "青禾县城关镇人民路66号",
        "caller": { "name": "李建国", "phone": "13912345678" },
        "narrative": "烧烤店门口有人打架。"
    }))
    .unwrap()
}

fn step(v: serde_json::Value) -> TransitionRequest {
    TransitionRequest::read(v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatch_reaches_the_inboxes_of_the_officers_sent_and_no_one_else() {
    let env = start().await;
    let desk = env.actor("s1.desk").await;
    let row = env.app.create_incident(&desk, &intake()).await.unwrap();
    let crew = env
        .app
        .dispatch_candidates(&desk, row.unit_id)
        .await
        .unwrap();
    let sent = crew.iter().find(|c| c.id != desk.officer_id).unwrap().id;
    env.app
        .transition_incident(
            &desk,
            row.id,
            &step(json!({"action": "dispatch", "version": 1, "officers": [sent.to_string()]})),
        )
        .await
        .unwrap();
    // Written with the step, delivered by the dispatcher (here one round by hand).
    assert_eq!(env.app.store.outbox_counts().await.unwrap().pending, 1);
    assert_eq!(env.app.deliver_due().await.unwrap(), 1);
    assert_eq!(env.app.store.outbox_counts().await.unwrap().delivered, 1);
    let inbox = env.app.store.notifications(sent, 10, 0).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].title_zh.starts_with("派警："),
        "{}",
        inbox[0].title_zh
    );
    assert_eq!(
        inbox[0].link.as_deref(),
        Some(format!("/incidents/{}", row.id).as_str())
    );
    // The desk officer who dispatched got nothing; a partner cannot mark it read.
    let mine = env.app.my_notifications(&desk, Lang::Zh).await.unwrap();
    assert!(mine.items.is_empty());
    assert_eq!(mine.unread, 0);
    let partner = env.actor("street1").await;
    assert!(
        env.app
            .my_notifications(&partner, Lang::Zh)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        env.app.mark_read(&partner, inbox[0].id).await,
        Err(AppError::NotFound)
    ));
}

async fn app_with(db: &frontline_store::testing::TestDb, clock: Arc<FixedClock>, url: &str) -> App {
    let config = AppConfig {
        sms_gateway_url: Some(url.to_string()),
        webhook_url: Some(url.to_string()),
        ..AppConfig::for_tests()
    };
    App::open(&db.config, clock, config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_gateway_is_retried_with_back_off_and_gets_each_message_once() {
    let env = start().await;
    let g = Gateway::default();
    *g.fail_first.lock().unwrap() = 1;
    let url = gateway(g.clone()).await;
    let clock = Arc::new(FixedClock::new(now0()));
    let app = app_with(&env.db, clock.clone(), &url).await;
    let desk = env.actor("s1.desk").await;
    let row = app.create_incident(&desk, &intake()).await.unwrap();
    let crew = app.dispatch_candidates(&desk, row.unit_id).await.unwrap();
    app.transition_incident(
        &desk,
        row.id,
        &step(json!({"action": "dispatch", "version": 1, "officers": [crew[0].id.to_string()]})),
    )
    .await
    .unwrap();
    // An inbox message and a webhook event; the gateway refuses the first POST.
    assert_eq!(app.deliver_due().await.unwrap(), 2);
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered), (1, 1), "{counts:?}");
    assert!(g.seen.lock().unwrap().is_empty());
    // Not due again before the back-off has passed.
    assert_eq!(app.deliver_due().await.unwrap(), 0);
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(app.deliver_due().await.unwrap(), 1);
    let seen = g.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen.values().copied().collect::<Vec<_>>(), [1]);
    assert!(
        seen.keys().all(|k| k == &format!("incident:{}:v2", row.id)),
        "{seen:?}"
    );
    assert_eq!(app.store.outbox_counts().await.unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_send_every_message_exactly_once() {
    let env = start().await;
    let g = Gateway::default();
    let url = gateway(g.clone()).await;
    let clock = Arc::new(FixedClock::new(now0()));
    let a = app_with(&env.db, clock.clone(), &url).await;
    let b = app_with(&env.db, clock.clone(), &url).await;
    let messages: Vec<_> = (0..150)
        .map(|i| {
            frontline_app::notify::to_sms(
                "13912345678",
                "您的报警已受理",
                format!("sms:{i}"),
                now0(),
            )
        })
        .collect();
    a.store.enqueue_messages(messages).await.unwrap();
    let run = |app: App| {
        tokio::spawn(async move {
            let mut n = 0;
            loop {
                let got = app.deliver_due().await.unwrap();
                if got == 0 {
                    break n;
                }
                n += got;
            }
        })
    };
    let (na, nb) = (run(a.clone()), run(b.clone()));
    let total = na.await.unwrap() + nb.await.unwrap();
    assert_eq!(total, 150, "every message claimed once");
    let seen = g.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 150, "none lost");
    assert!(seen.values().all(|&n| n == 1), "none sent twice");
    let counts = a.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered, counts.dead), (0, 150, 0));
}

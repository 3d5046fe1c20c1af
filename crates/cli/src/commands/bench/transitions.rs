//! `bench transitions`: lifecycle steps over HTTP. Incidents are filed in process first
//! (not measured); then each request dispatches a different one (`POST
//! /api/v1/incidents/{id}/transitions`, version 1), so clients never race each other
//! and every request is the full write path: read, checks, versioned update, timeline
//! row, outbox message, audit entry, one group commit.

use std::sync::Arc;
use std::time::Duration;

use frontline_app::incident::IncidentRequest;
use frontline_app::{App, AppConfig, SystemClock};
use serde_json::json;

use super::{drive, serve_in_process, sign_in};

pub(super) async fn transitions(
    clients: usize,
    dur: Duration,
    pg: Option<String>,
) -> anyhow::Result<()> {
    let (db, _dir) = super::intake::fresh_db(pg.as_deref()).await?;
    let app = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.load_demo(chrono::Utc::now(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = app.store.engine();
    // Enough incidents for 6,000 steps a second over the phase and the warm-up.
    let needed = 6_000 * (dur.as_secs() as usize + 3);
    let (_, session) = app
        .login("s1.desk", frontline_app::demo::DEMO_PASSWORD, "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = session.actor;
    let request = IncidentRequest::read(json!({
        "category": "public_order.fight",
        "address": "青禾县城关镇人民路66号",
        "caller": { "name": "王某", "phone": "13912345678" },
        "narrative": "报警人称烧烤店门口有人打架。",
    }))
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut fill = Vec::new();
    let per = needed.div_ceil(32);
    for _ in 0..32 {
        let (app, actor, request) = (app.clone(), actor.clone(), request.clone());
        fill.push(tokio::spawn(async move {
            let mut ids = Vec::with_capacity(per);
            for _ in 0..per {
                if let Ok(r) = app.create_incident(&actor, &request).await {
                    ids.push(r.id.to_string());
                }
            }
            ids
        }));
    }
    let mut ids = Vec::with_capacity(needed);
    for f in fill {
        ids.extend(f.await?);
    }
    let ids = Arc::new(ids);
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let auth = sign_in(&http, &base, "s1.desk").await?;
    let body = bytes::Bytes::from(
        json!({"action": "dispatch", "version": 1, "officers": [actor.officer_id]}).to_string(),
    );
    println!(
        "frontline bench transitions: engine={engine} clients={clients} phase={}s incidents={}",
        dur.as_secs(),
        ids.len()
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mk = || {
        let (http, auth, ids, body, base, next) = (
            http.clone(),
            auth.clone(),
            ids.clone(),
            body.clone(),
            base.clone(),
            next.clone(),
        );
        move |_i: u64| {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let url = ids
                .get(k)
                .map(|id| format!("{base}/api/v1/incidents/{id}/transitions"));
            let (http, auth, body) = (http.clone(), auth.clone(), body.clone());
            async move {
                let Some(url) = url else { return false };
                matches!(
                    http.post(url)
                        .header("authorization", auth)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await,
                    Ok(r) if r.status() == reqwest::StatusCode::OK
                )
            }
        }
    };
    drive(clients, Duration::from_secs(2), mk()).await?;
    let phase = drive(clients, dur, mk()).await?;
    let report = json!({
        "engine": engine,
        "clients": clients,
        "transitions": { "ok": phase.ok, "failed": phase.failed, "per_sec": phase.rate().round(),
            "p50_ms": phase.pct_ms(0.5), "p99_ms": phase.pct_ms(0.99), "max_ms": phase.pct_ms(1.0) },
    });
    println!(
        "transitions: {:.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} failed)",
        phase.rate(),
        phase.pct_ms(0.5),
        phase.pct_ms(0.99),
        phase.failed
    );
    println!("{report}");
    Ok(())
}

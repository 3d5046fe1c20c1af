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

use bytes::Bytes;
use hyper::StatusCode;

use super::client::{Prebuilt, Target, drive_light, http_ceiling};
use super::{serve_in_process, sign_in};

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
    // Each incident at its own address and caller: filed all at one address they would
    // all be repeats of each other, and every step's answer would carry the repeat list
    // (that measured the repeat lookup, ~1.4 ms of CPU per step, not the lifecycle).
    let request = |i: usize| {
        IncidentRequest::read(json!({
            "category": "public_order.fight",
            "address": format!("青禾县城关镇人民路{}号", i + 1),
            "caller": { "name": "王某", "phone": format!("139{:08}", i) },
            "narrative": "报警人称烧烤店门口有人打架。",
        }))
        .map_err(|e| anyhow::anyhow!("{e:?}"))
    };
    let mut fill = Vec::new();
    let per = needed.div_ceil(32);
    for t in 0..32 {
        let requests = (t * per..(t + 1) * per)
            .map(request)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (app, actor) = (app.clone(), actor.clone());
        fill.push(tokio::spawn(async move {
            let mut ids = Vec::with_capacity(requests.len());
            for request in &requests {
                if let Ok(r) = app.create_incident(&actor, request).await {
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
    let auth = sign_in(&reqwest::Client::new(), &base, "s1.desk").await?;
    let target = Target::new(&base, &auth)?;
    let body = Bytes::from(
        json!({"action": "dispatch", "version": 1, "officers": [actor.officer_id]}).to_string(),
    );
    // Every request dispatches its own incident: the requests are built before the run.
    let steps: Arc<Vec<Prebuilt>> = Arc::new(
        ids.iter()
            .map(|id| Prebuilt::post(&format!("/api/v1/incidents/{id}/transitions"), body.clone()))
            .collect::<anyhow::Result<_>>()?,
    );
    println!(
        "frontline bench transitions: engine={engine} clients={clients} phase={}s incidents={}",
        dur.as_secs(),
        steps.len()
    );
    let ceiling = http_ceiling(&target, clients, dur).await?;
    // One sequence over the warm-up and the phase, so that no incident is stepped twice.
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mk = || {
        let (steps, next) = (steps.clone(), next.clone());
        move |_i: u64| {
            steps
                .get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                .cloned()
        }
    };
    drive_light(
        &target,
        clients,
        Duration::from_secs(2),
        StatusCode::OK,
        mk(),
        |_| {},
    )
    .await?;
    let phase = drive_light(&target, clients, dur, StatusCode::OK, mk(), |_| {}).await?;
    let used = next.load(std::sync::atomic::Ordering::Relaxed);
    if used > steps.len() {
        anyhow::bail!(
            "ran out of incidents ({} filed): raise the fill",
            steps.len()
        );
    }
    let report = json!({
        "engine": engine,
        "clients": clients,
        "transitions": { "ok": phase.ok, "failed": phase.failed, "per_sec": phase.rate().round(),
            "p50_ms": phase.pct_ms(0.5), "p99_ms": phase.pct_ms(0.99), "max_ms": phase.pct_ms(1.0) },
        "http_ceiling": { "ok": ceiling.ok, "failed": ceiling.failed, "per_sec": ceiling.rate().round(),
            "p50_ms": ceiling.pct_ms(0.5), "p99_ms": ceiling.pct_ms(0.99) },
        "cpu": { "ceiling": ceiling.cpu_json(), "transitions": phase.cpu_json() },
        "ratio_transitions_to_ceiling": (phase.rate() / ceiling.rate() * 100.0).round() / 100.0,
    });
    println!(
        "ceiling:     {:.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} failed; authenticated no-op POST)",
        ceiling.rate(),
        ceiling.pct_ms(0.5),
        ceiling.pct_ms(0.99),
        ceiling.failed
    );
    println!(
        "transitions: {:.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} failed)",
        phase.rate(),
        phase.pct_ms(0.5),
        phase.pct_ms(0.99),
        phase.failed
    );
    println!("ceiling:     {}", ceiling.cpu_line());
    println!("transitions: {}", phase.cpu_line());
    println!(
        "transitions/ceiling ratio {:.2}",
        phase.rate() / ceiling.rate()
    );
    println!("{report}");
    Ok(())
}

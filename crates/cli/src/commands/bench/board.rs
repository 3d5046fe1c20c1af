//! `bench board`: how fast a new incident reaches the connected boards. `boards` SSE
//! clients (the command centre's account, so every incident is in scope) hold `GET
//! /api/v1/board/events` open; incidents are then filed over HTTP by `posters`
//! concurrent clients, each pausing `interval_ms` between its requests (a control room's
//! load, not a flood). For every (incident, board) pair the time from the POST's answer
//! to the event's arrival at that board is recorded (an event that arrives before the
//! client has read the answer counts as 0), as is the time from sending the POST. On
//! PostgreSQL the boards are connected to a second instance on the same database, so
//! the figure includes `pg_notify` → `LISTEN` between instances.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontline_app::{App, AppConfig, SystemClock};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::sync::mpsc;

use super::{serve_in_process, sign_in};

/// One board's stream: sends (incident id, arrival) for each `incident` event.
async fn board_client(
    url: String,
    auth: String,
    ready: tokio::sync::oneshot::Sender<()>,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut r = http
        .get(url)
        .header("authorization", auth)
        .send()
        .await?
        .error_for_status()?;
    let mut ready = Some(ready);
    let mut buf = String::new();
    while let Some(chunk) = r.chunk().await? {
        let at = Instant::now();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut event = "";
            let mut id = "";
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim();
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim();
                }
            }
            match event {
                "ready" => {
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                }
                "incident" => {
                    let incident = id.split(':').next().unwrap_or_default().to_string();
                    if arrivals.send((incident, at)).is_err() {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

pub(super) async fn board(
    boards: usize,
    incidents: usize,
    posters: usize,
    interval: Duration,
    pg: Option<String>,
) -> anyhow::Result<()> {
    let (db, _dir) = super::intake::fresh_db(pg.as_deref()).await?;
    let writer = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    writer
        .load_demo(chrono::Utc::now(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = writer.store.engine();
    let post_base = serve_in_process(&writer).await?;
    // PostgreSQL: the boards listen on another instance.
    let board_base = if engine == "postgres" {
        let reader = App::open(&db, Arc::new(SystemClock), AppConfig::default())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        serve_in_process(&reader).await?
    } else {
        post_base.clone()
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(posters)
        .build()?;
    let cc = sign_in(&http, &board_base, "command").await?;
    let desk = sign_in(&http, &post_base, "s1.desk").await?;
    println!(
        "frontline bench board: engine={engine} boards={boards} incidents={incidents} \
         posters={posters} interval={}ms instances={}",
        interval.as_millis(),
        if engine == "postgres" { 2 } else { 1 }
    );

    let (arrivals_tx, mut arrivals_rx) = mpsc::unbounded_channel();
    let mut readies = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..boards {
        let (ready, wait) = tokio::sync::oneshot::channel();
        readies.push(wait);
        clients.push(tokio::spawn(board_client(
            format!("{board_base}/api/v1/board/events"),
            cc.clone(),
            ready,
            arrivals_tx.clone(),
        )));
    }
    drop(arrivals_tx);
    for r in readies {
        tokio::time::timeout(Duration::from_secs(30), r).await??;
    }

    // id -> (sent, answered)
    let posted: Arc<Mutex<HashMap<String, (Instant, Instant)>>> = Arc::default();
    let body = bytes::Bytes::from(
        json!({
            "category": "public_order.fight",
            "address": "青禾县城关镇人民路66号",
            "caller": { "name": "王某", "phone": "13912345678" },
            "narrative": "报警人称烧烤店门口有人打架。",
        })
        .to_string(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    let per = incidents.div_ceil(posters.max(1));
    for _ in 0..posters.max(1) {
        let (http, desk, body, posted, url) = (
            http.clone(),
            desk.clone(),
            body.clone(),
            posted.clone(),
            format!("{post_base}/api/v1/incidents"),
        );
        tasks.push(tokio::spawn(async move {
            let mut failed = 0usize;
            for _ in 0..per {
                let sent = Instant::now();
                let r = http
                    .post(&url)
                    .header("authorization", &desk)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                let v: Option<serde_json::Value> = match r {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => r.json().await.ok(),
                    _ => None,
                };
                let answered = Instant::now();
                match v
                    .as_ref()
                    .and_then(|v| v.get("id"))
                    .and_then(|v| v.as_str())
                {
                    Some(id) => {
                        if let Ok(mut p) = posted.lock() {
                            p.insert(id.to_string(), (sent, answered));
                        }
                    }
                    None => failed += 1,
                }
                tokio::time::sleep(interval).await;
            }
            failed
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await?;
    }
    let post_elapsed = started.elapsed();
    // Collect what arrives, until every board has every incident or 5 s of silence.
    let expected = posted.lock().map(|p| p.len()).unwrap_or(0) * boards;
    let mut got: Vec<(String, Instant)> = Vec::with_capacity(expected);
    while got.len() < expected {
        match tokio::time::timeout(Duration::from_secs(5), arrivals_rx.recv()).await {
            Ok(Some(a)) => got.push(a),
            _ => break,
        }
    }
    for c in clients {
        c.abort();
    }
    let mut from_answer = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut from_send = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let posted = posted.lock().map(|p| p.clone()).unwrap_or_default();
    let mut delivered = 0usize;
    for (id, at) in &got {
        let Some((sent, answered)) = posted.get(id) else {
            continue;
        };
        delivered += 1;
        let a = at.saturating_duration_since(*answered).as_micros() as u64;
        let s = at.saturating_duration_since(*sent).as_micros() as u64;
        from_answer.record(a.max(1))?;
        from_send.record(s.max(1))?;
    }
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "posted {} incidents in {:.1}s ({} failed); {delivered} of {expected} board events arrived",
        posted.len(),
        post_elapsed.as_secs_f64(),
        failed
    );
    println!(
        "from the POST's answer: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        ms(&from_answer, 0.5),
        ms(&from_answer, 0.99),
        ms(&from_answer, 1.0)
    );
    println!(
        "from sending the POST:  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        ms(&from_send, 0.5),
        ms(&from_send, 0.99),
        ms(&from_send, 1.0)
    );
    let report = json!({
        "engine": engine,
        "boards": boards,
        "incidents": posted.len(),
        "failed_posts": failed,
        "expected_events": expected,
        "delivered_events": delivered,
        "from_answer": { "p50_ms": ms(&from_answer, 0.5), "p99_ms": ms(&from_answer, 0.99), "max_ms": ms(&from_answer, 1.0) },
        "from_send": { "p50_ms": ms(&from_send, 0.5), "p99_ms": ms(&from_send, 0.99), "max_ms": ms(&from_send, 1.0) },
    });
    println!("{report}");
    if delivered < expected {
        anyhow::bail!("{} board events never arrived", expected - delivered);
    }
    Ok(())
}

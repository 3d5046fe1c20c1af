//! `bench intake`: incident creation and reads over HTTP, then the engine's bare insert
//! loop for the same rows.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use frontline_app::{App, AppConfig, SystemClock};
use frontline_store::{DbConfig, IncidentEvent, IncidentState, NewIncident, testing::TempDir};
use serde_json::json;
use uuid::Uuid;

use bytes::Bytes;
use hyper::StatusCode;

use super::client::{Prebuilt, Target, drive_light, http_ceiling};
use super::{serve_in_process, sign_in};

/// A fresh database on the requested engine; the TempDir keeps SQLite's files alive.
pub(super) async fn fresh_db(pg: Option<&str>) -> anyhow::Result<(DbConfig, Option<TempDir>)> {
    match pg {
        Some(base) => {
            let name = format!("frontline_bench_{}", Uuid::now_v7().simple());
            let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await?;
            Ok((
                DbConfig::Postgres {
                    url: frontline_store::testing::with_database(base, &name),
                },
                None,
            ))
        }
        None => {
            let dir = TempDir::new("bench")?;
            Ok((
                DbConfig::Sqlite {
                    path: dir.path().join("frontline.db"),
                },
                Some(dir),
            ))
        }
    }
}

const CATEGORIES: [&str; 6] = [
    "criminal.theft",
    "dispute.neighbour",
    "public_order.fight",
    "assistance.locked_out",
    "traffic.accident_property",
    "lost_missing.lost_item",
];

fn body(i: u64) -> serde_json::Value {
    json!({
        "category": CATEGORIES.get((i % CATEGORIES.len() as u64) as usize).copied().unwrap_or_default(),
        "address": format!("青禾县城关镇人民路{}号", i % 300 + 1),
        "caller": { "name": "王某", "phone": format!("139{:08}", i % 100_000_000) },
        "narrative": "报警人称其停放在小区楼下的电动自行车被盗，车辆为黑色，价值约2800元。",
    })
}

pub(super) async fn intake(
    clients: usize,
    dur: Duration,
    pg: Option<String>,
    bare_rows: usize,
) -> anyhow::Result<()> {
    let (db, _dir) = fresh_db(pg.as_deref()).await?;
    let app = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.load_demo(chrono::Utc::now(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = app.store.engine();
    let base = serve_in_process(&app).await?;
    let auth = sign_in(&reqwest::Client::new(), &base, "s1.desk").await?;

    println!(
        "frontline bench intake: engine={engine} clients={clients} phase={}s",
        dur.as_secs()
    );
    // The load generator shares the cores with the server: it is as light as wrk (see
    // `client`), and bodies are built once.
    let target = Target::new(&base, &auth)?;
    let bodies: Arc<Vec<Prebuilt>> = Arc::new(
        (0..1024)
            .map(|i| Prebuilt::post("/api/v1/incidents", Bytes::from(body(i).to_string())))
            .collect::<anyhow::Result<_>>()?,
    );
    let create_op = |bodies: Arc<Vec<Prebuilt>>| {
        move |i: u64| bodies.get((i % bodies.len() as u64) as usize).cloned()
    };
    // The stack's own limit first, in this run, on the same connections' settings.
    let ceiling = http_ceiling(&target, clients, dur).await?;
    // Warm-up (connections, caches, page cache) before measuring.
    drive_light(
        &target,
        clients,
        Duration::from_secs(2),
        StatusCode::CREATED,
        create_op(bodies.clone()),
        |_| {},
    )
    .await?;
    // The created incidents' paths, from `Location`, for the read phase.
    let created = Arc::new(std::sync::Mutex::new(Vec::<Prebuilt>::new()));
    let keep = {
        let created = created.clone();
        move |h: &hyper::header::HeaderMap| {
            if let Some(p) = h
                .get(hyper::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Prebuilt::get(v).ok())
                && let Ok(mut g) = created.lock()
            {
                g.push(p);
            }
        }
    };
    let create = drive_light(
        &target,
        clients,
        dur,
        StatusCode::CREATED,
        create_op(bodies),
        keep,
    )
    .await?;
    let reads: Arc<Vec<Prebuilt>> = Arc::new(created.lock().map(|g| g.clone()).unwrap_or_default());
    if reads.is_empty() {
        bail!("no incident was created ({} failures)", create.failed);
    }
    let read_op = move |i: u64| {
        reads
            .get((i.wrapping_mul(2_654_435_761) % reads.len() as u64) as usize)
            .cloned()
    };
    let read = drive_light(&target, clients, dur, StatusCode::OK, read_op, |_| {}).await?;

    // The engine's limit: the same rows straight into a fresh database of the same engine.
    let (bare_db, _bare_dir) = fresh_db(pg.as_deref()).await?;
    let bare_app = App::open(&bare_db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bare_app
        .load_demo(chrono::Utc::now(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let unit = bare_app
        .org
        .unit_by_code("S01")
        .context("demo station S01")?;
    let officer = bare_app
        .store
        .officer_by_username("s1.desk")
        .await?
        .context("demo officer")?;
    let now = chrono::Utc::now();
    let rows: Vec<NewIncident> = (0..bare_rows as u64)
        .map(|i| {
            let b = body(i);
            let category = b
                .get("category")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string();
            // The statistics cells a live intake writes (count and hour of the report).
            let stats = frontline_core::incident::stats::added(
                &frontline_core::incident::stats::StatFacts {
                    unit_id: unit.id,
                    category: category.clone(),
                    reported_at: now,
                    dispatched_at: None,
                    arrived_at: None,
                    disposed_at: None,
                    target: None,
                },
            );
            NewIncident {
                id: Uuid::now_v7(),
                unit_id: unit.id,
                unit_path: unit.path.clone(),
                unit_code: unit.code.clone(),
                reported_at: now,
                created_at: now,
                category,
                address: b
                    .get("address")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                district_id: None,
                caller_name: "王某".into(),
                caller_phone: b
                    .pointer("/caller/phone")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                caller_id_number: None,
                narrative: b
                    .get("narrative")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                created_by: officer.id,
                state: IncidentState::registered(),
                events: vec![IncidentEvent::registration(
                    now,
                    officer.id,
                    &officer.display_name,
                )],
                follow_up: Default::default(),
                stats,
            }
        })
        .collect();
    // Committing every `clients` rows: with N concurrent clients a live batch never
    // holds more than N requests, so this is the engine's limit for the same commits.
    let bare_took = bare_app.store.bare_insert_loop(rows, clients).await?;
    let bare_rate = bare_rows as f64 / bare_took.as_secs_f64();
    drop(bare_app);

    let report = json!({
        "engine": engine,
        "clients": clients,
        "create": { "ok": create.ok, "failed": create.failed, "per_sec": create.rate().round(),
            "p50_ms": create.pct_ms(0.5), "p99_ms": create.pct_ms(0.99), "max_ms": create.pct_ms(1.0) },
        "read": { "ok": read.ok, "failed": read.failed, "per_sec": read.rate().round(),
            "p50_ms": read.pct_ms(0.5), "p99_ms": read.pct_ms(0.99) },
        "http_ceiling": { "ok": ceiling.ok, "failed": ceiling.failed, "per_sec": ceiling.rate().round(),
            "p50_ms": ceiling.pct_ms(0.5), "p99_ms": ceiling.pct_ms(0.99) },
        "cpu": { "ceiling": ceiling.cpu_json(), "create": create.cpu_json(), "read": read.cpu_json() },
        "ratio_create_to_ceiling": (create.rate() / ceiling.rate() * 100.0).round() / 100.0,
        "bare_insert": { "rows": bare_rows, "per_sec": bare_rate.round() },
        "ratio_create_to_bare": (create.rate() / bare_rate * 100.0).round() / 100.0,
    });
    println!(
        "ceiling:{:>8.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} ok, {} failed; authenticated no-op POST)",
        ceiling.rate(),
        ceiling.pct_ms(0.5),
        ceiling.pct_ms(0.99),
        ceiling.ok,
        ceiling.failed
    );
    println!(
        "create: {:>8.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} ok, {} failed)",
        create.rate(),
        create.pct_ms(0.5),
        create.pct_ms(0.99),
        create.ok,
        create.failed
    );
    println!(
        "read:   {:>8.0}/s  p50 {:.2} ms  p99 {:.2} ms  ({} ok, {} failed)",
        read.rate(),
        read.pct_ms(0.5),
        read.pct_ms(0.99),
        read.ok,
        read.failed
    );
    for (name, p) in [("ceiling", &ceiling), ("create", &create), ("read", &read)] {
        println!("{name:<8}{}", p.cpu_line());
    }
    println!(
        "create/ceiling ratio {:.2}; read/ceiling ratio {:.2}",
        create.rate() / ceiling.rate(),
        read.rate() / ceiling.rate()
    );
    println!(
        "bare insert loop: {bare_rate:.0}/s; create/bare ratio {:.2}",
        create.rate() / bare_rate
    );
    println!("{report}");
    // Verify what we wrote is consistent (the audit chain covers every create).
    let count = app.store.count_incidents().await?;
    if (count as u64) < create.ok {
        bail!(
            "stored {count} incidents but {} creations were acknowledged",
            create.ok
        );
    }
    Ok(())
}

//! `frontline bench`: load scenarios measured end to end over loopback HTTP.
//!
//! `intake` starts a server in this process on a fresh database (SQLite temp dir, or a
//! new database on the PostgreSQL server named by --database-url), signs in once, and
//! drives it with N concurrent HTTP clients: first incident creation, then reads of the
//! created incidents. It then measures the engine's own limit for the same rows (a bare
//! insert loop with the same durability settings) on another fresh database and reports
//! the ratio. `startup` measures time to /healthz and idle RSS of `frontline serve`
//! over a data directory holding many incidents. `lists` serves such a data directory
//! in this process and measures the list pages officers open (station, bureau, filters,
//! deep pages, a month's export) one scenario at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use frontline_app::{App, AppConfig, SystemClock};
use frontline_store::{DbConfig, NewIncident, Store, testing::TempDir};
use hdrhistogram::Histogram;
use serde_json::json;
use uuid::Uuid;

#[derive(Subcommand)]
pub(crate) enum BenchCmd {
    /// Incident creation and reads over HTTP with concurrent clients.
    Intake {
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds of measured load per phase.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
        /// Rows for the bare insert loop (the engine's limit).
        #[arg(long, default_value_t = 50_000)]
        bare_rows: usize,
    },
    /// Start-up time to /healthz and idle memory of `frontline serve`.
    Startup {
        /// Data directory; created and filled with --incidents demo incidents if empty.
        #[arg(long)]
        data_dir: std::path::PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        incidents: usize,
    },
    /// Incident list pages and exports over a data directory holding many incidents.
    Lists {
        /// Data directory; created and filled with --incidents demo incidents if empty.
        #[arg(long)]
        data_dir: std::path::PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        incidents: usize,
        /// Concurrent HTTP clients per scenario.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seconds of measured load per scenario.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
}

pub(crate) async fn run(cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::Intake {
            clients,
            seconds,
            database_url,
            bare_rows,
        } => {
            intake(
                clients,
                Duration::from_secs(seconds),
                database_url,
                bare_rows,
            )
            .await
        }
        BenchCmd::Startup {
            data_dir,
            incidents,
        } => startup(data_dir, incidents).await,
        BenchCmd::Lists {
            data_dir,
            incidents,
            clients,
            seconds,
        } => lists(data_dir, incidents, clients, Duration::from_secs(seconds)).await,
    }
}

/// Serves `app` on a free loopback port in this process; returns its base URL.
async fn serve_in_process(app: &App) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = app.clone();
    tokio::spawn(async move {
        let _ = frontline_web::serve(app, listener, std::future::pending()).await;
    });
    Ok(base)
}

/// Signs a demo account in; returns the `Authorization` header value.
async fn sign_in(http: &reqwest::Client, base: &str, user: &str) -> anyhow::Result<String> {
    let v: serde_json::Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "username": user, "password": frontline_app::demo::DEMO_PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = v["token"].as_str().context("no token")?;
    Ok(format!("Bearer {token}"))
}

/// A fresh database on the requested engine; the TempDir keeps SQLite's files alive.
async fn fresh_db(pg: Option<&str>) -> anyhow::Result<(DbConfig, Option<TempDir>)> {
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
                    path: dir.0.join("frontline.db"),
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
        "category": CATEGORIES[(i % CATEGORIES.len() as u64) as usize],
        "address": format!("青禾县城关镇人民路{}号", i % 300 + 1),
        "caller": { "name": "王某", "phone": format!("139{:08}", i % 100_000_000) },
        "narrative": "报警人称其停放在小区楼下的电动自行车被盗，车辆为黑色，价值约2800元。",
    })
}

struct Phase {
    ok: u64,
    failed: u64,
    elapsed: Duration,
    hist: Histogram<u64>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
    fn pct_ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Runs `clients` loops of `op` for `dur`; each loop records its latencies.
async fn drive<F, Fut>(clients: usize, dur: Duration, op: F) -> anyhow::Result<Phase>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (op, stop, seq) = (op.clone(), stop.clone(), seq.clone());
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            let (mut ok, mut failed) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let i = seq.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if op(i).await {
                    ok += 1;
                    if let Some(h) = h.as_mut() {
                        let _ = h.record(t.elapsed().as_micros() as u64);
                    }
                } else {
                    failed += 1;
                }
            }
            (ok, failed, h)
        }));
    }
    tokio::time::sleep(dur).await;
    stop.store(true, Ordering::Relaxed);
    let mut phase = Phase {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        hist: Histogram::new_with_bounds(1, 60_000_000, 3)?,
    };
    for t in tasks {
        let (ok, failed, h) = t.await?;
        phase.ok += ok;
        phase.failed += failed;
        if let Some(h) = h {
            phase.hist.add(h)?;
        }
    }
    phase.elapsed = start.elapsed();
    Ok(phase)
}

async fn intake(
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
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let auth = sign_in(&http, &base, "s1.desk").await?;

    println!(
        "frontline bench intake: engine={engine} clients={clients} phase={}s",
        dur.as_secs()
    );
    // The load generator shares the cores with the server: bodies and URLs are built
    // once so that its own cost stays small.
    let bodies: Arc<Vec<bytes::Bytes>> = Arc::new(
        (0..1024)
            .map(|i| bytes::Bytes::from(body(i).to_string()))
            .collect(),
    );
    let create_url = reqwest::Url::parse(&format!("{base}/api/v1/incidents"))?;
    // Warm-up (connections, caches, page cache) before measuring.
    let ids = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mk_create = |record: bool| {
        let (http, url, auth, ids, bodies) = (
            http.clone(),
            create_url.clone(),
            auth.clone(),
            ids.clone(),
            bodies.clone(),
        );
        move |i: u64| {
            let (http, url, auth, ids) = (http.clone(), url.clone(), auth.clone(), ids.clone());
            let b = bodies[(i % bodies.len() as u64) as usize].clone();
            async move {
                let r = http
                    .post(url)
                    .header("authorization", auth)
                    .header("content-type", "application/json")
                    .body(b)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        if record
                            && let Ok(v) = r.json::<serde_json::Value>().await
                            && let (Some(id), Ok(mut g)) = (v["id"].as_str(), ids.lock())
                        {
                            g.push(id.to_string());
                        }
                        true
                    }
                    _ => false,
                }
            }
        }
    };
    drive(clients, Duration::from_secs(2), mk_create(false)).await?;
    let create = drive(clients, dur, mk_create(true)).await?;
    let ids: Arc<Vec<String>> = Arc::new(ids.lock().map(|g| g.clone()).unwrap_or_default());
    if ids.is_empty() {
        bail!("no incident was created ({} failures)", create.failed);
    }
    let read_op = {
        let (http, base, auth, ids) = (http.clone(), base.clone(), auth.clone(), ids.clone());
        move |i: u64| {
            let (http, base, auth) = (http.clone(), base.clone(), auth.clone());
            let id = ids[(i.wrapping_mul(2_654_435_761) % ids.len() as u64) as usize].clone();
            async move {
                match http
                    .get(format!("{base}/api/v1/incidents/{id}"))
                    .header("authorization", auth)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == reqwest::StatusCode::OK => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        }
    };
    let read = drive(clients, dur, read_op).await?;

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
            NewIncident {
                id: Uuid::now_v7(),
                unit_id: unit.id,
                unit_path: unit.path.clone(),
                unit_code: unit.code.clone(),
                reported_at: now,
                created_at: now,
                category: b["category"].as_str().unwrap_or_default().to_string(),
                address: b["address"].as_str().unwrap_or_default().to_string(),
                district_id: None,
                caller_name: "王某".into(),
                caller_phone: b["caller"]["phone"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                caller_id_number: None,
                narrative: b["narrative"].as_str().unwrap_or_default().to_string(),
                created_by: officer.id,
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
        "bare_insert": { "rows": bare_rows, "per_sec": bare_rate.round() },
        "ratio_create_to_bare": (create.rate() / bare_rate * 100.0).round() / 100.0,
    });
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

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Opens the data directory's SQLite database, loading the demo with `incidents`
/// incidents when it holds none.
async fn open_filled(data_dir: &std::path::Path, incidents: usize) -> anyhow::Result<App> {
    let db = DbConfig::Sqlite {
        path: data_dir.join("frontline.db"),
    };
    let app = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let have = app.store.count_incidents().await?;
    if have == 0 {
        let t = Instant::now();
        app.load_demo(chrono::Utc::now(), incidents)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "loaded {incidents} incidents in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    let have = app.store.count_incidents().await?;
    println!("data dir holds {have} incidents");
    Ok(app)
}

async fn startup(data_dir: std::path::PathBuf, incidents: usize) -> anyhow::Result<()> {
    {
        let app = open_filled(&data_dir, incidents).await?;
        if let Store::Sqlite(s) = &app.store {
            s.close();
        }
    }
    let exe = std::env::current_exe()?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    let mut rss = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut child = tokio::process::Command::new(&exe)
            .args(["serve", "--data-dir"])
            .arg(&data_dir)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        loop {
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await
                && r.status().is_success()
            {
                break;
            }
            if t.elapsed() > Duration::from_secs(30) {
                bail!("server did not answer /healthz within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        samples.push(t.elapsed());
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Some(pid) = child.id() {
            rss = rss.max(rss_kib(pid).unwrap_or(0));
        }
        child.kill().await?;
    }
    samples.sort();
    println!(
        "start-up to /healthz: median {:.0} ms, max {:.0} ms (5 runs); idle RSS {:.1} MiB",
        samples[2].as_secs_f64() * 1000.0,
        samples[4].as_secs_f64() * 1000.0,
        rss as f64 / 1024.0
    );
    Ok(())
}

async fn lists(
    data_dir: std::path::PathBuf,
    incidents: usize,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<()> {
    let app = open_filled(&data_dir, incidents).await?;
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = std::collections::HashMap::new();
    for user in ["s1.desk", "s11.desk", "command"] {
        tokens.insert(user, sign_in(&http, &base, user).await?);
    }
    // The last month of the data, for the time-window scenarios.
    let today = chrono::Utc::now().with_timezone(&frontline_core::incident::SHANGHAI);
    let window = |days: i64| {
        format!(
            "from={}&to={}",
            (today - chrono::Duration::days(days)).format("%Y-%m-%d"),
            today.format("%Y-%m-%d")
        )
    };
    let month = window(30);
    let week = window(7);
    let scenarios: Vec<(&str, &str, String)> = vec![
        ("station, first page", "s1.desk", "/api/v1/incidents".into()),
        (
            "small station, first page",
            "s11.desk",
            "/api/v1/incidents".into(),
        ),
        ("bureau, first page", "command", "/api/v1/incidents".into()),
        (
            "bureau, category criminal",
            "command",
            "/api/v1/incidents?category=criminal".into(),
        ),
        (
            "bureau, leaf criminal.theft",
            "command",
            "/api/v1/incidents?category=criminal.theft".into(),
        ),
        (
            "small station, rare category fire",
            "s11.desk",
            "/api/v1/incidents?category=fire".into(),
        ),
        (
            "station, last 30 days",
            "s1.desk",
            format!("/api/v1/incidents?{month}"),
        ),
        (
            "station, page 100",
            "s1.desk",
            "/api/v1/incidents?page=100".into(),
        ),
        (
            "bureau, page 1000",
            "command",
            "/api/v1/incidents?page=1000".into(),
        ),
        (
            "station, export last 7 days (CSV)",
            "s1.desk",
            format!("/api/v1/incidents/export?{week}"),
        ),
    ];
    println!(
        "frontline bench lists: clients={clients} {}s per scenario",
        dur.as_secs()
    );
    println!("| scenario | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for (name, user, path) in scenarios {
        let url = reqwest::Url::parse(&format!("{base}{path}"))?;
        let auth = tokens.get(user).context("token")?.clone();
        let op = {
            let http = http.clone();
            move |_| {
                let (http, url, auth) = (http.clone(), url.clone(), auth.clone());
                async move {
                    match http.get(url).header("authorization", auth).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        _ => false,
                    }
                }
            }
        };
        // Warm the page cache and statement caches, then measure.
        drive(clients, Duration::from_millis(300), op.clone()).await?;
        let p = drive(clients, dur, op).await?;
        if p.failed > 0 {
            bail!("{name}: {} requests failed", p.failed);
        }
        println!(
            "| {name} | {:.0} | {:.1} | {:.1} |",
            p.ok as f64 / p.elapsed.as_secs_f64(),
            p.pct_ms(0.5),
            p.pct_ms(0.99)
        );
    }
    Ok(())
}

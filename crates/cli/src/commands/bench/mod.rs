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
//!
//! `board` connects N SSE boards and measures how long each new incident takes to reach
//! every one of them.
//!
//! Benchmarks measure the engine itself, so some helpers use the store directly
//! (`app.store`: bare insert loop, engine name, incident counts, closing the store before
//! `serve` opens it) where no use case fits.

mod board;
mod client;
mod deadlines;
mod intake;
mod lists;
mod review;
mod search;
mod startup;
mod stats;
mod transitions;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Subcommand;
use frontline_app::{App, AppConfig, SystemClock};
use frontline_store::DbConfig;
use hdrhistogram::Histogram;
use serde_json::json;

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
    /// Incident lifecycle steps (dispatches) over HTTP with concurrent clients.
    Transitions {
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The live board: time from an incident's creation over HTTP to its event at each
    /// of N connected SSE boards (p50/p99).
    Board {
        /// Connected boards (SSE clients, the command centre's account).
        #[arg(long, default_value_t = 50)]
        boards: usize,
        /// Incidents filed while the boards listen.
        #[arg(long, default_value_t = 1000)]
        incidents: usize,
        /// Concurrent HTTP clients filing them.
        #[arg(long, default_value_t = 4)]
        posters: usize,
        /// Pause of each poster between two incidents, in milliseconds.
        #[arg(long, default_value_t = 20)]
        interval_ms: u64,
        /// Run on a fresh database on this PostgreSQL server (two instances: boards on
        /// one, incidents filed through the other) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
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
    /// Full-text search (a two-character term with a unit filter, and more) over a data
    /// directory holding many incidents; builds its search index first when missing.
    Search {
        /// Data directory; created and filled with --incidents demo incidents if empty.
        #[arg(long)]
        data_dir: std::path::PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        incidents: usize,
        /// Concurrent HTTP clients per scenario.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seconds of measured load per scenario.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Incident statistics over a database holding many incidents: the rollups against
    /// the plain GROUP BY they replace, and the whole answer over HTTP.
    Stats {
        /// Data directory (SQLite); created and filled with --incidents demo incidents if
        /// empty.
        #[arg(long)]
        data_dir: std::path::PathBuf,
        /// Use this PostgreSQL database instead (filled the same way when empty).
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        incidents: usize,
        #[arg(long, default_value_t = 1)]
        clients: usize,
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
    /// The deadline sweep's claim among many deadline rows, a station's deadline board
    /// with many open deadlines, and a case page with a long timeline (issue 10).
    Deadlines {
        /// Deadline rows in all (most of them long met).
        #[arg(long, default_value_t = 10_000_000)]
        rows: usize,
        /// Deadlines whose next notice has come, per claim.
        #[arg(long, default_value_t = 1000)]
        due: usize,
        /// Open deadlines of the first station (its board).
        #[arg(long, default_value_t = 50_000)]
        station_open: usize,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The daily review, the callback queue and the repeat lookup of intake over a data
    /// directory holding many incidents.
    Review {
        /// Data directory; created and filled with --incidents demo incidents if empty.
        #[arg(long)]
        data_dir: std::path::PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        incidents: usize,
        #[arg(long, default_value_t = 8)]
        clients: usize,
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
            intake::intake(
                clients,
                Duration::from_secs(seconds),
                database_url,
                bare_rows,
            )
            .await
        }
        BenchCmd::Transitions {
            clients,
            seconds,
            database_url,
        } => transitions::transitions(clients, Duration::from_secs(seconds), database_url).await,
        BenchCmd::Board {
            boards,
            incidents,
            posters,
            interval_ms,
            database_url,
        } => {
            board::board(
                boards,
                incidents,
                posters,
                Duration::from_millis(interval_ms),
                database_url,
            )
            .await
        }
        BenchCmd::Startup {
            data_dir,
            incidents,
        } => startup::startup(data_dir, incidents).await,
        BenchCmd::Lists {
            data_dir,
            incidents,
            clients,
            seconds,
        } => lists::lists(data_dir, incidents, clients, Duration::from_secs(seconds)).await,
        BenchCmd::Search {
            data_dir,
            incidents,
            clients,
            seconds,
        } => search::search(data_dir, incidents, clients, Duration::from_secs(seconds)).await,
        BenchCmd::Stats {
            data_dir,
            database_url,
            incidents,
            clients,
            seconds,
        } => {
            stats::stats(
                data_dir,
                database_url,
                incidents,
                clients,
                Duration::from_secs(seconds),
            )
            .await
        }
        BenchCmd::Deadlines {
            rows,
            due,
            station_open,
            database_url,
        } => deadlines::deadlines(rows, due, station_open, database_url).await,
        BenchCmd::Review {
            data_dir,
            incidents,
            clients,
            seconds,
        } => review::review(data_dir, incidents, clients, Duration::from_secs(seconds)).await,
    }
}

/// Serves `app` on a free loopback port in this process; returns its base URL.
pub(super) async fn serve_in_process(app: &App) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = app.clone();
    tokio::spawn(async move {
        let _ = frontline_web::serve(app, listener, std::future::pending()).await;
    });
    Ok(base)
}

/// Signs a demo account in; returns the `Authorization` header value.
pub(super) async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    user: &str,
) -> anyhow::Result<String> {
    let v: serde_json::Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "username": user, "password": frontline_app::demo::DEMO_PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = v
        .get("token")
        .and_then(serde_json::Value::as_str)
        .context("no token")?;
    Ok(format!("Bearer {token}"))
}

pub(super) struct Phase {
    ok: u64,
    failed: u64,
    elapsed: Duration,
    hist: Histogram<u64>,
    /// CPU spent during the phase (light client only; Linux).
    cpu: Option<Cpu>,
}

/// CPU time a phase took: the whole process, and the load generator's thread alone.
/// Per request it is what a figure costs whatever else runs on the machine, so it can
/// be compared between runs on a busy machine where rates cannot.
#[derive(Clone, Copy)]
pub(super) struct Cpu {
    process: Duration,
    client: Duration,
}

impl Phase {
    /// CPU microseconds per done request: (whole process, load generator).
    fn cpu_us(&self) -> Option<(f64, f64)> {
        let c = self.cpu?;
        let n = self.ok.max(1) as f64;
        Some((
            c.process.as_secs_f64() * 1e6 / n,
            c.client.as_secs_f64() * 1e6 / n,
        ))
    }
    /// One line for the report: CPU per request and how busy the cores were.
    fn cpu_line(&self) -> String {
        match (self.cpu, self.cpu_us()) {
            (Some(c), Some((p, g))) => format!(
                "cpu/request {p:.0} µs (load generator {g:.0} µs, {:.0} %); process used {:.2} cores",
                g / p.max(f64::MIN_POSITIVE) * 100.0,
                c.process.as_secs_f64() / self.elapsed.as_secs_f64()
            ),
            _ => "cpu: not measured".into(),
        }
    }
    fn cpu_json(&self) -> serde_json::Value {
        match self.cpu_us() {
            Some((p, g)) => {
                json!({ "process_us_per_req": p.round(), "client_us_per_req": g.round() })
            }
            None => serde_json::Value::Null,
        }
    }
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
    fn pct_ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Runs `clients` loops of `op` for `dur`; each loop records its latencies.
pub(super) async fn drive<F, Fut>(clients: usize, dur: Duration, op: F) -> anyhow::Result<Phase>
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
        cpu: None,
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

/// Opens the data directory's SQLite database, loading the demo with `incidents`
/// incidents when it holds none.
pub(super) async fn open_filled(
    data_dir: &std::path::Path,
    incidents: usize,
) -> anyhow::Result<App> {
    open_filled_with(data_dir, incidents, AppConfig::default()).await
}

/// [`open_filled`] with a configuration (e.g. the search index's folder).
pub(super) async fn open_filled_with(
    data_dir: &std::path::Path,
    incidents: usize,
    config: AppConfig,
) -> anyhow::Result<App> {
    let db = DbConfig::Sqlite {
        path: data_dir.join("frontline.db"),
    };
    let app = App::open(&db, Arc::new(SystemClock), config)
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

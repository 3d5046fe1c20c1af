//! The `frontline` command: serve, demo, migrate, user, audit verify, bench, penalty,
//! deadline. This file holds the command line and the dispatch; each command lives in
//! `commands/`.

mod commands;

// glibc malloc showed up at ~20% of CPU under intake load (arena contention between
// the async workers and the SQLite writer); mimalloc (bundled C, no system library)
// removes most of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::{audit, bench, deadline, demo, migrate, penalty, search, serve, stats, user};

#[derive(Parser)]
#[command(
    name = "frontline",
    version,
    about = "一线警务平台 Frontline — policing operations platform"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Load the demo jurisdiction (once) and run the server.
    Demo(demo::DemoArgs),
    /// Apply database migrations and exit.
    Migrate(commands::DbArgs),
    /// Manage officer accounts.
    #[command(subcommand)]
    User(user::UserCmd),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// Load scenarios against a running or in-process server.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Public-order penalty discretion: assess a violation, list the catalog.
    #[command(subcommand)]
    Penalty(penalty::PenaltyCmd),
    /// Legal periods: compute when a period ends, list the rule catalog and calendars.
    #[command(subcommand)]
    Deadline(deadline::DeadlineCmd),
    /// Full-text search index: rebuild it from the database.
    #[command(subcommand)]
    Search(search::SearchCmd),
    /// Incident statistics rollups: rebuild them from the database.
    #[command(subcommand)]
    Stats(stats::StatsCmd),
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.cmd {
        Cmd::Serve(args) => serve::run(args).await?,
        Cmd::Demo(args) => demo::run(args).await?,
        Cmd::Migrate(db) => migrate::run(db).await?,
        Cmd::User(u) => user::run(u).await?,
        Cmd::Audit(a) => return audit::run(a).await,
        Cmd::Bench(b) => bench::run(b).await?,
        Cmd::Search(s) => search::run(s).await?,
        Cmd::Stats(s) => stats::run(s).await?,
        Cmd::Penalty(p) => return Ok(penalty::run(p)),
        Cmd::Deadline(d) => return Ok(deadline::run(d)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `frontline … | head` closes our stdout early; `println!` then panics. Like other
/// Unix tools, stop quietly instead (the reader has what it wanted).
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

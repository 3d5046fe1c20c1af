//! The `frontline` command: serve, demo, migrate, user, audit verify, bench.

mod bench;
mod deadline;
mod penalty;

// glibc malloc showed up at ~20% of CPU under intake load (arena contention between
// the async workers and the SQLite writer); mimalloc (bundled C, no system library)
// removes most of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use frontline_app::auth::NewOfficer;
use frontline_app::demo::{DEMO_PASSWORD, DemoOutcome};
use frontline_app::{App, AppConfig, AppError, SystemClock};
use frontline_core::audit::Verifier;
use frontline_store::{DbConfig, Store};
use serde::Deserialize;

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

#[derive(Args, Clone, Default)]
struct DbArgs {
    /// Data directory (the SQLite file lives here).
    #[arg(long, env = "FRONTLINE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); overrides the data directory's SQLite file.
    #[arg(long, env = "FRONTLINE_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args, Clone, Default)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "FRONTLINE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Mark cookies Secure (HTTPS only): set this whenever the server sits behind TLS.
    /// `--secure-cookies` alone means true; the variable takes true/false, 1/0, yes/no.
    #[arg(long, env = "FRONTLINE_SECURE_COOKIES", num_args = 0..=1,
          default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    secure_cookies: Option<bool>,
    /// TOML file with data_dir, database_url, listen, secure_cookies (flags and
    /// FRONTLINE_* win).
    #[arg(long, env = "FRONTLINE_CONFIG")]
    config: Option<PathBuf>,
}

/// What `serve` and `demo` run with, resolved from flags, variables and the file.
struct Resolved {
    db: DbConfig,
    listen: SocketAddr,
    app: AppConfig,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server.
    Serve(ServeArgs),
    /// Load the demo jurisdiction (once) and run the server.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// How many incidents the demo holds (12 months' worth by default).
        #[arg(long, default_value_t = frontline_app::demo_plan::DEMO_INCIDENT_COUNT)]
        incidents: usize,
        /// Load and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Manage officer accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Load scenarios against a running or in-process server.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Public-order penalty discretion: assess a violation, list the catalog.
    #[command(subcommand)]
    Penalty(penalty::PenaltyCmd),
    /// Legal periods: compute when a period ends, list the rule catalog and calendars.
    #[command(subcommand)]
    Deadline(deadline::DeadlineCmd),
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// Display name, e.g. 张伟.
        #[arg(long)]
        name: String,
        /// Unit code, e.g. S01.
        #[arg(long)]
        unit: String,
        /// Comma-separated roles, e.g. desk_officer,case_officer.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        auxiliary: bool,
    },
    /// Set a new password (read from standard input).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Enable a disabled account.
    Enable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check the audit chain; exit 0 when intact, 1 naming the first bad entry.
    Verify(DbArgs),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    secure_cookies: Option<bool>,
}

const DEFAULT_DATA_DIR: &str = "frontline-data";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl ServeArgs {
    /// Flags and FRONTLINE_* variables over the config file over defaults.
    fn resolve(mut self) -> anyhow::Result<Resolved> {
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let f: FileConfig =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            self.db.data_dir = self.db.data_dir.or(f.data_dir);
            self.db.database_url = self.db.database_url.or(f.database_url);
            self.listen = self.listen.or(f.listen);
            self.secure_cookies = self.secure_cookies.or(f.secure_cookies);
        }
        let listen = match self.listen {
            Some(l) => l,
            None => DEFAULT_LISTEN.parse()?,
        };
        Ok(Resolved {
            db: self.db.config(),
            listen,
            app: AppConfig {
                secure_cookies: self.secure_cookies.unwrap_or(false),
                ..AppConfig::default()
            },
        })
    }
}

impl DbArgs {
    fn config(&self) -> DbConfig {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        DbConfig::resolve(&dir, self.database_url.as_deref())
    }
}

fn describe(db: &DbConfig) -> String {
    match db {
        DbConfig::Sqlite { path } => format!("SQLite {}", path.display()),
        DbConfig::Postgres { url } => {
            // Never print a password from the URL.
            let shown = match (url.find("://"), url.rfind('@')) {
                (Some(s), Some(at)) => format!("{}://…{}", &url[..s], &url[at..]),
                _ => url.clone(),
            };
            format!("PostgreSQL {shown}")
        }
    }
}

async fn open_app(db: &DbConfig) -> anyhow::Result<App> {
    open_app_with(db, AppConfig::default()).await
}

async fn open_app_with(db: &DbConfig, config: AppConfig) -> anyhow::Result<App> {
    App::open(db, Arc::new(SystemClock), config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", describe(db)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn serve(app: App, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Frontline listening on http://{addr}");
    frontline_web::serve(app, listener, shutdown_signal()).await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!(
            "no password on standard input (e.g. `echo 'secret-pass' | frontline user passwd NAME`)"
        );
    }
    Ok(p)
}

fn operator() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    )
}

fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(errs) => anyhow::anyhow!(
            "{}",
            errs.iter()
                .map(|e| format!("{}: {} ({})", e.field, e.zh, e.en))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        AppError::NotFound => anyhow::anyhow!("no such account / 账号不存在"),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn audit_verify(db: &DbConfig) -> anyhow::Result<ExitCode> {
    let store = Store::open(db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", describe(db)))?;
    let mut v = Verifier::default();
    let mut after = 0;
    loop {
        let batch = store.audit_entries(after, 10_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.record.seq;
        for row in &batch {
            if let Err(b) = v.check(&row.record, &row.hash) {
                println!("audit chain BROKEN at entry {}: {b}", row.record.seq);
                return Ok(ExitCode::from(1));
            }
        }
    }
    if let Err(b) = v.finish(store.audit_head().await?) {
        println!("audit chain BROKEN: {b}");
        return Ok(ExitCode::from(1));
    }
    println!("audit chain intact: {} entries", v.checked);
    Ok(ExitCode::SUCCESS)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.cmd {
        Cmd::Serve(args) => {
            let Resolved { db, listen, app } = args.resolve()?;
            let app = open_app_with(&db, app).await?;
            serve(app, listen).await?;
        }
        Cmd::Demo {
            serve: args,
            incidents,
            no_serve,
        } => {
            let Resolved { db, listen, app } = args.resolve()?;
            let app = open_app_with(&db, app).await?;
            println!("Database: {}", describe(&db));
            match app
                .load_demo(chrono::Utc::now(), incidents)
                .await
                .map_err(app_error)?
            {
                DemoOutcome::Loaded {
                    units,
                    officers,
                    incidents,
                } => {
                    println!(
                        "Loaded the demo jurisdiction: {units} units, {officers} officers, {incidents} incidents."
                    )
                }
                DemoOutcome::AlreadyLoaded => println!("Demo jurisdiction already loaded."),
            }
            println!(
                "Demo accounts (password `{DEMO_PASSWORD}`): admin, command, leader, legal, custodian; \
                 s1.desk … s11.desk, s<k>.chief, s<k>.community, s<k>.investigator; street1 … street11, procuratorate, court."
            );
            if !no_serve {
                serve(app, listen).await?;
            }
        }
        Cmd::Migrate(db) => {
            let db = db.config();
            let store = Store::open(&db).await?;
            println!(
                "{}: schema version {}",
                describe(&db),
                store.schema_version().await?
            );
        }
        Cmd::User(u) => match u {
            UserCmd::Add {
                db,
                username,
                name,
                unit,
                roles,
                auxiliary,
            } => {
                let app = open_app(&db.config()).await?;
                let password = read_password()?;
                let id = app
                    .add_officer(
                        &operator(),
                        NewOfficer {
                            username: username.clone(),
                            display_name: name,
                            unit_code: unit,
                            roles,
                            auxiliary,
                            password,
                        },
                    )
                    .await
                    .map_err(app_error)?;
                println!("created {username} ({id})");
            }
            UserCmd::Passwd { db, username } => {
                let app = open_app(&db.config()).await?;
                let password = read_password()?;
                app.update_officer(&operator(), &username, Some(&password), None)
                    .await
                    .map_err(app_error)?;
                println!("password changed for {username}");
            }
            UserCmd::Disable { db, username } => {
                let app = open_app(&db.config()).await?;
                app.update_officer(&operator(), &username, None, Some(true))
                    .await
                    .map_err(app_error)?;
                println!("disabled {username}");
            }
            UserCmd::Enable { db, username } => {
                let app = open_app(&db.config()).await?;
                app.update_officer(&operator(), &username, None, Some(false))
                    .await
                    .map_err(app_error)?;
                println!("enabled {username}");
            }
        },
        Cmd::Audit(AuditCmd::Verify(db)) => return audit_verify(&db.config()).await,
        Cmd::Bench(b) => bench::run(b).await?,
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_come_from_the_flag_or_the_config_file() {
        let dir = std::env::temp_dir().join(format!("fl-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("frontline.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9999\"\nsecure_cookies = true\n",
        )
        .unwrap();
        let from_file = ServeArgs {
            config: Some(file.clone()),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap();
        assert!(from_file.app.secure_cookies);
        assert_eq!(from_file.listen.port(), 9999);
        let plain = ServeArgs::default().resolve().unwrap();
        assert!(!plain.app.secure_cookies, "off unless asked for");
        assert_eq!(plain.listen.to_string(), DEFAULT_LISTEN);
        let flag = ServeArgs {
            secure_cookies: Some(true),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap();
        assert!(flag.app.secure_cookies);
        // A flag or variable saying false wins over the file saying true.
        let off = ServeArgs {
            secure_cookies: Some(false),
            config: Some(file.clone()),
            ..ServeArgs::default()
        }
        .resolve()
        .unwrap();
        assert!(!off.app.secure_cookies);
        use clap::Parser;
        for (args, want) in [
            (vec!["frontline", "serve", "--secure-cookies"], Some(true)),
            (
                vec!["frontline", "serve", "--secure-cookies=0"],
                Some(false),
            ),
            (
                vec!["frontline", "serve", "--secure-cookies=yes"],
                Some(true),
            ),
        ] {
            match Cli::try_parse_from(&args).unwrap().cmd {
                Cmd::Serve(a) => assert_eq!(a.secure_cookies, want, "{args:?}"),
                _ => panic!("not serve"),
            }
        }
        std::fs::write(&file, "secure_cookie = true\n").unwrap();
        let typo = ServeArgs {
            config: Some(file),
            ..ServeArgs::default()
        }
        .resolve();
        assert!(typo.is_err(), "an unknown key is refused, not ignored");
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! `frontline serve`: settings from flags, FRONTLINE_* variables and a TOML file.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use frontline_app::{App, AppConfig};
use frontline_store::DbConfig;
use serde::Deserialize;

use super::{DbArgs, open_app_with};

#[derive(Args, Clone, Default)]
pub(crate) struct ServeArgs {
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
pub(crate) struct Resolved {
    pub(crate) db: DbConfig,
    pub(crate) listen: SocketAddr,
    pub(crate) app: AppConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    secure_cookies: Option<bool>,
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl ServeArgs {
    /// Flags and FRONTLINE_* variables over the config file over defaults.
    pub(crate) fn resolve(mut self) -> anyhow::Result<Resolved> {
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

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let Resolved { db, listen, app } = args.resolve()?;
    let app = open_app_with(&db, app).await?;
    serve(app, listen).await
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

pub(crate) async fn serve(app: App, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Frontline listening on http://{addr}");
    frontline_web::serve(app, listener, shutdown_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod tests;

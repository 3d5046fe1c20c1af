//! One module per subcommand; the shared database arguments and error wording here.

pub(crate) mod audit;
pub(crate) mod bench;
pub(crate) mod deadline;
pub(crate) mod demo;
pub(crate) mod migrate;
pub(crate) mod penalty;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod stats;
pub(crate) mod user;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use frontline_app::{App, AppConfig, AppError, SystemClock};
use frontline_store::DbConfig;

/// The data directory's SQLite file used when neither flag nor variable names one.
pub(crate) const DEFAULT_DATA_DIR: &str = "frontline-data";

#[derive(Args, Clone, Default)]
pub(crate) struct DbArgs {
    /// Data directory (the SQLite file lives here).
    #[arg(long, env = "FRONTLINE_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); overrides the data directory's SQLite file.
    #[arg(long, env = "FRONTLINE_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
}

impl DbArgs {
    pub(crate) fn config(&self) -> DbConfig {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        DbConfig::resolve(&dir, self.database_url.as_deref())
    }

    /// This instance's search index: in the data directory, also with PostgreSQL (each
    /// instance keeps its own index from the shared change log).
    pub(crate) fn search_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
            .join(SEARCH_INDEX_DIR)
    }
}

impl DbArgs {
    /// The case attachments' directory: in the data directory (with several instances on
    /// one PostgreSQL, a directory they share).
    pub(crate) fn attachments_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
            .join("attachments")
    }
}

/// The search index's folder inside the data directory.
pub(crate) const SEARCH_INDEX_DIR: &str = "search-index";

pub(crate) fn describe(db: &DbConfig) -> String {
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

pub(crate) async fn open_app(db: &DbConfig) -> anyhow::Result<App> {
    open_app_with(db, AppConfig::default()).await
}

pub(crate) async fn open_app_with(db: &DbConfig, config: AppConfig) -> anyhow::Result<App> {
    App::open(db, Arc::new(SystemClock), config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", describe(db)))
}

pub(crate) fn app_error(e: AppError) -> anyhow::Error {
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

//! One repository API over two engines: SQLite (embedded, default) and PostgreSQL.
//!
//! Every write operation is one transaction that includes its audit entry, so a record
//! never exists without its trace. On SQLite all writes go through a single writer
//! thread that batches concurrent requests into one commit (group commit); that also
//! orders the audit chain and the human numbers for free. On PostgreSQL each operation
//! is its own transaction and the audit chain is ordered by a lock on its head row.
//!
//! Layout: `engine/` holds what both engines share per engine (connections, the writer,
//! migrations); each capability is a folder with its row types and `Store` methods in
//! `mod.rs` and its queries in `sqlite.rs` / `pg.rs`.

use std::path::PathBuf;
use std::sync::Arc;

/// Declares a capability's `Store` methods once and forwards each to the engine that
/// holds the data, where `impl SqliteStore` / `impl PgStore` define a method of the
/// same name and arguments.
macro_rules! store_methods {
    ($(
        $(#[$meta:meta])*
        pub async fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty;
    )*) => {
        impl $crate::Store {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        $crate::Store::Sqlite(s) => s.$name($($arg),*).await,
                        $crate::Store::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

mod engine;
mod sql;
mod time;

mod audit;
mod auth;
mod case;
mod incident;
mod org;
mod outbox;
mod penalty;
mod period;

pub mod testing;

pub use audit::{AuditDraft, AuditRow};
pub use auth::{OfficerRow, SessionRow, SignInFailures, TotpPolicyRow, TotpState};
pub use case::{
    AdviceLetterRow, AttachmentRow, BenchDeadline, BoardDeadline, BoardFilter, BoardList,
    CaseEvent, CaseFilter, CasePage, CaseParty, CaseRow, CaseStepWrite, DEADLINE_NOT_RUNNING,
    DECISION_NOT_ALLOWED, DeadlineAdvance, DeadlineExtension, DeadlineRow, DecisionItem,
    DecisionReview, DecisionRow, DecisionsInForce, INCIDENT_NOT_CONVERTIBLE, MEASURE_ENDED,
    MeasureRow, MeasureWrite, NewAdviceLetter, NewCase, NewDeadline, StatusLookup, StoredState,
    format_letter_number,
};
pub use incident::{
    ALREADY_ANSWERED, ALREADY_REVIEWED, CALLBACK_NOT_DUE, CallbackChange, CallbackReview,
    CallbackRow, CallbackWrite, CategoryCount, FollowUp, IncidentChange, IncidentEvent,
    IncidentFilter, IncidentPage, IncidentRow, IncidentState, MAX_IDS_PER_READ, MAX_ROWS_PER_QUERY,
    NewFollowUp, NewIncident, PathRange, PushAnswer, PushRow, PushScope, RepeatCandidate,
    RepeatEarlier, RepeatLink, ReviewRow, STALE_VERSION, SearchDoc, TransitionWrite,
};
pub use incident::{
    HourCount, MAX_CELLS_PER_WRITE, ResponseBucket, StatCount, StatPeriod, StatQuery, StatSource,
};
pub use org::{BulkLoad, DistrictRow, OfficerBrief, UnitRow};
pub use outbox::{ClaimedMessage, NewMessage, NotificationRow, OutboxCounts};
pub use penalty::{NewPenaltyStandard, PenaltyStandardRow};
pub use period::CalendarRow;
pub use time::{from_micros, micros, truncate_micros};

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum DbConfig {
    /// A SQLite file (created if missing).
    Sqlite { path: PathBuf },
    /// A PostgreSQL connection URL.
    Postgres { url: String },
}

impl DbConfig {
    /// `--database-url` wins; otherwise `<data_dir>/frontline.db`.
    pub fn resolve(data_dir: &std::path::Path, database_url: Option<&str>) -> DbConfig {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                DbConfig::Postgres {
                    url: url.to_string(),
                }
            }
            Some(url) => DbConfig::Sqlite {
                path: PathBuf::from(url.trim_start_matches("sqlite://")),
            },
            None => DbConfig::Sqlite {
                path: data_dir.join("frontline.db"),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Db(#[source] DbError),
}

/// A database failure: the message shown to operators and, where there was one, the
/// error that caused it (driver, pool, I/O).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    pub(crate) message: String,
    #[source]
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl DbError {
    /// The message alone (also what `Display` prints).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl StoreError {
    /// A failure with no underlying error (a stopped writer, a closed store).
    pub(crate) fn db(message: impl Into<String>) -> StoreError {
        StoreError::Db(DbError {
            message: message.into(),
            source: None,
        })
    }

    /// A failure caused by `source`, described by its own message.
    pub(crate) fn db_from<E>(source: E) -> StoreError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        StoreError::db_with(source.to_string(), source)
    }

    /// A failure caused by `source`, described by `message`.
    pub(crate) fn db_with<E>(message: impl Into<String>, source: E) -> StoreError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        StoreError::Db(DbError {
            message: message.into(),
            source: Some(Box::new(source)),
        })
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The repository. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(Arc<engine::sqlite::SqliteStore>),
    Postgres(Arc<engine::pg::PgStore>),
}

impl Store {
    /// Opens the database and applies pending migrations.
    pub async fn open(cfg: &DbConfig) -> Result<Store> {
        match cfg {
            DbConfig::Sqlite { path } => Ok(Store::Sqlite(Arc::new(
                engine::sqlite::SqliteStore::open(path).await?,
            ))),
            DbConfig::Postgres { url } => Ok(Store::Postgres(Arc::new(
                engine::pg::PgStore::open(url).await?,
            ))),
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// PostgreSQL: listens on `channel` (see `PgStore::listen`) until the connection
    /// drops (an error: reconnect) or `to` is closed. SQLite has no other instance to
    /// hear from: answers `Ok` at once without signalling `ready`.
    pub async fn listen(
        &self,
        channel: &str,
        ready: tokio::sync::oneshot::Sender<()>,
        to: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> Result<()> {
        match self {
            Store::Sqlite(_) => {
                drop(ready);
                Ok(())
            }
            Store::Postgres(s) => s.listen(channel, ready, to).await,
        }
    }

    /// The channel every committed incident creation and step is announced on
    /// (PostgreSQL `pg_notify`, payload `<id>:<version>`).
    pub const INCIDENT_CHANNEL: &'static str = "frontline_incident";

    /// Ends the store's use of the database now rather than on the last drop: SQLite's
    /// writer finishes its queued jobs and stops, PostgreSQL's pool closes. For a caller
    /// that hands the database to another process while clones may still be alive
    /// (`bench startup`); later calls on any clone fail.
    pub fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close(),
            Store::Postgres(s) => s.pool.close(),
        }
    }
}

store_methods! {
    pub async fn schema_version(&self) -> Result<i64>;
}

//! One repository API over two engines: SQLite (embedded, default) and PostgreSQL.
//!
//! Every write operation is one transaction that includes its audit entry, so a record
//! never exists without its trace. On SQLite all writes go through a single writer
//! thread that batches concurrent requests into one commit (group commit); that also
//! orders the audit chain and the human numbers for free. On PostgreSQL each operation
//! is its own transaction and the audit chain is ordered by a lock on its head row.

mod model;
mod pg;
mod sqlite;
pub mod testing;

use std::path::PathBuf;

pub use model::*;

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
    Db(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(f, msg)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                StoreError::Conflict(msg.clone().unwrap_or_default())
            }
            _ => StoreError::Db(e.to_string()),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if db.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
                return StoreError::Conflict(db.message().to_string());
            }
            return StoreError::Db(db.message().to_string());
        }
        StoreError::Db(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Db(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The repository. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(std::sync::Arc<sqlite::SqliteStore>),
    Postgres(std::sync::Arc<pg::PgStore>),
}

macro_rules! dispatch {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match $self {
            Store::Sqlite(s) => s.$m($($a),*).await,
            Store::Postgres(s) => s.$m($($a),*).await,
        }
    };
}

impl Store {
    /// Opens the database and applies pending migrations.
    pub async fn open(cfg: &DbConfig) -> Result<Store> {
        match cfg {
            DbConfig::Sqlite { path } => Ok(Store::Sqlite(std::sync::Arc::new(
                sqlite::SqliteStore::open(path).await?,
            ))),
            DbConfig::Postgres { url } => Ok(Store::Postgres(std::sync::Arc::new(
                pg::PgStore::open(url).await?,
            ))),
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    pub async fn schema_version(&self) -> Result<i64> {
        dispatch!(self.schema_version())
    }

    // ---- settings ----
    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        dispatch!(self.get_setting(key))
    }

    // ---- organisation ----
    pub async fn list_units(&self) -> Result<Vec<UnitRow>> {
        dispatch!(self.list_units())
    }
    pub async fn list_districts(&self) -> Result<Vec<DistrictRow>> {
        dispatch!(self.list_districts())
    }
    /// Loads an organisation (and optionally a batch of incidents) in one transaction,
    /// with one audit entry describing the load. Used by the demo and by imports.
    pub async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()> {
        dispatch!(self.bulk_load(load, audit))
    }

    // ---- officers and sessions ----
    pub async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        dispatch!(self.officer_by_username(username))
    }
    pub async fn officer_by_id(&self, id: uuid::Uuid) -> Result<Option<OfficerRow>> {
        dispatch!(self.officer_by_id(id))
    }
    pub async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()> {
        dispatch!(self.insert_officer(o, audit))
    }
    pub async fn update_officer_auth(
        &self,
        id: uuid::Uuid,
        password_hash: Option<String>,
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()> {
        dispatch!(self.update_officer_auth(id, password_hash, disabled, audit))
    }
    pub async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()> {
        dispatch!(self.insert_session(s, audit))
    }
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        dispatch!(self.session(token_hash))
    }
    pub async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()> {
        dispatch!(self.delete_session(token_hash, audit))
    }

    // ---- incidents ----
    /// Allocates the unit-year number, inserts, and appends the audit entry, atomically.
    pub async fn create_incident(&self, n: NewIncident, audit: AuditDraft) -> Result<IncidentRow> {
        dispatch!(self.create_incident(n, audit))
    }
    pub async fn incident(&self, id: uuid::Uuid) -> Result<Option<IncidentRow>> {
        dispatch!(self.incident(id))
    }
    pub async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage> {
        dispatch!(self.list_incidents(f))
    }
    pub async fn count_incidents(&self) -> Result<i64> {
        dispatch!(self.count_incidents())
    }

    // ---- penalty discretion standards ----
    /// Stores an uploaded (validated) standard as an inactive draft, with its audit entry.
    pub async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()> {
        dispatch!(self.insert_penalty_standard(s, audit))
    }
    /// Makes `id` the only active standard (the previous one stays on record, inactive),
    /// with its audit entry. `NotFound` when there is no such standard.
    pub async fn activate_penalty_standard(
        &self,
        id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow> {
        dispatch!(self.activate_penalty_standard(id, at, audit))
    }
    /// Every stored standard, newest upload first.
    pub async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>> {
        dispatch!(self.list_penalty_standards())
    }
    /// One standard with its text.
    pub async fn penalty_standard(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<(PenaltyStandardRow, String)>> {
        dispatch!(self.penalty_standard(id))
    }
    /// The active standard with its text (`None`: the built-in default applies).
    pub async fn active_penalty_standard(&self) -> Result<Option<(PenaltyStandardRow, String)>> {
        dispatch!(self.active_penalty_standard())
    }

    // ---- holiday calendars ----
    /// Stores an uploaded (validated) calendar year, replacing any stored text for that
    /// year, with its audit entry.
    pub async fn upsert_calendar(&self, c: CalendarRow, audit: AuditDraft) -> Result<()> {
        dispatch!(self.upsert_calendar(c, audit))
    }
    /// Every stored calendar year, ascending.
    pub async fn list_calendars(&self) -> Result<Vec<CalendarRow>> {
        dispatch!(self.list_calendars())
    }

    // ---- audit ----
    /// Appends a stand-alone entry (reads of personal data, logins, refusals).
    pub async fn append_audit(&self, audit: AuditDraft) -> Result<i64> {
        dispatch!(self.append_audit(audit))
    }
    /// Entries with `seq > after`, in order, at most `limit`.
    pub async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        dispatch!(self.audit_entries(after, limit))
    }
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        dispatch!(self.audit_head())
    }

    // ---- benchmarks ----
    /// The engine's own limit for the intake rows: incident + number + audit inserts from
    /// one thread, with the same durability settings as the live path, committing every
    /// `batch` rows (the live path's batches are at most as large as the number of
    /// concurrent requests).
    pub async fn bare_insert_loop(
        &self,
        rows: Vec<NewIncident>,
        batch: usize,
    ) -> Result<std::time::Duration> {
        dispatch!(self.bare_insert_loop(rows, batch))
    }
}

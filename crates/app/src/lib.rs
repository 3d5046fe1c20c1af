//! Use cases. Each takes the acting officer, authorizes through core, applies core
//! rules, writes through the store together with its audit entry, and returns a typed
//! result or a typed error. Web handlers and CLI commands call these and nothing below.
//!
//! One folder per capability (`auth/`, `incident/`, `penalty/`, `period/`, `audit/`,
//! `demo/`), a file per use case inside it; shared pieces (`clock`, `error`, `org`) sit
//! here at the root. A capability uses another only through its public items.

pub mod audit;
pub mod auth;
pub mod capabilities;
pub mod clock;
pub mod demo;
pub mod error;
pub mod gate;
pub mod incident;
pub mod org;
pub mod penalty;
pub mod period;

use std::sync::Arc;

use frontline_core::incident::category::CategoryTree;
use frontline_core::incident::response::ResponseTargets;
use frontline_core::purpose::PurposeList;
use frontline_store::{DbConfig, Store};

pub use capabilities::Capabilities;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::AppError;
pub use gate::Operation;

pub type Result<T> = std::result::Result<T, AppError>;

/// Tunables that tests and benchmarks change.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Argon2 memory cost in KiB (OWASP minimum for argon2id is 19 MiB).
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    /// How long a login session lasts.
    pub session_hours: i64,
    /// Failed logins before a username is locked out for `lockout_minutes`.
    pub max_failed_logins: u32,
    pub lockout_minutes: i64,
    /// Mark cookies `Secure` (browsers then send them over HTTPS only). On for any
    /// deployment behind TLS; off by default so that `demo` works on plain loopback.
    pub secure_cookies: bool,
    /// The most incidents one CSV export may hold (more is refused, never cut short).
    pub export_max_rows: i64,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            secure_cookies: false,
            export_max_rows: frontline_store::MAX_ROWS_PER_QUERY,
        }
    }
}

impl AppConfig {
    /// Cheap hashing for tests only; never used by `serve` or `demo`.
    pub fn for_tests() -> Self {
        AppConfig {
            argon2_m_kib: 256,
            argon2_t: 1,
            ..AppConfig::default()
        }
    }
}

/// The application: shared by every request. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub categories: Arc<CategoryTree>,
    /// The 110 arrival targets by area type, and the urgent categories they apply to.
    pub response_targets: Arc<ResponseTargets>,
    /// The purposes of access an unmasking may state (`data/unmask-purposes.toml`).
    pub purposes: Arc<PurposeList>,
    pub org: Arc<org::OrgCache>,
    pub auth: Arc<auth::AuthState>,
    pub config: Arc<AppConfig>,
    /// The penalty discretion engine with the standard in use.
    pub penalty: Arc<penalty::PenaltyState>,
    /// Holiday calendars (built in + uploaded) and the deadline rule catalog.
    pub deadlines: Arc<period::DeadlineState>,
}

impl App {
    pub async fn open(db: &DbConfig, clock: Arc<dyn Clock>, config: AppConfig) -> Result<App> {
        let store = Store::open(db).await?;
        App::with_store(store, clock, config).await
    }

    pub async fn with_store(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> Result<App> {
        let categories = CategoryTree::builtin().map_err(AppError::Internal)?;
        let response_targets = ResponseTargets::builtin(&categories).map_err(AppError::Internal)?;
        let purposes = PurposeList::builtin().map_err(AppError::Internal)?;
        let org = org::OrgCache::load(&store).await?;
        let penalty = penalty::PenaltyState::load(&store).await?;
        let deadlines = period::DeadlineState::load(&store).await?;
        Ok(App {
            store,
            clock,
            categories: Arc::new(categories),
            response_targets: Arc::new(response_targets),
            purposes: Arc::new(purposes),
            org: Arc::new(org),
            auth: Arc::new(auth::AuthState::default()),
            config: Arc::new(config),
            penalty: Arc::new(penalty),
            deadlines: Arc::new(deadlines),
        })
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

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
pub mod case;
pub mod clock;
pub mod demo;
pub mod error;
pub mod gate;
pub mod incident;
pub mod notify;
pub mod org;
pub mod penalty;
pub mod period;
pub mod search;

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
    /// How long a login session lasts at most (absolute lifetime).
    pub session_hours: i64,
    /// A session unused for this long ends (idle timeout).
    pub session_idle_minutes: i64,
    /// The idle timeout in seconds instead, when set (browser tests of the timeout).
    pub session_idle_secs: Option<i64>,
    /// Unmasking and exports need the password or a code re-entered within this long
    /// (sign-in counts).
    pub reauth_window_secs: i64,
    /// Failed sign-ins a username may have before each further attempt waits.
    pub sign_in_username_failures: u32,
    /// The same for one client address (password spraying over many usernames).
    pub sign_in_client_failures: u32,
    /// The first wait after the free failures; it doubles per further failure.
    pub sign_in_base_delay_secs: i64,
    /// The longest wait.
    pub sign_in_max_delay_minutes: i64,
    /// A counter with no failure for this long starts again from zero.
    pub sign_in_window_minutes: i64,
    /// The demo: its published password may be chosen (set by `frontline demo` only).
    pub demo: bool,
    /// Mark cookies `Secure` (browsers then send them over HTTPS only). On for any
    /// deployment behind TLS; off by default so that `demo` works on plain loopback.
    pub secure_cookies: bool,
    /// The most incidents one CSV export may hold (more is refused, never cut short).
    pub export_max_rows: i64,
    /// Where text messages are POSTed (`{"to", "text", "id"}`); none: SMS are not sent.
    pub sms_gateway_url: Option<String>,
    /// Where lifecycle events are POSTed as JSON (e.g. the command centre's wall);
    /// none: no webhook messages are written.
    pub webhook_url: Option<String>,
    /// Where this instance keeps its search index (`<data-dir>/search-index`); none:
    /// in memory (tests), built from the database at start.
    pub search_dir: Option<std::path::PathBuf>,
    /// Where case attachments are kept, by SHA-256 (`<data-dir>/attachments`; with several
    /// instances a directory they share). None: a fresh temporary directory (tests).
    pub attachments_dir: Option<std::path::PathBuf>,
    /// 双提醒: the reminders before a deadline that has none of its own in the rule
    /// catalog (default 24 h and 2 h), and the grace after which an overdue deadline
    /// gets an enforcement advice letter (default 24 h).
    pub escalation: frontline_core::case::escalation::Escalation,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            session_hours: 12,
            session_idle_minutes: 30,
            session_idle_secs: None,
            reauth_window_secs: 600,
            sign_in_username_failures: 5,
            sign_in_client_failures: 20,
            sign_in_base_delay_secs: 30,
            sign_in_max_delay_minutes: 15,
            sign_in_window_minutes: 60,
            demo: false,
            secure_cookies: false,
            export_max_rows: frontline_store::MAX_ROWS_PER_QUERY,
            sms_gateway_url: None,
            webhook_url: None,
            search_dir: None,
            attachments_dir: None,
            escalation: frontline_core::case::escalation::Escalation::default(),
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
    /// Which closed incidents are called back, and when an incident repeats an earlier
    /// one (`data/callback-rules.toml`).
    pub callback_rules: Arc<frontline_core::incident::callback::CallbackRules>,
    pub repeat_rules: Arc<frontline_core::incident::callback::RepeatRules>,
    pub org: Arc<org::OrgCache>,
    pub auth: Arc<auth::AuthState>,
    pub config: Arc<AppConfig>,
    /// The penalty discretion engine with the standard in use.
    pub penalty: Arc<penalty::PenaltyState>,
    /// Holiday calendars (built in + uploaded) and the deadline rule catalog.
    pub deadlines: Arc<period::DeadlineState>,
    /// Which case step starts and meets which deadline (`data/case-deadlines.toml`).
    pub case_workflow: Arc<frontline_core::case::workflow::Workflow>,
    /// Wakes this instance's outbox dispatcher after a write that enqueued messages.
    pub outbox_wake: Arc<notify::OutboxWake>,
    /// The HTTP client of the SMS and webhook channels (connections are reused).
    pub http: reqwest::Client,
    /// This instance's full-text index of incidents (caught up from the change log).
    pub search: Arc<search::SearchIndex>,
    /// The live board's change feed (this instance's broadcast; on PostgreSQL fed by
    /// `LISTEN` from every instance).
    pub board_feed: Arc<incident::BoardFeed>,
    /// The bureau's internal targets beside the legal limits (`data/internal-targets.toml`).
    pub internal_targets: Arc<frontline_core::case::target::Targets>,
    /// The attachments' directory (content-addressed files).
    pub attachments: Arc<case::attachment::BlobDir>,
}

impl App {
    pub async fn open(db: &DbConfig, clock: Arc<dyn Clock>, config: AppConfig) -> Result<App> {
        let store = Store::open(db).await?;
        App::with_store(store, clock, config).await
    }

    pub async fn with_store(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> Result<App> {
        let categories = CategoryTree::builtin().map_err(AppError::Internal)?;
        let response_targets = ResponseTargets::builtin(&categories).map_err(AppError::Internal)?;
        let (callback_rules, repeat_rules) =
            frontline_core::incident::callback::builtin(&categories).map_err(AppError::Internal)?;
        let purposes = PurposeList::builtin().map_err(AppError::Internal)?;
        let org = org::OrgCache::load(&store).await?;
        let penalty = penalty::PenaltyState::load(&store).await?;
        let deadlines = period::DeadlineState::load(&store).await?;
        let case_workflow = frontline_core::case::workflow::Workflow::builtin(&deadlines.rules)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let search = search::open(config.search_dir.as_deref())?;
        let attachments = case::attachment::BlobDir::open(config.attachments_dir.clone())?;
        let app = App {
            store,
            clock,
            categories: Arc::new(categories),
            response_targets: Arc::new(response_targets),
            callback_rules: Arc::new(callback_rules),
            repeat_rules: Arc::new(repeat_rules),
            purposes: Arc::new(purposes),
            org: Arc::new(org),
            auth: Arc::new(auth::AuthState::default()),
            config: Arc::new(config),
            penalty: Arc::new(penalty),
            deadlines: Arc::new(deadlines),
            case_workflow: Arc::new(case_workflow),
            outbox_wake: Arc::new(notify::OutboxWake::default()),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| AppError::Internal(format!("HTTP client: {e}")))?,
            search,
            board_feed: Arc::new(incident::BoardFeed::default()),
            attachments: Arc::new(attachments),
            internal_targets: Arc::new(
                frontline_core::case::target::Targets::builtin().map_err(AppError::Internal)?,
            ),
        };
        // Incidents filed before the statistics rollups existed are counted once, here.
        if let Some(n) = app.rebuild_statistics(false).await? {
            tracing::info!(incidents = n, "statistics rollups rebuilt");
        }
        Ok(app)
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

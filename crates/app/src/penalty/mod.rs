//! Public-order penalty discretion (治安管理处罚裁量): the calculator, the catalog of the
//! loaded standard, and a bureau's own discretion standards (upload, validate, activate).
//!
//! The [`Engine`] is loaded once at start (the active stored standard, else the one
//! shipped with the binary) and swapped whole when an administrator activates another
//! standard. An assessment touches no record; it is audited with the violation code,
//! the law version and the recommendation — never a name or an identifier (the person
//! is only an age and flags).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use frontline_core::org::UnitKind;
use frontline_core::penalty::Engine;
use frontline_store::Store;
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, Result};

mod assess;
mod catalog;
mod request;
mod standards;
#[cfg(test)]
mod tests;

pub use assess::{AssessAnswer, AssessmentSet, assess_field_error, assess_inputs};
pub use catalog::{
    ArticleView, CatalogQuery, CircumstanceView, ItemView, PenaltyCatalogView, SituationView,
    TierView, ViolationView, article_number, known_article,
};
pub use request::{AssessBody, AssessPerson, AssessRequest, parse_assess_request};
pub use standards::{
    StandardList, StandardUpload, StandardUploadRequest, StandardView, standard_field_error,
};

/// Largest standard accepted (the default one is about 150 KB).
pub const STANDARD_MAX_BYTES: usize = 1024 * 1024;
/// Most violations assessed together (第16条).
pub const MAX_VIOLATIONS: usize = 20;
/// Oldest age the calculator accepts.
pub const AGE_MAX: u64 = 120;

// ---------------------------------------------------------------------------
// The loaded engine
// ---------------------------------------------------------------------------

/// The engine in use and which standard it holds.
#[derive(Debug)]
pub struct LoadedEngine {
    pub engine: Engine,
    /// The stored standard in use; `None`: the one shipped with the binary.
    pub standard_id: Option<Uuid>,
    /// Why the active stored standard could not be loaded (the built-in one is used).
    pub load_error: Option<String>,
    /// The active stored standard that failed to load (not retried until it changes).
    pub failed_id: Option<Uuid>,
}

impl LoadedEngine {
    /// The engine for the active stored standard (`None`: the built-in one). A stored
    /// standard that no longer loads (e.g. after a catalog correction) is logged and the
    /// built-in one used.
    fn for_active(active: Option<(Uuid, String)>) -> Result<LoadedEngine> {
        Ok(match active {
            Some((id, text)) => match Engine::with_standard(&text) {
                Ok(engine) => LoadedEngine {
                    engine,
                    standard_id: Some(id),
                    load_error: None,
                    failed_id: None,
                },
                Err(e) => {
                    tracing::error!(standard = %id, error = %e,
                        "the active discretion standard does not load; using the built-in one");
                    LoadedEngine {
                        engine: builtin()?,
                        standard_id: None,
                        load_error: Some(e.to_string()),
                        failed_id: Some(id),
                    }
                }
            },
            None => LoadedEngine {
                engine: builtin()?,
                standard_id: None,
                load_error: None,
                failed_id: None,
            },
        })
    }

    /// Whether this engine already reflects `active` (the stored standard now active).
    fn reflects(&self, active: Option<Uuid>) -> bool {
        active == self.standard_id || (active.is_some() && active == self.failed_id)
    }
}

/// How often an instance looks for a standard activated by another instance.
pub const RECHECK_DEFAULT: Duration = Duration::from_secs(10);

/// Shared by every request; swapped whole on activation. With several instances on
/// one database, each checks the store at most every `recheck` and follows an
/// activation made elsewhere.
#[derive(Debug)]
pub struct PenaltyState {
    current: RwLock<Arc<LoadedEngine>>,
    checked: Mutex<Instant>,
    recheck_ms: AtomicU64,
}

async fn load_blocking(active: Option<(Uuid, String)>) -> Result<LoadedEngine> {
    tokio::task::spawn_blocking(move || LoadedEngine::for_active(active))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

impl PenaltyState {
    /// The active stored standard, else the built-in one.
    pub async fn load(store: &Store) -> Result<PenaltyState> {
        let active = store
            .active_penalty_standard()
            .await?
            .map(|(row, text)| (row.id, text));
        let loaded = load_blocking(active).await?;
        Ok(PenaltyState {
            current: RwLock::new(Arc::new(loaded)),
            checked: Mutex::new(Instant::now()),
            recheck_ms: AtomicU64::new(RECHECK_DEFAULT.as_millis() as u64),
        })
    }

    pub fn current(&self) -> Arc<LoadedEngine> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn replace(&self, next: LoadedEngine) -> Arc<LoadedEngine> {
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next.clone(),
            Err(p) => *p.into_inner() = next.clone(),
        }
        next
    }

    /// How often to look for an activation made by another instance (tests use zero).
    pub fn set_recheck(&self, every: Duration) {
        self.recheck_ms
            .store(every.as_millis() as u64, Ordering::Relaxed);
    }

    /// True when it is time to look at the store again (and marks the look).
    fn due(&self) -> bool {
        let every = Duration::from_millis(self.recheck_ms.load(Ordering::Relaxed));
        let mut g = match self.checked.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if g.elapsed() >= every {
            *g = Instant::now();
            true
        } else {
            false
        }
    }

    /// The engine, reloaded first when another instance activated another standard.
    pub async fn fresh(&self, store: &Store) -> Result<Arc<LoadedEngine>> {
        let cur = self.current();
        if !self.due() {
            return Ok(cur);
        }
        let active = store
            .list_penalty_standards()
            .await?
            .into_iter()
            .find(|r| r.active)
            .map(|r| r.id);
        if cur.reflects(active) {
            return Ok(cur);
        }
        let text = match active {
            Some(id) => store.penalty_standard(id).await?.map(|(r, t)| (r.id, t)),
            None => None,
        };
        let next = load_blocking(text).await?;
        Ok(self.replace(next))
    }
}

fn builtin() -> Result<Engine> {
    Engine::builtin().map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// The standard in use.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardInUse {
    /// The stored standard in use; null: the default shipped with the system.
    pub id: Option<Uuid>,
    pub builtin: bool,
    pub name_zh: String,
    pub name_en: String,
    pub version: String,
    /// Set when the active stored standard failed to load and the default is used.
    pub load_error: Option<String>,
}

fn in_use(l: &LoadedEngine) -> StandardInUse {
    let s = &l.engine.standard;
    StandardInUse {
        id: l.standard_id,
        builtin: l.standard_id.is_none(),
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.clone(),
        version: s.version.clone(),
        load_error: l.load_error.clone(),
    }
}

impl App {
    /// The engine in use (for read-only views such as the calculator form).
    pub fn penalty_engine(&self) -> Arc<LoadedEngine> {
        self.penalty.current()
    }

    /// The bureau's name (the print header of a penalty note).
    pub fn bureau_name(&self) -> String {
        self.org
            .units()
            .into_iter()
            .find(|u| u.kind == UnitKind::Bureau)
            .map(|u| u.name)
            .unwrap_or_default()
    }
}

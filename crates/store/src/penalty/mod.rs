//! Penalty discretion standards: uploaded drafts, one active at a time, history kept.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AuditDraft, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

/// A discretion standard to store as a draft (not active).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPenaltyStandard {
    pub id: Uuid,
    pub name: String,
    /// The standard's own `version` field.
    pub version: String,
    /// The TOML text as uploaded.
    pub text: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

/// A stored discretion standard, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PenaltyStandardRow {
    pub id: Uuid,
    pub name: String,
    pub version: String,
    pub uploaded_by: Uuid,
    /// The uploader's display name.
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
    /// When it was last activated (kept after another one is activated).
    pub activated_at: Option<DateTime<Utc>>,
    pub active: bool,
}

/// The columns both engines read (the row mappers' order), then the text at index 8.
const PENALTY_STANDARD_COLS: &str = "p.id, p.name, p.version, p.uploaded_by, o.display_name, p.uploaded_at, \
     p.activated_at, p.active";

/// `SELECT … WHERE {cond}` for one standard with its text.
fn select_with_text(cond: &str) -> String {
    format!(
        "SELECT {PENALTY_STANDARD_COLS}, p.text FROM penalty_standards p \
         JOIN officers o ON o.id = p.uploaded_by WHERE {cond}"
    )
}

/// Every standard, newest upload first.
fn select_all() -> String {
    format!(
        "SELECT {PENALTY_STANDARD_COLS} FROM penalty_standards p \
         JOIN officers o ON o.id = p.uploaded_by ORDER BY p.uploaded_at DESC, p.id DESC"
    )
}

store_methods! {
    /// Stores an uploaded (validated) standard as an inactive draft, with its audit entry.
    pub async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()>;
    /// Makes `id` the only active standard (the previous one stays on record, inactive),
    /// with its audit entry. `NotFound` when there is no such standard.
    pub async fn activate_penalty_standard(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow>;
    /// Every stored standard, newest upload first.
    pub async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>>;
    /// One standard with its text.
    pub async fn penalty_standard(
        &self,
        id: Uuid,
    ) -> Result<Option<(PenaltyStandardRow, String)>>;
    /// The active standard with its text (`None`: the built-in default applies).
    pub async fn active_penalty_standard(&self) -> Result<Option<(PenaltyStandardRow, String)>>;
}

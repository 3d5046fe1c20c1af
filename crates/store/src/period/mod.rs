//! Holiday calendars: one uploaded TOML text per year.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AuditDraft, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

/// A holiday calendar year uploaded by an administrator (validated by the app first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub year: i32,
    /// The TOML text as uploaded.
    pub text: String,
    pub uploaded_by: Uuid,
    /// The uploader's display name (filled in when read back).
    pub uploaded_by_name: String,
    pub uploaded_at: DateTime<Utc>,
}

const SELECT_CALENDARS: &str = "SELECT k.year, k.text, k.uploaded_by, o.display_name, k.uploaded_at \
     FROM calendars k JOIN officers o ON o.id = k.uploaded_by ORDER BY k.year";

store_methods! {
    /// Stores an uploaded (validated) calendar year, replacing any stored text for that
    /// year, with its audit entry.
    pub async fn upsert_calendar(&self, c: CalendarRow, audit: AuditDraft) -> Result<()>;
    /// Every stored calendar year, ascending.
    pub async fn list_calendars(&self) -> Result<Vec<CalendarRow>>;
}

//! Attachments of a case as stored: the row (name, type, size, SHA-256, who, when); the
//! bytes are kept by the application outside the database under their hash.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;

pub(crate) mod pg;
pub(crate) mod sqlite;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Lower-case hex.
    pub sha256: String,
    pub added_by: Uuid,
    pub added_by_name: String,
    pub added_at: DateTime<Utc>,
}

pub(crate) const ATTACHMENT_COLS: &str =
    "id, case_id, name, content_type, size_bytes, sha256, added_by, added_by_name, added_at";

store_methods! {
    /// Records an attachment with its audit entry.
    pub async fn add_case_attachment(&self, a: AttachmentRow, audit: crate::AuditDraft) -> Result<AttachmentRow>;
    /// A case's attachments, oldest first.
    pub async fn case_attachments(&self, case_id: Uuid) -> Result<Vec<AttachmentRow>>;
    pub async fn case_attachment(&self, id: Uuid) -> Result<Option<AttachmentRow>>;
}

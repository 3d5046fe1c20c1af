//! The audit chain: every write appends its entry in the same transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{NewIncident, Result, truncate_micros};

pub(crate) mod pg;
pub(crate) mod sqlite;

/// An audit entry to append; the store assigns `seq` and the chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub purpose: Option<String>,
    pub detail: String,
}

impl AuditDraft {
    /// The entry as it is hashed and stored at position `seq`.
    pub(crate) fn record(&self, seq: i64) -> frontline_core::audit::AuditRecord {
        frontline_core::audit::AuditRecord {
            seq,
            at: truncate_micros(self.at),
            actor_id: self.actor_id,
            actor: self.actor.clone(),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            purpose: self.purpose.clone(),
            detail: self.detail.clone(),
        }
    }

    /// The entry the bare insert loop writes beside each row (as the live path does).
    pub(crate) fn for_bench(n: &NewIncident) -> AuditDraft {
        AuditDraft {
            at: n.created_at,
            actor_id: Some(n.created_by),
            actor: "bench".into(),
            action: "incident.create".into(),
            object_type: "incident".into(),
            object_id: n.id.to_string(),
            purpose: None,
            detail: "{}".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub record: frontline_core::audit::AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// The columns both engines read, in the row mappers' order.
const AUDIT_COLS: &str =
    "seq, at, actor_id, actor, action, object_type, object_id, purpose, detail, prev_hash, hash";

store_methods! {
    /// Appends a stand-alone entry (reads of personal data, logins, refusals).
    pub async fn append_audit(&self, audit: AuditDraft) -> Result<i64>;
    /// Entries with `seq > after`, in order, at most `limit`.
    pub async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>>;
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>>;
}

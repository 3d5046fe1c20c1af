use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: String,
    pub station_class: Option<i16>,
    pub code: String,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct OfficerRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub roles: String,
    pub auxiliary: bool,
    pub badge_no: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for OfficerRow {
    // Never print the password hash in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficerRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("unit_id", &self.unit_id)
            .field("roles", &self.roles)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub officer_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An incident to insert; the store allocates `year`/`seq`/`number`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub unit_code: String,
    pub reported_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub category: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    pub caller_name: String,
    pub caller_phone: String,
    pub caller_id_number: Option<String>,
    pub narrative: String,
    pub created_by: Uuid,
}

impl NewIncident {
    /// The stored row, once the store has allocated its number.
    pub(crate) fn stored_row(&self, number: String, year: i32, seq: i64) -> IncidentRow {
        IncidentRow {
            id: self.id,
            number,
            unit_id: self.unit_id,
            unit_path: self.unit_path.clone(),
            year,
            seq,
            reported_at: truncate_micros(self.reported_at),
            created_at: truncate_micros(self.created_at),
            category: self.category.clone(),
            address: self.address.clone(),
            district_id: self.district_id,
            caller_name: self.caller_name.clone(),
            caller_phone: self.caller_phone.clone(),
            caller_id_number: self.caller_id_number.clone(),
            narrative: self.narrative.clone(),
            created_by: self.created_by,
        }
    }

    /// The numbering year is the Beijing calendar year of the report.
    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        self.reported_at
            .with_timezone(&frontline_core::incident::shanghai())
            .year()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub year: i32,
    pub seq: i64,
    pub reported_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub category: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    pub caller_name: String,
    pub caller_phone: String,
    pub caller_id_number: Option<String>,
    pub narrative: String,
    pub created_by: Uuid,
}

// Personal data stays out of logs: Debug prints ids and number only.
impl std::fmt::Debug for IncidentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncidentRow")
            .field("id", &self.id)
            .field("number", &self.number)
            .field("unit_path", &self.unit_path)
            .field("category", &self.category)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for NewIncident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewIncident")
            .field("id", &self.id)
            .field("unit_path", &self.unit_path)
            .field("category", &self.category)
            .finish_non_exhaustive()
    }
}

/// The most rows one list query returns (a page is far smaller; an export may be this big).
pub const MAX_ROWS_PER_QUERY: i64 = 10_000;

/// A list query. The scope range comes from the authorization decision and is applied
/// in SQL, never after loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// `None`: no rows at all (the actor has no scope).
    pub scope: Option<PathRange>,
    /// A unit the user picked; intersected with the scope.
    pub unit: Option<PathRange>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// A leaf code (exact) or a root code (all its children).
    pub category: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// Oldest first instead of newest first (ties: id in the same direction).
    pub oldest_first: bool,
}

/// `[lower, upper)` over unit paths; `PathRange::all()` is unbounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRange {
    pub lower: String,
    pub upper: String,
}

impl PathRange {
    pub fn subtree(prefix: &str) -> PathRange {
        PathRange {
            lower: prefix.to_string(),
            upper: frontline_core::org::path_upper_bound(prefix),
        }
    }
    pub fn all() -> PathRange {
        PathRange {
            lower: String::new(),
            upper: "\u{10FFFF}".to_string(),
        }
    }
    /// Every path: no condition needed (and none written, so the planner is not misled).
    pub fn is_all(&self) -> bool {
        self.lower.is_empty() && self.upper == "\u{10FFFF}"
    }
}

#[derive(Debug, Clone, Default)]
pub struct IncidentPage {
    pub items: Vec<IncidentRow>,
    pub total: i64,
}

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

/// Column lists shared by both engines' queries (same order as the row mappers).
pub(crate) const INCIDENT_COLS: &str = "id, number, unit_id, unit_path, year, seq, reported_at, \
     created_at, category, address, district_id, caller_name, caller_phone, caller_id_number, \
     narrative, created_by";
pub(crate) const OFFICER_COLS: &str = "id, username, display_name, unit_id, roles, auxiliary, \
     badge_no, password_hash, disabled, created_at";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub record: frontline_core::audit::AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// A whole organisation (and optional incidents) loaded in one transaction.
#[derive(Debug, Clone, Default)]
pub struct BulkLoad {
    pub units: Vec<UnitRow>,
    pub districts: Vec<DistrictRow>,
    pub officers: Vec<OfficerRow>,
    pub incidents: Vec<NewIncident>,
    pub settings: Vec<(String, String)>,
}

/// Microsecond precision everywhere, so both engines store the same instant.
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    from_micros(micros(t))
}

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

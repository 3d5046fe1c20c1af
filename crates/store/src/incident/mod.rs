//! Incidents: intake with unit-year numbering, reading one, listing within a scope, and
//! the lifecycle steps with their timeline.

use chrono::{DateTime, Utc};
use frontline_core::incident::callback::{CallbackStatus, Satisfaction};
use frontline_core::incident::lifecycle::Status;
use uuid::Uuid;

use crate::sql::{Placeholder, Value, Where};
use crate::{AuditDraft, Result, truncate_micros};

pub(crate) mod follow_up;
pub(crate) mod pg;
pub(crate) mod sqlite;
pub(crate) mod stats;

pub use follow_up::{
    ALREADY_ANSWERED, ALREADY_REVIEWED, CALLBACK_NOT_DUE, CallbackReview, CallbackRow,
    CallbackWrite, CategoryCount, NewFollowUp, PushAnswer, PushRow, PushScope, RepeatCandidate,
    RepeatEarlier, RepeatLink, ReviewRow,
};
pub use stats::{
    HourCount, MAX_CELLS_PER_WRITE, ResponseBucket, StatCount, StatPeriod, StatQuery, StatSource,
};

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
    /// `IncidentState::registered()` at intake; an imported or demo incident may arrive
    /// further along, with the events that brought it there.
    pub state: IncidentState,
    /// The timeline rows to insert with it (seq 1 = the registration).
    pub events: Vec<IncidentEvent>,
    /// Its repeat links found at intake (and, for imported or demo incidents, the
    /// callback state and attempts).
    pub follow_up: NewFollowUp,
    /// The statistics cells it adds (`frontline_core::incident::stats::added`); a bulk
    /// load may leave them out and rebuild the rollups afterwards.
    pub stats: Vec<frontline_core::incident::stats::StatDelta>,
}

impl NewIncident {
    /// An imported or demo incident that arrives converted: the target its conversion
    /// step named (its conversion row is written with it, for the case or dispute to
    /// take over).
    pub(crate) fn arrives_converted(&self) -> Option<(String, DateTime<Utc>)> {
        if self.state.status != Status::Converted {
            return None;
        }
        let e = self.events.iter().rev().find(|e| e.step == "convert")?;
        let detail: serde_json::Value = serde_json::from_str(&e.detail).ok()?;
        let target = detail.get("target")?.as_str()?.to_string();
        Some((target, e.at))
    }
}

/// An incident's repeat flag and callback state (回访), beside its lifecycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUp {
    /// How many earlier incidents this one repeats (0: not a repeat).
    pub repeat_count: i64,
    pub callback: Option<CallbackStatus>,
    pub callback_attempts: i64,
    /// When the next attempt is due (the queue's order).
    pub callback_next_at: Option<DateTime<Utc>>,
    /// The last attempt, and the answer when the caller was reached.
    pub callback_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<Satisfaction>,
}

impl FollowUp {
    pub(crate) fn truncated(mut self) -> FollowUp {
        self.callback_next_at = self.callback_next_at.map(truncate_micros);
        self.callback_at = self.callback_at.map(truncate_micros);
        self
    }
}

/// What a lifecycle step does to the callback: closing puts a required callback in the
/// queue, reopening takes it out (it is due again at the next closing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallbackChange {
    #[default]
    Keep,
    Due(DateTime<Utc>),
    Clear,
}

/// Where an incident is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentState {
    pub status: Status,
    /// Grows by one with every step; a step names the version it saw.
    pub version: i64,
    /// The first dispatch, first arrival and disposal (response times use the first).
    pub dispatched_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub disposed_at: Option<DateTime<Utc>>,
    /// When it was closed, referred or converted.
    pub ended_at: Option<DateTime<Utc>>,
    /// The patrol unit of the current dispatch (call sign or car).
    pub patrol_unit: Option<String>,
    /// Officers of the current dispatch.
    pub assigned: Vec<Uuid>,
}

impl IncidentState {
    pub fn registered() -> IncidentState {
        IncidentState {
            status: Status::Registered,
            version: 1,
            dispatched_at: None,
            arrived_at: None,
            disposed_at: None,
            ended_at: None,
            patrol_unit: None,
            assigned: Vec::new(),
        }
    }

    pub(crate) fn truncated(mut self) -> IncidentState {
        for t in [
            &mut self.dispatched_at,
            &mut self.arrived_at,
            &mut self.disposed_at,
            &mut self.ended_at,
        ] {
            *t = t.map(truncate_micros);
        }
        self
    }
}

/// Officer ids as stored: comma-separated.
pub(crate) fn join_ids(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads stored officer ids; a damaged list is an error, never a shorter list.
pub(crate) fn split_ids(s: &str) -> std::result::Result<Vec<Uuid>, uuid::Error> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(Uuid::parse_str)
        .collect()
}

/// A status in the database that core does not know: reading it fails.
#[derive(Debug, thiserror::Error)]
#[error("unknown incident status {0:?} in the incidents table")]
pub(crate) struct UnknownStatus(pub(crate) String);

pub(crate) fn parse_status(s: &str) -> std::result::Result<Status, UnknownStatus> {
    Status::parse(s).ok_or_else(|| UnknownStatus(s.to_string()))
}

/// One row of an incident's timeline: who did what, when, from which state to which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentEvent {
    /// The incident's version after this step (1 = the registration).
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// The actor's name at the time (the timeline is a record, not a live join).
    pub actor_name: String,
    /// `register`, or a lifecycle step's code.
    pub step: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub note: String,
    /// Step details as a JSON object (officers, patrol, receiving body, target).
    pub detail: String,
}

impl IncidentEvent {
    /// The first row of every timeline: the call was registered.
    pub fn registration(at: DateTime<Utc>, actor_id: Uuid, actor_name: &str) -> IncidentEvent {
        IncidentEvent {
            seq: 1,
            at,
            actor_id: Some(actor_id),
            actor_name: actor_name.to_string(),
            step: "register".into(),
            from_status: None,
            to_status: Status::Registered,
            note: String::new(),
            detail: "{}".into(),
        }
    }
}

/// A lifecycle step to apply: the state the incident moves to and its timeline row,
/// applied only while the incident is still at `expected_version`.
#[derive(Debug, Clone)]
pub struct TransitionWrite {
    pub incident_id: Uuid,
    pub expected_version: i64,
    /// The new state; its version is `expected_version + 1`.
    pub state: IncidentState,
    pub event: IncidentEvent,
    /// For a conversion: the target kind (`case` / `dispute`), linked for its capability.
    pub conversion: Option<String>,
    /// Messages the step sends (written in its transaction, delivered afterwards).
    pub outbox: Vec<crate::NewMessage>,
    pub callback: CallbackChange,
    /// A dispute pushed to the district's street office with this step (kept once per
    /// incident and office: a second closing pushes nothing new).
    pub push: Option<follow_up::PushRow>,
    /// What the step changes in the statistics rollups (`stats::delta` of the state it
    /// saw and the state it writes; the version check makes the first exact).
    pub stats: Vec<frontline_core::incident::stats::StatDelta>,
}

/// What a stale step answers: the store saw another version.
pub const STALE_VERSION: &str = "stale_version";

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
            state: self.state.clone().truncated(),
            follow_up: FollowUp {
                repeat_count: self.follow_up.repeats.len() as i64,
                ..self.follow_up.state.clone().truncated()
            },
        }
    }

    /// The numbering year is the Beijing calendar year of the report.
    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        self.reported_at
            .with_timezone(&frontline_core::time::BEIJING)
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
    pub state: IncidentState,
    pub follow_up: FollowUp,
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
    pub status: Option<Status>,
    /// Only open incidents (registered, dispatched, on scene, disposed).
    pub open_only: bool,
    /// Only incidents that repeat an earlier one.
    pub repeat_only: bool,
    pub callback: Option<CallbackStatus>,
    /// The caller's answer at the last callback, and when that callback was made.
    pub satisfaction: Option<Satisfaction>,
    pub callback_from: Option<DateTime<Utc>>,
    pub callback_to: Option<DateTime<Utc>>,
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

/// The columns both engines read, in the row mappers' order.
const INCIDENT_COLS: &str = "id, number, unit_id, unit_path, year, seq, reported_at, \
     created_at, category, address, district_id, caller_name, caller_phone, caller_id_number, \
     narrative, created_by, status, version, dispatched_at, arrived_at, disposed_at, ended_at, \
     patrol_unit, assigned, repeat_count, callback_status, callback_attempts, callback_next_at, \
     callback_at, satisfaction";

/// The timeline columns, in the row mappers' order.
const EVENT_COLS: &str =
    "seq, at, actor_id, actor_name, step, from_status, to_status, note, detail";

/// Which terms are written as `+col`, which keeps SQLite from using an index for them
/// (PostgreSQL plans by statistics and gets no hints).
#[derive(Debug, Clone, Copy, Default)]
struct IndexHints {
    skip_unit_index: bool,
    skip_category_index: bool,
}

/// The WHERE clause of an incident list, shared by the page and its count. The terms
/// come in the same order whatever the hints, so one set of arguments fits every plan.
fn incident_where(f: &IncidentFilter, style: Placeholder, hints: IndexHints) -> Where {
    // Only SQLite is steered. A callback-time range is far more selective than a unit's
    // whole history (keep it on `incidents_callback_at`); so is a window of a few days
    // (the daily review's lists: keep it on `incidents_time`, not on a category's or a
    // unit's whole history).
    let sqlite = style == Placeholder::Question;
    let short_window =
        matches!((f.from, f.to), (Some(a), Some(b)) if b - a <= chrono::Duration::days(7));
    let unit = if hints.skip_unit_index || (sqlite && (f.callback_from.is_some() || short_window)) {
        "+unit_path"
    } else {
        "unit_path"
    };
    let category = if hints.skip_category_index || (sqlite && short_window) {
        "+category"
    } else {
        "category"
    };
    let mut w = Where::new(style);
    let mut unit_term = false;
    for r in [&f.scope, &f.unit].into_iter().flatten() {
        if r.is_all() {
            continue;
        }
        w.and(unit, ">=", Value::Text(r.lower.clone()));
        w.and(unit, "<", Value::Text(r.upper.clone()));
        unit_term = true;
    }
    // Open incidents (few) up to a time: read them through `incidents_open`, not
    // `incidents_time` over the whole history before it (16 s bureau-wide at 3,000,000
    // incidents). With no unit term, "every path" gives SQLite the index's column.
    let open_upto = sqlite && f.open_only && f.from.is_none();
    if open_upto && !unit_term {
        w.and(unit, ">=", Value::Text(String::new()));
    }
    if let Some(t) = f.from {
        w.and("reported_at", ">=", Value::Time(t));
    }
    if let Some(t) = f.to {
        let col = if open_upto {
            "+reported_at"
        } else {
            "reported_at"
        };
        w.and(col, "<", Value::Time(t));
    }
    if let Some(c) = &f.category {
        if c.contains('.') {
            w.and(category, "=", Value::Text(c.clone()));
        } else {
            // Root code: every `root.*` leaf ('.' + 1 = '/').
            w.and(category, ">=", Value::Text(format!("{c}.")));
            w.and(category, "<", Value::Text(format!("{c}/")));
        }
    }
    if let Some(st) = f.status {
        w.and("status", "=", Value::Text(st.as_str().to_string()));
    }
    if f.open_only {
        w.raw(OPEN_CONDITION);
    }
    if f.repeat_only {
        w.raw("repeat_count > 0");
    }
    if let Some(c) = f.callback {
        w.and("callback_status", "=", Value::Text(c.as_str().to_string()));
    }
    if let Some(sat) = f.satisfaction {
        w.and("satisfaction", "=", Value::Text(sat.as_str().to_string()));
    }
    if let Some(t) = f.callback_from {
        w.and("callback_at", ">=", Value::Time(t));
    }
    if let Some(t) = f.callback_to {
        w.and("callback_at", "<", Value::Time(t));
    }
    w
}

/// The condition of the partial index `incidents_open`, written exactly as there so
/// that both engines can use the index.
const OPEN_CONDITION: &str = "status IN ('registered', 'dispatched', 'on_scene', 'disposed')";

/// `ORDER BY … LIMIT … OFFSET …` of a list page (limit clamped, offset at least 0).
fn page_tail(f: &IncidentFilter) -> String {
    let dir = if f.oldest_first { "ASC" } else { "DESC" };
    format!(
        " ORDER BY reported_at {dir}, id {dir} LIMIT {} OFFSET {}",
        f.limit.clamp(1, MAX_ROWS_PER_QUERY),
        f.offset.max(0)
    )
}

/// What the search index holds of an incident: the texts as stored (the index masks
/// them before indexing) and the fields the list filters on.
#[derive(Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub id: Uuid,
    pub unit_path: String,
    pub category: String,
    pub status: Status,
    pub reported_at: DateTime<Utc>,
    pub narrative: String,
    pub address: String,
}

// Personal data stays out of logs.
impl std::fmt::Debug for SearchDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchDoc")
            .field("id", &self.id)
            .field("unit_path", &self.unit_path)
            .finish_non_exhaustive()
    }
}

/// One row of the change log (`incident_changes`, written by triggers in the writing
/// transaction): this incident changed in what the search index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentChange {
    pub seq: i64,
    pub incident_id: Uuid,
}

/// The most ids one by-id read takes (callers chunk).
pub const MAX_IDS_PER_READ: usize = 1_000;

const SEARCH_COLS: &str = "id, unit_path, category, status, reported_at, narrative, address";

store_methods! {
    /// Change-log rows after `after`, in `seq` order, at most `limit`.
    pub async fn incident_changes_after(&self, after: i64, limit: i64) -> Result<Vec<IncidentChange>>;
    /// The highest `seq` in the change log (0 when empty).
    pub async fn last_incident_change(&self) -> Result<i64>;
    /// The search documents of these incidents (absent ids are left out); at most
    /// `MAX_IDS_PER_READ` ids.
    pub async fn search_docs(&self, ids: Vec<Uuid>) -> Result<Vec<SearchDoc>>;
    /// Every incident's search document in id order, `limit` after `after` (a rebuild).
    pub async fn search_docs_scan(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<SearchDoc>>;
    /// The incidents with these ids inside `scope` (the database, not the index, decides
    /// what the actor may see); any order; at most `MAX_IDS_PER_READ` ids.
    pub async fn incidents_by_ids(&self, ids: Vec<Uuid>, scope: PathRange) -> Result<Vec<IncidentRow>>;
    /// Allocates the unit-year number, inserts, and appends the audit entry, atomically.
    pub async fn create_incident(&self, n: NewIncident, audit: AuditDraft) -> Result<IncidentRow>;
    pub async fn incident(&self, id: Uuid) -> Result<Option<IncidentRow>>;
    pub async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage>;
    /// Every incident the filter selects, up to its limit and in its order, without a
    /// total: one query (the daily review's lists over all stations of a day).
    pub async fn incidents_matching(&self, f: IncidentFilter) -> Result<Vec<IncidentRow>>;
    pub async fn count_incidents(&self) -> Result<i64>;
    /// Applies one lifecycle step with its timeline row and audit entry, atomically;
    /// `Conflict(STALE_VERSION)` when the incident is no longer at the expected version
    /// (exactly one of concurrent steps on one incident wins), `NotFound` when absent.
    pub async fn apply_transition(&self, t: TransitionWrite, audit: AuditDraft) -> Result<IncidentRow>;
    /// An incident's timeline, oldest first.
    pub async fn incident_events(&self, id: Uuid) -> Result<Vec<IncidentEvent>>;
    /// The engine's own limit for the intake rows: incident + number + audit inserts from
    /// one thread, with the same durability settings as the live path, committing every
    /// `batch` rows (the live path's batches are at most as large as the number of
    /// concurrent requests).
    pub async fn bare_insert_loop(
        &self,
        rows: Vec<NewIncident>,
        batch: usize,
    ) -> Result<std::time::Duration>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> IncidentFilter {
        IncidentFilter {
            scope: Some(PathRange::subtree("/QC/")),
            unit: Some(PathRange::all()),
            from: Some(DateTime::UNIX_EPOCH),
            to: None,
            category: Some("theft".into()),
            status: None,
            open_only: false,
            repeat_only: false,
            callback: None,
            satisfaction: None,
            callback_from: None,
            callback_to: None,
            limit: 20,
            offset: 0,
            oldest_first: false,
        }
    }

    #[test]
    fn root_category_is_a_range_and_all_paths_write_no_term() {
        let w = incident_where(&filter(), Placeholder::Dollar, IndexHints::default());
        assert_eq!(
            w.sql(),
            " WHERE 1=1 AND unit_path >= $1 AND unit_path < $2 AND reported_at >= $3 \
             AND category >= $4 AND category < $5"
        );
        assert_eq!(w.args().get(3), Some(&Value::Text("theft.".into())));
        assert_eq!(w.args().get(4), Some(&Value::Text("theft/".into())));
    }

    #[test]
    fn hints_change_the_text_not_the_arguments() {
        let mut f = filter();
        f.category = Some("theft.bike".into());
        let plain = incident_where(&f, Placeholder::Question, IndexHints::default());
        let hinted = incident_where(
            &f,
            Placeholder::Question,
            IndexHints {
                skip_unit_index: true,
                skip_category_index: true,
            },
        );
        assert_eq!(
            hinted.sql(),
            " WHERE 1=1 AND +unit_path >= ?1 AND +unit_path < ?2 AND reported_at >= ?3 \
             AND +category = ?4"
        );
        assert_eq!(plain.args(), hinted.args());
    }
}

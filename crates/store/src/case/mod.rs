//! Cases: acceptance with unit-kind-year numbering, the lifecycle steps with their
//! timeline, parties and officers, and the legal deadlines the steps start and meet.

use chrono::{DateTime, Utc};
use frontline_core::case::{CaseKind, Outcome, PartyRole, Status};
use uuid::Uuid;

use crate::sql::{Placeholder, Value, Where};
use crate::{NewMessage, PathRange, Result};

pub(crate) mod attachment;
pub(crate) mod bench;
pub(crate) mod decision;
pub(crate) mod pg;
mod pg_sweep;
pub(crate) mod sqlite;

pub use attachment::AttachmentRow;
pub use bench::BenchDeadline;
pub use decision::{
    DECISION_NOT_ALLOWED, DecisionItem, DecisionReview, DecisionRow, DecisionsInForce,
};

/// The conflict of a case created from an incident that is not (or no longer) waiting
/// for its case: not converted to a case, or already linked.
pub const INCIDENT_NOT_CONVERTIBLE: &str = "case.incident_not_convertible";

/// A case to insert; the store allocates `year`/`seq`/`number`.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub unit_code: String,
    pub kind: CaseKind,
    pub title: String,
    pub summary: String,
    pub lead_officer_id: Option<Uuid>,
    /// The other officers working the case.
    pub officers: Vec<Uuid>,
    pub parties: Vec<CaseParty>,
    /// The converted incident it takes over (its conversion row gets the case's id).
    pub incident_id: Option<Uuid>,
    pub query_code: String,
    pub accepted_at: DateTime<Utc>,
    pub created_by: Uuid,
    /// The timeline's first row (the acceptance).
    pub event: CaseEvent,
    pub deadlines: Vec<NewDeadline>,
    pub outbox: Vec<NewMessage>,
}

impl NewCase {
    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        self.accepted_at
            .with_timezone(&frontline_core::time::BEIJING)
            .year()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub kind: CaseKind,
    pub year: i32,
    pub seq: i64,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub version: i64,
    pub outcome: Option<Outcome>,
    pub lead_officer_id: Option<Uuid>,
    pub incident_id: Option<Uuid>,
    pub query_code: String,
    pub accepted_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
}

/// A party as stored (identifiers whole; views mask them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseParty {
    pub seq: i64,
    pub role: PartyRole,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// Agreed to hear of the case's public steps (victims and reporters).
    pub consent: bool,
}

/// One row of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// The case's version after the step (1 = the acceptance).
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    /// `accept`, or a lifecycle step's code.
    pub step: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub note: String,
    /// Step details as a JSON object.
    pub detail: String,
}

/// A deadline a step starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeadline {
    pub id: Uuid,
    pub rule: String,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    /// When the sweep first has something to do with it (its first reminder).
    pub next_at: Option<DateTime<Utc>>,
    /// The extensions and exclusions applied (JSON array of `DeadlineEvent`).
    pub events: String,
    /// The coercive measure it belongs to.
    pub measure_id: Option<Uuid>,
}

/// A deadline row as stored: running, met or cancelled (临期/超期 are read off the times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredState {
    Running,
    Met,
    Cancelled,
}

impl StoredState {
    pub fn as_str(self) -> &'static str {
        match self {
            StoredState::Running => "running",
            StoredState::Met => "met",
            StoredState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<StoredState> {
        match s {
            "running" => Some(StoredState::Running),
            "met" => Some(StoredState::Met),
            "cancelled" => Some(StoredState::Cancelled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub rule: String,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub state: StoredState,
    pub ended_at: Option<DateTime<Utc>>,
    pub next_at: Option<DateTime<Utc>>,
    /// Reminders sent so far (the sweep's progress).
    pub stage: i32,
    pub events: String,
    pub measure_id: Option<Uuid>,
}

/// A deadline with the case it belongs to (the deadline board).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardDeadline {
    pub deadline: DeadlineRow,
    pub case_number: String,
    pub case_title: String,
    pub case_kind: CaseKind,
    pub lead_officer_id: Option<Uuid>,
}

/// A lifecycle step to apply while the case is still at `expected_version`.
#[derive(Debug, Clone)]
pub struct CaseStepWrite {
    pub case_id: Uuid,
    pub expected_version: i64,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<DateTime<Utc>>,
    pub event: CaseEvent,
    /// Rules whose running deadlines this step meets.
    pub meet: Vec<String>,
    /// Then cancel every deadline still running (closing).
    pub cancel_rest: bool,
    pub start: Vec<NewDeadline>,
    pub outbox: Vec<NewMessage>,
    /// An approved extension of one running deadline of the case (the step `extend`).
    pub extend: Option<DeadlineExtension>,
    /// A coercive measure started, or an act recorded on one.
    pub measure: Option<MeasureWrite>,
    /// The decision step: the case's approved penalty decisions come into force.
    pub decisions_in_force: Option<decision::DecisionsInForce>,
}

/// A coercive measure as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRow {
    pub id: Uuid,
    pub case_id: Uuid,
    /// `summons`, `detention`, … (`frontline_core::case::measure::MeasureKind`).
    pub kind: String,
    pub party_seq: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The acts recorded, in order (`lock_up`, `notify_family`, `interrogate`).
    pub acts: Vec<String>,
    pub note: String,
}

/// What a step does to the case's measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureWrite {
    /// A new measure (its deadlines are the step's `start`, carrying its id); `meet`:
    /// rules it meets among the running deadlines of earlier measures on the same party
    /// (an arrest request meets that suspect's 3 days, not another's).
    Start { row: MeasureRow, meet: Vec<String> },
    /// An act on a running measure: meets the measure's running deadlines of `meet`
    /// (all of them when `end`); `Conflict(MEASURE_ENDED)` when it has ended.
    Act {
        id: Uuid,
        act: String,
        meet: Vec<String>,
        /// Ending: these of the measure's deadlines are cancelled (acts no longer owed,
        /// e.g. the family notice of a detention ended first); the rest are met.
        cancel: Vec<String>,
        end: Option<DateTime<Utc>>,
    },
}

/// The conflict of an act on a measure that has ended.
pub const MEASURE_ENDED: &str = "measure.ended";

/// A running deadline's new end after an approved extension, and the sweep's restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineExtension {
    pub id: Uuid,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub next_at: Option<DateTime<Utc>>,
    pub stage: i32,
    /// Every extension and exclusion applied so far (JSON array).
    pub events: String,
}

/// The conflict of an extension of a deadline that is no longer running.
pub const DEADLINE_NOT_RUNNING: &str = "deadline.not_running";

/// Which cases a list shows.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// The actor's scope; `None` = nothing.
    pub scope: Option<PathRange>,
    /// One unit's subtree.
    pub unit: Option<PathRange>,
    pub kind: Option<CaseKind>,
    pub status: Option<Status>,
    pub open_only: bool,
    /// Accepted at or after / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CasePage {
    pub items: Vec<CaseRow>,
    pub total: i64,
}

/// Which deadlines the board shows, in the actor's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardList {
    /// Running, past the first reminder, not yet due (临期), soonest first.
    DueSoon,
    /// Running and past due (超期), longest overdue first.
    Overdue,
    /// Met since `since`, latest first.
    Met,
    /// Every running deadline, soonest first.
    Running,
}

#[derive(Debug, Clone)]
pub struct BoardFilter {
    pub scope: Option<PathRange>,
    pub unit: Option<PathRange>,
    pub list: BoardList,
    pub now: DateTime<Utc>,
    /// For `Met`: since when.
    pub since: DateTime<Utc>,
    pub limit: i64,
}

/// An advice letter the sweep issues (the store numbers it per unit and year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAdviceLetter {
    pub id: Uuid,
    pub case_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub unit_code: String,
    pub issued_at: DateTime<Utc>,
    pub rule: String,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceLetterRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub deadline_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    /// `S01-2026-JY0001`.
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub rule: String,
    pub due_at: DateTime<Utc>,
}

/// The sweep's progress on one deadline, applied only while it is still at
/// `expected_stage` and running (another instance that got there first wins).
#[derive(Debug, Clone)]
pub struct DeadlineAdvance {
    pub id: Uuid,
    pub expected_stage: i32,
    /// The due instant the sweep saw: an extension in between makes the advance stale.
    pub expected_due: DateTime<Utc>,
    pub stage: i32,
    pub next_at: Option<DateTime<Utc>>,
    pub outbox: Vec<NewMessage>,
    pub letter: Option<NewAdviceLetter>,
    /// The audit entry of an issued letter.
    pub audit: Option<crate::AuditDraft>,
}

/// One lookup of the public status page, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLookup {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The client's address key (`throttle::client_key`).
    pub client: String,
    /// SHA-256 of the normalised code, hex.
    pub code_hash: String,
    pub found: bool,
    pub case_id: Option<Uuid>,
}

pub(crate) const LETTER_COLS: &str =
    "id, case_id, deadline_id, unit_id, unit_path, number, issued_at, rule, due_at";

pub fn format_letter_number(unit_code: &str, year: i32, seq: i64) -> String {
    format!("{unit_code}-{year}-JY{seq:04}")
}

pub(crate) const CASE_COLS: &str = "id, number, unit_id, unit_path, kind, year, seq, title, \
    summary, status, version, outcome, lead_officer_id, incident_id, query_code, accepted_at, \
    closed_at, created_by";
pub(crate) const EVENT_COLS: &str =
    "seq, at, actor_id, actor_name, step, from_status, to_status, note, detail";
pub(crate) const DEADLINE_COLS: &str = "id, case_id, unit_id, unit_path, rule, started_at, \
    due_at, warn_at, state, ended_at, next_at, stage, events, measure_id";
pub(crate) const MEASURE_COLS: &str =
    "id, case_id, kind, party_seq, started_at, ended_at, acts, note";
pub(crate) const PARTY_COLS: &str = "seq, role, name, id_number, phone, consent";

/// A stored value core does not know: reading it fails.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} {value:?} in the cases tables")]
pub(crate) struct UnknownValue {
    pub(crate) what: &'static str,
    pub(crate) value: String,
}

pub(crate) fn parse_kind(s: &str) -> std::result::Result<CaseKind, UnknownValue> {
    frontline_core::case::lifecycle::parse_kind(s).ok_or_else(|| UnknownValue {
        what: "kind",
        value: s.into(),
    })
}

pub(crate) fn parse_status(s: &str) -> std::result::Result<Status, UnknownValue> {
    Status::parse(s).ok_or_else(|| UnknownValue {
        what: "status",
        value: s.into(),
    })
}

pub(crate) fn parse_outcome(s: Option<&str>) -> std::result::Result<Option<Outcome>, UnknownValue> {
    s.map(|s| {
        Outcome::parse(s).ok_or_else(|| UnknownValue {
            what: "outcome",
            value: s.into(),
        })
    })
    .transpose()
}

pub(crate) fn parse_role(s: &str) -> std::result::Result<PartyRole, UnknownValue> {
    PartyRole::parse(s).ok_or_else(|| UnknownValue {
        what: "party role",
        value: s.into(),
    })
}

pub(crate) fn parse_stored_state(s: &str) -> std::result::Result<StoredState, UnknownValue> {
    StoredState::parse(s).ok_or_else(|| UnknownValue {
        what: "deadline state",
        value: s.into(),
    })
}

fn scope_terms(w: &mut Where, column: &str, ranges: [&Option<PathRange>; 2]) {
    for r in ranges.into_iter().flatten() {
        if r.is_all() {
            continue;
        }
        w.and(column, ">=", Value::Text(r.lower.clone()));
        w.and(column, "<", Value::Text(r.upper.clone()));
    }
}

pub(crate) fn case_where(f: &CaseFilter, style: Placeholder) -> Where {
    let mut w = Where::new(style);
    scope_terms(&mut w, "unit_path", [&f.scope, &f.unit]);
    if let Some(k) = f.kind {
        w.and(
            "kind",
            "=",
            Value::Text(frontline_core::case::lifecycle::kind_str(k).into()),
        );
    }
    if let Some(s) = f.status {
        w.and("status", "=", Value::Text(s.as_str().into()));
    }
    if f.open_only {
        w.raw("status <> 'closed'");
    }
    if let Some(t) = f.from {
        w.and("accepted_at", ">=", Value::Time(t));
    }
    if let Some(t) = f.to {
        w.and("accepted_at", "<", Value::Time(t));
    }
    w
}

pub(crate) fn board_where(f: &BoardFilter, style: Placeholder) -> (Where, &'static str) {
    let mut w = Where::new(style);
    scope_terms(&mut w, "d.unit_path", [&f.scope, &f.unit]);
    let order = match f.list {
        BoardList::DueSoon => {
            w.raw("d.state = 'running'");
            w.and("d.due_at", ">", Value::Time(f.now));
            w.and("d.warn_at", "<=", Value::Time(f.now));
            " ORDER BY d.due_at, d.id"
        }
        BoardList::Overdue => {
            w.raw("d.state = 'running'");
            w.and("d.due_at", "<=", Value::Time(f.now));
            " ORDER BY d.due_at, d.id"
        }
        BoardList::Running => {
            w.raw("d.state = 'running'");
            " ORDER BY d.due_at, d.id"
        }
        BoardList::Met => {
            w.raw("d.state = 'met'");
            w.and("d.ended_at", ">=", Value::Time(f.since));
            " ORDER BY d.ended_at DESC, d.id"
        }
    };
    (w, order)
}

store_methods! {
    /// Allocates the case number, inserts the case with its officers, parties, first
    /// timeline row, deadlines and outbox messages, links the converted incident, and
    /// appends the audit entry, atomically. `Conflict(INCIDENT_NOT_CONVERTIBLE)` when
    /// the incident is not converted to a case or already has one.
    pub async fn create_case(&self, n: NewCase, audit: crate::AuditDraft) -> Result<CaseRow>;
    pub async fn case(&self, id: Uuid) -> Result<Option<CaseRow>>;
    /// The case that took over this incident, if any.
    pub async fn case_of_incident(&self, incident_id: Uuid) -> Result<Option<CaseRow>>;
    pub async fn list_cases(&self, f: CaseFilter) -> Result<CasePage>;
    pub async fn case_events(&self, id: Uuid) -> Result<Vec<CaseEvent>>;
    pub async fn case_parties(&self, id: Uuid) -> Result<Vec<CaseParty>>;
    pub async fn case_officers(&self, id: Uuid) -> Result<Vec<Uuid>>;
    pub async fn case_deadlines(&self, id: Uuid) -> Result<Vec<DeadlineRow>>;
    pub async fn deadline(&self, id: Uuid) -> Result<Option<DeadlineRow>>;
    pub async fn case_measures(&self, case_id: Uuid) -> Result<Vec<MeasureRow>>;
    pub async fn measure(&self, id: Uuid) -> Result<Option<MeasureRow>>;
    /// Applies one step with its timeline row, deadline changes, outbox messages and
    /// audit entry, atomically; `Conflict(STALE_VERSION)` when the case moved on.
    pub async fn apply_case_step(&self, w: CaseStepWrite, audit: crate::AuditDraft) -> Result<CaseRow>;
    /// The deadline board: one list in scope, with each deadline's case.
    pub async fn deadline_board(&self, f: BoardFilter) -> Result<Vec<BoardDeadline>>;
    /// Claims up to `limit` running deadlines whose `next_at` has come, oldest first, by
    /// moving `next_at` to `lease_until` (a crashed sweeper's claim comes back then);
    /// PostgreSQL skips rows another instance holds (`FOR UPDATE SKIP LOCKED`).
    pub async fn claim_deadlines(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: i64) -> Result<Vec<DeadlineRow>>;
    /// Applies the sweep's progress with its messages (and letter), atomically; `false`
    /// when the deadline is no longer at the expected stage or no longer running.
    pub async fn advance_deadline(&self, a: DeadlineAdvance) -> Result<bool>;
    pub async fn case_advice_letters(&self, case_id: Uuid) -> Result<Vec<AdviceLetterRow>>;
    pub async fn advice_letter(&self, id: Uuid) -> Result<Option<AdviceLetterRow>>;
    /// Active officers holding `role` inside `scope` (the legal reviewers, a station's
    /// chiefs).
    pub async fn officers_with_role(&self, role: String, scope: PathRange) -> Result<Vec<crate::OfficerBrief>>;
    /// The case whose receipt carries this query code.
    pub async fn case_by_query_code(&self, code: String) -> Result<Option<CaseRow>>;
    /// The public lookups since `since`: the client's (any outcome) and the code's
    /// failed ones (from any client), their times.
    pub async fn status_lookup_times(&self, client: String, code_hash: String, since: DateTime<Utc>) -> Result<(Vec<DateTime<Utc>>, Vec<DateTime<Utc>>)>;
    pub async fn record_status_lookup(&self, l: StatusLookup) -> Result<()>;
    /// Drops the public lookups logged before `before` (the log's retention); how many.
    pub async fn purge_status_lookups(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Benchmark fixtures: deadline rows in bulk (batches of 20,000), no audit.
    pub async fn bench_insert_deadlines(&self, rows: Vec<BenchDeadline>) -> Result<()>;
    /// Benchmark fixtures: timeline rows of one case, no audit.
    pub async fn bench_insert_events(&self, case_id: Uuid, events: Vec<CaseEvent>) -> Result<()>;
    /// Counts of the board's lists in scope: (due soon, overdue, running).
    pub async fn deadline_counts(&self, scope: Option<PathRange>, unit: Option<PathRange>, now: DateTime<Utc>) -> Result<(i64, i64, i64)>;
}

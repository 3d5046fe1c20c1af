//! Repeat links, callbacks (回访) and the daily review (三清) marks of incidents.

use chrono::{DateTime, Utc};
use frontline_core::incident::callback::{RepeatBasis, Satisfaction};
use frontline_core::incident::lifecycle::Status;
use uuid::Uuid;

use super::{FollowUp, PathRange};
use crate::{AuditDraft, NewMessage, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

/// What an incident brings at intake besides its lifecycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFollowUp {
    /// The normalised address (`None`: too general to compare).
    pub address_key: Option<String>,
    /// The earlier incidents it repeats (its `repeat_count` is their number).
    pub repeats: Vec<RepeatLink>,
    /// Callback state, for imported or demo incidents; default at intake.
    pub state: FollowUp,
    pub callbacks: Vec<CallbackRow>,
    /// Disputes pushed to street offices (imported or demo incidents).
    pub pushes: Vec<PushRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatLink {
    pub earlier_id: Uuid,
    pub basis: RepeatBasis,
}

/// An earlier incident with the same address key or caller phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatCandidate {
    pub id: Uuid,
    pub reported_at: DateTime<Utc>,
    pub same_address: bool,
    pub same_phone: bool,
}

/// An earlier incident a repeat links to, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatEarlier {
    pub id: Uuid,
    pub basis: RepeatBasis,
    pub number: String,
    pub unit_path: String,
    pub reported_at: DateTime<Utc>,
    pub category: String,
    pub status: Status,
}

/// One callback attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub officer_id: Uuid,
    pub officer_name: String,
    pub reached: bool,
    pub satisfaction: Option<Satisfaction>,
    pub comment: String,
    pub review: Option<CallbackReview>,
}

/// The chief's review of a dissatisfied callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackReview {
    pub at: DateTime<Utc>,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub note: String,
}

/// A callback attempt to record: applied only while the incident's callback is due after
/// exactly `callback.attempt - 1` attempts (one of two racing attempts wins).
#[derive(Debug, Clone)]
pub struct CallbackWrite {
    pub callback: CallbackRow,
    /// The incident's callback state after it.
    pub state: FollowUp,
    pub outbox: Vec<NewMessage>,
}

/// Incidents by unit and category in a time range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub unit_id: Uuid,
    pub category: String,
    pub count: i64,
}

/// An incident marked reviewed in a day's review, with the instruction to its station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// The reviewed day, `YYYY-MM-DD` (Beijing).
    pub review_date: String,
    pub incident_id: Uuid,
    pub unit_path: String,
    pub at: DateTime<Utc>,
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub note: String,
    pub instruction: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
}

/// A dispute pushed to a street office (双推), with its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// The pushing station's unit path (its officers read the answer).
    pub station_path: String,
    pub partner_unit_id: Uuid,
    /// The street office's unit path (its accounts read the push).
    pub partner_path: String,
    pub community_officer_id: Option<Uuid>,
    pub pushed_at: DateTime<Utc>,
    /// What the partner may read (identifiers masked), as JSON.
    pub summary: String,
    pub answer: Option<PushAnswer>,
    /// The incident's number (read with the push; empty on a push being written).
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAnswer {
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: String,
}

/// Which pushes a list shows: those to a partner's unit, or those of a station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushScope {
    Partner(PathRange),
    Station(PathRange),
}

/// What a second answer to one push is called.
pub const ALREADY_ANSWERED: &str = "already_answered";

/// What a callback conflict is called: the incident's callback is no longer due after
/// the attempts the request saw.
pub const CALLBACK_NOT_DUE: &str = "callback_not_due";
/// What a second review of one callback is called.
pub const ALREADY_REVIEWED: &str = "already_reviewed";

store_methods! {
    /// Earlier incidents in `[since, until]` with this address key or caller phone,
    /// newest first, at most `limit` (two index lookups).
    pub async fn repeat_candidates(
        &self,
        address_key: Option<String>,
        phone: String,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RepeatCandidate>>;
    /// The earlier incidents a repeat links to, newest first.
    pub async fn repeat_links(&self, incident_id: Uuid) -> Result<Vec<RepeatEarlier>>;
    /// Records a callback attempt with the incident's new callback state, its audit
    /// entry and messages; `Conflict(CALLBACK_NOT_DUE)` when it is no longer due at that
    /// attempt, `NotFound` when there is no such incident.
    pub async fn record_callback(&self, w: CallbackWrite, audit: AuditDraft) -> Result<FollowUp>;
    /// An incident's callback attempts, oldest first.
    pub async fn incident_callbacks(&self, incident_id: Uuid) -> Result<Vec<CallbackRow>>;
    pub async fn callback(&self, id: Uuid) -> Result<Option<CallbackRow>>;
    /// Records the review of a dissatisfied callback; `Conflict(ALREADY_REVIEWED)` if it
    /// has one.
    pub async fn review_callback(
        &self,
        id: Uuid,
        review: CallbackReview,
        audit: AuditDraft,
    ) -> Result<CallbackRow>;
    /// Incidents reported in `[from, to)` within `scope`, by unit and category.
    pub async fn category_counts(
        &self,
        scope: PathRange,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CategoryCount>>;
    /// Marks an incident reviewed for a day (again: the newer mark replaces the older),
    /// with its audit entry and messages.
    pub async fn mark_reviewed(
        &self,
        r: ReviewRow,
        outbox: Vec<NewMessage>,
        audit: AuditDraft,
    ) -> Result<ReviewRow>;
    /// The marks of a day within `scope`.
    pub async fn reviews_of_day(&self, date: String, scope: PathRange) -> Result<Vec<ReviewRow>>;
    /// Instructions to the units within `scope` not yet acknowledged, newest first.
    pub async fn open_instructions(&self, scope: PathRange, limit: i64) -> Result<Vec<ReviewRow>>;
    /// Pushes, newest first, and how many there are.
    pub async fn list_pushes(&self, scope: PushScope, limit: i64, offset: i64) -> Result<(Vec<PushRow>, i64)>;
    pub async fn push(&self, id: Uuid) -> Result<Option<PushRow>>;
    pub async fn incident_pushes(&self, incident_id: Uuid) -> Result<Vec<PushRow>>;
    /// Records the street office's answer with its audit entry and messages;
    /// `Conflict(ALREADY_ANSWERED)` when it has one, `NotFound` when absent.
    pub async fn answer_push(
        &self,
        id: Uuid,
        answer: PushAnswer,
        outbox: Vec<NewMessage>,
        audit: AuditDraft,
    ) -> Result<PushRow>;
    /// Acknowledges an instruction; `NotFound` when there is none to acknowledge.
    pub async fn acknowledge_instruction(
        &self,
        date: String,
        incident_id: Uuid,
        by: String,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<ReviewRow>;
}

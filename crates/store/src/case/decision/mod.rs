//! Penalty decisions (行政处罚决定) as stored: the proposal with the engine's assessment,
//! its legal review, and the decision in force with its number; the items are the
//! violations, each with the recommendation and the penalty decided.

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::case::decision::{Decided, DecisionStatus};
use uuid::Uuid;

use crate::{PathRange, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

/// The conflict of a review or a decision step on a decision no longer in that state
/// (also: a proposal on a case no longer under investigation).
pub use frontline_core::case::decision::NOT_ALLOWED as DECISION_NOT_ALLOWED;
/// The decision step found a proposal awaiting review, or none approved, in its write.
pub(crate) const NOT_REVIEWED: &str = "penalty.decision_not_reviewed";

/// One violation of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionItem {
    pub seq: i64,
    /// `51-1`.
    pub violation_code: String,
    /// The standard's situation applied, if any.
    pub situation: Option<String>,
    pub offence_date: NaiveDate,
    pub recommended: Decided,
    pub decided: Decided,
    pub departed: bool,
}

/// A penalty decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub party_seq: i64,
    pub status: DecisionStatus,
    pub proposed_by: Uuid,
    pub proposed_by_name: String,
    pub proposed_at: DateTime<Utc>,
    /// The engine's assessments and their combination, as JSON (recorded as given).
    pub assessment: String,
    /// What the party's earlier decisions established (JSON), when they were looked up.
    pub prior: Option<String>,
    pub departed: bool,
    pub departure_reason: String,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: String,
    pub number: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub items: Vec<DecisionItem>,
}

/// A legal review: the decision moves from `proposed` to `to`.
#[derive(Debug, Clone)]
pub struct DecisionReview {
    pub id: Uuid,
    pub to: DecisionStatus,
    pub by: Uuid,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// The decision step's part: every approved decision of the case comes into force with a
/// number of the unit (`unit_code`) for the year of `at`.
#[derive(Debug, Clone)]
pub struct DecisionsInForce {
    pub unit_code: String,
    pub at: DateTime<Utc>,
}

pub(crate) const DECISION_COLS: &str = "id, case_id, unit_id, unit_path, party_seq, status, \
    proposed_by, proposed_by_name, proposed_at, assessment, prior, departed, departure_reason, \
    reviewed_by, reviewed_by_name, reviewed_at, review_note, number, decided_at";
pub(crate) const ITEM_COLS: &str = "seq, violation_code, situation, offence_date, rec_warning, \
    rec_fine_yuan, rec_days, warning, fine_yuan, detention_days, departed";

pub(crate) fn parse_status(s: &str) -> std::result::Result<DecisionStatus, crate::StoreError> {
    DecisionStatus::parse(s)
        .ok_or_else(|| crate::StoreError::db(format!("unknown decision status {s:?}")))
}

pub(crate) fn parse_date(s: &str) -> std::result::Result<NaiveDate, crate::StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::StoreError::db(format!("bad offence date {s:?}")))
}

/// Rows of a join of decisions and items (ordered by decision) folded into decisions.
pub(crate) fn fold(rows: Vec<(DecisionRow, DecisionItem)>) -> Vec<DecisionRow> {
    let mut out: Vec<DecisionRow> = Vec::new();
    for (d, item) in rows {
        match out.last_mut() {
            Some(last) if last.id == d.id => last.items.push(item),
            _ => {
                let mut d = d;
                d.items.push(item);
                out.push(d);
            }
        }
    }
    out
}

store_methods! {
    /// Records a proposal with its items and audit entry; earlier proposals for the same
    /// party still in play (proposed, returned, approved) are superseded.
    pub async fn propose_penalty_decision(&self, d: DecisionRow, outbox: Vec<crate::NewMessage>, audit: crate::AuditDraft) -> Result<DecisionRow>;
    /// Applies a legal review; `Conflict(DECISION_NOT_ALLOWED)` unless the decision is
    /// still proposed.
    pub async fn review_penalty_decision(&self, r: DecisionReview, outbox: Vec<crate::NewMessage>, audit: crate::AuditDraft) -> Result<DecisionRow>;
    pub async fn penalty_decision(&self, id: Uuid) -> Result<Option<DecisionRow>>;
    /// A case's decisions, oldest first (superseded ones included: the record keeps them).
    pub async fn case_penalty_decisions(&self, case_id: Uuid) -> Result<Vec<DecisionRow>>;
    /// Decisions in force against the person with this ID number, other than in
    /// `except_case`, newest first.
    pub async fn prior_penalty_decisions(&self, id_number: String, except_case: Uuid) -> Result<Vec<DecisionRow>>;
    /// Decisions in force in scope decided in `[from, to)`, for the consistency report.
    /// Proposals awaiting legal review in scope, oldest first (the reviewer's queue).
    pub async fn proposed_penalty_decisions(&self, scope: PathRange, limit: i64) -> Result<Vec<DecisionRow>>;
    pub async fn decided_penalties(&self, scope: PathRange, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<DecisionRow>>;
}

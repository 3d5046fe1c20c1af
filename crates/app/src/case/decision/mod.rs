//! 行政处罚决定: the case officer proposes (the engine's recommendation, the party's
//! earlier decisions, the penalty decided and any departure with its reason), legal
//! affairs reviews, the unit leader's decision step brings it into force with a number,
//! and the decision letter prints. The consistency report reads the decisions in force.

mod consistency;
mod propose;
mod request;
mod review;

use frontline_core::case::decision::{Decided, DecisionStatus};
use frontline_core::penalty::catalog::MAX_COMBINED_DETENTION;
use frontline_store::{CaseParty, CaseRow, DecisionRow};
use serde::Serialize;
use uuid::Uuid;

pub use consistency::{
    ConsistencyQuery, ConsistencyReport, ConsistencyRow, OfficerShare, Outlier, PERIOD_MAX_DAYS,
};
pub use propose::{Evaluated, Evaluation};
pub use request::{
    DecidedRequest, DecisionReviewRequest, PenaltyDecisionRequest, PriorLookupRequest, REASON_MAX,
    ValidDecision, ViolationDoc,
};
pub use review::QUEUE_MAX;

use crate::App;
use crate::clock::rfc3339_bj;
use frontline_core::Lang;

/// One violation of a decision as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionItemView {
    pub violation_code: String,
    /// The violation's name and the statutory text applied.
    pub violation_name: String,
    pub statutory: String,
    pub situation: Option<String>,
    pub offence_date: String,
    pub recommended: Decided,
    pub recommended_words: String,
    pub decided: Decided,
    pub decided_words: String,
    pub departed: bool,
    /// The engine's explanation, step by step, in the language asked for.
    pub explain: Vec<String>,
}

/// A penalty decision (proposal, review, decision in force).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PenaltyDecisionView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_number: String,
    pub party_seq: i64,
    pub party_name: String,
    pub status: DecisionStatus,
    pub status_name: String,
    pub proposed_by_name: String,
    pub proposed_at: String,
    pub items: Vec<DecisionItemView>,
    /// 第16条: fines added, detention combined (at most 20 days), a warning if any.
    pub total: Decided,
    pub total_words: String,
    pub departed: bool,
    pub departure_reason: String,
    /// Earlier decisions found by the party's ID number and the circumstances they gave.
    pub prior_count: Option<u64>,
    pub prior_circumstances: Vec<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: String,
    /// The decision letter's number (in force only).
    pub number: Option<String>,
    pub decided_at: Option<String>,
}

/// An earlier decision against the same person, as the lookup shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriorView {
    pub number: String,
    pub decided_at: String,
    pub unit_name: String,
    pub violations: Vec<String>,
    pub penalty: String,
}

/// Answer of `POST /api/v1/cases/{id}/parties/{seq}/prior-decisions`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriorAnswer {
    pub count: usize,
    pub decisions: Vec<PriorView>,
    /// As of today: no earlier decision.
    pub first_offence: bool,
    /// Statutory circumstances the earlier decisions establish as of today.
    pub circumstances: Vec<String>,
}

/// Proposals awaiting legal review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewQueue {
    pub items: Vec<PenaltyDecisionView>,
}

/// 第16条 for the decided penalties of one person.
pub fn total(items: &[Decided]) -> Decided {
    Decided {
        warning: items.iter().any(|d| d.warning),
        fine_yuan: items.iter().map(|d| d.fine_yuan).sum(),
        detention_days: items
            .iter()
            .map(|d| d.detention_days)
            .sum::<u32>()
            .min(MAX_COMBINED_DETENTION),
    }
}

fn words(d: &Decided, lang: Lang) -> String {
    match lang {
        Lang::Zh => d.words_zh(),
        Lang::En => d.words_en(),
    }
}

/// The explanation lines and the statutory text of the `k`th stored assessment.
fn explained(assessment: &serde_json::Value, k: usize, lang: Lang) -> (Vec<String>, String) {
    let a = assessment.pointer(&format!("/assessments/{k}"));
    let note = match lang {
        Lang::Zh => "note_zh",
        Lang::En => "note_en",
    };
    let lines = a
        .and_then(|a| a.get("explain"))
        .and_then(serde_json::Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .filter_map(|s| s.get(note).and_then(|n| n.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let text = a
        .and_then(|a| a.pointer("/range/text_zh"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    (lines, text)
}

impl App {
    pub(crate) fn decision_view(
        &self,
        d: &DecisionRow,
        case: &CaseRow,
        parties: &[CaseParty],
        lang: Lang,
    ) -> PenaltyDecisionView {
        let assessment: serde_json::Value =
            serde_json::from_str(&d.assessment).unwrap_or(serde_json::Value::Null);
        let prior: Option<serde_json::Value> = d
            .prior
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        let engine = self.penalty_engine();
        let items: Vec<DecisionItemView> = d
            .items
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let (explain, statutory) = explained(&assessment, k, lang);
                let violation_name = engine
                    .engine
                    .catalog
                    .article_of(&i.violation_code)
                    .map(|a| a.title_zh.clone())
                    .unwrap_or_else(|| i.violation_code.clone());
                PenaltyDecisionView::item(i, violation_name, statutory, explain, lang)
            })
            .collect();
        let t = total(&d.items.iter().map(|i| i.decided).collect::<Vec<_>>());
        PenaltyDecisionView {
            id: d.id,
            case_id: d.case_id,
            case_number: case.number.clone(),
            party_seq: d.party_seq,
            party_name: parties
                .iter()
                .find(|p| p.seq == d.party_seq)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            status: d.status,
            status_name: match lang {
                Lang::Zh => d.status.name_zh(),
                Lang::En => d.status.name_en(),
            }
            .into(),
            proposed_by_name: d.proposed_by_name.clone(),
            proposed_at: rfc3339_bj(d.proposed_at),
            items,
            total: t,
            total_words: words(&t, lang),
            departed: d.departed,
            departure_reason: frontline_core::ident::mask_identifiers(&d.departure_reason)
                .into_owned(),
            prior_count: prior
                .as_ref()
                .and_then(|p| p.get("count"))
                .and_then(serde_json::Value::as_u64),
            prior_circumstances: prior
                .as_ref()
                .and_then(|p| p.get("circumstances"))
                .and_then(serde_json::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str())
                        .map(|c| circumstance_name(c, lang))
                        .collect()
                })
                .unwrap_or_default(),
            reviewed_by_name: d.reviewed_by_name.clone(),
            reviewed_at: d.reviewed_at.map(rfc3339_bj),
            review_note: frontline_core::ident::mask_identifiers(&d.review_note).into_owned(),
            number: d.number.clone(),
            decided_at: d.decided_at.map(rfc3339_bj),
        }
    }

    fn prior_view(&self, d: &DecisionRow, lang: Lang) -> PriorView {
        let t = total(&d.items.iter().map(|i| i.decided).collect::<Vec<_>>());
        PriorView {
            number: d.number.clone().unwrap_or_default(),
            decided_at: d.decided_at.map(rfc3339_bj).unwrap_or_default(),
            unit_name: self.org.unit_name(d.unit_id),
            violations: d.items.iter().map(|i| i.violation_code.clone()).collect(),
            penalty: words(&t, lang),
        }
    }

    /// The decisions of a case, newest first, as the case page shows them.
    pub async fn case_decision_views(
        &self,
        case: &CaseRow,
        parties: &[CaseParty],
        lang: Lang,
    ) -> crate::Result<Vec<PenaltyDecisionView>> {
        let mut rows = self.store.case_penalty_decisions(case.id).await?;
        rows.reverse();
        Ok(rows
            .iter()
            .map(|d| self.decision_view(d, case, parties, lang))
            .collect())
    }
}

impl PenaltyDecisionView {
    fn item(
        i: &frontline_store::DecisionItem,
        violation_name: String,
        statutory: String,
        explain: Vec<String>,
        lang: Lang,
    ) -> DecisionItemView {
        DecisionItemView {
            violation_code: i.violation_code.clone(),
            violation_name,
            statutory,
            situation: i.situation.clone(),
            offence_date: i.offence_date.to_string(),
            recommended: i.recommended,
            recommended_words: words(&i.recommended, lang),
            decided: i.decided,
            decided_words: words(&i.decided, lang),
            departed: i.departed,
            explain,
        }
    }
}

/// A statutory circumstance's name (the code when unknown).
fn circumstance_name(code: &str, lang: Lang) -> String {
    frontline_core::penalty::rules::statutory(code).map_or_else(
        || code.to_string(),
        |s| match lang {
            Lang::Zh => s.name_zh.to_string(),
            Lang::En => s.name_en.to_string(),
        },
    )
}

//! 法制审核: the legal reviewer approves a proposal or returns it with the reason; the
//! queue of proposals awaiting review.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::case::decision::{self, DecisionStatus};
use frontline_core::org::Actor;
use frontline_store::{AuditDraft, DecisionReview, StoreError};
use serde_json::json;
use uuid::Uuid;

use super::request::DecisionReviewRequest;
use super::{PenaltyDecisionView, ReviewQueue};
use crate::notify::{InboxPayload, to_inbox};
use crate::{App, AppError, Result};
use frontline_core::Lang;

/// Most proposals the review queue shows.
pub const QUEUE_MAX: i64 = 200;

impl App {
    /// Approves or returns a proposal. 404 (no such decision, or its case out of scope),
    /// 403 (not a legal reviewer), 422 (fields), 409 (no longer awaiting review).
    pub async fn review_penalty_decision(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &DecisionReviewRequest,
    ) -> Result<PenaltyDecisionView> {
        let d = self
            .store
            .penalty_decision(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let row = self.case(actor, d.case_id).await?;
        // 法制审核 is another person's look: the proposer does not review their own.
        if !authz::allows(actor, Action::PenaltyReview, &row.unit_path)
            || d.proposed_by == actor.officer_id
        {
            return Err(AppError::Forbidden);
        }
        let (approve, note) = req.check().map_err(AppError::Validation)?;
        if row.status != frontline_core::case::Status::Investigating {
            return Err(AppError::StateConflict(FieldError::new(
                "verdict",
                decision::NOT_ALLOWED,
                "案件已不在调查阶段，不能再审核处罚意见",
                "The case is past its investigation; proposals are no longer reviewed",
            )));
        }
        let now = self.now();
        let to = if approve {
            DecisionStatus::Approved
        } else {
            DecisionStatus::Returned
        };
        let payload = InboxPayload {
            kind: "penalty_reviewed".into(),
            title_zh: format!(
                "处罚意见{}：{}",
                if approve {
                    "已通过法制审核"
                } else {
                    "被退回"
                },
                row.number
            ),
            title_en: format!(
                "Penalty proposal {}: {}",
                if approve {
                    "approved by legal review"
                } else {
                    "returned"
                },
                row.number
            ),
            body: frontline_core::ident::mask_identifiers(note.as_deref().unwrap_or_default())
                .into_owned(),
            link: Some(format!("/cases/{}", row.id)),
        };
        let mut to_notify = vec![d.proposed_by];
        if let Some(lead) = row.lead_officer_id.filter(|l| *l != d.proposed_by) {
            to_notify.push(lead);
        }
        let outbox = to_notify
            .iter()
            .map(|o| to_inbox(*o, format!("penalty_reviewed:{id}:{o}"), &payload, now))
            .collect();
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "penalty.review".into(),
            object_type: "case".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: json!({
                "number": row.number,
                "decision": id,
                "verdict": if approve { "approve" } else { "return" },
                "departed": d.departed,
            })
            .to_string(),
        };
        let review = DecisionReview {
            id,
            to,
            by: actor.officer_id,
            by_name: actor.display_name.clone(),
            at: now,
            note: note.unwrap_or_default(),
        };
        match self
            .store
            .review_penalty_decision(review, outbox, audit)
            .await
        {
            Ok(stored) => {
                self.outbox_wake.wake();
                let parties = self.store.case_parties(row.id).await?;
                Ok(self.decision_view(&stored, &row, &parties, Lang::Zh))
            }
            Err(StoreError::Conflict(_)) => Err(AppError::StateConflict(FieldError::new(
                "verdict",
                decision::NOT_ALLOWED,
                "该处罚意见已审核或已被替代",
                "The proposal was already reviewed or replaced",
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Proposals awaiting legal review, oldest first (the legal reviewer's queue).
    pub async fn penalty_review_queue(&self, actor: &Actor, lang: Lang) -> Result<ReviewQueue> {
        let scope = crate::case::read::path_range(authz::scope(actor, Action::PenaltyReview))
            .ok_or(AppError::Forbidden)?;
        let rows = self
            .store
            .proposed_penalty_decisions(scope, QUEUE_MAX)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for d in &rows {
            let Some(case) = self.store.case(d.case_id).await? else {
                continue;
            };
            let parties = self.store.case_parties(d.case_id).await?;
            items.push(self.decision_view(d, &case, &parties, lang));
        }
        Ok(ReviewQueue { items })
    }
}

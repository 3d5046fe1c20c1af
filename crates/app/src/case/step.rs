//! 案件流转: one lifecycle step on one case, with the deadlines it starts, meets or ends,
//! its timeline row and audit entry.

use frontline_core::case::workflow::Trigger;
use frontline_core::case::{Status, Step, lifecycle};
use frontline_core::org::Actor;
use frontline_core::{FieldError, authz};
use frontline_store::{AuditDraft, CaseEvent, CaseRow, CaseStepWrite, STALE_VERSION, StoreError};
use uuid::Uuid;

use super::CaseStepRequest;
use crate::{App, AppError, Result};

fn stale() -> AppError {
    AppError::StateConflict(frontline_core::incident::lifecycle::stale_version())
}

impl App {
    /// The write of one step (its deadline changes from the workflow, its timeline row)
    /// taken at `at` by `by` (id, name); the use case and the demo build it alike.
    #[expect(
        clippy::too_many_arguments,
        reason = "one step's facts, each used once"
    )]
    pub(crate) fn step_write(
        &self,
        row: &CaseRow,
        step: Step,
        to: Status,
        outcome: Option<frontline_core::case::Outcome>,
        note: &str,
        at: chrono::DateTime<chrono::Utc>,
        by: (Uuid, &str),
    ) -> Result<CaseStepWrite> {
        let changes = self
            .case_workflow
            .changes(row.kind, Trigger::Step(step), outcome);
        let start = self.start_deadlines(&changes.start, at)?;
        let event = CaseEvent {
            seq: row.version + 1,
            at,
            actor_id: Some(by.0),
            actor_name: by.1.to_string(),
            step: step.as_str().into(),
            from_status: Some(row.status),
            to_status: to,
            note: note.to_string(),
            detail: serde_json::json!({
                "started": changes.start,
                "met": changes.meet,
                "outcome": (step == Step::Decide).then(|| outcome.map(|o| o.as_str())).flatten(),
            })
            .to_string(),
        };
        Ok(CaseStepWrite {
            case_id: row.id,
            expected_version: row.version,
            status: to,
            outcome,
            closed_at: (to == Status::Closed).then_some(at),
            event,
            meet: changes.meet.iter().map(|s| s.to_string()).collect(),
            cancel_rest: changes.cancel_rest,
            start,
            outbox: Vec::new(),
            extend: None,
            measure: None,
            decisions_in_force: None,
        })
    }

    /// The decision step's part for a penalty: every suspect's proposal reviewed, at least
    /// one approved (409 otherwise: a penalty is decided only after legal review).
    async fn decisions_ready(
        &self,
        row: &CaseRow,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<frontline_store::DecisionsInForce> {
        use frontline_core::case::decision::DecisionStatus;
        let (all, parties) = tokio::try_join!(
            self.store.case_penalty_decisions(row.id),
            self.store.case_parties(row.id)
        )?;
        let pending = all.iter().any(|d| d.status == DecisionStatus::Proposed);
        // Every suspect has an approved proposal that gives a penalty.
        let every_suspect = parties
            .iter()
            .filter(|p| p.role == frontline_core::case::PartyRole::Suspect)
            .all(|p| {
                all.iter().any(|d| {
                    d.party_seq == p.seq
                        && d.status == DecisionStatus::Approved
                        && d.items.iter().any(|i| !i.decided.is_empty())
                })
            });
        let approved = all.iter().any(|d| d.status == DecisionStatus::Approved);
        if !approved || pending || !every_suspect {
            return Err(AppError::StateConflict(FieldError::new(
                "outcome",
                "penalty.decision_not_reviewed",
                "给予处罚须先为每名违法嫌疑人提出处罚意见并经法制审核通过（尚有待审核的意见时不能决定）",
                "A penalty is decided only on proposals approved by legal review for every suspect (none may still await review)",
            )));
        }
        let unit_code = self
            .org
            .unit(row.unit_id)
            .map_or_else(|| "U".into(), |u| u.code);
        Ok(frontline_store::DecisionsInForce { unit_code, at })
    }

    /// One case in the actor's scope; outside it the case does not exist (404).
    pub async fn case(&self, actor: &Actor, id: Uuid) -> Result<CaseRow> {
        let row = self.store.case(id).await?.ok_or(AppError::NotFound)?;
        if !authz::allows(actor, authz::Action::CaseRead, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        Ok(row)
    }

    /// Takes one step. Answers in order: 404 (not in scope), 403 (not this actor's
    /// step), 422 (bad fields), 409 (stale version, or not allowed from the state).
    pub async fn transition_case(
        &self,
        actor: &Actor,
        id: Uuid,
        request: &CaseStepRequest,
    ) -> Result<CaseRow> {
        let row = self.case(actor, id).await?;
        // A role that takes no step at all hears 403 whatever it sent.
        if ![authz::Action::CaseHandle, authz::Action::CaseApprove]
            .into_iter()
            .any(|a| authz::allows(actor, a, &row.unit_path))
        {
            return Err(AppError::Forbidden);
        }
        let c = request.check().map_err(AppError::Validation)?;
        if !authz::allows(actor, c.step.action(), &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        if c.version != row.version {
            return Err(stale());
        }
        if c.step == Step::Decide && c.outcome.is_none() {
            return Err(AppError::field(FieldError::required("outcome")));
        }
        let outcome = if c.step == Step::Decide {
            c.outcome
        } else {
            row.outcome
        };
        let Some(to) = c.step.next(row.kind, row.status, outcome) else {
            return Err(AppError::StateConflict(lifecycle::not_allowed(
                c.step, row.status,
            )));
        };
        let now = self.now();
        let mut write = self.step_write(
            &row,
            c.step,
            to,
            outcome,
            &c.note,
            now,
            (actor.officer_id, &actor.display_name),
        )?;
        if c.step == Step::Decide && outcome == Some(frontline_core::case::Outcome::Penalty) {
            write.decisions_in_force = Some(self.decisions_ready(&row, now).await?);
        }
        if c.step.is_public() {
            let parties = self.store.case_parties(row.id).await?;
            write.outbox = self.party_updates(
                (row.id, row.unit_id, &row.query_code),
                Some(&row.number),
                &parties,
                to,
                now,
            );
        }
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: format!("case.{}", c.step.as_str()),
            object_type: "case".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::json!({
                "number": row.number,
                "from": row.status.as_str(),
                "to": to.as_str(),
            })
            .to_string(),
        };
        match self.store.apply_case_step(write, audit).await {
            Ok(r) => {
                self.outbox_wake.wake();
                Ok(r)
            }
            Err(StoreError::Conflict(m)) if m == STALE_VERSION => Err(stale()),
            Err(e) => Err(e.into()),
        }
    }
}

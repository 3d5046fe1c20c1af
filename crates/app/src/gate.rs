//! Authorization before the body: the question every write (or computation) use case asks
//! first, before it looks at its request. The use cases ask it themselves; the web asks it
//! through [`App::authorize`] only when a body cannot be read at all (not JSON, too large,
//! not an object), so that a role without the action hears 403 (an object outside its
//! scope 404) whatever it sent. The order of answers is 401, then 403/404, then
//! 400/413/422.

use frontline_core::authz::{self, Action, Scope};
use frontline_core::org::Actor;
use uuid::Uuid;

use crate::{App, AppError, Result};

/// A use case that takes a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `create_incident`.
    IncidentCreate,
    /// `unmask_caller` of this incident (404 outside one's scope).
    CallerUnmask(Uuid),
    /// `transition_incident` on this incident (404 outside one's scope).
    IncidentTransition(Uuid),
    /// `assess_request` (and the other assessments).
    PenaltyAssess,
    /// `upload_standard_request` and `activate_standard`.
    StandardManage,
    /// `compute_deadline`.
    DeadlineCompute,
    /// `record_callback` on this incident (404 outside one's scope).
    IncidentCallback(Uuid),
    /// `review_callback` of this callback (404 outside one's scope).
    CallbackReview(Uuid),
    /// `mark_reviewed`.
    DailyReviewMark,
    /// `acknowledge_instruction`.
    InstructionAcknowledge,
    /// `answer_push` of this push (404 outside one's scope).
    PushAnswer(Uuid),
    /// `upload_calendar`.
    CalendarUpload,
    /// `create_case`.
    CaseCreate,
    /// `transition_case` on this case (404 outside one's scope).
    CaseTransition(Uuid),
    /// `extend_deadline` of this deadline (404 outside one's scope).
    DeadlineExtend(Uuid),
    /// `start_measure` on this case (404 outside one's scope).
    MeasureStart(Uuid),
    /// `record_measure_act` on this measure (404 outside one's scope).
    MeasureAct(Uuid),
    /// `propose_penalty_decision` on this case (404 outside one's scope).
    PenaltyPropose(Uuid),
    /// `review_penalty_decision` of this decision (404 outside one's scope).
    PenaltyReview(Uuid),
    /// `prior_penalty_decisions` on this case (404 outside one's scope).
    PriorLookup(Uuid),
    /// `attach_to_case` on this case (404 outside one's scope).
    AttachmentAdd(Uuid),
}

/// `Forbidden` unless `actor` has `action` somewhere.
pub(crate) fn require(actor: &Actor, action: Action) -> Result<()> {
    if authz::scope(actor, action) == Scope::None {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

fn allowed(yes: bool) -> Result<()> {
    if yes {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// The authorization `op`'s use case runs before it reads its request.
    pub async fn authorize(&self, actor: &Actor, op: Operation) -> Result<()> {
        match op {
            Operation::IncidentCreate => require(actor, Action::IncidentCreate),
            Operation::CallerUnmask(id) => self.unmask_target(actor, id).await.map(|_| ()),
            Operation::IncidentTransition(id) => self.authorize_transition(actor, id).await,
            Operation::PenaltyAssess => require(actor, Action::PenaltyAssess),
            Operation::StandardManage => require(actor, Action::PenaltyStandardManage),
            Operation::DeadlineCompute => require(actor, Action::DeadlineCompute),
            Operation::CalendarUpload => require(actor, Action::CalendarManage),
            Operation::IncidentCallback(id) => {
                let row = self.incident(actor, id).await?;
                if authz::allows(actor, Action::IncidentCallback, &row.unit_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::CallbackReview(id) => {
                let cb = self
                    .store
                    .callback(id)
                    .await?
                    .ok_or(crate::AppError::NotFound)?;
                let row = self.incident(actor, cb.incident_id).await?;
                if authz::allows(actor, Action::CallbackReview, &row.unit_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::CaseCreate => require(actor, Action::CaseCreate),
            Operation::CaseTransition(id) => {
                let row = self.case(actor, id).await?;
                let may_step = [Action::CaseHandle, Action::CaseApprove]
                    .into_iter()
                    .any(|a| authz::allows(actor, a, &row.unit_path));
                if may_step {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::DeadlineExtend(id) => {
                let (row, _) = self.deadline_of(actor, id).await?;
                if authz::allows(actor, Action::CaseApprove, &row.unit_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::MeasureStart(id) => {
                let row = self.case(actor, id).await?;
                if authz::allows(actor, Action::CaseHandle, &row.unit_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::MeasureAct(id) => {
                let (row, _) = self.measure_of(actor, id).await?;
                if authz::allows(actor, Action::CaseHandle, &row.unit_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
            Operation::PenaltyPropose(id) | Operation::AttachmentAdd(id) => {
                let row = self.case(actor, id).await?;
                allowed(authz::allows(actor, Action::CaseHandle, &row.unit_path))
            }
            Operation::PenaltyReview(id) => {
                let d = self
                    .store
                    .penalty_decision(id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let row = self.case(actor, d.case_id).await?;
                allowed(authz::allows(actor, Action::PenaltyReview, &row.unit_path))
            }
            Operation::PriorLookup(id) => {
                let row = self.case(actor, id).await?;
                allowed(
                    authz::allows(actor, Action::CaseHandle, &row.unit_path)
                        || authz::allows(actor, Action::PenaltyReview, &row.unit_path),
                )
            }
            Operation::DailyReviewMark => require(actor, Action::DailyReviewMark),
            Operation::InstructionAcknowledge => require(actor, Action::CallbackReview),
            Operation::PushAnswer(id) => {
                let p = self
                    .store
                    .push(id)
                    .await?
                    .ok_or(crate::AppError::NotFound)?;
                let read = authz::scope(actor, Action::PushRead);
                let visible = if actor.has(frontline_core::org::Role::Partner) {
                    read.contains(&p.partner_path)
                } else {
                    read.contains(&p.station_path)
                };
                if !visible {
                    Err(crate::AppError::NotFound)
                } else if authz::allows(actor, Action::PushAnswer, &p.partner_path) {
                    Ok(())
                } else {
                    Err(crate::AppError::Forbidden)
                }
            }
        }
    }
}

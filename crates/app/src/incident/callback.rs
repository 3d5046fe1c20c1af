//! Callbacks (回访): the queue of closed incidents to call back, recording an attempt,
//! and the chief's review of a dissatisfied caller.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::error::Errors;
use frontline_core::incident::callback::{self, CallbackStatus, Satisfaction};
use frontline_core::incident::lifecycle::Status;
use frontline_core::org::{Actor, Role};
use frontline_core::request::{Given, Unknown};
use frontline_core::{Lang, text};
use frontline_store::{
    ALREADY_REVIEWED, AuditDraft, CALLBACK_NOT_DUE, CallbackReview, CallbackRow, CallbackWrite,
    FollowUp, IncidentFilter, IncidentRow, StoreError,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{IncidentList, PAGE_SIZE_DEFAULT, path_range};
use crate::clock::rfc3339_bj;
use crate::notify::InboxPayload;
use crate::{App, AppError, Result};

/// Body of `POST /api/v1/incidents/{id}/callbacks` and of the incident page's form.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct CallbackRequest {
    /// Whether the caller was reached. Not reached: the incident stays in the queue and
    /// is tried again later, up to the rule's number of attempts.
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub reached: Given<bool>,
    /// The caller's answer, when reached: `satisfied`, `basically_satisfied`,
    /// `dissatisfied`.
    #[serde(default)]
    #[schema(value_type = Option<Satisfaction>)]
    pub satisfaction: Given<String>,
    /// What the caller said (required when dissatisfied; at most 500 characters).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub comment: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl CallbackRequest {
    pub fn read(v: serde_json::Value) -> CallbackRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// Body of `POST /api/v1/callbacks/{id}/review`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct CallbackReviewRequest {
    /// What the chief found and did (2–500 characters).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub note: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl CallbackReviewRequest {
    pub fn read(v: serde_json::Value) -> CallbackReviewRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// One callback attempt as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallbackView {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub attempt: i64,
    pub at: String,
    pub officer: String,
    pub reached: bool,
    pub satisfaction: Option<Satisfaction>,
    pub satisfaction_name: Option<String>,
    /// Phone and ID numbers typed into it are masked.
    pub comment: String,
    /// The chief's review of a dissatisfied answer; null while pending.
    pub review: Option<CallbackReviewView>,
    /// Dissatisfied and not yet reviewed.
    pub review_pending: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallbackReviewView {
    pub at: String,
    pub reviewer: String,
    pub note: String,
}

/// Where an incident's callback stands, and its attempts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallbackSummary {
    /// Null: none required (or not closed yet).
    pub status: Option<CallbackStatus>,
    pub status_name: Option<String>,
    pub attempts: i64,
    /// When the next attempt is due (RFC 3339, Beijing time).
    pub next_at: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub callbacks: Vec<CallbackView>,
}

fn conflict(code: &'static str, zh: &'static str, en: &'static str) -> AppError {
    AppError::StateConflict(FieldError::new("incident", code, zh, en))
}

impl App {
    pub fn satisfaction_name(s: Satisfaction, lang: Lang) -> String {
        match lang {
            Lang::Zh => s.name_zh(),
            Lang::En => s.name_en(),
        }
        .to_string()
    }

    pub fn callback_view(&self, c: &CallbackRow, lang: Lang) -> CallbackView {
        CallbackView {
            id: c.id,
            incident_id: c.incident_id,
            attempt: c.attempt,
            at: rfc3339_bj(c.at),
            officer: c.officer_name.clone(),
            reached: c.reached,
            satisfaction: c.satisfaction,
            satisfaction_name: c.satisfaction.map(|s| App::satisfaction_name(s, lang)),
            comment: frontline_core::ident::mask_identifiers(&c.comment).into_owned(),
            review: c.review.as_ref().map(|r| CallbackReviewView {
                at: rfc3339_bj(r.at),
                reviewer: r.reviewer_name.clone(),
                note: frontline_core::ident::mask_identifiers(&r.note).into_owned(),
            }),
            review_pending: c.satisfaction == Some(Satisfaction::Dissatisfied)
                && c.review.is_none(),
        }
    }

    pub fn callback_summary(
        &self,
        f: &FollowUp,
        callbacks: &[CallbackRow],
        lang: Lang,
    ) -> CallbackSummary {
        CallbackSummary {
            status: f.callback,
            status_name: f.callback.map(|s| {
                match lang {
                    Lang::Zh => s.name_zh(),
                    Lang::En => s.name_en(),
                }
                .to_string()
            }),
            attempts: f.callback_attempts,
            next_at: f.callback_next_at.map(rfc3339_bj),
            satisfaction: f.satisfaction,
            callbacks: callbacks
                .iter()
                .map(|c| self.callback_view(c, lang))
                .collect(),
        }
    }

    /// What the incident's page may offer: recording a callback attempt (closed, due,
    /// and the actor calls back for its unit) and reviewing dissatisfied answers.
    pub fn callback_actions(&self, actor: &Actor, row: &IncidentRow) -> (bool, bool) {
        (
            row.state.status == Status::Closed
                && row.follow_up.callback == Some(CallbackStatus::Due)
                && authz::allows(actor, Action::IncidentCallback, &row.unit_path),
            authz::allows(actor, Action::CallbackReview, &row.unit_path),
        )
    }

    /// The callback queue (回访队列): closed incidents of the actor's scope whose callback
    /// is due, the longest waiting first.
    pub async fn callback_queue(
        &self,
        actor: &Actor,
        page: i64,
        lang: Lang,
    ) -> Result<IncidentList> {
        let scope = authz::scope(actor, Action::IncidentCallback);
        let Some(range) = path_range(scope) else {
            return Err(AppError::Forbidden);
        };
        if !(1..=10_000).contains(&page) {
            return Err(AppError::field(FieldError::new(
                "page",
                "page.range",
                "页码不正确",
                "page is out of range",
            )));
        }
        let per_page = PAGE_SIZE_DEFAULT;
        let found = self
            .store
            .list_incidents(IncidentFilter {
                scope: Some(range),
                callback: Some(CallbackStatus::Due),
                limit: per_page,
                offset: (page - 1) * per_page,
                oldest_first: true,
                ..IncidentFilter::default()
            })
            .await?;
        Ok(IncidentList {
            items: found
                .items
                .iter()
                .map(|r| self.incident_view(r, lang))
                .collect(),
            total: found.total,
            page,
            per_page,
        })
    }

    /// Records a callback attempt (回访). The incident must be closed and its callback
    /// due; a dissatisfied answer goes to the station chief's inbox for review.
    pub async fn record_callback(
        &self,
        actor: &Actor,
        id: Uuid,
        request: &CallbackRequest,
        lang: Lang,
    ) -> Result<CallbackSummary> {
        let row = self.incident(actor, id).await?;
        if !authz::allows(actor, Action::IncidentCallback, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in request.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let reached = *request
            .reached
            .checked(&mut errs, || {
                FieldError::new("reached", "type", "应为 true 或 false", "Must be a boolean")
            })
            .unwrap_or(&false);
        let reached_given = request.reached.value().is_some().then_some(reached);
        let satisfaction = request
            .satisfaction
            .checked(&mut errs, || {
                frontline_core::incident::not_text("satisfaction")
            })
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let comment = match request
            .comment
            .checked(&mut errs, || frontline_core::incident::not_text("comment"))
        {
            Some(c) => match text::block("comment", c) {
                Ok(c) => c,
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            None => None,
        };
        let checked =
            callback::check_callback(reached_given, satisfaction.as_deref(), comment.as_deref());
        let valid = match checked {
            Ok(v) if errs.is_empty() => v,
            Ok(_) => return Err(AppError::Validation(errs.0)),
            Err(es) => {
                for e in es {
                    errs.push(e);
                }
                return Err(AppError::Validation(errs.0));
            }
        };
        if row.state.status != Status::Closed {
            return Err(conflict(
                "callback.incident_not_closed",
                "警情尚未结束，不能回访",
                "The incident is not closed: it cannot be called back yet",
            ));
        }
        if row.follow_up.callback != Some(CallbackStatus::Due) {
            return Err(conflict(
                "callback.not_due",
                "该警情无需回访或已回访完毕",
                "This incident needs no callback, or its callback is finished",
            ));
        }
        let now = self.now();
        let attempt = row.follow_up.callback_attempts + 1;
        let status = self
            .callback_rules
            .after_attempt(attempt.clamp(0, u32::MAX.into()) as u32, valid.reached);
        let state = FollowUp {
            repeat_count: row.follow_up.repeat_count,
            callback: Some(status),
            callback_attempts: attempt,
            callback_next_at: (status == CallbackStatus::Due)
                .then(|| now + self.callback_rules.retry_after),
            callback_at: Some(now),
            satisfaction: valid.satisfaction,
        };
        let cb = CallbackRow {
            id: Uuid::now_v7(),
            incident_id: row.id,
            attempt,
            at: now,
            officer_id: actor.officer_id,
            officer_name: actor.display_name.clone(),
            reached: valid.reached,
            satisfaction: valid.satisfaction,
            comment: valid.comment.clone(),
            review: None,
        };
        let mut outbox = Vec::new();
        if valid.satisfaction == Some(Satisfaction::Dissatisfied) {
            let payload = InboxPayload {
                kind: "callback.dissatisfied".into(),
                title_zh: format!("回访不满意，请审核：{}", row.number),
                title_en: format!("Dissatisfied caller, please review: {}", row.number),
                body: frontline_core::ident::mask_identifiers(&valid.comment).into_owned(),
                link: Some(format!("/incidents/{}#callbacks", row.id)),
            };
            for chief in self
                .unit_officers_with_role(row.unit_id, Role::StationChief)
                .await?
            {
                outbox.push(crate::notify::to_inbox(
                    chief,
                    format!("callback:{}:review:{chief}", cb.id),
                    &payload,
                    now,
                ));
            }
        }
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "incident.callback".into(),
            object_type: "incident".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::json!({
                "number": row.number,
                "attempt": attempt,
                "reached": valid.reached,
                "satisfaction": valid.satisfaction.map(Satisfaction::as_str),
                "status": status.as_str(),
            })
            .to_string(),
        };
        let has_messages = !outbox.is_empty();
        let state = match self
            .store
            .record_callback(
                CallbackWrite {
                    callback: cb,
                    state,
                    outbox,
                },
                audit,
            )
            .await
        {
            Ok(s) => s,
            Err(StoreError::Conflict(m)) if m == CALLBACK_NOT_DUE => {
                return Err(conflict(
                    "conflict.stale_version",
                    "该警情刚被他人回访，请刷新后重试",
                    "Someone else just recorded a callback: reload and try again",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if has_messages {
            self.outbox_wake.wake();
        }
        let callbacks = self.store.incident_callbacks(row.id).await?;
        Ok(self.callback_summary(&state, &callbacks, lang))
    }

    /// The chief's review of a dissatisfied callback (不满意件审核).
    pub async fn review_callback(
        &self,
        actor: &Actor,
        callback_id: Uuid,
        request: &CallbackReviewRequest,
        lang: Lang,
    ) -> Result<CallbackView> {
        let cb = self
            .store
            .callback(callback_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Through the incident: outside the read scope the callback does not exist.
        let row = self.incident(actor, cb.incident_id).await?;
        if !authz::allows(actor, Action::CallbackReview, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in request.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let note = match request
            .note
            .checked(&mut errs, || frontline_core::incident::not_text("note"))
        {
            Some(n) => match text::block("note", n) {
                Ok(Some(n)) if n.chars().count() > callback::COMMENT_MAX => {
                    errs.push(FieldError::too_long("note", callback::COMMENT_MAX));
                    None
                }
                Ok(Some(n)) if n.chars().count() >= 2 => Some(n),
                Ok(_) => {
                    errs.push(FieldError::required("note"));
                    None
                }
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            None => {
                if request.note.is_absent() {
                    errs.push(FieldError::required("note"));
                }
                None
            }
        };
        let Some(note) = note.filter(|_| errs.is_empty()) else {
            return Err(AppError::Validation(errs.0));
        };
        if cb.satisfaction != Some(Satisfaction::Dissatisfied) {
            return Err(AppError::StateConflict(FieldError::new(
                "callback",
                "callback.not_dissatisfied",
                "只有不满意的回访需要审核",
                "Only a dissatisfied callback is reviewed",
            )));
        }
        let now = self.now();
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "incident.callback.review".into(),
            object_type: "incident".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::json!({ "number": row.number, "callback": cb.id }).to_string(),
        };
        match self
            .store
            .review_callback(
                cb.id,
                CallbackReview {
                    at: now,
                    reviewer_id: actor.officer_id,
                    reviewer_name: actor.display_name.clone(),
                    note,
                },
                audit,
            )
            .await
        {
            Ok(c) => Ok(self.callback_view(&c, lang)),
            Err(StoreError::Conflict(m)) if m == ALREADY_REVIEWED => {
                Err(AppError::StateConflict(FieldError::new(
                    "callback",
                    "callback.already_reviewed",
                    "该回访已审核",
                    "This callback has already been reviewed",
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The officers of a unit holding `role` (for notices to the station chief).
    pub(crate) async fn unit_officers_with_role(
        &self,
        unit_id: Uuid,
        role: Role,
    ) -> Result<Vec<Uuid>> {
        let mut out = Vec::new();
        for o in self.store.unit_officers(unit_id).await? {
            if let Some(full) = self.store.officer_by_id(o.id).await?
                && full.roles.contains(&role)
            {
                out.push(o.id);
            }
        }
        Ok(out)
    }
}

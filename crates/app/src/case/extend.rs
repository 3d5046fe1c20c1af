//! 延长办案期限: an approved extension of a running deadline, as the rule catalog allows
//! it (its size, how often, never after expiry and never beyond the rule's maximum),
//! recorded on the case's timeline with the approver and the approval's number.

use chrono::{DateTime, Utc};
use frontline_core::authz::{self, Action};
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::period::{Approval, ComputeOptions, DeadlineError, DeadlineEvent, Span};
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::{FieldError, text};
use frontline_store::{
    AuditDraft, CaseEvent, CaseRow, CaseStepWrite, DEADLINE_NOT_RUNNING, DeadlineExtension,
    STALE_VERSION, StoreError, StoredState,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{App, AppError, Result};

/// Body of `POST /api/v1/deadlines/{id}/extensions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct ExtensionRequest {
    /// Which of the rule's extensions (1 = the first listed in the catalog).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub extension: Given<NumberOrText>,
    /// For an "up to" extension: the amount granted, e.g. `30d`, `2m`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub granted: Given<String>,
    /// Who approved it, as on the approval (e.g. 青禾县公安局 王局长).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub approver: Given<String>,
    /// The approval document's number.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub reference: Given<String>,
    /// The case's `version` as the client last saw it.
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub version: Given<NumberOrText>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

struct Checked {
    index: usize,
    granted: Option<Span>,
    approver: String,
    reference: Option<String>,
    version: i64,
}

/// A whole number ≥ 1 (an extension's number, a version, a party's number).
pub(super) fn positive(errs: &mut Errors, field: &str, g: &Given<NumberOrText>) -> Option<i64> {
    let bad = || {
        FieldError::new(
            field,
            "invalid",
            "应为正整数",
            "Must be a positive whole number",
        )
    };
    match g {
        Given::Absent => {
            errs.push(FieldError::required(field));
            None
        }
        Given::Value(v) => {
            let n = match v {
                NumberOrText::Number(n) => n.as_i64(),
                NumberOrText::Text(t) => t.trim().parse().ok(),
            }
            .filter(|n| *n >= 1);
            if n.is_none() {
                errs.push(bad());
            }
            n
        }
        Given::Wrong => {
            errs.push(bad());
            None
        }
    }
}

fn line(errs: &mut Errors, field: &str, g: &Given<String>, max: usize) -> Option<String> {
    let s = g.checked(errs, || frontline_core::incident::not_text(field))?;
    match text::line(field, s) {
        Ok(Some(v)) if v.chars().count() > max => {
            errs.push(FieldError::too_long(field, max));
            None
        }
        Ok(v) => v,
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

impl ExtensionRequest {
    pub fn read(v: serde_json::Value) -> ExtensionRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    fn check(&self) -> std::result::Result<Checked, Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let number = positive(&mut errs, "extension", &self.extension);
        let version = positive(&mut errs, "version", &self.version);
        let granted = line(&mut errs, "granted", &self.granted, 10).and_then(|g| {
            g.parse::<Span>()
                .map_err(|_| {
                    errs.push(FieldError::new(
                        "granted",
                        "granted.format",
                        "延长的期限写作 30d、2m 或 24h",
                        "Write the amount as 30d, 2m or 24h",
                    ))
                })
                .ok()
        });
        let approver = line(&mut errs, "approver", &self.approver, 100);
        if approver.is_none() && !matches!(self.approver, Given::Wrong) {
            errs.push(FieldError::new(
                "approver",
                "approver.required",
                "延长须经批准：请填写批准人（机关）",
                "An extension needs its approval: name who approved it",
            ));
        }
        let reference = line(&mut errs, "reference", &self.reference, 100);
        match (number, version, approver) {
            (Some(n), Some(version), Some(approver)) if errs.is_empty() => Ok(Checked {
                index: usize::try_from(n - 1).unwrap_or(usize::MAX),
                granted,
                approver,
                reference,
                version,
            }),
            _ => Err(errs.0),
        }
    }
}

/// An extension the rule refuses, on the field that decides it.
fn refused(e: &DeadlineError) -> FieldError {
    let (field, code, zh, en) = match e {
        DeadlineError::NoSuchExtension { .. } => (
            "extension",
            "extension.unknown",
            "该期限没有这项延长".to_string(),
            "This deadline has no such extension".to_string(),
        ),
        DeadlineError::ExtensionExhausted { times, .. } => (
            "extension",
            "extension.exhausted",
            format!("该项延长最多批准 {times} 次，已用完"),
            format!("This extension may be granted {times} time(s) and has been"),
        ),
        DeadlineError::BadGrant { max, .. } => (
            "granted",
            "extension.beyond_maximum",
            format!(
                "延长不得超过法定上限（{}）",
                max.describe(frontline_core::Lang::Zh)
            ),
            format!(
                "An extension cannot exceed the legal maximum ({})",
                max.describe(frontline_core::Lang::En)
            ),
        ),
        DeadlineError::AfterExpiry { .. } => (
            "extension",
            "extension.after_expiry",
            "期限已届满，不能再批准延长".to_string(),
            "The deadline has expired; it can no longer be extended".to_string(),
        ),
        DeadlineError::NotLonger { .. } => (
            "extension",
            "extension.not_longer",
            "该项延长不会使期限延后".to_string(),
            "This extension would not move the deadline later".to_string(),
        ),
        DeadlineError::NoApprover => (
            "approver",
            "approver.required",
            "延长须经批准：请填写批准人（机关）".to_string(),
            "An extension needs its approval: name who approved it".to_string(),
        ),
        other => (
            "extension",
            "extension.refused",
            format!("不能延长：{other}"),
            format!("Cannot extend: {other}"),
        ),
    };
    FieldError::new(field, code, zh, en)
}

impl App {
    /// The case a deadline belongs to, and the deadline; outside the actor's scope
    /// neither exists (404).
    pub async fn deadline_of(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(CaseRow, frontline_store::DeadlineRow)> {
        let d = self.store.deadline(id).await?.ok_or(AppError::NotFound)?;
        let row = self.case(actor, d.case_id).await?;
        Ok((row, d))
    }

    /// Applies an approved extension. 404 outside scope, 403 without the approval
    /// permission, 422 for what the rule refuses (none left, beyond the maximum, after
    /// expiry, no approver), 409 for a stale version or a deadline no longer running.
    pub async fn extend_deadline(
        &self,
        actor: &Actor,
        id: Uuid,
        request: &ExtensionRequest,
    ) -> Result<CaseRow> {
        let (row, d) = self.deadline_of(actor, id).await?;
        if !authz::allows(actor, Action::CaseApprove, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        let c = request.check().map_err(AppError::Validation)?;
        if c.version != row.version {
            return Err(AppError::StateConflict(
                frontline_core::incident::lifecycle::stale_version(),
            ));
        }
        if d.state != StoredState::Running {
            return Err(not_running());
        }
        let now = self.now();
        let calendars = self.deadlines.current();
        let events: Vec<DeadlineEvent> = serde_json::from_str(&d.events).unwrap_or_default();
        let opts = ComputeOptions { provisional: true };
        let mut dl = self
            .deadlines
            .rules
            .rebuild(&d.rule, d.started_at, &events, &calendars.calendars, opts)
            .map_err(|e| AppError::Internal(format!("deadline {}: {e}", d.id)))?;
        dl.extend(
            c.index,
            c.granted,
            Approval {
                approver: c.approver.clone(),
                at: now.with_timezone(&frontline_core::time::BEIJING),
                reference: c.reference.clone(),
            },
            &calendars.calendars,
        )
        .map_err(|e| AppError::field(refused(&e)))?;
        let due: DateTime<Utc> = dl.due().with_timezone(&Utc);
        let e = self.escalation_for(&d.rule);
        let schedule = e.schedule(d.started_at, due);
        let done = schedule.iter().take_while(|(t, _)| *t <= now).count();
        let rule_name = self
            .deadlines
            .rules
            .get(&d.rule)
            .map_or(d.rule.clone(), |r| r.name_zh.clone());
        let event = CaseEvent {
            seq: row.version + 1,
            at: now,
            actor_id: Some(actor.officer_id),
            actor_name: actor.display_name.clone(),
            step: "extend".into(),
            from_status: Some(row.status),
            to_status: row.status,
            note: format!(
                "{rule_name}延长至{}，批准：{}{}",
                crate::clock::rfc3339_bj(due)
                    .get(..16)
                    .unwrap_or_default()
                    .replace('T', " "),
                c.approver,
                c.reference
                    .as_deref()
                    .map(|r| format!("（{r}）"))
                    .unwrap_or_default()
            ),
            detail: serde_json::json!({ "extended": [d.rule], "deadline_id": d.id }).to_string(),
        };
        let write = CaseStepWrite {
            case_id: row.id,
            expected_version: row.version,
            status: row.status,
            outcome: row.outcome,
            closed_at: None,
            event,
            meet: Vec::new(),
            cancel_rest: false,
            start: Vec::new(),
            outbox: Vec::new(),
            extend: Some(DeadlineExtension {
                id: d.id,
                due_at: due,
                warn_at: schedule.first().map_or(due, |(t, _)| *t).min(due),
                next_at: schedule.get(done).map(|(t, _)| *t),
                stage: i32::try_from(done).unwrap_or(0),
                events: serde_json::to_string(&dl.events).unwrap_or_else(|_| "[]".into()),
            }),
            measure: None,
            decisions_in_force: None,
        };
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "case.extend_deadline".into(),
            object_type: "case".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::json!({
                "number": row.number, "rule": d.rule, "deadline_id": d.id,
                "from": crate::clock::rfc3339_bj(d.due_at), "to": crate::clock::rfc3339_bj(due),
                "approver": c.approver, "reference": c.reference,
            })
            .to_string(),
        };
        match self.store.apply_case_step(write, audit).await {
            Ok(r) => Ok(r),
            Err(StoreError::Conflict(m)) if m == STALE_VERSION => Err(AppError::StateConflict(
                frontline_core::incident::lifecycle::stale_version(),
            )),
            Err(StoreError::Conflict(m)) if m == DEADLINE_NOT_RUNNING => Err(not_running()),
            Err(e) => Err(e.into()),
        }
    }
}

fn not_running() -> AppError {
    AppError::StateConflict(FieldError::new(
        "extension",
        DEADLINE_NOT_RUNNING,
        "该期限已结束，不能延长",
        "This deadline has ended and cannot be extended",
    ))
}

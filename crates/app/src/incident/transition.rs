//! 警情流转: one lifecycle step on one incident (dispatch, arrival, disposal, closing,
//! referral, conversion, reopening), each with its permission, timeline row and audit.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::authz;
use frontline_core::error::Errors;
use frontline_core::incident::lifecycle::{
    self, ConversionTarget, DISPATCH_OFFICERS_MAX, NOTE_MAX, PATROL_MAX, RECEIVER_MAX, Status, Step,
};
use frontline_core::incident::{not_text, parse_reported_at};
use frontline_core::org::Actor;
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::text;
use frontline_store::{
    AuditDraft, CallbackChange, IncidentEvent, IncidentRow, STALE_VERSION, StoreError,
    TransitionWrite,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{App, AppError, Result};

// Body of `POST /api/v1/incidents/{id}/transitions` and of the detail page's step forms.
// Which fields a step takes: dispatch `officers` (and `patrol_unit`), arrive `at`,
// refer `receiver`, convert `target`; every step a `note` (required for dispose, refer
// and reopen). A field the step does not take is refused, never silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct TransitionRequest {
    /// The step: `dispatch`, `arrive`, `dispose`, `close`, `refer`, `convert`, `reopen`.
    #[serde(default)]
    #[schema(value_type = Step, required = true)]
    pub action: Given<String>,
    /// The incident's `version` as the client last saw it; a stale one is refused (409).
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub version: Given<NumberOrText>,
    /// Dispatch: the officers sent (ids of the incident's unit, 1–10).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub officers: Given<Vec<String>>,
    /// Dispatch: the patrol unit or car call sign.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub patrol_unit: Given<String>,
    /// Arrive: the time on scene (RFC 3339; default now; not before the dispatch).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Given<String>,
    /// Refer: the receiving body, e.g. `12345 市民热线`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub receiver: Given<String>,
    /// Convert: `case` or `dispute`.
    #[serde(default)]
    #[schema(value_type = Option<ConversionTarget>)]
    pub target: Given<String>,
    /// What was done or why (required for dispose, refer and reopen).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub note: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl TransitionRequest {
    /// Reads a JSON body; a body that is not an object reads as empty and is refused
    /// field by field.
    pub fn read(v: serde_json::Value) -> TransitionRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// An officer who can be sent: name and badge, nothing personal.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Colleague {
    pub id: Uuid,
    pub display_name: String,
    /// Six digits; null for auxiliary officers.
    pub badge_no: Option<String>,
    pub auxiliary: bool,
}

/// A step after its fields passed their rules (the incident's unit is checked later).
#[derive(Debug, Clone)]
struct CheckedStep {
    step: Step,
    version: i64,
    officers: Vec<Uuid>,
    patrol_unit: Option<String>,
    at: Option<DateTime<Utc>>,
    receiver: Option<String>,
    target: Option<ConversionTarget>,
    note: String,
}

fn not_applicable(field: &str, step: Step) -> FieldError {
    FieldError::new(
        field,
        "not_applicable",
        format!("「{}」不需要此项", step.name_zh()),
        format!("{} does not take this field", step.name_en()),
    )
}

fn optional_line(errs: &mut Errors, field: &str, v: &Given<String>, max: usize) -> Option<String> {
    let s = v.checked(errs, || not_text(field))?;
    match text::line(field, s) {
        Err(e) => {
            errs.push(e);
            None
        }
        Ok(Some(s)) if s.chars().count() > max => {
            errs.push(FieldError::too_long(field, max));
            None
        }
        Ok(s) => s,
    }
}

impl TransitionRequest {
    fn check(&self, now: DateTime<Utc>) -> std::result::Result<CheckedStep, Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let step = match &self.action {
            Given::Absent => {
                errs.push(FieldError::required("action"));
                None
            }
            Given::Value(a) => {
                let s = Step::parse(a);
                if s.is_none() {
                    errs.push(FieldError::new(
                        "action",
                        "action.unknown",
                        "未知的流转操作",
                        "Unknown action",
                    ));
                }
                s
            }
            Given::Wrong => {
                errs.push(not_text("action"));
                None
            }
        };
        let version = match &self.version {
            Given::Absent => {
                errs.push(FieldError::required("version"));
                None
            }
            Given::Value(v) => {
                let n = match v {
                    NumberOrText::Number(n) => n.as_i64(),
                    NumberOrText::Text(t) => t.trim().parse::<i64>().ok(),
                };
                match n {
                    Some(n) if n >= 1 => Some(n),
                    _ => {
                        errs.push(FieldError::new(
                            "version",
                            "version.invalid",
                            "版本号应为正整数",
                            "version must be a positive integer",
                        ));
                        None
                    }
                }
            }
            Given::Wrong => {
                errs.push(FieldError::new(
                    "version",
                    "version.invalid",
                    "版本号应为正整数",
                    "version must be a positive integer",
                ));
                None
            }
        };
        let note = optional_line_block(&mut errs, &self.note).unwrap_or_default();
        let patrol_unit = optional_line(&mut errs, "patrol_unit", &self.patrol_unit, PATROL_MAX);
        let receiver = optional_line(&mut errs, "receiver", &self.receiver, RECEIVER_MAX);
        let mut officers = Vec::new();
        if let Some(list) = self.officers.checked(&mut errs, || {
            FieldError::new(
                "officers",
                "type",
                "应为民警编号列表",
                "Must be a list of officer ids",
            )
        }) {
            for (i, o) in list.iter().enumerate() {
                match Uuid::parse_str(o.trim()) {
                    Ok(id) if !officers.contains(&id) => officers.push(id),
                    Ok(_) => {}
                    Err(_) => errs.push(FieldError::new(
                        format!("officers[{i}]"),
                        "invalid",
                        "编号格式不正确",
                        "Not a valid id",
                    )),
                }
            }
        }
        let at = match self.at.checked(&mut errs, || not_text("at")) {
            None => None,
            Some(s) => match parse_reported_at(s.trim()) {
                Some(t) if t > now + frontline_core::incident::FUTURE_SKEW => {
                    errs.push(FieldError::new(
                        "at",
                        "at.future",
                        "时间不能晚于当前时间",
                        "The time cannot be in the future",
                    ));
                    None
                }
                Some(t) => Some(t),
                None => {
                    errs.push(FieldError::new(
                        "at",
                        "at.format",
                        "时间格式不正确（例：2026-11-22T08:30:00+08:00）",
                        "The time must be RFC 3339, e.g. 2026-11-22T08:30:00+08:00",
                    ));
                    None
                }
            },
        };
        let target = match self.target.checked(&mut errs, || not_text("target")) {
            None => None,
            Some(t) => {
                let v = ConversionTarget::parse(t.trim());
                if v.is_none() {
                    errs.push(FieldError::new(
                        "target",
                        "target.unknown",
                        "转为案件（case）或矛盾纠纷（dispute）",
                        "Convert to a case or a dispute",
                    ));
                }
                v
            }
        };
        if let Some(step) = step {
            let present = |g: bool, field: &str, errs: &mut Errors| {
                if g {
                    errs.push(not_applicable(field, step));
                }
            };
            present(
                step != Step::Dispatch && !self.officers.is_absent(),
                "officers",
                &mut errs,
            );
            present(
                step != Step::Dispatch && !self.patrol_unit.is_absent(),
                "patrol_unit",
                &mut errs,
            );
            present(
                step != Step::Arrive && !self.at.is_absent(),
                "at",
                &mut errs,
            );
            present(
                step != Step::Refer && !self.receiver.is_absent(),
                "receiver",
                &mut errs,
            );
            present(
                step != Step::Convert && !self.target.is_absent(),
                "target",
                &mut errs,
            );
            if step == Step::Dispatch && officers.is_empty() && !has_error(&errs, "officers") {
                errs.push(FieldError::new(
                    "officers",
                    "officers.required",
                    "请选择出警民警",
                    "Choose the officers to send",
                ));
            }
            if officers.len() > DISPATCH_OFFICERS_MAX {
                errs.push(FieldError::new(
                    "officers",
                    "officers.too_many",
                    format!("一次最多派出{DISPATCH_OFFICERS_MAX}名民警"),
                    format!("At most {DISPATCH_OFFICERS_MAX} officers per dispatch"),
                ));
            }
            if step == Step::Refer && receiver.is_none() && !has_error(&errs, "receiver") {
                errs.push(FieldError::new(
                    "receiver",
                    "receiver.required",
                    "请填写接收单位（如 12345 市民热线）",
                    "Name the receiving body (e.g. the 12345 hotline)",
                ));
            }
            if step == Step::Convert && self.target.is_absent() {
                errs.push(FieldError::required("target"));
            }
            if step.note_required() && note.chars().count() < 2 && !has_error(&errs, "note") {
                errs.push(FieldError::new(
                    "note",
                    "note.required",
                    "请填写处置情况或原因（至少2字）",
                    "Describe what was done or why (at least 2 characters)",
                ));
            }
        }
        errs.into_result(())?;
        match (step, version) {
            (Some(step), Some(version)) => Ok(CheckedStep {
                step,
                version,
                officers,
                patrol_unit,
                at,
                receiver,
                target,
                note,
            }),
            // Unreachable: a missing step or version has pushed an error above.
            _ => Err(vec![FieldError::required("action")]),
        }
    }
}

/// Whether `field` (or one of its items, `officers[2]`) already has an error.
fn has_error(errs: &Errors, field: &str) -> bool {
    errs.0.iter().any(|e| {
        e.field == field
            || e.field
                .strip_prefix(field)
                .is_some_and(|rest| rest.starts_with('['))
    })
}

fn optional_line_block(errs: &mut Errors, v: &Given<String>) -> Option<String> {
    let s = v.checked(errs, || not_text("note"))?;
    match text::block("note", s) {
        Err(e) => {
            errs.push(e);
            None
        }
        Ok(Some(s)) if s.chars().count() > NOTE_MAX => {
            errs.push(FieldError::too_long("note", NOTE_MAX));
            None
        }
        Ok(s) => s,
    }
}

/// Answered with 409: the step is not allowed now, or the client's version is stale.
fn conflict(e: FieldError) -> AppError {
    AppError::StateConflict(e)
}

impl App {
    /// The incident `actor` may take `step` on: 404 outside the actor's read scope,
    /// 403 when it may read but not take this step (or any step at all).
    async fn transition_target(&self, actor: &Actor, id: Uuid) -> Result<IncidentRow> {
        let row = self.incident(actor, id).await?;
        let may_any = Step::ALL
            .iter()
            .any(|s| authz::allows(actor, s.action(), &row.unit_path));
        if !may_any {
            return Err(AppError::Forbidden);
        }
        Ok(row)
    }

    /// The authorization `transition_incident` runs before it reads its body.
    pub(crate) async fn authorize_transition(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.transition_target(actor, id).await.map(|_| ())
    }

    /// The steps `actor` may take on `row` now (what the detail page offers).
    pub fn steps_for(&self, actor: &Actor, row: &IncidentRow) -> Vec<Step> {
        Step::allowed_from(row.state.status)
            .filter(|s| authz::allows(actor, s.action(), &row.unit_path))
            .collect()
    }

    /// Takes one lifecycle step. Order of answers: 404 (not in scope), 403 (not this
    /// actor's step), 422 (bad fields), 409 (stale version, or not allowed from the
    /// current state).
    pub async fn transition_incident(
        &self,
        actor: &Actor,
        id: Uuid,
        request: &TransitionRequest,
    ) -> Result<IncidentRow> {
        let row = self.transition_target(actor, id).await?;
        let now = self.now();
        let c = request.check(now).map_err(AppError::Validation)?;
        if !authz::allows(actor, c.step.action(), &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        if c.version != row.state.version {
            return Err(conflict(lifecycle::stale_version()));
        }
        let Some(to) = c.step.next(row.state.status) else {
            return Err(conflict(lifecycle::not_allowed(c.step, row.state.status)));
        };
        let mut state = row.state.clone();
        state.status = to;
        state.version = row.state.version + 1;
        let mut detail = serde_json::Map::new();
        let mut outbox = Vec::new();
        match c.step {
            Step::Dispatch => {
                let colleagues = self.store.unit_officers(row.unit_id).await?;
                let mut errs = Errors::default();
                for (i, o) in c.officers.iter().enumerate() {
                    if !colleagues.iter().any(|b| b.id == *o) {
                        errs.push(FieldError::new(
                            format!("officers[{i}]"),
                            "officers.other_unit",
                            "只能派出本单位在岗民警",
                            "Only officers of the incident's unit can be sent",
                        ));
                    }
                }
                errs.into_result(()).map_err(AppError::Validation)?;
                state.dispatched_at = state.dispatched_at.or(Some(now));
                state.assigned = c.officers.clone();
                state.patrol_unit = c.patrol_unit.clone();
                let names: Vec<String> = c
                    .officers
                    .iter()
                    .filter_map(|o| colleagues.iter().find(|b| b.id == *o))
                    .map(|b| b.display_name.clone())
                    .collect();
                // Each officer sent hears it in the inbox (the bell), once per dispatch.
                let category = |lang| {
                    self.categories
                        .name(&row.category, lang)
                        .unwrap_or(&row.category)
                        .to_string()
                };
                let payload = crate::notify::InboxPayload {
                    kind: "incident.dispatch".into(),
                    title_zh: format!(
                        "派警：{} {}",
                        row.number,
                        category(frontline_core::Lang::Zh)
                    ),
                    title_en: format!(
                        "Dispatched: {} {}",
                        row.number,
                        category(frontline_core::Lang::En)
                    ),
                    body: row.address.clone(),
                    link: Some(format!("/incidents/{}", row.id)),
                };
                for o in &c.officers {
                    outbox.push(crate::notify::to_inbox(
                        *o,
                        format!("incident:{}:v{}:dispatch:{o}", row.id, state.version),
                        &payload,
                        now,
                    ));
                }
                detail.insert("officers".into(), serde_json::json!(c.officers));
                detail.insert("officer_names".into(), serde_json::json!(names));
                if let Some(p) = &c.patrol_unit {
                    detail.insert("patrol_unit".into(), serde_json::json!(p));
                }
            }
            Step::Arrive => {
                let at = c.at.unwrap_or(now);
                let dispatched = row.state.dispatched_at.unwrap_or(row.reported_at);
                if at < dispatched {
                    return Err(AppError::field(FieldError::new(
                        "at",
                        "at.before_dispatch",
                        "到达时间不能早于派警时间",
                        "Arrival cannot be before the dispatch",
                    )));
                }
                state.arrived_at = Some(at);
                detail.insert("at".into(), serde_json::json!(crate::clock::rfc3339_bj(at)));
            }
            Step::Dispose => state.disposed_at = Some(now),
            Step::Close | Step::Refer | Step::Convert => {
                state.ended_at = Some(now);
                if let Some(r) = &c.receiver {
                    detail.insert("receiver".into(), serde_json::json!(r));
                }
                if let Some(t) = c.target {
                    detail.insert("target".into(), serde_json::json!(t.as_str()));
                }
            }
            Step::Reopen => {
                // Back to the desk: the next dispatch starts a new round; the first
                // response times stay as they were (they measured the first call).
                state.ended_at = None;
                state.assigned.clear();
                state.patrol_unit = None;
            }
        }
        let event = IncidentEvent {
            seq: state.version,
            at: now,
            actor_id: Some(actor.officer_id),
            actor_name: actor.display_name.clone(),
            step: c.step.as_str().into(),
            from_status: Some(row.state.status),
            to_status: to,
            note: c.note.clone(),
            detail: serde_json::Value::Object(detail.clone()).to_string(),
        };
        if self.config.webhook_url.is_some() {
            outbox.push(crate::notify::to_webhook(
                format!("incident:{}:v{}", row.id, state.version),
                &serde_json::json!({
                    "event": format!("incident.{}", c.step.as_str()),
                    "incident_id": row.id,
                    "number": row.number,
                    "unit_id": row.unit_id,
                    "from": row.state.status.as_str(),
                    "to": to.as_str(),
                    "version": state.version,
                    "at": crate::clock::rfc3339_bj(now),
                }),
                now,
            ));
        }
        let mut audit_detail = detail;
        audit_detail.insert("number".into(), serde_json::json!(row.number));
        audit_detail.insert("from".into(), serde_json::json!(row.state.status.as_str()));
        audit_detail.insert("to".into(), serde_json::json!(to.as_str()));
        let push = self.push_for_step(&row, c.step, c.target, now).await?;
        let push = push.map(|(p, messages)| {
            outbox.extend(messages);
            p
        });
        let stats = frontline_core::incident::stats::delta(
            &self.stat_facts(
                row.unit_id,
                &row.category,
                row.district_id,
                row.reported_at,
                &row.state,
            ),
            &self.stat_facts(
                row.unit_id,
                &row.category,
                row.district_id,
                row.reported_at,
                &state,
            ),
        );
        let write = TransitionWrite {
            incident_id: row.id,
            expected_version: row.state.version,
            state,
            event,
            conversion: c.target.map(|t| t.as_str().to_string()),
            outbox,
            callback: match (c.step, to) {
                // Closing puts a required callback in the queue at once; a reopened
                // incident is called back after it is closed again.
                (_, Status::Closed) if self.callback_rules.requires(&row.category) => {
                    CallbackChange::Due(now)
                }
                (Step::Reopen, _) => CallbackChange::Clear,
                _ => CallbackChange::Keep,
            },
            push,
            stats,
        };
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: format!("incident.{}", c.step.as_str()),
            object_type: "incident".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::Value::Object(audit_detail).to_string(),
        };
        match self.store.apply_transition(write, audit).await {
            Ok(r) => {
                self.outbox_wake.wake();
                self.wake_search();
                self.announce_incident(&r);
                Ok(r)
            }
            // Another step won the race since this one read the incident.
            Err(StoreError::Conflict(m)) if m == STALE_VERSION => {
                Err(conflict(lifecycle::stale_version()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The officers `actor` may send to the unit's incidents (the dispatch list); a
    /// unit the actor does not dispatch for does not exist for it (404).
    pub async fn dispatch_candidates(
        &self,
        actor: &Actor,
        unit_id: Uuid,
    ) -> Result<Vec<Colleague>> {
        let unit = self.org.unit(unit_id).ok_or(AppError::NotFound)?;
        if !authz::allows(
            actor,
            frontline_core::authz::Action::IncidentDispatch,
            &unit.path,
        ) {
            return Err(AppError::NotFound);
        }
        self.colleagues_of(unit_id).await
    }

    /// The officers of the unit owning `row`, which the caller has read (the incident
    /// page's dispatch list and the names of the officers sent).
    pub async fn incident_colleagues(&self, row: &IncidentRow) -> Result<Vec<Colleague>> {
        self.colleagues_of(row.unit_id).await
    }

    async fn colleagues_of(&self, unit_id: Uuid) -> Result<Vec<Colleague>> {
        Ok(self
            .store
            .unit_officers(unit_id)
            .await?
            .into_iter()
            .map(|o| Colleague {
                id: o.id,
                display_name: o.display_name,
                badge_no: o.badge_no,
                auxiliary: o.auxiliary,
            })
            .collect())
    }

    /// An incident's timeline, oldest first (the caller has read the incident).
    pub async fn incident_timeline(&self, row: &IncidentRow) -> Result<Vec<IncidentEvent>> {
        Ok(self.store.incident_events(row.id).await?)
    }
    /// The timeline, repeat links and callbacks of an incident the caller has read.
    pub async fn incident_parts(&self, row: &IncidentRow) -> Result<super::IncidentParts> {
        let (events, repeats, callbacks) = tokio::try_join!(
            self.store.incident_events(row.id),
            async {
                if row.follow_up.repeat_count > 0 {
                    self.store.repeat_links(row.id).await
                } else {
                    Ok(Vec::new())
                }
            },
            async {
                if row.follow_up.callback_attempts > 0 {
                    self.store.incident_callbacks(row.id).await
                } else {
                    Ok(Vec::new())
                }
            },
        )?;
        Ok(super::IncidentParts {
            events,
            repeats,
            callbacks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: serde_json::Value) -> std::result::Result<CheckedStep, Vec<FieldError>> {
        TransitionRequest::read(v).check(Utc::now())
    }

    fn codes(v: serde_json::Value) -> Vec<(String, &'static str)> {
        req(v)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn every_problem_on_its_field() {
        let c = codes(serde_json::json!({"action": "fly", "version": 0, "x": 1}));
        assert!(c.contains(&("x".into(), "unknown_field")), "{c:?}");
        assert!(c.contains(&("action".into(), "action.unknown")), "{c:?}");
        assert!(c.contains(&("version".into(), "version.invalid")), "{c:?}");
        let c = codes(serde_json::json!({}));
        assert!(c.contains(&("action".into(), "required")), "{c:?}");
        assert!(c.contains(&("version".into(), "required")), "{c:?}");
    }

    #[test]
    fn each_step_takes_its_own_fields() {
        let c = codes(serde_json::json!({"action": "close", "version": 3,
            "officers": ["x"], "receiver": "12345"}));
        assert!(c.contains(&("officers".into(), "not_applicable")), "{c:?}");
        assert!(c.contains(&("receiver".into(), "not_applicable")), "{c:?}");
        let c = codes(serde_json::json!({"action": "dispatch", "version": 1}));
        assert_eq!(c, vec![("officers".into(), "officers.required")]);
        let c = codes(serde_json::json!({"action": "refer", "version": 1, "note": "非警务"}));
        assert_eq!(c, vec![("receiver".into(), "receiver.required")]);
        let c = codes(serde_json::json!({"action": "dispose", "version": 1, "note": " \u{200b}"}));
        assert_eq!(c, vec![("note".into(), "note.required")]);
        let c = codes(serde_json::json!({"action": "dispose", "version": 1, "note": "a\u{0}b"}));
        assert_eq!(c.first().map(|x| x.0.as_str()), Some("note"), "{c:?}");
        let ok = req(serde_json::json!({"action": "dispatch", "version": "2",
            "officers": [Uuid::nil().to_string(), Uuid::nil().to_string()], "patrol_unit": " 巡逻一组 "}))
        .unwrap();
        assert_eq!(ok.officers, vec![Uuid::nil()], "duplicates collapse");
        assert_eq!(ok.patrol_unit.as_deref(), Some("巡逻一组"));
        assert_eq!(ok.version, 2);
        let c = codes(serde_json::json!({"action": "arrive", "version": 2,
            "at": "2999-01-01T00:00:00+08:00"}));
        assert_eq!(c, vec![("at".into(), "at.future")]);
    }
}

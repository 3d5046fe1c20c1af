//! 受案: accepting a case, directly or by taking over an incident converted to a case.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::case::workflow::Trigger;
use frontline_core::case::{self, Status};
use frontline_core::org::{Actor, UnitKind};
use frontline_store::{
    AuditDraft, CaseEvent, CaseParty, CaseRow, INCIDENT_NOT_CONVERTIBLE, NewCase, StoreError,
};
use uuid::Uuid;

use super::CaseRequest;
use crate::{App, AppError, Result};

fn not_convertible() -> AppError {
    AppError::StateConflict(FieldError::new(
        "incident_id",
        INCIDENT_NOT_CONVERTIBLE,
        "该警情未转为案件，或已有案件",
        "The incident is not converted to a case, or already has one",
    ))
}

impl App {
    /// 受案. The case belongs to the accepting officer's station, or to the converted
    /// incident's unit; the lead and other officers must be of that unit. Acceptance
    /// starts the deadlines of `data/case-deadlines.toml` and issues the query code of
    /// the receipt.
    pub async fn create_case(&self, actor: &Actor, request: &CaseRequest) -> Result<CaseRow> {
        crate::gate::require(actor, Action::CaseCreate)?;
        let now = self.now();
        let v = request.check(now).map_err(AppError::Validation)?;
        let unit = match v.incident_id {
            Some(incident_id) => {
                // The incident must be one the officer may read; another unit's does not
                // exist for them.
                let incident = self.store.incident(incident_id).await?;
                let incident = incident
                    .filter(|i| authz::allows(actor, Action::IncidentRead, &i.unit_path))
                    .ok_or_else(|| {
                        AppError::field(FieldError::new(
                            "incident_id",
                            "incident.unknown",
                            "警情不存在",
                            "No such incident",
                        ))
                    })?;
                if incident.state.status != frontline_core::incident::lifecycle::Status::Converted {
                    return Err(not_convertible());
                }
                self.org.unit(incident.unit_id).ok_or(AppError::Forbidden)?
            }
            None => {
                let own = self.org.unit(actor.unit_id).ok_or(AppError::Forbidden)?;
                if own.kind != UnitKind::Station {
                    return Err(AppError::field(FieldError::new(
                        "kind",
                        "case.unit_required",
                        "只有派出所民警可以受案",
                        "Cases are accepted by a station's officers",
                    )));
                }
                own
            }
        };
        if !authz::allows(actor, Action::CaseCreate, &unit.path) {
            return Err(AppError::Forbidden);
        }
        let colleagues = self.store.unit_officers(unit.id).await?;
        let mut errs = frontline_core::error::Errors::default();
        if let Some(l) = v.lead_officer_id
            && !colleagues.iter().any(|c| c.id == l)
        {
            errs.push(FieldError::new(
                "lead_officer_id",
                "officers.other_unit",
                "主办民警应为本单位在岗民警",
                "The lead officer must be an officer of the case's unit",
            ));
        }
        for (i, o) in v.officers.iter().enumerate() {
            if !colleagues.iter().any(|c| c.id == *o) {
                errs.push(FieldError::new(
                    format!("officers[{i}]"),
                    "officers.other_unit",
                    "协办民警应为本单位在岗民警",
                    "Officers must be of the case's unit",
                ));
            }
        }
        errs.into_result(()).map_err(AppError::Validation)?;
        let lead = v.lead_officer_id.or_else(|| {
            colleagues
                .iter()
                .any(|c| c.id == actor.officer_id)
                .then_some(actor.officer_id)
        });
        let id = Uuid::now_v7();
        let changes = self.case_workflow.changes(v.kind, Trigger::Accept, None);
        let deadlines = self.start_deadlines(&changes.start, now)?;
        let query_code = loop {
            let mut random = [0u8; 32];
            getrandom::fill(&mut random).map_err(|e| AppError::Internal(e.to_string()))?;
            if let Some(c) = case::query_code(&random) {
                break c;
            }
        };
        let parties: Vec<CaseParty> = v
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| CaseParty {
                seq: i as i64 + 1,
                role: p.role,
                name: p.name.clone(),
                id_number: p.id_number.clone(),
                phone: p.phone.clone(),
                consent: p.consent,
            })
            .collect();
        let officers = v
            .officers
            .iter()
            .copied()
            .filter(|o| Some(*o) != lead)
            .collect();
        let outbox = self.party_updates(
            (id, unit.id, &query_code),
            None,
            &parties,
            Status::Accepted,
            now,
        );
        let event = CaseEvent {
            seq: 1,
            at: now,
            actor_id: Some(actor.officer_id),
            actor_name: actor.display_name.clone(),
            step: "accept".into(),
            from_status: None,
            to_status: Status::Accepted,
            note: String::new(),
            detail: serde_json::json!({
                "started": changes.start,
                "incident_id": v.incident_id,
            })
            .to_string(),
        };
        let new = NewCase {
            id,
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            unit_code: unit.code.clone(),
            kind: v.kind,
            title: v.title,
            summary: v.summary,
            lead_officer_id: lead,
            officers,
            parties,
            incident_id: v.incident_id,
            query_code,
            accepted_at: now,
            created_by: actor.officer_id,
            event,
            deadlines,
            outbox,
        };
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "case.create".into(),
            object_type: "case".into(),
            object_id: id.to_string(),
            purpose: None,
            detail: String::new(),
        };
        match self.store.create_case(new, audit).await {
            Ok(row) => {
                self.outbox_wake.wake();
                Ok(row)
            }
            Err(StoreError::Conflict(m)) if m == INCIDENT_NOT_CONVERTIBLE => Err(not_convertible()),
            // A query code drawn twice (1 in ~10^14 per pair): the unique index refuses it.
            Err(e) => Err(e.into()),
        }
    }
}

//! 接警登记: recording a call for police service.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::incident::callback;
use frontline_core::org::{Actor, UnitKind};
use frontline_store::IncidentRow;
use frontline_store::{
    AuditDraft, IncidentEvent, IncidentState, NewFollowUp, NewIncident, RepeatLink,
};
use uuid::Uuid;

use super::IncidentRequest;
use crate::{App, AppError, Result};

impl App {
    /// Repeat detection (重复警情) at intake: the earlier incidents within the window
    /// with the same normalised address or the same caller phone (two index lookups).
    pub async fn repeat_follow_up(
        &self,
        address: &str,
        caller_phone: &str,
        reported_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<NewFollowUp> {
        let address_key = callback::address_key(address, &self.repeat_rules);
        let candidates = self
            .store
            .repeat_candidates(
                address_key.clone(),
                caller_phone.to_string(),
                self.repeat_rules.since(reported_at),
                reported_at,
                callback::REPEAT_LINKS_MAX as i64,
            )
            .await?;
        let repeats = candidates
            .into_iter()
            .filter_map(|c| {
                callback::RepeatBasis::of(c.same_address, c.same_phone).map(|basis| RepeatLink {
                    earlier_id: c.id,
                    basis,
                })
            })
            .collect();
        Ok(NewFollowUp {
            address_key,
            repeats,
            ..NewFollowUp::default()
        })
    }
}

impl App {
    /// 接警登记. The owning unit is the officer's own station unless a permitted user
    /// names another (anyone else naming another unit is refused on `unit_id`, from the
    /// API and the intake page alike); a district must belong to the owning unit.
    pub async fn create_incident(
        &self,
        actor: &Actor,
        request: &IncidentRequest,
    ) -> Result<IncidentRow> {
        let create_scope = authz::scope(actor, Action::IncidentCreate);
        if create_scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let v = request
            .check(now, &self.categories)
            .map_err(AppError::Validation)?;
        let unit = match v.unit_id {
            Some(id) if id != actor.unit_id => {
                let u = self.org.unit(id).filter(|u| u.kind == UnitKind::Station);
                match u {
                    None => {
                        return Err(AppError::field(FieldError::new(
                            "unit_id",
                            "unit.unknown",
                            "受理单位不存在或不是派出所",
                            "The owning unit does not exist or is not a station",
                        )));
                    }
                    Some(u) if !authz::allows(actor, Action::IncidentAssignUnit, &u.path) => {
                        return Err(AppError::field(FieldError::new(
                            "unit_id",
                            "unit.not_permitted",
                            "无权为其他单位登记警情",
                            "You may not file incidents for another unit",
                        )));
                    }
                    Some(u) => u,
                }
            }
            _ => {
                let own = self.org.unit(actor.unit_id).ok_or(AppError::Forbidden)?;
                if own.kind != UnitKind::Station {
                    return Err(AppError::field(FieldError::new(
                        "unit_id",
                        "unit.required",
                        "请选择受理派出所",
                        "Choose the station that owns this incident",
                    )));
                }
                own
            }
        };
        if !create_scope.contains(&unit.path) {
            return Err(AppError::Forbidden);
        }
        if let Some(d) = v.district_id
            && self.org.district(d).map(|d| d.unit_id) != Some(unit.id)
        {
            return Err(AppError::field(FieldError::new(
                "district_id",
                "district.other_unit",
                "警务区不属于受理单位",
                "The district does not belong to the owning unit",
            )));
        }
        let id = Uuid::now_v7();
        let follow_up = self
            .repeat_follow_up(&v.address, &v.caller_phone, v.reported_at)
            .await?;
        let stats = frontline_core::incident::stats::added(&self.stat_facts(
            unit.id,
            &v.category,
            v.district_id,
            v.reported_at,
            &IncidentState::registered(),
        ));
        let row = self
            .store
            .create_incident(
                NewIncident {
                    id,
                    unit_id: unit.id,
                    unit_path: unit.path.clone(),
                    unit_code: unit.code.clone(),
                    reported_at: v.reported_at,
                    created_at: now,
                    category: v.category,
                    address: v.address,
                    district_id: v.district_id,
                    caller_name: v.caller_name,
                    caller_phone: v.caller_phone,
                    caller_id_number: v.caller_id_number,
                    narrative: v.narrative,
                    created_by: actor.officer_id,
                    state: IncidentState::registered(),
                    events: vec![IncidentEvent::registration(
                        now,
                        actor.officer_id,
                        &actor.display_name,
                    )],
                    follow_up,
                    stats,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "incident.create".into(),
                    object_type: "incident".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: String::new(),
                },
            )
            .await?;
        self.wake_search();
        self.announce_incident(&row);
        Ok(row)
    }
}

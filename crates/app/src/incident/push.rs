//! Dispute push (双推): a dispute-related incident, once closed or converted into a
//! dispute record, is pushed through the outbox to its district's community officer and to
//! the street office its residents belong to. The street office reads only what was pushed
//! to it (no caller identifiers) and answers with a note, which the station reads.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::error::Errors;
use frontline_core::ident::mask_identifiers;
use frontline_core::incident::lifecycle::{ConversionTarget, Step};
use frontline_core::org::{Actor, Role};
use frontline_core::request::{Given, Unknown};
use frontline_core::{Lang, text};
use frontline_store::{
    ALREADY_ANSWERED, AuditDraft, IncidentRow, NewMessage, PushAnswer, PushRow, PushScope,
    StoreError,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::path_range;
use crate::clock::rfc3339_bj;
use crate::notify::InboxPayload;
use crate::{App, AppError, Result};

pub(crate) const ANSWER_MAX: usize = 1000;

/// What the street office reads of a pushed incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PushSummary {
    pub station: String,
    pub category_name: String,
    pub reported_at: String,
    /// Phone and ID numbers masked.
    pub address: String,
    /// Phone and ID numbers masked.
    pub narrative: String,
    pub district: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PushView {
    pub id: Uuid,
    /// The incident's number.
    pub number: String,
    pub pushed_at: String,
    pub partner: String,
    pub summary: PushSummary,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
    /// The incident, for the station's readers only (null for the street office).
    pub incident_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PushList {
    pub items: Vec<PushView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Body of `POST /api/v1/pushes/{id}/answer`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct PushAnswerRequest {
    /// What the street office did (2–1000 characters).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub note: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl PushAnswerRequest {
    pub fn read(v: serde_json::Value) -> PushAnswerRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

const PER_PAGE: i64 = 20;

impl App {
    /// The push a lifecycle step writes, and its messages: closing a dispute-related
    /// incident, or converting any incident into a dispute record, in a district with a
    /// street office.
    pub(crate) async fn push_for_step(
        &self,
        row: &IncidentRow,
        step: Step,
        target: Option<ConversionTarget>,
        now: DateTime<Utc>,
    ) -> Result<Option<(PushRow, Vec<NewMessage>)>> {
        let dispute = row.category.starts_with("dispute.");
        let pushes = match step {
            Step::Close => dispute,
            Step::Convert => target == Some(ConversionTarget::Dispute),
            _ => false,
        };
        let Some(district) = row.district_id.and_then(|d| self.org.district(d)) else {
            return Ok(None);
        };
        let Some(partner) = district.partner_unit_id.and_then(|u| self.org.unit(u)) else {
            return Ok(None);
        };
        if !pushes {
            return Ok(None);
        }
        let summary = PushSummary {
            station: self.org.unit_name(row.unit_id),
            category_name: self
                .categories
                .name(&row.category, Lang::Zh)
                .unwrap_or(&row.category)
                .to_string(),
            reported_at: rfc3339_bj(row.reported_at),
            address: mask_identifiers(&row.address).into_owned(),
            narrative: mask_identifiers(&row.narrative).into_owned(),
            district: Some(district.name.clone()),
        };
        let push = PushRow {
            id: Uuid::now_v7(),
            incident_id: row.id,
            station_path: row.unit_path.clone(),
            partner_unit_id: partner.id,
            partner_path: partner.path.clone(),
            community_officer_id: district.community_officer_id,
            pushed_at: now,
            summary: serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
            answer: None,
            number: row.number.clone(),
        };
        let payload = InboxPayload {
            kind: "dispute.push".into(),
            title_zh: format!("纠纷推送：{}（{}）", summary.category_name, row.number),
            title_en: format!("Dispute pushed: {}", row.number),
            body: summary.address.clone(),
            link: Some("/pushes".into()),
        };
        let mut outbox = Vec::new();
        for o in self.store.unit_officers(partner.id).await? {
            outbox.push(crate::notify::to_inbox(
                o.id,
                format!("push:{}:{}:{}", row.id, partner.id, o.id),
                &payload,
                now,
            ));
        }
        if let Some(officer) = district.community_officer_id {
            let payload = InboxPayload {
                link: Some(format!("/incidents/{}", row.id)),
                title_zh: format!("辖区纠纷已推送街道：{}", row.number),
                title_en: format!("A dispute of your district was pushed: {}", row.number),
                ..payload
            };
            outbox.push(crate::notify::to_inbox(
                officer,
                format!("push:{}:{}:community:{officer}", row.id, partner.id),
                &payload,
                now,
            ));
        }
        Ok(Some((push, outbox)))
    }

    fn push_view(&self, p: &PushRow, for_station: bool) -> PushView {
        let summary = serde_json::from_str(&p.summary).unwrap_or(PushSummary {
            station: String::new(),
            category_name: String::new(),
            reported_at: String::new(),
            address: String::new(),
            narrative: String::new(),
            district: None,
        });
        PushView {
            id: p.id,
            number: p.number.clone(),
            pushed_at: rfc3339_bj(p.pushed_at),
            partner: self.org.unit_name(p.partner_unit_id),
            summary,
            answer: p
                .answer
                .as_ref()
                .map(|a| mask_identifiers(&a.note).into_owned()),
            answered_at: p.answer.as_ref().map(|a| rfc3339_bj(a.at)),
            answered_by: p.answer.as_ref().map(|a| a.by.clone()),
            incident_id: for_station.then_some(p.incident_id),
        }
    }

    /// Pushed disputes: a street office's account sees those pushed to its office; a
    /// station's officers those their station pushed; leaders and the command centre all.
    pub async fn pushes(&self, actor: &Actor, page: i64) -> Result<PushList> {
        let scope = authz::scope(actor, Action::PushRead);
        if scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        if !(1..=10_000).contains(&page) {
            return Err(AppError::field(FieldError::new(
                "page",
                "page.range",
                "页码不正确",
                "page is out of range",
            )));
        }
        let partner = actor.has(Role::Partner);
        let range = path_range(scope).ok_or(AppError::Forbidden)?;
        let scope = if partner {
            PushScope::Partner(range)
        } else {
            PushScope::Station(range)
        };
        let (rows, total) = self
            .store
            .list_pushes(scope, PER_PAGE, (page - 1) * PER_PAGE)
            .await?;
        Ok(PushList {
            items: rows.iter().map(|p| self.push_view(p, !partner)).collect(),
            total,
            page,
            per_page: PER_PAGE,
        })
    }

    /// The pushes of an incident the caller has read (its page).
    pub async fn pushes_of(&self, row: &IncidentRow) -> Result<Vec<PushView>> {
        Ok(self
            .store
            .incident_pushes(row.id)
            .await?
            .iter()
            .map(|p| self.push_view(p, true))
            .collect())
    }

    /// The street office answers a push (once); the station's chiefs are told.
    pub async fn answer_push(
        &self,
        actor: &Actor,
        id: Uuid,
        request: &PushAnswerRequest,
    ) -> Result<PushView> {
        let push = self.store.push(id).await?.ok_or(AppError::NotFound)?;
        // Only the office it was pushed to knows it exists.
        let read = authz::scope(actor, Action::PushRead);
        let visible = if actor.has(Role::Partner) {
            read.contains(&push.partner_path)
        } else {
            read.contains(&push.station_path)
        };
        if !visible {
            return Err(AppError::NotFound);
        }
        if !authz::allows(actor, Action::PushAnswer, &push.partner_path) {
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
                Ok(Some(n)) if n.chars().count() > ANSWER_MAX => {
                    errs.push(FieldError::too_long("note", ANSWER_MAX));
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
        let Some(note) = note.filter(|_| errs.0.is_empty()) else {
            return Err(AppError::Validation(errs.0));
        };
        let now = self.now();
        let number = push.number.clone();
        let station = self
            .org
            .units()
            .into_iter()
            .find(|u| u.path == push.station_path);
        let mut outbox = Vec::new();
        if let Some(st) = &station {
            let payload = InboxPayload {
                kind: "dispute.push.answer".into(),
                title_zh: format!("街道已反馈：{number}"),
                title_en: format!("The street office answered: {number}"),
                body: mask_identifiers(&note).into_owned(),
                link: Some(format!("/incidents/{}", push.incident_id)),
            };
            let mut to = self
                .unit_officers_with_role(st.id, Role::StationChief)
                .await?;
            to.extend(push.community_officer_id);
            for o in to {
                outbox.push(crate::notify::to_inbox(
                    o,
                    format!("push:{}:answer:{o}", push.id),
                    &payload,
                    now,
                ));
            }
        }
        let has = !outbox.is_empty();
        let saved = match self
            .store
            .answer_push(
                push.id,
                PushAnswer {
                    at: now,
                    by: actor.display_name.clone(),
                    note,
                },
                outbox,
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "incident.push.answer".into(),
                    object_type: "incident".into(),
                    object_id: push.incident_id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "number": number, "push": push.id }).to_string(),
                },
            )
            .await
        {
            Ok(r) => r,
            Err(StoreError::Conflict(m)) if m == ALREADY_ANSWERED => {
                return Err(AppError::StateConflict(FieldError::new(
                    "push",
                    "push.already_answered",
                    "该推送已反馈",
                    "This push has already been answered",
                )));
            }
            Err(e) => return Err(e.into()),
        };
        if has {
            self.outbox_wake.wake();
        }
        Ok(self.push_view(&saved, false))
    }
}

//! 强制措施: a coercive measure on a suspect of the case (its deadlines from the data),
//! the acts the law times (送押、通知家属、讯问), and its end.

use chrono::{DateTime, Utc};
use frontline_core::authz::{self, Action};
use frontline_core::case::PartyRole;
use frontline_core::case::measure::{MeasureAct, MeasureKind};
use frontline_core::error::Errors;
use frontline_core::incident::parse_reported_at;
use frontline_core::org::Actor;
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::{FieldError, Lang, text};
use frontline_store::{
    AuditDraft, CaseEvent, CaseRow, CaseStepWrite, MEASURE_ENDED, MeasureRow, MeasureWrite,
    STALE_VERSION, StoreError,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::extend::positive;
use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

/// Body of `POST /api/v1/cases/{id}/measures`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct MeasureRequest {
    /// `summons`, `detention`, `arrest_request`, `bail` or `residential_surveillance`.
    #[serde(default)]
    #[schema(value_type = MeasureKind, required = true)]
    pub measure: Given<String>,
    /// The suspect it is taken against: the party's number on the case (1 = first).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub party: Given<NumberOrText>,
    /// When it began (RFC 3339; default now; e.g. the summoned person's arrival).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub note: Given<String>,
    /// The case's `version` as the client last saw it.
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub version: Given<NumberOrText>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Body of `POST /api/v1/measures/{id}/acts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct MeasureActRequest {
    /// `lock_up`, `notify_family`, `interrogate` or `end`.
    #[serde(default)]
    #[schema(value_type = MeasureAct, required = true)]
    pub act: Given<String>,
    /// When (RFC 3339; default now).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub note: Given<String>,
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub version: Given<NumberOrText>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl MeasureRequest {
    /// Reads a JSON body (a body that is not an object reads as empty and is refused
    /// field by field).
    pub fn read_json(v: serde_json::Value) -> MeasureRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

impl MeasureActRequest {
    pub fn read_json(v: serde_json::Value) -> MeasureActRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// A measure on the case page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasureView {
    pub id: Uuid,
    pub measure: MeasureKind,
    pub name: String,
    pub party_name: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// The acts recorded so far, in words.
    pub done: Vec<String>,
    /// The acts still open (`end` last) while it runs.
    pub acts: Vec<ActOffer>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActOffer {
    pub act: MeasureAct,
    pub name: String,
}

fn when(errs: &mut Errors, g: &Given<String>, now: DateTime<Utc>) -> DateTime<Utc> {
    let Some(s) = g.checked(errs, || frontline_core::incident::not_text("at")) else {
        return now;
    };
    match parse_reported_at(s.trim()) {
        Some(t) if t > now + frontline_core::incident::FUTURE_SKEW => {
            errs.push(FieldError::new(
                "at",
                "at.future",
                "时间不能晚于当前时间",
                "The time cannot be in the future",
            ));
            now
        }
        Some(t) => t,
        None => {
            errs.push(FieldError::new(
                "at",
                "at.format",
                "时间格式不正确（例：2026-11-22T08:30:00+08:00）",
                "The time must be RFC 3339, e.g. 2026-11-22T08:30:00+08:00",
            ));
            now
        }
    }
}

fn note(errs: &mut Errors, g: &Given<String>) -> String {
    let Some(s) = g.checked(errs, || frontline_core::incident::not_text("note")) else {
        return String::new();
    };
    match text::block("note", s) {
        Ok(Some(v)) if v.chars().count() > frontline_core::case::NOTE_MAX => {
            errs.push(FieldError::too_long("note", frontline_core::case::NOTE_MAX));
            String::new()
        }
        Ok(v) => v.unwrap_or_default(),
        Err(e) => {
            errs.push(e);
            String::new()
        }
    }
}

fn unknown(errs: &mut Errors, other: &Unknown) {
    for k in other.keys() {
        errs.push(FieldError::unknown_field(k.as_str()));
    }
}

fn stale() -> AppError {
    AppError::StateConflict(frontline_core::incident::lifecycle::stale_version())
}

impl App {
    /// The measure and its case; outside the actor's scope neither exists (404).
    pub async fn measure_of(&self, actor: &Actor, id: Uuid) -> Result<(CaseRow, MeasureRow)> {
        let m = self.store.measure(id).await?.ok_or(AppError::NotFound)?;
        let row = self.case(actor, m.case_id).await?;
        Ok((row, m))
    }

    /// Starts a coercive measure on one of the case's suspects.
    pub async fn start_measure(
        &self,
        actor: &Actor,
        case_id: Uuid,
        r: &MeasureRequest,
    ) -> Result<CaseRow> {
        let row = self.case(actor, case_id).await?;
        if !authz::allows(actor, Action::CaseHandle, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        if !row.status.is_open() {
            return Err(AppError::StateConflict(FieldError::new(
                "measure",
                "case.closed",
                "案件已结案，不能再采取强制措施",
                "The case is closed; no measure can be taken",
            )));
        }
        let now = self.now();
        let mut errs = Errors::default();
        unknown(&mut errs, &r.other);
        let kind = match &r.measure {
            Given::Value(s) => {
                let k = MeasureKind::parse(s.trim());
                if k.is_none() {
                    errs.push(FieldError::new(
                        "measure",
                        "measure.unknown",
                        "未知的强制措施",
                        "Unknown measure",
                    ));
                }
                k
            }
            Given::Wrong => {
                errs.push(frontline_core::incident::not_text("measure"));
                None
            }
            Given::Absent => {
                errs.push(FieldError::required("measure"));
                None
            }
        };
        let party = positive(&mut errs, "party", &r.party);
        let version = positive(&mut errs, "version", &r.version);
        let at = when(&mut errs, &r.at, now);
        let note = note(&mut errs, &r.note);
        if at < row.accepted_at - chrono::Duration::days(1) {
            errs.push(FieldError::new(
                "at",
                "at.before_case",
                "时间不能早于受案",
                "The time cannot be before the case was accepted",
            ));
        }
        let entry = kind.and_then(|k| self.case_workflow.measure(row.kind, k));
        if kind.is_some() && entry.is_none() {
            errs.push(FieldError::new(
                "measure",
                "measure.not_for_kind",
                "此类案件不采取该强制措施",
                "A case of this kind does not take this measure",
            ));
        }
        let parties = self.store.case_parties(row.id).await?;
        let suspect = party.and_then(|n| parties.iter().find(|p| p.seq == n));
        if party.is_some() && !suspect.is_some_and(|p| p.role == PartyRole::Suspect) {
            errs.push(FieldError::new(
                "party",
                "party.not_suspect",
                "强制措施只能针对本案嫌疑人",
                "A measure is taken against a suspect of the case",
            ));
        }
        errs.into_result(()).map_err(AppError::Validation)?;
        let (Some(kind), Some(entry), Some(version), Some(suspect)) =
            (kind, entry, version, suspect)
        else {
            return Err(AppError::Internal("checked measure".into()));
        };
        if version != row.version {
            return Err(stale());
        }
        let id = Uuid::now_v7();
        let codes: Vec<&str> = entry.start.iter().map(String::as_str).collect();
        let mut start = self.start_deadlines(&codes, at)?;
        for d in &mut start {
            d.measure_id = Some(id);
        }
        let name = kind.name_zh(row.kind);
        let write = CaseStepWrite {
            case_id: row.id,
            expected_version: row.version,
            status: row.status,
            outcome: row.outcome,
            closed_at: None,
            event: CaseEvent {
                seq: row.version + 1,
                at: now,
                actor_id: Some(actor.officer_id),
                actor_name: actor.display_name.clone(),
                step: "measure".into(),
                from_status: Some(row.status),
                to_status: row.status,
                note: format!("{name}：{}（{}）{}", suspect.name, rfc3339_bj(at).get(..16).unwrap_or_default().replace('T', " "), if note.is_empty() { String::new() } else { format!("；{note}") }),
                detail: serde_json::json!({ "started": entry.start, "met": entry.meet, "measure": kind.as_str(), "measure_id": id }).to_string(),
            },
            meet: Vec::new(),
            cancel_rest: false,
            start,
            outbox: Vec::new(),
            extend: None,
            measure: Some(MeasureWrite::Start {
                row: MeasureRow {
                    id,
                    case_id: row.id,
                    kind: kind.as_str().into(),
                    party_seq: suspect.seq,
                    started_at: at,
                    ended_at: None,
                    acts: Vec::new(),
                    note,
                },
                meet: entry.meet.clone(),
            }),
            decisions_in_force: None,
        };
        self.apply_measure(write, actor, &row, "case.measure", now)
            .await
    }

    /// Records an act on a running measure (or ends it).
    pub async fn record_measure_act(
        &self,
        actor: &Actor,
        id: Uuid,
        r: &MeasureActRequest,
    ) -> Result<CaseRow> {
        let (row, m) = self.measure_of(actor, id).await?;
        if !authz::allows(actor, Action::CaseHandle, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let mut errs = Errors::default();
        unknown(&mut errs, &r.other);
        let act = match &r.act {
            Given::Value(s) => {
                let a = MeasureAct::parse(s.trim());
                if a.is_none() {
                    errs.push(FieldError::new(
                        "act",
                        "act.unknown",
                        "未知的操作",
                        "Unknown act",
                    ));
                }
                a
            }
            Given::Wrong => {
                errs.push(frontline_core::incident::not_text("act"));
                None
            }
            Given::Absent => {
                errs.push(FieldError::required("act"));
                None
            }
        };
        let version = positive(&mut errs, "version", &r.version);
        let at = when(&mut errs, &r.at, now);
        let note = note(&mut errs, &r.note);
        if at < m.started_at {
            errs.push(FieldError::new(
                "at",
                "at.before_measure",
                "时间不能早于措施开始",
                "The time cannot be before the measure began",
            ));
        }
        let kind = MeasureKind::parse(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("measure kind {}", m.kind)))?;
        let entry = self
            .case_workflow
            .measure(row.kind, kind)
            .ok_or_else(|| AppError::Internal("measure without its entry".into()))?;
        if let Some(a) = act
            && a != MeasureAct::End
            && (entry.meets(a).is_empty() || m.acts.iter().any(|x| x == a.as_str()))
        {
            errs.push(FieldError::new(
                "act",
                "act.not_applicable",
                "该措施没有此项待办，或已办理",
                "This measure has no such act open",
            ));
        }
        errs.into_result(()).map_err(AppError::Validation)?;
        let (Some(act), Some(version)) = (act, version) else {
            return Err(AppError::Internal("checked act".into()));
        };
        if version != row.version {
            return Err(stale());
        }
        if m.ended_at.is_some() {
            return Err(ended());
        }
        let write = CaseStepWrite {
            case_id: row.id,
            expected_version: row.version,
            status: row.status,
            outcome: row.outcome,
            closed_at: None,
            event: CaseEvent {
                seq: row.version + 1,
                at: now,
                actor_id: Some(actor.officer_id),
                actor_name: actor.display_name.clone(),
                step: format!("measure.{}", act.as_str()),
                from_status: Some(row.status),
                to_status: row.status,
                note: format!(
                    "{}：{}（{}）{}",
                    kind.name_zh(row.kind),
                    act.name_zh(),
                    rfc3339_bj(at)
                        .get(..16)
                        .unwrap_or_default()
                        .replace('T', " "),
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!("；{note}")
                    }
                ),
                detail: serde_json::json!({ "met": entry.meets(act), "measure_id": m.id })
                    .to_string(),
            },
            meet: Vec::new(),
            cancel_rest: false,
            start: Vec::new(),
            outbox: Vec::new(),
            extend: None,
            measure: Some(MeasureWrite::Act {
                id: m.id,
                act: act.as_str().into(),
                meet: entry.meets(act).to_vec(),
                // Ending: acts not done are no longer owed (cancelled); the measure's
                // own time limit is met.
                cancel: if act == MeasureAct::End {
                    entry
                        .acts
                        .iter()
                        .flat_map(|(_, rules)| rules.iter().cloned())
                        .collect()
                } else {
                    Vec::new()
                },
                end: (act == MeasureAct::End).then_some(at),
            }),
            decisions_in_force: None,
        };
        self.apply_measure(
            write,
            actor,
            &row,
            &format!("case.measure_{}", act.as_str()),
            now,
        )
        .await
    }

    async fn apply_measure(
        &self,
        write: CaseStepWrite,
        actor: &Actor,
        row: &CaseRow,
        action: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseRow> {
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: action.into(),
            object_type: "case".into(),
            object_id: row.id.to_string(),
            purpose: None,
            detail: serde_json::json!({ "number": row.number, "step": write.event.step })
                .to_string(),
        };
        match self.store.apply_case_step(write, audit).await {
            Ok(r) => Ok(r),
            Err(StoreError::Conflict(m)) if m == STALE_VERSION => Err(stale()),
            Err(StoreError::Conflict(m)) if m == MEASURE_ENDED => Err(ended()),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn measure_view(
        &self,
        m: &MeasureRow,
        kind: frontline_core::case::CaseKind,
        parties: &[frontline_store::CaseParty],
        lang: Lang,
    ) -> MeasureView {
        let mk = MeasureKind::parse(&m.kind);
        let entry = mk.and_then(|k| self.case_workflow.measure(kind, k));
        let act_name = |a: MeasureAct| match lang {
            Lang::Zh => a.name_zh(),
            Lang::En => a.name_en(),
        };
        let acts = if m.ended_at.is_some() {
            Vec::new()
        } else {
            entry
                .map(|e| {
                    e.acts()
                        .filter(|a| !m.acts.iter().any(|x| x == a.as_str()))
                        .chain([MeasureAct::End])
                        .map(|a| ActOffer {
                            act: a,
                            name: act_name(a).into(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        MeasureView {
            id: m.id,
            measure: mk.unwrap_or(MeasureKind::Summons),
            name: mk.map_or(m.kind.clone(), |k| match lang {
                Lang::Zh => k.name_zh(kind).into(),
                Lang::En => k.name_en(kind).into(),
            }),
            party_name: parties
                .iter()
                .find(|p| p.seq == m.party_seq)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            started_at: rfc3339_bj(m.started_at),
            ended_at: m.ended_at.map(rfc3339_bj),
            done: m
                .acts
                .iter()
                .filter_map(|a| MeasureAct::parse(a))
                .map(|a| act_name(a).to_string())
                .collect(),
            acts,
        }
    }
}

fn ended() -> AppError {
    AppError::StateConflict(FieldError::new(
        "act",
        MEASURE_ENDED,
        "该强制措施已结束",
        "This measure has ended",
    ))
}

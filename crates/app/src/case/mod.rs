//! Cases (案件): acceptance (directly or from a converted incident), the lifecycle steps,
//! the case page and list, and the deadline board. Every view masks identifiers.

pub mod attachment;
mod create;
pub mod decision;
mod extend;
mod measure;
mod public;
pub(crate) mod read;
mod request;
mod step;
mod sweep;

use chrono::{DateTime, Utc};
use frontline_core::Lang;
use frontline_core::case::{CaseKind, DeadlineState, Outcome, PartyRole, Status, Step};
use frontline_core::ident::{mask_id_number, mask_identifiers, mask_phone};
use frontline_core::period::ComputeOptions;
use frontline_store::{CaseEvent, CaseParty, CaseRow, DeadlineRow, NewDeadline, StoredState};
use serde::Serialize;
use uuid::Uuid;

pub use extend::ExtensionRequest;
pub use measure::{ActOffer, MeasureActRequest, MeasureRequest, MeasureView};
pub use public::{CaseStatusAnswer, CaseStatusRequest};
pub use read::{
    BOARD_LIMIT_MAX, BoardItem, CaseList, DeadlineBoard, MET_WITHIN_DAYS, PER_PAGE_MAX,
};
pub use request::{
    CaseListQuery, CaseRequest, CaseStepRequest, DeadlineQuery, PartyRequest, ValidCase,
    ValidParty, ValidStep,
};
pub use sweep::SWEEP_BATCH;

use crate::clock::rfc3339_bj;
use crate::incident::Colleague;
use crate::{App, AppError, Result};

/// An internal target as the case page shows it (never a legal deadline).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetView {
    pub code: String,
    pub name: String,
    pub due_at: String,
    pub met_at: Option<String>,
    pub state: frontline_core::case::target::TargetState,
    pub state_name: String,
    /// Past the target and not met (shown in red).
    pub missed: bool,
}

fn target_state_name(s: frontline_core::case::target::TargetState, lang: Lang) -> &'static str {
    use frontline_core::case::target::TargetState as T;
    match (s, lang) {
        (T::Running, Lang::Zh) => "进行中",
        (T::Met, Lang::Zh) => "已按时达成",
        (T::MetLate, Lang::Zh) => "逾时达成",
        (T::Missed, Lang::Zh) => "未达成",
        (T::Running, Lang::En) => "Running",
        (T::Met, Lang::En) => "Met in time",
        (T::MetLate, Lang::En) => "Met late",
        (T::Missed, Lang::En) => "Missed",
    }
}

impl App {
    /// The internal targets of a case converted from a property-crime incident (none for
    /// other cases), judged now.
    async fn case_targets(
        &self,
        row: &CaseRow,
        parties: &[CaseParty],
        events: &[CaseEvent],
        measures: &[frontline_store::MeasureRow],
        lang: Lang,
    ) -> Result<Vec<TargetView>> {
        use frontline_core::case::target::Facts;
        let Some(incident) = row.incident_id.filter(|_| row.kind == CaseKind::Criminal) else {
            return Ok(Vec::new());
        };
        let Some(inc) = self.store.incident(incident).await? else {
            return Ok(Vec::new());
        };
        if !self.internal_targets.apply_to(&inc.category) {
            return Ok(Vec::new());
        }
        let kinds: Vec<(frontline_core::case::measure::MeasureKind, DateTime<Utc>)> = measures
            .iter()
            .filter_map(|m| {
                frontline_core::case::measure::MeasureKind::parse(&m.kind)
                    .map(|k| (k, m.started_at))
            })
            .collect();
        let suspect_at = if parties.iter().any(|p| p.role == PartyRole::Suspect) {
            Some(row.accepted_at)
        } else {
            kinds.iter().map(|(_, at)| *at).min()
        };
        let facts = Facts {
            accepted_at: row.accepted_at,
            suspect_at,
            measures: kinds,
            solved_at: events.iter().find(|e| e.step == "solve").map(|e| e.at),
        };
        Ok(self
            .internal_targets
            .judge(&facts, self.now())
            .into_iter()
            .map(|j| TargetView {
                code: j.target.code.clone(),
                name: match lang {
                    Lang::Zh => j.target.name_zh.clone(),
                    Lang::En => j.target.name_en.clone(),
                },
                due_at: rfc3339_bj(j.due_at),
                met_at: j.met_at.map(rfc3339_bj),
                state: j.state,
                state_name: target_state_name(j.state, lang).into(),
                missed: j.state == frontline_core::case::target::TargetState::Missed,
            })
            .collect())
    }
}

/// A deadline as the case page and the board show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub id: Uuid,
    /// The rule's code, e.g. `admin.case_handling`.
    pub rule: String,
    pub rule_name: String,
    /// Legal bases, e.g. `治安管理处罚法（2025修订） 第118条`.
    pub basis: Vec<String>,
    /// RFC 3339, Beijing time.
    pub started_at: String,
    /// Act before this instant.
    pub due_at: String,
    /// The first reminder.
    pub warn_at: String,
    pub state: DeadlineState,
    pub state_name: String,
    /// When it was met or ended.
    pub ended_at: Option<String>,
    /// The extensions the rule allows a running deadline (with how many are used).
    pub extensions: Vec<ExtensionOffer>,
    /// One of them is an "up to" extension: the approved amount is asked for.
    pub amount_required: bool,
}

/// One extension the rule catalog allows (延长), as the approval form offers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExtensionOffer {
    /// The number to send as `extension`.
    pub number: usize,
    /// e.g. 延长30日.
    pub size: String,
    /// An "up to" extension: the approved amount must be given as `granted`.
    pub amount_required: bool,
    pub approved_by: Option<String>,
    pub condition: Option<String>,
    /// How often it may be granted (null: no limit stated) and how often it was.
    pub times: Option<u32>,
    pub used: u32,
}

/// A party with masked identifiers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    /// The party's number on the case (what a measure names).
    pub seq: i64,
    pub role: PartyRole,
    pub role_name: String,
    pub name: String,
    /// Masked (`1101**********1234`).
    pub id_number: Option<String>,
    /// Masked (`138****8000`).
    pub phone: Option<String>,
    pub consent: bool,
}

/// One row of the timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseEventView {
    pub seq: i64,
    pub at: String,
    pub actor_name: String,
    /// `accept` or a step's code.
    pub step: String,
    pub step_name: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub note: String,
    /// Deadlines started, met or ended by the step (rule names).
    pub deadlines: Vec<String>,
}

/// An enforcement advice letter (执法建议书) on record in the case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdviceLetterView {
    pub id: Uuid,
    /// `S01-2026-JY0001`.
    pub number: String,
    pub issued_at: String,
    pub rule: String,
    pub rule_name: String,
    pub due_at: String,
    /// The printable A4 page.
    pub href: String,
}

/// A measure the case may take.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasureOffer {
    pub measure: frontline_core::case::measure::MeasureKind,
    pub name: String,
}

/// A step the caller may take now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepOffer {
    pub action: Step,
    pub name: String,
    pub note_required: bool,
}

/// A case in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub number: String,
    pub kind: CaseKind,
    pub kind_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub title: String,
    pub status: Status,
    pub status_name: String,
    pub version: i64,
    pub accepted_at: String,
    pub closed_at: Option<String>,
}

/// One case with its deadlines, timeline, parties and officers
/// (`GET /api/v1/cases/{id}`, and the answer of every write).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub id: Uuid,
    pub number: String,
    pub kind: CaseKind,
    pub kind_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub title: String,
    /// Identifiers in the text are masked.
    pub summary: String,
    pub status: Status,
    pub status_name: String,
    /// Grows by one with every step; a step names the version it saw.
    pub version: i64,
    /// An administrative case's decision.
    pub outcome: Option<Outcome>,
    pub lead_officer_id: Option<Uuid>,
    pub lead_officer_name: Option<String>,
    /// The other officers working the case.
    pub officers: Vec<Colleague>,
    /// The converted incident the case took over.
    pub incident_id: Option<Uuid>,
    /// The receipt's query code (受案回执查询码) for the public status page.
    pub query_code: String,
    pub accepted_at: String,
    pub closed_at: Option<String>,
    pub parties: Vec<PartyView>,
    pub deadlines: Vec<DeadlineView>,
    pub timeline: Vec<CaseEventView>,
    pub advice_letters: Vec<AdviceLetterView>,
    /// Coercive measures on the case's suspects.
    pub measures: Vec<MeasureView>,
    /// The measures the caller may start on this case (none when closed).
    pub measure_kinds: Vec<MeasureOffer>,
    /// Whether the caller may record an approved extension of a running deadline.
    pub may_extend: bool,
    /// The steps the caller may take now.
    pub steps: Vec<StepOffer>,
    /// Internal targets (内部目标, e.g. "1-3-7" for property crimes): not legal limits.
    pub targets: Vec<TargetView>,
    /// Documents and photos of the case, oldest first.
    pub attachments: Vec<attachment::AttachmentView>,
    /// Whether the caller may add attachments (the case's handlers, while open).
    pub may_attach: bool,
    /// Penalty decisions (administrative cases), newest first.
    pub penalty_decisions: Vec<decision::PenaltyDecisionView>,
    /// Whether the caller may propose a penalty now (the case officer, under investigation).
    pub may_propose_penalty: bool,
    /// Whether the caller reviews proposals (legal affairs).
    pub may_review_penalty: bool,
}

pub(crate) fn kind_name(k: CaseKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => frontline_core::case::lifecycle::kind_name_zh(k),
        Lang::En => frontline_core::case::lifecycle::kind_name_en(k),
    }
}

fn status_name(s: Status, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.name_zh(),
        Lang::En => s.name_en(),
    }
}

fn step_name(step: &str, lang: Lang) -> String {
    match (step, lang) {
        ("accept", Lang::Zh) => return "受案".into(),
        ("accept", Lang::En) => return "Accepted".into(),
        ("extend", Lang::Zh) => return "延长期限".into(),
        ("extend", Lang::En) => return "Deadline extended".into(),
        ("measure", Lang::Zh) => return "采取强制措施".into(),
        ("measure", Lang::En) => return "Coercive measure".into(),
        (s, Lang::Zh) if s.starts_with("measure.") => return "强制措施办理".into(),
        (s, Lang::En) if s.starts_with("measure.") => return "Coercive measure act".into(),
        _ => {}
    }
    Step::parse(step).map_or_else(
        || step.to_string(),
        |s| match lang {
            Lang::Zh => s.name_zh().into(),
            Lang::En => s.name_en().into(),
        },
    )
}

impl App {
    /// The reminders of a rule's deadline: the rule's own (`warn_before`), else the
    /// configured defaults (24 h and 2 h); the grace before the advice letter.
    pub fn escalation_for(&self, rule: &str) -> frontline_core::case::escalation::Escalation {
        let mut e = self.config.escalation.clone();
        if let Some(r) = self.deadlines.rules.get(rule)
            && !r.warn_before.is_empty()
        {
            e.reminders = r
                .warn_before
                .iter()
                .map(|s| match s.unit {
                    frontline_core::period::Unit::Hours => {
                        chrono::TimeDelta::hours(i64::from(s.amount))
                    }
                    _ => chrono::TimeDelta::days(i64::from(s.amount)),
                })
                .collect();
        }
        e
    }

    /// Starts the deadlines of `codes` at `at` (a year without a calendar is counted on
    /// plain weekends and corrected when the calendar arrives; the case is never refused
    /// for it). `warn_at` is the first reminder, where the sweep starts.
    pub(crate) fn start_deadlines(
        &self,
        codes: &[&str],
        at: DateTime<Utc>,
    ) -> Result<Vec<NewDeadline>> {
        let calendars = self.deadlines.current();
        codes
            .iter()
            .map(|code| {
                let d = self
                    .deadlines
                    .rules
                    .start(
                        code,
                        at,
                        &calendars.calendars,
                        ComputeOptions { provisional: true },
                    )
                    .map_err(|e| AppError::Internal(format!("deadline {code}: {e}")))?;
                let due = d.due().with_timezone(&Utc);
                let first = self.escalation_for(code).first(at, due).unwrap_or(due);
                Ok(NewDeadline {
                    id: Uuid::now_v7(),
                    rule: (*code).to_string(),
                    started_at: at,
                    due_at: due,
                    warn_at: first.min(due),
                    next_at: Some(first),
                    events: "[]".into(),
                    measure_id: None,
                })
            })
            .collect()
    }

    pub fn deadline_view(&self, d: &DeadlineRow, lang: Lang) -> DeadlineView {
        let rule = self.deadlines.rules.get(&d.rule);
        let state = match d.state {
            StoredState::Running => DeadlineState::of_running(self.now(), d.warn_at, d.due_at),
            StoredState::Met => DeadlineState::Met,
            StoredState::Cancelled => DeadlineState::Cancelled,
        };
        let extensions: Vec<ExtensionOffer> = match (d.state, rule) {
            (StoredState::Running, Some(r)) => {
                let events: Vec<frontline_core::period::DeadlineEvent> =
                    serde_json::from_str(&d.events).unwrap_or_default();
                r.extensions
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ExtensionOffer {
                        number: i + 1,
                        size: x.size.describe(lang),
                        amount_required: matches!(
                            x.size,
                            frontline_core::period::ExtensionSize::UpTo(_)
                        ),
                        approved_by: match lang {
                            Lang::Zh => x.approved_by_zh.clone(),
                            Lang::En => x.approved_by_en.clone(),
                        },
                        condition: match lang {
                            Lang::Zh => x.condition_zh.clone(),
                            Lang::En => x.condition_en.clone(),
                        },
                        times: x.times,
                        used: events
                            .iter()
                            .filter(|e| matches!(e, frontline_core::period::DeadlineEvent::Extension(a) if a.index == i))
                            .count() as u32,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        DeadlineView {
            amount_required: extensions.iter().any(|o| o.amount_required),
            id: d.id,
            rule: d.rule.clone(),
            rule_name: rule.map_or_else(|| d.rule.clone(), |r| r.name(lang).to_string()),
            basis: rule
                .map(|r| {
                    r.basis
                        .iter()
                        .map(|b| format!("{} {}", b.law, b.article))
                        .collect()
                })
                .unwrap_or_default(),
            started_at: rfc3339_bj(d.started_at),
            due_at: rfc3339_bj(d.due_at),
            warn_at: rfc3339_bj(d.warn_at),
            state,
            state_name: match lang {
                Lang::Zh => state.name_zh(),
                Lang::En => state.name_en(),
            }
            .into(),
            ended_at: d.ended_at.map(rfc3339_bj),
            extensions,
        }
    }

    pub fn advice_letter_view(
        &self,
        l: &frontline_store::AdviceLetterRow,
        lang: Lang,
    ) -> AdviceLetterView {
        AdviceLetterView {
            id: l.id,
            number: l.number.clone(),
            issued_at: rfc3339_bj(l.issued_at),
            rule: l.rule.clone(),
            rule_name: self
                .deadlines
                .rules
                .get(&l.rule)
                .map_or_else(|| l.rule.clone(), |r| r.name(lang).to_string()),
            due_at: rfc3339_bj(l.due_at),
            href: format!("/cases/{}/advice-letters/{}", l.case_id, l.id),
        }
    }

    /// An advice letter of a case the caller may read (404 otherwise).
    pub async fn advice_letter(
        &self,
        actor: &frontline_core::org::Actor,
        case_id: Uuid,
        id: Uuid,
    ) -> Result<(CaseRow, frontline_store::AdviceLetterRow)> {
        let row = self.case(actor, case_id).await?;
        let l = self
            .store
            .advice_letter(id)
            .await?
            .filter(|l| l.case_id == row.id)
            .ok_or(AppError::NotFound)?;
        Ok((row, l))
    }

    pub fn case_summary(&self, r: &CaseRow, lang: Lang) -> CaseSummary {
        CaseSummary {
            id: r.id,
            number: r.number.clone(),
            kind: r.kind,
            kind_name: kind_name(r.kind, lang).into(),
            unit_id: r.unit_id,
            unit_name: self.org.unit_name(r.unit_id),
            title: mask_identifiers(&r.title).into_owned(),
            status: r.status,
            status_name: status_name(r.status, lang).into(),
            version: r.version,
            accepted_at: rfc3339_bj(r.accepted_at),
            closed_at: r.closed_at.map(rfc3339_bj),
        }
    }

    fn party_view(p: &CaseParty, lang: Lang) -> PartyView {
        PartyView {
            seq: p.seq,
            role: p.role,
            role_name: match lang {
                Lang::Zh => p.role.name_zh(),
                Lang::En => p.role.name_en(),
            }
            .into(),
            name: p.name.clone(),
            id_number: p.id_number.as_deref().map(mask_id_number),
            phone: p.phone.as_deref().map(mask_phone),
            consent: p.consent,
        }
    }

    fn event_view(&self, e: &CaseEvent, lang: Lang) -> CaseEventView {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        let deadlines = ["started", "met"]
            .iter()
            .filter_map(|k| detail.get(*k).and_then(|v| v.as_array()))
            .flatten()
            .filter_map(|v| v.as_str())
            .map(|code| {
                self.deadlines
                    .rules
                    .get(code)
                    .map_or_else(|| code.to_string(), |r| r.name(lang).to_string())
            })
            .collect();
        CaseEventView {
            seq: e.seq,
            at: rfc3339_bj(e.at),
            actor_name: e.actor_name.clone(),
            step: e.step.clone(),
            step_name: step_name(&e.step, lang),
            from_status: e.from_status,
            to_status: e.to_status,
            note: mask_identifiers(&e.note).into_owned(),
            deadlines,
        }
    }

    /// The steps `actor` may take on `row` now.
    pub fn case_steps_for(&self, actor: &frontline_core::org::Actor, row: &CaseRow) -> Vec<Step> {
        Step::allowed_from(row.kind, row.status, row.outcome)
            .filter(|s| frontline_core::authz::allows(actor, s.action(), &row.unit_path))
            .collect()
    }

    /// The whole case page for a case the caller has read.
    pub async fn case_detail(
        &self,
        actor: &frontline_core::org::Actor,
        row: &CaseRow,
        lang: Lang,
    ) -> Result<CaseDetail> {
        let (events, parties, officers, deadlines, colleagues, letters, measures, decisions, files) =
            tokio::try_join!(
                self.store.case_events(row.id),
                self.store.case_parties(row.id),
                self.store.case_officers(row.id),
                self.store.case_deadlines(row.id),
                self.store.unit_officers(row.unit_id),
                self.store.case_advice_letters(row.id),
                self.store.case_measures(row.id),
                self.store.case_penalty_decisions(row.id),
                self.store.case_attachments(row.id),
            )?;
        let may_handle = row.status.is_open()
            && frontline_core::authz::allows(
                actor,
                frontline_core::authz::Action::CaseHandle,
                &row.unit_path,
            );
        let name_of = |id: Uuid| {
            colleagues
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.display_name.clone())
        };
        Ok(CaseDetail {
            id: row.id,
            number: row.number.clone(),
            kind: row.kind,
            kind_name: kind_name(row.kind, lang).into(),
            unit_id: row.unit_id,
            unit_name: self.org.unit_name(row.unit_id),
            title: mask_identifiers(&row.title).into_owned(),
            summary: mask_identifiers(&row.summary).into_owned(),
            status: row.status,
            status_name: status_name(row.status, lang).into(),
            version: row.version,
            outcome: row.outcome,
            lead_officer_id: row.lead_officer_id,
            lead_officer_name: row.lead_officer_id.and_then(name_of),
            officers: officers
                .iter()
                .filter_map(|id| colleagues.iter().find(|c| c.id == *id))
                .map(|o| Colleague {
                    id: o.id,
                    display_name: o.display_name.clone(),
                    badge_no: o.badge_no.clone(),
                    auxiliary: o.auxiliary,
                })
                .collect(),
            incident_id: row.incident_id,
            query_code: row.query_code.clone(),
            accepted_at: rfc3339_bj(row.accepted_at),
            closed_at: row.closed_at.map(rfc3339_bj),
            measures: measures
                .iter()
                .map(|m| {
                    let mut v = self.measure_view(m, row.kind, &parties, lang);
                    if !may_handle {
                        v.acts.clear();
                    }
                    v
                })
                .collect(),
            measure_kinds: if may_handle && parties.iter().any(|p| p.role == PartyRole::Suspect) {
                frontline_core::case::measure::MeasureKind::ALL
                    .into_iter()
                    .filter(|k| self.case_workflow.measure(row.kind, *k).is_some())
                    .map(|k| MeasureOffer {
                        measure: k,
                        name: match lang {
                            Lang::Zh => k.name_zh(row.kind).into(),
                            Lang::En => k.name_en(row.kind).into(),
                        },
                    })
                    .collect()
            } else {
                Vec::new()
            },
            parties: parties.iter().map(|p| App::party_view(p, lang)).collect(),
            deadlines: deadlines
                .iter()
                .map(|d| self.deadline_view(d, lang))
                .collect(),
            timeline: events.iter().map(|e| self.event_view(e, lang)).collect(),
            advice_letters: letters
                .iter()
                .map(|l| self.advice_letter_view(l, lang))
                .collect(),
            may_extend: row.status.is_open()
                && frontline_core::authz::allows(
                    actor,
                    frontline_core::authz::Action::CaseApprove,
                    &row.unit_path,
                ),
            targets: self
                .case_targets(row, &parties, &events, &measures, lang)
                .await?,
            attachments: files.iter().map(attachment::view).collect(),
            may_attach: may_handle,
            penalty_decisions: decisions
                .iter()
                .rev()
                .map(|d| self.decision_view(d, row, &parties, lang))
                .collect(),
            may_propose_penalty: may_handle
                && row.kind == CaseKind::Administrative
                && row.status == Status::Investigating
                && parties.iter().any(|p| p.role == PartyRole::Suspect),
            may_review_penalty: frontline_core::authz::allows(
                actor,
                frontline_core::authz::Action::PenaltyReview,
                &row.unit_path,
            ),
            steps: self
                .case_steps_for(actor, row)
                .into_iter()
                .map(|s| StepOffer {
                    action: s,
                    name: match lang {
                        Lang::Zh => s.name_zh(),
                        Lang::En => s.name_en(),
                    }
                    .into(),
                    note_required: s.note_required(),
                })
                .collect(),
        })
    }
}

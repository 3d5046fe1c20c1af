//! 处罚意见: the case officer's proposal for one suspect — the party's earlier decisions
//! looked up (purpose stated, audited) and turned into circumstances, the engine's
//! assessment, the decided penalty checked against the statute — and the lookup on its
//! own for the officer to read first.

use chrono::NaiveDate;
use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::case::decision::{
    self, Decided, DecisionStatus, Prior, PriorFacts, REASON_REQUIRED, check_decided, prior_facts,
};
use frontline_core::case::{CaseKind, PartyRole, Status};
use frontline_core::ident::id_number_birth_date;
use frontline_core::org::Actor;
use frontline_core::org::Role;
use frontline_core::penalty::{AssessInput, Assessment, combine};
use frontline_core::purpose::StatedPurpose;
use frontline_core::time::BEIJING;
use frontline_store::{AuditDraft, CaseParty, CaseRow, DecisionItem, DecisionRow, PathRange};
use serde_json::{Value, json};
use uuid::Uuid;

use super::request::{PenaltyDecisionRequest, PriorLookupRequest, ValidDecision};
use super::{PenaltyDecisionView, PriorAnswer};
use crate::notify::{InboxPayload, to_inbox};
use crate::penalty::assess_inputs;
use crate::{App, AppError, Result};

/// One violation assessed, with the penalty decided.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub input: AssessInput,
    pub assessment: Assessment,
    pub decided: Decided,
    pub departed: bool,
}

/// A proposal evaluated (what the form shows before it is submitted).
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub party: CaseParty,
    pub items: Vec<Evaluated>,
    /// The earlier decisions' circumstances (for the first violation's date), when the
    /// party has an ID number.
    pub prior: Option<PriorFacts>,
    pub prior_count: usize,
    pub purpose: Option<StatedPurpose>,
    pub departure_reason: Option<String>,
}

impl Evaluation {
    pub fn departed(&self) -> bool {
        self.items.iter().any(|i| i.departed)
    }
}

fn bj_date(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    t.with_timezone(&BEIJING).date_naive()
}

/// The earlier decisions as the rules read them: each one's earliest act and its date.
pub(crate) fn priors_of(rows: &[DecisionRow]) -> Vec<Prior> {
    rows.iter()
        .filter_map(|d| {
            let offence = d.items.iter().map(|i| i.offence_date).min()?;
            Some(Prior {
                offence_date: offence,
                decided_date: bj_date(d.decided_at?),
            })
        })
        .collect()
}

fn not_allowed(zh: &str, en: &str) -> AppError {
    AppError::StateConflict(FieldError::new("", decision::NOT_ALLOWED, zh, en))
}

impl App {
    /// The suspect `seq` of the case, or the field error.
    fn suspect(parties: &[CaseParty], seq: i64) -> Result<CaseParty> {
        match parties.iter().find(|p| p.seq == seq) {
            Some(p) if p.role == PartyRole::Suspect => Ok(p.clone()),
            Some(_) => Err(AppError::field(FieldError::new(
                "party",
                "party.not_suspect",
                "处罚决定只能针对违法嫌疑人",
                "A penalty is decided against a suspect only",
            ))),
            None => Err(AppError::field(FieldError::new(
                "party",
                "party.unknown",
                "本案没有该当事人",
                "The case has no such party",
            ))),
        }
    }

    /// Checks and assesses a proposal without recording it (the form's 计算 step shows
    /// this; `propose_penalty_decision` records it). The lookup of earlier decisions is
    /// made here; the caller audits it.
    pub async fn evaluate_penalty_decision(
        &self,
        actor: &Actor,
        row: &CaseRow,
        req: &PenaltyDecisionRequest,
    ) -> Result<Evaluation> {
        if !authz::allows(actor, Action::CaseHandle, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        let v: ValidDecision = req.check().map_err(AppError::Validation)?;
        if row.kind != CaseKind::Administrative || row.status != Status::Investigating {
            return Err(not_allowed(
                "只有调查中的行政案件可以提出处罚意见",
                "A penalty is proposed on an administrative case under investigation only",
            ));
        }
        let parties = self.store.case_parties(row.id).await?;
        let party = App::suspect(&parties, v.party_seq)?;
        let (priors, purpose, prior_count) = match &party.id_number {
            Some(idn) => {
                let stated = self
                    .purposes
                    .check(&req.purpose, &req.purpose_text)
                    .map_err(AppError::Validation)?;
                let rows = self
                    .store
                    .prior_penalty_decisions(idn.clone(), row.id)
                    .await?;
                // The look is audited at once, whatever becomes of the proposal.
                self.store
                    .append_audit(AuditDraft {
                        at: self.now(),
                        actor_id: Some(actor.officer_id),
                        actor: actor.username.clone(),
                        action: "penalty.prior_lookup".into(),
                        object_type: "case".into(),
                        object_id: row.id.to_string(),
                        purpose: Some(stated.code.clone()),
                        detail: json!({ "number": row.number, "party": party.seq,
                                        "found": rows.len(), "purpose_text": stated.text })
                        .to_string(),
                    })
                    .await?;
                (Some(priors_of(&rows)), Some(stated), rows.len())
            }
            None => (None, None, 0),
        };
        let birth = party.id_number.as_deref().and_then(id_number_birth_date);
        if birth.is_none() && v.age.is_none() {
            return Err(AppError::field(FieldError::new(
                "age",
                "required",
                "该当事人没有身份证号码，请填写违法行为时的年龄",
                "The party has no ID number: give the age at the time of the act",
            )));
        }
        let today = bj_date(self.now());
        let mut inputs = Vec::with_capacity(v.violations.len());
        let mut errs = Vec::new();
        let mut first_facts = None;
        for (i, (obj, _)) in v.violations.iter().enumerate() {
            let mut obj = obj.clone();
            let offence = obj
                .get("offence_date")
                .and_then(Value::as_str)
                .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
            let age = match (birth, offence) {
                (Some(b), Some(d)) => decision::age_on(b, d).min(120),
                _ => u32::from(v.age.unwrap_or(30)),
            };
            let facts = match (&priors, offence) {
                (Some(p), Some(d)) => Some(prior_facts(p, d)),
                _ => None,
            };
            let mut person = json!({
                "age": age,
                "pregnant": v.pregnant,
                "nursing_infant": v.nursing_infant,
                "foreigner": v.foreigner,
            });
            if let (Some(f), Some(p)) = (&facts, person.as_object_mut()) {
                p.insert("first_offence".into(), Value::Bool(f.first_offence));
            }
            obj.insert("person".into(), person);
            obj.insert("decision_date".into(), Value::String(today.to_string()));
            if let Some(f) = &facts {
                let mut list: Vec<Value> = match obj.get("circumstances") {
                    Some(Value::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                for c in &f.circumstances {
                    if !list.iter().any(|x| x.as_str() == Some(c)) {
                        list.push(Value::String((*c).to_string()));
                    }
                }
                if !list.is_empty() || obj.contains_key("circumstances") {
                    obj.insert("circumstances".into(), Value::Array(list));
                }
            }
            if first_facts.is_none() {
                first_facts = facts;
            }
            match crate::penalty::parse_assess_request(&Value::Object(obj)) {
                Ok(input) => inputs.push(input),
                Err(e) => errs.extend(e.into_iter().map(|mut fe| {
                    fe.field = if fe.field.is_empty() {
                        format!("violations.{i}")
                    } else {
                        format!("violations.{i}.{}", fe.field)
                    };
                    fe
                })),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let loaded = self.penalty.fresh(&self.store).await?;
        let assessments = assess_inputs(&loaded.engine, &inputs, true, today).map_err(|e| {
            AppError::Validation(
                e.into_iter()
                    .map(|mut fe| {
                        fe.field = format!("violations.{}", fe.field);
                        fe
                    })
                    .collect(),
            )
        })?;
        let mut items = Vec::with_capacity(assessments.len());
        let mut errs = Vec::new();
        for (i, ((a, input), (_, d))) in assessments
            .into_iter()
            .zip(inputs)
            .zip(v.violations.iter())
            .enumerate()
        {
            let d = d.unwrap_or_else(|| Decided::from(a.recommended));
            match check_decided(&a, &d, &format!("violations.{i}.decided")) {
                Ok(departed) => items.push(Evaluated {
                    input,
                    assessment: a,
                    decided: d,
                    departed,
                }),
                Err(e) => errs.push(e),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let e = Evaluation {
            party,
            items,
            prior: first_facts,
            prior_count,
            purpose,
            departure_reason: v.departure_reason,
        };
        if e.departed() && e.departure_reason.is_none() {
            return Err(AppError::field(FieldError::new(
                "departure_reason",
                REASON_REQUIRED,
                "决定的处罚与裁量建议不同，请写明理由（法制审核时可见）",
                "The penalty departs from the recommendation: give the reason (legal review reads it)",
            )));
        }
        Ok(e)
    }

    /// Records the proposal; the legal reviewers hear of it. Answers 404 (not in scope),
    /// 403 (not the case's officer), 422 (fields, statute, missing reason), 409 (the
    /// case is not at the decision stage).
    pub async fn propose_penalty_decision(
        &self,
        actor: &Actor,
        case_id: Uuid,
        req: &PenaltyDecisionRequest,
    ) -> Result<PenaltyDecisionView> {
        let row = self.case(actor, case_id).await?;
        let e = self.evaluate_penalty_decision(actor, &row, req).await?;
        let now = self.now();
        let id = Uuid::now_v7();
        let assessments: Vec<&Assessment> = e.items.iter().map(|i| &i.assessment).collect();
        let all: Vec<Assessment> = assessments.iter().map(|a| (*a).clone()).collect();
        let d = DecisionRow {
            id,
            case_id: row.id,
            unit_id: row.unit_id,
            unit_path: row.unit_path.clone(),
            party_seq: e.party.seq,
            status: DecisionStatus::Proposed,
            proposed_by: actor.officer_id,
            proposed_by_name: actor.display_name.clone(),
            proposed_at: now,
            assessment: json!({ "assessments": all, "combined": combine(&all) }).to_string(),
            prior: e.prior.as_ref().map(|p| {
                json!({ "count": e.prior_count, "first_offence": p.first_offence,
                        "circumstances": p.circumstances })
                .to_string()
            }),
            departed: e.departed(),
            departure_reason: e.departure_reason.clone().unwrap_or_default(),
            reviewed_by: None,
            reviewed_by_name: None,
            reviewed_at: None,
            review_note: String::new(),
            number: None,
            decided_at: None,
            items: e
                .items
                .iter()
                .enumerate()
                .map(|(k, i)| DecisionItem {
                    seq: i64::try_from(k).unwrap_or(0) + 1,
                    violation_code: i.assessment.range.code.clone(),
                    situation: i
                        .assessment
                        .range
                        .situation
                        .as_ref()
                        .map(|s| s.code.to_string()),
                    offence_date: i.input.offence_date,
                    recommended: Decided::from(i.assessment.recommended),
                    decided: i.decided,
                    departed: i.departed,
                })
                .collect(),
        };
        let reviewers = self
            .store
            .officers_with_role(Role::LegalReviewer.as_str().into(), PathRange::all())
            .await?;
        let payload = InboxPayload {
            kind: "penalty_review".into(),
            title_zh: format!("处罚意见待法制审核：{}", row.number),
            title_en: format!("Penalty proposal awaiting legal review: {}", row.number),
            body: format!(
                "{}{}",
                d.items
                    .iter()
                    .map(|i| format!("{} {}", i.violation_code, i.decided.words_zh()))
                    .collect::<Vec<_>>()
                    .join("；"),
                if d.departed {
                    "（偏离裁量建议，附理由）"
                } else {
                    ""
                }
            ),
            link: Some(format!("/cases/{}", row.id)),
        };
        let outbox = reviewers
            .iter()
            .map(|o| to_inbox(o.id, format!("penalty_review:{id}:{}", o.id), &payload, now))
            .collect();
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "penalty.propose".into(),
            object_type: "case".into(),
            object_id: row.id.to_string(),
            purpose: e.purpose.as_ref().map(|p| p.code.clone()),
            detail: json!({
                "number": row.number,
                "decision": id,
                "party": e.party.seq,
                "violations": d.items.iter().map(|i| &i.violation_code).collect::<Vec<_>>(),
                "recommended": d.items.iter().map(|i| i.recommended).collect::<Vec<_>>(),
                "decided": d.items.iter().map(|i| i.decided).collect::<Vec<_>>(),
                "departed": d.departed,
                "prior_lookup": e.purpose.as_ref().map(|p| json!({
                    "found": e.prior_count, "purpose_text": p.text,
                })),
            })
            .to_string(),
        };
        let stored = self
            .store
            .propose_penalty_decision(d, outbox, audit)
            .await?;
        self.outbox_wake.wake();
        Ok(self.decision_view(
            &stored,
            &row,
            std::slice::from_ref(&e.party),
            frontline_core::Lang::Zh,
        ))
    }

    /// The party's earlier decisions in force (by ID number, across the bureau), with the
    /// circumstances they establish as of today; the purpose is audited.
    pub async fn prior_penalty_decisions(
        &self,
        actor: &Actor,
        case_id: Uuid,
        party_seq: i64,
        req: &PriorLookupRequest,
        lang: frontline_core::Lang,
    ) -> Result<PriorAnswer> {
        let row = self.case(actor, case_id).await?;
        if !authz::allows(actor, Action::CaseHandle, &row.unit_path)
            && !authz::allows(actor, Action::PenaltyReview, &row.unit_path)
        {
            return Err(AppError::Forbidden);
        }
        let mut errs = frontline_core::error::Errors::default();
        for k in req.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let stated = match self.purposes.check(&req.purpose, &req.purpose_text) {
            Ok(s) => Some(s),
            Err(e) => {
                for fe in e {
                    errs.push(fe);
                }
                None
            }
        };
        let stated = errs.into_result(stated).map_err(AppError::Validation)?;
        let parties = self.store.case_parties(row.id).await?;
        let party = App::suspect(&parties, party_seq)?;
        let Some(idn) = party.id_number.clone() else {
            return Err(AppError::field(FieldError::new(
                "party",
                "party.no_id_number",
                "该当事人没有身份证号码，无法查询既往处罚",
                "The party has no ID number to look up earlier decisions by",
            )));
        };
        let rows = self.store.prior_penalty_decisions(idn, row.id).await?;
        let facts = prior_facts(&priors_of(&rows), bj_date(self.now()));
        let stated = stated.unwrap_or(StatedPurpose {
            code: String::new(),
            text: None,
        });
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "penalty.prior_lookup".into(),
                object_type: "case".into(),
                object_id: row.id.to_string(),
                purpose: Some(stated.code.clone()),
                detail: json!({ "number": row.number, "party": party_seq,
                                "found": rows.len(), "purpose_text": stated.text })
                .to_string(),
            })
            .await?;
        Ok(PriorAnswer {
            count: rows.len(),
            decisions: rows.iter().map(|d| self.prior_view(d, lang)).collect(),
            first_offence: facts.first_offence,
            circumstances: facts.circumstances.iter().map(|c| c.to_string()).collect(),
        })
    }
}

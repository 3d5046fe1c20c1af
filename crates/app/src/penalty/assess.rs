//! 裁量: assessing violations with the standard in use, and the engine's refusals
//! in plain words.

use chrono::NaiveDate;
use frontline_core::FieldError;
use frontline_core::Lang;
use frontline_core::authz::Action;
use frontline_core::org::Actor;
use frontline_core::penalty::{
    AssessError, AssessInput, Assessment, Combined, Engine, LawVersion, TierKind, combine,
};
use frontline_core::time::BEIJING;
use frontline_store::AuditDraft;
use serde::Serialize;

use super::MAX_VIOLATIONS;
use super::request::AssessBody;
use crate::{App, AppError, Result};

/// The engine's reason in the language asked for (empty when it gives none).
fn reason(e: &AssessError) -> (String, String) {
    e.reason()
        .map(|r| (r.zh().to_string(), r.en().to_string()))
        .unwrap_or_default()
}

/// The engine's refusal as a field error in plain words.
pub fn assess_field_error(e: &AssessError) -> FieldError {
    let (zh, en) = match e {
        AssessError::UnknownViolation(a) => (
            format!(
                "没有「{a}」这一条文或违法行为代码（{}）",
                LawVersion::V2025.numbering_hint(Lang::Zh)
            ),
            format!(
                "No article or violation code “{a}” ({})",
                LawVersion::V2025.numbering_hint(Lang::En)
            ),
        ),
        AssessError::UnknownItem { violation, item } => (
            format!("违法行为 {violation} 没有第{item}项"),
            format!("Violation {violation} has no item {item}"),
        ),
        AssessError::ItemRequired { violation } => (
            format!("请注明违法行为 {violation} 的项：2012年版对各项的规定不同"),
            format!("Give the item of {violation}: the 2012 law treats its items differently"),
        ),
        AssessError::NotAssessable { violation, .. } => {
            let (zh, en) = reason(e);
            (
                format!("违法行为 {violation} 不能在此裁量：{zh}"),
                format!("Violation {violation} cannot be assessed here: {en}"),
            )
        }
        AssessError::UnknownTier { violation, tier } => {
            let name = TierKind::parse(tier).map_or(*tier, TierKind::name_zh);
            (
                format!("违法行为 {violation} 没有「{name}」处罚档次"),
                format!("Violation {violation} has no {tier} tier"),
            )
        }
        AssessError::UnknownSituation(s) => (
            format!("违法情形「{s}」不属于所选违法行为和处罚档次"),
            format!("Situation “{s}” does not belong to the chosen violation and tier"),
        ),
        AssessError::UnknownCircumstance(c) => (
            format!("没有「{c}」这一情节"),
            format!("No circumstance “{c}”"),
        ),
        AssessError::CircumstanceNotApplicable {
            circumstance,
            violation,
        } => (
            format!("情节「{circumstance}」不适用于违法行为 {violation}"),
            format!("Circumstance “{circumstance}” does not apply to violation {violation}"),
        ),
        AssessError::InvalidInput { .. } => reason(e),
    };
    FieldError::new(e.field(), e.code(), zh, en)
}

/// The rules of an assessment, without authorization or audit (the CLI applies them to
/// a standard of its own): 1 to [`MAX_VIOLATIONS`] violations, none after `today`, each
/// one the engine accepts. Field errors of the `n`th input are prefixed `n.` when
/// `indexed`.
pub fn assess_inputs(
    engine: &Engine,
    inputs: &[AssessInput],
    indexed: bool,
    today: NaiveDate,
) -> std::result::Result<Vec<Assessment>, Vec<FieldError>> {
    if inputs.is_empty() || inputs.len() > MAX_VIOLATIONS {
        return Err(vec![FieldError::new(
            "",
            "violations.count",
            format!("一次可计算 1 至 {MAX_VIOLATIONS} 个违法行为"),
            format!("Assess 1 to {MAX_VIOLATIONS} violations at a time"),
        )]);
    }
    let at = |i: usize, f: &str| {
        if !indexed {
            f.to_string()
        } else {
            format!("{i}.{f}")
        }
    };
    let mut out = Vec::with_capacity(inputs.len());
    let mut errs = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.offence_date > today {
            errs.push(FieldError::new(
                at(i, "offence_date"),
                "date.future",
                "违法行为发生日期不能晚于今天",
                "The date of the act cannot be after today",
            ));
            continue;
        }
        match engine.assess(input) {
            Ok(a) => out.push(a),
            Err(e) => {
                let mut fe = assess_field_error(&e);
                fe.field = at(i, &fe.field);
                errs.push(fe);
            }
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The answer to an assessment request: the assessment, or for an array each
/// assessment and their combination (第16条). The API and the CLI print this.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = PenaltyAssessResult)]
pub enum AssessAnswer {
    One(Box<Assessment>),
    Several(AssessmentSet),
}

/// Several violations of one person: each assessment, then their combination.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PenaltyAssessmentSet)]
pub struct AssessmentSet {
    pub assessments: Vec<Assessment>,
    pub combined: Combined,
}

impl AssessAnswer {
    /// `many`: the request was an array (answered as a set even with one element).
    pub fn new(mut all: Vec<Assessment>, many: bool) -> Result<AssessAnswer> {
        if many {
            let combined = combine(&all);
            return Ok(AssessAnswer::Several(AssessmentSet {
                assessments: all,
                combined,
            }));
        }
        all.pop()
            .map(|a| AssessAnswer::One(Box::new(a)))
            .ok_or_else(|| AppError::Internal("no assessment".into()))
    }
}

impl App {
    /// 裁量 over the request contract: checked, assessed (audited), answered as the API
    /// and the CLI answer.
    pub async fn assess_request(&self, actor: &Actor, body: &AssessBody) -> Result<AssessAnswer> {
        // Authorization first: a role without the action hears 403 whatever the body.
        crate::gate::require(actor, Action::PenaltyAssess)?;
        let (inputs, many) = body.check().map_err(AppError::Validation)?;
        let (all, _) = self.assess_penalties(actor, &inputs, many).await?;
        AssessAnswer::new(all, many)
    }

    /// 裁量: one violation assessed with the standard in use. Audited (violation code,
    /// law version, recommendation; no personal identifiers).
    pub async fn assess_penalty(&self, actor: &Actor, input: &AssessInput) -> Result<Assessment> {
        self.assess_one(actor, input, "penalty.assess").await
    }

    /// The same assessment for the printed A4 note, audited as `penalty.print` so the
    /// log tells a printed note from a second calculation.
    pub async fn print_penalty_note(
        &self,
        actor: &Actor,
        input: &AssessInput,
    ) -> Result<Assessment> {
        self.assess_one(actor, input, "penalty.print").await
    }

    async fn assess_one(
        &self,
        actor: &Actor,
        input: &AssessInput,
        action: &'static str,
    ) -> Result<Assessment> {
        let (mut all, _) = self
            .assess_penalties_as(actor, std::slice::from_ref(input), false, action)
            .await?;
        all.pop()
            .ok_or_else(|| AppError::Internal("no assessment".into()))
    }

    /// Several violations of one person (第16条): each decided separately (and audited
    /// as its own entry), then combined — detention executed together, at most 20 days.
    /// Nothing is audited unless every violation can be assessed. Field errors of the
    /// `n`th request are prefixed `n.` (`1.article`) when `indexed`.
    pub async fn assess_penalties(
        &self,
        actor: &Actor,
        inputs: &[AssessInput],
        indexed: bool,
    ) -> Result<(Vec<Assessment>, Combined)> {
        self.assess_penalties_as(actor, inputs, indexed, "penalty.assess")
            .await
    }

    async fn assess_penalties_as(
        &self,
        actor: &Actor,
        inputs: &[AssessInput],
        indexed: bool,
        action: &'static str,
    ) -> Result<(Vec<Assessment>, Combined)> {
        crate::gate::require(actor, Action::PenaltyAssess)?;
        let today = self.now().with_timezone(&BEIJING).date_naive();
        let loaded = self.penalty.fresh(&self.store).await?;
        let out =
            assess_inputs(&loaded.engine, inputs, indexed, today).map_err(AppError::Validation)?;
        let std = &loaded.engine.standard;
        for (a, input) in out.iter().zip(inputs) {
            self.store
                .append_audit(AuditDraft {
                    at: self.now(),
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: action.into(),
                    object_type: "penalty_violation".into(),
                    object_id: a.range.code.clone(),
                    purpose: None,
                    detail: serde_json::json!({
                        "law_version": a.law_version,
                        "outcome": a.outcome,
                        "tier": a.range.tier,
                        "situation": a.range.situation.as_ref().map(|s| s.code.to_string()),
                        "circumstances": input.circumstances,
                        "recommended": a.recommended,
                        "standard": { "id": loaded.standard_id, "version": std.version },
                        "of": inputs.len(),
                    })
                    .to_string(),
                })
                .await?;
        }
        let combined = combine(&out);
        Ok((out, combined))
    }
}

//! The penalty decision contracts: `POST /api/v1/cases/{id}/penalty-decision` and
//! `POST /api/v1/penalty-decisions/{id}/review`, read leniently and checked field by
//! field. A violation is the calculator's request (`PenaltyAssessRequest`) without the
//! person, plus the penalty decided; the person comes from the party on the case.

use frontline_core::FieldError;
use frontline_core::case::decision::Decided;
use frontline_core::error::Errors;
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::text;
use serde::Deserialize;

use crate::case::extend::positive;

/// Most characters of a departure reason or a review note.
pub const REASON_MAX: usize = 1000;
/// Largest fine and detention accepted at all (the statute bounds them further).
const FINE_MAX: u64 = 100_000_000;
const DAYS_MAX: u64 = 60;

/// The penalty decided for one violation (all absent: none).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[schema(as = DecidedPenaltyRequest)]
pub struct DecidedRequest {
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub warning: Given<bool>,
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub fine_yuan: Given<NumberOrText>,
    #[serde(default)]
    #[schema(value_type = Option<u32>)]
    pub detention_days: Given<NumberOrText>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// One violation of the decision (OpenAPI shape; read as the calculator's request).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[schema(as = PenaltyDecisionViolation)]
pub struct ViolationDoc {
    /// Article of the 2025 law (`"51"`) or a violation code (`"26-2"`).
    #[schema(value_type = String)]
    pub article: String,
    #[schema(value_type = Option<u8>)]
    pub item: Option<u8>,
    /// A situation code of the standard in use.
    pub situation: Option<String>,
    /// `lighter`, `base` (default) or `heavier`.
    pub tier: Option<String>,
    /// Statutory grounds and discretionary circumstances; those the party's earlier
    /// decisions establish are added by the server.
    pub circumstances: Option<Vec<String>>,
    /// `YYYY-MM-DD`, not after today.
    pub offence_date: String,
    pub discovered_date: Option<String>,
    pub illegal_gains_yuan: Option<u64>,
    /// The penalty decided, or the text `"recommended"` to follow the recommendation.
    pub decided: DecidedRequest,
}

/// Body of `POST /api/v1/cases/{id}/penalty-decision` (the case officer's proposal).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct PenaltyDecisionRequest {
    /// The suspect's number on the case (1 = first party).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub party: Given<NumberOrText>,
    /// 1 to 20 violations of this person (第16条: decided separately, executed together).
    #[serde(default)]
    #[schema(value_type = Vec<ViolationDoc>, required = true, min_items = 1, max_items = 20)]
    pub violations: Given<Vec<serde_json::Value>>,
    /// Age at the time of the act; only when the party has no ID number (it gives the
    /// birth date otherwise).
    #[serde(default)]
    #[schema(value_type = Option<u8>)]
    pub age: Given<NumberOrText>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub pregnant: Given<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub nursing_infant: Given<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub foreigner: Given<bool>,
    /// Why the decided penalty departs from the recommendation (required then; the legal
    /// reviewer reads it before approving).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub departure_reason: Given<String>,
    /// 查询事由 for looking up the party's earlier decisions by ID number (required when
    /// the party has one): a code of `GET /api/v1/unmask-purposes`; audited.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "case_handling")]
    pub purpose: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose_text: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Body of `POST /api/v1/penalty-decisions/{id}/review` (法制审核).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct DecisionReviewRequest {
    /// `approve` or `return` (退回, with a note saying why).
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "approve")]
    pub verdict: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub note: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Body of `POST /api/v1/cases/{id}/parties/{seq}/prior-decisions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct PriorLookupRequest {
    /// 查询事由: a code of `GET /api/v1/unmask-purposes`; audited.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "case_handling")]
    pub purpose: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose_text: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// A proposal's fields as checked (the rules that need the case come later).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDecision {
    pub party_seq: i64,
    pub age: Option<u8>,
    pub pregnant: bool,
    pub nursing_infant: bool,
    pub foreigner: bool,
    /// Each violation's calculator request (without the person) and the penalty decided
    /// (`None`: the recommendation, whatever it is).
    pub violations: Vec<(serde_json::Map<String, serde_json::Value>, Option<Decided>)>,
    pub departure_reason: Option<String>,
}

fn unknown_keys(errs: &mut Errors, prefix: &str, other: &Unknown) {
    for k in other.keys() {
        errs.push(FieldError::unknown_field(format!("{prefix}{k}")));
    }
}

fn flag(errs: &mut Errors, field: &str, g: &Given<bool>) -> bool {
    match g {
        Given::Value(v) => *v,
        Given::Absent => false,
        Given::Wrong => {
            errs.push(FieldError::new(
                field,
                "invalid",
                "应为是或否",
                "Must be true or false",
            ));
            false
        }
    }
}

fn whole(errs: &mut Errors, field: &str, g: &Given<NumberOrText>, max: u64) -> u64 {
    let bad = || {
        FieldError::new(
            field,
            "invalid",
            format!("应为 0 至 {max} 的整数"),
            format!("Must be a whole number from 0 to {max}"),
        )
    };
    match g {
        Given::Absent => 0,
        Given::Value(NumberOrText::Number(n)) => match n.as_u64().filter(|n| *n <= max) {
            Some(n) => n,
            None => {
                errs.push(bad());
                0
            }
        },
        Given::Value(NumberOrText::Text(t)) if t.trim().is_empty() => 0,
        Given::Value(NumberOrText::Text(t)) => {
            match t.trim().parse::<u64>().ok().filter(|n| *n <= max) {
                Some(n) => n,
                None => {
                    errs.push(bad());
                    0
                }
            }
        }
        Given::Wrong => {
            errs.push(bad());
            0
        }
    }
}

/// A written reason or note: normalised, at most [`REASON_MAX`] characters, and one that
/// says something (`required`: absent or blank is refused).
pub(crate) fn reason_text(
    errs: &mut Errors,
    field: &str,
    g: &Given<String>,
    required: bool,
) -> Option<String> {
    let s = match g {
        Given::Value(s) => s,
        Given::Absent => {
            if required {
                errs.push(FieldError::required(field));
            }
            return None;
        }
        Given::Wrong => {
            errs.push(frontline_core::incident::not_text(field));
            return None;
        }
    };
    match text::block(field, s) {
        Ok(Some(v)) if v.chars().count() > REASON_MAX => {
            errs.push(FieldError::too_long(field, REASON_MAX));
            None
        }
        Ok(Some(v)) => match frontline_core::purpose::meaningful_text(&v) {
            Ok(()) => Some(v),
            Err(_) => {
                errs.push(FieldError::new(
                    field,
                    "text.not_meaningful",
                    "请写明理由：至少几个文字或数字，不能只是标点或重复的字",
                    "Write the reason out: some letters or digits, not only punctuation or one character repeated",
                ));
                None
            }
        },
        Ok(None) => {
            if required {
                errs.push(FieldError::required(field));
            }
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

fn decided(errs: &mut Errors, prefix: &str, v: Option<&serde_json::Value>) -> Option<Decided> {
    let r: DecidedRequest = match v {
        Some(serde_json::Value::String(s)) if s == "recommended" => return None,
        None | Some(serde_json::Value::Null) => {
            errs.push(FieldError::new(
                prefix,
                "required",
                "请填写决定给予的处罚（与建议相同也请填写）",
                "Give the penalty decided (also when it is the recommendation)",
            ));
            return Some(Decided::default());
        }
        Some(v) => match frontline_core::request::read(v.clone()) {
            Ok(r) => r,
            Err(_) => {
                errs.push(FieldError::new(
                    prefix,
                    "invalid",
                    "应为对象，或 \"recommended\"（按裁量建议）",
                    "Must be an object, or \"recommended\" (follow the recommendation)",
                ));
                return Some(Decided::default());
            }
        },
    };
    unknown_keys(errs, &format!("{prefix}."), &r.other);
    Some(Decided {
        warning: flag(errs, &format!("{prefix}.warning"), &r.warning),
        fine_yuan: whole(errs, &format!("{prefix}.fine_yuan"), &r.fine_yuan, FINE_MAX),
        detention_days: u32::try_from(whole(
            errs,
            &format!("{prefix}.detention_days"),
            &r.detention_days,
            DAYS_MAX,
        ))
        .unwrap_or(0),
    })
}

impl PenaltyDecisionRequest {
    pub fn read(v: serde_json::Value) -> PenaltyDecisionRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    pub fn check(&self) -> Result<ValidDecision, Vec<FieldError>> {
        let mut errs = Errors::default();
        unknown_keys(&mut errs, "", &self.other);
        let party_seq = positive(&mut errs, "party", &self.party).unwrap_or(0);
        let age = match &self.age {
            Given::Absent => None,
            g => u8::try_from(whole(&mut errs, "age", g, crate::penalty::AGE_MAX)).ok(),
        };
        let mut violations = Vec::new();
        match &self.violations {
            Given::Value(list)
                if !list.is_empty() && list.len() <= crate::penalty::MAX_VIOLATIONS =>
            {
                for (i, v) in list.iter().enumerate() {
                    let prefix = format!("violations.{i}");
                    let Some(obj) = v.as_object() else {
                        errs.push(FieldError::new(
                            prefix,
                            "invalid",
                            "应为对象",
                            "Must be an object",
                        ));
                        continue;
                    };
                    let mut obj = obj.clone();
                    let d = decided(&mut errs, &format!("{prefix}.decided"), obj.get("decided"));
                    obj.remove("decided");
                    for k in ["person", "decision_date"] {
                        if obj.contains_key(k) {
                            errs.push(FieldError::unknown_field(format!("{prefix}.{k}")));
                        }
                    }
                    violations.push((obj, d));
                }
            }
            Given::Absent => errs.push(FieldError::required("violations")),
            _ => errs.push(FieldError::new(
                "violations",
                "violations.count",
                format!("请列出 1 至 {} 个违法行为", crate::penalty::MAX_VIOLATIONS),
                format!("List 1 to {} violations", crate::penalty::MAX_VIOLATIONS),
            )),
        }
        let v = ValidDecision {
            party_seq,
            age,
            pregnant: flag(&mut errs, "pregnant", &self.pregnant),
            nursing_infant: flag(&mut errs, "nursing_infant", &self.nursing_infant),
            foreigner: flag(&mut errs, "foreigner", &self.foreigner),
            violations,
            departure_reason: reason_text(
                &mut errs,
                "departure_reason",
                &self.departure_reason,
                false,
            ),
        };
        errs.into_result(v)
    }
}

impl DecisionReviewRequest {
    pub fn read(v: serde_json::Value) -> DecisionReviewRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    /// `(approve, note)`: a return needs a note saying why.
    pub fn check(&self) -> Result<(bool, Option<String>), Vec<FieldError>> {
        let mut errs = Errors::default();
        unknown_keys(&mut errs, "", &self.other);
        let approve = match &self.verdict {
            Given::Value(v) if v.trim() == "approve" => Some(true),
            Given::Value(v) if v.trim() == "return" => Some(false),
            Given::Absent => {
                errs.push(FieldError::required("verdict"));
                None
            }
            _ => {
                errs.push(FieldError::new(
                    "verdict",
                    "invalid",
                    "审核结论应为 approve（通过）或 return（退回）",
                    "The verdict is approve or return",
                ));
                None
            }
        };
        let note = reason_text(&mut errs, "note", &self.note, approve == Some(false));
        errs.into_result((approve.unwrap_or(false), note))
    }
}

impl PriorLookupRequest {
    pub fn read(v: serde_json::Value) -> PriorLookupRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<impl std::fmt::Debug, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let r = PenaltyDecisionRequest::read(serde_json::json!({
            "party": 0,
            "violations": [{"article": "51", "offence_date": "2026-10-01",
                             "decided": {"fine_yuan": -5, "x": 1}}, 3],
            "departure_reason": "...",
            "colour": "red"
        }));
        let c = codes(r.check());
        for want in [
            ("colour", "unknown_field"),
            ("party", "invalid"),
            ("violations.0.decided.x", "unknown_field"),
            ("violations.0.decided.fine_yuan", "invalid"),
            ("violations.1", "invalid"),
            ("departure_reason", "text.not_meaningful"),
        ] {
            assert!(
                c.iter().any(|(f, k)| f == want.0 && *k == want.1),
                "{want:?} not in {c:?}"
            );
        }
    }

    #[test]
    fn a_good_proposal_reads_whole() {
        let r = PenaltyDecisionRequest::read(serde_json::json!({
            "party": "1",
            "violations": [{"article": "51", "offence_date": "2026-10-01",
                             "decided": {"detention_days": 5, "fine_yuan": "500"}}],
            "departure_reason": "当事人主动赔偿并取得谅解"
        }));
        let v = r.check().expect("valid");
        assert_eq!(v.party_seq, 1);
        assert_eq!(v.violations.len(), 1);
        let d = v.violations[0].1.unwrap();
        assert_eq!(d.detention_days, 5);
        assert_eq!(d.fine_yuan, 500);
        assert!(!v.violations[0].0.contains_key("decided"));
    }

    #[test]
    fn a_return_needs_a_note() {
        let r = DecisionReviewRequest::read(serde_json::json!({"verdict": "return"}));
        assert_eq!(codes(r.check()), vec![("note".to_string(), "required")]);
        let r = DecisionReviewRequest::read(serde_json::json!({"verdict": "approve"}));
        assert_eq!(r.check(), Ok((true, None)));
        let r = DecisionReviewRequest::read(serde_json::json!({"verdict": "maybe"}));
        assert_eq!(codes(r.check()), vec![("verdict".to_string(), "invalid")]);
    }
}

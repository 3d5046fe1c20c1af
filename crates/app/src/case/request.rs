//! The case contracts: `POST /api/v1/cases`, `POST /api/v1/cases/{id}/transitions`, the
//! list and the deadline board read these types, and the OpenAPI bodies derive from them.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::case::{self, CaseKind, Outcome, PartyRole, Step};
use frontline_core::error::Errors;
use frontline_core::incident::not_text;
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::text;
use serde::Deserialize;
use uuid::Uuid;

/// A party (当事人) as sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct PartyRequest {
    /// `suspect`, `victim`, `reporter` or `witness`.
    #[serde(default)]
    #[schema(value_type = PartyRole, required = true)]
    pub role: Given<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub name: Given<String>,
    /// GB 11643 citizen ID number (valid check digit).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub id_number: Given<String>,
    /// Mobile or landline; the public status page asks for its last four digits.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub phone: Given<String>,
    /// A victim or reporter agreed to hear of the case's public steps.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub consent: Given<bool>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Body of `POST /api/v1/cases` (受案).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct CaseRequest {
    /// `criminal` or `administrative`.
    #[serde(default)]
    #[schema(value_type = CaseKind, required = true)]
    pub kind: Given<String>,
    /// The incident converted to a case that this case takes over.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub incident_id: Given<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub title: Given<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub summary: Given<String>,
    /// An officer of the case's unit; default the officer accepting it.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub lead_officer_id: Given<String>,
    /// Other officers of the unit working the case (at most 10).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub officers: Given<Vec<String>>,
    /// At most 30.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PartyRequest>>)]
    pub parties: Given<Vec<serde_json::Value>>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// A party after its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidParty {
    pub role: PartyRole,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCase {
    pub kind: CaseKind,
    pub incident_id: Option<Uuid>,
    pub title: String,
    pub summary: String,
    pub lead_officer_id: Option<Uuid>,
    pub officers: Vec<Uuid>,
    pub parties: Vec<ValidParty>,
}

fn clean(errs: &mut Errors, field: &str, g: &Given<String>, long: bool) -> Option<String> {
    let s = g.checked(errs, || not_text(field))?;
    let r = if long {
        text::block(field, s)
    } else {
        text::line(field, s)
    };
    match r {
        Ok(v) => v,
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

fn id_field(errs: &mut Errors, field: &str, g: &Given<String>) -> Option<Uuid> {
    let s = clean(errs, field, g, false)?;
    match Uuid::parse_str(&s) {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "invalid",
                "编号格式不正确",
                "Not a valid id",
            ));
            None
        }
    }
}

pub(crate) fn id_list(
    errs: &mut Errors,
    field: &str,
    g: &Given<Vec<String>>,
    max: usize,
) -> Vec<Uuid> {
    let mut out = Vec::new();
    let Some(list) = g.checked(errs, || {
        FieldError::new(
            field,
            "type",
            "应为民警编号列表",
            "Must be a list of officer ids",
        )
    }) else {
        return out;
    };
    for (i, o) in list.iter().enumerate() {
        match Uuid::parse_str(o.trim()) {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => errs.push(FieldError::new(
                format!("{field}[{i}]"),
                "invalid",
                "编号格式不正确",
                "Not a valid id",
            )),
        }
    }
    if out.len() > max {
        errs.push(FieldError::new(
            field,
            "too_many",
            format!("最多 {max} 人"),
            format!("At most {max}"),
        ));
    }
    out
}

fn party(
    errs: &mut Errors,
    i: usize,
    v: &serde_json::Value,
    today: chrono::NaiveDate,
) -> Option<ValidParty> {
    let at = |f: &str| format!("parties[{i}].{f}");
    let p: PartyRequest = match frontline_core::request::read(v.clone()) {
        Ok(p) => p,
        Err(_) => {
            errs.push(FieldError::new(
                format!("parties[{i}]"),
                "type",
                "应为当事人对象",
                "Must be a party object",
            ));
            return None;
        }
    };
    for k in p.other.keys() {
        errs.push(FieldError::unknown_field(at(k)));
    }
    let role = match clean(errs, &at("role"), &p.role, false) {
        None if !matches!(p.role, Given::Wrong) => {
            errs.push(FieldError::required(at("role")));
            None
        }
        None => None,
        Some(r) => {
            let role = PartyRole::parse(&r);
            if role.is_none() {
                errs.push(FieldError::new(
                    at("role"),
                    "party.role_unknown",
                    "当事人身份应为嫌疑人、被害人、报案人或证人",
                    "The role must be suspect, victim, reporter or witness",
                ));
            }
            role
        }
    };
    let name = {
        let field = at("name");
        let wrong = matches!(p.name, Given::Wrong);
        let v = clean(errs, &field, &p.name, false);
        if wrong {
            None
        } else {
            frontline_core::incident::required_text(&field, v.as_deref(), case::PARTY_NAME_MAX)
                .map_err(|e| errs.push(e))
                .ok()
        }
    };
    let id_number = clean(errs, &at("id_number"), &p.id_number, false)
        .and_then(|s| {
            case::party_id_number(&at("id_number"), Some(&s), today)
                .map_err(|e| errs.push(e))
                .ok()
        })
        .flatten();
    let phone = clean(errs, &at("phone"), &p.phone, false)
        .and_then(|s| {
            case::party_phone(&at("phone"), Some(&s))
                .map_err(|e| errs.push(e))
                .ok()
        })
        .flatten();
    let consent = match &p.consent {
        Given::Absent => false,
        Given::Value(b) => *b,
        Given::Wrong => {
            errs.push(FieldError::new(
                at("consent"),
                "type",
                "应为是或否",
                "Must be true or false",
            ));
            false
        }
    };
    if consent && role.is_some_and(|r| !r.may_receive_updates()) {
        errs.push(FieldError::new(
            at("consent"),
            "party.consent_not_applicable",
            "只有被害人和报案人可以接收案件进展",
            "Only victims and reporters receive case updates",
        ));
    }
    if consent && phone.is_none() {
        errs.push(FieldError::new(
            at("phone"),
            "party.phone_required",
            "接收案件进展需要联系电话",
            "A phone number is needed to send case updates",
        ));
    }
    Some(ValidParty {
        role: role?,
        name: name?,
        id_number,
        phone,
        consent,
    })
}

impl CaseRequest {
    pub fn read(v: serde_json::Value) -> CaseRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    /// Every rule that needs no organisation, all problems at once; the unit's officers
    /// and the incident are checked by the use case.
    pub fn check(&self, now: DateTime<Utc>) -> Result<ValidCase, Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let kind = match clean(&mut errs, "kind", &self.kind, false) {
            None if !matches!(self.kind, Given::Wrong) => {
                errs.push(FieldError::required("kind"));
                None
            }
            None => None,
            Some(k) => {
                let v = case::lifecycle::parse_kind(&k);
                if v.is_none() {
                    errs.push(FieldError::new(
                        "kind",
                        "case.kind_unknown",
                        "案件类别应为刑事（criminal）或行政（administrative）",
                        "The kind must be criminal or administrative",
                    ));
                }
                v
            }
        };
        let title = {
            let wrong = matches!(self.title, Given::Wrong);
            let v = clean(&mut errs, "title", &self.title, false);
            (!wrong)
                .then(|| case::title(v.as_deref()).map_err(|e| errs.push(e)).ok())
                .flatten()
        };
        let summary = {
            let wrong = matches!(self.summary, Given::Wrong);
            let v = clean(&mut errs, "summary", &self.summary, true);
            (!wrong)
                .then(|| case::summary(v.as_deref()).map_err(|e| errs.push(e)).ok())
                .flatten()
        };
        let incident_id = id_field(&mut errs, "incident_id", &self.incident_id);
        let lead_officer_id = id_field(&mut errs, "lead_officer_id", &self.lead_officer_id);
        let officers = id_list(&mut errs, "officers", &self.officers, case::OFFICERS_MAX);
        let today = now
            .with_timezone(&frontline_core::time::BEIJING)
            .date_naive();
        let mut parties = Vec::new();
        match &self.parties {
            Given::Absent => {}
            Given::Wrong => errs.push(FieldError::new(
                "parties",
                "type",
                "应为当事人列表",
                "Must be a list of parties",
            )),
            Given::Value(list) => {
                if list.len() > case::PARTIES_MAX {
                    errs.push(FieldError::new(
                        "parties",
                        "too_many",
                        format!("最多 {} 名当事人", case::PARTIES_MAX),
                        format!("At most {} parties", case::PARTIES_MAX),
                    ));
                } else {
                    for (i, v) in list.iter().enumerate() {
                        if let Some(p) = party(&mut errs, i, v, today) {
                            parties.push(p);
                        }
                    }
                }
            }
        }
        let (Some(kind), Some(title), Some(summary)) = (kind, title, summary) else {
            return Err(errs.0);
        };
        errs.into_result(ValidCase {
            kind,
            incident_id,
            title,
            summary,
            lead_officer_id,
            officers,
            parties,
        })
    }
}

/// Body of `POST /api/v1/cases/{id}/transitions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct CaseStepRequest {
    /// `file`, `decline`, `investigate`, `solve`, `refer`, `withdraw`, `decide`,
    /// `execute` or `close`.
    #[serde(default)]
    #[schema(value_type = Step, required = true)]
    pub action: Given<String>,
    /// The case's `version` as the client last saw it; a stale one is refused (409).
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub version: Given<NumberOrText>,
    /// Decide: `penalty` or `exempt`.
    #[serde(default)]
    #[schema(value_type = Option<Outcome>)]
    pub outcome: Given<String>,
    /// The reasons (required to decline filing, to withdraw and to decide).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub note: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStep {
    pub step: Step,
    pub version: i64,
    pub outcome: Option<Outcome>,
    pub note: String,
}

impl CaseStepRequest {
    pub fn read(v: serde_json::Value) -> CaseStepRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    pub fn check(&self) -> Result<ValidStep, Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let step = match clean(&mut errs, "action", &self.action, false) {
            None if !matches!(self.action, Given::Wrong) => {
                errs.push(FieldError::required("action"));
                None
            }
            None => None,
            Some(a) => {
                let s = Step::parse(&a);
                if s.is_none() {
                    errs.push(FieldError::new(
                        "action",
                        "action.unknown",
                        "未知的案件操作",
                        "Unknown action",
                    ));
                }
                s
            }
        };
        let invalid_version = || {
            FieldError::new(
                "version",
                "version.invalid",
                "版本号应为正整数",
                "version must be a positive integer",
            )
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
                let n = n.filter(|n| *n >= 1);
                if n.is_none() {
                    errs.push(invalid_version());
                }
                n
            }
            Given::Wrong => {
                errs.push(invalid_version());
                None
            }
        };
        let outcome = clean(&mut errs, "outcome", &self.outcome, false).and_then(|o| {
            let v = Outcome::parse(&o);
            if v.is_none() {
                errs.push(FieldError::new(
                    "outcome",
                    "outcome.unknown",
                    "决定结果应为给予处罚（penalty）或不予处罚（exempt）",
                    "The outcome must be penalty or exempt",
                ));
            }
            v
        });
        let note = clean(&mut errs, "note", &self.note, true).unwrap_or_default();
        if note.chars().count() > case::NOTE_MAX {
            errs.push(FieldError::too_long("note", case::NOTE_MAX));
        }
        if let Some(s) = step {
            if s == Step::Decide && outcome.is_none() && !matches!(self.outcome, Given::Wrong) {
                errs.push(FieldError::new(
                    "outcome",
                    "outcome.required",
                    "请选择决定结果",
                    "Choose the outcome of the decision",
                ));
            }
            if s != Step::Decide && !self.outcome.is_absent() {
                errs.push(FieldError::new(
                    "outcome",
                    "not_applicable",
                    format!("「{}」不需要此项", s.name_zh()),
                    format!("{} does not take this field", s.name_en()),
                ));
            }
            if s.note_required() && note.is_empty() && !matches!(self.note, Given::Wrong) {
                errs.push(FieldError::new(
                    "note",
                    "note.required",
                    "请填写理由或决定内容",
                    "State the reasons or the decision",
                ));
            }
        }
        let (Some(step), Some(version)) = (step, version) else {
            return Err(errs.0);
        };
        errs.into_result(ValidStep {
            step,
            version,
            outcome,
            note,
        })
    }
}

/// Query of `GET /api/v1/cases`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CaseListQuery {
    /// `criminal` or `administrative`.
    pub kind: Option<String>,
    /// A lifecycle state, e.g. `investigating`.
    pub status: Option<String>,
    /// `true`: only cases not yet closed.
    pub open: Option<String>,
    /// A unit in the caller's scope (its subtree).
    pub unit_id: Option<String>,
    /// Accepted on or after this Beijing date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Accepted on or before this Beijing date.
    pub to: Option<String>,
    /// 1-based.
    pub page: Option<String>,
    /// 1–100, default 20.
    pub per_page: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub other: std::collections::BTreeMap<String, String>,
}

/// Query of `GET /api/v1/deadlines`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// `due_soon` (past the first reminder), `overdue`, `met` (the last 7 days) or
    /// `running` (default: every running deadline).
    pub state: Option<String>,
    /// A unit in the caller's scope (its subtree).
    pub unit_id: Option<String>,
    /// At most this many (1–500, default 100).
    pub limit: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub other: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<impl std::fmt::Debug, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T10:00:00+08:00")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_case_reports_every_problem_on_its_field() {
        let r = CaseRequest::read(serde_json::json!({
            "kind": "civil", "title": "", "summary": 3, "x": 1,
            "officers": ["nope"],
            "parties": [{"role": "judge", "name": "张三", "id_number": "110101199003070000"},
                        {"role": "suspect", "name": "李四", "consent": true}, 7]
        }))
        .check(now());
        let c = codes(r);
        for want in [
            ("x", "unknown_field"),
            ("kind", "case.kind_unknown"),
            ("title", "required"),
            ("summary", "type"),
            ("officers[0]", "invalid"),
            ("parties[0].role", "party.role_unknown"),
            ("parties[1].consent", "party.consent_not_applicable"),
            ("parties[1].phone", "party.phone_required"),
            ("parties[2]", "type"),
        ] {
            assert!(
                c.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {c:?}"
            );
        }
        assert!(c.iter().any(|(f, _)| f == "parties[0].id_number"), "{c:?}");
    }

    #[test]
    fn a_good_case_reads() {
        let v = CaseRequest::read(serde_json::json!({
            "kind": "administrative", "title": " 殴打他人案 ", "summary": "双方因停车纠纷发生冲突。",
            "parties": [{"role": "victim", "name": "王五", "phone": "13800138000", "consent": true}]
        }))
        .check(now())
        .expect("valid");
        assert_eq!(v.kind, CaseKind::Administrative);
        assert_eq!(v.title, "殴打他人案");
        assert_eq!(v.parties.len(), 1);
        assert!(v.parties.iter().all(|p| p.consent));
    }

    #[test]
    fn steps_take_their_own_fields() {
        let c = codes(
            CaseStepRequest::read(serde_json::json!({"action": "decide", "version": 2})).check(),
        );
        assert!(c.contains(&("outcome".into(), "outcome.required")), "{c:?}");
        assert!(c.contains(&("note".into(), "note.required")), "{c:?}");
        let c = codes(
            CaseStepRequest::read(
                serde_json::json!({"action": "file", "version": 0, "outcome": "penalty"}),
            )
            .check(),
        );
        assert!(c.contains(&("version".into(), "version.invalid")), "{c:?}");
        assert!(c.contains(&("outcome".into(), "not_applicable")), "{c:?}");
        let ok = CaseStepRequest::read(serde_json::json!({"action": "decide", "version": "3",
            "outcome": "exempt", "note": "情节轻微，不予处罚"}))
        .check()
        .expect("valid");
        assert_eq!(ok.outcome, Some(Outcome::Exempt));
        assert_eq!(ok.version, 3);
    }
}

//! The assessment request contract (`POST /api/v1/penalty/assessments`, the calculator
//! form and `frontline penalty assess`): read leniently, then checked field by field so
//! that every problem is reported at once on its path (`person.age`, `circumstances.2`,
//! `1.article` for the second of an array).

use chrono::NaiveDate;
use frontline_core::FieldError;
use frontline_core::error::Errors;
use frontline_core::penalty::{AssessInput, Person, TierKind};
use frontline_core::request::{Given, NumberOrText, Unknown};
use frontline_core::text;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::AGE_MAX;

/// Largest illegal gains accepted, in yuan.
const GAINS_MAX: u64 = 10_000_000_000;
/// Largest item number accepted.
const ITEM_MAX: u64 = 99;

/// The person at the time of the act: age and status only, never a name or number.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[schema(as = PenaltyPerson)]
pub struct AssessPerson {
    /// 0–120.
    #[serde(default)]
    #[schema(value_type = u8, required = true)]
    pub age: Given<NumberOrText>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub pregnant: Given<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub nursing_infant: Given<bool>,
    /// 初次违反治安管理 (matters for 16–17-year-olds); not given: assumed true.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub first_offence: Given<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub foreigner: Given<bool>,
    /// Refused: a person is only an age and flags here.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Unknown,
}

/// Body of `POST /api/v1/penalty/assessments` (the `frontline penalty assess` contract).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[schema(as = PenaltyAssessRequest)]
pub struct AssessRequest {
    /// Article number of the 2025 law (`"51"` or `51`), or a violation code (`"26-2"`).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub article: Given<NumberOrText>,
    #[serde(default)]
    #[schema(value_type = Option<u8>)]
    pub item: Given<NumberOrText>,
    /// A situation code of the standard (`GET /api/v1/penalty/catalog`); default situation when absent.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub situation: Given<String>,
    /// `lighter`, `base` (default) or `heavier`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub tier: Given<String>,
    /// Statutory grounds and discretionary circumstance codes.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub circumstances: Given<Vec<Given<String>>>,
    #[serde(default)]
    #[schema(value_type = AssessPerson, required = true)]
    pub person: Given<AssessPerson>,
    /// `YYYY-MM-DD`; selects the law version (从旧兼从轻). Not after today.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub offence_date: Given<String>,
    /// When the police discovered the act (limitation).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub discovered_date: Given<String>,
    /// When the decision is made.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub decision_date: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub illegal_gains_yuan: Given<NumberOrText>,
    /// Refused with `unknown_field`.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: Unknown,
}

/// One request, or an array of them for several violations of one person.
// Reading never fails: an element that is not an object is kept as such and reported by
// `AssessBody::check` on its index.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = PenaltyAssessBody)]
#[expect(
    clippy::large_enum_variant,
    reason = "read once per request and never moved in bulk"
)]
pub enum AssessBody {
    #[schema(value_type = AssessRequest)]
    One(Given<AssessRequest>),
    #[schema(value_type = Vec<AssessRequest>)]
    Several(Vec<Given<AssessRequest>>),
}

impl<'de> Deserialize<'de> for AssessBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::Array(a) => AssessBody::Several(
                a.into_iter()
                    .map(|v| Given::deserialize(v).unwrap_or(Given::Wrong))
                    .collect(),
            ),
            v => AssessBody::One(Given::deserialize(v).unwrap_or(Given::Wrong)),
        })
    }
}

impl From<AssessRequest> for AssessBody {
    fn from(r: AssessRequest) -> Self {
        AssessBody::One(Given::Value(r))
    }
}

fn unknown_field(path: &str) -> FieldError {
    FieldError::new(
        path,
        "unknown_field",
        format!("未知字段「{path}」"),
        format!("Unknown field “{path}”"),
    )
}

fn not_an_object() -> FieldError {
    FieldError::new(
        "",
        "body.object",
        "请求内容应为一个 JSON 对象",
        "The body must be one JSON object",
    )
}

fn required(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "required", zh, en)
}

fn age_required() -> FieldError {
    required(
        "person.age",
        "请填写违法行为人行为时的年龄",
        "Give the person's age at the time of the act",
    )
}

fn offence_date_required() -> FieldError {
    required(
        "offence_date",
        "请填写违法行为发生日期",
        "Give the date of the act",
    )
}

/// Text through the normaliser ([`text::line`]); blank reads as absent, a refused
/// character is the field's error.
fn text(g: &Given<String>, field: &str, errs: &mut Errors) -> Option<String> {
    let s = g.checked(errs, || {
        FieldError::new(field, "string", "应为文字", "Must be a string")
    })?;
    text::line(field, s)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten()
}

fn flag(g: &Given<bool>, field: &str, errs: &mut Errors) -> Option<bool> {
    g.checked(errs, || {
        FieldError::new(
            field,
            "boolean",
            "应为是或否（true / false）",
            "Must be true or false",
        )
    })
    .copied()
}

fn date(g: &Given<String>, field: &str, errs: &mut Errors) -> Option<NaiveDate> {
    let s = text(g, field, errs)?;
    match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "date.format",
                "日期格式不正确（例：2026-11-22）",
                "Date must look like 2026-11-22",
            ));
            None
        }
    }
}

/// Whether a number or text field holds nothing (absent, or blank text).
fn blank(g: &Given<NumberOrText>) -> bool {
    match g {
        Given::Absent => true,
        Given::Value(NumberOrText::Text(s)) => text::line("", s).is_ok_and(|v| v.is_none()),
        Given::Value(NumberOrText::Number(_)) | Given::Wrong => false,
    }
}

/// A whole number from 0 to `max`, given as a number or as text (blank reads as absent).
fn uint(g: &Given<NumberOrText>, field: &str, max: u64, errs: &mut Errors) -> Option<u64> {
    let n = match g {
        Given::Absent => return None,
        Given::Value(NumberOrText::Text(s)) if s.trim().is_empty() => return None,
        Given::Value(NumberOrText::Number(n)) => n.as_u64(),
        Given::Value(NumberOrText::Text(s)) => s.trim().parse::<u64>().ok(),
        Given::Wrong => None,
    };
    match n.filter(|n| *n <= max) {
        Some(n) => Some(n),
        None => {
            errs.push(FieldError::new(
                field,
                "integer.range",
                format!("应为 0 到 {max} 之间的整数"),
                format!("Must be a whole number from 0 to {max}"),
            ));
            None
        }
    }
}

fn article(g: &Given<NumberOrText>, errs: &mut Errors) -> String {
    let format = || {
        FieldError::new(
            "article",
            "article.format",
            "条文应为条文号（如 51）或违法行为代码（如 26-2）",
            "The article must be a number (51) or a violation code (26-2)",
        )
    };
    if blank(g) {
        errs.push(required(
            "article",
            "请选择或填写条文（如 51，或违法行为代码 26-2）",
            "Give the article (e.g. 51) or a violation code (e.g. 26-2)",
        ));
        return String::new();
    }
    match g {
        Given::Value(NumberOrText::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Given::Value(NumberOrText::Text(s)) => match text::line("article", s) {
            Ok(v) => v.unwrap_or_default(),
            Err(e) => {
                errs.push(e);
                String::new()
            }
        },
        _ => {
            errs.push(format());
            String::new()
        }
    }
}

impl AssessPerson {
    fn check(&self, errs: &mut Errors) -> Person {
        for k in self.unknown.keys() {
            errs.push(unknown_field(&format!("person.{k}")));
        }
        let mut person = Person::default();
        // Blank text is no age: it must not read as 0 (a child under 14).
        if blank(&self.age) {
            errs.push(age_required());
        } else if let Some(a) = uint(&self.age, "person.age", AGE_MAX, errs) {
            person.age = u8::try_from(a).unwrap_or(u8::MAX);
        }
        person.pregnant = flag(&self.pregnant, "person.pregnant", errs).unwrap_or(false);
        person.nursing_infant =
            flag(&self.nursing_infant, "person.nursing_infant", errs).unwrap_or(false);
        person.first_offence = flag(&self.first_offence, "person.first_offence", errs);
        person.foreigner = flag(&self.foreigner, "person.foreigner", errs).unwrap_or(false);
        person
    }
}

impl AssessRequest {
    /// The engine's input, or every problem of this request (paths without an index).
    pub fn check(&self) -> Result<AssessInput, Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.unknown.keys() {
            errs.push(unknown_field(k));
        }
        let article = article(&self.article, &mut errs);
        let item = uint(&self.item, "item", ITEM_MAX, &mut errs).and_then(|n| u8::try_from(n).ok());
        let situation = text(&self.situation, "situation", &mut errs);
        let tier = match text(&self.tier, "tier", &mut errs) {
            None => None,
            Some(t) => match TierKind::parse(&t) {
                Some(t) => Some(t),
                None => {
                    errs.push(FieldError::new(
                        "tier",
                        "tier.unknown",
                        "处罚档次应为 lighter（情节较轻）、base（一般）或 heavier（情节较重）",
                        "tier must be lighter, base or heavier",
                    ));
                    None
                }
            },
        };
        let mut circumstances: Vec<String> = Vec::new();
        match &self.circumstances {
            Given::Absent => {}
            Given::Value(list) => {
                for (i, c) in list.iter().enumerate() {
                    let field = format!("circumstances.{i}");
                    match c.value().map(|s| text::line(&field, s)) {
                        Some(Ok(Some(s))) => {
                            if !circumstances.contains(&s) {
                                circumstances.push(s);
                            }
                        }
                        Some(Err(e)) => errs.push(e),
                        _ => errs.push(FieldError::new(
                            field,
                            "string",
                            "情节应为情节代码",
                            "Each circumstance must be a circumstance code",
                        )),
                    }
                }
            }
            Given::Wrong => errs.push(FieldError::new(
                "circumstances",
                "array",
                "情节应为情节代码的列表",
                "circumstances must be a list of codes",
            )),
        }
        let person = match &self.person {
            Given::Value(p) => p.check(&mut errs),
            Given::Absent => {
                errs.push(age_required());
                Person::default()
            }
            Given::Wrong => {
                errs.push(FieldError::new(
                    "person",
                    "object",
                    "person 应为对象，如 {\"age\": 30}",
                    "person must be an object such as {\"age\": 30}",
                ));
                Person::default()
            }
        };
        // Blank text is no date: it must not read as a default one.
        let before = errs.0.len();
        let offence_date = date(&self.offence_date, "offence_date", &mut errs);
        if offence_date.is_none() && errs.0.len() == before {
            errs.push(offence_date_required());
        }
        let discovered_date = date(&self.discovered_date, "discovered_date", &mut errs);
        let decision_date = date(&self.decision_date, "decision_date", &mut errs);
        let illegal_gains_yuan = uint(
            &self.illegal_gains_yuan,
            "illegal_gains_yuan",
            GAINS_MAX,
            &mut errs,
        );
        errs.into_result(AssessInput {
            article,
            item,
            situation,
            tier,
            circumstances,
            person,
            offence_date: offence_date.unwrap_or_default(),
            discovered_date,
            decision_date,
            illegal_gains_yuan,
        })
    }
}

fn check_one(r: &Given<AssessRequest>) -> Result<AssessInput, Vec<FieldError>> {
    match r {
        Given::Value(r) => r.check(),
        Given::Absent | Given::Wrong => Err(vec![not_an_object()]),
    }
}

impl AssessBody {
    /// Reads a JSON body. Never fails: what is not the contract's shape is reported by
    /// [`AssessBody::check`].
    pub fn read(v: serde_json::Value) -> AssessBody {
        frontline_core::request::read(v).unwrap_or(AssessBody::One(Given::Wrong))
    }

    /// The engine's inputs and whether the body was an array (several violations, 第16条),
    /// or every problem; a problem in the `n`th request is reported as `n.field`.
    pub fn check(&self) -> Result<(Vec<AssessInput>, bool), Vec<FieldError>> {
        match self {
            AssessBody::One(r) => check_one(r).map(|i| (vec![i], false)),
            AssessBody::Several(list) => {
                let mut out = Vec::with_capacity(list.len());
                let mut errs = Vec::new();
                for (i, r) in list.iter().enumerate() {
                    match check_one(r) {
                        Ok(input) => out.push(input),
                        Err(e) => errs.extend(e.into_iter().map(|mut fe| {
                            fe.field = if fe.field.is_empty() {
                                i.to_string()
                            } else {
                                format!("{i}.{}", fe.field)
                            };
                            fe
                        })),
                    }
                }
                if errs.is_empty() {
                    Ok((out, true))
                } else {
                    Err(errs)
                }
            }
        }
    }
}

/// One request read from JSON and checked (a shorthand for tests and tools).
pub fn parse_assess_request(v: &serde_json::Value) -> Result<AssessInput, Vec<FieldError>> {
    check_one(&frontline_core::request::read(v.clone()).unwrap_or(Given::Wrong))
}

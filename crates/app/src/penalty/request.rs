//! Reading assessment requests (the CLI/API JSON contract), with field-level errors.

use chrono::NaiveDate;
use frontline_core::FieldError;
use frontline_core::error::Errors;
use frontline_core::penalty::{AssessInput, Person, TierKind};
use serde_json::Value;

use super::AGE_MAX;

const REQUEST_FIELDS: [&str; 10] = [
    "article",
    "item",
    "situation",
    "tier",
    "circumstances",
    "person",
    "offence_date",
    "discovered_date",
    "decision_date",
    "illegal_gains_yuan",
];
const PERSON_FIELDS: [&str; 5] = [
    "age",
    "pregnant",
    "nursing_infant",
    "first_offence",
    "foreigner",
];

fn unknown_field(path: &str) -> FieldError {
    FieldError::new(
        path,
        "unknown_field",
        format!("未知字段「{path}」"),
        format!("Unknown field “{path}”"),
    )
}

fn not_null(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn opt_text(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<String> {
    match not_null(v) {
        None => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "string",
                "应为文字",
                "Must be a string",
            ));
            None
        }
    }
}

fn opt_bool(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<bool> {
    match not_null(v) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "boolean",
                "应为是或否（true / false）",
                "Must be true or false",
            ));
            None
        }
    }
}

fn opt_date(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<NaiveDate> {
    let s = opt_text(v, field, errs)?;
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

fn opt_uint(v: Option<&Value>, field: &str, max: u64, errs: &mut Errors) -> Option<u64> {
    match not_null(v) {
        None => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= max) => n.as_u64(),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.trim().parse::<u64>().is_ok_and(|n| n <= max) => {
            s.trim().parse().ok()
        }
        Some(_) => {
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

/// Reads one assessment request (the JSON contract of `frontline penalty assess`),
/// reporting every problem with its field path (`person.age`, `offence_date` …).
pub fn parse_assess_request(v: &Value) -> std::result::Result<AssessInput, Vec<FieldError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "body.object",
            "请求内容应为一个 JSON 对象",
            "The body must be one JSON object",
        )]);
    };
    let mut errs = Errors::default();
    for k in obj.keys() {
        if !REQUEST_FIELDS.contains(&k.as_str()) {
            errs.push(unknown_field(k));
        }
    }
    let article = match not_null(obj.get("article"))
        .filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
    {
        None => {
            errs.push(FieldError::new(
                "article",
                "required",
                "请选择或填写条文（如 51，或违法行为代码 26-2）",
                "Give the article (e.g. 51) or a violation code (e.g. 26-2)",
            ));
            String::new()
        }
        Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(_) => {
            errs.push(FieldError::new(
                "article",
                "article.format",
                "条文应为条文号（如 51）或违法行为代码（如 26-2）",
                "The article must be a number (51) or a violation code (26-2)",
            ));
            String::new()
        }
    };
    let item = opt_uint(obj.get("item"), "item", 99, &mut errs).map(|n| n as u8);
    let situation = opt_text(obj.get("situation"), "situation", &mut errs);
    let tier = match opt_text(obj.get("tier"), "tier", &mut errs) {
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
    let mut circumstances = Vec::new();
    match not_null(obj.get("circumstances")) {
        None => {}
        Some(Value::Array(a)) => {
            for (i, c) in a.iter().enumerate() {
                match c.as_str().map(str::trim) {
                    Some(s) if !s.is_empty() => {
                        if !circumstances.iter().any(|x: &String| x == s) {
                            circumstances.push(s.to_string());
                        }
                    }
                    _ => errs.push(FieldError::new(
                        format!("circumstances.{i}"),
                        "string",
                        "情节应为情节代码",
                        "Each circumstance must be a circumstance code",
                    )),
                }
            }
        }
        Some(_) => errs.push(FieldError::new(
            "circumstances",
            "array",
            "情节应为情节代码的列表",
            "circumstances must be a list of codes",
        )),
    }
    let mut person = Person::default();
    match not_null(obj.get("person")) {
        Some(Value::Object(p)) => {
            for k in p.keys() {
                if !PERSON_FIELDS.contains(&k.as_str()) {
                    errs.push(unknown_field(&format!("person.{k}")));
                }
            }
            match not_null(p.get("age")) {
                None => errs.push(FieldError::new(
                    "person.age",
                    "required",
                    "请填写违法行为人行为时的年龄",
                    "Give the person's age at the time of the act",
                )),
                v => {
                    if let Some(a) = opt_uint(v, "person.age", AGE_MAX, &mut errs) {
                        person.age = a as u8;
                    }
                }
            }
            person.pregnant =
                opt_bool(p.get("pregnant"), "person.pregnant", &mut errs).unwrap_or(false);
            person.nursing_infant =
                opt_bool(p.get("nursing_infant"), "person.nursing_infant", &mut errs)
                    .unwrap_or(false);
            person.first_offence =
                opt_bool(p.get("first_offence"), "person.first_offence", &mut errs);
            person.foreigner =
                opt_bool(p.get("foreigner"), "person.foreigner", &mut errs).unwrap_or(false);
        }
        None => errs.push(FieldError::new(
            "person.age",
            "required",
            "请填写违法行为人行为时的年龄",
            "Give the person's age at the time of the act",
        )),
        Some(_) => errs.push(FieldError::new(
            "person",
            "object",
            "person 应为对象，如 {\"age\": 30}",
            "person must be an object such as {\"age\": 30}",
        )),
    }
    let offence_date = match not_null(obj.get("offence_date")) {
        None => {
            errs.push(FieldError::new(
                "offence_date",
                "required",
                "请填写违法行为发生日期",
                "Give the date of the act",
            ));
            None
        }
        v => opt_date(v, "offence_date", &mut errs),
    };
    let discovered_date = opt_date(obj.get("discovered_date"), "discovered_date", &mut errs);
    let decision_date = opt_date(obj.get("decision_date"), "decision_date", &mut errs);
    let illegal_gains_yuan = opt_uint(
        obj.get("illegal_gains_yuan"),
        "illegal_gains_yuan",
        10_000_000_000,
        &mut errs,
    );
    let offence_date = offence_date.unwrap_or_default();
    errs.into_result(AssessInput {
        article,
        item,
        situation,
        tier,
        circumstances,
        person,
        offence_date,
        discovered_date,
        decision_date,
        illegal_gains_yuan,
    })
}

/// One request object, or an array of them (several violations of one person, 第16条);
/// a problem in the `n`th is reported as `n.field`.
pub fn parse_assess_requests(
    v: &Value,
) -> std::result::Result<(Vec<AssessInput>, bool), Vec<FieldError>> {
    match v.as_array() {
        None => parse_assess_request(v).map(|i| (vec![i], false)),
        Some(a) => {
            let mut out = Vec::with_capacity(a.len());
            let mut errs = Vec::new();
            for (i, x) in a.iter().enumerate() {
                match parse_assess_request(x) {
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

//! Incident intake (接警登记): input checking and numbering.

pub mod category;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::Value;
use uuid::Uuid;

use self::category::CategoryTree;
use crate::error::{Errors, FieldError};
use crate::ident;

/// How far in the future a reported time may be (clock skew between terminals).
pub const FUTURE_SKEW: Duration = Duration::minutes(5);
/// How far back an intake may be dated; older calls are not intake but record correction.
pub const MAX_BACKDATE: Duration = Duration::days(366);
pub const ADDRESS_MAX: usize = 200;
pub const NARRATIVE_MAX: usize = 4000;
pub const NAME_MAX: usize = 50;

/// Beijing time; the same offset as [`crate::time::BEIJING`].
pub const SHANGHAI: FixedOffset = crate::time::BEIJING;

pub fn shanghai() -> FixedOffset {
    SHANGHAI
}

/// Raw intake fields as typed by a person or sent by a client, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentInput {
    pub reported_at: Option<String>,
    pub category: Option<String>,
    pub address: Option<String>,
    pub district_id: Option<String>,
    pub unit_id: Option<String>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub caller_id_number: Option<String>,
    pub narrative: Option<String>,
    /// Fields that arrived with the wrong JSON type; reported with the other errors.
    pub type_errors: Vec<FieldError>,
}

fn opt_string(v: &Value, key: &str, field: &str, errs: &mut Errors) -> Option<String> {
    match v.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "type",
                "应为文本",
                "Must be a string",
            ));
            None
        }
    }
}

impl IncidentInput {
    /// Reads the API body field by field so that a wrong type is reported on its field
    /// (together with every other field's problems) instead of failing the whole document.
    pub fn from_json(v: &Value) -> Result<IncidentInput, Vec<FieldError>> {
        let mut errs = Errors::default();
        if !v.is_object() {
            return Err(vec![FieldError::new(
                "",
                "type",
                "请求体应为 JSON 对象",
                "The request body must be a JSON object",
            )]);
        }
        let mut input = IncidentInput {
            reported_at: opt_string(v, "reported_at", "reported_at", &mut errs),
            category: opt_string(v, "category", "category", &mut errs),
            address: opt_string(v, "address", "address", &mut errs),
            district_id: opt_string(v, "district_id", "district_id", &mut errs),
            unit_id: opt_string(v, "unit_id", "unit_id", &mut errs),
            narrative: opt_string(v, "narrative", "narrative", &mut errs),
            ..Default::default()
        };
        match v.get("caller") {
            None | Some(Value::Null) => {}
            Some(c @ Value::Object(_)) => {
                input.caller_name = opt_string(c, "name", "caller.name", &mut errs);
                input.caller_phone = opt_string(c, "phone", "caller.phone", &mut errs);
                input.caller_id_number = opt_string(c, "id_number", "caller.id_number", &mut errs);
            }
            Some(_) => errs.push(FieldError::new(
                "caller",
                "type",
                "报警人信息应为对象",
                "caller must be an object",
            )),
        }
        input.type_errors = errs.0;
        Ok(input)
    }
}

/// Intake fields after every check in core has passed. Unit and district ownership
/// need the organisation and are checked by the app layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIncident {
    pub reported_at: DateTime<Utc>,
    pub category: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub caller_name: String,
    pub caller_phone: String,
    pub caller_id_number: Option<String>,
    pub narrative: String,
}

fn non_blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn required_text(v: &Option<String>, field: &str, max: usize, errs: &mut Errors) -> String {
    match non_blank(v) {
        None => {
            errs.push(FieldError::required(field));
            String::new()
        }
        Some(s) if s.chars().count() > max => {
            errs.push(FieldError::too_long(field, max));
            String::new()
        }
        Some(s) => s.to_string(),
    }
}

fn opt_uuid(v: &Option<String>, field: &str, errs: &mut Errors) -> Option<Uuid> {
    let s = non_blank(v)?;
    match Uuid::parse_str(s) {
        Ok(u) => Some(u),
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

/// Parses a reported time: RFC 3339, or the form `2026-11-22T08:30` of a browser's
/// datetime-local field, read as Beijing time.
pub fn parse_reported_at(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return naive
                .and_local_timezone(shanghai())
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    None
}

pub fn validate(
    input: &IncidentInput,
    now: DateTime<Utc>,
    categories: &CategoryTree,
) -> Result<ValidIncident, Vec<FieldError>> {
    let mut errs = Errors::default();
    let reported_at = match non_blank(&input.reported_at) {
        None => now,
        Some(s) => match parse_reported_at(s) {
            None => {
                errs.push(FieldError::new(
                    "reported_at",
                    "reported_at.format",
                    "报警时间格式不正确（例：2026-11-22T08:30:00+08:00）",
                    "Reported time must be RFC 3339, e.g. 2026-11-22T08:30:00+08:00",
                ));
                now
            }
            Some(t) if t > now + FUTURE_SKEW => {
                errs.push(FieldError::new(
                    "reported_at",
                    "reported_at.future",
                    "报警时间不能晚于当前时间",
                    "Reported time cannot be in the future",
                ));
                now
            }
            Some(t) if t < now - MAX_BACKDATE => {
                errs.push(FieldError::new(
                    "reported_at",
                    "reported_at.too_old",
                    "报警时间不能早于一年前",
                    "Reported time cannot be more than a year ago",
                ));
                now
            }
            Some(t) => t,
        },
    };
    let category = match non_blank(&input.category) {
        None => {
            errs.push(FieldError::required("category"));
            String::new()
        }
        Some(c) if categories.is_leaf(c) => c.to_string(),
        Some(c) if categories.get(c).is_some() => {
            errs.push(FieldError::new(
                "category",
                "category.not_leaf",
                "请选择具体的警情小类",
                "Choose a sub-category",
            ));
            String::new()
        }
        Some(_) => {
            errs.push(FieldError::new(
                "category",
                "category.unknown",
                "警情类别不存在",
                "Unknown incident category",
            ));
            String::new()
        }
    };
    let address = required_text(&input.address, "address", ADDRESS_MAX, &mut errs);
    let narrative = required_text(&input.narrative, "narrative", NARRATIVE_MAX, &mut errs);
    let caller_name = required_text(&input.caller_name, "caller.name", NAME_MAX, &mut errs);
    let caller_phone = match non_blank(&input.caller_phone) {
        None => {
            errs.push(FieldError::required("caller.phone"));
            String::new()
        }
        Some(p) => ident::validate_phone("caller.phone", p).unwrap_or_else(|e| {
            errs.push(e);
            String::new()
        }),
    };
    let caller_id_number = non_blank(&input.caller_id_number).and_then(|s| {
        ident::validate_id_number("caller.id_number", s, crate::time::beijing_date(&now))
            .map_err(|e| errs.push(e))
            .ok()
    });
    let district_id = opt_uuid(&input.district_id, "district_id", &mut errs);
    let unit_id = opt_uuid(&input.unit_id, "unit_id", &mut errs);
    // A field sent with the wrong type reads as missing above; say what was wrong instead.
    for t in &input.type_errors {
        errs.0.retain(|e| e.field != t.field);
    }
    errs.0.extend(input.type_errors.iter().cloned());
    errs.into_result(ValidIncident {
        reported_at,
        category,
        address,
        district_id,
        unit_id,
        caller_name,
        caller_phone,
        caller_id_number,
        narrative,
    })
}

/// The human incident number: unit code, year, and the unit-year sequence,
/// e.g. `S01-2026-000042`. Sequences have no gaps (allocated in the insert transaction).
pub fn format_number(unit_code: &str, year: i32, seq: i64) -> String {
    format!("{unit_code}-{year}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn input() -> IncidentInput {
        IncidentInput {
            category: Some("dispute.neighbour".into()),
            address: Some(" 人民路1号 ".into()),
            caller_name: Some("李四".into()),
            caller_phone: Some("139 1234 5678".into()),
            narrative: Some("楼上噪音扰民。".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_intake_is_normalised_and_defaults_to_now() {
        let tree = CategoryTree::builtin().unwrap();
        let v = validate(&input(), now(), &tree).unwrap();
        assert_eq!(v.reported_at, now());
        assert_eq!(v.address, "人民路1号");
        assert_eq!(v.caller_phone, "13912345678");
        assert_eq!(v.caller_id_number, None);
    }

    #[test]
    fn reported_time_boundaries() {
        let tree = CategoryTree::builtin().unwrap();
        let at = |s: &str| {
            let mut i = input();
            i.reported_at = Some(s.into());
            validate(&i, now(), &tree).map(|v| v.reported_at)
        };
        // Exactly the skew is accepted; one second more is the future.
        assert!(at("2026-11-22T10:05:00+08:00").is_ok());
        let e = at("2026-11-22T10:05:01+08:00").unwrap_err();
        assert_eq!(e[0].code, "reported_at.future");
        // The browser's datetime-local value is Beijing time.
        assert_eq!(
            at("2026-11-22T09:30").unwrap(),
            now() - Duration::minutes(30)
        );
        assert_eq!(
            at("2025-11-20T10:00:00+08:00").unwrap_err()[0].code,
            "reported_at.too_old"
        );
        assert_eq!(at("22/11/2026").unwrap_err()[0].code, "reported_at.format");
    }

    #[test]
    fn wrong_types_replace_the_missing_field_error() {
        let v: Value = serde_json::json!({"narrative": 5, "caller": {"phone": 13800138000u64}});
        let i = IncidentInput::from_json(&v).unwrap();
        let tree = CategoryTree::builtin().unwrap();
        let errs = validate(&i, now(), &tree).unwrap_err();
        let of = |f: &str| {
            errs.iter()
                .filter(|e| e.field == f)
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("narrative"), vec!["type"]);
        assert_eq!(of("caller.phone"), vec!["type"]);
        assert_eq!(of("address"), vec!["required"]);
        assert!(IncidentInput::from_json(&serde_json::json!("x")).is_err());
    }

    #[test]
    fn numbers_are_zero_padded_per_unit_and_year() {
        assert_eq!(format_number("S01", 2026, 42), "S01-2026-000042");
        assert_eq!(format_number("S11", 2027, 1_234_567), "S11-2027-1234567");
    }
}

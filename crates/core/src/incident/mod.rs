//! Incident intake (接警登记): the rule of each intake field, and numbering. The intake
//! contract (`frontline_app::incident::IncidentRequest`) walks its fields through these.

pub mod callback;
pub mod category;
pub mod elements;
pub mod lifecycle;
pub mod response;
pub mod stats;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use self::category::CategoryTree;
use crate::error::FieldError;
use crate::ident;
use crate::time::BEIJING;

/// How far in the future a reported time may be (clock skew between terminals).
pub const FUTURE_SKEW: Duration = Duration::minutes(5);
/// How far back an intake may be dated; older calls are not intake but record correction.
pub const MAX_BACKDATE: Duration = Duration::days(366);
pub const ADDRESS_MAX: usize = 200;
pub const NARRATIVE_MAX: usize = 4000;
pub const NAME_MAX: usize = 50;

/// Intake fields after every field rule has passed. Unit and district ownership
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

/// A field sent with a JSON type other than text.
pub fn not_text(field: &str) -> FieldError {
    FieldError::new(field, "type", "应为文本", "Must be a string")
}

/// `caller` sent as something other than an object.
pub fn caller_not_object() -> FieldError {
    FieldError::new(
        "caller",
        "type",
        "报警人信息应为对象",
        "caller must be an object",
    )
}

/// A request body that is not a JSON object at all.
pub fn body_not_object() -> FieldError {
    FieldError::new(
        "",
        "type",
        "请求体应为 JSON 对象",
        "The request body must be a JSON object",
    )
}

/// A required text of at most `max` characters (`v` already trimmed, blank as `None`).
pub fn required_text(field: &str, v: Option<&str>, max: usize) -> Result<String, FieldError> {
    match v {
        None => Err(FieldError::required(field)),
        Some(s) if s.chars().count() > max => Err(FieldError::too_long(field, max)),
        Some(s) => Ok(s.to_string()),
    }
}

/// An optional id (unit, district).
pub fn optional_id(field: &str, v: Option<&str>) -> Result<Option<Uuid>, FieldError> {
    v.map(|s| {
        Uuid::parse_str(s)
            .map_err(|_| FieldError::new(field, "invalid", "编号格式不正确", "Not a valid id"))
    })
    .transpose()
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
                .and_local_timezone(BEIJING)
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    None
}

/// The reported time: now when not given, never in the future beyond the skew, never
/// older than [`MAX_BACKDATE`].
pub fn reported_at(v: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    let Some(s) = v else { return Ok(now) };
    match parse_reported_at(s) {
        None => Err(FieldError::new(
            "reported_at",
            "reported_at.format",
            "报警时间格式不正确（例：2026-11-22T08:30:00+08:00）",
            "Reported time must be RFC 3339, e.g. 2026-11-22T08:30:00+08:00",
        )),
        Some(t) if t > now + FUTURE_SKEW => Err(FieldError::new(
            "reported_at",
            "reported_at.future",
            "报警时间不能晚于当前时间",
            "Reported time cannot be in the future",
        )),
        Some(t) if t < now - MAX_BACKDATE => Err(FieldError::new(
            "reported_at",
            "reported_at.too_old",
            "报警时间不能早于一年前",
            "Reported time cannot be more than a year ago",
        )),
        Some(t) => Ok(t),
    }
}

/// The category: required, and a sub-category (leaf) of the tree.
pub fn category(v: Option<&str>, categories: &CategoryTree) -> Result<String, FieldError> {
    match v {
        None => Err(FieldError::required("category")),
        Some(c) if categories.is_leaf(c) => Ok(c.to_string()),
        Some(c) if categories.get(c).is_some() => Err(FieldError::new(
            "category",
            "category.not_leaf",
            "请选择具体的警情小类",
            "Choose a sub-category",
        )),
        Some(_) => Err(FieldError::new(
            "category",
            "category.unknown",
            "警情类别不存在",
            "Unknown incident category",
        )),
    }
}

/// The caller's phone: required, mobile or landline, normalised.
pub fn caller_phone(v: Option<&str>) -> Result<String, FieldError> {
    match v {
        None => Err(FieldError::required("caller.phone")),
        Some(p) => ident::validate_phone("caller.phone", p),
    }
}

/// The caller's citizen ID number, when given.
pub fn caller_id_number(v: Option<&str>, now: DateTime<Utc>) -> Result<Option<String>, FieldError> {
    v.map(|s| ident::validate_id_number("caller.id_number", s, crate::time::beijing_date(&now)))
        .transpose()
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

    #[test]
    fn reported_time_boundaries() {
        let at = |s: &str| reported_at(Some(s), now());
        assert_eq!(reported_at(None, now()).unwrap(), now());
        // Exactly the skew is accepted; one second more is the future.
        assert!(at("2026-11-22T10:05:00+08:00").is_ok());
        let e = at("2026-11-22T10:05:01+08:00").unwrap_err();
        assert_eq!(e.code, "reported_at.future");
        // The browser's datetime-local value is Beijing time.
        assert_eq!(
            at("2026-11-22T09:30").unwrap(),
            now() - Duration::minutes(30)
        );
        assert_eq!(
            at("2025-11-20T10:00:00+08:00").unwrap_err().code,
            "reported_at.too_old"
        );
        assert_eq!(at("22/11/2026").unwrap_err().code, "reported_at.format");
    }

    #[test]
    fn field_rules() {
        let tree = CategoryTree::builtin().unwrap();
        assert_eq!(
            category(Some("dispute.neighbour"), &tree).unwrap(),
            "dispute.neighbour"
        );
        assert_eq!(
            category(Some("dispute"), &tree).unwrap_err().code,
            "category.not_leaf"
        );
        assert_eq!(
            category(Some("x"), &tree).unwrap_err().code,
            "category.unknown"
        );
        assert_eq!(category(None, &tree).unwrap_err().code, "required");
        assert_eq!(caller_phone(Some("139 1234 5678")).unwrap(), "13912345678");
        assert_eq!(caller_id_number(None, now()).unwrap(), None);
        assert_eq!(
            required_text("a", Some("路路"), 1).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            optional_id("unit_id", Some("x")).unwrap_err().code,
            "invalid"
        );
        assert_eq!(optional_id("unit_id", None).unwrap(), None);
    }

    #[test]
    fn numbers_are_zero_padded_per_unit_and_year() {
        assert_eq!(format_number("S01", 2026, 42), "S01-2026-000042");
        assert_eq!(format_number("S11", 2027, 1_234_567), "S11-2027-1234567");
    }
}

//! The intake contract: `POST /api/v1/incidents`, the intake page and
//! [`App::create_incident`](crate::App::create_incident) read the same type, and the
//! OpenAPI request body is derived from it.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::error::Errors;
use frontline_core::incident::{self, ValidIncident, category::CategoryTree};
use frontline_core::request::{self, Given, Unknown};
use frontline_core::text;
use serde::Deserialize;
use utoipa::ToSchema;

// The caller (报警人) as sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct CallerRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub name: Given<String>,
    /// Mobile (11 digits) or landline with area code.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub phone: Given<String>,
    /// GB 11643 citizen ID number (optional).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub id_number: Given<String>,
    /// Unknown keys, each refused (`unknown_field`). Flattening also makes serde read
    /// only objects: a JSON array would otherwise fill the fields in order.
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Body of `POST /api/v1/incidents`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct IncidentRequest {
    /// RFC 3339; defaults to now; at most 5 minutes in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Given<String>,
    /// A sub-category code from `/api/v1/incident-categories`.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub category: Given<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub address: Given<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub district_id: Given<String>,
    /// Owning station; only command centre and administrators may name another unit.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub unit_id: Given<String>,
    #[serde(default)]
    #[schema(value_type = CallerRequest, required = true)]
    pub caller: Given<CallerRequest>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub narrative: Given<String>,
    /// Unknown keys, each refused (see [`CallerRequest::other`]).
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// Runs one field's rule on its text after the normaliser ([`text::line`], or
/// [`text::block`] when `long`); blank text reaches the rule as `None`. A refused
/// character is the field's error, and a field of the wrong type is reported on its own
/// (below) and gets no rule error, so that "required" never hides "wrong type".
fn field<T>(
    name: &str,
    long: bool,
    g: &Given<String>,
    errs: &mut Errors,
    rule: impl FnOnce(Option<&str>) -> Result<T, FieldError>,
) -> Option<T> {
    let raw = match g {
        Given::Wrong => return None,
        Given::Absent => None,
        Given::Value(s) => Some(s.as_str()),
    };
    let clean = match raw.map(|s| {
        if long {
            text::block(name, s)
        } else {
            text::line(name, s)
        }
    }) {
        Some(Err(e)) => {
            errs.push(e);
            return None;
        }
        Some(Ok(v)) => v,
        None => None,
    };
    rule(clean.as_deref()).map_err(|e| errs.push(e)).ok()
}

impl IncidentRequest {
    /// Reads a JSON body. Only a body that is not an object fails, with the one
    /// body-level error; every field problem is left to [`IncidentRequest::check`].
    pub fn read(v: serde_json::Value) -> Result<IncidentRequest, Vec<FieldError>> {
        request::read(v).map_err(|_| vec![incident::body_not_object()])
    }

    /// Every intake rule that needs no organisation, reporting every problem at once.
    /// Unit and district ownership are checked by the use case.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        categories: &CategoryTree,
    ) -> Result<ValidIncident, Vec<FieldError>> {
        let mut errs = Errors::default();
        let absent = Given::Absent;
        let caller = self.caller.value();
        let c = |f: fn(&CallerRequest) -> &Given<String>| caller.map_or(&absent, f);
        let reported_at = field("reported_at", false, &self.reported_at, &mut errs, |v| {
            incident::reported_at(v, now)
        });
        let category = field("category", false, &self.category, &mut errs, |v| {
            incident::category(v, categories)
        });
        let address = field("address", false, &self.address, &mut errs, |v| {
            incident::required_text("address", v, incident::ADDRESS_MAX)
        });
        let narrative = field("narrative", true, &self.narrative, &mut errs, |v| {
            incident::required_text("narrative", v, incident::NARRATIVE_MAX)
        });
        let caller_name = field("caller.name", false, c(|c| &c.name), &mut errs, |v| {
            incident::required_text("caller.name", v, incident::NAME_MAX)
        });
        let caller_phone = field(
            "caller.phone",
            false,
            c(|c| &c.phone),
            &mut errs,
            incident::caller_phone,
        );
        let caller_id_number = field(
            "caller.id_number",
            false,
            c(|c| &c.id_number),
            &mut errs,
            |v| incident::caller_id_number(v, now),
        );
        let district_id = field("district_id", false, &self.district_id, &mut errs, |v| {
            incident::optional_id("district_id", v)
        });
        let unit_id = field("unit_id", false, &self.unit_id, &mut errs, |v| {
            incident::optional_id("unit_id", v)
        });
        // Unknown keys, then wrong types, in the order of the body.
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        if let Given::Value(c) = &self.caller {
            for k in c.other.keys() {
                errs.push(FieldError::unknown_field(format!("caller.{k}")));
            }
        }
        for (name, g) in [
            ("reported_at", &self.reported_at),
            ("category", &self.category),
            ("address", &self.address),
            ("district_id", &self.district_id),
            ("unit_id", &self.unit_id),
            ("narrative", &self.narrative),
        ] {
            if matches!(g, Given::Wrong) {
                errs.push(incident::not_text(name));
            }
        }
        match &self.caller {
            Given::Wrong => errs.push(incident::caller_not_object()),
            Given::Absent => {}
            Given::Value(c) => {
                for (name, g) in [
                    ("caller.name", &c.name),
                    ("caller.phone", &c.phone),
                    ("caller.id_number", &c.id_number),
                ] {
                    if matches!(g, Given::Wrong) {
                        errs.push(incident::not_text(name));
                    }
                }
            }
        }
        errs.into_result(ValidIncident {
            reported_at: reported_at.unwrap_or(now),
            category: category.unwrap_or_default(),
            address: address.unwrap_or_default(),
            district_id: district_id.flatten(),
            unit_id: unit_id.flatten(),
            caller_name: caller_name.unwrap_or_default(),
            caller_phone: caller_phone.unwrap_or_default(),
            caller_id_number: caller_id_number.flatten(),
            narrative: narrative.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn request() -> IncidentRequest {
        IncidentRequest {
            category: "dispute.neighbour".to_string().into(),
            address: " 人民路1号 ".to_string().into(),
            caller: CallerRequest {
                name: "李四".to_string().into(),
                phone: "139 1234 5678".to_string().into(),
                ..CallerRequest::default()
            }
            .into(),
            narrative: "楼上噪音扰民。".to_string().into(),
            ..IncidentRequest::default()
        }
    }

    #[test]
    fn a_good_intake_is_normalised_and_defaults_to_now() {
        let tree = CategoryTree::builtin().unwrap();
        let v = request().check(now(), &tree).unwrap();
        assert_eq!(v.reported_at, now());
        assert_eq!(v.address, "人民路1号");
        assert_eq!(v.caller_phone, "13912345678");
        assert_eq!(v.caller_id_number, None);
    }

    #[test]
    fn wrong_types_replace_the_missing_field_error() {
        let v = serde_json::json!({"narrative": 5, "caller": {"phone": 13800138000u64}});
        let i = IncidentRequest::read(v).unwrap();
        let tree = CategoryTree::builtin().unwrap();
        let errs = i.check(now(), &tree).unwrap_err();
        let of = |f: &str| {
            errs.iter()
                .filter(|e| e.field == f)
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("narrative"), vec!["type"]);
        assert_eq!(of("caller.phone"), vec!["type"]);
        assert_eq!(of("address"), vec!["required"]);
        assert!(IncidentRequest::read(serde_json::json!("x")).is_err());
    }

    #[test]
    fn every_text_goes_through_the_normaliser() {
        let tree = CategoryTree::builtin().unwrap();
        let mut r = request();
        r.address = "人民路\u{202e}1号".to_string().into();
        r.narrative = "abc\u{0}def".to_string().into();
        r.caller = CallerRequest {
            name: "\u{200b}\u{200b}".to_string().into(),
            phone: "139\u{7}12345678".to_string().into(),
            id_number: "\u{feff}".to_string().into(),
            ..CallerRequest::default()
        }
        .into();
        let errs = r.check(now(), &tree).unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            vec![
                ("address", "text.bidi"),
                ("narrative", "text.control"),
                ("caller.name", "required"),
                ("caller.phone", "text.control"),
            ]
        );
        let mut r = request();
        r.narrative = "第一行\r\n第二行\u{200b}".to_string().into();
        r.address = "Cafe\u{301}".to_string().into();
        let v = r.check(now(), &tree).unwrap();
        assert_eq!(v.narrative, "第一行\n第二行");
        assert_eq!(v.address, "Caf\u{e9}");
    }

    #[test]
    fn only_objects_are_read() {
        for body in [serde_json::json!([1, 2]), serde_json::json!(3)] {
            let e = IncidentRequest::read(body).unwrap_err();
            assert_eq!((e[0].field.as_str(), e[0].code), ("", "type"));
            assert_eq!(e[0].en, "The request body must be a JSON object");
        }
        let tree = CategoryTree::builtin().unwrap();
        for caller in [
            serde_json::json!("张三"),
            serde_json::json!(["张三", "138"]),
        ] {
            let r = IncidentRequest::read(serde_json::json!({ "caller": caller })).unwrap();
            let errs = r.check(now(), &tree).unwrap_err();
            let caller: Vec<_> = errs.iter().filter(|e| e.field == "caller").collect();
            assert_eq!(caller.len(), 1);
            assert_eq!(caller[0].zh, "报警人信息应为对象");
            // The caller's own fields are then missing, as before.
            assert!(
                errs.iter()
                    .any(|e| e.field == "caller.name" && e.code == "required")
            );
        }
    }
}

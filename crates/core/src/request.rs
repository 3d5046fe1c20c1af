//! Request contracts: what a client sent, field by field, before any rule ran.
//!
//! A use case's request is a plain serde struct whose fields are [`Given<T>`]: absent (or
//! null), a value of the expected type, or a value of another type. Reading a body never
//! fails on one field's type, so the use case's check reports every problem at once, each
//! on its field path, and the same struct serves the API, the pages and the CLI. Unknown
//! keys are kept in an [`Unknown`] map (`#[serde(flatten)]`) for contracts that refuse them.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Errors, FieldError};

/// One request field as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Given<T> {
    /// Not sent, or sent as `null`.
    #[default]
    Absent,
    /// Sent with the expected type.
    Value(T),
    /// Sent with another type (a number where text was expected, …).
    Wrong,
}

impl<T> Given<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Given::Absent)
    }

    /// The value, if one of the expected type was sent.
    pub fn value(&self) -> Option<&T> {
        match self {
            Given::Value(v) => Some(v),
            Given::Absent | Given::Wrong => None,
        }
    }

    pub fn into_value(self) -> Option<T> {
        match self {
            Given::Value(v) => Some(v),
            Given::Absent | Given::Wrong => None,
        }
    }

    /// The value; a wrong type is reported as `wrong` and read as absent.
    pub fn checked(&self, errs: &mut Errors, wrong: impl FnOnce() -> FieldError) -> Option<&T> {
        match self {
            Given::Value(v) => Some(v),
            Given::Absent => None,
            Given::Wrong => {
                errs.push(wrong());
                None
            }
        }
    }
}

impl<T> From<Option<T>> for Given<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Given::Absent, Given::Value)
    }
}

impl<T> From<T> for Given<T> {
    fn from(v: T) -> Self {
        Given::Value(v)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if v.is_null() {
            return Ok(Given::Absent);
        }
        Ok(T::deserialize(v).map_or(Given::Wrong, Given::Value))
    }
}

impl<T: Serialize> Serialize for Given<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Given::Value(v) => v.serialize(s),
            Given::Absent | Given::Wrong => s.serialize_none(),
        }
    }
}

/// The keys of a request object that its contract does not know, with their values.
pub type Unknown = BTreeMap<String, serde_json::Value>;

/// A JSON value that is a number or a text, for fields that accept both (`"30"` or `30`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum NumberOrText {
    Number(serde_json::Number),
    Text(String),
}

/// Reads a request body into its contract. Only a body that is not the contract's shape
/// at all (not an object, say) fails here; its error names the path serde stopped at.
pub fn read<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ReadError> {
    serde_path_to_error::deserialize(v).map_err(|e| ReadError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Why a body could not be read into its contract at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Where reading stopped (`.` for the whole body).
    pub path: String,
    pub message: String,
}

impl ReadError {
    /// The field path in the API's form (`caller.phone`, empty for the whole body).
    pub fn field(&self) -> String {
        if self.path == "." {
            String::new()
        } else {
            self.path.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, Default)]
    struct Req {
        #[serde(default)]
        name: Given<String>,
        #[serde(default)]
        flag: Given<bool>,
        #[serde(default)]
        age: Given<NumberOrText>,
        #[serde(default)]
        inner: Given<Inner>,
        #[serde(flatten)]
        unknown: Unknown,
    }

    #[derive(Debug, Deserialize, Serialize, Default, PartialEq)]
    struct Inner {
        #[serde(default)]
        phone: Given<String>,
    }

    #[test]
    fn absent_null_value_and_wrong_type_are_told_apart() {
        let r: Req = read(serde_json::json!({
            "name": 5, "flag": null, "age": "30", "inner": {"phone": 1}, "extra": [1]
        }))
        .unwrap();
        assert_eq!(r.name, Given::Wrong);
        assert_eq!(r.flag, Given::Absent);
        assert_eq!(r.age, Given::Value(NumberOrText::Text("30".into())));
        assert_eq!(
            r.inner.value().map(|i| &i.phone),
            Some(&Given::<String>::Wrong)
        );
        assert_eq!(r.unknown.keys().collect::<Vec<_>>(), vec!["extra"]);
        let r: Req = read(serde_json::json!({"age": 30, "inner": "x"})).unwrap();
        assert_eq!(r.inner, Given::Wrong);
        assert!(matches!(r.age, Given::Value(NumberOrText::Number(_))));
        assert!(r.name.is_absent());
    }

    #[test]
    fn a_body_that_is_not_an_object_fails_on_the_whole_body() {
        let e = read::<Req>(serde_json::json!("x")).unwrap_err();
        assert_eq!(e.field(), "");
        let e = read::<Req>(serde_json::json!([1])).unwrap_err();
        assert_eq!(e.field(), "");
    }

    #[test]
    fn checked_reports_a_wrong_type_once() {
        let mut errs = Errors::default();
        let g: Given<String> = Given::Wrong;
        assert_eq!(
            g.checked(&mut errs, || FieldError::new(
                "n",
                "type",
                "应为文本",
                "Must be text"
            )),
            None
        );
        let g: Given<String> = Given::Value("a".into());
        assert_eq!(
            g.checked(&mut errs, || FieldError::new("n", "type", "", "")),
            Some(&"a".to_string())
        );
        assert_eq!(errs.0.len(), 1);
        assert_eq!(errs.0.first().map(|e| e.code), Some("type"));
    }

    #[test]
    fn a_given_value_serializes_as_itself_and_absent_as_null() {
        let r = Req {
            name: "张三".to_string().into(),
            ..Req::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["name"], "张三");
        assert!(v["flag"].is_null());
    }
}

//! Reading JSON request bodies, and the rule that a JSON body says it is JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use frontline_app::{AppError, Operation};
use frontline_core::org::Actor;
use frontline_core::{FieldError, Lang};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::PathItem;

use super::problem::{ApiError, problem};
use super::session::lang_of_headers;
use crate::AppState;

/// The operations that take a JSON body, as path template → methods: those the OpenAPI
/// document gives a JSON request body, so a new endpoint is covered the day it appears
/// (an upload that declares only `application/octet-stream` is not).
#[derive(Clone, Default)]
pub struct JsonOperations(Arc<HashMap<String, Vec<Method>>>);

impl JsonOperations {
    pub fn of(doc: &OpenApi) -> JsonOperations {
        let mut ops: HashMap<String, Vec<Method>> = HashMap::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in operations(item) {
                if op.request_body.as_ref().is_some_and(|b| match b {
                    utoipa::openapi::RefOr::T(b) => b.content.keys().any(|k| k.contains("json")),
                    utoipa::openapi::RefOr::Ref(_) => true,
                }) {
                    ops.entry(path.clone()).or_default().push(method);
                }
            }
        }
        JsonOperations(Arc::new(ops))
    }
}

fn operations(
    item: &PathItem,
) -> impl Iterator<Item = (Method, &utoipa::openapi::path::Operation)> {
    [
        (Method::POST, &item.post),
        (Method::PUT, &item.put),
        (Method::PATCH, &item.patch),
        (Method::DELETE, &item.delete),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

/// `Content-Type: application/json`, with or without parameters (`; charset=utf-8`).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Route middleware: an operation that takes a JSON body refuses any other content type
/// (or none) with 415, for every client, before the body is read.
pub async fn require_json(State(ops): State<JsonOperations>, req: Request, next: Next) -> Response {
    let takes_json = req.extensions().get::<MatchedPath>().is_some_and(|p| {
        ops.0
            .get(p.as_str())
            .is_some_and(|methods| methods.contains(req.method()))
    });
    if !takes_json || is_json(req.headers()) {
        return next.run(req).await;
    }
    problem(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        lang_of_headers(req.headers()),
        "请求内容类型不受支持",
        "Unsupported content type",
        &[FieldError::new(
            "",
            "body.content_type",
            "请求内容必须是 JSON（Content-Type: application/json）",
            "The body must be JSON (Content-Type: application/json)",
        )],
    )
}

/// Reads the body of `op`'s request into its contract (`contract` fails only on a body
/// that is not the contract's shape at all). When the body cannot be read (not JSON, too
/// large, a repeated key, not an object), the use case's authorization is asked first:
/// a role without the action is answered 403 (an object outside its scope 404) whatever
/// it sent, and only then 400/413/422. A readable body goes to the use case, which
/// authorizes before it checks the request.
pub async fn read_body<T>(
    state: &AppState,
    actor: &Actor,
    op: Operation,
    body: Result<Bytes, BytesRejection>,
    lang: Lang,
    contract: impl FnOnce(serde_json::Value) -> Result<T, AppError>,
) -> Result<T, ApiError> {
    match json_body(body, lang).and_then(|v| contract(v).map_err(ApiError::from)) {
        Ok(request) => Ok(request),
        Err(e) => {
            state.app.authorize(actor, op).await?;
            Err(e)
        }
    }
}

/// Parses a JSON body ourselves so that syntax errors, wrong types and oversize bodies
/// all come back as problem+json in the caller's language.
pub fn json_body(
    body: Result<Bytes, BytesRejection>,
    lang: Lang,
) -> Result<serde_json::Value, ApiError> {
    read_json(body, lang).map_err(|r| ApiError::Refused(Box::new(r)))
}

#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP response itself, returned at once"
)]
fn read_json(
    body: Result<Bytes, BytesRejection>,
    lang: Lang,
) -> Result<serde_json::Value, Response> {
    let bytes = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                "请求内容过大",
                "Request body too large",
                &[FieldError::new(
                    "",
                    "body.too_large",
                    format!("请求内容不能超过 {} KB", crate::BODY_LIMIT / 1024),
                    format!("The body must be at most {} KiB", crate::BODY_LIMIT / 1024),
                )],
            ));
        }
        Err(e) => {
            return Err(problem(
                e.status(),
                lang,
                "请求无法读取",
                "Cannot read request",
                &[],
            ));
        }
    };
    match strict::from_slice(&bytes) {
        Ok(v) => Ok(v),
        Err(strict::Refusal::Duplicate(key)) => Err(problem(
            StatusCode::BAD_REQUEST,
            lang,
            "请求内容不是有效的 JSON",
            "The body is not valid JSON",
            &[FieldError::new(
                key.clone(),
                "body.duplicate_key",
                format!("字段「{key}」出现了不止一次"),
                format!("The key “{key}” appears more than once"),
            )],
        )),
        Err(strict::Refusal::Json(e)) => Err(problem(
            StatusCode::BAD_REQUEST,
            lang,
            "请求内容不是有效的 JSON",
            "The body is not valid JSON",
            &[FieldError::new(
                "",
                "body.json",
                format!("JSON 格式错误（第 {} 行第 {} 列）", e.line(), e.column()),
                format!("Malformed JSON at line {}, column {}", e.line(), e.column()),
            )],
        )),
    }
}

/// JSON parsing that refuses a key repeated in one object (serde_json lets the last one
/// win silently, so `{"unit_id": a, "unit_id": b}` would mean whatever a reader assumes).
mod strict {
    use std::cell::RefCell;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    pub(super) enum Refusal {
        /// The dotted path of the repeated key (`caller.name`, `0.article`).
        Duplicate(String),
        Json(serde_json::Error),
    }

    pub(super) fn from_slice(bytes: &[u8]) -> Result<Value, Refusal> {
        let duplicate = RefCell::new(None);
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let read = Strict {
            path: String::new(),
            duplicate: &duplicate,
        }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
        match (read, duplicate.into_inner()) {
            (_, Some(key)) => Err(Refusal::Duplicate(key)),
            (Ok(v), None) => Ok(v),
            (Err(e), None) => Err(Refusal::Json(e)),
        }
    }

    /// Builds a `Value` like serde_json does, noting the first repeated key.
    struct Strict<'a> {
        path: String,
        duplicate: &'a RefCell<Option<String>>,
    }

    impl Strict<'_> {
        fn at(&self, key: &str) -> String {
            if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            }
        }
    }

    impl<'de> DeserializeSeed<'de> for Strict<'_> {
        type Value = Value;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Strict<'_> {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            self.deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(Strict {
                path: self.at(&out.len().to_string()),
                duplicate: self.duplicate,
            })? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let path = self.at(&key);
                if out.contains_key(&key) {
                    *self.duplicate.borrow_mut() = Some(path);
                    return Err(de::Error::custom("duplicate key"));
                }
                let v = map.next_value_seed(Strict {
                    path,
                    duplicate: self.duplicate,
                })?;
                out.insert(key, v);
            }
            Ok(Value::Object(out))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_repeated_key_is_refused_with_its_path() {
            let dup = |b: &str| match from_slice(b.as_bytes()) {
                Err(Refusal::Duplicate(k)) => k,
                _ => String::from("-"),
            };
            assert_eq!(dup(r#"{"a":1,"a":2}"#), "a");
            assert_eq!(dup(r#"{"caller":{"name":"x","name":"y"}}"#), "caller.name");
            assert_eq!(
                dup(r#"[{"article":"1"},{"article":"1","article":"2"}]"#),
                "1.article"
            );
            assert_eq!(dup(r#"{"a":{"b":1},"b":{"b":1}}"#), "-");
        }

        #[test]
        fn values_read_as_serde_json_reads_them() {
            let b = r#"{"s":"张三","n":-1,"u":18446744073709551615,"f":1.5,"t":true,"z":null,"l":[1,[2]]}"#;
            let v = from_slice(b.as_bytes()).ok();
            assert_eq!(v, serde_json::from_str(b).ok());
            assert!(matches!(from_slice(b"{\"a\":1} x"), Err(Refusal::Json(_))));
            assert!(matches!(from_slice(b"{\"a\":"), Err(Refusal::Json(_))));
        }
    }
}

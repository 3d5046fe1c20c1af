//! Reading JSON request bodies, and the rule that a JSON body says it is JSON.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use frontline_core::{FieldError, Lang};
use utoipa::openapi::path::PathItem;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use super::problem::{ApiError, problem};
use super::session::lang_of_headers;

/// The operations that take a JSON body, as `(method, path template)`: those the
/// OpenAPI document gives a request body, so a new endpoint is covered the day it appears.
#[derive(Clone, Default)]
pub struct JsonOperations(Arc<HashSet<(Method, String)>>);

impl JsonOperations {
    pub fn of(doc: &OpenApi) -> JsonOperations {
        let mut set = HashSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in operations(item) {
                if op.request_body.is_some() {
                    set.insert((method, path.clone()));
                }
            }
        }
        JsonOperations(Arc::new(set))
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
            .contains(&(req.method().clone(), p.as_str().to_string()))
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

/// Documents the 415 answer on every operation that takes a body.
pub fn document_unsupported_media_type(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            if op.request_body.is_some() {
                let content = ContentBuilder::new()
                    .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
                    .build();
                let response = ResponseBuilder::new()
                    .description("The body is not `application/json`")
                    .content("application/problem+json", content)
                    .build();
                op.responses
                    .responses
                    .entry("415".to_string())
                    .or_insert(RefOr::T(response));
            }
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
    serde_json::from_slice(&bytes).map_err(|e| {
        problem(
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
        )
    })
}

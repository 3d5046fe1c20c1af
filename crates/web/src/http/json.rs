//! Reading JSON request bodies.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use frontline_core::{FieldError, Lang};

use super::problem::{ApiError, problem};

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

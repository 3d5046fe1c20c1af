//! JSON API of legal periods: the deadline calculator, the rule catalog and
//! the holiday calendars.
//!
//! The `crate::api_deadline` tag on these paths is the one the published document has always had
//! (from the module these handlers used to live in); kept so the document is unchanged.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontline_app::AppError;
use frontline_app::deadlines::{
    CalendarList, CalendarYearView, DeadlineAnswer, DeadlineInput, RuleCatalogView,
};
use frontline_core::FieldError;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ApiSession;

/// Body of `POST /api/v1/deadlines/compute`: a period or a catalog rule.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the body; the handler reads the JSON field by field"
)]
pub struct DeadlineComputeRequest {
    /// RFC 3339 with an offset (`2026-09-30T10:00:00+08:00`), or Beijing wall-clock time
    /// (`2026-09-30T10:00`).
    pub start: String,
    /// `<N>h`, `<N>d` or `<N>m` (hours, days, months), e.g. `30d`; or give `rule`.
    pub period: Option<String>,
    /// A rule code from `/api/v1/deadline-rules` instead of `period`.
    pub rule: Option<String>,
    /// Custody / restricted personal liberty: never extended by holidays.
    #[serde(default)]
    pub custody: bool,
    /// Count working days only (day periods).
    #[serde(default)]
    pub working_days: bool,
    /// For a year whose holiday calendar is not loaded, assume plain weekends and flag
    /// the answer `provisional` (with a step saying so) instead of refusing.
    #[serde(default)]
    pub provisional: bool,
}

/// Body of `POST /api/v1/calendars`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the body; the handler reads the JSON field by field"
)]
pub struct CalendarUploadRequest {
    /// The year's calendar file (TOML, as `data/calendars/2026.toml`).
    pub text: String,
}

const COMPUTE_FIELDS: [&str; 6] = [
    "start",
    "period",
    "rule",
    "custody",
    "working_days",
    "provisional",
];

/// Reads the compute body field by field, so that each wrong type is named.
pub fn compute_input(v: &Value) -> Result<DeadlineInput, Vec<FieldError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "body.object",
            "请求内容应为 JSON 对象",
            "The body must be a JSON object",
        )]);
    };
    let mut errs = Vec::new();
    for k in obj.keys() {
        if !COMPUTE_FIELDS.contains(&k.as_str()) {
            errs.push(FieldError::new(
                k.clone(),
                "unknown_field",
                format!("未知字段「{k}」"),
                format!("Unknown field “{k}”"),
            ));
        }
    }
    let mut text = |k: &str| match obj.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.push(FieldError::new(
                k,
                "string",
                "应为字符串",
                "Must be a string",
            ));
            None
        }
    };
    let start = text("start");
    let period = text("period");
    let rule = text("rule");
    let mut flag = |k: &str| match obj.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errs.push(FieldError::new(
                k,
                "boolean",
                "应为 true 或 false",
                "Must be true or false",
            ));
            false
        }
    };
    let custody = flag("custody");
    let working_days = flag("working_days");
    let provisional = flag("provisional");
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(DeadlineInput {
        start,
        period,
        rule,
        custody,
        working_days,
        provisional,
    })
}

/// 期限计算: when a legal period ends, with the explanation step by step.
///
/// A day or month period ends at 24:00 of its last day (`due` is the next day's
/// `T00:00:00+08:00`); a last day that is a rest day rolls over to the next working day,
/// except in custody. A year whose holiday calendar is not loaded is refused with a
/// field error on `start` (`calendar.unknown`).
#[utoipa::path(post, tag = "crate::api_deadline", path = "/api/v1/deadlines/compute", request_body = DeadlineComputeRequest,
    responses((status = 200, body = DeadlineAnswer), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn compute_deadline(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DeadlineAnswer>, Response> {
    let v = json_body(body, lang)?;
    let input = compute_input(&v)
        .map_err(|e| ApiError::new(AppError::Validation(e), lang).into_response())?;
    let c = state
        .app
        .compute_deadline(&s.actor, &input)
        .await
        .map_err(|e| ApiError::new(e, lang).into_response())?;
    Ok(Json(c.view(lang)))
}

/// The deadline rule catalog (administrative and criminal time limits with their sources).
#[utoipa::path(get, tag = "crate::api_deadline", path = "/api/v1/deadline-rules",
    responses((status = 200, body = RuleCatalogView), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn deadline_rules(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<RuleCatalogView>, ApiError> {
    Ok(Json(state.app.deadline_rules(&s.actor, lang)?))
}

/// The loaded holiday calendars (built in and uploaded), by year.
#[utoipa::path(get, tag = "crate::api_deadline", path = "/api/v1/calendars",
    responses((status = 200, body = CalendarList), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn calendars(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<CalendarList>, ApiError> {
    state
        .app
        .calendars(&s.actor, lang)
        .await
        .map(Json)
        .map_err(|e| ApiError::new(e, lang))
}

/// Add or replace a year's holiday calendar (administrators). The file is validated
/// first; a refused one changes nothing and the error names the line or field. A valid
/// one is stored, audited and used at once.
#[utoipa::path(post, tag = "crate::api_deadline", path = "/api/v1/calendars", request_body = CalendarUploadRequest,
    responses((status = 201, body = CalendarYearView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_calendar(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let v = json_body(body, lang)?;
    let text = match v.get("text") {
        Some(Value::String(t)) => t.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            return Err(ApiError::new(
                AppError::field(FieldError::new(
                    "text",
                    "string",
                    "应为字符串",
                    "Must be a string",
                )),
                lang,
            )
            .into_response());
        }
    };
    let view = state
        .app
        .upload_calendar(&s.actor, &text, lang)
        .await
        .map_err(|e| ApiError::new(e, lang).into_response())?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

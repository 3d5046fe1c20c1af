//! JSON API of legal periods: the deadline calculator, the rule catalog and
//! the holiday calendars.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontline_app::Operation;
use frontline_app::period::{
    CalendarList, CalendarUploadRequest, CalendarYearView, DeadlineAnswer, DeadlineRequest,
    RuleCatalogView,
};

use crate::AppState;
use crate::http::json::read_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ApiSession;

/// 期限计算: when a legal period ends, with the explanation step by step.
///
/// A day or month period ends at 24:00 of its last day (`due` is the next day's
/// `T00:00:00+08:00`); a last day that is a rest day rolls over to the next working day,
/// except in custody. A year whose holiday calendar is not loaded is refused with a
/// field error on `start` (`calendar.unknown`).
#[utoipa::path(post, path = "/api/v1/deadlines/compute", request_body = DeadlineRequest,
    responses((status = 200, body = DeadlineAnswer), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn compute_deadline(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DeadlineAnswer>, ApiError> {
    let op = Operation::DeadlineCompute;
    let req = read_body(&state, &s.actor, op, body, lang, DeadlineRequest::from_json).await?;
    let c = state.app.compute_deadline(&s.actor, &req).await?;
    Ok(Json(c.view(lang)))
}

/// The deadline rule catalog (administrative and criminal time limits with their sources).
#[utoipa::path(get, path = "/api/v1/deadline-rules",
    responses((status = 200, body = RuleCatalogView), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn deadline_rules(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<RuleCatalogView>, ApiError> {
    Ok(Json(state.app.deadline_rules(&s.actor, lang)?))
}

/// The loaded holiday calendars (built in and uploaded), by year.
#[utoipa::path(get, path = "/api/v1/calendars",
    responses((status = 200, body = CalendarList), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn calendars(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<CalendarList>, ApiError> {
    Ok(Json(state.app.calendars(&s.actor, lang).await?))
}

/// Add or replace a year's holiday calendar (administrators). The file is validated
/// first; a refused one changes nothing and the error names the line or field. A valid
/// one is stored, audited and used at once.
#[utoipa::path(post, path = "/api/v1/calendars", request_body = CalendarUploadRequest,
    responses((status = 201, body = CalendarYearView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_calendar(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let op = Operation::CalendarUpload;
    let req = read_body(&state, &s.actor, op, body, lang, |v| {
        Ok(CalendarUploadRequest::from_json(v))
    })
    .await?;
    let view = state.app.upload_calendar(&s.actor, &req, lang).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

//! The incident API under `/api/v1/incidents`: intake, reading, the list and its CSV
//! export, unmasking the caller, and the category tree.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontline_app::AppError;
use frontline_app::incidents::{IncidentList, IncidentView, ListQuery, UnmaskedCaller};
use frontline_core::category::Category;
use frontline_core::incident::IncidentInput;
use frontline_core::{FieldError, Lang};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::export;
use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, ReqLang};

fn err(lang: Lang) -> impl Fn(AppError) -> ApiError {
    move |e| ApiError::new(e, lang)
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the body; the handler reads the JSON field by field"
)]
pub struct CallerInput {
    pub name: String,
    /// Mobile (11 digits) or landline with area code.
    pub phone: String,
    /// GB 11643 citizen ID number (optional).
    pub id_number: Option<String>,
}

/// Body of `POST /api/v1/incidents`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the body; the handler reads the JSON field by field"
)]
pub struct IncidentCreateRequest {
    /// RFC 3339; defaults to now; at most 5 minutes in the future.
    pub reported_at: Option<String>,
    /// A sub-category code from `/api/v1/incident-categories`.
    pub category: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    /// Owning station; only command centre and administrators may name another unit.
    pub unit_id: Option<Uuid>,
    pub caller: CallerInput,
    pub narrative: String,
}

/// 接警登记: file an incident.
#[utoipa::path(post, path = "/api/v1/incidents", request_body = IncidentCreateRequest,
    responses((status = 201, body = IncidentView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create_incident(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let v = json_body(body, lang)?;
    let input = IncidentInput::from_json(&v)
        .map_err(|e| ApiError::new(AppError::Validation(e), lang).into_response())?;
    let row = state
        .app
        .create_incident(&s.actor, &input)
        .await
        .map_err(|e| ApiError::new(e, lang).into_response())?;
    let view = state.app.incident_view(&row, lang);
    let mut headers = HeaderMap::new();
    if let Ok(v) = format!("/api/v1/incidents/{}", row.id).parse() {
        headers.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, headers, Json(view)).into_response())
}

/// One incident (identifiers masked). Another unit's incident reads as 404.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = IncidentView), (status = 404, body = Problem)))]
pub async fn get_incident(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<IncidentView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::new(AppError::NotFound, lang))?;
    let row = state.app.incident(&s.actor, id).await.map_err(err(lang))?;
    Ok(Json(state.app.incident_view(&row, lang)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Reported on or after (date `2026-11-01` or RFC 3339).
    pub from: Option<String>,
    /// Reported on or before (a date includes that whole day).
    pub to: Option<String>,
    /// Category code; a top-level code covers its sub-categories.
    pub category: Option<String>,
    pub unit_id: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// `-reported_at` (newest first, default) or `reported_at` (oldest first).
    pub sort: Option<String>,
}

fn int_param(field: &str, v: &Option<String>, errs: &mut Vec<FieldError>) -> Option<i64> {
    let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match s.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "integer",
                "应为整数",
                "Must be an integer",
            ));
            None
        }
    }
}

pub fn list_query(p: ListParams) -> Result<ListQuery, AppError> {
    let mut errs = Vec::new();
    let page = int_param("page", &p.page, &mut errs);
    let per_page = int_param("per_page", &p.per_page, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    Ok(ListQuery {
        from: p.from,
        to: p.to,
        category: p.category,
        unit_id: p.unit_id,
        page,
        per_page,
        sort: p.sort,
    })
}

/// Incidents in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/incidents", params(ListParams),
    responses((status = 200, body = IncidentList), (status = 422, body = Problem)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(p): Query<ListParams>,
) -> Result<Json<IncidentList>, ApiError> {
    let q = list_query(p).map_err(err(lang))?;
    let (rows, total, page, per_page) = state
        .app
        .list_incidents(&s.actor, &q)
        .await
        .map_err(err(lang))?;
    Ok(Json(IncidentList {
        items: rows
            .iter()
            .map(|r| state.app.incident_view(r, lang))
            .collect(),
        total,
        page,
        per_page,
    }))
}

/// 导出: every incident the filters select (not one page) as a CSV file, newest first;
/// phone and ID numbers masked, UTF-8 with a byte-order mark. More than the export limit
/// (10,000) is refused with a field error, never cut short. Audited.
#[utoipa::path(get, path = "/api/v1/incidents/export", params(ListParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_incidents(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    headers: axum::http::HeaderMap,
    Query(p): Query<ListParams>,
) -> Result<Response, ApiError> {
    if export::cross_site_cookie_request(&headers) {
        return Err(ApiError::new(AppError::Forbidden, lang));
    }
    let q = list_query(p).map_err(err(lang))?;
    let rows = state
        .app
        .export_incidents(&s.actor, &q)
        .await
        .map_err(err(lang))?;
    let csv = export::incidents_csv(&state.app, &rows, lang);
    Ok(export::csv_response(csv, "incidents", state.app.now()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnmaskRequest {
    /// 查询事由: why the whole number is needed (audited).
    pub purpose: String,
}

/// Show the caller's phone and ID number whole; requires a purpose and is audited.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/caller/unmask", params(("id" = Uuid, Path)), request_body = UnmaskRequest,
    responses((status = 200, body = UnmaskedCaller), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unmask_caller(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UnmaskedCaller>, Response> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::new(AppError::NotFound, lang).into_response())?;
    let v = json_body(body, lang)?;
    let purpose = v.get("purpose").and_then(|p| p.as_str()).unwrap_or("");
    state
        .app
        .unmask_caller(&s.actor, id, purpose)
        .await
        .map(Json)
        .map_err(|e| ApiError::new(e, lang).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryNode {
    pub code: String,
    pub name: String,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

fn node(c: &Category, lang: Lang) -> CategoryNode {
    CategoryNode {
        code: c.code.clone(),
        name: match lang {
            Lang::Zh => c.name_zh.clone(),
            Lang::En => c.name_en.clone(),
        },
        children: c.children.iter().map(|c| node(c, lang)).collect(),
    }
}

/// The incident category tree (two levels).
#[utoipa::path(get, path = "/api/v1/incident-categories", responses((status = 200, body = [CategoryNode])))]
pub async fn categories(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
) -> Json<Vec<CategoryNode>> {
    Json(
        state
            .app
            .categories
            .roots()
            .iter()
            .map(|c| node(c, lang))
            .collect(),
    )
}

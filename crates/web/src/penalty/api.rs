//! Penalty discretion under `/api/v1/penalty`: the calculator (audited), the catalog of
//! the loaded standard, and a bureau's discretion standards (administrators).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontline_app::penalty::{
    AssessAnswer, AssessBody, CatalogQuery, PenaltyCatalogView, StandardList, StandardUpload,
    StandardUploadRequest, StandardView,
};
use frontline_app::{AppError, Operation};
use frontline_core::org::Actor;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::http::json::read_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ApiSession;

/// Standards are larger than other bodies (the default one is about 150 KB).
pub const STANDARD_BODY_LIMIT: usize = frontline_app::penalty::STANDARD_MAX_BYTES + 64 * 1024;

// ---- handlers ----

/// 裁量计算: assess one violation with the standard in use (audited; no personal data).
/// An array of requests (several violations of one person) answers each assessment and
/// their combination (第16条), as `frontline penalty assess` does; errors name `n.field`.
#[utoipa::path(post, path = "/api/v1/penalty/assessments", request_body = AssessBody,
    responses((status = 200, body = AssessAnswer), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn assess(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let op = Operation::PenaltyAssess;
    let body = read_body(&state, &s.actor, op, body, lang, |v| {
        Ok(AssessBody::read(v))
    })
    .await?;
    Ok(assess_body(&state, &s.actor, &body).await.into_response())
}

async fn assess_body(
    state: &AppState,
    actor: &Actor,
    body: &AssessBody,
) -> Result<Json<AssessAnswer>, ApiError> {
    Ok(Json(state.app.assess_request(actor, body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CatalogParams {
    /// An article number, a violation code or words of a title, item or situation.
    pub q: Option<String>,
    /// One article (2025 numbering).
    pub article: Option<String>,
}

/// The catalog: articles, violations, tiers, situations and circumstances of the
/// standard in use, each with the article it comes from.
#[utoipa::path(get, path = "/api/v1/penalty/catalog", params(CatalogParams),
    responses((status = 200, body = PenaltyCatalogView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn catalog(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
    Query(p): Query<CatalogParams>,
) -> Result<Json<PenaltyCatalogView>, ApiError> {
    let q = CatalogQuery {
        q: p.q,
        article: p.article,
    };
    Ok(Json(state.app.penalty_catalog(&s.actor, &q).await?))
}

/// Stored discretion standards (administrators): which one is in use, every version.
#[utoipa::path(get, path = "/api/v1/penalty/standards",
    responses((status = 200, body = StandardList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_standards(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
) -> Result<Json<StandardList>, ApiError> {
    Ok(Json(state.app.list_standards(&s.actor).await?))
}

/// Upload a discretion standard (administrators): validated against the statute and
/// stored as an inactive draft; a refused one names its line and changes nothing.
#[utoipa::path(post, path = "/api/v1/penalty/standards", request_body = StandardUploadRequest,
    responses((status = 201, body = StandardUpload), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_standard(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let op = Operation::StandardManage;
    let req = read_body(&state, &s.actor, op, body, lang, |v| {
        Ok(StandardUploadRequest::read(v))
    })
    .await?;
    Ok(upload(&state, &s.actor, &req).await.into_response())
}

async fn upload(
    state: &AppState,
    actor: &Actor,
    req: &StandardUploadRequest,
) -> Result<(StatusCode, HeaderMap, Json<StandardUpload>), ApiError> {
    let up = state.app.upload_standard_request(actor, req).await?;
    let mut headers = HeaderMap::new();
    if let Ok(v) = "/api/v1/penalty/standards".parse() {
        headers.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, headers, Json(up)))
}

/// Activate a stored standard (administrators); the previous one stays on record.
#[utoipa::path(post, path = "/api/v1/penalty/standards/{id}/activate", params(("id" = Uuid, Path)),
    responses((status = 200, body = StandardView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn activate_standard(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<StandardView>, ApiError> {
    // An id that is not one reads as a standard that does not exist, once the actor may
    // manage standards at all.
    let Ok(id) = Uuid::parse_str(&id) else {
        state
            .app
            .authorize(&s.actor, Operation::StandardManage)
            .await?;
        return Err(AppError::NotFound.into());
    };
    Ok(Json(state.app.activate_standard(&s.actor, id).await?))
}

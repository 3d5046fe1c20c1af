//! JSON API under `/api/v1`, documented by the OpenAPI document generated from these
//! annotations and served at `/api/openapi.json`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use frontline_app::AppError;
use frontline_app::incidents::{IncidentList, IncidentView, ListQuery, UnmaskedCaller};
use frontline_app::org::{DistrictView, UnitView};
use frontline_core::category::Category;
use frontline_core::incident::IncidentInput;
use frontline_core::{FieldError, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::problem::{ApiError, Problem, problem};
use crate::session::{ApiSession, ReqLang, SESSION_COOKIE};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontline API",
        description = "一线警务平台 / Frontline policing operations API"
    ),
    paths(
        login,
        logout,
        me,
        create_incident,
        get_incident,
        list_incidents,
        export_incidents,
        unmask_caller,
        categories,
        units,
        crate::api_penalty::assess,
        crate::api_penalty::catalog,
        crate::api_penalty::list_standards,
        crate::api_penalty::upload_standard,
        crate::api_penalty::activate_standard,
        crate::api_deadline::compute_deadline,
        crate::api_deadline::deadline_rules,
        crate::api_deadline::calendars,
        crate::api_deadline::upload_calendar
    ),
    components(schemas(
        Problem,
        LoginRequest,
        LoginResponse,
        Me,
        IncidentCreateRequest,
        CallerInput,
        IncidentView,
        IncidentList,
        UnmaskedCaller,
        UnmaskRequest,
        CategoryNode,
        UnitView,
        DistrictView,
        crate::api_penalty::PenaltyAssessRequest,
        crate::api_penalty::PenaltyPerson,
        crate::api_penalty::PenaltyAssessment,
        crate::api_penalty::PenaltyRange,
        crate::api_penalty::PenaltySubRange,
        crate::api_penalty::PenaltyRecommended,
        crate::api_penalty::PenaltyStep,
        crate::api_penalty::PenaltyCite,
        crate::api_penalty::StandardUploadRequest,
        crate::api_penalty::PenaltyCombined,
        crate::api_penalty::PenaltyAssessmentSet,
        crate::api_penalty::PenaltyAssessBody,
        crate::api_penalty::PenaltyAssessResult,
        frontline_app::penalty::PenaltyCatalogView,
        frontline_app::penalty::StandardInUse,
        frontline_app::penalty::ArticleView,
        frontline_app::penalty::ItemView,
        frontline_app::penalty::ViolationView,
        frontline_app::penalty::TierView,
        frontline_app::penalty::SituationView,
        frontline_app::penalty::CircumstanceView,
        frontline_app::penalty::StandardView,
        frontline_app::penalty::StandardList,
        frontline_app::penalty::StandardUpload,
        crate::api_deadline::DeadlineComputeRequest,
        crate::api_deadline::CalendarUploadRequest,
        frontline_app::deadlines::DeadlineAnswer,
        frontline_app::deadlines::ExplainStep,
        frontline_app::deadlines::RuleRef,
        frontline_app::deadlines::RuleCatalogView,
        frontline_app::deadlines::RuleView,
        frontline_app::deadlines::BasisView,
        frontline_app::deadlines::ExtensionView,
        frontline_app::deadlines::CalendarList,
        frontline_app::deadlines::CalendarYearView,
        frontline_app::deadlines::HolidayView
    ))
)]
pub struct ApiDoc;

pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi_json()) }),
        )
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
        .route(
            "/api/v1/incidents",
            post(create_incident).get(list_incidents),
        )
        .route("/api/v1/incidents/export", get(export_incidents))
        .route("/api/v1/incidents/{id}", get(get_incident))
        .route("/api/v1/incidents/{id}/caller/unmask", post(unmask_caller))
        .route("/api/v1/incident-categories", get(categories))
        .route("/api/v1/units", get(units))
}

/// Parses a JSON body ourselves so that syntax errors, wrong types and oversize bodies
/// all come back as problem+json in the caller's language.
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP response itself, returned at once"
)]
pub fn json_body(
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

fn err(lang: Lang) -> impl Fn(AppError) -> ApiError {
    move |e| ApiError::new(e, lang)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub me: Me,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub roles: Vec<String>,
}

fn me_of(state: &AppState, s: &frontline_app::auth::Session) -> Me {
    Me {
        id: s.actor.officer_id,
        username: s.actor.username.clone(),
        display_name: s.actor.display_name.clone(),
        unit_id: s.actor.unit_id,
        unit_name: state.app.org.unit_name(s.actor.unit_id),
        roles: s
            .actor
            .roles
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
    }
}

/// A browser-session cookie (gone when the browser closes); the server-side session
/// expires on its own after `session_hours` either way.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Clears the session cookie (with the attributes it was set with).
pub fn session_cookie_removal(secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Sign in: sets the session cookie and returns the same token for API use.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let v = json_body(body, lang)?;
    let req: LoginRequest = serde_json::from_value(v).map_err(|_| {
        problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            "提交的内容有误",
            "The request has invalid fields",
            &[FieldError::new(
                "",
                "login.fields",
                "请提供用户名和密码",
                "username and password are required",
            )],
        )
    })?;
    let (token, session) = state
        .app
        .login(&req.username, &req.password, &addr.ip().to_string())
        .await
        .map_err(|e| ApiError::new(e, lang).into_response())?;
    let body = LoginResponse {
        token: token.clone(),
        expires_at: frontline_app::incidents::rfc3339_bj(session.expires_at),
        me: me_of(&state, &session),
    };
    let jar = jar.add(session_cookie(token, state.app.config.secure_cookies));
    Ok((jar, Json(body)).into_response())
}

/// Sign out (ends the session behind the token or cookie).
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    state.app.logout(&s).await.map_err(err(lang))?;
    Ok((
        jar.remove(session_cookie_removal(state.app.config.secure_cookies)),
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// The signed-in officer.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiSession(s, _): ApiSession) -> Json<Me> {
    Json(me_of(&state, &s))
}

#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CallerInput {
    pub name: String,
    /// Mobile (11 digits) or landline with area code.
    pub phone: String,
    /// GB 11643 citizen ID number (optional).
    pub id_number: Option<String>,
}

/// Body of `POST /api/v1/incidents`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
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
    if crate::export::cross_site_cookie_request(&headers) {
        return Err(ApiError::new(AppError::Forbidden, lang));
    }
    let q = list_query(p).map_err(err(lang))?;
    let rows = state
        .app
        .export_incidents(&s.actor, &q)
        .await
        .map_err(err(lang))?;
    let csv = crate::export::incidents_csv(&state.app, &rows, lang);
    Ok(crate::export::csv_response(
        csv,
        "incidents",
        state.app.now(),
    ))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitsResponse {
    pub units: Vec<UnitView>,
    pub districts: Vec<DistrictView>,
}

/// Units and districts (organisation names are not personal data).
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = UnitsResponse)))]
pub async fn units(State(state): State<AppState>, _session: ApiSession) -> Json<UnitsResponse> {
    let units = state.app.org.units();
    let districts = units
        .iter()
        .flat_map(|u| state.app.org.districts_of(u.id))
        .collect();
    Json(UnitsResponse { units, districts })
}

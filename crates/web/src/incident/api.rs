//! The incident API under `/api/v1/incidents`: intake, reading, the list and its CSV
//! export, unmasking the caller, the category tree and the purposes of access.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontline_app::incident::{
    AcknowledgeRequest, CallbackRequest, CallbackReviewRequest, CallbackSummary, CallbackView,
    DailyReview, DailyReviewQuery, ElementsAnswer, ElementsRequest, IncidentDetail, IncidentList,
    IncidentRequest, IncidentView, ListQuery, PushAnswerRequest, PushList, PushView,
    ReviewMarkRequest, ReviewMarkView, TransitionRequest, UnmaskRequest, UnmaskedCaller,
};
use frontline_app::{AppError, Operation};
use frontline_core::Lang;
use frontline_core::incident::category::Category;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::export;
use crate::AppState;
use crate::http::json::read_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, ReqLang};

/// 接警登记: file an incident.
#[utoipa::path(post, path = "/api/v1/incidents", request_body = IncidentRequest,
    responses((status = 201, body = IncidentView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create_incident(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request = read_body(
        &state,
        &s.actor,
        Operation::IncidentCreate,
        body,
        lang,
        |v| IncidentRequest::read(v).map_err(AppError::Validation),
    )
    .await?;
    let row = state.app.create_incident(&s.actor, &request).await?;
    let view = state.app.incident_view(&row, lang);
    let mut headers = HeaderMap::new();
    if let Ok(v) = format!("/api/v1/incidents/{}", row.id).parse() {
        headers.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, headers, Json(view)).into_response())
}

/// One incident with its status, version and timeline (identifiers masked). Another
/// unit's incident reads as 404.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = IncidentDetail), (status = 404, body = Problem)))]
pub async fn get_incident(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let row = state.app.incident(&s.actor, id).await?;
    let parts = state.app.incident_parts(&row).await?;
    Ok(Json(
        state.app.incident_detail(&s.actor, &row, &parts, lang),
    ))
}

/// 警情流转: one lifecycle step (dispatch, arrive, dispose, close, refer, convert,
/// reopen) made against the `version` the client saw. A step not allowed from the
/// current state is 409 `incident.transition_not_allowed`; a stale version is 409
/// `conflict.stale_version`; exactly one of concurrent steps wins.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/transitions", params(("id" = Uuid, Path)),
    request_body = TransitionRequest,
    responses((status = 200, body = IncidentDetail), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn transition_incident(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let op = Operation::IncidentTransition(id);
    let request = read_body(&state, &s.actor, op, body, lang, |v| {
        Ok(TransitionRequest::read(v))
    })
    .await?;
    let row = state
        .app
        .transition_incident(&s.actor, id, &request)
        .await?;
    let parts = state.app.incident_parts(&row).await?;
    Ok(Json(
        state.app.incident_detail(&s.actor, &row, &parts, lang),
    ))
}

/// Incidents in the caller's scope, newest first.
// A role that reads no incidents at all is refused (403).
#[utoipa::path(get, path = "/api/v1/incidents", params(ListQuery),
    responses((status = 200, body = IncidentList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<ListQuery>,
) -> Result<Json<IncidentList>, ApiError> {
    let (rows, total, page, per_page) = state.app.list_incidents(&s.actor, &q).await?;
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
/// (10,000) is refused with a field error, never cut short. Needs the password or a code
/// re-entered within 10 minutes (403 `auth.reauthentication_required`; sign-in counts).
/// Audited.
#[utoipa::path(get, path = "/api/v1/incidents/export", params(ListQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn export_incidents(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    headers: axum::http::HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    if export::cross_site_cookie_request(&headers) {
        return Err(AppError::Forbidden.into());
    }
    let rows = state.app.export_incidents(&s, &q).await?;
    let csv = export::incidents_csv(&state.app, &rows, lang);
    Ok(export::csv_response(csv, "incidents", state.app.now()))
}

/// Show the caller's phone and ID number whole, and the free texts (narrative, address,
/// timeline notes and step details) with the numbers typed into them; requires a
/// purpose and the password or a code re-entered within 10 minutes (403
/// `auth.reauthentication_required`; sign-in counts), and is audited.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/caller/unmask", params(("id" = Uuid, Path)), request_body = UnmaskRequest,
    responses((status = 200, body = UnmaskedCaller), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unmask_caller(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let op = Operation::CallerUnmask(id);
    let request = read_body(&state, &s.actor, op, body, lang, |v| {
        Ok(UnmaskRequest::read(v))
    })
    .await?;
    let shown: UnmaskedCaller = state.app.unmask_caller(&s, id, &request).await?;
    Ok(Json(shown).into_response())
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
#[utoipa::path(get, path = "/api/v1/incident-categories", security(()), responses((status = 200, body = [CategoryNode])))]
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

/// 查询事由: one purpose an unmasking may state.
#[derive(Debug, Serialize, ToSchema)]
pub struct PurposeItem {
    /// What `purpose` of an unmask request takes, e.g. `callback`.
    pub code: String,
    /// The name in the request's language.
    pub name: String,
    /// Whether the unmask request must also carry a `purpose_text` (`other`).
    pub text_required: bool,
}

/// The purposes of access an unmasking may state, in the order to offer them (data,
/// not personal: open without a session, like the category tree).
#[utoipa::path(get, path = "/api/v1/unmask-purposes", security(()), responses((status = 200, body = [PurposeItem])))]
pub async fn unmask_purposes(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
) -> Json<Vec<PurposeItem>> {
    Json(
        state
            .app
            .purposes
            .all()
            .iter()
            .map(|p| PurposeItem {
                code: p.code.clone(),
                name: p.name(lang).to_string(),
                text_required: p.text_required,
            })
            .collect(),
    )
}

/// The callback queue (回访队列): closed incidents of the caller's scope whose callback is
/// due, the longest waiting first.
#[utoipa::path(get, path = "/api/v1/callbacks", params(CallbackQueueQuery),
    responses((status = 200, body = IncidentList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn callback_queue(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<CallbackQueueQuery>,
) -> Result<Json<IncidentList>, ApiError> {
    let page = q.page(lang)?;
    Ok(Json(state.app.callback_queue(&s.actor, page, lang).await?))
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct CallbackQueueQuery {
    /// Page number, from 1.
    #[param(value_type = i64, minimum = 1, maximum = 10000, required = false)]
    pub page: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub other: std::collections::BTreeMap<String, String>,
}

impl CallbackQueueQuery {
    fn page(&self, _lang: Lang) -> Result<i64, AppError> {
        let mut errs: Vec<frontline_core::FieldError> = self
            .other
            .keys()
            .map(|k| {
                frontline_core::FieldError::new(
                    k.as_str(),
                    "unknown_parameter",
                    "不支持的查询参数",
                    "Unknown query parameter",
                )
            })
            .collect();
        let page = match self
            .page
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => 1,
            Some(p) => p.parse::<i64>().unwrap_or(0),
        };
        if !(1..=10_000).contains(&page) {
            errs.push(frontline_core::FieldError::new(
                "page",
                "page.range",
                "页码不正确",
                "page is out of range",
            ));
        }
        if errs.is_empty() {
            Ok(page)
        } else {
            Err(AppError::Validation(errs))
        }
    }
}

/// 回访: record one callback attempt on a closed incident whose callback is due. A
/// dissatisfied answer is sent to the station chief for review. On an incident not
/// closed: 409 `callback.incident_not_closed`; no callback due: 409 `callback.not_due`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/callbacks", params(("id" = Uuid, Path)),
    request_body = CallbackRequest,
    responses((status = 200, body = CallbackSummary), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_callback(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CallbackSummary>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::IncidentCallback(id),
        body,
        lang,
        |v| Ok(CallbackRequest::read(v)),
    )
    .await?;
    Ok(Json(
        state
            .app
            .record_callback(&s.actor, id, &request, lang)
            .await?,
    ))
}

/// The station chief's review of a dissatisfied callback (不满意件审核).
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/review", params(("id" = Uuid, Path)),
    request_body = CallbackReviewRequest,
    responses((status = 200, body = CallbackView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review_callback(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CallbackView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::CallbackReview(id),
        body,
        lang,
        |v| Ok(CallbackReviewRequest::read(v)),
    )
    .await?;
    Ok(Json(
        state
            .app
            .review_callback(&s.actor, id, &request, lang)
            .await?,
    ))
}

/// 三清点调: the daily review of a day (default yesterday, Beijing time), per station:
/// totals by category against the same weekday last week and the same date last year,
/// and the repeat, dissatisfied, dispute-related and still open incidents.
#[utoipa::path(get, path = "/api/v1/daily-review", params(DailyReviewQuery),
    responses((status = 200, body = DailyReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn daily_review(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<DailyReviewQuery>,
) -> Result<Json<DailyReview>, ApiError> {
    Ok(Json(state.app.daily_review(&s.actor, &q, lang).await?))
}

/// Marks an incident of a day's review reviewed, with an optional instruction to its
/// station (sent to the station chief). Marking again replaces the mark.
#[utoipa::path(post, path = "/api/v1/daily-review/marks", request_body = ReviewMarkRequest,
    responses((status = 200, body = ReviewMarkView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn mark_reviewed(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReviewMarkView>, ApiError> {
    let request = read_body(
        &state,
        &s.actor,
        Operation::DailyReviewMark,
        body,
        lang,
        |v| Ok(ReviewMarkRequest::read(v)),
    )
    .await?;
    Ok(Json(state.app.mark_reviewed(&s.actor, &request).await?))
}

/// The station acknowledges an instruction of the daily review (its chief).
#[utoipa::path(post, path = "/api/v1/daily-review/marks/acknowledge", request_body = AcknowledgeRequest,
    responses((status = 200, body = ReviewMarkView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn acknowledge_instruction(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReviewMarkView>, ApiError> {
    let request = read_body(
        &state,
        &s.actor,
        Operation::InstructionAcknowledge,
        body,
        lang,
        |v| Ok(AcknowledgeRequest::read(v)),
    )
    .await?;
    Ok(Json(
        state
            .app
            .acknowledge_instruction(&s.actor, &request)
            .await?,
    ))
}

/// 要素提取: the phone numbers, ID numbers (valid check character only), plates, amounts
/// and times of a narrative being typed at intake, as suggestions for the officer to
/// confirm. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/incidents/elements", request_body = ElementsRequest,
    responses((status = 200, body = ElementsAnswer), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn extract_elements(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ElementsAnswer>, ApiError> {
    let request = read_body(
        &state,
        &s.actor,
        Operation::IncidentCreate,
        body,
        lang,
        |v| Ok(ElementsRequest::read(v)),
    )
    .await?;
    Ok(Json(state.app.extract_elements(&s.actor, &request)?))
}

/// Disputes pushed to street offices (双推): a street office's account sees what was
/// pushed to its office (no caller identifiers); a station's officers what their station
/// pushed, with the answers.
#[utoipa::path(get, path = "/api/v1/pushes", params(CallbackQueueQuery),
    responses((status = 200, body = PushList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_pushes(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<CallbackQueueQuery>,
) -> Result<Json<PushList>, ApiError> {
    let page = q.page(lang)?;
    Ok(Json(state.app.pushes(&s.actor, page).await?))
}

/// The street office answers a pushed dispute with a note (once); the station is told.
#[utoipa::path(post, path = "/api/v1/pushes/{id}/answer", params(("id" = Uuid, Path)),
    request_body = PushAnswerRequest,
    responses((status = 200, body = PushView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_push(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::PushAnswer(id),
        body,
        lang,
        |v| Ok(PushAnswerRequest::read(v)),
    )
    .await?;
    Ok(Json(state.app.answer_push(&s.actor, id, &request).await?))
}

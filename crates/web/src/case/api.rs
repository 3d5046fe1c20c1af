//! The case API under `/api/v1/cases` and the deadline board `/api/v1/deadlines`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontline_app::case::decision::{
    ConsistencyQuery, ConsistencyReport, DecisionReviewRequest, PenaltyDecisionRequest,
    PenaltyDecisionView, PriorAnswer, PriorLookupRequest, ReviewQueue,
};
use frontline_app::case::{
    CaseDetail, CaseList, CaseListQuery, CaseRequest, CaseStepRequest, DeadlineBoard,
    DeadlineQuery, ExtensionRequest, MeasureActRequest, MeasureRequest,
};
use frontline_app::{AppError, Operation};
use uuid::Uuid;

use crate::AppState;
use crate::http::json::read_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ApiSession;

/// 受案: accept a case, directly or from an incident converted to a case. Acceptance
/// starts the rule's deadline (administrative: `admin.case_handling`) and issues the
/// receipt's query code. An incident not converted to a case, or already taken over, is
/// 409 `case.incident_not_convertible`.
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseRequest,
    responses((status = 201, body = CaseDetail), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_case(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request = read_body(&state, &s.actor, Operation::CaseCreate, body, lang, |v| {
        Ok(CaseRequest::read(v))
    })
    .await?;
    let row = state.app.create_case(&s.actor, &request).await?;
    let detail = state.app.case_detail(&s.actor, &row, lang).await?;
    let mut headers = HeaderMap::new();
    if let Ok(v) = format!("/api/v1/cases/{}", row.id).parse() {
        headers.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, headers, Json(detail)).into_response())
}

/// Cases in the caller's scope, newest first. Unknown parameters are refused.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseListQuery),
    responses((status = 200, body = CaseList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_cases(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<CaseListQuery>,
) -> Result<Json<CaseList>, ApiError> {
    Ok(Json(state.app.list_cases(&s.actor, &q, lang).await?))
}

/// One case with its deadlines, timeline and parties (identifiers masked). Another
/// unit's case reads as 404.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let row = state.app.case(&s.actor, id).await?;
    Ok(Json(state.app.case_detail(&s.actor, &row, lang).await?))
}

/// 案件流转: one lifecycle step made against the `version` the client saw. A step not
/// allowed from the current state is 409 `case.transition_not_allowed`; a stale version
/// is 409 `conflict.stale_version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", params(("id" = Uuid, Path)),
    request_body = CaseStepRequest,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition_case(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::CaseTransition(id),
        body,
        lang,
        |v| Ok(CaseStepRequest::read(v)),
    )
    .await?;
    let row = state.app.transition_case(&s.actor, id, &request).await?;
    Ok(Json(state.app.case_detail(&s.actor, &row, lang).await?))
}

/// 期限看板: deadlines in the caller's scope: `due_soon` (past the first reminder),
/// `overdue`, `met` (the last 7 days) or every `running` one, with the counts of each.
#[utoipa::path(get, path = "/api/v1/deadlines", params(DeadlineQuery),
    responses((status = 200, body = DeadlineBoard), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn deadline_board(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<DeadlineQuery>,
) -> Result<Json<DeadlineBoard>, ApiError> {
    Ok(Json(state.app.deadline_board(&s.actor, &q, lang).await?))
}

/// 延长办案期限: record an approved extension of a running deadline, as its rule allows
/// (which extension, for an "up to" one the amount granted, the approver and the
/// approval's number). Beyond the rule's maximum, none left, after expiry or without an
/// approver: 422 on the field; a stale `version` or an ended deadline: 409.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/extensions", params(("id" = Uuid, Path)),
    request_body = ExtensionRequest,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn extend_deadline(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::DeadlineExtend(id),
        body,
        lang,
        |v| Ok(ExtensionRequest::read(v)),
    )
    .await?;
    let row = state.app.extend_deadline(&s.actor, id, &request).await?;
    Ok(Json(state.app.case_detail(&s.actor, &row, lang).await?))
}

/// 强制措施: start a coercive measure on one of the case's suspects (传唤、拘留、提请批准
/// 逮捕、取保候审、监视居住); it starts its deadlines (e.g. detention: to the detention
/// centre, the family told and the interrogation within 24 hours, the arrest request
/// within 3 days). A measure the case's kind does not take, or a party who is not a
/// suspect: 422.
#[utoipa::path(post, path = "/api/v1/cases/{id}/measures", params(("id" = Uuid, Path)),
    request_body = MeasureRequest,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn start_measure(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::MeasureStart(id),
        body,
        lang,
        |v| Ok(MeasureRequest::read_json(v)),
    )
    .await?;
    let row = state.app.start_measure(&s.actor, id, &request).await?;
    Ok(Json(state.app.case_detail(&s.actor, &row, lang).await?))
}

/// An act on a running measure (`lock_up`, `notify_family`, `interrogate`) meets its
/// deadline; `end` ends the measure and meets whatever of its deadlines still runs.
#[utoipa::path(post, path = "/api/v1/measures/{id}/acts", params(("id" = Uuid, Path)),
    request_body = MeasureActRequest,
    responses((status = 200, body = CaseDetail), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn measure_act(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::MeasureAct(id),
        body,
        lang,
        |v| Ok(MeasureActRequest::read_json(v)),
    )
    .await?;
    let row = state.app.record_measure_act(&s.actor, id, &request).await?;
    Ok(Json(state.app.case_detail(&s.actor, &row, lang).await?))
}

/// 处罚意见: the case officer's proposal for one suspect of an administrative case under
/// investigation. The server looks up the party's earlier decisions by ID number (the
/// `purpose` is required then and audited), adds the circumstances they establish,
/// assesses each violation with the standard in use, and checks the decided penalty:
/// outside the statutory range or in a form the article does not provide is 422
/// `penalty.outside_statute`; a departure from the recommendation without a reason is
/// 422 `penalty.departure_reason_required`. Answers the proposal, awaiting legal review.
#[utoipa::path(post, path = "/api/v1/cases/{id}/penalty-decision", params(("id" = Uuid, Path)),
    request_body = PenaltyDecisionRequest,
    responses((status = 201, body = PenaltyDecisionView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_penalty(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::PenaltyPropose(id),
        body,
        lang,
        |v| Ok(PenaltyDecisionRequest::read(v)),
    )
    .await?;
    let view = state
        .app
        .propose_penalty_decision(&s.actor, id, &request)
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// 法制审核: approve a proposal, or return it with a note saying why. A proposal already
/// reviewed or replaced is 409 `penalty.decision_not_allowed`. The unit leader's
/// `decide` step then brings approved proposals into force with their numbers.
#[utoipa::path(post, path = "/api/v1/penalty-decisions/{id}/review", params(("id" = Uuid, Path)),
    request_body = DecisionReviewRequest,
    responses((status = 200, body = PenaltyDecisionView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review_penalty(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PenaltyDecisionView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::PenaltyReview(id),
        body,
        lang,
        |v| Ok(DecisionReviewRequest::read(v)),
    )
    .await?;
    Ok(Json(
        state
            .app
            .review_penalty_decision(&s.actor, id, &request)
            .await?,
    ))
}

/// Proposals awaiting legal review, oldest first (legal affairs).
#[utoipa::path(get, path = "/api/v1/penalty-decisions/reviews",
    responses((status = 200, body = ReviewQueue), (status = 403, body = Problem)))]
pub async fn review_queue(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<ReviewQueue>, ApiError> {
    Ok(Json(state.app.penalty_review_queue(&s.actor, lang).await?))
}

/// 既往处罚查询: the suspect's earlier public-order decisions in force anywhere in the
/// bureau, found by ID number, with the circumstances they establish as of today. The
/// purpose is required and audited.
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{seq}/prior-decisions",
    params(("id" = Uuid, Path), ("seq" = i64, Path)),
    request_body = PriorLookupRequest,
    responses((status = 200, body = PriorAnswer), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn prior_decisions(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path((id, seq)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PriorAnswer>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let seq: i64 = seq.parse().map_err(|_| AppError::NotFound)?;
    let request = read_body(
        &state,
        &s.actor,
        Operation::PriorLookup(id),
        body,
        lang,
        |v| Ok(PriorLookupRequest::read(v)),
    )
    .await?;
    Ok(Json(
        state
            .app
            .prior_penalty_decisions(&s.actor, id, seq, &request, lang)
            .await?,
    ))
}

/// 裁量一致性: decided penalties per violation and situation, unit and officer, the share
/// that departed from the recommendation, and the outliers (legal affairs, leaders).
#[utoipa::path(get, path = "/api/v1/penalty-decisions/consistency", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyReport), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyReport>, ApiError> {
    Ok(Json(
        state.app.penalty_consistency(&s.actor, &q, lang).await?,
    ))
}

//! 案件进展查询: the public status lookup, as an API (no sign-in) and as the `/status`
//! page a member of the public opens from the receipt.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontline_app::AppError;
use frontline_app::case::{CaseStatusAnswer, CaseStatusRequest};
use frontline_core::request::Given;
use serde::Deserialize;

use crate::AppState;
use crate::auth::pages::{ClientIp, cross_origin};
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ReqLang;
use crate::pages::form::{FormErrors, read_form};
use crate::pages::layout::{Chrome, error_page, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/status", get(status_page).post(status_submit))
}

/// 案件进展查询 (no sign-in): the receipt's query code and the last four digits of the
/// phone given at the report answer the stage, the handling unit and the officer's badge
/// number, nothing else. A wrong code and wrong digits get the same 422
/// `case_status.no_match`; too many lookups from one client, or failures on one code,
/// get 429 with `Retry-After`. Every lookup is logged.
#[utoipa::path(post, path = "/api/public/v1/case-status", request_body = CaseStatusRequest,
    security(()),
    responses((status = 200, body = CaseStatusAnswer), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn case_status(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseStatusAnswer>, ApiError> {
    let v = json_body(body, lang)?;
    let request = CaseStatusRequest::read(v);
    Ok(Json(
        state
            .app
            .public_case_status(&request, &addr.ip().to_string(), lang)
            .await?,
    ))
}

#[derive(Template)]
#[template(path = "case/status.html")]
struct StatusPage {
    c: Chrome,
    query_code: String,
    errs: FormErrors,
    answer: Option<CaseStatusAnswer>,
    throttled: bool,
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    query_code: String,
    #[serde(default)]
    phone_last4: String,
}

async fn status_page(State(state): State<AppState>, ReqLang(lang): ReqLang) -> Response {
    let page = StatusPage {
        c: Chrome::new(&state, None, lang, "status", "/status"),
        query_code: String::new(),
        errs: FormErrors::default(),
        answer: None,
        throttled: false,
    };
    render(StatusCode::OK, &page)
}

async fn status_submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if cross_origin(&headers) {
        return error_page(&state, None, lang, StatusCode::FORBIDDEN);
    }
    let form: StatusForm = match read_form(body) {
        Ok(f) => f,
        Err(status) => return error_page(&state, None, lang, status),
    };
    let request = CaseStatusRequest {
        query_code: Given::Value(form.query_code.clone()),
        phone_last4: Given::Value(form.phone_last4.clone()),
        ..CaseStatusRequest::default()
    };
    let labels = vec![
        ("query_code", crate::i18n::t(lang, "status.query_code")),
        ("phone_last4", crate::i18n::t(lang, "status.phone_last4")),
    ];
    let mut page = StatusPage {
        c: Chrome::new(&state, None, lang, "status", "/status"),
        query_code: form.query_code.trim().to_string(),
        errs: FormErrors::default(),
        answer: None,
        throttled: false,
    };
    let mut retry = None;
    let status = match state.app.public_case_status(&request, &ip, lang).await {
        Ok(a) => {
            page.answer = Some(a);
            StatusCode::OK
        }
        Err(AppError::Validation(errs)) => {
            page.errs = FormErrors::new(&errs, lang, &labels);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Throttled { retry_after_secs }) => {
            page.throttled = true;
            retry = Some(retry_after_secs);
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(e) => {
            tracing::error!(error = %e, "status lookup failed");
            return error_page(&state, None, lang, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let mut r = render(status, &page);
    if let Some(s) = retry
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r.into_response()
}

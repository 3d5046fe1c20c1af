//! Signing in and out over the API, who is signed in, their sessions and password.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use frontline_app::AppError;
use frontline_app::auth::{LoginRequest, Me, PasswordChangeRequest, SessionView};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{
    ApiSession, ApiSessionAny, ReqLang, session_cookie, session_cookie_removal,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub me: Me,
    /// The account must change its password (`POST /api/v1/me/password`) first:
    /// until then every other call answers 403 `auth.password_change_required`.
    pub password_change_required: bool,
}

/// The `User-Agent` header, kept (shortened) with a new session for its owner's list.
pub(crate) fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Sign in: sets the session cookie and returns the same token for API use. Repeated
/// failures for a username or from a client address make the next attempt wait
/// (429 with `Retry-After`), doubling with each further failure.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let v = json_body(body, lang)?;
    let req = LoginRequest::from_json(v)?;
    let (token, session) = state
        .app
        .sign_in_from(&req, &addr.ip().to_string(), user_agent(&headers))
        .await?;
    let body = LoginResponse {
        token: token.clone(),
        expires_at: frontline_app::clock::rfc3339_bj(session.expires_at),
        me: state.app.me(&session),
        password_change_required: session.must_change_password,
    };
    let jar = jar.add(session_cookie(token, state.app.config.secure_cookies));
    Ok((jar, Json(body)).into_response())
}

/// Sign out (ends the session behind the token or cookie).
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiSessionAny(s, _): ApiSessionAny,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    state.app.logout(&s).await?;
    Ok((
        jar.remove(session_cookie_removal(state.app.config.secure_cookies)),
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// The signed-in officer.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem),
    (status = 403, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiSession(s, _): ApiSession) -> Json<Me> {
    Json(state.app.me(&s))
}

/// The signed-in officer's live sessions, most recently used first (`current` marks
/// the one this request came with).
#[utoipa::path(get, path = "/api/v1/me/sessions",
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn my_sessions(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    Ok(Json(state.app.my_sessions(&s).await?))
}

/// End one of one's own sessions (signed out there at once on this instance, within a
/// minute on others). Another officer's session, or an unknown id, is 404.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn end_my_session(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    state.app.end_my_session(&s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change one's own password: the current one and a new one that keeps the rules (at
/// least 8 characters, not the username, not the published demo password). Also
/// allowed, and required, while the account must change its password. Ends every
/// other session of the officer. A wrong current password counts as a failed sign-in.
#[utoipa::path(post, path = "/api/v1/me/password", request_body = PasswordChangeRequest,
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiSessionAny(s, lang): ApiSessionAny,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let req = PasswordChangeRequest::read(json_body(body, lang)?);
    state
        .app
        .change_own_password(&s, &req, &addr.ip().to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

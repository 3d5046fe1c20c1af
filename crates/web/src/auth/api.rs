//! Signing in and out over the API, who is signed in, their sessions and password.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use frontline_app::AppError;
use frontline_app::auth::{
    LoginRequest, Me, PasswordChangeRequest, ReauthRequest, SessionView, TotpCodeRequest,
    TotpEnrolment, TotpPolicyItem, TotpPolicyRequest, TotpStatus,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{
    ApiSession, ApiSessionAny, ApiSessionEnrol, ReqLang, session_cookie, session_cookie_removal,
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
    /// A role of the account requires a second factor it has not set up
    /// (`POST /api/v1/me/totp/enrolment`, then `POST /api/v1/me/totp/confirm`): until
    /// then every other call answers 403 `auth.totp_enrolment_required`.
    pub totp_enrolment_required: bool,
}

/// The `User-Agent` header, kept (shortened) with a new session for its owner's list.
pub(crate) fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Sign in: sets the session cookie and returns the same token for API use. An account
/// with a second factor sends its current code as `totp_code` (without it: 422
/// `totp_code.required`; a wrong or already used code: 422 `totp_code.wrong` /
/// `totp_code.used`, counted as a failed sign-in). Repeated failures for a username or
/// from a client address make the next attempt wait (429 with `Retry-After`), doubling
/// with each further failure.
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
        totp_enrolment_required: session.totp_enrolment_required,
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

/// The signed-in officer's second factor: set up, required by a role, an enrolment
/// waiting for its first code. Also allowed while an enrolment is required.
#[utoipa::path(get, path = "/api/v1/me/totp",
    responses((status = 200, body = TotpStatus), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn totp_status(
    State(state): State<AppState>,
    ApiSessionEnrol(s, _): ApiSessionEnrol,
) -> Result<Json<TotpStatus>, ApiError> {
    Ok(Json(state.app.totp_status(&s).await?))
}

/// Start setting up a second factor: a fresh secret (as text and as an `otpauth://`
/// URI; the page shows it as a QR code), in effect once a code from it is confirmed.
/// Starting again replaces an unconfirmed one. The secret is never shown again.
/// Already set up: 409 `totp.already_enrolled`.
#[utoipa::path(post, path = "/api/v1/me/totp/enrolment",
    responses((status = 200, body = TotpEnrolment), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem)))]
pub async fn begin_totp(
    State(state): State<AppState>,
    ApiSessionEnrol(s, _): ApiSessionEnrol,
) -> Result<Json<TotpEnrolment>, ApiError> {
    Ok(Json(state.app.begin_totp_enrolment(&s).await?))
}

/// Confirm the enrolment with a current code from it: from then on, signing in takes a
/// code. No enrolment started: 409 `totp.no_enrolment`; a wrong code: 422 (counted as a
/// failed sign-in).
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", request_body = TotpCodeRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    ApiSessionEnrol(s, lang): ApiSessionEnrol,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let req = TotpCodeRequest::read(json_body(body, lang)?);
    state
        .app
        .confirm_totp_enrolment(&s, &req, &addr.ip().to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove one's second factor with a current code. Not while a role requires it (409
/// `totp.required_by_role`; an operator resets it with `frontline user totp-reset`);
/// none set up: 409 `totp.not_enrolled`.
#[utoipa::path(post, path = "/api/v1/me/totp/disable", request_body = TotpCodeRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn disable_totp(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let req = TotpCodeRequest::read(json_body(body, lang)?);
    state
        .app
        .disable_own_totp(&s, &req, &addr.ip().to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirm it is you: the password, or the second factor's code (or both). Unmasking and
/// exports are then allowed for 10 minutes (signing in counts too). A wrong one is 422
/// and counts as a failed sign-in.
#[utoipa::path(post, path = "/api/v1/me/reauthenticate", request_body = ReauthRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn reauthenticate(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let req = ReauthRequest::read(json_body(body, lang)?);
    state
        .app
        .reauthenticate(&s, &req, &addr.ip().to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every role and whether it requires a second factor (administrators). Without an
/// administrator's setting, administrators require it (outside the demo).
#[utoipa::path(get, path = "/api/v1/totp-policy",
    responses((status = 200, body = Vec<TotpPolicyItem>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn totp_policy(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<Vec<TotpPolicyItem>>, ApiError> {
    Ok(Json(state.app.totp_policy(&s.actor, lang).await?))
}

/// Set whether a role requires a second factor (administrators; audited). Its officers
/// without one can then only set it up, from their next request on.
#[utoipa::path(post, path = "/api/v1/totp-policy", request_body = TotpPolicyRequest,
    responses((status = 200, body = Vec<TotpPolicyItem>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_totp_policy(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Vec<TotpPolicyItem>>, ApiError> {
    // Authorization before the body is looked at.
    state.app.may_manage_totp_policy(&s.actor)?;
    let req = TotpPolicyRequest::read(json_body(body, lang)?);
    Ok(Json(state.app.set_totp_policy(&s.actor, &req, lang).await?))
}

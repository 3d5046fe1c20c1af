//! Signing in and out over the API, and who is signed in.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use frontline_app::auth::{LoginRequest, Me};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, ReqLang, session_cookie, session_cookie_removal};

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub me: Me,
}

/// Sign in: sets the session cookie and returns the same token for API use.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let v = json_body(body, lang)?;
    Ok(sign_in(&state, v, &addr.ip().to_string(), jar)
        .await
        .into_response())
}

async fn sign_in(
    state: &AppState,
    body: serde_json::Value,
    client: &str,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    let req = LoginRequest::from_json(body)?;
    let (token, session) = state.app.sign_in(&req, client).await?;
    let body = LoginResponse {
        token: token.clone(),
        expires_at: frontline_app::clock::rfc3339_bj(session.expires_at),
        me: state.app.me(&session),
    };
    let jar = jar.add(session_cookie(token, state.app.config.secure_cookies));
    Ok((jar, Json(body)).into_response())
}

/// Sign out (ends the session behind the token or cookie).
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiSession(s, _): ApiSession,
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
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiSession(s, _): ApiSession) -> Json<Me> {
    Json(state.app.me(&s))
}

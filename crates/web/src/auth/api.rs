//! Signing in and out over the API, and who is signed in.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use frontline_app::AppError;
use frontline_core::{FieldError, Lang};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::http::json::json_body;
use crate::http::problem::{ApiError, Problem, problem};
use crate::http::session::{ApiSession, ReqLang, session_cookie, session_cookie_removal};

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
        expires_at: frontline_app::clock::rfc3339_bj(session.expires_at),
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

//! The sign-in page and signing out.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use frontline_app::AppError;
use frontline_app::auth::LoginRequest;
use frontline_core::Lang;
use serde::Deserialize;

use crate::AppState;
use crate::http::session::{
    PASSWORD_PAGE, ReqLang, SECOND_STEP_PAGE, UiSessionAny, safe_next, session_cookie,
    session_cookie_removal, urlencode,
};
use crate::i18n;
use crate::pages::fmt::{minutes_to_wait, tf};
use crate::pages::form::{CsrfOnly, NextQuery, parse_query, posted_form, read_form};
use crate::pages::layout::{Chrome, app_error, error_page, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .merge(super::account::routes())
        .merge(super::totp_pages::routes())
}

/// The client address when the server was started with connect info ("unknown" otherwise).
pub(crate) struct ClientIp(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_string()),
        ))
    }
}

/// A form posted from another site carries that site's Origin: refuse it (login CSRF).
pub(crate) fn cross_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin == "null" || origin.split_once("://").map(|(_, h)| h) != Some(host)
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    next: String,
    error: Option<String>,
}

impl LoginPage {
    /// The sign-in page, coming back to `next` (already checked with [`safe_next`]).
    fn new(
        state: &AppState,
        lang: Lang,
        username: String,
        next: String,
        error: Option<String>,
    ) -> LoginPage {
        LoginPage {
            c: Chrome::new(
                state,
                None,
                lang,
                "login",
                &format!("/login?next={}", urlencode(&next)),
            ),
            username,
            next,
            error,
        }
    }
}

async fn login_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    RawQuery(q): RawQuery,
) -> Response {
    let q: NextQuery = parse_query(q);
    let next = safe_next(q.next.as_deref());
    render(
        StatusCode::OK,
        &LoginPage::new(&state, lang, String::new(), next, None),
    )
}

#[derive(Deserialize, Default)]
struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if cross_origin(&headers) {
        return error_page(&state, None, lang, StatusCode::FORBIDDEN);
    }
    let form: LoginForm = match read_form(body) {
        Ok(f) => f,
        Err(status) => return error_page(&state, None, lang, status),
    };
    let next = safe_next(form.next.as_deref());
    let req = LoginRequest {
        username: form.username.unwrap_or_default().trim().to_string(),
        password: form.password.unwrap_or_default(),
        totp_code: None,
    };
    let agent = super::api::user_agent(&headers);
    let mut retry_after = None;
    let (status, error) = match state.app.sign_in_first_step(&req, &ip, agent).await {
        Ok((token, session)) => {
            let cookie = session_cookie(token, state.app.config.secure_cookies);
            let to = if session.second_factor_pending {
                format!("{SECOND_STEP_PAGE}?next={}", urlencode(&next))
            } else if session.must_change_password {
                format!("{PASSWORD_PAGE}?next={}", urlencode(&next))
            } else {
                next
            };
            return (jar.add(cookie), Redirect::to(&to)).into_response();
        }
        Err(AppError::Unauthorized) => (StatusCode::UNAUTHORIZED, i18n::t(lang, "login.failed")),
        Err(AppError::Throttled { retry_after_secs }) => {
            retry_after = Some(retry_after_secs);
            (
                StatusCode::TOO_MANY_REQUESTS,
                tf(
                    lang,
                    "login.throttled",
                    &[("minutes", &minutes_to_wait(retry_after_secs).to_string())],
                ),
            )
        }
        Err(AppError::Validation(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            i18n::t(lang, "login.failed"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            return error_page(&state, None, lang, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let mut page = render(
        status,
        &LoginPage::new(&state, lang, req.username, next, Some(error)),
    );
    // As the API does: a client (or a script) knows when to try again.
    if let Some(secs) = retry_after
        && let Ok(v) = secs.to_string().parse()
    {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

async fn logout(
    State(state): State<AppState>,
    UiSessionAny(session, lang): UiSessionAny,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(page) = posted_form::<CsrfOnly>(&state, &session, lang, body) {
        return page;
    }
    if let Err(e) = state.app.logout(&session).await {
        return app_error(&state, &session, lang, e);
    }
    let jar = jar.remove(session_cookie_removal(state.app.config.secure_cookies));
    (jar, Redirect::to("/login")).into_response()
}

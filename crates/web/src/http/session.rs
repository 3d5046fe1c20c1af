//! Who is asking: bearer token or session cookie, and in which language.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use frontline_app::AppError;
use frontline_app::auth::{Gate, Session};
use frontline_core::{FieldError, Lang};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::problem::{ApiError, problem};
use crate::AppState;
use crate::pages::layout::error_page;

pub const SESSION_COOKIE: &str = "fl_session";
pub const LANG_COOKIE: &str = "lang";

/// The request's language: the `lang` cookie, else `Accept-Language`, else zh-CN.
pub fn lang_of(parts: &Parts) -> Lang {
    lang_of_headers(&parts.headers)
}

/// [`lang_of`] from the headers alone (for middleware).
pub fn lang_of_headers(headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    if let Some(c) = jar.get(LANG_COOKIE) {
        return Lang::negotiate(c.value());
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or_default()
}

pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(parts)))
    }
}

enum Credential {
    Bearer(String),
    Cookie(String),
}

fn credential(parts: &Parts) -> Option<Credential> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(Credential::Bearer(t.trim().to_string()));
    }
    CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| Credential::Cookie(c.value().to_string()))
}

/// A cookie-authenticated write must come from our own pages. A browser says where a
/// request comes from: `Origin` (sent on every form post and `fetch` write) must name
/// this host; when it is absent, `Sec-Fetch-Site` must be `same-origin` (or `none`, a
/// navigation the user typed). With neither, or with anything else, the write is
/// refused. Bearer clients carry their own token and are not exposed to CSRF.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        return match (origin.to_str().ok(), host) {
            (Some(origin), Some(host)) if !host.is_empty() => {
                origin.split_once("://").map(|(_, h)| h) == Some(host)
            }
            _ => false,
        };
    }
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| matches!(v.as_bytes(), b"same-origin" | b"none"))
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware: a write (any unsafe method, API or page) that carries the session cookie
/// and no bearer token must pass [`same_origin`], before anything is read. Refused: 403
/// problem+json under `/api/`, the error page elsewhere.
pub async fn cookie_writes_same_origin(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let cookie_write =
        unsafe_method(&parts.method) && matches!(credential(&parts), Some(Credential::Cookie(_)));
    if !cookie_write || same_origin(&parts.headers) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let lang = lang_of(&parts);
    if parts.uri.path().starts_with("/api/") {
        problem(
            StatusCode::FORBIDDEN,
            lang,
            "请求来源不是本站",
            "The request does not come from this site",
            &[FieldError::new(
                "",
                "request.cross_origin",
                "使用登录 Cookie 的写操作必须来自本站页面（Origin 或 Sec-Fetch-Site 请求头）",
                "A write with the session cookie must come from this site's pages (Origin or Sec-Fetch-Site header)",
            )],
        )
    } else {
        error_page(&state, None, lang, StatusCode::FORBIDDEN)
    }
}

/// An API caller; 401 problem+json when not signed in, 403
/// `auth.password_change_required` while the account must change its password.
pub struct ApiSession(pub Session, pub Lang);

/// An API caller who may still have to change their password or set up a second
/// factor (only the password change and sign-out take this one).
pub struct ApiSessionAny(pub Session, pub Lang);

/// An API caller who may still have to set up a second factor (the enrolment).
pub struct ApiSessionEnrol(pub Session, pub Lang);

fn token_of(parts: &Parts) -> Option<String> {
    // Cookie writes from elsewhere were refused by [`cookie_writes_same_origin`].
    match credential(parts) {
        Some(Credential::Bearer(t) | Credential::Cookie(t)) => Some(t),
        None => None,
    }
}

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let token = token_of(parts).ok_or(AppError::Unauthorized)?;
        let s = state.app.authenticate(&token).await?;
        Ok(ApiSession(s, lang))
    }
}

impl FromRequestParts<AppState> for ApiSessionAny {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let token = token_of(parts).ok_or(AppError::Unauthorized)?;
        let s = state.app.authenticate_any(&token).await?;
        Ok(ApiSessionAny(s, lang))
    }
}

impl FromRequestParts<AppState> for ApiSessionEnrol {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let token = token_of(parts).ok_or(AppError::Unauthorized)?;
        let s = state.app.authenticate_as(&token, Gate::Enrol).await?;
        Ok(ApiSessionEnrol(s, lang))
    }
}

/// Where a page visitor who must change their password is sent first.
pub const PASSWORD_PAGE: &str = "/me/password";
/// Where a page visitor who must set up a second factor is sent.
pub const TOTP_PAGE: &str = "/me/totp";
/// The second sign-in step (the code after the password).
pub const SECOND_STEP_PAGE: &str = "/login/totp";

/// A signed-in page visitor; redirected to the login page otherwise, and to the
/// password page while the account must change its password.
pub struct UiSession(pub Session, pub Lang);

/// A signed-in page visitor who may still have to change their password (the
/// password page and sign-out).
pub struct UiSessionAny(pub Session, pub Lang);

/// A signed-in page visitor who may still have to set up a second factor.
pub struct UiSessionEnrol(pub Session, pub Lang);

/// A visitor between the password and the code (the second sign-in step).
pub struct UiSessionSecondFactor(pub Session, pub Lang);

async fn ui_session(
    parts: &Parts,
    state: &AppState,
    gate: Gate,
) -> Result<(Session, Lang), Response> {
    let lang = lang_of(parts);
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let to = |page: &str| Redirect::to(&format!("{page}?next={}", urlencode(next))).into_response();
    let Some(Credential::Cookie(token)) = credential(parts) else {
        return Err(to("/login"));
    };
    match state.app.authenticate_as(&token, gate).await {
        Ok(s) => Ok((s, lang)),
        Err(AppError::Unauthorized) => Err(to("/login")),
        Err(AppError::PasswordChangeRequired) => Err(to(PASSWORD_PAGE)),
        Err(AppError::TotpEnrolmentRequired) => Err(to(TOTP_PAGE)),
        Err(AppError::SecondFactorRequired) => Err(to(SECOND_STEP_PAGE)),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (s, lang) = ui_session(parts, state, Gate::Full).await?;
        Ok(UiSession(s, lang))
    }
}

impl FromRequestParts<AppState> for UiSessionEnrol {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (s, lang) = ui_session(parts, state, Gate::Enrol).await?;
        Ok(UiSessionEnrol(s, lang))
    }
}

impl FromRequestParts<AppState> for UiSessionSecondFactor {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (s, lang) = ui_session(parts, state, Gate::SecondFactor).await?;
        Ok(UiSessionSecondFactor(s, lang))
    }
}

impl FromRequestParts<AppState> for UiSessionAny {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (s, lang) = ui_session(parts, state, Gate::Any).await?;
        Ok(UiSessionAny(s, lang))
    }
}

/// Percent-encodes `s` for a query value, keeping `/` (a local path reads as one).
pub fn urlencode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// Where to go after signing in or switching language: only a path on this site.
/// Anything else (absolute URLs, `//host`, `/\host`, control characters) gives "/".
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Everything but unreserved characters and `/`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

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

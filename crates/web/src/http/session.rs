//! Who is asking: bearer token or session cookie, and in which language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_core::Lang;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::problem::ApiError;
use crate::AppState;

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

/// A cookie-authenticated write must come from our own pages: the browser's Origin
/// (when sent) must name this host. Bearer clients are not exposed to CSRF.
fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").map(|(_, h)| h) == Some(host)
}

/// An API caller; 401 problem+json when not signed in.
pub struct ApiSession(pub Session, pub Lang);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let token = match credential(parts) {
            Some(Credential::Bearer(t)) => t,
            Some(Credential::Cookie(t)) if !unsafe_method || same_origin(parts) => t,
            _ => return Err(AppError::Unauthorized.into()),
        };
        let s = state.app.authenticate(&token).await?;
        Ok(ApiSession(s, lang))
    }
}

/// A signed-in page visitor; redirected to the login page otherwise.
pub struct UiSession(pub Session, pub Lang);

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let to_login = || Redirect::to(&format!("/login?next={}", urlencode(next))).into_response();
        let Some(Credential::Cookie(token)) = credential(parts) else {
            return Err(to_login());
        };
        match state.app.authenticate(&token).await {
            Ok(s) => Ok(UiSession(s, lang)),
            Err(AppError::Unauthorized) => Err(to_login()),
            Err(e) => Err(ApiError::from(e).into_response()),
        }
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

//! The page kit shared by every capability's pages, and the site's own routes: static
//! assets, the language switch and the not-found fallback.
//!
//! Every page works without JavaScript (`/static/app.js` only enhances), every string
//! comes from the message catalogs, and every write is a form POST carrying the
//! session's CSRF token. Handlers extract, call one use case and render; use-case
//! errors become pages (404, 403, 500) or the same form re-shown with its errors.

pub mod chart;
pub mod fmt;
pub mod form;
pub mod layout;
#[cfg(test)]
mod tests;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use frontline_core::Lang;

use crate::AppState;
use crate::http::session::{LANG_COOKIE, ReqLang, safe_next};
use form::{NextQuery, parse_query};
use layout::{APP_CSS, APP_JS, error_page};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang/{code}", get(set_lang))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

/// Unknown paths: problem+json under `/api/`, the 404 page elsewhere.
pub(crate) async fn fallback(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::http::problem::problem(
            StatusCode::NOT_FOUND,
            lang,
            "记录不存在",
            "Not found",
            &[],
        );
    }
    error_page(&state, None, lang, StatusCode::NOT_FOUND)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

/// `GET /lang/en?next=/incidents`: remembers the language for a year and goes back.
async fn set_lang(Path(code): Path<String>, RawQuery(q): RawQuery, jar: CookieJar) -> Response {
    let lang = Lang::negotiate(&code);
    let q: NextQuery = parse_query(q);
    // Kept for a year; parsed from text because the cookie's Max-Age type is not re-exported.
    let jar = match Cookie::parse(format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        Ok(c) => jar.add(c),
        Err(_) => jar.add(
            Cookie::build((LANG_COOKIE, lang.code()))
                .path("/")
                .same_site(SameSite::Lax)
                .build(),
        ),
    };
    (jar, Redirect::to(&safe_next(q.next.as_deref()))).into_response()
}

//! The page frame: navigation and user box ([`Chrome`]), rendering with the security
//! headers, and the error pages.

use std::sync::OnceLock;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use frontline_app::auth::Session;
use frontline_app::{AppError, Capabilities};
use frontline_core::Lang;

use super::fmt::tf;
use crate::AppState;
use crate::http::session::{safe_next, urlencode};
use crate::i18n;

pub(crate) const APP_CSS: &str = include_str!("../../static/app.css");
pub(crate) const APP_JS: &str = include_str!("../../static/app.js");

/// A short content hash, so that the stylesheet URL changes when the CSS does.
fn asset_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in APP_CSS.bytes().chain(APP_JS.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:08x}", h >> 32)
    })
}

pub struct UserBox {
    pub display_name: String,
    pub unit_name: String,
    pub csrf: String,
}

/// What the layout needs: language, who is signed in, and which nav entries to show
/// (as the app answers them: [`Capabilities`]; none when signed out).
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<UserBox>,
    pub current: &'static str,
    pub caps: Capabilities,
    pub can_create: bool,
    pub can_read: bool,
    pub can_callback: bool,
    pub can_daily_review: bool,
    pub can_pushes: bool,
    /// The deadline calculator and rule catalog.
    pub can_deadline: bool,
    /// The holiday calendar administration.
    pub can_calendar: bool,
    /// The penalty calculator and catalog.
    pub can_penalty: bool,
    /// Discretion standard administration.
    pub can_standards: bool,
    /// Account administration (which roles require a second factor).
    pub can_users: bool,
    pub lang_href: String,
    pub other_lang: &'static str,
    pub asset_v: &'static str,
}

impl Chrome {
    pub(crate) fn new(
        state: &AppState,
        session: Option<&Session>,
        lang: Lang,
        current: &'static str,
        here: &str,
    ) -> Chrome {
        let other = match lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        let caps = session.map_or_else(Capabilities::default, |s| state.app.capabilities(&s.actor));
        Chrome {
            lang,
            user: session.map(|s| UserBox {
                display_name: s.actor.display_name.clone(),
                unit_name: state.app.org.unit_name(s.actor.unit_id),
                csrf: s.csrf_token.clone(),
            }),
            current,
            can_create: caps.create_incidents,
            can_read: caps.read_incidents,
            can_callback: caps.call_back,
            can_daily_review: caps.read_daily_review,
            can_pushes: caps.read_pushes,
            can_deadline: caps.compute_deadlines,
            can_calendar: caps.manage_calendars,
            can_penalty: caps.assess_penalties,
            can_standards: caps.manage_penalty_standards,
            can_users: caps.manage_users,
            caps,
            lang_href: format!(
                "/lang/{}?next={}",
                other.code(),
                urlencode(&safe_next(Some(here)))
            ),
            other_lang: other.code(),
            asset_v: asset_version(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    pub fn tf(&self, key: &str, name: &str, value: &str) -> String {
        tf(self.lang, key, &[(name, value)])
    }

    pub fn csrf(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.csrf.as_str())
            .unwrap_or_default()
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    pub fn other_lang_label(&self) -> String {
        match self.other_lang {
            "en" => self.t("lang.en"),
            _ => self.t("lang.zh"),
        }
    }
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut r = (status, body).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    title: String,
    body: String,
}

pub(crate) fn error_page(
    state: &AppState,
    session: Option<&Session>,
    lang: Lang,
    status: StatusCode,
) -> Response {
    let key = match status {
        StatusCode::NOT_FOUND => "404",
        StatusCode::FORBIDDEN => "403",
        s if s.is_client_error() => "400",
        _ => "500",
    };
    let page = ErrorPage {
        c: Chrome::new(state, session, lang, "", "/"),
        title: i18n::t(lang, &format!("error.{key}.title")),
        body: i18n::t(lang, &format!("error.{key}.body")),
    };
    render(status, &page)
}

/// A use-case error that is not a form problem, as a page.
pub(crate) fn app_error(state: &AppState, session: &Session, lang: Lang, e: AppError) -> Response {
    match e {
        AppError::NotFound => error_page(state, Some(session), lang, StatusCode::NOT_FOUND),
        AppError::Forbidden => error_page(state, Some(session), lang, StatusCode::FORBIDDEN),
        AppError::Unauthorized => Redirect::to("/login").into_response(),
        AppError::PasswordChangeRequired => {
            Redirect::to(crate::http::session::PASSWORD_PAGE).into_response()
        }
        AppError::TotpEnrolmentRequired => {
            Redirect::to(crate::http::session::TOTP_PAGE).into_response()
        }
        AppError::SecondFactorRequired => {
            Redirect::to(crate::http::session::SECOND_STEP_PAGE).into_response()
        }
        AppError::ReauthenticationRequired => {
            error_page(state, Some(session), lang, StatusCode::FORBIDDEN)
        }
        AppError::Validation(_) | AppError::Throttled { .. } => {
            error_page(state, Some(session), lang, StatusCode::BAD_REQUEST)
        }
        AppError::StateConflict(_) => error_page(state, Some(session), lang, StatusCode::CONFLICT),
        AppError::Conflict(m) | AppError::Internal(m) => {
            tracing::error!(error = %m, "page failed");
            error_page(
                state,
                Some(session),
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

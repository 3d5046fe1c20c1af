//! The officer's own account pages: their sessions (with sign-out of the others) and
//! changing their password (also the page a forced change leads to).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::auth::{PasswordChangeRequest, Session, SessionView};
use frontline_core::{FieldError, Lang};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::ClientIp;
use crate::AppState;
use crate::http::session::{PASSWORD_PAGE, UiSession, UiSessionAny, safe_next, urlencode};
use crate::i18n;
use crate::pages::form::{CsrfOnly, FormErrors, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(sessions_page))
        .route("/me/sessions/{id}/end", post(end_session))
        .route(PASSWORD_PAGE, get(password_page).post(password_submit))
}

/// A session as the page shows it (times in Beijing minutes).
struct SessionLine {
    id: String,
    created_at: String,
    last_seen_at: String,
    client: String,
    user_agent: String,
    current: bool,
}

impl From<SessionView> for SessionLine {
    fn from(v: SessionView) -> Self {
        // "2026-11-22T12:00:00+08:00" → "2026-11-22 12:00"
        let short = |t: &str| t.get(..16).unwrap_or(t).replacen('T', " ", 1);
        SessionLine {
            id: v.id.to_string(),
            created_at: short(&v.created_at),
            last_seen_at: short(&v.last_seen_at),
            client: v.client,
            user_agent: v.user_agent,
            current: v.current,
        }
    }
}

#[derive(Template)]
#[template(path = "auth/sessions.html")]
struct SessionsPage {
    c: Chrome,
    sessions: Vec<SessionLine>,
    ended: bool,
    /// The idle timeout in minutes.
    idle: String,
}

async fn sessions_page(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let ended = q.as_deref() == Some("ended=1");
    match state.app.my_sessions(&s).await {
        Ok(list) => render(
            StatusCode::OK,
            &SessionsPage {
                c: Chrome::new(&state, Some(&s), lang, "sessions", "/me/sessions"),
                sessions: list.into_iter().map(SessionLine::from).collect(),
                ended,
                idle: state.app.config.session_idle_minutes.to_string(),
            },
        ),
        Err(e) => app_error(&state, &s, lang, e),
    }
}

async fn end_session(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(page) = posted_form::<CsrfOnly>(&state, &s, lang, body) {
        return page;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return app_error(&state, &s, lang, AppError::NotFound);
    };
    match state.app.end_my_session(&s, id).await {
        // Ending this very session is signing out.
        Ok(()) if id == s.id => Redirect::to("/login").into_response(),
        Ok(()) => Redirect::to("/me/sessions?ended=1").into_response(),
        Err(e) => app_error(&state, &s, lang, e),
    }
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    c: Chrome,
    /// The account must change its password before anything else.
    forced: bool,
    next: String,
    errs: FormErrors,
    changed: bool,
    /// (control id, autocomplete, label) of the three fields.
    fields: Vec<(&'static str, &'static str, String)>,
}

impl PasswordPage {
    fn new(state: &AppState, s: &Session, lang: Lang, next: String) -> PasswordPage {
        PasswordPage {
            c: Chrome::new(
                state,
                Some(s),
                lang,
                "password",
                &format!("{PASSWORD_PAGE}?next={}", urlencode(&next)),
            ),
            forced: s.must_change_password,
            next,
            errs: FormErrors::default(),
            changed: false,
            fields: labels(lang)
                .into_iter()
                .map(|(id, label)| {
                    let auto = if id == "current_password" {
                        "current-password"
                    } else {
                        "new-password"
                    };
                    (id, auto, label)
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
struct PasswordQuery {
    next: Option<String>,
    changed: Option<String>,
}

async fn password_page(
    State(state): State<AppState>,
    UiSessionAny(s, lang): UiSessionAny,
    RawQuery(q): RawQuery,
) -> Response {
    let q: PasswordQuery = parse_query(q);
    let mut page = PasswordPage::new(&state, &s, lang, safe_next(q.next.as_deref()));
    page.changed = q.changed.is_some();
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    csrf: Option<String>,
    current_password: Option<String>,
    new_password: Option<String>,
    new_password_confirm: Option<String>,
    next: Option<String>,
}

impl crate::pages::form::WithCsrf for PasswordForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn labels(lang: Lang) -> Vec<(&'static str, String)> {
    ["current_password", "new_password", "new_password_confirm"]
        .into_iter()
        .map(|k| (k, i18n::t(lang, &format!("password.{k}"))))
        .collect()
}

async fn password_submit(
    State(state): State<AppState>,
    UiSessionAny(s, lang): UiSessionAny,
    ClientIp(ip): ClientIp,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: PasswordForm = match posted_form(&state, &s, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let next = safe_next(form.next.as_deref());
    let mut page = PasswordPage::new(&state, &s, lang, next.clone());
    // The confirmation is the page's own check (the API takes the new password once).
    if form.new_password.as_deref().unwrap_or("")
        != form.new_password_confirm.as_deref().unwrap_or("")
    {
        let e = FieldError::new(
            "new_password_confirm",
            "password.mismatch",
            "两次输入的新密码不一致",
            "The two new passwords differ",
        );
        page.errs = FormErrors::new(&[e], lang, &labels(lang));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let req = PasswordChangeRequest {
        current_password: form.current_password.into(),
        new_password: form.new_password.into(),
        ..PasswordChangeRequest::default()
    };
    match state.app.change_own_password(&s, &req, &ip).await {
        Ok(()) if s.must_change_password => Redirect::to(&next).into_response(),
        Ok(()) => Redirect::to(&format!("{PASSWORD_PAGE}?changed=1")).into_response(),
        Err(AppError::Validation(errs)) => {
            page.errs = FormErrors::new(&errs, lang, &labels(lang));
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::Throttled { retry_after_secs }) => {
            let e = FieldError::new(
                "current_password",
                "login.throttled",
                crate::pages::fmt::tf(
                    Lang::Zh,
                    "login.throttled",
                    &[(
                        "minutes",
                        &crate::pages::fmt::minutes_to_wait(retry_after_secs).to_string(),
                    )],
                ),
                crate::pages::fmt::tf(
                    Lang::En,
                    "login.throttled",
                    &[(
                        "minutes",
                        &crate::pages::fmt::minutes_to_wait(retry_after_secs).to_string(),
                    )],
                ),
            );
            page.errs = FormErrors::new(&[e], lang, &labels(lang));
            render(StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => app_error(&state, &s, lang, e),
    }
}

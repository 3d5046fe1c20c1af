//! The pages of the second factor and of re-authentication: the sign-in's second step
//! (`/login/totp`), setting up and removing one's factor (`/me/totp`, with the secret as
//! text and as a QR code drawn on the server), confirming it is you before an export
//! (`/me/reauthenticate`), and which roles require a factor (`/totp-policy`).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontline_app::AppError;
use frontline_app::auth::{
    ReauthRequest, Session, TotpCodeRequest, TotpPolicyItem, TotpPolicyRequest,
};
use frontline_core::{FieldError, Lang};
use serde::Deserialize;

use super::pages::ClientIp;
use crate::AppState;
use crate::http::session::{
    SECOND_STEP_PAGE, TOTP_PAGE, UiSession, UiSessionEnrol, UiSessionSecondFactor, safe_next,
    urlencode,
};
use crate::i18n;
use crate::pages::fmt::{minutes_to_wait, tf};
use crate::pages::form::{FormErrors, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            SECOND_STEP_PAGE,
            get(second_step_page).post(second_step_submit),
        )
        .route(TOTP_PAGE, get(totp_page).post(totp_submit))
        .route("/me/reauthenticate", get(reauth_page).post(reauth_submit))
        .route("/totp-policy", get(policy_page).post(policy_submit))
}

/// A refusal while a code or password is checked, as field errors on the form's controls
/// (`password` → `reauth_password`, …); `None` for an error that is not the form's.
pub(crate) fn form_refusal(e: &AppError, rename: &[(&str, &str)]) -> Option<Vec<FieldError>> {
    match e {
        AppError::Validation(errs) => Some(
            errs.iter()
                .map(|e| {
                    let mut e = e.clone();
                    if let Some((_, to)) = rename.iter().find(|(from, _)| *from == e.field) {
                        e.field = (*to).to_string();
                    }
                    e
                })
                .collect(),
        ),
        AppError::Throttled { retry_after_secs } => {
            let minutes = minutes_to_wait(*retry_after_secs).to_string();
            Some(vec![FieldError::new(
                rename.first().map(|(_, to)| *to).unwrap_or(""),
                "login.throttled",
                tf(Lang::Zh, "login.throttled", &[("minutes", &minutes)]),
                tf(Lang::En, "login.throttled", &[("minutes", &minutes)]),
            )])
        }
        AppError::StateConflict(e) => Some(vec![e.clone()]),
        _ => None,
    }
}

/// The labels of the re-authentication controls (for the error summary).
pub(crate) fn reauth_labels(lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        ("reauth_password", i18n::t(lang, "reauth.password")),
        ("reauth_code", i18n::t(lang, "reauth.code")),
    ]
}

/// Re-authenticates with what a form sent in `reauth_password` / `reauth_code`; `Ok(false)`
/// when it sent neither.
pub(crate) async fn reauth_from_form(
    state: &AppState,
    s: &Session,
    ip: &str,
    password: Option<String>,
    code: Option<String>,
) -> Result<bool, AppError> {
    let blank = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let (password, code) = (blank(password), blank(code));
    if password.is_none() && code.is_none() {
        return Ok(false);
    }
    let req = ReauthRequest {
        password: password.into(),
        totp_code: code.into(),
        ..ReauthRequest::default()
    };
    state.app.reauthenticate(s, &req, ip).await?;
    Ok(true)
}

const REAUTH_RENAME: &[(&str, &str)] = &[
    ("password", "reauth_password"),
    ("totp_code", "reauth_code"),
];

// ---- the second sign-in step ----

#[derive(Template)]
#[template(path = "auth/second_step.html")]
struct SecondStepPage {
    c: Chrome,
    /// The pending session's CSRF token (the chrome has no user yet).
    csrf: String,
    next: String,
    errs: FormErrors,
}

#[derive(Deserialize, Default)]
struct NextQ {
    next: Option<String>,
}

async fn second_step_page(
    State(state): State<AppState>,
    UiSessionSecondFactor(s, lang): UiSessionSecondFactor,
    RawQuery(q): RawQuery,
) -> Response {
    let q: NextQ = parse_query(q);
    let next = safe_next(q.next.as_deref());
    render(
        StatusCode::OK,
        &SecondStepPage {
            // Not yet signed in: the chrome shows no navigation.
            c: Chrome::new(&state, None, lang, "login", SECOND_STEP_PAGE),
            csrf: s.csrf_token.clone(),
            next,
            errs: FormErrors::default(),
        },
    )
}

#[derive(Deserialize, Default)]
struct CodeForm {
    csrf: Option<String>,
    code: Option<String>,
    next: Option<String>,
    action: Option<String>,
}

impl WithCsrf for CodeForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn second_step_submit(
    State(state): State<AppState>,
    UiSessionSecondFactor(s, lang): UiSessionSecondFactor,
    ClientIp(ip): ClientIp,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: CodeForm = match posted_form(&state, &s, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let next = safe_next(form.next.as_deref());
    let typed = form.code.unwrap_or_default();
    match state.app.complete_sign_in(&s, &typed, &ip).await {
        Ok(()) if s.must_change_password => Redirect::to(&format!(
            "{}?next={}",
            crate::http::session::PASSWORD_PAGE,
            urlencode(&next)
        ))
        .into_response(),
        Ok(()) => Redirect::to(&next).into_response(),
        Err(e) => match form_refusal(&e, &[("code", "code")]) {
            Some(errs) => {
                let labels = [("code", i18n::t(lang, "totp.code"))];
                let status = match e {
                    AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                render(
                    status,
                    &SecondStepPage {
                        c: Chrome::new(&state, None, lang, "login", SECOND_STEP_PAGE),
                        csrf: s.csrf_token.clone(),
                        next,
                        errs: FormErrors::new(&errs, lang, &labels),
                    },
                )
            }
            None => app_error(&state, &s, lang, e),
        },
    }
}

// ---- one's own second factor ----

#[derive(Template)]
#[template(path = "auth/totp.html")]
struct TotpPage {
    c: Chrome,
    csrf: String,
    enrolled: bool,
    required: bool,
    /// Must set it up before anything else.
    forced: bool,
    /// A fresh enrolment to show: the secret, its URI and the QR code as SVG markup.
    secret: Option<(String, String, String)>,
    done: Option<String>,
    errs: FormErrors,
}

/// The QR code of an `otpauth://` URI as inline SVG (drawn here, no script, no image
/// request that could leak the secret).
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

impl TotpPage {
    async fn new(state: &AppState, s: &Session, lang: Lang) -> Result<TotpPage, AppError> {
        let st = state.app.totp_status(s).await?;
        Ok(TotpPage {
            c: Chrome::new(state, Some(s), lang, "totp", TOTP_PAGE),
            csrf: s.csrf_token.clone(),
            enrolled: st.enrolled,
            required: st.required,
            forced: s.totp_enrolment_required,
            secret: None,
            done: None,
            errs: FormErrors::default(),
        })
    }
}

#[derive(Deserialize, Default)]
struct DoneQ {
    done: Option<String>,
}

async fn totp_page(
    State(state): State<AppState>,
    UiSessionEnrol(s, lang): UiSessionEnrol,
    RawQuery(q): RawQuery,
) -> Response {
    let q: DoneQ = parse_query(q);
    match TotpPage::new(&state, &s, lang).await {
        Ok(mut p) => {
            p.done = match q.done.as_deref() {
                Some("enrolled") => Some(i18n::t(lang, "totp.enrolled_done")),
                Some("removed") => Some(i18n::t(lang, "totp.removed_done")),
                _ => None,
            };
            render(StatusCode::OK, &p)
        }
        Err(e) => app_error(&state, &s, lang, e),
    }
}

async fn totp_submit(
    State(state): State<AppState>,
    UiSessionEnrol(s, lang): UiSessionEnrol,
    ClientIp(ip): ClientIp,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: CodeForm = match posted_form(&state, &s, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let mut page = match TotpPage::new(&state, &s, lang).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &s, lang, e),
    };
    let code = TotpCodeRequest::code(form.code.as_deref().unwrap_or(""));
    let result = match form.action.as_deref() {
        Some("begin") => match state.app.begin_totp_enrolment(&s).await {
            Ok(en) => {
                let svg = qr_svg(&en.otpauth_uri);
                page.secret = Some((en.secret, en.otpauth_uri, svg));
                // The secret is on this page: no cache may keep it.
                let mut r = render(StatusCode::OK, &page);
                r.headers_mut().insert(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("no-store"),
                );
                return r;
            }
            Err(e) => Err(e),
        },
        Some("confirm") => state
            .app
            .confirm_totp_enrolment(&s, &code, &ip)
            .await
            .map(|()| "enrolled"),
        Some("remove") => state
            .app
            .disable_own_totp(&s, &code, &ip)
            .await
            .map(|()| "removed"),
        _ => Err(AppError::Validation(Vec::new())),
    };
    match result {
        Ok(done) => Redirect::to(&format!("{TOTP_PAGE}?done={done}")).into_response(),
        Err(e) => match form_refusal(&e, &[("code", "code")]) {
            Some(errs) => {
                let labels = [("code", i18n::t(lang, "totp.code"))];
                page.errs = FormErrors::new(&errs, lang, &labels);
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            None => app_error(&state, &s, lang, e),
        },
    }
}

// ---- confirming it is you (before an export) ----

#[derive(Template)]
#[template(path = "auth/reauth.html")]
struct ReauthPage {
    c: Chrome,
    next: String,
    errs: FormErrors,
}

async fn reauth_page(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: NextQ = parse_query(q);
    render(
        StatusCode::OK,
        &ReauthPage {
            c: Chrome::new(&state, Some(&s), lang, "", "/me/reauthenticate"),
            next: safe_next(q.next.as_deref()),
            errs: FormErrors::default(),
        },
    )
}

#[derive(Deserialize, Default)]
struct ReauthForm {
    csrf: Option<String>,
    next: Option<String>,
    reauth_password: Option<String>,
    reauth_code: Option<String>,
}

impl WithCsrf for ReauthForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn reauth_submit(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    ClientIp(ip): ClientIp,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: ReauthForm = match posted_form(&state, &s, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let next = safe_next(form.next.as_deref());
    let result =
        match reauth_from_form(&state, &s, &ip, form.reauth_password, form.reauth_code).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::field(FieldError::new(
                "password",
                "reauth.required",
                "请输入密码或动态验证码",
                "Enter your password or your second factor's code",
            ))),
            Err(e) => Err(e),
        };
    match result {
        // The export (or page) the officer was going to, now allowed.
        Ok(()) => Redirect::to(&next).into_response(),
        Err(e) => match form_refusal(&e, REAUTH_RENAME) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReauthPage {
                    c: Chrome::new(&state, Some(&s), lang, "", "/me/reauthenticate"),
                    next,
                    errs: FormErrors::new(&errs, lang, &reauth_labels(lang)),
                },
            ),
            None => app_error(&state, &s, lang, e),
        },
    }
}

// ---- which roles require a second factor (administrators) ----

#[derive(Template)]
#[template(path = "auth/totp_policy.html")]
struct PolicyPage {
    c: Chrome,
    rows: Vec<TotpPolicyItem>,
    saved: bool,
}

async fn policy_page(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    match state.app.totp_policy(&s.actor, lang).await {
        Ok(rows) => render(
            StatusCode::OK,
            &PolicyPage {
                c: Chrome::new(&state, Some(&s), lang, "totp_policy", "/totp-policy"),
                rows,
                saved: q.as_deref() == Some("saved=1"),
            },
        ),
        Err(e) => app_error(&state, &s, lang, e),
    }
}

#[derive(Deserialize, Default)]
struct PolicyForm {
    csrf: Option<String>,
    role: Option<String>,
    required: Option<String>,
}

impl WithCsrf for PolicyForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn policy_submit(
    State(state): State<AppState>,
    UiSession(s, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: PolicyForm = match posted_form(&state, &s, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let req = TotpPolicyRequest::of(
        form.role.as_deref().unwrap_or(""),
        form.required.as_deref() == Some("true"),
    );
    match state.app.set_totp_policy(&s.actor, &req, lang).await {
        Ok(_) => Redirect::to("/totp-policy?saved=1").into_response(),
        Err(e) => app_error(&state, &s, lang, e),
    }
}

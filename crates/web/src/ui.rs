//! Server-rendered pages: sign-in, home, incident intake, list and detail.
//!
//! Every page works without JavaScript (`/static/app.js` only enhances), every string
//! comes from the message catalogs, and every write is a form POST carrying the
//! session's CSRF token. Handlers extract, call one use case and render; use-case
//! errors become pages (404, 403, 500) or the same form re-shown with its errors.

use std::sync::OnceLock;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::incidents::{IncidentView, UnmaskedCaller};
use frontline_core::authz::{self, Action, Scope};
use frontline_core::incident::{IncidentInput, SHANGHAI};
use frontline_core::org::Role;
use frontline_core::{FieldError, Lang};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ListParams, list_query, session_cookie, session_cookie_removal};
use crate::i18n;
use crate::session::{LANG_COOKIE, ReqLang, UiSession, urlencode};

const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/incidents", get(incident_list).post(incident_create))
        .route("/incidents/new", get(intake_form))
        .route("/incidents/{id}", get(incident_detail))
        .route("/incidents/{id}/unmask", post(incident_unmask))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .fallback(fallback)
}

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

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

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A time as people read it here: `2026-11-22 08:30`, Beijing time.
pub fn bj_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&SHANGHAI)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The value of a `datetime-local` field for `t` in Beijing time: `2026-11-22T08:30`.
pub fn datetime_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&SHANGHAI)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Whole minutes to wait, rounded up (at least 1).
pub fn minutes_to_wait(secs: u64) -> u64 {
    secs.div_ceil(60).max(1)
}

/// The HTML id of the form control for a use-case field path (`caller.phone` → `caller_phone`).
pub fn field_id(field: &str) -> String {
    field.replace('.', "_")
}

/// Number of pages for `total` rows (at least 1).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    if per_page <= 0 {
        return 1;
    }
    ((total + per_page - 1) / per_page).max(1)
}

/// Substitutes `{name}` placeholders in a translated message.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = i18n::t(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Compares two secrets without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn csrf_ok(session: &Session, sent: Option<&str>) -> bool {
    sent.is_some_and(|s| same_secret(&session.csrf_token, s))
}

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

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------
// Page chrome
// ---------------------------------------------------------------------------

pub struct UserBox {
    pub display_name: String,
    pub unit_name: String,
    pub csrf: String,
}

/// What the layout needs: language, who is signed in, and which nav entries to show.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<UserBox>,
    pub current: &'static str,
    pub can_create: bool,
    pub can_read: bool,
    /// The deadline calculator and rule catalog (issue 3).
    pub can_deadline: bool,
    /// The holiday calendar administration.
    pub can_calendar: bool,
    /// The penalty calculator and catalog (issue 4).
    pub can_penalty: bool,
    /// Discretion standard administration.
    pub can_standards: bool,
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
        Chrome {
            lang,
            user: session.map(|s| UserBox {
                display_name: s.actor.display_name.clone(),
                unit_name: state.app.org.unit_name(s.actor.unit_id),
                csrf: s.csrf_token.clone(),
            }),
            current,
            can_create: session
                .is_some_and(|s| authz::scope(&s.actor, Action::IncidentCreate) != Scope::None),
            can_read: session
                .is_some_and(|s| authz::scope(&s.actor, Action::IncidentRead) != Scope::None),
            can_deadline: session
                .is_some_and(|s| authz::scope(&s.actor, Action::DeadlineCompute) != Scope::None),
            can_calendar: session
                .is_some_and(|s| authz::scope(&s.actor, Action::CalendarManage) != Scope::None),
            can_penalty: session
                .is_some_and(|s| authz::scope(&s.actor, Action::PenaltyAssess) != Scope::None),
            can_standards: session.is_some_and(|s| {
                authz::scope(&s.actor, Action::PenaltyStandardManage) != Scope::None
            }),
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

/// Field errors of a form: the summary list (in order) and a lookup by control id.
#[derive(Default)]
pub struct FormErrors {
    /// (control id or "" when the error belongs to no control, text for the summary)
    pub summary: Vec<(String, String)>,
    by_id: Vec<(String, String)>,
}

impl FormErrors {
    /// `labels` maps control ids to their labels, to say which field a summary line is about.
    pub(crate) fn new(errs: &[FieldError], lang: Lang, labels: &[(&str, String)]) -> FormErrors {
        let sep = i18n::t(lang, "form.label_sep");
        let mut f = FormErrors::default();
        for e in errs {
            let id = field_id(&e.field);
            let msg = e.message(lang).to_string();
            match labels.iter().find(|(k, _)| *k == id) {
                Some((_, label)) => {
                    f.summary.push((id.clone(), format!("{label}{sep}{msg}")));
                    if !f.by_id.iter().any(|(k, _)| *k == id) {
                        f.by_id.push((id, msg));
                    }
                }
                None => f.summary.push((String::new(), msg)),
            }
        }
        f
    }

    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Rendering and error pages
// ---------------------------------------------------------------------------

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
        AppError::Validation(_) | AppError::Throttled { .. } => {
            error_page(state, Some(session), lang, StatusCode::BAD_REQUEST)
        }
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

/// Reads an urlencoded form body; the error is the status of the page to show instead.
pub(crate) fn read_form<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, StatusCode> {
    let bytes = body.map_err(|e| e.status())?;
    serde_urlencoded::from_bytes(&bytes).map_err(|_| StatusCode::BAD_REQUEST)
}

pub(crate) fn parse_query<T: serde::de::DeserializeOwned + Default>(q: Option<String>) -> T {
    q.and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default()
}

async fn fallback(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::problem::problem(
            StatusCode::NOT_FOUND,
            lang,
            "记录不存在",
            "Not found",
            &[],
        );
    }
    error_page(&state, None, lang, StatusCode::NOT_FOUND)
}

// ---------------------------------------------------------------------------
// Static assets and language
// ---------------------------------------------------------------------------

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

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
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

// ---------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------

/// The client address when the server was started with connect info ("unknown" otherwise).
struct ClientIp(String);

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
fn cross_origin(headers: &HeaderMap) -> bool {
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
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    next: String,
    error: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    RawQuery(q): RawQuery,
) -> Response {
    let q: NextQuery = parse_query(q);
    let next = safe_next(q.next.as_deref());
    let page = LoginPage {
        c: Chrome::new(
            &state,
            None,
            lang,
            "login",
            &format!("/login?next={}", urlencode(&next)),
        ),
        username: String::new(),
        next,
        error: None,
    };
    render(StatusCode::OK, &page)
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
    let username = form.username.unwrap_or_default().trim().to_string();
    let password = form.password.unwrap_or_default();
    let (status, error) = match state.app.login(&username, &password, &ip).await {
        Ok((token, _session)) => {
            let cookie = session_cookie(token, state.app.config.secure_cookies);
            return (jar.add(cookie), Redirect::to(&next)).into_response();
        }
        Err(AppError::Unauthorized) => (StatusCode::UNAUTHORIZED, i18n::t(lang, "login.failed")),
        Err(AppError::Throttled { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            tf(
                lang,
                "login.throttled",
                &[("minutes", &minutes_to_wait(retry_after_secs).to_string())],
            ),
        ),
        Err(AppError::Validation(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            i18n::t(lang, "login.failed"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            return error_page(&state, None, lang, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let page = LoginPage {
        c: Chrome::new(
            &state,
            None,
            lang,
            "login",
            &format!("/login?next={}", urlencode(&next)),
        ),
        username,
        next,
        error: Some(error),
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    jar: CookieJar,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: CsrfForm = match read_form(body) {
        Ok(f) => f,
        Err(status) => return error_page(&state, Some(&session), lang, status),
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    if let Err(e) = state.app.logout(&session).await {
        return app_error(&state, &session, lang, e);
    }
    let jar = jar.remove(session_cookie_removal(state.app.config.secure_cookies));
    (jar, Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------------------
// Home
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    greeting: String,
    unit_name: String,
    roles: Vec<&'static str>,
    partner: bool,
}

async fn home(State(state): State<AppState>, UiSession(session, lang): UiSession) -> Response {
    let a = &session.actor;
    let page = HomePage {
        c: Chrome::new(&state, Some(&session), lang, "home", "/"),
        greeting: tf(lang, "home.greeting", &[("name", &a.display_name)]),
        unit_name: state.app.org.unit_name(a.unit_id),
        roles: a.roles.iter().map(|r| r.name(lang)).collect(),
        partner: a.has_any(&[Role::Partner, Role::PartnerJustice]) || a.unit_kind.is_partner(),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// Intake
// ---------------------------------------------------------------------------

pub struct Opt {
    pub value: String,
    pub label: String,
}

pub struct OptGroup {
    pub label: String,
    /// The unit a group of districts belongs to (empty otherwise), for the script that
    /// narrows the district list to the chosen station.
    pub unit: String,
    pub options: Vec<Opt>,
}

/// What the intake form shows in its fields (as typed, or the defaults).
#[derive(Deserialize, Default)]
pub struct IntakeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reported_at: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    caller_name: String,
    #[serde(default)]
    caller_phone: String,
    #[serde(default)]
    caller_id_number: String,
    #[serde(default)]
    narrative: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.to_string())
}

impl IntakeForm {
    fn input(&self, may_assign: bool) -> IncidentInput {
        IncidentInput {
            reported_at: opt(&self.reported_at),
            category: opt(&self.category),
            address: opt(&self.address),
            district_id: opt(&self.district_id),
            unit_id: if may_assign { opt(&self.unit_id) } else { None },
            caller_name: opt(&self.caller_name),
            caller_phone: opt(&self.caller_phone),
            caller_id_number: opt(&self.caller_id_number),
            narrative: opt(&self.narrative),
            ..IncidentInput::default()
        }
    }
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    c: Chrome,
    v: IntakeForm,
    errs: FormErrors,
    categories: Vec<OptGroup>,
    /// Stations to choose from, when the user may file for another unit.
    units: Option<Vec<Opt>>,
    unit_required: bool,
    districts: Vec<OptGroup>,
}

fn category_groups(state: &AppState, lang: Lang) -> Vec<OptGroup> {
    state
        .app
        .categories
        .roots()
        .iter()
        .map(|r| OptGroup {
            label: r.name(lang).to_string(),
            unit: String::new(),
            options: r
                .children
                .iter()
                .map(|c| Opt {
                    value: c.code.clone(),
                    label: c.name(lang).to_string(),
                })
                .collect(),
        })
        .collect()
}

fn station_options(state: &AppState) -> Vec<Opt> {
    state
        .app
        .org
        .stations()
        .into_iter()
        .map(|u| Opt {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect()
}

fn intake_labels(lang: Lang) -> Vec<(&'static str, String)> {
    [
        ("reported_at", "intake.reported_at"),
        ("category", "intake.category"),
        ("unit_id", "intake.unit"),
        ("address", "intake.address"),
        ("district_id", "intake.district"),
        ("caller_name", "intake.caller_name"),
        ("caller_phone", "intake.caller_phone"),
        ("caller_id_number", "intake.caller_id_number"),
        ("narrative", "intake.narrative"),
    ]
    .into_iter()
    .map(|(id, key)| (id, i18n::t(lang, key)))
    .collect()
}

fn intake_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    v: IntakeForm,
    errs: FormErrors,
) -> IntakePage {
    let a = &session.actor;
    let may_assign = authz::scope(a, Action::IncidentAssignUnit) != Scope::None;
    let own_is_station = state.app.org.stations().iter().any(|u| u.id == a.unit_id);
    let districts = if may_assign {
        state
            .app
            .org
            .stations()
            .into_iter()
            .map(|u| OptGroup {
                unit: u.id.to_string(),
                options: state
                    .app
                    .org
                    .districts_of(u.id)
                    .into_iter()
                    .map(|d| Opt {
                        value: d.id.to_string(),
                        label: d.name,
                    })
                    .collect(),
                label: u.name,
            })
            .filter(|g| !g.options.is_empty())
            .collect()
    } else {
        vec![OptGroup {
            label: String::new(),
            unit: a.unit_id.to_string(),
            options: state
                .app
                .org
                .districts_of(a.unit_id)
                .into_iter()
                .map(|d| Opt {
                    value: d.id.to_string(),
                    label: d.name,
                })
                .collect(),
        }]
    };
    IntakePage {
        c: Chrome::new(state, Some(session), lang, "intake", "/incidents/new"),
        v,
        errs,
        categories: category_groups(state, lang),
        units: may_assign.then(|| station_options(state)),
        unit_required: !own_is_station,
        districts,
    }
}

async fn intake_form(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
) -> Response {
    if authz::scope(&session.actor, Action::IncidentCreate) == Scope::None {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let own_is_station = state
        .app
        .org
        .stations()
        .iter()
        .any(|u| u.id == session.actor.unit_id);
    let v = IntakeForm {
        reported_at: datetime_local(state.app.now()),
        unit_id: if own_is_station {
            session.actor.unit_id.to_string()
        } else {
            String::new()
        },
        ..IntakeForm::default()
    };
    let page = intake_page(&state, &session, lang, v, FormErrors::default());
    render(StatusCode::OK, &page)
}

async fn incident_create(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let v: IntakeForm = match read_form(body) {
        Ok(f) => f,
        Err(status) => return error_page(&state, Some(&session), lang, status),
    };
    if !csrf_ok(&session, Some(&v.csrf)) {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let may_assign = authz::scope(&session.actor, Action::IncidentAssignUnit) != Scope::None;
    match state
        .app
        .create_incident(&session.actor, &v.input(may_assign))
        .await
    {
        Ok(row) => Redirect::to(&format!("/incidents/{}?created=1", row.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            let errs = FormErrors::new(&errs, lang, &intake_labels(lang));
            let page = intake_page(&state, &session, lang, v, errs);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct ListForm {
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    unit_id: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    /// `csv`: download every row the filters select instead of showing a page.
    export: Option<String>,
    /// `reported_at`: oldest first; otherwise newest first.
    sort: Option<String>,
}

impl ListForm {
    fn params(&self) -> ListParams {
        ListParams {
            from: self.from.clone(),
            to: self.to.clone(),
            category: self.category.clone(),
            unit_id: self.unit_id.clone(),
            page: self.page.clone(),
            per_page: self.per_page.clone(),
            sort: self.sort.clone(),
        }
    }

    fn oldest_first(&self) -> bool {
        self.sort.as_deref().map(str::trim) == Some("reported_at")
    }

    /// The first page of this view in the other time order.
    fn sort_toggle_href(&self) -> String {
        let other = ListForm {
            sort: (!self.oldest_first()).then(|| "reported_at".to_string()),
            ..self.clone()
        };
        other.href(1)
    }

    /// This view's filters as a CSV download.
    fn export_href(&self) -> String {
        let h = self.href(1);
        let sep = if h.contains('?') { '&' } else { '?' };
        format!("{h}{sep}export=csv")
    }

    /// The query string of this view at another page, keeping every filter.
    fn href(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("category", &self.category),
            ("unit_id", &self.unit_id),
            ("per_page", &self.per_page),
            ("sort", &self.sort),
        ] {
            if let Some(v) = non_blank(v) {
                pairs.push((k, v.to_string()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if q.is_empty() {
            "/incidents".to_string()
        } else {
            format!("/incidents?{q}")
        }
    }
}

pub struct ListRow {
    pub id: Uuid,
    pub number: String,
    pub reported: String,
    pub category: String,
    pub address: String,
    pub unit: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    c: Chrome,
    from: String,
    to: String,
    category: String,
    unit_id: String,
    categories: Vec<CategoryFilter>,
    units: Option<Vec<Opt>>,
    errs: FormErrors,
    rows: Vec<ListRow>,
    total: String,
    page: i64,
    pages: i64,
    export_href: String,
    sort_href: String,
    oldest_first: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    shown: bool,
}

impl ListPage {
    fn page_label(&self) -> String {
        tf(
            self.c.lang,
            "list.page",
            &[
                ("page", &group_thousands(self.page)),
                ("pages", &group_thousands(self.pages)),
            ],
        )
    }
}

/// A top-level category with its sub-categories, for the list filter (either may be picked).
pub struct CategoryFilter {
    pub code: String,
    pub all_label: String,
    pub label: String,
    pub children: Vec<Opt>,
}

async fn incident_list(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    headers: axum::http::HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let read_scope = authz::scope(&session.actor, Action::IncidentRead);
    if read_scope == Scope::None {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let here = match &q {
        Some(q) if !q.is_empty() => format!("/incidents?{q}"),
        _ => "/incidents".to_string(),
    };
    let f: ListForm = parse_query(q);
    // An export that cannot be made (too many rows) shows the list with the reason;
    // filter errors are reported by the list below.
    let mut export_errs = Vec::new();
    if f.export.as_deref() == Some("csv") && crate::export::cross_site_cookie_request(&headers) {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    if f.export.as_deref() == Some("csv")
        && let Ok(q) = list_query(f.params())
    {
        match state.app.export_incidents(&session.actor, &q).await {
            Ok(rows) => {
                let csv = crate::export::incidents_csv(&state.app, &rows, lang);
                return crate::export::csv_response(csv, "incidents", state.app.now());
            }
            Err(AppError::Validation(errs)) => export_errs = errs,
            Err(e) => return app_error(&state, &session, lang, e),
        }
    }
    let result = match list_query(f.params()) {
        Ok(q) => state.app.list_incidents(&session.actor, &q).await,
        Err(e) => Err(e),
    };
    let labels: Vec<(&str, String)> = vec![
        ("from", i18n::t(lang, "list.from")),
        ("to", i18n::t(lang, "list.to")),
        ("category", i18n::t(lang, "list.category")),
        ("unit_id", i18n::t(lang, "list.unit")),
        ("page", i18n::t(lang, "list.paging")),
        ("sort", i18n::t(lang, "list.col_reported")),
        ("per_page", i18n::t(lang, "list.paging")),
    ];
    let (mut status, rows, total, page, pages, mut errs, shown) = match result {
        Ok((rows, total, page, per_page)) => {
            let rows = rows
                .iter()
                .map(|r| {
                    let v: IncidentView = state.app.incident_view(r, lang);
                    ListRow {
                        id: v.id,
                        number: v.number,
                        reported: bj_minutes(r.reported_at),
                        category: v.category_name,
                        address: v.address,
                        unit: v.unit_name,
                        phone: v.caller.phone,
                    }
                })
                .collect();
            (
                StatusCode::OK,
                rows,
                total,
                page,
                page_count(total, per_page),
                FormErrors::default(),
                true,
            )
        }
        Err(AppError::Validation(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            0,
            1,
            1,
            FormErrors::new(&errs, lang, &labels),
            false,
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    if !export_errs.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
        errs = FormErrors::new(&export_errs, lang, &labels);
    }
    let categories = state
        .app
        .categories
        .roots()
        .iter()
        .map(|r| CategoryFilter {
            code: r.code.clone(),
            all_label: tf(lang, "list.category_all_of", &[("name", r.name(lang))]),
            label: r.name(lang).to_string(),
            children: r
                .children
                .iter()
                .map(|c| Opt {
                    value: c.code.clone(),
                    label: c.name(lang).to_string(),
                })
                .collect(),
        })
        .collect();
    let page_view = ListPage {
        c: Chrome::new(&state, Some(&session), lang, "incidents", &here),
        from: f.from.clone().unwrap_or_default(),
        to: f.to.clone().unwrap_or_default(),
        category: f.category.clone().unwrap_or_default(),
        unit_id: f.unit_id.clone().unwrap_or_default(),
        categories,
        units: (read_scope == Scope::Bureau).then(|| station_options(&state)),
        errs,
        rows,
        total: group_thousands(total),
        page,
        pages,
        export_href: f.export_href(),
        sort_href: f.sort_toggle_href(),
        oldest_first: f.oldest_first(),
        prev_href: (page > 1).then(|| f.href(page - 1)),
        next_href: (page < pages).then(|| f.href(page + 1)),
        shown,
    };
    render(status, &page_view)
}

// ---------------------------------------------------------------------------
// Detail and unmasking
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    c: Chrome,
    v: IncidentView,
    reported: String,
    created: String,
    created_notice: bool,
    unmasked: Option<UnmaskedCaller>,
    purpose: String,
    errs: FormErrors,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    created: Option<String>,
}

/// The incident as shown (masked), with its reported and filed times formatted.
async fn load_detail(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
) -> Result<(IncidentView, String, String), AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let row = state.app.incident(&session.actor, id).await?;
    Ok((
        state.app.incident_view(&row, lang),
        bj_minutes(row.reported_at),
        bj_minutes(row.created_at),
    ))
}

async fn incident_detail(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let q: DetailQuery = parse_query(q);
    let (v, reported, created) = match load_detail(&state, &session, lang, &id).await {
        Ok(x) => x,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let page = DetailPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "incidents",
            &format!("/incidents/{}", v.id),
        ),
        v,
        reported,
        created,
        created_notice: q.created.as_deref() == Some("1"),
        unmasked: None,
        purpose: String::new(),
        errs: FormErrors::default(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct UnmaskForm {
    csrf: Option<String>,
    purpose: Option<String>,
}

async fn incident_unmask(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: UnmaskForm = match read_form(body) {
        Ok(f) => f,
        Err(status) => return error_page(&state, Some(&session), lang, status),
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let (v, reported, created) = match load_detail(&state, &session, lang, &id).await {
        Ok(x) => x,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let purpose = form.purpose.unwrap_or_default();
    let (status, unmasked, errs) = match state
        .app
        .unmask_caller(&session.actor, v.id, &purpose)
        .await
    {
        Ok(u) => (StatusCode::OK, Some(u), FormErrors::default()),
        Err(AppError::Validation(errs)) => {
            let labels = [("purpose", i18n::t(lang, "detail.purpose"))];
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                FormErrors::new(&errs, lang, &labels),
            )
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let page = DetailPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "incidents",
            &format!("/incidents/{}", v.id),
        ),
        v,
        reported,
        created,
        created_notice: false,
        unmasked,
        purpose: purpose.trim().to_string(),
        errs,
    };
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SESSION_COOKIE;
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use frontline_app::{App, AppConfig, FixedClock};
    use frontline_store::testing::{self, TestDb};
    use tower::ServiceExt;

    #[test]
    fn next_guard_allows_only_local_paths() {
        assert_eq!(safe_next(Some("/incidents?page=2")), "/incidents?page=2");
        assert_eq!(safe_next(Some("/")), "/");
        for bad in [
            None,
            Some(""),
            Some("incidents"),
            Some("//evil.example/x"),
            Some("/\\evil.example"),
            Some("https://evil.example/"),
            Some("javascript:alert(1)"),
            Some("/ok\r\nSet-Cookie: x=1"),
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn numbers_and_times_read_the_chinese_way() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(20_000), "20,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands(-12_345), "-12,345");
        let t = DateTime::parse_from_rfc3339("2026-11-22T00:30:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        assert_eq!(bj_minutes(t), "2026-11-22 08:30");
        assert_eq!(datetime_local(t), "2026-11-22T08:30");
        let late = DateTime::parse_from_rfc3339("2026-12-31T16:05:59Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        assert_eq!(bj_minutes(late), "2027-01-01 00:05");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(minutes_to_wait(0), 1);
        assert_eq!(minutes_to_wait(59), 1);
        assert_eq!(minutes_to_wait(60), 1);
        assert_eq!(minutes_to_wait(61), 2);
        assert_eq!(minutes_to_wait(900), 15);
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_count(5, 0), 1);
        assert_eq!(field_id("caller.id_number"), "caller_id_number");
        assert_eq!(field_id("address"), "address");
        assert_eq!(
            tf(Lang::Zh, "login.throttled", &[("minutes", "15")]),
            "登录失败次数过多，请 15 分钟后再试"
        );
        assert_eq!(
            tf(Lang::En, "list.total", &[("total", "1,234")]),
            "1,234 incidents"
        );
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc123", "abc124"));
        assert!(!same_secret("abc", "abc1"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn form_errors_link_to_their_controls() {
        let errs = vec![
            FieldError::new(
                "caller.id_number",
                "id_number.check_digit",
                "身份证号校验位错误",
                "Wrong check digit",
            ),
            FieldError::required("address"),
            FieldError::new("", "body", "整体错误", "Whole form"),
        ];
        let f = FormErrors::new(&errs, Lang::Zh, &intake_labels(Lang::Zh));
        assert_eq!(f.get("caller_id_number"), Some("身份证号校验位错误"));
        assert!(f.has("address"));
        assert!(!f.has("narrative"));
        assert_eq!(
            f.summary[0],
            (
                "caller_id_number".to_string(),
                "身份证号：身份证号校验位错误".to_string()
            )
        );
        assert_eq!(f.summary[2], (String::new(), "整体错误".to_string()));
        let en = FormErrors::new(&errs, Lang::En, &intake_labels(Lang::En));
        assert_eq!(en.summary[0].1, "Citizen ID number: Wrong check digit");
    }

    #[test]
    fn paging_links_keep_the_filters() {
        let f = ListForm {
            from: Some("2026-11-01".into()),
            to: Some(" ".into()),
            category: Some("criminal".into()),
            unit_id: None,
            page: Some("3".into()),
            per_page: Some("50".into()),
            export: None,
            sort: None,
        };
        assert_eq!(
            f.href(2),
            "/incidents?from=2026-11-01&category=criminal&per_page=50&page=2"
        );
        assert_eq!(
            f.export_href(),
            "/incidents?from=2026-11-01&category=criminal&per_page=50&export=csv"
        );
        assert_eq!(ListForm::default().export_href(), "/incidents?export=csv");
        assert_eq!(
            f.sort_toggle_href(),
            "/incidents?from=2026-11-01&category=criminal&per_page=50&sort=reported_at"
        );
        let oldest = ListForm {
            sort: Some("reported_at".into()),
            ..f.clone()
        };
        assert_eq!(
            oldest.href(2),
            "/incidents?from=2026-11-01&category=criminal&per_page=50&sort=reported_at&page=2"
        );
        assert_eq!(
            oldest.sort_toggle_href(),
            "/incidents?from=2026-11-01&category=criminal&per_page=50"
        );
        assert_eq!(
            f.href(1),
            "/incidents?from=2026-11-01&category=criminal&per_page=50"
        );
        assert_eq!(ListForm::default().href(1), "/incidents");
    }

    // ---- through the router, on a fresh demo database ----

    struct Ui {
        router: Router,
        _db: TestDb,
    }

    fn now0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_default()
    }

    async fn ui() -> Ui {
        let db = testing::fresh().await.expect("fresh database");
        let app = App::open(
            &db.config,
            Arc::new(FixedClock::new(now0())),
            AppConfig::for_tests(),
        )
        .await
        .expect("open app");
        app.load_demo(now0(), 200).await.expect("demo");
        Ui {
            router: crate::router(app),
            _db: db,
        }
    }

    struct Resp {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
    }

    impl Resp {
        fn location(&self) -> &str {
            self.headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        }
        fn cookie(&self, name: &str) -> Option<String> {
            self.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with(&format!("{name}=")))
                .map(|c| c.split(';').next().unwrap_or("").to_string())
        }
        /// The value of the first hidden `csrf` field on the page.
        fn csrf(&self) -> String {
            let at = self
                .body
                .find("name=\"csrf\" value=\"")
                .expect("a csrf field")
                + 19;
            self.body[at..].split('"').next().unwrap_or("").to_string()
        }
    }

    impl Ui {
        async fn send(&self, req: Request<Body>) -> Resp {
            let resp = self.router.clone().oneshot(req).await.expect("response");
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
                .await
                .expect("body");
            Resp {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        }
        async fn get(&self, path: &str, cookie: &str) -> Resp {
            let req = Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request");
            self.send(req).await
        }
        async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
            let body = serde_urlencoded::to_string(form).expect("form");
            let req = Request::post(path)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request");
            self.send(req).await
        }
        /// Signs in and returns the Cookie header value.
        async fn sign_in(&self, user: &str) -> String {
            let r = self
                .post(
                    "/login",
                    "",
                    &[
                        ("username", user),
                        ("password", "demo-password"),
                        ("next", "/"),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{user} signs in: {}",
                r.body
            );
            r.cookie(SESSION_COOKIE).expect("session cookie")
        }
    }

    fn incident_form<'a>(csrf: &'a str, id_number: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("csrf", csrf),
            ("reported_at", "2026-11-22T09:30"),
            ("category", "criminal.theft"),
            ("address", "人民路 12 号"),
            ("district_id", ""),
            ("caller_name", "王晓明"),
            ("caller_phone", "13800138000"),
            ("caller_id_number", id_number),
            ("narrative", "手机被盗。"),
        ]
    }

    #[tokio::test]
    async fn pages_need_a_session_and_sign_in_goes_to_next() {
        let ui = ui().await;
        let r = ui.get("/incidents?page=2", "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/login?next=/incidents%3Fpage%3D2");

        let r = ui.get("/login?next=/incidents", "").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<html lang=\"zh-CN\">"));
        assert!(r.body.contains("name=\"next\" value=\"/incidents\""));
        assert_eq!(
            r.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );

        let r = ui
            .post(
                "/login",
                "",
                &[
                    ("username", "s1.desk"),
                    ("password", "wrong-one"),
                    ("next", "/incidents"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("用户名或密码错误"));
        assert!(r.body.contains("value=\"s1.desk\""), "the username is kept");
        assert!(r.cookie(SESSION_COOKIE).is_none());

        let r = ui
            .post(
                "/login",
                "",
                &[
                    ("username", "s1.desk"),
                    ("password", "demo-password"),
                    ("next", "//evil.example"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/");
        let cookie = r.cookie(SESSION_COOKIE).expect("session cookie");

        let r = ui.get("/", &cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("您好，"));
        assert!(r.body.contains("值班民警"));
        assert!(r.body.contains("href=\"/incidents/new\""));

        // Sign out needs the form's token.
        let csrf = r.csrf();
        assert_eq!(
            ui.post("/logout", &cookie, &[("csrf", "nope")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = ui.post("/logout", &cookie, &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/login");
        assert_eq!(ui.get("/", &cookie).await.status, StatusCode::SEE_OTHER);
    }

    #[tokio::test]
    async fn login_is_throttled_after_repeated_failures() {
        let ui = ui().await;
        for _ in 0..5 {
            ui.post(
                "/login",
                "",
                &[("username", "s3.desk"), ("password", "bad-password")],
            )
            .await;
        }
        let r = ui
            .post(
                "/login",
                "",
                &[("username", "s3.desk"), ("password", "demo-password")],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.body.contains("登录失败次数过多，请 15 分钟后再试"),
            "{}",
            r.body
        );
    }

    #[tokio::test]
    async fn intake_files_shows_errors_and_unmasks() {
        let ui = ui().await;
        let cookie = ui.sign_in("s1.desk").await;
        let form = ui.get("/incidents/new", &cookie).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("value=\"2026-11-22T10:00\""),
            "reported time defaults to now (Beijing)"
        );
        assert!(form.body.contains("<optgroup label=\"刑事\">"));
        assert!(
            !form.body.contains("id=\"unit_id\""),
            "desk officers file for their own station"
        );
        let csrf = form.csrf();

        // Without the session's token: refused.
        let r = ui
            .post("/incidents", &cookie, &incident_form("forged", ""))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("无权执行此操作"));

        // A wrong check digit: the form again, with the message beside the field.
        let r = ui
            .post(
                "/incidents",
                &cookie,
                &incident_form(&csrf, "360426199101010072"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("class=\"error-summary\""));
        assert!(
            r.body
                .contains("<a href=\"#caller_id_number\">身份证号：身份证号校验位错误</a>")
        );
        assert!(r.body.contains("id=\"caller_id_number-error\""));
        assert!(r.body.contains("value=\"360426199101010072\""));
        assert!(r.body.contains("value=\"人民路 12 号\""));
        assert!(r.body.contains("value=\"13800138000\""));
        assert!(r.body.contains(">手机被盗。</textarea>"));
        assert!(
            r.body
                .contains("<option value=\"criminal.theft\" selected>")
        );

        // Filed.
        let r = ui
            .post("/incidents", &cookie, &incident_form(&csrf, ""))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let loc = r.location().to_string();
        assert!(
            loc.starts_with("/incidents/") && loc.ends_with("?created=1"),
            "{loc}"
        );
        let detail = ui.get(&loc, &cookie).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.body.contains("警情已登记，编号 S01-2026-"));
        assert!(detail.body.contains("2026-11-22 09:30"));
        assert!(detail.body.contains("138****8000"));
        assert!(!detail.body.contains("13800138000"));
        let path = loc.trim_end_matches("?created=1").to_string();

        // It is listed (newest first) with a masked phone.
        let list = ui.get("/incidents", &cookie).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(&format!("<a href=\"{path}\">S01-2026-")));
        assert!(list.body.contains("条</p>"));

        // Unmasking needs a purpose, then shows the number and says it was recorded.
        let unmask = format!("{path}/unmask");
        let r = ui
            .post(&unmask, &cookie, &[("csrf", &csrf), ("purpose", "x")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"purpose-error\""));
        assert!(!r.body.contains("13800138000"));
        let r = ui
            .post(
                &unmask,
                &cookie,
                &[("csrf", &csrf), ("purpose", "回访核实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("13800138000"));
        assert!(
            r.body
                .contains("本次查看已记入审计日志（查询事由：回访核实）")
        );
        assert_eq!(
            ui.post(&unmask, &cookie, &[("purpose", "回访核实")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Another station's officer: not found, and no unmasking either.
        let other = ui.sign_in("s2.desk").await;
        let r = ui.get(&path, &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("页面不存在"));
        let other_csrf = ui.get("/", &other).await.csrf();
        let r = ui
            .post(
                &unmask,
                &other,
                &[("csrf", &other_csrf), ("purpose", "回访核实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            ui.get("/incidents/not-a-uuid", &other).await.status,
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn list_filters_paging_and_bureau_wide_unit_picker() {
        let ui = ui().await;
        let cookie = ui.sign_in("command").await;
        let r = ui
            .get("/incidents?per_page=10&category=criminal", &cookie)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("id=\"unit_id\""),
            "bureau-wide users filter by unit"
        );
        assert!(r.body.contains("<option value=\"criminal\" selected>"));
        assert!(
            r.body
                .contains("href=\"/incidents?category=criminal&#38;per_page=10&#38;page=2\"")
        );

        let r = ui
            .get("/incidents?from=2026-13-01&category=nope", &cookie)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("日期格式不正确"));
        assert!(r.body.contains("警情类别不存在"));
        assert!(
            r.body.contains("value=\"2026-13-01\""),
            "the filter is kept"
        );

        // Command centre may name the owning station on intake.
        let r = ui.get("/incidents/new", &cookie).await;
        assert!(r.body.contains("id=\"unit_id\""));

        // Partners see neither intake nor the list, and a note on the home page.
        let partner = ui.sign_in("street1").await;
        let home = ui.get("/", &partner).await;
        assert!(home.body.contains("目前还没有推送给您单位的事项"));
        assert!(!home.body.contains("href=\"/incidents/new\""));
        assert_eq!(
            ui.get("/incidents", &partner).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            ui.get("/incidents/new", &partner).await.status,
            StatusCode::FORBIDDEN
        );
    }

    #[tokio::test]
    async fn language_switch_assets_and_unknown_paths() {
        let ui = ui().await;
        let r = ui.get("/lang/en?next=/login", "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/login");
        assert_eq!(r.cookie(LANG_COOKIE).as_deref(), Some("lang=en"));
        let r = ui.get("/login", "lang=en").await;
        assert!(r.body.contains("<html lang=\"en\">"));
        assert!(r.body.contains("Sign in to Frontline"));
        assert_eq!(
            ui.get("/lang/zh-CN?next=https://evil.example", "")
                .await
                .location(),
            "/"
        );

        let css = ui.get("/static/app.css", "").await;
        assert_eq!(css.status, StatusCode::OK);
        assert_eq!(
            css.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("text/css; charset=utf-8")
        );
        assert!(css.headers.get(header::CACHE_CONTROL).is_some());
        assert!(css.body.contains("PingFang SC"));
        let js = ui.get("/static/app.js", "").await;
        assert_eq!(js.status, StatusCode::OK);

        let r = ui.get("/no/such/page", "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("页面不存在"));
        let r = ui.get("/api/v1/nope", "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            r.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }
}

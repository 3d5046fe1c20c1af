//! The callback queue page and the daily review board (三清点调) with its print layout.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::incident::{
    AcknowledgeRequest, DailyReview, DailyReviewQuery, IncidentView, PushAnswerRequest, PushView,
    ReviewList, ReviewMarkRequest, StationReview,
};
use frontline_core::Lang;
use frontline_core::request::Given;
use serde::Deserialize;

use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;

use crate::pages::form::{FormErrors, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/callbacks", get(queue_page))
        .route("/daily-review", get(review_page))
        .route("/daily-review/marks", post(mark_post))
        .route("/daily-review/acknowledge", post(acknowledge_post))
        .route("/pushes", get(pushes_page))
        .route("/pushes/{id}/answer", post(push_answer_post))
}

/// `2026-11-30T08:05:00+08:00` as `11-30 08:05`.
fn short_time(s: &str) -> String {
    s.get(5..16).unwrap_or(s).replace('T', " ")
}

#[derive(Template)]
#[template(path = "incident/callbacks.html")]
struct QueuePage {
    c: Chrome,
    items: Vec<(String, IncidentView)>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    page: Option<String>,
}

async fn queue_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: QueueQuery = parse_query(q);
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let list = match state.app.callback_queue(&session.actor, page, lang).await {
        Ok(l) => l,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let p = QueuePage {
        c: Chrome::new(&state, Some(&session), lang, "callbacks", "/callbacks"),
        items: list
            .items
            .into_iter()
            .map(|v| (short_time(&v.reported_at), v))
            .collect(),
        total: list.total,
        page,
        pages,
    };
    render(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "incident/daily_review.html")]
struct ReviewPage {
    c: Chrome,
    r: DailyReview,
    /// The station picked (empty: all the reader may see) and the choices.
    unit_id: String,
    stations: Vec<(String, String)>,
    errs: FormErrors,
    notice: Option<String>,
    printed_at: String,
}

impl ReviewPage {
    fn lists<'a>(&self, st: &'a StationReview) -> Vec<(&'static str, &'a ReviewList)> {
        vec![
            ("repeat", &st.repeat),
            ("dissatisfied", &st.dissatisfied),
            ("dispute", &st.dispute),
            ("still_open", &st.still_open),
        ]
    }
    fn short(&self, s: &str) -> String {
        short_time(s)
    }
    fn change(&self, now: &i64, before: &i64) -> String {
        let (n, b) = (*now, *before);
        if b == 0 {
            return if n == 0 { "—".into() } else { "+".into() };
        }
        let pct = (n - b) as f64 * 100.0 / b as f64;
        format!("{pct:+.0}%")
    }
}

#[derive(Deserialize, Default)]
struct ReviewQueryForm {
    date: Option<String>,
    unit_id: Option<String>,
    saved: Option<String>,
}

async fn review_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let form: ReviewQueryForm = parse_query(q);
    let query = DailyReviewQuery {
        date: form.date.clone(),
        unit_id: form.unit_id.clone(),
        ..DailyReviewQuery::default()
    };
    let notice = match form.saved.as_deref() {
        Some("mark") => Some(i18n::t(lang, "review.saved")),
        Some("ack") => Some(i18n::t(lang, "review.acknowledged")),
        _ => None,
    };
    review_response(
        &state,
        &session,
        lang,
        &query,
        FormErrors::default(),
        notice,
    )
    .await
}

async fn review_response(
    state: &AppState,
    session: &frontline_app::auth::Session,
    lang: Lang,
    query: &DailyReviewQuery,
    errs: FormErrors,
    notice: Option<String>,
) -> Response {
    let (r, errs, status) = match state.app.daily_review(&session.actor, query, lang).await {
        Ok(r) => (r, errs, StatusCode::OK),
        Err(AppError::Validation(es)) => {
            // The board of the default day, with the refused filter's messages.
            let labels = [
                ("date", i18n::t(lang, "review.date")),
                ("unit_id", i18n::t(lang, "review.station")),
            ];
            let errs = FormErrors::new(&es, lang, &labels);
            match state
                .app
                .daily_review(&session.actor, &DailyReviewQuery::default(), lang)
                .await
            {
                Ok(r) => (r, errs, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => return app_error(state, session, lang, e),
            }
        }
        Err(e) => return app_error(state, session, lang, e),
    };
    let stations = if r.stations.len() > 1 || query.unit_id.is_some() {
        state
            .app
            .org
            .stations()
            .into_iter()
            .filter(|s| {
                frontline_core::authz::allows(
                    &session.actor,
                    frontline_core::authz::Action::DailyReviewRead,
                    &s.path,
                )
            })
            .map(|s| (s.id.to_string(), s.name))
            .collect()
    } else {
        Vec::new()
    };
    let page = ReviewPage {
        c: Chrome::new(state, Some(session), lang, "daily_review", "/daily-review"),
        unit_id: query.unit_id.clone().unwrap_or_default(),
        stations,
        errs,
        notice,
        printed_at: crate::pages::fmt::bj_minutes(state.app.now()),
        r,
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
struct MarkForm {
    csrf: Option<String>,
    date: Option<String>,
    incident_id: Option<String>,
    note: Option<String>,
    instruction: Option<String>,
    unit_id: Option<String>,
}

impl WithCsrf for MarkForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn given(v: &Option<String>) -> Given<String> {
    match v {
        Some(v) if !v.trim().is_empty() => Given::Value(v.clone()),
        _ => Given::Absent,
    }
}

fn back(date: &Option<String>, unit: &Option<String>, saved: &str) -> String {
    let mut url = format!("/daily-review?saved={saved}");
    if let Some(d) = date.as_deref().filter(|d| !d.is_empty()) {
        url.push_str(&format!(
            "&date={}",
            percent_encoding::utf8_percent_encode(d, percent_encoding::NON_ALPHANUMERIC)
        ));
    }
    if let Some(u) = unit.as_deref().filter(|u| !u.is_empty()) {
        url.push_str(&format!(
            "&unit_id={}",
            percent_encoding::utf8_percent_encode(u, percent_encoding::NON_ALPHANUMERIC)
        ));
    }
    url
}

async fn mark_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: MarkForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let request = ReviewMarkRequest {
        date: given(&form.date),
        incident_id: given(&form.incident_id),
        note: given(&form.note),
        instruction: given(&form.instruction),
        ..ReviewMarkRequest::default()
    };
    match state.app.mark_reviewed(&session.actor, &request).await {
        Ok(_) => Redirect::to(&back(&form.date, &form.unit_id, "mark")).into_response(),
        Err(AppError::Validation(es)) => {
            let labels = [
                ("note", i18n::t(lang, "review.note")),
                ("instruction", i18n::t(lang, "review.instruction")),
                ("date", i18n::t(lang, "review.date")),
            ];
            let errs = FormErrors::new(&es, lang, &labels);
            let query = DailyReviewQuery {
                date: form.date.clone(),
                unit_id: form.unit_id.clone(),
                ..DailyReviewQuery::default()
            };
            let mut resp = review_response(&state, &session, lang, &query, errs, None).await;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[derive(Deserialize, Default)]
struct AckForm {
    csrf: Option<String>,
    date: Option<String>,
    incident_id: Option<String>,
    back_date: Option<String>,
    unit_id: Option<String>,
}

impl WithCsrf for AckForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn acknowledge_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: AckForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let request = AcknowledgeRequest {
        date: given(&form.date),
        incident_id: given(&form.incident_id),
        ..AcknowledgeRequest::default()
    };
    match state
        .app
        .acknowledge_instruction(&session.actor, &request)
        .await
    {
        Ok(_) => Redirect::to(&back(&form.back_date, &form.unit_id, "ack")).into_response(),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[derive(Template)]
#[template(path = "incident/pushes.html")]
struct PushesPage {
    c: Chrome,
    items: Vec<PushView>,
    total: i64,
    partner: bool,
    can_answer: bool,
    /// The push whose answer was refused, and the messages.
    open: String,
    errs: FormErrors,
    notice: Option<String>,
}

impl PushesPage {
    fn short(&self, s: &str) -> String {
        short_time(s)
    }
}

#[derive(Deserialize, Default)]
struct PushesQuery {
    answered: Option<String>,
}

async fn pushes_response(
    state: &AppState,
    session: &frontline_app::auth::Session,
    lang: Lang,
    status: StatusCode,
    open: String,
    errs: FormErrors,
    notice: Option<String>,
) -> Response {
    let list = match state.app.pushes(&session.actor, 1).await {
        Ok(l) => l,
        Err(e) => return app_error(state, session, lang, e),
    };
    let caps = state.app.capabilities(&session.actor);
    let page = PushesPage {
        c: Chrome::new(state, Some(session), lang, "pushes", "/pushes"),
        items: list.items,
        total: list.total,
        partner: caps.partner,
        can_answer: caps.answer_pushes,
        open,
        errs,
        notice,
    };
    render(status, &page)
}

async fn pushes_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: PushesQuery = parse_query(q);
    let notice = q.answered.map(|_| i18n::t(lang, "push.answered"));
    pushes_response(
        &state,
        &session,
        lang,
        StatusCode::OK,
        String::new(),
        FormErrors::default(),
        notice,
    )
    .await
}

#[derive(Deserialize, Default)]
struct PushAnswerForm {
    csrf: Option<String>,
    note: Option<String>,
}

impl WithCsrf for PushAnswerForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn push_answer_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: PushAnswerForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = PushAnswerRequest {
        note: given(&form.note),
        ..PushAnswerRequest::default()
    };
    match state.app.answer_push(&session.actor, uuid, &request).await {
        Ok(_) => Redirect::to("/pushes?answered=1").into_response(),
        Err(AppError::Validation(es)) => {
            let labels = [("note", i18n::t(lang, "push.answer_note"))];
            let errs = FormErrors::new(&es, lang, &labels);
            pushes_response(
                &state,
                &session,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                errs,
                None,
            )
            .await
        }
        Err(AppError::StateConflict(e)) => {
            let errs = FormErrors::new(&[e], lang, &[]);
            pushes_response(&state, &session, lang, StatusCode::CONFLICT, id, errs, None).await
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

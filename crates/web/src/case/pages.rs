//! Case pages: the list, the acceptance form, the case page with its steps, and the
//! deadline board (期限看板). Each calls the same use case as the API.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::case::{
    CaseDetail, CaseList, CaseListQuery, CaseRequest, CaseStepRequest, DeadlineBoard,
    DeadlineQuery, ExtensionRequest, MeasureActRequest, MeasureRequest,
};
use frontline_core::Lang;
use frontline_core::case::{CaseKind, PartyRole, Status};
use frontline_core::request::{Given, NumberOrText};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::form::{FormErrors, Opt, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, error_page, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(case_list).post(case_create))
        .route("/cases/new", get(new_form))
        .route("/cases/deadlines", get(deadline_page))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/steps", post(case_step))
        .route("/cases/{id}/measures", post(measure_post))
        .route(
            "/cases/{id}/measures/{measure}/acts",
            post(measure_act_post),
        )
        .route("/cases/{id}/deadlines/{deadline}/extend", post(extend_post))
}

fn kind_options(lang: Lang) -> Vec<Opt> {
    [CaseKind::Administrative, CaseKind::Criminal]
        .into_iter()
        .map(|k| Opt {
            value: frontline_core::case::lifecycle::kind_str(k).into(),
            label: match lang {
                Lang::Zh => frontline_core::case::lifecycle::kind_name_zh(k),
                Lang::En => frontline_core::case::lifecycle::kind_name_en(k),
            }
            .into(),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct ListForm {
    kind: Option<String>,
    status: Option<String>,
    open: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "case/list.html")]
struct ListPage {
    c: Chrome,
    list: CaseList,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    kind: String,
    status: String,
    open: bool,
    errs: FormErrors,
    board: Option<DeadlineBoard>,
}

async fn case_list(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let f: ListForm = parse_query(q);
    let query = CaseListQuery {
        kind: f.kind.clone(),
        status: f.status.clone(),
        open: f.open.clone(),
        page: f.page.clone(),
        ..CaseListQuery::default()
    };
    let (list, errs) = match state.app.list_cases(&session.actor, &query, lang).await {
        Ok(l) => (l, Vec::new()),
        Err(AppError::Validation(errs)) => (
            CaseList {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page: 20,
            },
            errs,
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let board = state
        .app
        .deadline_board(
            &session.actor,
            &DeadlineQuery {
                state: Some("overdue".into()),
                limit: Some("1".into()),
                ..DeadlineQuery::default()
            },
            lang,
        )
        .await
        .ok();
    let labels = vec![
        ("kind", i18n::t(lang, "case.kind")),
        ("status", i18n::t(lang, "case.status")),
    ];
    let page = ListPage {
        c: Chrome::new(&state, Some(&session), lang, "cases", "/cases"),
        list,
        kinds: kind_options(lang),
        statuses: Status::ALL
            .into_iter()
            .map(|s| Opt {
                value: s.as_str().into(),
                label: match lang {
                    Lang::Zh => s.name_zh(),
                    Lang::En => s.name_en(),
                }
                .into(),
            })
            .collect(),
        kind: f.kind.unwrap_or_default(),
        status: f.status.unwrap_or_default(),
        open: f.open.as_deref() == Some("true"),
        errs: FormErrors::new(&errs, lang, &labels),
        board,
    };
    let status = if page.errs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

// ---------------------------------------------------------------------------
// Acceptance
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    incident_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    party_role: String,
    #[serde(default)]
    party_name: String,
    #[serde(default)]
    party_phone: String,
    #[serde(default)]
    party_id_number: String,
    #[serde(default)]
    party_consent: String,
}

impl WithCsrf for NewForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

impl NewForm {
    /// The acceptance contract as the API would receive it (a blank field is absent;
    /// the one party row of the form is sent when its name is filled in).
    fn request(&self) -> CaseRequest {
        let text = |s: &String| -> Given<String> {
            if s.trim().is_empty() {
                Given::Absent
            } else {
                Given::Value(s.clone())
            }
        };
        let mut party = serde_json::Map::new();
        for (k, v) in [
            ("role", &self.party_role),
            ("name", &self.party_name),
            ("phone", &self.party_phone),
            ("id_number", &self.party_id_number),
        ] {
            if !v.trim().is_empty() {
                party.insert(k.into(), serde_json::json!(v));
            }
        }
        if self.party_consent == "on" {
            party.insert("consent".into(), serde_json::json!(true));
        }
        CaseRequest {
            kind: text(&self.kind),
            incident_id: text(&self.incident_id),
            title: text(&self.title),
            summary: text(&self.summary),
            // The form's one party row is sent when its name is filled in (its role
            // select always has a value).
            parties: if self.party_name.trim().is_empty() {
                Given::Absent
            } else {
                Given::Value(vec![serde_json::Value::Object(party)])
            },
            ..CaseRequest::default()
        }
    }
}

#[derive(Template)]
#[template(path = "case/new.html")]
struct NewPage {
    c: Chrome,
    v: NewForm,
    errs: FormErrors,
    kinds: Vec<Opt>,
    roles: Vec<Opt>,
}

fn new_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    v: NewForm,
    errs: FormErrors,
) -> NewPage {
    NewPage {
        c: Chrome::new(state, Some(session), lang, "cases", "/cases/new"),
        v,
        errs,
        kinds: kind_options(lang),
        roles: PartyRole::ALL
            .into_iter()
            .map(|r| Opt {
                value: r.as_str().into(),
                label: match lang {
                    Lang::Zh => r.name_zh(),
                    Lang::En => r.name_en(),
                }
                .into(),
            })
            .collect(),
    }
}

#[derive(Deserialize, Default)]
struct NewQuery {
    incident_id: Option<String>,
    kind: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    if !state.app.capabilities(&session.actor).create_cases {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let q: NewQuery = parse_query(q);
    let v = NewForm {
        incident_id: q.incident_id.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        party_role: "victim".into(),
        ..NewForm::default()
    };
    render(
        StatusCode::OK,
        &new_page(&state, &session, lang, v, FormErrors::default()),
    )
}

fn new_labels(lang: Lang) -> Vec<(&'static str, String)> {
    [
        ("kind", "case.kind"),
        ("incident_id", "case.incident"),
        ("title", "case.title"),
        ("summary", "case.summary"),
        ("parties[0]_role", "case.party_role"),
        ("parties[0]_name", "case.party_name"),
        ("parties[0]_phone", "case.party_phone"),
        ("parties[0]_id_number", "case.party_id_number"),
        ("parties[0]_consent", "case.party_consent"),
    ]
    .into_iter()
    .map(|(id, key)| (id, i18n::t(lang, key)))
    .collect()
}

async fn case_create(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let v: NewForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    match state.app.create_case(&session.actor, &v.request()).await {
        Ok(row) => Redirect::to(&format!("/cases/{}?created=1", row.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            let errs = FormErrors::new(&errs, lang, &new_labels(lang));
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&state, &session, lang, v, errs),
            )
        }
        Err(AppError::StateConflict(e)) => {
            let errs = FormErrors::new(&[e], lang, &new_labels(lang));
            render(
                StatusCode::CONFLICT,
                &new_page(&state, &session, lang, v, errs),
            )
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

// ---------------------------------------------------------------------------
// The case page and its steps
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case/detail.html")]
pub(super) struct DetailPage {
    pub(super) c: Chrome,
    pub(super) d: CaseDetail,
    pub(super) created: bool,
    pub(super) done: String,
    pub(super) errs: FormErrors,
    pub(super) conflict: Option<String>,
    /// The penalty decision forms' errors (their own section).
    pub(super) pen_errs: FormErrors,
    pub(super) pen_conflict: Option<String>,
    /// What the refused proposal form held (kept for the officer to correct).
    pub(super) pen_v: super::decision_pages::ProposeValues,
    /// The attachment form's refusal.
    pub(super) file_errs: FormErrors,
    pub(super) file_conflict: Option<String>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    created: Option<String>,
    done: Option<String>,
}

pub(super) async fn load_detail(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
) -> Result<CaseDetail, AppError> {
    let uuid = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let row = state.app.case(&session.actor, uuid).await?;
    state.app.case_detail(&session.actor, &row, lang).await
}

async fn case_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let q: DetailQuery = parse_query(q);
    let d = match load_detail(&state, &session, lang, &id).await {
        Ok(d) => d,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let here = format!("/cases/{}", d.id);
    let page = DetailPage {
        c: Chrome::new(&state, Some(&session), lang, "cases", &here),
        d,
        created: q.created.is_some(),
        done: q.done.unwrap_or_default(),
        errs: FormErrors::default(),
        conflict: None,
        pen_errs: FormErrors::default(),
        pen_conflict: None,
        pen_v: Default::default(),
        file_errs: FormErrors::default(),
        file_conflict: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

impl WithCsrf for StepForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

async fn case_step(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: StepForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let given = |s: &String| {
        if s.trim().is_empty() {
            Given::Absent
        } else {
            Given::Value(s.clone())
        }
    };
    let request = CaseStepRequest {
        action: given(&f.action),
        version: Given::Value(NumberOrText::Text(f.version.clone())),
        outcome: given(&f.outcome),
        note: given(&f.note),
        ..CaseStepRequest::default()
    };
    let (status, errs, conflict) = match state
        .app
        .transition_case(&session.actor, uuid, &request)
        .await
    {
        Ok(_) => {
            let done =
                frontline_core::case::Step::parse(f.action.trim()).map_or("step", |s| s.as_str());
            return Redirect::to(&format!("/cases/{uuid}?done={done}")).into_response();
        }
        Err(AppError::Validation(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        Err(AppError::StateConflict(e)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(e.message(lang).to_string()),
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let d = match load_detail(&state, &session, lang, &id).await {
        Ok(d) => d,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let labels = vec![
        ("outcome", i18n::t(lang, "case.outcome")),
        ("note", i18n::t(lang, "case.note")),
        ("action", i18n::t(lang, "case.steps")),
        ("version", i18n::t(lang, "case.version")),
    ];
    let here = format!("/cases/{}", d.id);
    let page = DetailPage {
        c: Chrome::new(&state, Some(&session), lang, "cases", &here),
        d,
        created: false,
        done: String::new(),
        errs: FormErrors::new(&errs, lang, &labels),
        conflict,
        pen_errs: FormErrors::default(),
        pen_conflict: None,
        pen_v: Default::default(),
        file_errs: FormErrors::default(),
        file_conflict: None,
    };
    render(status, &page)
}

// ---------------------------------------------------------------------------
// The deadline board
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case/deadlines.html")]
struct BoardPage {
    c: Chrome,
    b: DeadlineBoard,
    tab: String,
    met: usize,
}

#[derive(Deserialize, Default)]
struct BoardForm {
    state: Option<String>,
}

async fn deadline_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let f: BoardForm = parse_query(q);
    let tab = match f.state.as_deref() {
        Some(s @ ("due_soon" | "overdue" | "met" | "running")) => s.to_string(),
        _ => "overdue".to_string(),
    };
    let query = DeadlineQuery {
        state: Some(tab.clone()),
        ..DeadlineQuery::default()
    };
    let b = match state.app.deadline_board(&session.actor, &query, lang).await {
        Ok(b) => b,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let met = if tab == "met" { b.items.len() } else { 0 };
    let page = BoardPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "case_deadlines",
            "/cases/deadlines",
        ),
        b,
        tab,
        met,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct ExtendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    extension: String,
    #[serde(default)]
    granted: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    version: String,
}

impl WithCsrf for ExtendForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

async fn extend_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, deadline)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: ExtendForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(deadline_id) = Uuid::parse_str(&deadline) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    // The deadline must be this case's: another case's reads as missing.
    match state.app.deadline_of(&session.actor, deadline_id).await {
        Ok((row, _)) if row.id.to_string() == id => {}
        Ok(_) => return app_error(&state, &session, lang, AppError::NotFound),
        Err(e) => return app_error(&state, &session, lang, e),
    }
    let given = |s: &String| {
        if s.trim().is_empty() {
            Given::Absent
        } else {
            Given::Value(s.clone())
        }
    };
    let request = ExtensionRequest {
        extension: Given::Value(NumberOrText::Text(f.extension.clone())),
        granted: given(&f.granted),
        approver: given(&f.approver),
        reference: given(&f.reference),
        version: Given::Value(NumberOrText::Text(f.version.clone())),
        ..ExtensionRequest::default()
    };
    let (status, errs, conflict) = match state
        .app
        .extend_deadline(&session.actor, deadline_id, &request)
        .await
    {
        Ok(row) => return Redirect::to(&format!("/cases/{}?done=extend", row.id)).into_response(),
        Err(AppError::Validation(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        Err(AppError::StateConflict(e)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(e.message(lang).to_string()),
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let d = match load_detail(&state, &session, lang, &id).await {
        Ok(d) => d,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let labels = vec![
        ("extension", i18n::t(lang, "case.extension")),
        ("granted", i18n::t(lang, "case.extension_granted")),
        ("approver", i18n::t(lang, "case.extension_approver")),
        ("reference", i18n::t(lang, "case.extension_reference")),
    ];
    let here = format!("/cases/{}", d.id);
    let page = DetailPage {
        c: Chrome::new(&state, Some(&session), lang, "cases", &here),
        d,
        created: false,
        done: String::new(),
        errs: FormErrors::new(&errs, lang, &labels),
        conflict,
        pen_errs: FormErrors::default(),
        pen_conflict: None,
        pen_v: Default::default(),
        file_errs: FormErrors::default(),
        file_conflict: None,
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
struct MeasureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    act: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

impl WithCsrf for MeasureForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

fn given(s: &str) -> Given<String> {
    if s.trim().is_empty() {
        Given::Absent
    } else {
        Given::Value(s.to_string())
    }
}

/// The case page again with a refused measure form's messages.
async fn measure_refused(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
    e: AppError,
) -> Response {
    let (status, errs, conflict) = match e {
        AppError::Validation(errs) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        AppError::StateConflict(e) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(e.message(lang).to_string()),
        ),
        e => return app_error(state, session, lang, e),
    };
    let d = match load_detail(state, session, lang, id).await {
        Ok(d) => d,
        Err(e) => return app_error(state, session, lang, e),
    };
    let labels = vec![
        ("measure", i18n::t(lang, "case.measure")),
        ("party", i18n::t(lang, "case.measure_party")),
        ("at", i18n::t(lang, "case.measure_at")),
        ("act", i18n::t(lang, "case.measure_act")),
    ];
    let here = format!("/cases/{}", d.id);
    let page = DetailPage {
        c: Chrome::new(state, Some(session), lang, "cases", &here),
        d,
        created: false,
        done: String::new(),
        errs: FormErrors::new(&errs, lang, &labels),
        conflict,
        pen_errs: FormErrors::default(),
        pen_conflict: None,
        pen_v: Default::default(),
        file_errs: FormErrors::default(),
        file_conflict: None,
    };
    render(status, &page)
}

async fn measure_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: MeasureForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(case_id) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = MeasureRequest {
        measure: given(&f.measure),
        party: Given::Value(NumberOrText::Text(f.party.clone())),
        at: given(&f.at),
        note: given(&f.note),
        version: Given::Value(NumberOrText::Text(f.version.clone())),
        ..MeasureRequest::default()
    };
    match state
        .app
        .start_measure(&session.actor, case_id, &request)
        .await
    {
        Ok(row) => Redirect::to(&format!("/cases/{}?done=measure", row.id)).into_response(),
        Err(e) => measure_refused(&state, &session, lang, &id, e).await,
    }
}

async fn measure_act_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, measure)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: MeasureForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(measure_id) = Uuid::parse_str(&measure) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    // The measure must be this case's: another case's reads as missing.
    match state.app.measure_of(&session.actor, measure_id).await {
        Ok((row, _)) if row.id.to_string() == id => {}
        Ok(_) => return app_error(&state, &session, lang, AppError::NotFound),
        Err(e) => return app_error(&state, &session, lang, e),
    }
    let request = MeasureActRequest {
        act: given(&f.act),
        at: given(&f.at),
        note: given(&f.note),
        version: Given::Value(NumberOrText::Text(f.version.clone())),
        ..MeasureActRequest::default()
    };
    match state
        .app
        .record_measure_act(&session.actor, measure_id, &request)
        .await
    {
        Ok(row) => Redirect::to(&format!("/cases/{}?done=measure", row.id)).into_response(),
        Err(e) => measure_refused(&state, &session, lang, &id, e).await,
    }
}

//! The incident's page: its record, where it stands (status, response times, the
//! officers sent), its timeline, the next steps the officer may take, and unmasking.

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
use frontline_app::incident::{
    CallbackRequest, CallbackReviewRequest, CallbackSummary, CallbackView, IncidentView,
    RepeatView, TimelineEntry, TransitionRequest, UnmaskRequest, UnmaskedCaller,
};
use frontline_core::incident::lifecycle::Step;
use frontline_core::incident::response::TargetStatus;
use frontline_core::request::Given;
use frontline_core::{FieldError, Lang};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::pages::ClientIp;
use crate::auth::totp_pages::{form_refusal, reauth_from_form, reauth_labels};
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::fmt::{bj_minutes, tf};
use crate::pages::form::{FormErrors, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}", get(incident_detail))
        .route("/incidents/{id}/unmask", post(incident_unmask))
        .route("/incidents/{id}/steps", post(incident_step))
        .route("/incidents/{id}/callbacks", post(incident_callback))
        .route("/callbacks/{id}/review", post(callback_review))
}

/// An officer who can be sent, as the dispatch form lists them.
struct Colleague {
    id: Uuid,
    label: String,
    checked: bool,
}

/// One step form the page offers.
struct StepForm {
    code: &'static str,
    name: &'static str,
    /// The main path's next step is the primary button.
    primary: bool,
    note_required: bool,
}

#[derive(Template)]
#[template(path = "incident/detail.html")]
struct DetailPage {
    c: Chrome,
    v: IncidentView,
    reported: String,
    created: String,
    created_notice: bool,
    unmasked: Option<UnmaskedCaller>,
    /// The purposes offered (code, name, needs a text), the one chosen and its text.
    purposes: Vec<(String, String, bool)>,
    purpose: String,
    purpose_text: String,
    /// How the stated purpose reads in the audit note: its name, and the text of `other`.
    purpose_label: String,
    errs: FormErrors,
    /// The unmask form asks for the password or a code too (the session has not
    /// proved its holder within the window).
    reauth: bool,
    /// Each step with its time as shown.
    timeline: Vec<(String, TimelineEntry)>,
    steps: Vec<StepForm>,
    colleagues: Vec<Colleague>,
    assigned_names: Vec<String>,
    /// The step whose form was posted (its errors show there), and its typed values.
    open_step: String,
    step_errs: FormErrors,
    typed: StepValues,
    /// A 409: the state moved on or the step is not allowed.
    conflict: Option<String>,
    done_notice: Option<String>,
    times: Vec<(String, String)>,
    target: String,
    target_status: &'static str,
    target_label: String,
    repeats: Vec<RepeatView>,
    callback: CallbackSummary,
    /// Each attempt with its time as shown.
    callbacks: Vec<(String, CallbackView)>,
    can_callback: bool,
    can_review: bool,
    /// Pushed to street offices (双推), with their answers.
    pushes: Vec<frontline_app::incident::PushView>,
    callback_errs: FormErrors,
    callback_conflict: Option<String>,
    typed_callback: CallbackValues,
}

#[derive(Debug, Default, Clone)]
struct CallbackValues {
    reached: String,
    satisfaction: String,
    comment: String,
}

impl DetailPage {
    /// Whether the posted form (with its errors and typed values) was this step's.
    fn mine(&self, step: &str) -> bool {
        self.open_step == step
    }

    /// A control's id: the posted step's controls have the plain field name (the error
    /// summary links to it), the others are prefixed with their step.
    fn fid(&self, step: &str, field: &str) -> String {
        if self.mine(step) {
            field.to_string()
        } else {
            format!("{step}-{field}")
        }
    }
}

#[derive(Debug, Default, Clone)]
struct StepValues {
    patrol_unit: String,
    at: String,
    receiver: String,
    target: String,
    note: String,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    created: Option<String>,
    done: Option<String>,
}

fn duration_label(lang: Lang, secs: Option<i64>) -> String {
    let Some(s) = secs else {
        return "—".into();
    };
    let (m, s) = (s / 60, s % 60);
    match lang {
        Lang::Zh => format!("{m}分{s:02}秒"),
        Lang::En => format!("{m} min {s:02} s"),
    }
}

fn target_key(t: TargetStatus) -> &'static str {
    match t {
        TargetStatus::NoTarget => "no_target",
        TargetStatus::Running => "running",
        TargetStatus::Overdue => "overdue",
        TargetStatus::Met => "met",
        TargetStatus::Missed => "missed",
    }
}

fn step_name(lang: Lang, s: Step) -> &'static str {
    match lang {
        Lang::Zh => s.name_zh(),
        Lang::En => s.name_en(),
    }
}

/// The detail page of the incident as shown (masked), with its timeline and the steps
/// the officer may take now.
async fn detail_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
) -> Result<DetailPage, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let row = state.app.incident(&session.actor, id).await?;
    let parts = state.app.incident_parts(&row).await?;
    let d = state
        .app
        .incident_detail(&session.actor, &row, &parts, lang);
    let events = parts.events;
    let (can_callback, can_review) = state.app.callback_actions(&session.actor, &row);
    let pushes = state.app.pushes_of(&row).await?;
    let callback_times: Vec<String> = parts.callbacks.iter().map(|c| bj_minutes(c.at)).collect();
    let v = d.incident;
    let steps: Vec<Step> = state.app.steps_for(&session.actor, &row);
    let main_next = Step::main_next(row.state.status).filter(|s| steps.contains(s));
    // One read serves both the dispatch list and the names of the officers sent.
    let can_dispatch = steps.contains(&Step::Dispatch);
    let unit_officers = if can_dispatch || !v.response.assigned.is_empty() {
        state.app.incident_colleagues(&row).await?
    } else {
        Vec::new()
    };
    let assigned_names = v
        .response
        .assigned
        .iter()
        .filter_map(|a| unit_officers.iter().find(|o| o.id == *a))
        .map(|o| o.display_name.clone())
        .collect();
    let colleagues = if can_dispatch {
        unit_officers
    } else {
        Vec::new()
    };
    let r = &v.response;
    let times = vec![
        (
            i18n::t(lang, "detail.call_to_dispatch"),
            duration_label(lang, r.call_to_dispatch_secs),
        ),
        (
            i18n::t(lang, "detail.dispatch_to_arrival"),
            duration_label(lang, r.dispatch_to_arrival_secs),
        ),
        (
            i18n::t(lang, "detail.arrival_to_disposal"),
            duration_label(lang, r.arrival_to_disposal_secs),
        ),
    ];
    let area = r.area_type.map(|a| match lang {
        Lang::Zh => a.name_zh(),
        Lang::En => a.name_en(),
    });
    let target = match (r.target_minutes, area) {
        (Some(m), Some(a)) => tf(
            lang,
            "detail.target_minutes",
            &[("area", a), ("minutes", &m.to_string())],
        ),
        _ => i18n::t(lang, "detail.target_none"),
    };
    let target_status = target_key(r.target_status);
    Ok(DetailPage {
        c: Chrome::new(
            state,
            Some(session),
            lang,
            "incidents",
            &format!("/incidents/{}", v.id),
        ),
        reported: bj_minutes(row.reported_at),
        created: bj_minutes(row.created_at),
        created_notice: false,
        unmasked: None,
        purposes: state
            .app
            .purposes
            .all()
            .iter()
            .map(|p| (p.code.clone(), p.name(lang).to_string(), p.text_required))
            .collect(),
        purpose: String::new(),
        purpose_text: String::new(),
        purpose_label: String::new(),
        errs: FormErrors::default(),
        reauth: false,
        timeline: events
            .iter()
            .map(|e| bj_minutes(e.at))
            .zip(d.timeline)
            .collect(),
        steps: steps
            .iter()
            .map(|s| StepForm {
                code: s.as_str(),
                name: step_name(lang, *s),
                primary: Some(*s) == main_next,
                note_required: s.note_required(),
            })
            .collect(),
        colleagues: colleagues
            .into_iter()
            .map(|o| Colleague {
                id: o.id,
                label: match (&o.badge_no, o.auxiliary) {
                    (Some(b), _) => format!("{}（{b}）", o.display_name),
                    (None, true) => {
                        format!("{}（{}）", o.display_name, i18n::t(lang, "step.auxiliary"))
                    }
                    (None, false) => o.display_name,
                },
                checked: false,
            })
            .collect(),
        assigned_names,
        open_step: String::new(),
        step_errs: FormErrors::default(),
        typed: StepValues::default(),
        conflict: None,
        done_notice: None,
        times,
        target,
        target_status,
        target_label: i18n::t(lang, &format!("target.{target_status}")),
        repeats: d.repeats,
        callbacks: callback_times
            .into_iter()
            .zip(d.callback.callbacks.clone())
            .collect(),
        callback: d.callback,
        can_callback,
        can_review,
        pushes,
        callback_errs: FormErrors::default(),
        callback_conflict: None,
        typed_callback: CallbackValues::default(),
        v,
    })
}

async fn incident_detail(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let q: DetailQuery = parse_query(q);
    let mut page = match detail_page(&state, &session, lang, &id).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    page.created_notice = q.created.as_deref() == Some("1");
    page.done_notice = match q.done.as_deref() {
        Some("callback") => Some(i18n::t(lang, "callback.done")),
        Some("callback_review") => Some(i18n::t(lang, "callback.review_done")),
        other => other
            .and_then(Step::parse)
            .map(|s| tf(lang, "detail.step_done", &[("step", step_name(lang, s))])),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct UnmaskForm {
    csrf: Option<String>,
    purpose: Option<String>,
    purpose_text: Option<String>,
    /// Asked for inline when the session must prove its holder again.
    reauth_password: Option<String>,
    reauth_code: Option<String>,
}

impl WithCsrf for UnmaskForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn incident_unmask(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: UnmaskForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let mut page = match detail_page(&state, &session, lang, &id).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    // An empty select or text box is "not given", as an absent JSON key.
    let given = |v: &Option<String>| match v {
        Some(v) if !v.trim().is_empty() => Given::Value(v.clone()),
        _ => Given::Absent,
    };
    let request = UnmaskRequest {
        purpose: given(&form.purpose),
        purpose_text: given(&form.purpose_text),
        ..UnmaskRequest::default()
    };
    page.purpose = form.purpose.unwrap_or_default().trim().to_string();
    page.purpose_text = form.purpose_text.unwrap_or_default().trim().to_string();
    let labels = || {
        let mut l = vec![
            ("purpose", i18n::t(lang, "detail.purpose")),
            ("purpose_text", i18n::t(lang, "detail.purpose_text")),
        ];
        l.extend(reauth_labels(lang));
        l
    };
    // The password or code typed inline first: then the unmasking proceeds.
    let mut session = session;
    match reauth_from_form(
        &state,
        &session,
        &ip,
        form.reauth_password,
        form.reauth_code,
    )
    .await
    {
        Ok(true) => {
            session.authenticated_at = state.app.now();
        }
        Ok(false) => {}
        Err(e) => match form_refusal(&e, REAUTH_FIELDS) {
            Some(errs) => {
                page.reauth = true;
                page.errs = FormErrors::new(&errs, lang, &labels());
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
            None => return app_error(&state, &session, lang, e),
        },
    }
    let status = match state.app.unmask_caller(&session, page.v.id, &request).await {
        Ok(u) => {
            let name = state
                .app
                .purposes
                .get(&page.purpose)
                .map(|p| p.name(lang).to_string())
                .unwrap_or_default();
            page.purpose_label = match (page.purpose_text.is_empty(), lang) {
                (true, _) => name,
                (false, Lang::Zh) => format!("{name}：{}", page.purpose_text),
                (false, Lang::En) => format!("{name}: {}", page.purpose_text),
            };
            // The timeline's notes whole too (the same audited unmasking).
            for (_, e) in page.timeline.iter_mut() {
                if let Some(w) = u.timeline.iter().find(|w| w.seq == e.seq) {
                    e.note = w.note.clone();
                    e.detail = w.detail.clone();
                }
            }
            page.unmasked = Some(u);
            StatusCode::OK
        }
        Err(AppError::Validation(errs)) => {
            page.errs = FormErrors::new(&errs, lang, &labels());
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::ReauthenticationRequired) => {
            // Asked inline: the purpose stays chosen, the next submit proceeds.
            page.reauth = true;
            let e = FieldError::new(
                "reauth_password",
                "auth.reauthentication_required",
                "查看完整号码前，请重新输入密码或动态验证码",
                "Before the numbers are shown whole, enter your password or code again",
            );
            page.errs = FormErrors::new(&[e], lang, &labels());
            StatusCode::FORBIDDEN
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    render(status, &page)
}

/// The re-authentication controls of the unmask form, for the app's field names.
const REAUTH_FIELDS: &[(&str, &str)] = &[
    ("password", "reauth_password"),
    ("totp_code", "reauth_code"),
];

/// A step form as posted: every pair, since `officers` repeats.
#[derive(Deserialize, Default)]
#[serde(transparent)]
struct StepPost(Vec<(String, String)>);

impl WithCsrf for StepPost {
    fn csrf(&self) -> Option<&str> {
        self.get("csrf")
    }
}

impl StepPost {
    fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// A form field: an empty input is "not given".
    fn given(&self, k: &str) -> Given<String> {
        match self.get(k) {
            Some(v) if !v.trim().is_empty() => Given::Value(v.to_string()),
            _ => Given::Absent,
        }
    }

    fn request(&self) -> TransitionRequest {
        let officers: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == "officers")
            .map(|(_, v)| v.clone())
            .collect();
        let step = self.get("action").and_then(Step::parse);
        TransitionRequest {
            action: self.given("action"),
            version: match self.get("version") {
                Some(v) => Given::Value(frontline_core::request::NumberOrText::Text(v.into())),
                None => Given::Absent,
            },
            // The dispatch form always sends its list, even when nothing was ticked.
            officers: if step == Some(Step::Dispatch) {
                Given::Value(officers)
            } else {
                Given::Absent
            },
            patrol_unit: self.given("patrol_unit"),
            at: self.given("at"),
            receiver: self.given("receiver"),
            target: self.given("target"),
            note: self.given("note"),
            other: Default::default(),
        }
    }
}

async fn incident_step(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: StepPost = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = form.request();
    let result = state
        .app
        .transition_incident(&session.actor, uuid, &request)
        .await;
    let (status, errs, conflict) = match result {
        // Post/redirect/get: a reload does not repeat the step.
        Ok(row) => {
            let step = form.get("action").unwrap_or_default();
            // The board's dispatch form goes back to the board; a refused one shows
            // this incident's page with the form open and its messages.
            if form.get("return") == Some("board") {
                return Redirect::to(&format!("/board?done={}", row.number)).into_response();
            }
            return Redirect::to(&format!("/incidents/{uuid}?done={step}")).into_response();
        }
        Err(AppError::Validation(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        Err(AppError::StateConflict(e)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(tf(lang, "step.conflict", &[("message", e.message(lang))])),
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let mut page = match detail_page(&state, &session, lang, &id).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let labels: Vec<(&str, String)> = [
        "officers",
        "patrol_unit",
        "at",
        "receiver",
        "target",
        "note",
    ]
    .iter()
    .map(|k| (*k, i18n::t(lang, &format!("step.{k}"))))
    .chain([
        ("action", i18n::t(lang, "detail.next_steps")),
        ("version", i18n::t(lang, "detail.version")),
    ])
    .collect();
    page.step_errs = FormErrors::new(&errs, lang, &labels);
    page.conflict = conflict;
    page.open_step = form.get("action").unwrap_or_default().to_string();
    let ticked: Vec<&str> = form
        .0
        .iter()
        .filter(|(k, _)| k == "officers")
        .map(|(_, v)| v.as_str())
        .collect();
    for c in &mut page.colleagues {
        c.checked = ticked.contains(&c.id.to_string().as_str());
    }
    page.typed = StepValues {
        patrol_unit: form.get("patrol_unit").unwrap_or_default().trim().into(),
        at: form.get("at").unwrap_or_default().trim().into(),
        receiver: form.get("receiver").unwrap_or_default().trim().into(),
        target: form.get("target").unwrap_or_default().trim().into(),
        note: form.get("note").unwrap_or_default().trim().into(),
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
struct CallbackForm {
    csrf: Option<String>,
    reached: Option<String>,
    satisfaction: Option<String>,
    comment: Option<String>,
}

impl WithCsrf for CallbackForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn given_text(v: &Option<String>) -> Given<String> {
    match v {
        Some(v) if !v.trim().is_empty() => Given::Value(v.clone()),
        _ => Given::Absent,
    }
}

/// 回访: the incident page's callback form.
async fn incident_callback(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: CallbackForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = CallbackRequest {
        reached: match form.reached.as_deref() {
            Some("yes") => Given::Value(true),
            Some("no") => Given::Value(false),
            _ => Given::Absent,
        },
        satisfaction: given_text(&form.satisfaction),
        comment: given_text(&form.comment),
        ..CallbackRequest::default()
    };
    let (status, errs, conflict) = match state
        .app
        .record_callback(&session.actor, uuid, &request, lang)
        .await
    {
        Ok(_) => {
            return Redirect::to(&format!("/incidents/{uuid}?done=callback#callbacks"))
                .into_response();
        }
        Err(AppError::Validation(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        Err(AppError::StateConflict(e)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(e.message(lang).to_string()),
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let mut page = match detail_page(&state, &session, lang, &id).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let labels: Vec<(&str, String)> = ["reached", "satisfaction", "comment"]
        .iter()
        .map(|k| (*k, i18n::t(lang, &format!("callback.{k}"))))
        .collect();
    page.callback_errs = FormErrors::new(&errs, lang, &labels);
    page.callback_conflict = conflict;
    page.typed_callback = CallbackValues {
        reached: form.reached.unwrap_or_default(),
        satisfaction: form.satisfaction.unwrap_or_default(),
        comment: form.comment.unwrap_or_default().trim().to_string(),
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    csrf: Option<String>,
    incident: Option<String>,
    note: Option<String>,
}

impl WithCsrf for ReviewForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The chief's review of a dissatisfied callback, from the incident page.
async fn callback_review(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: ReviewForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = CallbackReviewRequest {
        note: given_text(&form.note),
        ..CallbackReviewRequest::default()
    };
    let incident = form.incident.clone().unwrap_or_default();
    let result = state
        .app
        .review_callback(&session.actor, uuid, &request, lang)
        .await;
    let (status, errs, conflict) = match result {
        Ok(v) => {
            return Redirect::to(&format!(
                "/incidents/{}?done=callback_review#callbacks",
                v.incident_id
            ))
            .into_response();
        }
        Err(AppError::Validation(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, errs, None),
        Err(AppError::StateConflict(e)) => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(e.message(lang).to_string()),
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let mut page = match detail_page(&state, &session, lang, &incident).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let labels = [("note", i18n::t(lang, "callback.review_note"))];
    page.callback_errs = FormErrors::new(&errs, lang, &labels);
    page.callback_conflict = conflict;
    render(status, &page)
}

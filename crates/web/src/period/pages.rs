//! Pages of legal periods: the deadline calculator (期限计算器), the rule
//! catalog and the holiday calendars (administrators upload a new year here).
//!
//! The calculator is a GET form: a computation changes nothing, so its URL holds the
//! question and can be bookmarked or shared. The calendar upload is a POST with the
//! session's CSRF token.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Timelike};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::period::{
    CalendarUploadRequest, CalendarYearView, DeadlineAnswer, DeadlineRequest, RuleView,
};
use frontline_core::period::Span;
use frontline_core::{FieldError, Lang};
use serde::Deserialize;

use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::fmt::datetime_local;
use crate::pages::form::{FormErrors, Opt, OptGroup, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, error_page, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/deadlines", get(calculator))
        .route("/deadline-rules", get(rule_catalog))
        .route("/calendars", get(calendar_page).post(calendar_upload))
}

/// A due instant as people read it: `2026-10-09 00:00`, and for a day that ends at
/// midnight also the statute's way of saying it, `2026-10-08 24:00`.
pub(crate) fn due_text(t: &DateTime<FixedOffset>, lang: Lang) -> String {
    let plain = t.format("%Y-%m-%d %H:%M").to_string();
    if t.hour() == 0
        && t.minute() == 0
        && t.second() == 0
        && let Some(prev) = t.date_naive().pred_opt()
    {
        let said = format!("{prev} 24:00");
        return match lang {
            Lang::Zh => format!("{plain}（即 {said}）"),
            Lang::En => format!("{plain} (that is, {said})"),
        };
    }
    plain
}

fn parse_ts(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

// ---------------------------------------------------------------------------
// Calculator
// ---------------------------------------------------------------------------

/// The calculator's fields as typed (query string).
#[derive(Deserialize, Default, Clone)]
pub(crate) struct CalcForm {
    #[serde(default)]
    start: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    custody: Option<String>,
    #[serde(default)]
    working_days: Option<String>,
    #[serde(default)]
    provisional: Option<String>,
    /// Set by the submit button: the form was sent (not just opened with a rule chosen).
    #[serde(default)]
    go: Option<String>,
}

impl CalcForm {
    /// The question as the use case's contract (a ticked box is `true`).
    fn input(&self) -> DeadlineRequest {
        let amount = self.amount.trim();
        DeadlineRequest {
            start: self.start.clone().into(),
            period: (!amount.is_empty())
                .then(|| format!("{amount}{}", self.unit.trim()))
                .into(),
            rule: self.rule.clone().into(),
            custody: self.custody.is_some().into(),
            working_days: self.working_days.is_some().into(),
            provisional: self.provisional.is_some().into(),
            ..DeadlineRequest::default()
        }
    }
}

pub(crate) struct StepRow {
    pub(crate) kind: String,
    pub(crate) text: String,
}

pub(crate) struct CalcResult {
    pub(crate) due: String,
    pub due_rfc3339: String,
    pub(crate) nominal_end: String,
    pub(crate) period: String,
    pub(crate) mode: String,
    pub(crate) provisional: bool,
    pub(crate) rolled_over: bool,
    pub(crate) steps: Vec<StepRow>,
    pub(crate) rule: Option<(String, String, String)>,
    pub(crate) warn_at: Vec<String>,
}

#[derive(Template)]
#[template(path = "period/calculator.html")]
struct CalculatorPage {
    c: Chrome,
    v: CalcForm,
    errs: FormErrors,
    units: Vec<Opt>,
    rules: Vec<OptGroup>,
    result: Option<CalcResult>,
}

fn calc_labels(lang: Lang) -> Vec<(&'static str, String)> {
    [
        ("start", "deadline.start"),
        ("amount", "deadline.period"),
        ("rule", "deadline.rule"),
        ("custody", "deadline.custody"),
        ("working_days", "deadline.working_days"),
    ]
    .into_iter()
    .map(|(id, key)| (id, i18n::t(lang, key)))
    .collect()
}

fn rule_groups(state: &AppState, session: &Session, lang: Lang) -> Vec<OptGroup> {
    let rules = state
        .app
        .deadline_rules(&session.actor, lang)
        .map(|c| c.rules)
        .unwrap_or_default();
    ["administrative", "criminal"]
        .into_iter()
        .map(|kind| OptGroup {
            label: i18n::t(lang, &format!("deadline.kind_{kind}")),
            unit: String::new(),
            options: rules
                .iter()
                .filter(|r| r.kind == kind && r.period != "immediate")
                .map(|r| Opt {
                    value: r.code.clone(),
                    label: format!("{}（{}，{}）", r.name, r.period_text, r.reference),
                })
                .collect(),
        })
        .collect()
}

fn unit_options(lang: Lang) -> Vec<Opt> {
    [
        ("d", "deadline.unit_d"),
        ("h", "deadline.unit_h"),
        ("m", "deadline.unit_m"),
    ]
    .into_iter()
    .map(|(v, k)| Opt {
        value: v.to_string(),
        label: i18n::t(lang, k),
    })
    .collect()
}

fn calc_result(c: &DeadlineAnswer, lang: Lang) -> CalcResult {
    let show = |s: &str| {
        parse_ts(s)
            .map(|t| due_text(&t, lang))
            .unwrap_or_else(|| s.to_string())
    };
    CalcResult {
        due: show(&c.due),
        due_rfc3339: c.due.clone(),
        nominal_end: show(&c.nominal_end),
        period: c
            .period
            .parse::<Span>()
            .map(|s| s.describe(lang))
            .unwrap_or_else(|_| c.period.clone()),
        mode: i18n::t(lang, &format!("deadline.mode_{}", c.mode)),
        provisional: c.provisional,
        rolled_over: c.explain.iter().any(|s| s.kind == "roll_over"),
        steps: c
            .explain
            .iter()
            .map(|s| StepRow {
                kind: s.kind.clone(),
                text: s.text.clone(),
            })
            .collect(),
        rule: c
            .rule
            .as_ref()
            .map(|r| (r.code.clone(), r.name.clone(), r.basis.join("；"))),
        warn_at: c
            .warn_at
            .iter()
            .map(|s| {
                parse_ts(s)
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| s.clone())
            })
            .collect(),
    }
}

/// The use case names the period field `period`; on the page it is the amount box.
fn to_controls(errs: Vec<FieldError>) -> Vec<FieldError> {
    errs.into_iter()
        .map(|mut e| {
            if e.field == "period" {
                e.field = "amount".into();
            }
            e
        })
        .collect()
}

async fn calculator(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    if !state.app.capabilities(&session.actor).compute_deadlines {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let here = match &q {
        Some(q) if !q.is_empty() => format!("/deadlines?{q}"),
        _ => "/deadlines".to_string(),
    };
    let mut v: CalcForm = parse_query(q);
    if v.unit.trim().is_empty() {
        v.unit = "d".into();
    }
    let (status, errs, result) = if v.go.is_none() {
        if v.start.trim().is_empty() {
            v.start = datetime_local(state.app.now());
        }
        (StatusCode::OK, FormErrors::default(), None)
    } else {
        match state.app.compute_deadline(&session.actor, &v.input()).await {
            Ok(c) => (
                StatusCode::OK,
                FormErrors::default(),
                Some(calc_result(&c.view(lang), lang)),
            ),
            Err(AppError::Validation(errs)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::new(&to_controls(errs), lang, &calc_labels(lang)),
                None,
            ),
            Err(e) => return app_error(&state, &session, lang, e),
        }
    };
    let page = CalculatorPage {
        c: Chrome::new(&state, Some(&session), lang, "deadlines", &here),
        units: unit_options(lang),
        rules: rule_groups(&state, &session, lang),
        v,
        errs,
        result,
    };
    render(status, &page)
}

// ---------------------------------------------------------------------------
// Rule catalog
// ---------------------------------------------------------------------------

pub(crate) struct RuleGroup {
    pub(crate) label: String,
    pub(crate) kind: &'static str,
    pub(crate) rules: Vec<RuleView>,
}

#[derive(Template)]
#[template(path = "period/rules.html")]
struct RulesPage {
    c: Chrome,
    version: String,
    total: usize,
    groups: Vec<RuleGroup>,
}

async fn rule_catalog(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
) -> Response {
    let cat = match state.app.deadline_rules(&session.actor, lang) {
        Ok(c) => c,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let total = cat.rules.len();
    let groups = ["administrative", "criminal"]
        .into_iter()
        .map(|kind| RuleGroup {
            label: i18n::t(lang, &format!("deadline.kind_{kind}")),
            kind,
            rules: cat
                .rules
                .iter()
                .filter(|r| r.kind == kind)
                .cloned()
                .collect(),
        })
        .collect();
    let page = RulesPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "deadline_rules",
            "/deadline-rules",
        ),
        version: cat.version,
        total,
        groups,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "period/calendars.html")]
struct CalendarsPage {
    c: Chrome,
    years: Vec<CalendarYearView>,
    load_errors: Vec<String>,
    uploaded: Option<String>,
    text: String,
    errs: FormErrors,
}

#[derive(Deserialize, Default)]
struct UploadedQuery {
    uploaded: Option<String>,
}

#[derive(Deserialize, Default)]
struct UploadForm {
    csrf: Option<String>,
    #[serde(default)]
    text: String,
}

impl WithCsrf for UploadForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn calendars_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    text: String,
    errs: FormErrors,
    uploaded: Option<String>,
) -> Result<CalendarsPage, AppError> {
    let list = state.app.calendars(&session.actor, lang).await?;
    Ok(CalendarsPage {
        c: Chrome::new(state, Some(session), lang, "calendars", "/calendars"),
        years: list.years,
        load_errors: list.load_errors,
        uploaded,
        text,
        errs,
    })
}

async fn calendar_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    if !state.app.capabilities(&session.actor).manage_calendars {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let q: UploadedQuery = parse_query(q);
    let uploaded = q
        .uploaded
        .filter(|y| !y.is_empty() && y.bytes().all(|b| b.is_ascii_digit()));
    match calendars_page(
        &state,
        &session,
        lang,
        String::new(),
        FormErrors::default(),
        uploaded,
    )
    .await
    {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

async fn calendar_upload(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: UploadForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    match state
        .app
        .upload_calendar(
            &session.actor,
            &CalendarUploadRequest::new(form.text.clone()),
            lang,
        )
        .await
    {
        Ok(y) => Redirect::to(&format!("/calendars?uploaded={}", y.year)).into_response(),
        Err(AppError::Validation(errs)) => {
            let labels = [("text", i18n::t(lang, "calendar.text"))];
            let errs = FormErrors::new(&errs, lang, &labels);
            match calendars_page(&state, &session, lang, form.text, errs, None).await {
                Ok(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => app_error(&state, &session, lang, e),
            }
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_also_said_as_24_hours() {
        let t = DateTime::parse_from_rfc3339("2026-10-09T00:00:00+08:00").ok();
        let t = t.map(|t| due_text(&t, Lang::Zh));
        assert_eq!(
            t.as_deref(),
            Some("2026-10-09 00:00（即 2026-10-08 24:00）")
        );
        let t = DateTime::parse_from_rfc3339("2026-10-02T10:30:00+08:00").ok();
        let t = t.map(|t| due_text(&t, Lang::En));
        assert_eq!(t.as_deref(), Some("2026-10-02 10:30"));
    }

    #[test]
    fn the_form_makes_a_period_from_amount_and_unit() {
        let f = CalcForm {
            start: "2026-09-30T10:00".into(),
            amount: " 30 ".into(),
            unit: "d".into(),
            custody: Some("1".into()),
            ..CalcForm::default()
        };
        let i = f.input();
        assert_eq!(i.period.value().map(String::as_str), Some("30d"));
        assert_eq!(i.custody.value(), Some(&true));
        assert_eq!(i.working_days.value(), Some(&false));
        let none = CalcForm::default().input();
        assert!(none.period.is_absent());
    }
}

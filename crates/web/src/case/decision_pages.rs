//! The penalty decision on the case page: the officer's proposal form, the legal
//! reviewer's approve / return form, and the decision letter (行政处罚决定书) on A4.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::case::decision::{
    DecisionReviewRequest, PenaltyDecisionRequest, PenaltyDecisionView,
};
use frontline_core::Lang;
use frontline_core::request::{Given, NumberOrText};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::pages::{DetailPage, load_detail};
use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::form::{FormErrors, WithCsrf, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/penalty-decision", post(propose_post))
        .route(
            "/cases/{id}/penalty-decisions/{d}/review",
            post(review_post),
        )
        .route("/cases/{id}/penalty-decisions/{d}/letter", get(letter_page))
        .route("/penalty/reviews", get(reviews_page))
        .route("/penalty/consistency", get(consistency_page))
}

/// The proposal form's values as shown again after a refusal.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProposeValues {
    pub(crate) article: String,
    pub(crate) offence_date: String,
    pub(crate) circumstances: String,
    pub(crate) age: String,
    pub(crate) depart: bool,
    pub(crate) warning: bool,
    pub(crate) fine_yuan: String,
    pub(crate) detention_days: String,
    pub(crate) departure_reason: String,
}

#[derive(Deserialize, Default)]
struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    article: String,
    #[serde(default)]
    offence_date: String,
    #[serde(default)]
    circumstances: String,
    #[serde(default)]
    age: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    follow: String,
    #[serde(default)]
    warning: String,
    #[serde(default)]
    fine_yuan: String,
    #[serde(default)]
    detention_days: String,
    #[serde(default)]
    departure_reason: String,
}

impl WithCsrf for ProposeForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

fn text(s: &str) -> Given<String> {
    if s.trim().is_empty() {
        Given::Absent
    } else {
        Given::Value(s.to_string())
    }
}

fn number(s: &str) -> Given<NumberOrText> {
    if s.trim().is_empty() {
        Given::Absent
    } else {
        Given::Value(NumberOrText::Text(s.trim().to_string()))
    }
}

impl ProposeForm {
    fn values(&self) -> ProposeValues {
        ProposeValues {
            article: self.article.clone(),
            offence_date: self.offence_date.clone(),
            circumstances: self.circumstances.clone(),
            age: self.age.clone(),
            depart: self.follow == "0",
            warning: self.warning == "1",
            fine_yuan: self.fine_yuan.clone(),
            detention_days: self.detention_days.clone(),
            departure_reason: self.departure_reason.clone(),
        }
    }

    /// The API's request for the form's one violation.
    fn request(&self) -> PenaltyDecisionRequest {
        let decided = if self.follow == "0" {
            json!({
                "warning": self.warning == "1",
                "fine_yuan": self.fine_yuan.trim(),
                "detention_days": self.detention_days.trim(),
            })
        } else {
            json!("recommended")
        };
        let mut v = json!({
            "article": self.article.trim(),
            "offence_date": self.offence_date.trim(),
            "decided": decided,
        });
        let circs: Vec<&str> = self
            .circumstances
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
            .filter(|c| !c.is_empty())
            .collect();
        if let (false, Some(o)) = (circs.is_empty(), v.as_object_mut()) {
            o.insert("circumstances".into(), json!(circs));
        }
        PenaltyDecisionRequest {
            party: number(&self.party),
            violations: Given::Value(vec![v]),
            age: number(&self.age),
            departure_reason: text(&self.departure_reason),
            purpose: text(&self.purpose),
            ..PenaltyDecisionRequest::default()
        }
    }
}

/// The case page again with the decision section's errors.
async fn refused(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
    e: AppError,
    values: ProposeValues,
) -> Response {
    refused_in(state, session, lang, id, e, values, false).await
}

/// The case page again with a form's errors: the attachments' (`files`) or the penalty
/// decision's.
async fn refused_in(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
    e: AppError,
    values: ProposeValues,
    files: bool,
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
        ("party", i18n::t(lang, "case.measure_party")),
        ("violations_0_article", i18n::t(lang, "decision.article")),
        (
            "violations_0_offence_date",
            i18n::t(lang, "decision.offence_date"),
        ),
        (
            "violations_0_circumstances",
            i18n::t(lang, "decision.circumstances"),
        ),
        (
            "violations_0_decided_fine_yuan",
            i18n::t(lang, "decision.fine"),
        ),
        (
            "violations_0_decided_detention_days",
            i18n::t(lang, "decision.days"),
        ),
        ("violations_0_decided", i18n::t(lang, "decision.decided")),
        ("age", i18n::t(lang, "decision.age")),
        ("purpose", i18n::t(lang, "decision.purpose")),
        ("departure_reason", i18n::t(lang, "decision.reason")),
        ("note", i18n::t(lang, "decision.review_note")),
        ("file", i18n::t(lang, "attachment.file")),
    ];
    let here = format!("/cases/{}", d.id);
    let shown = FormErrors::new(&errs, lang, &labels);
    let (pen_errs, pen_conflict, file_errs, file_conflict) = if files {
        (FormErrors::default(), None, shown, conflict)
    } else {
        (shown, conflict, FormErrors::default(), None)
    };
    let page = DetailPage {
        c: Chrome::new(state, Some(session), lang, "cases", &here),
        d,
        created: false,
        done: String::new(),
        errs: FormErrors::default(),
        conflict: None,
        pen_errs,
        pen_conflict,
        pen_v: values,
        file_errs,
        file_conflict,
    };
    render(status, &page)
}

/// The case page again with an attachment's refusal (shown in the decision section's
/// error block, which every form of the page shares below the steps).
pub(super) async fn refused_attachment(
    state: &AppState,
    session: &Session,
    lang: Lang,
    id: &str,
    e: AppError,
) -> Response {
    refused_in(state, session, lang, id, e, ProposeValues::default(), true).await
}

async fn propose_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: ProposeForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(case_id) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    match state
        .app
        .propose_penalty_decision(&session.actor, case_id, &f.request())
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}?done=penalty")).into_response(),
        Err(e) => refused(&state, &session, lang, &id, e, f.values()).await,
    }
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    note: String,
}

impl WithCsrf for ReviewForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

async fn review_post(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, d)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let f: ReviewForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let (Ok(case_id), Ok(decision_id)) = (Uuid::parse_str(&id), Uuid::parse_str(&d)) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let request = DecisionReviewRequest {
        verdict: text(&f.verdict),
        note: text(&f.note),
        ..DecisionReviewRequest::default()
    };
    match state
        .app
        .review_penalty_decision(&session.actor, decision_id, &request)
        .await
    {
        Ok(v) if v.case_id == case_id => {
            Redirect::to(&format!("/cases/{case_id}?done=review")).into_response()
        }
        Ok(v) => Redirect::to(&format!("/cases/{}?done=review", v.case_id)).into_response(),
        Err(e) => refused(&state, &session, lang, &id, e, ProposeValues::default()).await,
    }
}

// ---------------------------------------------------------------------------
// The decision letter (行政处罚决定书), an A4 page
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case/decision_letter.html")]
struct DecisionLetter {
    c: Chrome,
    bureau: String,
    case_id: Uuid,
    case_number: String,
    case_title: String,
    unit_name: String,
    party: String,
    /// Masked ID number of the party.
    party_id: String,
    p: PenaltyDecisionView,
    decided_on: String,
}

async fn letter_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, d)): Path<(String, String)>,
) -> Response {
    let Ok(decision_id) = Uuid::parse_str(&d) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let detail = match load_detail(&state, &session, lang, &id).await {
        Ok(d) => d,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    // Only a decision of this case, and only in force, has a letter.
    let Some(p) = detail
        .penalty_decisions
        .iter()
        .find(|p| p.id == decision_id && p.number.is_some())
        .cloned()
    else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let party = detail.parties.iter().find(|x| x.seq == p.party_seq);
    let page = DecisionLetter {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "cases",
            &format!("/cases/{}", detail.id),
        ),
        bureau: state.app.bureau_name(),
        case_id: detail.id,
        case_number: detail.number.clone(),
        case_title: detail.title.clone(),
        unit_name: detail.unit_name.clone(),
        party: party.map(|x| x.name.clone()).unwrap_or_default(),
        party_id: party.and_then(|x| x.id_number.clone()).unwrap_or_default(),
        decided_on: p
            .decided_at
            .as_deref()
            .and_then(|t| t.get(..10))
            .unwrap_or_default()
            .to_string(),
        p,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// Legal affairs: the review queue and the consistency report
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "penalty/reviews.html")]
struct ReviewsPage {
    c: Chrome,
    q: frontline_app::case::decision::ReviewQueue,
}

async fn reviews_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
) -> Response {
    match state.app.penalty_review_queue(&session.actor, lang).await {
        Ok(q) => render(
            StatusCode::OK,
            &ReviewsPage {
                c: Chrome::new(
                    &state,
                    Some(&session),
                    lang,
                    "penalty_reviews",
                    "/penalty/reviews",
                ),
                q,
            },
        ),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[derive(Template)]
#[template(path = "penalty/consistency.html")]
struct ConsistencyPage {
    c: Chrome,
    from: String,
    to: String,
    errs: FormErrors,
    report: Option<frontline_app::case::decision::ConsistencyReport>,
    chart: String,
}

async fn consistency_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let mut form: frontline_app::case::decision::ConsistencyQuery =
        crate::pages::form::parse_query(q);
    for f in [&mut form.from, &mut form.to] {
        if f.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *f = None;
        }
    }
    let here = "/penalty/consistency";
    match state
        .app
        .penalty_consistency(&session.actor, &form, lang)
        .await
    {
        Ok(r) => {
            let labels: Vec<String> = r
                .rows
                .iter()
                .map(|x| {
                    x.situation
                        .clone()
                        .unwrap_or_else(|| x.violation_code.clone())
                })
                .collect();
            let bars: Vec<crate::pages::chart::Bar<'_>> = r
                .rows
                .iter()
                .zip(&labels)
                .take(15)
                .map(|(x, l)| crate::pages::chart::Bar {
                    label: l,
                    value: i64::try_from(x.count).unwrap_or(i64::MAX),
                    compare: i64::try_from(x.departed).unwrap_or(i64::MAX),
                })
                .collect();
            let chart = crate::pages::chart::bars(
                &i18n::t(lang, "consistency.by_situation"),
                &i18n::t(lang, "consistency.departed"),
                &bars,
            );
            render(
                StatusCode::OK,
                &ConsistencyPage {
                    c: Chrome::new(&state, Some(&session), lang, "penalty_consistency", here),
                    from: r.from.clone(),
                    to: r.to.clone(),
                    errs: FormErrors::default(),
                    report: Some(r),
                    chart,
                },
            )
        }
        Err(AppError::Validation(es)) => {
            let labels = [
                ("from", i18n::t(lang, "stats.from")),
                ("to", i18n::t(lang, "stats.to")),
            ];
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ConsistencyPage {
                    c: Chrome::new(&state, Some(&session), lang, "penalty_consistency", here),
                    from: form.from.clone().unwrap_or_default(),
                    to: form.to.clone().unwrap_or_default(),
                    errs: FormErrors::new(&es, lang, &labels),
                    report: None,
                    chart: String::new(),
                },
            )
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

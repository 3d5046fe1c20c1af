//! The A4 documents of a case: the enforcement advice letter (执法建议书) and the receipt
//! handed to the reporter (受案回执).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use frontline_app::AppError;
use frontline_app::case::CaseDetail;
use frontline_core::case::PartyRole;
use uuid::Uuid;

use super::pages::load_detail;
use crate::AppState;
use crate::http::session::UiSession;
use crate::pages::layout::{Chrome, app_error, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/advice-letters/{letter}",
            get(advice_letter_page),
        )
        .route("/cases/{id}/receipt", get(receipt_page))
}

// ---------------------------------------------------------------------------
// The enforcement advice letter (执法建议书), an A4 page
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case/advice_letter.html")]
struct LetterPage {
    c: Chrome,
    bureau: String,
    case_id: Uuid,
    number: String,
    unit_name: String,
    case_number: String,
    case_title: String,
    rule_name: String,
    basis: String,
    due_at: String,
    overdue: String,
    issued_at: String,
    body: String,
}

async fn advice_letter_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, letter)): Path<(String, String)>,
) -> Response {
    let (Ok(case_id), Ok(letter_id)) = (Uuid::parse_str(&id), Uuid::parse_str(&letter)) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let (row, l) = match state
        .app
        .advice_letter(&session.actor, case_id, letter_id)
        .await
    {
        Ok(x) => x,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let rule = state.app.deadlines.rules.get(&l.rule);
    let rule_name = rule.map_or_else(|| l.rule.clone(), |r| r.name(lang).to_string());
    let hours = (l.issued_at - l.due_at).num_hours().max(0);
    let fmt = |t| crate::pages::fmt::bj_minutes(t);
    let case_title = frontline_core::ident::mask_identifiers(&row.title).into_owned();
    let unit_name = state.app.org.unit_name(row.unit_id);
    let body = crate::pages::fmt::tf(
        lang,
        "case.letter_body",
        &[
            ("case", row.number.as_str()),
            ("title", case_title.as_str()),
            ("rule", rule_name.as_str()),
            ("due", fmt(l.due_at).as_str()),
        ],
    );
    let page = LetterPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "cases",
            &format!("/cases/{case_id}"),
        ),
        bureau: state.app.bureau_name(),
        case_id,
        number: l.number.clone(),
        unit_name,
        case_number: row.number.clone(),
        case_title,
        rule_name,
        basis: rule
            .map(|r| {
                r.basis
                    .iter()
                    .map(|b| format!("{} {}", b.law, b.article))
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .unwrap_or_default(),
        due_at: fmt(l.due_at),
        overdue: crate::pages::fmt::tf(
            lang,
            "case.letter_hours",
            &[("n", hours.to_string().as_str())],
        ),
        issued_at: crate::pages::fmt::bj_minutes(l.issued_at),
        body,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// The receipt (受案回执), an A4 page handed to the reporter
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case/receipt.html")]
struct ReceiptPage {
    c: Chrome,
    bureau: String,
    d: CaseDetail,
    reporter: String,
    accepted: String,
    badge: Option<String>,
}

async fn receipt_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
) -> Response {
    let d = match load_detail(&state, &session, lang, &id).await {
        Ok(d) => d,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let reporter = d
        .parties
        .iter()
        .find(|p| matches!(p.role, PartyRole::Reporter | PartyRole::Victim))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let badge = match d.lead_officer_id {
        Some(o) => state
            .app
            .store
            .officer_by_id(o)
            .await
            .ok()
            .flatten()
            .and_then(|o| o.badge_no),
        None => None,
    };
    let accepted = d
        .accepted_at
        .get(..16)
        .unwrap_or(&d.accepted_at)
        .replace('T', " ");
    let page = ReceiptPage {
        c: Chrome::new(
            &state,
            Some(&session),
            lang,
            "cases",
            &format!("/cases/{}", d.id),
        ),
        bureau: state.app.bureau_name(),
        d,
        reporter,
        accepted,
        badge,
    };
    render(StatusCode::OK, &page)
}

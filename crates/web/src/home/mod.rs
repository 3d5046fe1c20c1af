//! The home page after sign-in.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::http::session::UiSession;
use crate::pages::fmt::tf;
use crate::pages::layout::{Chrome, render};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

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
    let c = Chrome::new(&state, Some(&session), lang, "home", "/");
    let page = HomePage {
        partner: c.caps.partner,
        c,
        greeting: tf(lang, "home.greeting", &[("name", &a.display_name)]),
        unit_name: state.app.org.unit_name(a.unit_id),
        roles: a.roles.iter().map(|r| r.name(lang)).collect(),
    };
    render(StatusCode::OK, &page)
}

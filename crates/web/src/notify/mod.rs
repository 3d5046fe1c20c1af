//! Notifications (通知): the caller's inbox over the API and as a page; the bell in the
//! header links here and shows the unread count (filled in by app.js).

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use frontline_app::AppError;
use frontline_app::notify::{NotificationList, NotificationView};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, UiSession};
use crate::pages::form::{WithCsrf, posted_form};
use crate::pages::layout::{Chrome, app_error, render};

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(mark_read))
}

pub(crate) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox_page))
        .route("/notifications/{id}/read", post(read_form))
}

/// The caller's notifications, newest first (the latest 50), and the unread count.
/// Everyone has an inbox; a partner office sees here what was pushed to it.
#[utoipa::path(get, path = "/api/v1/notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<NotificationList>, ApiError> {
    Ok(Json(state.app.my_notifications(&s.actor, lang).await?))
}

/// Marks one of the caller's notifications read (someone else's reads as 404).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiSession(s, _lang): ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    state.app.mark_read(&s.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    c: Chrome,
    items: Vec<(String, NotificationView)>,
    unread_label: String,
}

async fn inbox_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
) -> Response {
    match state.app.my_notifications(&session.actor, lang).await {
        Ok(list) => render(
            StatusCode::OK,
            &InboxPage {
                c: Chrome::new(
                    &state,
                    Some(&session),
                    lang,
                    "notifications",
                    "/notifications",
                ),
                items: list
                    .items
                    .into_iter()
                    .map(|n| {
                        (
                            n.created_at.get(..16).unwrap_or_default().replace('T', " "),
                            n,
                        )
                    })
                    .collect(),
                unread_label: list.unread.to_string(),
            },
        ),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

#[derive(Deserialize, Default)]
struct ReadForm {
    csrf: Option<String>,
    /// Where to go afterwards: the notification's own link, or back to the inbox.
    open: Option<String>,
}

impl WithCsrf for ReadForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn read_form(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: ReadForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    if let Err(e) = state.app.mark_read(&session.actor, id).await {
        return app_error(&state, &session, lang, e);
    }
    let next = crate::http::session::safe_next(form.open.as_deref());
    Redirect::to(if next == "/" { "/notifications" } else { &next }).into_response()
}

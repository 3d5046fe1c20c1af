//! The live board (警情态势): `GET /api/v1/board` (the initial state), `GET
//! /api/v1/board/events` (server-sent events: each change within the reader's scope as
//! its board row) and the page `/board`, which renders the state and follows the stream.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontline_app::incident::{Board, BoardEvent, BoardRow, Colleague};
use frontline_core::incident::lifecycle::Status;
use futures_util::StreamExt;
use futures_util::stream;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, UiSession};
use crate::pages::form::parse_query;
use crate::pages::layout::{Chrome, app_error, render};

/// How long one event stream stays open. The browser's `EventSource` reconnects on its
/// own, and the reconnection is authenticated again, so a signed-out or disabled account
/// stops hearing within this time.
const STREAM_LIFETIME: Duration = Duration::from_secs(10 * 60);

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/board", get(board_page))
}

/// 警情态势: the open incidents by state (the board's initial state).
///
/// Within the reader's scope (command centre: every station; desk officers and chiefs:
/// their own), overdue first within each state, at most 500 (the oldest). Roles without
/// a board are refused (403).
#[utoipa::path(get, path = "/api/v1/board",
    responses((status = 200, body = Board), (status = 403, body = Problem)))]
pub async fn board(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Json<Board>, ApiError> {
    Ok(Json(state.app.board(&s.actor, lang).await?))
}

/// The board's changes, live, as server-sent events.
///
/// `text/event-stream`: first `ready` (the
/// subscription is live), then an `incident` event per creation or step within the
/// reader's scope (data: the `BoardRow` after the change; `id`: `<id>:<version>`; a row
/// with `open: false` has left the board), and `resync` when changes may have been
/// missed (reload `GET /api/v1/board`). Comments keep the connection alive every 15 s; the
/// stream ends after 10 minutes (reconnect). Changes outside the scope are never sent.
#[utoipa::path(get, path = "/api/v1/board/events",
    responses((status = 200, content_type = "text/event-stream", body = String,
        description = "Server-sent events: `ready`, `incident` (data: a BoardRow as JSON), `resync`"),
        (status = 403, body = Problem)))]
pub async fn board_events(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
) -> Result<Response, ApiError> {
    let sub = state.app.subscribe_board(&s.actor, lang).await?;
    let ready =
        stream::once(async { Ok::<Event, Infallible>(Event::default().event("ready").data("{}")) });
    let changes = stream::unfold(sub, |mut sub| async move {
        let event = match sub.next().await? {
            BoardEvent::Row(row) => row_event(&row),
            BoardEvent::Resync => Event::default().event("resync").data("{}"),
        };
        Some((Ok::<Event, Infallible>(event), sub))
    });
    let stream = ready
        .chain(changes)
        .take_until(tokio::time::sleep(STREAM_LIFETIME));
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    // Proxies must not buffer the stream.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    Ok(response)
}

fn row_event(row: &BoardRow) -> Event {
    let data = serde_json::to_string(row).unwrap_or_else(|_| "{}".into());
    Event::default()
        .event("incident")
        .id(format!("{}:{}", row.id, row.version))
        .data(data)
}

/// One column of the page.
struct Column {
    status: Status,
    name: String,
    rows: Vec<Card>,
}

/// One card: the row, its age as shown, and (registered) the officers one may send.
struct Card {
    row: BoardRow,
    age: String,
    reported: String,
    crew: Vec<Colleague>,
}

#[derive(Template)]
#[template(path = "incident/board.html")]
struct BoardPage {
    c: Chrome,
    columns: Vec<Column>,
    total: i64,
    shown: i64,
    overdue: i64,
    /// The number of the incident just dispatched from the board (no-JS form).
    done: Option<String>,
}

#[derive(Deserialize, Default)]
struct BoardQuery {
    done: Option<String>,
}

/// `3h05m` / `12m`.
pub(crate) fn age_text(secs: i64, lang: frontline_core::Lang) -> String {
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (lang, h) {
        (frontline_core::Lang::Zh, 0) => format!("{m}分钟"),
        (frontline_core::Lang::Zh, _) => format!("{h}小时{m}分"),
        (frontline_core::Lang::En, 0) => format!("{m} min"),
        (frontline_core::Lang::En, _) => format!("{h} h {m} min"),
    }
}

async fn board_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: BoardQuery = parse_query(q);
    let board = match state.app.board(&session.actor, lang).await {
        Ok(b) => b,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    // The officers of each unit with an incident waiting for dispatch, once per unit.
    let mut crews: Vec<(Uuid, Vec<Colleague>)> = Vec::new();
    for g in &board.groups {
        if g.status != Status::Registered {
            continue;
        }
        for r in &g.items {
            if crews.iter().any(|(u, _)| *u == r.unit_id) {
                continue;
            }
            let crew = state
                .app
                .dispatch_candidates(&session.actor, r.unit_id)
                .await
                .unwrap_or_default();
            crews.push((r.unit_id, crew));
        }
    }
    let done = q
        .done
        .filter(|d| d.len() <= 40 && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let columns = board
        .groups
        .into_iter()
        .map(|g| Column {
            status: g.status,
            name: g.status_name,
            rows: g
                .items
                .into_iter()
                .map(|row| Card {
                    age: age_text(row.age_secs, lang),
                    reported: row
                        .reported_at
                        .get(5..16)
                        .unwrap_or_default()
                        .replace('T', " "),
                    crew: if row.status == Status::Registered {
                        crews
                            .iter()
                            .find(|(u, _)| *u == row.unit_id)
                            .map(|(_, c)| c.clone())
                            .unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    row,
                })
                .collect(),
        })
        .collect();
    let page = BoardPage {
        c: Chrome::new(&state, Some(&session), lang, "board", "/board"),
        columns,
        total: board.total,
        shown: board.shown,
        overdue: board.overdue,
        done,
    };
    render(StatusCode::OK, &page)
}

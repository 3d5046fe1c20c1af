//! HTTP: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`) and the
//! server-rendered UI. Handlers are thin: extract, call one use case, render.

pub mod auth;
pub mod case;
pub mod home;
pub mod http;
pub mod i18n;
pub mod incident;
pub mod notify;
pub mod org;
pub mod pages;
pub mod penalty;
pub mod period;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use frontline_app::App;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Request bodies larger than this are refused with 413 (an intake is a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Declared bodies up to this size are read whole even when a route will refuse them.
/// Above the largest route limit (the 4 MiB standard form); larger ones are cut off.
const READ_WHOLE_CAP: usize = 5 * 1024 * 1024;

/// At most this many such bodies are held at once (20 MiB), also before sign-in; when
/// none is free within a short wait, the body is cut off as before. A slow sender gets
/// `OVERSIZE_READ_TIME` to finish.
static OVERSIZE_READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
const OVERSIZE_READ_TIME: std::time::Duration = std::time::Duration::from_secs(10);
const OVERSIZE_PERMIT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone)]
pub struct AppState {
    pub app: App,
}

/// The API of every capability, each registering its own paths in the OpenAPI document.
fn api() -> OpenApiRouter<AppState> {
    use http::openapi::capability;
    OpenApiRouter::with_openapi(http::openapi::ApiDoc::openapi())
        .merge(capability("session", auth::api_routes()))
        .merge(capability("incident", incident::api_routes()))
        .merge(capability("case", case::api_routes()))
        .merge(capability("org", org::routes()))
        .merge(capability("notify", notify::api_routes()))
        .merge(capability("penalty", penalty::api_routes()))
        .merge(capability("period", period::api_routes()))
}

/// The OpenAPI document served at `/api/openapi.json` (also checked in as `docs/openapi.json`).
pub fn openapi_json() -> String {
    http::openapi::to_json(&api().into_openapi())
}

pub fn router(app: App) -> Router {
    let state = AppState { app };
    let (api, doc) = api().split_for_parts();
    let api = api.route_layer(middleware::from_fn_with_state(
        http::json::JsonOperations::of(&doc),
        http::json::require_json,
    ));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(http::openapi::route(http::openapi::to_json(&doc)))
        .merge(api)
        .merge(period::page_routes())
        .merge(penalty::page_routes())
        .merge(home::routes())
        .merge(auth::page_routes())
        .merge(incident::page_routes())
        .merge(case::page_routes())
        .merge(notify::page_routes())
        .merge(pages::routes())
        .fallback(pages::fallback)
        .layer(middleware::from_fn(http::problem::localize))
        .layer(middleware::from_fn(no_store_api))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(read_whole_oversize_body))
        .layer(middleware::from_fn(http::problem::api_errors_as_problems))
        // Outside the body readers: a cross-site cookie write is refused before any is read.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::session::cookie_writes_same_origin,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// API answers hold personal data (incidents, unmasked numbers, `me`) and errors that
/// echo requests: none is kept by a browser or proxy cache (`Cache-Control: no-store`).
async fn no_store_api(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut r = next.run(req).await;
    if api {
        r.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    r
}

/// A route refuses an oversize body after reading only part of it; the connection is
/// then closed with unread bytes, and TCP answers those with a reset that can destroy
/// the 413 before the client reads it. Reading a moderately oversize body in full first
/// lets the client see the field-level 413 instead of a broken connection.
async fn read_whole_oversize_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let permit = match declared {
        // A short wait for a permit, so that a few at once (tests, one office) all get it.
        Some(n) if n > BODY_LIMIT && n <= READ_WHOLE_CAP => {
            tokio::time::timeout(OVERSIZE_PERMIT_WAIT, OVERSIZE_READS.acquire())
                .await
                .ok()
                .and_then(Result::ok)
        }
        _ => None,
    };
    let Some(_permit) = permit else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(
        OVERSIZE_READ_TIME,
        axum::body::to_bytes(body, READ_WHOLE_CAP),
    )
    .await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // The client lied about the length or went away; nothing to answer well.
        Ok(Err(_)) => StatusCode::BAD_REQUEST.into_response(),
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Serves until the future `shutdown` resolves.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The outbox dispatcher lives as long as the server; a message it was delivering
    // when stopped is taken again after its lease (at least once).
    let dispatcher = tokio::spawn(app.clone().run_outbox(app.outbox_wake.clone()));
    // The search indexer applies the change log to this instance's index (every
    // instance keeps its own, from the shared log).
    let indexer = tokio::spawn(app.clone().run_search_indexer());
    // The deadline sweep (reminders, overdue notices, advice letters); every instance
    // runs one, the claim keeps them apart.
    let sweeper = tokio::spawn(app.clone().run_deadline_sweep());
    let feed = app.board_feed.clone();
    let served = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        // Open board streams would hold the graceful shutdown for minutes.
        feed.close();
    })
    .await;
    dispatcher.abort();
    indexer.abort();
    sweeper.abort();
    served
}

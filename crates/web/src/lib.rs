//! HTTP: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`) and the
//! server-rendered UI. Handlers are thin: extract, call one use case, render.

pub mod api;
pub mod api_deadline;
pub mod api_penalty;
pub mod i18n;
pub mod problem;
pub mod session;
pub mod ui;
pub mod ui_deadline;
pub mod ui_penalty;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use frontline_app::App;
use tower_http::set_header::SetResponseHeaderLayer;

/// Request bodies larger than this are refused with 413 (an intake is a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
}

pub fn router(app: App) -> Router {
    let state = AppState { app };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::routes())
        .merge(api_deadline::routes())
        .merge(api_penalty::routes())
        .merge(ui_deadline::routes())
        .merge(ui_penalty::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
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

/// Serves until the future `shutdown` resolves.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

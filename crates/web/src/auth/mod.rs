//! Signing in and out: the API session and the sign-in page.

pub mod api;
mod pages;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::login, api::logout))
        .routes(routes!(api::me))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
}

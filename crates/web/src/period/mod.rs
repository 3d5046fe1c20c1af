//! Legal periods (期限): the API with its OpenAPI registration, the calculator, the
//! rule catalog and the holiday calendar pages.

pub mod api;
mod pages;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::compute_deadline))
        .routes(routes!(api::deadline_rules))
        .routes(routes!(api::calendars, api::upload_calendar))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
}

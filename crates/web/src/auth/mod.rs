//! Signing in and out, one's sessions and password: the API and the pages.

mod account;
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
        .routes(routes!(api::my_sessions))
        .routes(routes!(api::end_my_session))
        .routes(routes!(api::change_password))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
}

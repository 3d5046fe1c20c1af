//! Signing in and out, one's sessions and password: the API and the pages.

mod account;
pub mod api;
pub(crate) mod pages;
pub(crate) mod totp_pages;

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
        .routes(routes!(api::totp_status))
        .routes(routes!(api::begin_totp))
        .routes(routes!(api::confirm_totp))
        .routes(routes!(api::disable_totp))
        .routes(routes!(api::reauthenticate))
        .routes(routes!(api::totp_policy, api::set_totp_policy))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
}

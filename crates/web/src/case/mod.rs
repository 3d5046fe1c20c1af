//! Cases (案件): the API with its OpenAPI registration, and the pages.

pub mod api;
pub mod attachments;
mod decision_pages;
mod pages;
mod print;
pub mod public;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::create_case, api::list_cases))
        .routes(routes!(api::get_case))
        .routes(routes!(api::transition_case))
        .routes(routes!(api::deadline_board))
        .routes(routes!(api::extend_deadline))
        .routes(routes!(api::start_measure))
        .routes(routes!(api::measure_act))
        .routes(routes!(api::propose_penalty))
        .routes(routes!(api::review_penalty))
        .routes(routes!(api::review_queue))
        .routes(routes!(api::prior_decisions))
        .routes(routes!(api::consistency))
        .routes(routes!(public::case_status))
        .merge(attachments::api_routes())
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
        .merge(print::routes())
        .merge(decision_pages::routes())
        .merge(attachments::page_routes())
        .merge(public::routes())
}

//! Incidents (接警): the API with its OpenAPI registration, the pages, the CSV export.

pub mod api;
pub mod board;
mod detail;
pub mod export;
mod pages;
mod review;
pub mod stats;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::create_incident, api::list_incidents))
        .routes(routes!(api::export_incidents))
        .routes(routes!(api::get_incident))
        .routes(routes!(api::transition_incident))
        .routes(routes!(api::unmask_caller))
        .routes(routes!(api::categories))
        .routes(routes!(api::unmask_purposes))
        .routes(routes!(api::extract_elements))
        .routes(routes!(api::list_pushes))
        .routes(routes!(api::answer_push))
        .routes(routes!(api::callback_queue))
        .routes(routes!(api::record_callback))
        .routes(routes!(api::review_callback))
        .routes(routes!(api::daily_review))
        .routes(routes!(api::mark_reviewed))
        .routes(routes!(api::acknowledge_instruction))
        .routes(routes!(board::board))
        .routes(routes!(board::board_events))
        .routes(routes!(stats::incident_statistics))
        .routes(routes!(stats::incident_statistics_csv))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes()
        .merge(review::routes())
        .merge(board::routes())
        .merge(stats::routes())
}

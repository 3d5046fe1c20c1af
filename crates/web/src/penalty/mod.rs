//! Penalty discretion (治安处罚裁量): the API with its OpenAPI registration, the
//! calculator pages, the catalog and the standards pages.

pub mod api;
mod catalog;
mod fmt;
mod pages;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::assess))
        .routes(routes!(api::catalog))
        .routes(
            routes!(api::list_standards, api::upload_standard)
                .layer(DefaultBodyLimit::max(api::STANDARD_BODY_LIMIT)),
        )
        .routes(routes!(api::activate_standard))
}

pub(crate) fn page_routes() -> Router<AppState> {
    pages::routes().merge(catalog::routes())
}

//! The OpenAPI document: its header here; each capability registers its own paths
//! (and the schemas they use) through its `OpenApiRouter`.

use axum::Router;
use axum::http::header;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(info(
    title = "Frontline API",
    description = "一线警务平台 / Frontline policing operations API"
))]
pub struct ApiDoc;

/// The document as served, pretty-printed.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    let mut doc = doc.clone();
    untagged_as_empty(&mut doc);
    super::json::document_unsupported_media_type(&mut doc);
    doc.to_pretty_json().unwrap_or_default()
}

/// `routes!` leaves an operation without tags as `None`, where the single `ApiDoc`
/// listing wrote `"tags": []`; keep writing that, so the published document is unchanged.
fn untagged_as_empty(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            op.tags.get_or_insert_with(Vec::new);
        }
    }
}

/// `GET /api/openapi.json`, serving `json` (made once, at start).
pub(crate) fn route(json: String) -> Router<AppState> {
    let json: std::sync::Arc<str> = json.into();
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.to_string(),
                )
            }
        }),
    )
}

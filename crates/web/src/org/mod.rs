//! The organisation over the API: units and districts.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use frontline_app::org::UnitsResponse;

use crate::AppState;
use crate::http::session::ApiSession;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(units))
}

/// Units and districts (organisation names are not personal data).
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = UnitsResponse)))]
pub async fn units(State(state): State<AppState>, _session: ApiSession) -> Json<UnitsResponse> {
    Json(state.app.org.overview())
}

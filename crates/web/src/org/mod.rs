//! The organisation over the API: units and districts.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use frontline_app::org::{DistrictView, UnitView};

use crate::AppState;
use crate::http::session::ApiSession;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(units))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitsResponse {
    pub units: Vec<UnitView>,
    pub districts: Vec<DistrictView>,
}

/// Units and districts (organisation names are not personal data).
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = UnitsResponse)))]
pub async fn units(State(state): State<AppState>, _session: ApiSession) -> Json<UnitsResponse> {
    let units = state.app.org.units();
    let districts = units
        .iter()
        .flat_map(|u| state.app.org.districts_of(u.id))
        .collect();
    Json(UnitsResponse { units, districts })
}

//! The organisation over the API: units and districts.

use axum::Json;
use axum::extract::{Path, State};
use frontline_app::AppError;
use frontline_app::incident::Colleague;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use frontline_app::org::UnitsResponse;

use crate::AppState;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::ApiSession;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(units))
        .routes(routes!(unit_officers))
}

/// Units and districts (organisation names are not personal data).
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = UnitsResponse)))]
pub async fn units(State(state): State<AppState>, _session: ApiSession) -> Json<UnitsResponse> {
    Json(state.app.org.overview())
}

/// The officers of a unit who can be dispatched to its incidents (for whoever dispatches
/// there; another unit's list reads as 404).
#[utoipa::path(get, path = "/api/v1/units/{id}/officers", params(("id" = Uuid, Path)),
    responses((status = 200, body = [Colleague]), (status = 404, body = Problem)))]
pub async fn unit_officers(
    State(state): State<AppState>,
    ApiSession(s, _lang): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<Vec<Colleague>>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    Ok(Json(state.app.dispatch_candidates(&s.actor, id).await?))
}

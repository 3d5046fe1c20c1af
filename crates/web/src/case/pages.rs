//! Case pages (the next step of the cases issue: list, case page, acceptance form,
//! deadline board). The API is complete; the pages join here.

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}

//! One incident, within the reader's scope.

use frontline_core::authz::{self, Action};
use frontline_core::org::Actor;
use frontline_store::IncidentRow;
use uuid::Uuid;

use crate::{App, AppError, Result};

impl App {
    /// One incident. Outside the actor's scope it does not exist (404).
    pub async fn incident(&self, actor: &Actor, id: Uuid) -> Result<IncidentRow> {
        let row = self.store.incident(id).await?.ok_or(AppError::NotFound)?;
        if !authz::allows(actor, Action::IncidentRead, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        Ok(row)
    }
}

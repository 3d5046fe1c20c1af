//! Showing the caller's identifiers whole, after a stated purpose.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::org::Actor;
use frontline_store::AuditDraft;
use uuid::Uuid;

use super::UnmaskedCaller;
use crate::{App, AppError, Result};

impl App {
    /// Shows the caller's phone and ID number whole. Needs a purpose; leaves a trace.
    pub async fn unmask_caller(
        &self,
        actor: &Actor,
        id: Uuid,
        purpose: &str,
    ) -> Result<UnmaskedCaller> {
        let purpose = purpose.trim();
        if purpose.chars().count() < 2 || purpose.chars().count() > 200 {
            return Err(AppError::field(FieldError::new(
                "purpose",
                "purpose.required",
                "请填写查询事由（2至200字）",
                "State the purpose of access (2–200 characters)",
            )));
        }
        let row = self.incident(actor, id).await?;
        if !authz::allows(actor, Action::IdentifierUnmask, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "incident.caller.unmask".into(),
                object_type: "incident".into(),
                object_id: id.to_string(),
                purpose: Some(purpose.to_string()),
                detail: serde_json::json!({ "number": row.number }).to_string(),
            })
            .await?;
        Ok(UnmaskedCaller {
            phone: row.caller_phone,
            id_number: row.caller_id_number,
        })
    }
}

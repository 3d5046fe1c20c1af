//! Showing the caller's identifiers whole, after a stated purpose.

use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::org::Actor;
use frontline_core::request::{Given, Unknown};
use frontline_store::{AuditDraft, IncidentRow};
use serde::Deserialize;
use uuid::Uuid;

use super::{UnmaskedCaller, UnmaskedStep};
use crate::auth::Session;
use crate::{App, AppError, Result};

// Body of `POST /api/v1/incidents/{id}/caller/unmask` and of the detail page's form.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct UnmaskRequest {
    /// 查询事由: a code of `GET /api/v1/unmask-purposes` (e.g. `callback`); audited.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "callback")]
    pub purpose: Given<String>,
    /// What the need is, for a purpose with `text_required` (`other`) only: at least 4
    /// letters or digits, not one repeated or punctuation only; at most 200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose_text: Given<String>,
    /// Unknown keys, each refused (`unknown_field`); flattened so that only an object is
    /// read.
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl UnmaskRequest {
    /// Reads a JSON body. A body that is not an object, like a purpose that is not
    /// text, states no purpose: refused on `purpose` below.
    pub fn read(v: serde_json::Value) -> UnmaskRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    /// A listed purpose without a text (`callback`, …).
    pub fn listed(code: &str) -> UnmaskRequest {
        UnmaskRequest {
            purpose: code.to_string().into(),
            ..UnmaskRequest::default()
        }
    }

    /// A purpose with its text (`other`).
    pub fn with_text(code: &str, text: &str) -> UnmaskRequest {
        UnmaskRequest {
            purpose: code.to_string().into(),
            purpose_text: text.to_string().into(),
            ..UnmaskRequest::default()
        }
    }
}

impl App {
    /// The incident whose caller `actor` may unmask; `NotFound` outside its scope.
    pub(crate) async fn unmask_target(&self, actor: &Actor, id: Uuid) -> Result<IncidentRow> {
        let row = self.incident(actor, id).await?;
        if !authz::allows(actor, Action::IdentifierUnmask, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        Ok(row)
    }

    /// Shows the caller's phone and ID number whole, and the free texts with the numbers
    /// typed into them (the timeline's notes and step details too). Needs a purpose and
    /// the password or a code re-entered within the window
    /// (`ReauthenticationRequired`); leaves a trace.
    pub async fn unmask_caller(
        &self,
        session: &Session,
        id: Uuid,
        request: &UnmaskRequest,
    ) -> Result<UnmaskedCaller> {
        let actor = &session.actor;
        // Authorization first: an incident outside one's scope is 404 whatever the body.
        let row = self.unmask_target(actor, id).await?;
        self.require_recent_authentication(session).await?;
        if !request.other.is_empty() {
            let unknown = request.other.keys();
            return Err(AppError::Validation(
                unknown
                    .map(|k| FieldError::unknown_field(k.as_str()))
                    .collect(),
            ));
        }
        let stated = self
            .purposes
            .check(&request.purpose, &request.purpose_text)
            .map_err(AppError::Validation)?;
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "incident.caller.unmask".into(),
                object_type: "incident".into(),
                object_id: id.to_string(),
                // The code, so that unmaskings can be counted by purpose; the text of
                // `other` beside it in the (equally hashed) detail.
                purpose: Some(stated.code),
                detail: match &stated.text {
                    Some(t) => serde_json::json!({ "number": row.number, "purpose_text": t }),
                    None => serde_json::json!({ "number": row.number }),
                }
                .to_string(),
            })
            .await?;
        let timeline = self
            .store
            .incident_events(row.id)
            .await?
            .into_iter()
            .map(|e| UnmaskedStep {
                seq: e.seq,
                note: e.note,
                detail: serde_json::from_str(&e.detail).unwrap_or_else(|_| serde_json::json!({})),
            })
            .collect();
        Ok(UnmaskedCaller {
            timeline,
            phone: row.caller_phone,
            id_number: row.caller_id_number,
            name: row.caller_name,
            address: row.address,
            narrative: row.narrative,
        })
    }
}

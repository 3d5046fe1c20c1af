//! 要素提取: the elements of a narrative being typed at intake, offered as suggestions.

use frontline_core::FieldError;
use frontline_core::authz::{Action, Scope};
use frontline_core::error::Errors;
use frontline_core::incident::elements::{Element, extract};
use frontline_core::incident::{self, NARRATIVE_MAX};
use frontline_core::org::Actor;
use frontline_core::request::{Given, Unknown};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result};

/// Body of `POST /api/v1/incidents/elements`: the narrative as typed so far.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct ElementsRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub narrative: Given<String>,
    /// The reported time the times without a date are read against (default now).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub reported_at: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl ElementsRequest {
    pub fn read(v: serde_json::Value) -> ElementsRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// Suggestions for the intake form; nothing is stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ElementsAnswer {
    pub elements: Vec<Element>,
}

impl App {
    /// The phone numbers, ID numbers (valid check character), plates, amounts and times
    /// of a narrative, for the officer to confirm into the form. Reads nothing, stores
    /// nothing, so it leaves no audit entry: the officer sees only what they typed.
    pub fn extract_elements(
        &self,
        actor: &Actor,
        request: &ElementsRequest,
    ) -> Result<ElementsAnswer> {
        if frontline_core::authz::scope(actor, Action::IncidentCreate) == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in request.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let narrative = request
            .narrative
            .checked(&mut errs, || incident::not_text("narrative"))
            .cloned();
        if request.narrative.is_absent() {
            errs.push(FieldError::required("narrative"));
        }
        if narrative
            .as_ref()
            .is_some_and(|n| n.chars().count() > NARRATIVE_MAX)
        {
            errs.push(FieldError::too_long("narrative", NARRATIVE_MAX));
        }
        let now = self.now();
        let reported = request
            .reported_at
            .checked(&mut errs, || incident::not_text("reported_at"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let reported_at = match incident::reported_at(reported.as_deref(), now) {
            Ok(t) => t,
            Err(e) => {
                errs.push(e);
                now
            }
        };
        match narrative {
            Some(n) if errs.0.is_empty() => Ok(ElementsAnswer {
                elements: extract(&n, reported_at),
            }),
            _ => Err(AppError::Validation(errs.0)),
        }
    }
}

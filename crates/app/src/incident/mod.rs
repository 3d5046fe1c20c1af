//! Incident intake, reading, listing and unmasking of the caller's identifiers.

use frontline_core::Lang;
use frontline_core::authz::Scope;
use frontline_core::ident::{mask_id_number, mask_phone};
/// The stored incident, as the use cases hand it to the web layer.
pub use frontline_store::IncidentRow;
use frontline_store::PathRange;
use serde::Serialize;
use uuid::Uuid;

use crate::App;

mod export;
mod intake;
mod list;
mod read;
mod request;
mod unmask;

pub use list::ListQuery;
pub use request::{CallerRequest, IncidentRequest};
pub use unmask::UnmaskRequest;

use crate::clock::rfc3339_bj;

pub const PAGE_SIZE_DEFAULT: i64 = 20;
pub const PAGE_SIZE_MAX: i64 = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallerView {
    pub name: String,
    /// Masked unless unmasked with a purpose, e.g. `138****5678`.
    pub phone: String,
    /// Masked, e.g. `610921********1234`; null when not recorded.
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: Uuid,
    /// Human number, unique per unit and year, e.g. `S01-2026-000042`.
    pub number: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    /// RFC 3339 in Beijing time (+08:00).
    pub reported_at: String,
    pub created_at: String,
    pub category: String,
    pub category_name: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    pub district_name: Option<String>,
    pub caller: CallerView,
    pub narrative: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The caller's identifiers shown whole, after a stated purpose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmaskedCaller {
    pub phone: String,
    pub id_number: Option<String>,
}

fn path_range(scope: Scope) -> Option<PathRange> {
    match scope {
        Scope::None => None,
        Scope::Bureau => Some(PathRange::all()),
        Scope::Subtree(p) => Some(PathRange::subtree(&p)),
    }
}

impl App {
    pub fn incident_view(&self, r: &IncidentRow, lang: Lang) -> IncidentView {
        IncidentView {
            id: r.id,
            number: r.number.clone(),
            unit_id: r.unit_id,
            unit_name: self.org.unit_name(r.unit_id),
            reported_at: rfc3339_bj(r.reported_at),
            created_at: rfc3339_bj(r.created_at),
            category: r.category.clone(),
            category_name: self
                .categories
                .name(&r.category, lang)
                .unwrap_or(&r.category)
                .to_string(),
            address: r.address.clone(),
            district_id: r.district_id,
            district_name: r
                .district_id
                .and_then(|d| self.org.district(d))
                .map(|d| d.name),
            caller: CallerView {
                name: r.caller_name.clone(),
                phone: mask_phone(&r.caller_phone),
                id_number: r.caller_id_number.as_deref().map(mask_id_number),
            },
            narrative: r.narrative.clone(),
        }
    }
}

//! The organisation: units, districts, settings, and loading a whole organisation.

use frontline_core::org::{AreaType, UnitKind};
use uuid::Uuid;

use crate::{AuditDraft, NewIncident, OfficerRow, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: UnitKind,
    /// 1 or 2 for stations (一类 / 二类), none for other units; a number in the schema
    /// and in core, so it stays one here.
    pub station_class: Option<i16>,
    pub code: String,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub area_type: AreaType,
    /// The street office its residents belong to (disputes are pushed there).
    pub partner_unit_id: Option<Uuid>,
    /// Its community officer (社区民警).
    pub community_officer_id: Option<Uuid>,
}

/// A district's area type in the database that core does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown area type {0:?} in the districts table")]
pub(crate) struct UnknownAreaType(String);

pub(crate) fn parse_area(s: &str) -> std::result::Result<AreaType, UnknownAreaType> {
    AreaType::parse(s).ok_or_else(|| UnknownAreaType(s.to_string()))
}

/// An officer as colleagues see them (who can be dispatched): no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerBrief {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub display_name: String,
    pub badge_no: Option<String>,
    pub auxiliary: bool,
}

const BRIEF_COLS: &str = "id, unit_id, display_name, badge_no, auxiliary";

/// A whole organisation (and optional incidents) loaded in one transaction.
#[derive(Debug, Clone, Default)]
pub struct BulkLoad {
    pub units: Vec<UnitRow>,
    pub districts: Vec<DistrictRow>,
    pub officers: Vec<OfficerRow>,
    pub incidents: Vec<NewIncident>,
    pub settings: Vec<(String, String)>,
}

/// A unit kind in the database that core does not know (a damaged or foreign row):
/// reading it fails rather than guessing a kind.
#[derive(Debug, thiserror::Error)]
#[error("unknown unit kind {0:?} in the units table")]
pub(crate) struct UnknownUnitKind(String);

/// Parses the stored `units.kind` text.
pub(crate) fn parse_kind(s: &str) -> std::result::Result<UnitKind, UnknownUnitKind> {
    UnitKind::parse(s).ok_or_else(|| UnknownUnitKind(s.to_string()))
}

const UNIT_COLS: &str = "id, parent_id, kind, station_class, code, name, path";
const DISTRICT_COLS: &str =
    "id, unit_id, code, name, area_type, partner_unit_id, community_officer_id";

store_methods! {
    pub async fn get_setting(&self, key: &str) -> Result<Option<String>>;
    pub async fn list_units(&self) -> Result<Vec<UnitRow>>;
    pub async fn list_districts(&self) -> Result<Vec<DistrictRow>>;
    /// The enabled officers of a unit, sworn before auxiliary, by name.
    pub async fn unit_officers(&self, unit_id: Uuid) -> Result<Vec<OfficerBrief>>;
    /// Loads an organisation (and optionally a batch of incidents) in one transaction,
    /// with one audit entry describing the load. Used by the demo and by imports.
    pub async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()>;
}

//! Deterministic demo plan: the fictional 青禾县公安局 (Qinghe County Public Security
//! Bureau) with its stations, districts, departments, partner units, officers and a
//! year of incidents, as plain data. No database, no I/O, no clock: the same
//! `(seed, end, incident_count, categories)` always gives the identical plan, so the
//! demo loader (which writes the plan through the use cases) is reproducible.
//!
//! Everything here is invented: the county, the places, the roads, the businesses and
//! every person's name and phone number. Persons appear only as officers (demo user
//! accounts) and as callers who reported an incident.
//!
//! Randomness comes from a private SplitMix64 generator rather than `rand`, so the
//! plan does not change when the `rand` crate changes its algorithms.
//! Two independent streams are used: one for the organisation and officers, one for
//! the incidents, so changing `incident_count` does not change the officers.

use chrono::{DateTime, Utc};
use frontline_core::incident::category::CategoryTree;
use frontline_core::org::AreaType;

use super::data::data;
use super::rng::Rng;
use super::{incident, org};
use crate::Result;

/// The fictional county used throughout the demo.
pub const COUNTY: &str = "青禾县";
/// The number of incidents the `frontline demo` command plans.
pub const DEMO_INCIDENT_COUNT: usize = 20_000;

/// The whole demo data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPlan {
    /// The county bureau (root of the police hierarchy).
    pub bureau: PlanUnit,
    /// All other units, parents before children: stations `s1..s11`, HQ departments
    /// and teams, street offices `street1..street11`, `procuratorate`, `court`.
    pub units: Vec<PlanUnit>,
    /// Police districts (警务区), 3–6 per station, in station order.
    pub districts: Vec<PlanDistrict>,
    /// Demo user accounts: the fixed accounts first, then generated officers.
    pub officers: Vec<PlanOfficer>,
    /// Incidents sorted by `reported_at` ascending.
    pub incidents: Vec<PlanIncident>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanUnit {
    /// Stable key: "bureau", "s1".."s11", "dept.criminal", "dept.criminal.team1",
    /// "dept.public_order", "dept.patrol", "dept.legal", "dept.command",
    /// "street1".."street11", "procuratorate", "court".
    pub key: String,
    /// Parent in the police hierarchy; `None` for the bureau and for partner units
    /// (street offices, procuratorate, court), which are outside it.
    pub parent_key: Option<String>,
    /// "bureau" | "station" | "department" | "team" | "street_office" |
    /// "procuratorate" | "court"
    pub kind: &'static str,
    /// 1 or 2 for stations, `None` otherwise.
    pub station_class: Option<u8>,
    /// Short unit code, e.g. "S01", "XZ", "XZ1", "JD03".
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDistrict {
    pub station_key: String,
    /// e.g. "S01-02"
    pub code: String,
    pub name: String,
    /// A first-class (urban) station's districts are urban; a township station's first
    /// district is its centre (suburban), the others villages (rural).
    pub area_type: AreaType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOfficer {
    pub username: String,
    pub display_name: String,
    pub unit_key: String,
    pub roles: Vec<&'static str>,
    pub auxiliary: bool,
    /// Six digits for sworn officers; `None` for auxiliaries, the system
    /// administrator and partner staff.
    pub badge_no: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanIncident {
    pub station_key: String,
    /// Index within that station's districts (in `DemoPlan::districts` order);
    /// `None` for a few incidents outside any district.
    pub district_index: Option<usize>,
    pub reported_at: DateTime<Utc>,
    /// A leaf (sub-category) code of the tree passed to [`plan`].
    pub category: String,
    pub address: String,
    pub caller_name: String,
    /// Mainland mobile number, 11 digits, `1[3-9]x`.
    pub caller_phone: String,
    pub narrative: String,
}

#[cfg(test)]
mod tests;

/// Builds the demo plan. Deterministic: the same arguments give the same plan.
///
/// Incidents fall in `(end - 365 days, end]`, are filed against leaf codes of
/// `categories` (none are planned if the tree has no leaves), and are sorted by
/// `reported_at`. Fails only when the word lists under `data/demo/` are invalid.
pub fn plan(
    seed: u64,
    end: DateTime<Utc>,
    incident_count: usize,
    categories: &CategoryTree,
) -> Result<DemoPlan> {
    plan_over(seed, end, YEAR_DAYS, incident_count, categories)
}

/// The days of the demo's usual year of incidents.
pub const YEAR_DAYS: u32 = 365;

/// [`plan`] with the incidents spread over `(end - span_days, end]` instead of a year.
pub fn plan_over(
    seed: u64,
    end: DateTime<Utc>,
    span_days: u32,
    incident_count: usize,
    categories: &CategoryTree,
) -> Result<DemoPlan> {
    let d = data()?;
    let (bureau, units, districts) = org::units(d);
    let mut org_rng = Rng::new(seed ^ 0x6F72_675F_7374_7265); // "org_stre"
    let officers = org::officers(&mut org_rng, d);
    let mut inc_rng = Rng::new(seed.rotate_left(17) ^ 0x696E_6369_6465_6E74); // "incident"
    let incidents =
        incident::incidents(d, &mut inc_rng, end, span_days, incident_count, categories);
    Ok(DemoPlan {
        bureau,
        units,
        districts,
        officers,
        incidents,
    })
}

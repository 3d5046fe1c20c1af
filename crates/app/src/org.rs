//! The organisation held in memory: units and districts change rarely and are read
//! on every request (scope paths, names), so they are cached and reloaded on change.

use std::collections::HashMap;
use std::sync::RwLock;

use frontline_core::org::{AreaType, UnitKind};
use frontline_store::{DistrictRow, Store, UnitRow};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    // Serialized as core spells it (`station`, `street_office`, …). A plain comment:
    // a doc comment would become the schema's description.
    #[schema(value_type = String)]
    pub kind: UnitKind,
    pub station_class: Option<i16>,
    pub code: String,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    /// Urban, suburban or rural: sets the district's 110 arrival target.
    pub area_type: AreaType,
    /// The street office its residents belong to (disputes are pushed there).
    pub partner_unit_id: Option<Uuid>,
    /// Its community officer (社区民警).
    pub community_officer_id: Option<Uuid>,
}

// The organisation as `GET /api/v1/units` answers: units in path order, each unit's
// districts after the previous unit's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitsResponse {
    pub units: Vec<UnitView>,
    pub districts: Vec<DistrictView>,
}

#[derive(Debug, Default)]
struct Snapshot {
    units: Vec<UnitView>,
    by_id: HashMap<Uuid, usize>,
    districts: Vec<DistrictView>,
    district_by_id: HashMap<Uuid, usize>,
}

#[derive(Debug, Default)]
pub struct OrgCache(RwLock<Snapshot>);

fn unit_view(u: UnitRow) -> UnitView {
    UnitView {
        id: u.id,
        parent_id: u.parent_id,
        kind: u.kind,
        station_class: u.station_class,
        code: u.code,
        name: u.name,
        path: u.path,
    }
}

fn district_view(d: DistrictRow) -> DistrictView {
    DistrictView {
        id: d.id,
        unit_id: d.unit_id,
        code: d.code,
        name: d.name,
        area_type: d.area_type,
        partner_unit_id: d.partner_unit_id,
        community_officer_id: d.community_officer_id,
    }
}

impl OrgCache {
    pub async fn load(store: &Store) -> Result<OrgCache> {
        let c = OrgCache::default();
        c.reload(store).await?;
        Ok(c)
    }

    pub async fn reload(&self, store: &Store) -> Result<()> {
        let units: Vec<UnitView> = store
            .list_units()
            .await?
            .into_iter()
            .map(unit_view)
            .collect();
        let districts: Vec<DistrictView> = store
            .list_districts()
            .await?
            .into_iter()
            .map(district_view)
            .collect();
        let snap = Snapshot {
            by_id: units.iter().enumerate().map(|(i, u)| (u.id, i)).collect(),
            district_by_id: districts
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id, i))
                .collect(),
            units,
            districts,
        };
        if let Ok(mut g) = self.0.write() {
            *g = snap;
        }
        Ok(())
    }

    pub fn unit(&self, id: Uuid) -> Option<UnitView> {
        let g = self.0.read().ok()?;
        g.by_id.get(&id).and_then(|&i| g.units.get(i)).cloned()
    }

    pub fn unit_by_code(&self, code: &str) -> Option<UnitView> {
        let g = self.0.read().ok()?;
        g.units.iter().find(|u| u.code == code).cloned()
    }

    pub fn unit_name(&self, id: Uuid) -> String {
        self.unit(id).map(|u| u.name).unwrap_or_default()
    }

    pub fn district(&self, id: Uuid) -> Option<DistrictView> {
        let g = self.0.read().ok()?;
        g.district_by_id
            .get(&id)
            .and_then(|&i| g.districts.get(i))
            .cloned()
    }

    pub fn units(&self) -> Vec<UnitView> {
        self.0.read().map(|g| g.units.clone()).unwrap_or_default()
    }

    /// Stations, in path order (the units that own incidents).
    pub fn stations(&self) -> Vec<UnitView> {
        self.units()
            .into_iter()
            .filter(|u| u.kind == UnitKind::Station)
            .collect()
    }

    pub fn districts_of(&self, unit_id: Uuid) -> Vec<DistrictView> {
        self.0
            .read()
            .map(|g| {
                g.districts
                    .iter()
                    .filter(|d| d.unit_id == unit_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every unit and district (organisation names are not personal data).
    pub fn overview(&self) -> UnitsResponse {
        let units = self.units();
        let districts = units.iter().flat_map(|u| self.districts_of(u.id)).collect();
        UnitsResponse { units, districts }
    }

    pub fn is_empty(&self) -> bool {
        self.0.read().map(|g| g.units.is_empty()).unwrap_or(true)
    }
}

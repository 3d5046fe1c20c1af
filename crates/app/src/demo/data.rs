//! The demo's stations and word lists, read from `data/demo/` (compiled in) at first use
//! and checked once: a bad file is an error of the demo load, never a panic.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::{AppError, Result};

const STATIONS_TOML: &str = include_str!("../../../../data/demo/stations.toml");
const WORDS_TOML: &str = include_str!("../../../../data/demo/words.toml");

/// One police station of the fictional county and the places in its area.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StationDef {
    /// "城关" -> 城关派出所
    pub(super) name: String,
    /// 1 (urban) or 2 (township)
    pub(super) class: u8,
    /// relative incident volume
    pub(super) weight: f64,
    /// administrative area used in rural addresses, e.g. "城关街道", "石桥镇"
    pub(super) area: String,
    /// partner unit (street office or township government)
    pub(super) partner: String,
    pub(super) districts: Vec<String>,
    pub(super) roads: Vec<String>,
    pub(super) compounds: Vec<String>,
    pub(super) villages: Vec<String>,
    /// a hill or park in the area
    pub(super) landmark: String,
    pub(super) school: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StationsFile {
    station: Vec<StationDef>,
}

/// Word lists; the generator picks from them by index, so their order is part of the plan.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Words {
    pub(super) surnames: Vec<String>,
    pub(super) given_m: Vec<String>,
    pub(super) given_f: Vec<String>,
    pub(super) mobile_prefixes: Vec<String>,
    pub(super) colours: Vec<String>,
    pub(super) ebikes: Vec<String>,
    pub(super) cars: Vec<String>,
    pub(super) motos: Vec<String>,
    pub(super) phones: Vec<String>,
    pub(super) shops: Vec<String>,
    pub(super) eateries: Vec<String>,
    pub(super) public_spots: Vec<String>,
    pub(super) vehicles: Vec<String>,
    pub(super) fight_causes: Vec<String>,
    pub(super) body_parts: Vec<String>,
    pub(super) weapons: Vec<String>,
    pub(super) fake_relations: Vec<String>,
    pub(super) platforms: Vec<String>,
    pub(super) pretexts: Vec<String>,
    pub(super) second_hand: Vec<String>,
    pub(super) shop_goods: Vec<String>,
    pub(super) neighbour_causes: Vec<String>,
    pub(super) family_members: Vec<String>,
    pub(super) family_causes: Vec<String>,
    pub(super) elders: Vec<String>,
    pub(super) adult_relatives: Vec<String>,
    pub(super) land_causes: Vec<String>,
    pub(super) lost_items: Vec<String>,
    pub(super) found_items: Vec<String>,
    pub(super) services: Vec<String>,
}

impl Words {
    fn lists(&self) -> [(&'static str, &[String]); 30] {
        [
            ("surnames", &self.surnames),
            ("given_m", &self.given_m),
            ("given_f", &self.given_f),
            ("mobile_prefixes", &self.mobile_prefixes),
            ("colours", &self.colours),
            ("ebikes", &self.ebikes),
            ("cars", &self.cars),
            ("motos", &self.motos),
            ("phones", &self.phones),
            ("shops", &self.shops),
            ("eateries", &self.eateries),
            ("public_spots", &self.public_spots),
            ("vehicles", &self.vehicles),
            ("fight_causes", &self.fight_causes),
            ("body_parts", &self.body_parts),
            ("weapons", &self.weapons),
            ("fake_relations", &self.fake_relations),
            ("platforms", &self.platforms),
            ("pretexts", &self.pretexts),
            ("second_hand", &self.second_hand),
            ("shop_goods", &self.shop_goods),
            ("neighbour_causes", &self.neighbour_causes),
            ("family_members", &self.family_members),
            ("family_causes", &self.family_causes),
            ("elders", &self.elders),
            ("adult_relatives", &self.adult_relatives),
            ("land_causes", &self.land_causes),
            ("lost_items", &self.lost_items),
            ("found_items", &self.found_items),
            ("services", &self.services),
        ]
    }
}

/// Everything the generator reads from `data/demo/`.
#[derive(Debug)]
pub(super) struct DemoData {
    pub(super) stations: Vec<StationDef>,
    pub(super) words: Words,
}

static DATA: OnceLock<std::result::Result<DemoData, String>> = OnceLock::new();

/// The checked demo data (parsed on the first call).
pub(super) fn data() -> Result<&'static DemoData> {
    DATA.get_or_init(load)
        .as_ref()
        .map_err(|e| AppError::Internal(e.clone()))
}

fn load() -> std::result::Result<DemoData, String> {
    let stations: StationsFile =
        toml::from_str(STATIONS_TOML).map_err(|e| format!("data/demo/stations.toml: {e}"))?;
    let words: Words =
        toml::from_str(WORDS_TOML).map_err(|e| format!("data/demo/words.toml: {e}"))?;
    let d = DemoData {
        stations: stations.station,
        words,
    };
    check(&d)?;
    Ok(d)
}

fn check(d: &DemoData) -> std::result::Result<(), String> {
    if d.stations.is_empty() {
        return Err("data/demo/stations.toml: no station".into());
    }
    for s in &d.stations {
        if !matches!(s.class, 1 | 2) {
            return Err(format!(
                "data/demo/stations.toml: station {}: class must be 1 or 2",
                s.name
            ));
        }
        if !s.weight.is_finite() || s.weight < 0.0 {
            return Err(format!(
                "data/demo/stations.toml: station {}: weight must be a number ≥ 0",
                s.name
            ));
        }
        for (field, xs) in [
            ("districts", &s.districts),
            ("roads", &s.roads),
            ("compounds", &s.compounds),
            ("villages", &s.villages),
        ] {
            if xs.is_empty() {
                return Err(format!(
                    "data/demo/stations.toml: station {}: {field} is empty",
                    s.name
                ));
            }
        }
    }
    for (name, xs) in d.words.lists() {
        if xs.is_empty() {
            return Err(format!("data/demo/words.toml: {name} is empty"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_data_files_are_valid() {
        let d = super::data().unwrap();
        assert_eq!(d.stations.len(), 11);
    }
}

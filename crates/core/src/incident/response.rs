//! Response times (出警时效): the 110 arrival targets by district area type, and which
//! incidents they apply to. Targets are data (`data/response-targets.toml`).

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::category::CategoryTree;
use crate::org::AreaType;

pub const BUILTIN_TOML: &str = include_str!("../../../../data/response-targets.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    minutes: Minutes,
    urgent: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Minutes {
    urban: u32,
    suburban: u32,
}

/// The arrival targets and the categories they apply to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTargets {
    urban: Duration,
    suburban: Duration,
    /// Leaf codes, or top-level codes meaning every leaf under them.
    urgent: Vec<String>,
}

/// How an incident stands against its arrival target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Not an urgent category, or a rural district (尽快: no fixed number).
    NoTarget,
    /// Not yet on scene and the target time has not passed.
    Running,
    /// Not yet on scene and the target time has passed.
    Overdue,
    Met,
    Missed,
}

impl ResponseTargets {
    pub fn builtin(categories: &CategoryTree) -> Result<ResponseTargets, String> {
        ResponseTargets::from_toml(BUILTIN_TOML, categories)
    }

    pub fn from_toml(s: &str, categories: &CategoryTree) -> Result<ResponseTargets, String> {
        let f: File = toml::from_str(s).map_err(|e| e.to_string())?;
        for (name, m) in [("urban", f.minutes.urban), ("suburban", f.minutes.suburban)] {
            if !(1..=120).contains(&m) {
                return Err(format!("minutes.{name} = {m}: must be 1 to 120"));
            }
        }
        for c in &f.urgent {
            if categories.get(c).is_none() {
                return Err(format!("urgent: unknown category {c:?}"));
            }
        }
        Ok(ResponseTargets {
            urban: Duration::minutes(f.minutes.urban.into()),
            suburban: Duration::minutes(f.minutes.suburban.into()),
            urgent: f.urgent,
        })
    }

    pub fn is_urgent(&self, category: &str) -> bool {
        self.urgent.iter().any(|u| {
            category == u
                || (category.len() > u.len()
                    && category.starts_with(u.as_str())
                    && category.as_bytes().get(u.len()) == Some(&b'.'))
        })
    }

    /// The time from the call to arrival this incident must meet, if any.
    pub fn target(&self, category: &str, area: AreaType) -> Option<Duration> {
        if !self.is_urgent(category) {
            return None;
        }
        match area {
            AreaType::Urban => Some(self.urban),
            AreaType::Suburban => Some(self.suburban),
            AreaType::Rural => None,
        }
    }

    /// Where an incident stands: reported at `reported`, first on scene at `arrived`.
    pub fn status(
        &self,
        category: &str,
        area: AreaType,
        reported: DateTime<Utc>,
        arrived: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> TargetStatus {
        let Some(t) = self.target(category, area) else {
            return TargetStatus::NoTarget;
        };
        match arrived {
            Some(a) if a - reported <= t => TargetStatus::Met,
            Some(_) => TargetStatus::Missed,
            None if now - reported <= t => TargetStatus::Running,
            None => TargetStatus::Overdue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> ResponseTargets {
        ResponseTargets::builtin(&CategoryTree::builtin().unwrap()).unwrap()
    }

    #[test]
    fn urgent_categories_by_leaf_and_by_root() {
        let t = targets();
        assert!(t.is_urgent("criminal.robbery"));
        assert!(t.is_urgent("fire.building"));
        assert!(!t.is_urgent("criminal.theft"));
        assert!(!t.is_urgent("dispute.neighbour"));
        // A root's prefix is no match for a longer root name.
        assert!(!t.is_urgent("fireworks.x"));
    }

    #[test]
    fn targets_by_area_and_the_boundary_minute() {
        let t = targets();
        let at = DateTime::parse_from_rfc3339("2026-11-30T02:00:00Z")
            .unwrap()
            .to_utc();
        let m = Duration::minutes;
        let st = |area, arrived: Option<Duration>, now: Duration| {
            t.status(
                "criminal.robbery",
                area,
                at,
                arrived.map(|d| at + d),
                at + now,
            )
        };
        assert_eq!(t.target("criminal.robbery", AreaType::Urban), Some(m(5)));
        assert_eq!(
            t.target("criminal.robbery", AreaType::Suburban),
            Some(m(10))
        );
        assert_eq!(t.target("criminal.robbery", AreaType::Rural), None);
        assert_eq!(st(AreaType::Urban, Some(m(5)), m(60)), TargetStatus::Met);
        assert_eq!(
            st(AreaType::Urban, Some(m(5) + Duration::seconds(1)), m(60)),
            TargetStatus::Missed
        );
        assert_eq!(st(AreaType::Suburban, Some(m(9)), m(60)), TargetStatus::Met);
        assert_eq!(st(AreaType::Urban, None, m(4)), TargetStatus::Running);
        assert_eq!(st(AreaType::Urban, None, m(6)), TargetStatus::Overdue);
        assert_eq!(st(AreaType::Rural, None, m(600)), TargetStatus::NoTarget);
        assert_eq!(
            t.status("criminal.theft", AreaType::Urban, at, None, at + m(60)),
            TargetStatus::NoTarget
        );
    }

    #[test]
    fn a_bad_file_names_its_offending_entry() {
        let cats = CategoryTree::builtin().unwrap();
        let e = ResponseTargets::from_toml(
            "urgent = [\"nope\"]\n[minutes]\nurban = 5\nsuburban = 10\n",
            &cats,
        )
        .unwrap_err();
        assert!(e.contains("nope"), "{e}");
        let e =
            ResponseTargets::from_toml("urgent = []\n[minutes]\nurban = 0\nsuburban = 10\n", &cats)
                .unwrap_err();
        assert!(e.contains("urban"), "{e}");
        assert!(ResponseTargets::from_toml("urgent = []", &cats).is_err());
    }
}

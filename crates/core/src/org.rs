//! Organisation: units, roles and the acting user.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Lang;

/// Roles from the glossary. An officer may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    BureauLeader,
    CommandCentre,
    StationChief,
    DeskOfficer,
    CommunityOfficer,
    CaseOfficer,
    LegalReviewer,
    Custodian,
    Partner,
    PartnerJustice,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::BureauLeader,
        Role::CommandCentre,
        Role::StationChief,
        Role::DeskOfficer,
        Role::CommunityOfficer,
        Role::CaseOfficer,
        Role::LegalReviewer,
        Role::Custodian,
        Role::Partner,
        Role::PartnerJustice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::BureauLeader => "bureau_leader",
            Role::CommandCentre => "command_centre",
            Role::StationChief => "station_chief",
            Role::DeskOfficer => "desk_officer",
            Role::CommunityOfficer => "community_officer",
            Role::CaseOfficer => "case_officer",
            Role::LegalReviewer => "legal_reviewer",
            Role::Custodian => "custodian",
            Role::Partner => "partner",
            Role::PartnerJustice => "partner_justice",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Admin, Lang::Zh) => "系统管理员",
            (Role::BureauLeader, Lang::Zh) => "局领导",
            (Role::CommandCentre, Lang::Zh) => "指挥中心",
            (Role::StationChief, Lang::Zh) => "所长",
            (Role::DeskOfficer, Lang::Zh) => "值班民警",
            (Role::CommunityOfficer, Lang::Zh) => "社区民警",
            (Role::CaseOfficer, Lang::Zh) => "办案民警",
            (Role::LegalReviewer, Lang::Zh) => "法制员",
            (Role::Custodian, Lang::Zh) => "保管员",
            (Role::Partner, Lang::Zh) => "街道/社区",
            (Role::PartnerJustice, Lang::Zh) => "检察院/法院",
            (Role::Admin, Lang::En) => "Administrator",
            (Role::BureauLeader, Lang::En) => "Bureau leader",
            (Role::CommandCentre, Lang::En) => "Command centre",
            (Role::StationChief, Lang::En) => "Station chief",
            (Role::DeskOfficer, Lang::En) => "Desk officer",
            (Role::CommunityOfficer, Lang::En) => "Community officer",
            (Role::CaseOfficer, Lang::En) => "Case officer",
            (Role::LegalReviewer, Lang::En) => "Legal reviewer",
            (Role::Custodian, Lang::En) => "Custodian",
            (Role::Partner, Lang::En) => "Street office",
            (Role::PartnerJustice, Lang::En) => "Procuratorate / court",
        }
    }

    /// Roles stored as a comma-separated list in one column.
    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses a stored role list strictly: the first unknown name is the error, so a
    /// damaged row is reported instead of silently losing (or keeping) a role. An empty
    /// text is the empty list.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Role::parse(p).ok_or_else(|| p.to_string()))
            .collect()
    }
}

/// A police district's area type (区域类型): sets its 110 arrival target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AreaType {
    Urban,
    Suburban,
    Rural,
}

impl AreaType {
    pub const ALL: [AreaType; 3] = [AreaType::Urban, AreaType::Suburban, AreaType::Rural];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaType::Urban => "urban",
            AreaType::Suburban => "suburban",
            AreaType::Rural => "rural",
        }
    }

    pub fn parse(s: &str) -> Option<AreaType> {
        AreaType::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            AreaType::Urban => "城区",
            AreaType::Suburban => "城郊",
            AreaType::Rural => "农村",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AreaType::Urban => "Urban",
            AreaType::Suburban => "Suburban",
            AreaType::Rural => "Rural",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Bureau,
    Station,
    Department,
    Team,
    StreetOffice,
    Procuratorate,
    Court,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Bureau => "bureau",
            UnitKind::Station => "station",
            UnitKind::Department => "department",
            UnitKind::Team => "team",
            UnitKind::StreetOffice => "street_office",
            UnitKind::Procuratorate => "procuratorate",
            UnitKind::Court => "court",
        }
    }

    pub const ALL: [UnitKind; 7] = [
        UnitKind::Bureau,
        UnitKind::Station,
        UnitKind::Department,
        UnitKind::Team,
        UnitKind::StreetOffice,
        UnitKind::Procuratorate,
        UnitKind::Court,
    ];

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Partner organisations sit outside the bureau's tree and own no police records.
    pub fn is_partner(self) -> bool {
        matches!(
            self,
            UnitKind::StreetOffice | UnitKind::Procuratorate | UnitKind::Court
        )
    }
}

/// A unit's materialised path is its ancestors' codes and its own, e.g. `/QC/S01/`.
/// Subtree tests are prefix tests, and list queries use the same prefix as an index range.
pub fn child_path(parent_path: Option<&str>, code: &str) -> String {
    match parent_path {
        Some(p) => format!("{p}{code}/"),
        None => format!("/{code}/"),
    }
}

/// The exclusive upper bound of all paths under `prefix` (which ends in '/'):
/// '/' + 1 = '0', so `[prefix, upper)` is exactly the subtree in byte order.
pub fn path_upper_bound(prefix: &str) -> String {
    let mut s = prefix.trim_end_matches('/').to_string();
    s.push('0');
    s
}

/// The signed-in officer, as every use case sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub officer_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub unit_kind: UnitKind,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(
            Role::join(&[Role::Admin, Role::Custodian]),
            "admin,custodian"
        );
    }

    #[test]
    fn strict_role_lists_name_the_unknown_role() {
        assert_eq!(
            Role::parse_list("desk_officer, admin"),
            Ok(vec![Role::DeskOfficer, Role::Admin])
        );
        assert_eq!(Role::parse_list(""), Ok(vec![]));
        assert_eq!(Role::parse_list("admin,root"), Err("root".to_string()));
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn path_bounds_cover_exactly_the_subtree() {
        let p = child_path(Some("/QC/"), "S01");
        assert_eq!(p, "/QC/S01/");
        let up = path_upper_bound(&p);
        assert!("/QC/S01/".as_bytes() < up.as_bytes());
        assert!("/QC/S01/D1/".as_bytes() < up.as_bytes());
        assert!("/QC/S010/".as_bytes() >= up.as_bytes() || !"/QC/S010/".starts_with(&p));
        assert!("/QC/S02/".as_bytes() >= up.as_bytes());
        assert!("/QC/S01".as_bytes() < p.as_bytes());
    }
}

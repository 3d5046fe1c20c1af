//! The organisation of the demo: units, districts and officer accounts.

use std::collections::HashSet;

use frontline_core::org::AreaType;

use super::data::{DemoData, Words};
use super::people::person_name;
use super::plan::{COUNTY, PlanDistrict, PlanOfficer, PlanUnit};
use super::rng::Rng;

/// HQ departments: (key, code, name, generated officers, role of sworn generated officers)
const DEPARTMENTS: [(&str, &str, &str, usize, &str); 5] = [
    ("dept.criminal", "XZ", "刑事侦查大队", 0, "case_officer"),
    ("dept.public_order", "ZA", "治安管理大队", 4, "case_officer"),
    ("dept.patrol", "XT", "巡特警大队", 8, "case_officer"),
    ("dept.legal", "FZ", "法制大队", 2, "legal_reviewer"),
    ("dept.command", "ZH", "指挥中心", 3, "desk_officer"),
];
const CRIMINAL_TEAMS: [&str; 3] = ["刑侦一中队", "刑侦二中队", "刑侦三中队"];
const TEAM_OFFICERS: usize = 6;

pub(super) fn station_key(i: usize) -> String {
    format!("s{}", i + 1)
}

pub(super) fn units(d: &DemoData) -> (PlanUnit, Vec<PlanUnit>, Vec<PlanDistrict>) {
    let bureau = PlanUnit {
        key: "bureau".to_string(),
        parent_key: None,
        kind: "bureau",
        station_class: None,
        code: "QHGA".to_string(),
        name: format!("{COUNTY}公安局"),
    };
    let mut units = Vec::with_capacity(40);
    let mut districts = Vec::with_capacity(60);
    for (i, st) in d.stations.iter().enumerate() {
        let key = station_key(i);
        units.push(PlanUnit {
            key: key.clone(),
            parent_key: Some("bureau".to_string()),
            kind: "station",
            station_class: Some(st.class),
            code: format!("S{:02}", i + 1),
            name: format!("{}派出所", st.name),
        });
        for (d, name) in st.districts.iter().enumerate() {
            districts.push(PlanDistrict {
                station_key: key.clone(),
                code: format!("S{:02}-{:02}", i + 1, d + 1),
                name: (*name).to_string(),
                area_type: match (st.class, d) {
                    (1, _) => AreaType::Urban,
                    (_, 0) => AreaType::Suburban,
                    _ => AreaType::Rural,
                },
            });
        }
    }
    for (key, code, name, _, _) in DEPARTMENTS {
        units.push(PlanUnit {
            key: key.to_string(),
            parent_key: Some("bureau".to_string()),
            kind: "department",
            station_class: None,
            code: code.to_string(),
            name: name.to_string(),
        });
        if key == "dept.criminal" {
            for (t, team) in CRIMINAL_TEAMS.iter().enumerate() {
                units.push(PlanUnit {
                    key: format!("dept.criminal.team{}", t + 1),
                    parent_key: Some("dept.criminal".to_string()),
                    kind: "team",
                    station_class: None,
                    code: format!("XZ{}", t + 1),
                    name: (*team).to_string(),
                });
            }
        }
    }
    for (i, st) in d.stations.iter().enumerate() {
        units.push(PlanUnit {
            key: format!("street{}", i + 1),
            parent_key: None,
            kind: "street_office",
            station_class: None,
            code: format!("JD{:02}", i + 1),
            name: st.partner.to_string(),
        });
    }
    units.push(PlanUnit {
        key: "procuratorate".to_string(),
        parent_key: None,
        kind: "procuratorate",
        station_class: None,
        code: "JCY".to_string(),
        name: format!("{COUNTY}人民检察院"),
    });
    units.push(PlanUnit {
        key: "court".to_string(),
        parent_key: None,
        kind: "court",
        station_class: None,
        code: "FY".to_string(),
        name: format!("{COUNTY}人民法院"),
    });
    (bureau, units, districts)
}

// ---------------------------------------------------------------------------
// People (all invented)
// ---------------------------------------------------------------------------

struct OfficerGen<'a> {
    r: &'a mut Rng,
    w: &'a Words,
    badges: HashSet<u32>,
    out: Vec<PlanOfficer>,
}

impl OfficerGen<'_> {
    fn badge(&mut self) -> String {
        loop {
            let b = self.r.range(100_000, 999_999);
            if self.badges.insert(b) {
                return format!("{b:06}");
            }
        }
    }

    fn push(
        &mut self,
        username: String,
        unit_key: &str,
        roles: Vec<&'static str>,
        auxiliary: bool,
        sworn: bool,
    ) {
        let display_name = person_name(self.r, self.w);
        let badge_no = if sworn && !auxiliary {
            Some(self.badge())
        } else {
            None
        };
        self.out.push(PlanOfficer {
            username,
            display_name,
            unit_key: unit_key.to_string(),
            roles,
            auxiliary,
            badge_no,
        });
    }

    /// Generated officers of one unit: `<unit>.o001`, `<unit>.o002`, …
    /// Auxiliaries (~30 %) get desk or community duties; sworn officers get
    /// `community` for the first `community_slots`, then `sworn_role`/desk.
    fn fill(
        &mut self,
        unit_key: &str,
        count: usize,
        community_slots: usize,
        sworn_role: &'static str,
        station: bool,
    ) {
        let mut community_left = community_slots;
        for n in 1..=count {
            let auxiliary = self.r.chance(0.3);
            let role = if auxiliary {
                if station && self.r.chance(0.4) {
                    "community_officer"
                } else {
                    "desk_officer"
                }
            } else if community_left > 0 {
                community_left -= 1;
                "community_officer"
            } else if station && self.r.chance(0.35) {
                "desk_officer"
            } else {
                sworn_role
            };
            self.push(
                format!("{unit_key}.o{n:03}"),
                unit_key,
                vec![role],
                auxiliary,
                true,
            );
        }
    }
}

pub(super) fn officers(r: &mut Rng, d: &DemoData) -> Vec<PlanOfficer> {
    let mut g = OfficerGen {
        r,
        w: &d.words,
        badges: HashSet::new(),
        out: Vec::with_capacity(220),
    };
    // Fixed demo accounts.
    g.push("admin".into(), "bureau", vec!["admin"], false, false);
    g.push(
        "command".into(),
        "dept.command",
        vec!["command_centre"],
        false,
        true,
    );
    g.push(
        "leader".into(),
        "bureau",
        vec!["bureau_leader"],
        false,
        true,
    );
    g.push(
        "legal".into(),
        "dept.legal",
        vec!["legal_reviewer"],
        false,
        true,
    );
    g.push("custodian".into(), "bureau", vec!["custodian"], false, true);
    for i in 0..d.stations.len() {
        let key = station_key(i);
        for (suffix, role) in [
            ("desk", "desk_officer"),
            ("chief", "station_chief"),
            ("community", "community_officer"),
            ("investigator", "case_officer"),
        ] {
            g.push(format!("{key}.{suffix}"), &key, vec![role], false, true);
        }
    }
    for i in 0..d.stations.len() {
        let key = format!("street{}", i + 1);
        g.push(key.clone(), &key, vec!["partner"], false, false);
    }
    g.push(
        "procuratorate".into(),
        "procuratorate",
        vec!["partner_justice"],
        false,
        false,
    );
    g.push(
        "court".into(),
        "court",
        vec!["partner_justice"],
        false,
        false,
    );

    // Generated officers.
    for (i, st) in d.stations.iter().enumerate() {
        let count = if st.class == 1 { 12 } else { 7 };
        let community = st.districts.len().saturating_sub(1);
        g.fill(&station_key(i), count, community, "case_officer", true);
    }
    for (key, _, _, count, role) in DEPARTMENTS {
        if key == "dept.criminal" {
            for t in 1..=CRIMINAL_TEAMS.len() {
                g.fill(
                    &format!("dept.criminal.team{t}"),
                    TEAM_OFFICERS,
                    0,
                    "case_officer",
                    false,
                );
            }
        } else {
            g.fill(key, count, 0, role, false);
        }
    }
    g.out
}

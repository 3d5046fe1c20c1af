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

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use frontline_core::category::{Category, CategoryTree};

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

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and fixed forever, so plans stay reproducible.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick(&mut self, xs: &[&'static str]) -> &'static str {
        let i = self.below(xs.len());
        xs.get(i).copied().unwrap_or("")
    }

    /// Biased towards the front of the list (for surnames ordered by frequency).
    fn pick_front(&mut self, xs: &[&'static str]) -> &'static str {
        let i = self.below(xs.len()).min(self.below(xs.len()));
        xs.get(i).copied().unwrap_or("")
    }

    /// An amount in `lo..=hi` rounded down to a multiple of `step`.
    fn amount(&mut self, lo: u32, hi: u32, step: u32) -> u32 {
        let v = self.range(lo, hi);
        let step = step.max(1);
        (v / step * step).max(step)
    }
}

/// Cumulative weights for sampling an index.
#[derive(Debug, Clone)]
struct Weighted {
    cum: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut acc = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                acc += w.max(0.0);
                acc
            })
            .collect();
        Weighted { cum }
    }

    fn total(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    fn sample(&self, r: &mut Rng) -> usize {
        let x = r.unit() * self.total();
        self.cum
            .partition_point(|&c| c <= x)
            .min(self.cum.len().saturating_sub(1))
    }
}

// ---------------------------------------------------------------------------
// The jurisdiction (fixed, seed-independent)
// ---------------------------------------------------------------------------

struct StationDef {
    /// "城关" -> 城关派出所
    name: &'static str,
    class: u8,
    /// relative incident volume
    weight: f64,
    /// administrative area used in rural addresses, e.g. "城关街道", "石桥镇"
    area: &'static str,
    /// partner unit (street office or township government)
    partner: &'static str,
    districts: &'static [&'static str],
    roads: &'static [&'static str],
    compounds: &'static [&'static str],
    villages: &'static [&'static str],
    /// a hill or park in the area
    landmark: &'static str,
    school: &'static str,
}

const STATIONS: [StationDef; 11] = [
    StationDef {
        name: "城关",
        class: 1,
        weight: 2.4,
        area: "城关街道",
        partner: "城关街道办事处",
        districts: &[
            "文庙社区警务区",
            "鼓楼社区警务区",
            "河街社区警务区",
            "府前社区警务区",
            "新华社区警务区",
            "人民路社区警务区",
        ],
        roads: &[
            "文庙街",
            "鼓楼巷",
            "河街",
            "府前街",
            "新华路",
            "人民路",
            "解放路",
        ],
        compounds: &[
            "文昌苑",
            "鼓楼小区",
            "河畔人家",
            "府前花园",
            "新华里",
            "锦华苑",
        ],
        villages: &["城郊村", "桥头村"],
        landmark: "凤鸣山公园",
        school: "城关小学",
    },
    StationDef {
        name: "东城",
        class: 1,
        weight: 2.1,
        area: "东城街道",
        partner: "东城街道办事处",
        districts: &[
            "东门社区警务区",
            "朝阳社区警务区",
            "滨河社区警务区",
            "龙井社区警务区",
            "花园社区警务区",
        ],
        roads: &["东大街", "朝阳路", "滨河东路", "龙井路", "花园路", "东环路"],
        compounds: &["东方明珠小区", "朝阳新村", "滨河湾", "龙井苑", "花园一品"],
        villages: &["东关村", "杨家湾村"],
        landmark: "滨河公园",
        school: "东城实验学校",
    },
    StationDef {
        name: "西城",
        class: 1,
        weight: 1.9,
        area: "西城街道",
        partner: "西城街道办事处",
        districts: &[
            "西门社区警务区",
            "望江社区警务区",
            "桂花社区警务区",
            "锦绣社区警务区",
            "金沙社区警务区",
        ],
        roads: &["西大街", "望江路", "桂花巷", "锦绣路", "金沙路", "西环路"],
        compounds: &["西城丽景", "望江华府", "桂花园", "锦绣家园", "金沙苑"],
        villages: &["黄桷村", "西坝村"],
        landmark: "望江楼广场",
        school: "西城小学",
    },
    StationDef {
        name: "南湖",
        class: 1,
        weight: 1.8,
        area: "南湖街道",
        partner: "南湖街道办事处",
        districts: &[
            "南湖社区警务区",
            "荷塘社区警务区",
            "杨柳社区警务区",
            "学府社区警务区",
        ],
        roads: &["南湖路", "荷塘街", "杨柳路", "学府路", "南环路"],
        compounds: &["南湖春晓", "荷塘月色小区", "杨柳岸", "学府雅居"],
        villages: &["南湖村", "莲花村"],
        landmark: "南湖湿地公园",
        school: "青禾县第一中学",
    },
    StationDef {
        name: "北山",
        class: 1,
        weight: 1.7,
        area: "北山街道",
        partner: "北山街道办事处",
        districts: &[
            "北山社区警务区",
            "松林社区警务区",
            "翠屏社区警务区",
            "石门社区警务区",
            "红星社区警务区",
        ],
        roads: &["北山路", "松林路", "翠屏街", "石门路", "红星路"],
        compounds: &["北山御景", "松林苑", "翠屏花园", "石门新居", "红星小区"],
        villages: &["松林村", "石门村", "北坡村"],
        landmark: "北山森林公园",
        school: "北山小学",
    },
    StationDef {
        name: "新城",
        class: 1,
        weight: 2.0,
        area: "新城街道",
        partner: "新城街道办事处",
        districts: &[
            "新城社区警务区",
            "科创社区警务区",
            "工业园警务区",
            "站前社区警务区",
        ],
        roads: &["新城大道", "科创路", "工业大道", "站前路", "迎宾大道"],
        compounds: &[
            "新城国际",
            "科创公寓",
            "工业园职工宿舍",
            "站前佳苑",
            "迎宾花园",
        ],
        villages: &["新店村", "高桥村"],
        landmark: "站前广场",
        school: "新城小学",
    },
    StationDef {
        name: "石桥",
        class: 2,
        weight: 1.0,
        area: "石桥镇",
        partner: "石桥镇人民政府",
        districts: &["石桥场镇警务区", "龙潭警务区", "沙坝警务区", "高田警务区"],
        roads: &["石桥正街", "新街", "石龙路"],
        compounds: &["石桥新村", "镇政府家属院"],
        villages: &["龙潭村", "沙坝村", "高田村", "石板村"],
        landmark: "龙潭山",
        school: "石桥镇中心小学",
    },
    StationDef {
        name: "柳溪",
        class: 2,
        weight: 0.9,
        area: "柳溪镇",
        partner: "柳溪镇人民政府",
        districts: &["柳溪场镇警务区", "双河警务区", "青杠警务区"],
        roads: &["柳溪正街", "双河路", "滨溪路"],
        compounds: &["柳溪小区", "滨溪苑"],
        villages: &["双河村", "青杠村", "柳湾村"],
        landmark: "柳溪河堤",
        school: "柳溪镇中心小学",
    },
    StationDef {
        name: "白沙",
        class: 2,
        weight: 1.0,
        area: "白沙镇",
        partner: "白沙镇人民政府",
        districts: &["白沙场镇警务区", "马鞍警务区", "清水警务区"],
        roads: &["白沙正街", "清水路", "马鞍路"],
        compounds: &["白沙花园", "清水湾小区"],
        villages: &["马鞍村", "清水村", "桃园村"],
        landmark: "马鞍山",
        school: "白沙镇中学",
    },
    StationDef {
        name: "马坪",
        class: 2,
        weight: 0.8,
        area: "马坪乡",
        partner: "马坪乡人民政府",
        districts: &["马坪场镇警务区", "金竹警务区", "岩口警务区"],
        roads: &["马坪街", "金竹路"],
        compounds: &["马坪新村", "乡政府家属院"],
        villages: &["金竹村", "岩口村", "大坪村"],
        landmark: "金竹林场",
        school: "马坪乡小学",
    },
    StationDef {
        name: "云台",
        class: 2,
        weight: 1.0,
        area: "云台镇",
        partner: "云台镇人民政府",
        districts: &["云台场镇警务区", "茶园警务区", "观音警务区", "向阳警务区"],
        roads: &["云台正街", "茶园路", "向阳路"],
        compounds: &["云台小区", "茶园新居"],
        villages: &["茶园村", "观音村", "向阳村", "大石村"],
        landmark: "云台山",
        school: "云台镇中心小学",
    },
];

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

fn station_key(i: usize) -> String {
    format!("s{}", i + 1)
}

fn units() -> (PlanUnit, Vec<PlanUnit>, Vec<PlanDistrict>) {
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
    for (i, st) in STATIONS.iter().enumerate() {
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
    for (i, st) in STATIONS.iter().enumerate() {
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

/// Common surnames, roughly by frequency.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任",
    "沈", "姚", "卢", "钟", "谭", "陆", "汪", "范", "石", "廖", "贾", "邹", "熊", "秦", "邱", "江",
    "尹", "雷", "侯", "龙", "陶", "贺", "毛", "向", "龚", "严", "文",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建", "国",
    "志", "文", "海", "峰", "亮", "成", "东", "富", "德", "昌", "兵", "晨", "松",
];
const GIVEN_F: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "婷", "雪", "琳", "慧", "燕", "红",
    "梅", "颖", "倩", "洁", "丹", "萍", "晶", "蕾", "月", "佳", "欣", "怡", "兰", "琴",
];

fn person_name(r: &mut Rng) -> String {
    let surname = r.pick_front(SURNAMES);
    let pool = if r.chance(0.55) { GIVEN_M } else { GIVEN_F };
    let first = r.pick(pool);
    if r.chance(0.6) {
        let second = r.pick(pool);
        format!("{surname}{first}{second}")
    } else {
        format!("{surname}{first}")
    }
}

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199",
];

fn mobile(r: &mut Rng) -> String {
    let prefix = r.pick(MOBILE_PREFIXES);
    format!("{prefix}{:08}", r.below(100_000_000))
}

struct OfficerGen<'a> {
    r: &'a mut Rng,
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
        let display_name = person_name(self.r);
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

fn officers(r: &mut Rng) -> Vec<PlanOfficer> {
    let mut g = OfficerGen {
        r,
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
    for i in 0..STATIONS.len() {
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
    for i in 0..STATIONS.len() {
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
    for (i, st) in STATIONS.iter().enumerate() {
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

// ---------------------------------------------------------------------------
// Incident volume and mix
// ---------------------------------------------------------------------------

const LOCAL_OFFSET_HOURS: i64 = 8; // Asia/Shanghai, no DST

/// Relative call volume by local hour: quiet 3–6 am, peaks late morning and evening.
const HOURLY: [f64; 24] = [
    2.2, 1.5, 1.0, 0.6, 0.5, 0.6, 1.2, 2.4, 3.6, 4.6, 5.4, 5.6, 4.8, 4.3, 4.6, 4.8, 5.0, 5.3, 5.8,
    6.2, 6.4, 5.8, 4.6, 3.2,
];

/// Slight seasonality by month (Jan..Dec): more around Spring Festival and in summer.
const MONTHLY: [f64; 12] = [
    1.06, 1.08, 0.92, 0.95, 1.0, 1.03, 1.1, 1.1, 1.0, 1.02, 0.95, 1.0,
];

/// Hourly weights for a weekday (0 = Monday): Friday and Saturday evenings are
/// busier, and so are the small hours of Saturday and Sunday.
fn hourly_for(weekday: usize) -> [f64; 24] {
    let mut w = HOURLY;
    for (h, x) in w.iter_mut().enumerate() {
        if (weekday == 4 || weekday == 5) && h >= 18 {
            *x *= 1.35;
        }
        if (weekday == 5 || weekday == 6) && h <= 2 {
            *x *= 1.5;
        }
        if weekday >= 5 && (9..=17).contains(&h) {
            *x *= 1.05;
        }
    }
    w
}

/// Share of each top-level category, in percent.
fn root_share(root: &str) -> f64 {
    match root {
        "dispute" => 22.0,
        "assistance" => 19.0,
        "public_order" => 17.0,
        "criminal" => 15.0,
        "traffic" => 12.0,
        "other" => 7.0,
        "lost_missing" => 6.5,
        "fire" => 1.5,
        _ => 2.0,
    }
}

/// Relative weight of a sub-category within its parent (unknown codes: 1.0).
fn leaf_weight(code: &str) -> f64 {
    match code {
        "criminal.theft" => 3.0,
        "criminal.burglary" => 1.2,
        "criminal.vehicle_theft" => 2.2,
        "criminal.fraud" => 3.5,
        "criminal.robbery" => 0.4,
        "criminal.injury" => 0.8,
        "criminal.damage" => 0.7,
        "criminal.other" => 0.6,
        "public_order.fight" => 3.0,
        "public_order.disturbance" => 1.2,
        "public_order.noise" => 2.0,
        "public_order.gambling" => 0.8,
        "public_order.drunk" => 1.5,
        "public_order.other" => 0.8,
        "traffic.accident_property" => 5.0,
        "traffic.accident_injury" => 1.5,
        "traffic.hit_and_run" => 0.6,
        "traffic.illegal_parking" => 2.0,
        "traffic.drunk_driving" => 0.5,
        "traffic.other" => 0.5,
        "dispute.neighbour" => 3.0,
        "dispute.family" => 3.0,
        "dispute.labour" => 1.5,
        "dispute.consumer" => 2.0,
        "dispute.debt" => 1.2,
        "dispute.land" => 0.8,
        "assistance.locked_out" => 2.0,
        "assistance.medical" => 1.5,
        "assistance.animal" => 0.8,
        "assistance.facility" => 0.8,
        "assistance.other" => 1.2,
        "lost_missing.lost_item" => 3.0,
        "lost_missing.found_item" => 1.5,
        "lost_missing.missing_child" => 0.8,
        "fire.vehicle" => 0.6,
        "fire.wildland" => 0.4,
        "fire.outdoor_burning" => 1.2,
        "fire.other" => 0.4,
        "other.consultation" => 3.0,
        "other.misdial" => 1.5,
        "other.harassing_call" => 0.6,
        "other.non_police" => 2.0,
        _ => 1.0,
    }
}

/// Time-of-day bucket: 0 night (22–5), 1 day (6–17), 2 evening (18–21).
fn hour_bucket(h: u32) -> usize {
    match h {
        6..=17 => 1,
        18..=21 => 2,
        _ => 0,
    }
}

/// Multiplier of a sub-category's weight by time of day, season and station class.
fn mix_factor(code: &str, bucket: usize, dry_season: bool, class: u8) -> f64 {
    let time = match (bucket, code) {
        (0, "public_order.fight" | "public_order.drunk" | "public_order.noise") => 2.0,
        (0, "public_order.disturbance") => 1.6,
        (0, "traffic.drunk_driving" | "assistance.drunk_person") => 3.0,
        (0, "criminal.burglary") => 1.5,
        (0, "assistance.locked_out") => 1.3,
        (0, "other.consultation" | "dispute.labour" | "traffic.congestion") => 0.3,
        (0, "dispute.consumer") => 0.5,
        (0, c) if c.starts_with("lost_missing.") => 0.5,
        (1, "traffic.congestion") => 1.5,
        (1, "dispute.labour" | "other.consultation") => 1.3,
        (1, "public_order.noise" | "public_order.drunk") => 0.4,
        (1, "public_order.fight") => 0.7,
        (1, "traffic.drunk_driving" | "assistance.drunk_person") => 0.2,
        (2, "public_order.fight" | "public_order.drunk" | "dispute.family") => 1.3,
        (2, "traffic.drunk_driving") => 1.5,
        _ => 1.0,
    };
    let season = match (dry_season, code) {
        (true, "fire.wildland") => 2.5,
        (true, "fire.outdoor_burning") => 2.0,
        (true, "fire.building") => 1.3,
        (true, "dispute.labour") => 1.3,
        (false, "fire.wildland") => 0.4,
        (false, "fire.outdoor_burning") => 0.6,
        _ => 1.0,
    };
    let place = match (class, code) {
        (2, "dispute.land") => 3.0,
        (2, "fire.wildland") => 2.5,
        (2, "fire.outdoor_burning") => 2.0,
        (2, "public_order.gambling") => 1.5,
        (2, "dispute.property_mgmt") => 0.3,
        (2, "public_order.noise" | "criminal.fraud") => 0.7,
        (2, "traffic.congestion") => 0.5,
        (1, "dispute.land" | "fire.wildland") => 0.3,
        _ => 1.0,
    };
    time * season * place
}

/// November to April: dry season, fields are burnt, hills catch fire.
fn is_dry_month(month: u32) -> bool {
    !(5..=10).contains(&month)
}

// ---------------------------------------------------------------------------
// Places and narratives
// ---------------------------------------------------------------------------

const COLOURS: &[&str] = &["黑色", "白色", "红色", "蓝色", "灰色", "银色", "绿色"];
const EBIKES: &[&str] = &["雅迪", "爱玛", "台铃", "新日", "绿源", "小牛"];
const CARS: &[&str] = &[
    "大众",
    "丰田",
    "比亚迪",
    "吉利",
    "长安",
    "五菱",
    "本田",
    "哈弗",
    "别克",
];
const MOTOS: &[&str] = &["豪爵", "宗申", "力帆", "嘉陵", "钱江"];
const PHONES: &[&str] = &["华为", "小米", "OPPO", "vivo", "苹果", "荣耀"];
const SHOPS: &[&str] = &[
    "鑫源超市",
    "好邻居便利店",
    "顺发五金店",
    "天天水果店",
    "家和大药房",
    "丽人美发店",
    "金鼎KTV",
    "星辰网吧",
    "明珠茶楼",
    "兴旺建材店",
    "惠民粮油店",
    "阳光手机店",
    "诚信烟酒店",
    "万家福超市",
];
const EATERIES: &[&str] = &[
    "老王烧烤店",
    "蜀香饭店",
    "老街火锅店",
    "福满楼酒楼",
    "好味道小吃店",
    "江湖大排档",
    "兄弟串串香",
];
const PUBLIC_SPOTS: &[&str] = &[
    "菜市场",
    "广场",
    "公交站台",
    "农贸市场",
    "步行街",
    "汽车站",
    "医院门口",
    "超市门口",
];
const VEHICLES: &[&str] = &[
    "白色面包车",
    "小型货车",
    "电动三轮车",
    "出租车",
    "黑色SUV",
    "银色小型轿车",
    "两轮摩托车",
];
const FIGHT_CAUSES: &[&str] = &[
    "劝酒",
    "结账",
    "排队插队",
    "争抢停车位",
    "言语不和",
    "琐事",
    "开车别车",
];
const BODY_PARTS: &[&str] = &["面部", "头部", "手臂", "背部", "眼部"];
const WEAPONS: &[&str] = &["拳头", "木棍", "啤酒瓶", "板凳"];
const FAKE_RELATIONS: &[&str] = &["单位领导", "表哥", "老同学", "多年的朋友", "孩子的班主任"];
const PLATFORMS: &[&str] = &["某购物平台", "某快递公司", "某直播平台", "某银行"];
const PRETEXTS: &[&str] = &[
    "商品质量问题退款",
    "取消会员自动扣费",
    "快递丢失理赔",
    "注销“校园贷”账户",
    "提高信用卡额度",
];
const SECOND_HAND: &[&str] = &["二手手机", "游戏账号", "演唱会门票", "二手电动车", "名牌包"];
const SHOP_GOODS: &[&str] = &["香烟", "白酒", "手机配件", "五金工具", "服装", "电动车电瓶"];
const NEIGHBOUR_CAUSES: &[&str] = &[
    "楼上漏水",
    "楼道堆放杂物",
    "占用停车位",
    "饲养宠物",
    "装修噪声",
    "空调外机滴水",
    "下水管道堵塞",
];
const FAMILY_MEMBERS: &[&str] = &[
    "丈夫", "妻子", "儿子", "儿媳", "女婿", "父亲", "母亲", "婆婆",
];
const FAMILY_CAUSES: &[&str] = &[
    "家庭琐事",
    "孩子教育问题",
    "赡养老人",
    "家庭开支",
    "饮酒问题",
    "离婚财产分割",
];
const ELDERS: &[&str] = &["母亲", "父亲", "奶奶", "爷爷", "外婆", "外公"];
const ADULT_RELATIVES: &[&str] = &["儿子", "女儿", "丈夫", "妻子", "弟弟", "哥哥"];
const LAND_CAUSES: &[&str] = &[
    "土地边界",
    "山林权属",
    "灌溉用水",
    "宅基地界址",
    "承包地流转",
];
const LOST_ITEMS: &[&str] = &[
    "手机一部",
    "钱包一个",
    "黑色双肩包一个",
    "行李箱一个",
    "金手镯一只",
    "笔记本电脑一台",
    "一串钥匙",
];
const FOUND_ITEMS: &[&str] = &[
    "钱包一个",
    "身份证一张",
    "手提包一个",
    "银行卡一张",
    "一串钥匙",
    "手机一部",
];
const SERVICES: &[&str] = &[
    "户口迁移",
    "身份证补领",
    "居住证",
    "无犯罪记录证明",
    "户籍证明",
    "临时身份证",
];
const CN_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Where an incident happened, chosen from the station's area (and district).
struct Loc {
    road: &'static str,
    road2: &'static str,
    compound: &'static str,
    village: &'static str,
    rural: bool,
    num: u32,
    building: u32,
    entrance: u32,
    floor: u32,
    room: u32,
    group: u32,
}

fn pick_at(xs: &[&'static str], i: usize) -> &'static str {
    if xs.is_empty() {
        return "";
    }
    xs.get(i % xs.len()).copied().unwrap_or("")
}

fn locate(r: &mut Rng, st: &StationDef, district: Option<usize>) -> Loc {
    let (road, compound, village, rural) = match (st.class, district) {
        // Urban beat: mostly its own road and compound.
        (1, Some(d)) => {
            let road = if r.chance(0.7) {
                pick_at(st.roads, d)
            } else {
                r.pick(st.roads)
            };
            let compound = if r.chance(0.75) {
                pick_at(st.compounds, d)
            } else {
                r.pick(st.compounds)
            };
            (road, compound, r.pick(st.villages), false)
        }
        // Township centre.
        (_, Some(0)) => (
            r.pick(st.roads),
            r.pick(st.compounds),
            r.pick(st.villages),
            false,
        ),
        // Village beat.
        (_, Some(d)) => (
            r.pick(st.roads),
            r.pick(st.compounds),
            pick_at(st.villages, d - 1),
            true,
        ),
        // Outside any beat: the rural fringe.
        (_, None) => (
            r.pick(st.roads),
            r.pick(st.compounds),
            r.pick(st.villages),
            true,
        ),
    };
    let mut road2 = r.pick(st.roads);
    if road2 == road {
        road2 = pick_at(st.roads, r.below(st.roads.len()) + 1);
    }
    let floor = r.range(1, 18);
    Loc {
        road,
        road2,
        compound,
        village,
        rural,
        num: r.range(1, 320),
        building: r.range(1, 16),
        entrance: r.range(1, 4),
        floor,
        room: r.range(1, 4),
        group: r.range(1, 9),
    }
}

struct Ctx<'a> {
    st: &'a StationDef,
    loc: Loc,
    /// e.g. "晚上8时30分许"
    when: String,
}

impl Ctx<'_> {
    /// Home address: flat in a compound, or a village house.
    fn addr_home(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!(
                "{}{}{}组{}号",
                self.st.area,
                l.village,
                l.group,
                l.num % 60 + 1
            )
        } else {
            format!(
                "{}{}号{}{}栋{}单元{}0{}",
                l.road, l.num, l.compound, l.building, l.entrance, l.floor, l.room
            )
        }
    }

    /// The compound (or village) itself.
    fn addr_compound(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}组", self.st.area, l.village, l.group)
        } else {
            format!("{}{}号{}", l.road, l.num, l.compound)
        }
    }

    fn addr_road(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}组附近", self.st.area, l.village, l.group)
        } else {
            format!("{}{}号附近", l.road, l.num)
        }
    }

    fn addr_crossing(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}路段", self.st.area, l.road, l.village)
        } else {
            format!("{}与{}交叉口", l.road, l.road2)
        }
    }

    fn addr_shop(&self, shop: &str) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}", self.st.area, l.village, shop)
        } else {
            format!("{}{}号{}", l.road, l.num, shop)
        }
    }

    /// A public place in the area, e.g. "人民路菜市场".
    fn spot(&self, r: &mut Rng) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}村委会附近", l.village)
        } else {
            format!("{}{}", l.road, r.pick(PUBLIC_SPOTS))
        }
    }

    /// Where someone lives, for narratives: compound or village.
    fn home_place(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}组", l.village, l.group)
        } else {
            l.compound.to_string()
        }
    }
}

/// "晚上8时30分许" for a local hour/minute, a little before the report.
fn when_phrase(r: &mut Rng, hour: u32, minute: u32) -> String {
    let lag = r.below(3) as u32;
    let h = hour.saturating_sub(lag);
    let (period, shown) = match h {
        0..=5 => ("凌晨", h),
        6..=8 => ("早上", h),
        9..=11 => ("上午", h),
        12 => ("中午", 12),
        13..=17 => ("下午", h - 12),
        _ => ("晚上", h - 12),
    };
    let m = if lag == 0 {
        minute / 10 * 10
    } else {
        r.range(0, 5) * 10
    };
    if m == 0 || r.chance(0.4) {
        format!("{period}{shown}时许")
    } else {
        format!("{period}{shown}时{m}分许")
    }
}

fn cn_small(n: u32) -> &'static str {
    CN_DIGITS.get(n as usize).copied().unwrap_or("几")
}

/// Narrative and address for one incident of sub-category `code`.
fn compose(r: &mut Rng, code: &str, name_zh: &str, c: &Ctx) -> (String, String) {
    let l = &c.loc;
    let when = c.when.as_str();
    match code {
        "criminal.theft" => match r.below(4) {
            0 => {
                let spot = c.spot(r);
                let doing = r.pick(&["买菜", "等公交", "购物", "排队缴费"]);
                let bag = r.pick(&["外套口袋", "挎包", "双肩包", "电动车前筐"]);
                let item = if r.chance(0.6) {
                    format!("{}手机一部", r.pick(PHONES))
                } else {
                    format!(
                        "钱包一个（内有现金约{}元及身份证）",
                        r.amount(200, 1500, 50)
                    )
                };
                (
                    format!(
                        "报警人称其{when}在{spot}{doing}时，放在{bag}里的{item}被盗，价值约{}元。",
                        r.amount(800, 6000, 100)
                    ),
                    c.addr_road(),
                )
            }
            1 => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称其经营的{shop}收银台抽屉内现金约{}元被盗，门锁无明显撬动痕迹，店内有监控。",
                        r.amount(300, 5000, 100)
                    ),
                    c.addr_shop(shop),
                )
            }
            2 => (
                format!(
                    "报警人称其晾晒在{}院内的衣物和放在门口的{}被人拿走，怀疑被盗，要求民警调取监控。",
                    c.home_place(),
                    r.pick(&["两箱白酒", "一袋大米", "快递包裹", "电动车充电器"])
                ),
                c.addr_compound(),
            ),
            _ => (
                format!(
                    "报警人称其{when}在{}工地存放的{}被盗，价值约{}元。",
                    l.road,
                    r.pick(&["电缆线约两百米", "钢管一批", "电焊机一台", "铝合金门窗材料"]),
                    r.amount(2000, 20000, 500)
                ),
                c.addr_road(),
            ),
        },
        "criminal.burglary" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其{when}回家发现房门被撬，卧室抽屉被翻动，丢失现金约{}元及金手镯一只。",
                    r.amount(1000, 12000, 100)
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称其家中窗户防盗网被破坏，{}被盗，具体损失正在清点。",
                    r.pick(&["笔记本电脑一台", "首饰若干", "现金及烟酒", "平板电脑一台"])
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称其{shop}夜间被人撬开卷帘门进入，丢失{}一批，价值约{}元。",
                        r.pick(SHOP_GOODS),
                        r.amount(2000, 30000, 500)
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.vehicle_theft" => match r.below(4) {
            0 => (
                format!(
                    "报警人称其停放在{}楼下的电动自行车被盗，车辆为{}{}牌，价值约{}元。",
                    c.home_place(),
                    r.pick(COLOURS),
                    r.pick(EBIKES),
                    r.amount(1500, 4500, 100)
                ),
                c.addr_compound(),
            ),
            1 => (
                format!(
                    "报警人称其放在{}车棚内的电动车电瓶被盗，损失约{}元。",
                    c.home_place(),
                    r.amount(400, 1500, 50)
                ),
                c.addr_compound(),
            ),
            2 => (
                format!(
                    "报警人称其停放在{}路边的{}{}牌两轮摩托车被盗，车辆购买于{}年，价值约{}元。",
                    l.road,
                    r.pick(COLOURS),
                    r.pick(MOTOS),
                    r.range(2016, 2024),
                    r.amount(3000, 9000, 100)
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其{when}发现停放在{}路边的{}{}牌小型轿车不见了，已向停车场及交警核实车辆未被拖移。",
                    l.road,
                    r.pick(COLOURS),
                    r.pick(CARS)
                ),
                c.addr_road(),
            ),
        },
        "criminal.fraud" => {
            let text = match r.below(6) {
                0 => format!(
                    "报警人称其{when}接到自称“{}客服”的电话，对方以{}为由诱导其下载会议软件并开启屏幕共享，随后其按要求转账，共被骗{}元。",
                    r.pick(PLATFORMS),
                    r.pick(PRETEXTS),
                    r.amount(2000, 60000, 100)
                ),
                1 => format!(
                    "报警人称其在网上看到“刷单返利”兼职广告，按对方要求垫付{}单后无法提现，共损失{}元。",
                    r.range(3, 12),
                    r.amount(1000, 40000, 100)
                ),
                2 => format!(
                    "报警人称其被人拉入一个“投资理财”群，在对方推荐的APP内充值{}元后无法提现，对方已失联。",
                    r.amount(10000, 180000, 1000)
                ),
                3 => format!(
                    "报警人称有人冒充其{}添加其微信，以急需用钱为由让其转账{}元，后经电话核实发现被骗。",
                    r.pick(FAKE_RELATIONS),
                    r.amount(3000, 50000, 1000)
                ),
                4 => format!(
                    "报警人称其在二手交易平台购买{}，私下转账付款{}元后对方不发货并将其拉黑。",
                    r.pick(SECOND_HAND),
                    r.amount(200, 6000, 50)
                ),
                _ => format!(
                    "报警人称其接到自称“公安机关”工作人员的电话，称其涉嫌洗钱需要进行“资金核查”，其按对方要求向“安全账户”转账{}元。",
                    r.amount(20000, 200000, 1000)
                ),
            };
            let text = if r.chance(0.4) {
                format!(
                    "{text}{}",
                    r.pick(&[
                        "报警人已保留转账记录和聊天截图。",
                        "报警人称对方账号已将其拉黑。",
                        "报警人已联系银行，请求协助止付。",
                    ])
                )
            } else {
                text
            };
            (text, c.addr_home())
        }
        "criminal.robbery" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{when}步行至{}附近时，被一名骑摩托车的男子抢走挎包，包内有手机一部及现金约{}元，嫌疑人往{}方向逃离。",
                    l.road,
                    r.amount(200, 3000, 100),
                    l.road2
                ),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{when}在{spot}附近被两名男子拦住，对方持刀索要财物，抢走现金{}元后逃离，报警人未受伤。",
                        r.amount(100, 2000, 50)
                    ),
                    c.addr_road(),
                )
            }
        },
        "criminal.injury" => match r.below(2) {
            0 => {
                let eat = r.pick(EATERIES);
                (
                    format!(
                        "报警人称其{when}在{eat}与他人因{}发生冲突，被对方用{}打伤{}，现已到{COUNTY}人民医院治疗。",
                        r.pick(FIGHT_CAUSES),
                        r.pick(WEAPONS),
                        r.pick(BODY_PARTS)
                    ),
                    c.addr_shop(eat),
                )
            }
            _ => {
                let shop = r.pick(&["金鼎KTV", "星辰网吧", "明珠茶楼", "江湖大排档"]);
                (
                    format!(
                        "报警人称其朋友在{shop}内被人用啤酒瓶砸伤头部，流血较多，已拨打120，打人者仍在现场。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.damage" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其停放在{}的小型轿车车身被人用利器划伤多处，怀疑系人为故意损坏，修复费用约{}元。",
                    c.home_place(),
                    r.amount(1500, 8000, 100)
                ),
                c.addr_compound(),
            ),
            _ => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称其经营的{shop}的玻璃门{when}被人用石头砸碎，嫌疑人已离开，店内监控有记录。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.other" => match r.below(2) {
            0 => (
                "报警人称其身份信息被人冒用办理了银行卡，担心被用于违法犯罪活动，请求民警处理。"
                    .to_string(),
                c.addr_home(),
            ),
            _ => (
                "报警人称其近日多次收到威胁短信，对方扬言要对其家人不利，请求民警处理。"
                    .to_string(),
                c.addr_home(),
            ),
        },
        "public_order.fight" => match r.below(3) {
            0 => {
                let eat = r.pick(EATERIES);
                (
                    format!(
                        "报警人称{when}在{eat}有{}名男子因{}发生打架，现场有人受轻伤，请求出警。",
                        cn_small(r.range(2, 6)),
                        r.pick(FIGHT_CAUSES)
                    ),
                    c.addr_shop(eat),
                )
            }
            1 => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称{}{shop}门口有人打架，双方约{}人，情绪激动。",
                        l.road,
                        r.range(3, 8)
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}与他人因{}发生口角后互殴，双方均有轻微擦伤。",
                        r.pick(FIGHT_CAUSES)
                    ),
                    c.addr_road(),
                )
            }
        },
        "public_order.disturbance" => match r.below(2) {
            0 => {
                let shop = r.pick(SHOPS);
                (
                    format!("报警人称有一男子在{shop}内无故辱骂店员并摔砸物品，影响正常营业。"),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称有几名青年在{spot}拦住路人强行索要香烟，并辱骂路人。"),
                    c.addr_road(),
                )
            }
        },
        "public_order.noise" => match r.below(4) {
            0 => (
                format!(
                    "报警人称{}{}栋楼上住户{when}仍在大声播放音乐，严重影响休息，多次沟通无果。",
                    c.home_place(),
                    l.building
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称{}附近广场舞音响声音过大，影响周边居民休息。",
                    l.road
                ),
                c.addr_road(),
            ),
            2 => (
                format!(
                    "报警人称{}附近工地夜间施工，噪声扰民，要求民警处理。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => {
                let eat = r.pick(EATERIES);
                (
                    format!("报警人称楼下{eat}夜间经营噪声较大，顾客喧哗至凌晨。"),
                    c.addr_shop(eat),
                )
            }
        },
        "public_order.gambling" => match r.below(2) {
            0 => (
                format!(
                    "报警人举报{}一民房内有人聚众赌博，约{}人，使用扑克牌赌“炸金花”。",
                    c.home_place(),
                    r.range(5, 15)
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(&["明珠茶楼", "兴隆棋牌室", "悠闲茶馆"]);
                (
                    format!(
                        "报警人称其丈夫近期在{shop}参与赌博，已输掉{}元，请求民警查处。",
                        r.amount(5000, 60000, 1000)
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "public_order.drunk" => match r.below(2) {
            0 => {
                let eat = r.pick(EATERIES);
                (
                    format!("报警人称一名醉酒男子在{eat}门口大声吵闹，踢打停放的车辆，劝阻无效。"),
                    c.addr_shop(eat),
                )
            }
            _ => (
                format!(
                    "报警人称{}门口有醉酒人员与保安发生争执，情绪激动。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "public_order.harassment" => match r.below(3) {
            0 => (
                "报警人称其近期多次收到陌生号码发来的骚扰短信，内容含有侮辱性语言，影响正常生活。"
                    .to_string(),
                c.addr_home(),
            ),
            1 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{when}在{spot}附近被一男子尾随并言语骚扰，现已到附近商店躲避。"
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                "报警人称有人在其家门口张贴侮辱性字报，怀疑系与其有矛盾的人所为。".to_string(),
                c.addr_home(),
            ),
        },
        "public_order.other" => match r.below(3) {
            0 => (
                format!(
                    "报警人称{}附近有人摆摊销售疑似管制刀具，请求民警核查。",
                    l.road
                ),
                c.addr_road(),
            ),
            1 => (
                format!(
                    "报警人称{}有住户从楼上私拉电线给电动车充电，存在安全隐患，物业劝阻无效。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称{spot}有无人机在人群上方低空飞行，担心存在安全隐患。"),
                    c.addr_road(),
                )
            }
        },
        "traffic.accident_property" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其驾驶的{}{}牌小型轿车在{}与一辆{}发生刮擦，无人员受伤，双方对责任有争议。",
                    r.pick(COLOURS),
                    r.pick(CARS),
                    l.road,
                    r.pick(VEHICLES)
                ),
                c.addr_road(),
            ),
            1 => (
                format!(
                    "报警人称其在{}停车场倒车时与他人车辆发生碰撞，车辆轻微受损，需民警到场认定。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                "报警人称两车追尾，无人员受伤，车辆占用车道影响通行。".to_string(),
                c.addr_crossing(),
            ),
        },
        "traffic.accident_injury" => match r.below(2) {
            0 => (
                format!(
                    "报警人称一辆电动自行车与一辆{}相撞，电动车驾驶人腿部受伤，已拨打120。",
                    r.pick(VEHICLES)
                ),
                c.addr_crossing(),
            ),
            _ => (
                format!(
                    "报警人称其{when}骑电动车行至{}时被一辆{}撞倒，手臂擦伤，请求处理。",
                    l.road,
                    r.pick(VEHICLES)
                ),
                c.addr_road(),
            ),
        },
        "traffic.hit_and_run" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其停放在{}路边的车辆被撞，肇事车辆已驶离现场，车尾保险杠受损。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其{when}在{}骑车时被一辆{}面包车刮倒，对方未停车，往{}方向驶离，报警人轻微受伤。",
                    l.road,
                    r.pick(COLOURS),
                    l.road2
                ),
                c.addr_road(),
            ),
        },
        "traffic.congestion" => match r.below(2) {
            0 => (
                "报警人称路口信号灯故障，车辆拥堵严重，请求民警疏导。".to_string(),
                c.addr_crossing(),
            ),
            _ => (
                format!("报警人称{}放学时段门口车辆乱停，道路堵塞。", c.st.school),
                format!("{}{}", c.st.area, c.st.school),
            ),
        },
        "traffic.illegal_parking" => match r.below(2) {
            0 => (
                format!(
                    "报警人称一辆{}小型轿车停在{}消防通道上，堵住其车辆无法驶出，联系不上车主。",
                    r.pick(COLOURS),
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                format!(
                    "报警人称其车库门口被一辆{}堵住，车上未留挪车电话。",
                    r.pick(VEHICLES)
                ),
                c.addr_home(),
            ),
        },
        "traffic.drunk_driving" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}有一辆{}轿车行驶时左右摇摆，驾驶人疑似酒后驾车，车辆往{}方向行驶。",
                    l.road,
                    r.pick(COLOURS),
                    l.road2
                ),
                c.addr_road(),
            ),
            _ => {
                let eat = r.pick(EATERIES);
                (
                    format!("报警人称看到一名男子在{eat}喝酒后驾车离开，请求民警查处。"),
                    c.addr_shop(eat),
                )
            }
        },
        "traffic.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}路面有大量散落的砂石，影响车辆通行，存在安全隐患。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                "报警人称一辆货车抛锚占道，未设置警示标志，夜间存在安全隐患。".to_string(),
                c.addr_road(),
            ),
        },
        "dispute.neighbour" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其与楼下邻居因{}发生纠纷，双方争吵激烈，请求民警调解。",
                    r.pick(NEIGHBOUR_CAUSES)
                ),
                c.addr_home(),
            ),
            1 if l.rural => (
                "报警人称邻居在两家交界处砌墙，占用其部分宅基地，双方多次协商未果。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "报警人称邻居家的狗经常在其门口便溺，沟通时对方态度恶劣，双方发生口角。"
                    .to_string(),
                c.addr_home(),
            ),
        },
        "dispute.family" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其与{}因{}发生争吵，对方情绪激动并摔砸家中物品。",
                    r.pick(FAMILY_MEMBERS),
                    r.pick(FAMILY_CAUSES)
                ),
                c.addr_home(),
            ),
            1 => (
                "报警人称其兄弟姐妹因老人房产分配问题发生争执，现场情绪激动，请求民警调解。"
                    .to_string(),
                c.addr_home(),
            ),
            _ => (
                format!("报警人称其丈夫{when}酒后与其发生争吵并推搡，请求民警到场处理。"),
                c.addr_home(),
            ),
        },
        "dispute.labour" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其在{}某工地务工，包工头拖欠其及工友共{}人工资约{}元，多次讨要无果。",
                    l.road,
                    r.range(3, 20),
                    r.amount(8000, 150000, 1000)
                ),
                c.addr_road(),
            ),
            1 => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称其在{shop}工作{}个月，离职时老板拒绝结算工资{}元。",
                        r.range(2, 14),
                        r.amount(2000, 12000, 100)
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => (
                format!(
                    "报警人称约{}名工人聚集在{}一家企业门口讨要工资，情绪较激动。",
                    r.range(10, 40),
                    l.road
                ),
                c.addr_road(),
            ),
        },
        "dispute.consumer" => match r.below(3) {
            0 => {
                let shop = r.pick(SHOPS);
                (
                    format!("报警人称其在{shop}消费后发现结算价格与标价不符，与店家发生争执。"),
                    c.addr_shop(shop),
                )
            }
            1 => {
                let shop = r.pick(&["阳光手机店", "兴旺建材店", "顺发五金店"]);
                (
                    format!(
                        "报警人称其在{shop}购买的商品存在质量问题，商家拒绝退换，双方发生争执。"
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let eat = r.pick(EATERIES);
                (
                    format!("报警人称其在{eat}就餐后认为收费过高，与店主发生纠纷。"),
                    c.addr_shop(eat),
                )
            }
        },
        "dispute.debt" => match r.below(2) {
            0 => (
                format!(
                    "报警人称他人欠其借款{}元，到期后拒不归还，今日上门讨要时双方发生争执。",
                    r.amount(5000, 100000, 1000)
                ),
                c.addr_home(),
            ),
            _ => (
                "报警人称有人到其家中讨债，在门口吵闹不肯离开，报警人称欠款已经还清。".to_string(),
                c.addr_home(),
            ),
        },
        "dispute.property_mgmt" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}物业以其拖欠物业费为由限制其车辆进入小区，双方发生争执。",
                    l.compound
                ),
                format!("{}{}号{}", l.road, l.num, l.compound),
            ),
            _ => (
                format!(
                    "报警人称{}电梯长期故障未修，多名业主聚集在物业办公室与物业人员发生争执。",
                    l.compound
                ),
                format!("{}{}号{}", l.road, l.num, l.compound),
            ),
        },
        "dispute.land" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其与同组村民因{}发生纠纷，对方在其承包地内强行施工。",
                    r.pick(LAND_CAUSES)
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
            _ => (
                format!(
                    "报警人称{}{}组有村民因{}问题发生争吵，双方各有数人在场。",
                    l.village,
                    l.group,
                    r.pick(LAND_CAUSES)
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
        },
        "dispute.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其与房东因退还押金{}元问题发生纠纷，请求民警调解。",
                    r.amount(500, 5000, 100)
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(SHOPS);
                (
                    format!(
                        "报警人称其与合伙人因{shop}经营账目问题发生争执，对方将店铺上锁不让其进入。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "assistance.locked_out" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其{when}出门忘带钥匙被锁在门外，家中有{}岁孩子独自在家，请求帮助。",
                    r.range(3, 8)
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称其将钥匙锁在车内，车辆停放在{}路边，请求帮助。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其年迈的{}独自在家，敲门长时间无人应答，担心发生意外，请求民警协助开门查看。",
                    r.pick(ELDERS)
                ),
                c.addr_home(),
            ),
        },
        "assistance.medical" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称{spot}有一名老人突然晕倒，意识不清，已拨打120，请求民警到场协助。"
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称其家人在家中突发疾病，救护车被堵在{}门口无法进入，请求协助疏通道路。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.stranded" => match r.below(3) {
            0 if !l.rural => {
                let f = l.floor.max(2);
                (
                    format!(
                        "报警人称其被困在{}{}栋电梯内，电梯停在{}楼与{}楼之间，物业电话无人接听。",
                        l.compound,
                        l.building,
                        f - 1,
                        f
                    ),
                    format!("{}{}号{}{}栋", l.road, l.num, l.compound, l.building),
                )
            }
            1 => (
                format!(
                    "报警人称其一行{}人在{}游玩时迷路，天色已晚，手机电量不足，请求救助。",
                    r.range(2, 5),
                    c.st.landmark
                ),
                format!("{}{}", c.st.area, c.st.landmark),
            ),
            _ => (
                format!(
                    "报警人称一名儿童的手被卡在{}健身器材内无法取出，请求帮助。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.animal" => match r.below(2) {
            0 => (
                format!(
                    "报警人称有一条流浪狗在{}内追咬行人，已有一人被咬伤。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                "报警人称家中进入一条蛇，家人不敢靠近，请求帮助处理。".to_string(),
                c.addr_home(),
            ),
        },
        "assistance.facility" => match r.below(3) {
            0 => (
                format!("报警人称{}{}号附近井盖缺失，存在安全隐患。", l.road, l.num),
                c.addr_road(),
            ),
            1 => (
                format!("报警人称{}路边一棵大树因大风倒伏，压住部分路面。", l.road),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称{}附近一根电线杆倾斜，电线垂落至地面。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.drunk_person" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人称{spot}有一名男子醉倒在路边，呼叫无反应，担心其安全。"),
                    c.addr_road(),
                )
            }
            _ => {
                let eat = r.pick(EATERIES);
                (
                    format!(
                        "报警人称其朋友醉酒后在{eat}不肯离开，无法联系其家人，请求帮助送其回家。"
                    ),
                    c.addr_shop(eat),
                )
            }
        },
        "assistance.other" => match r.below(3) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人称其在{spot}手机没电且身无分文，无法回家，请求民警帮助。"),
                    c.addr_road(),
                )
            }
            1 => (
                format!(
                    "报警人称其{}长时间未接电话，担心其在家出事，请求民警上门查看。",
                    r.pick(ELDERS)
                ),
                c.addr_home(),
            ),
            _ => (
                format!(
                    "报警人称其车辆{when}在{}爆胎，无法自行处理，请求帮助。",
                    l.road
                ),
                c.addr_road(),
            ),
        },
        "lost_missing.lost_item" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{when}乘坐出租车时将{}遗落在车上，未记下车牌号，请求帮助寻找。",
                    r.pick(LOST_ITEMS)
                ),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}附近遗失{}，请求帮助查找。",
                        r.pick(LOST_ITEMS)
                    ),
                    c.addr_road(),
                )
            }
        },
        "lost_missing.found_item" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}拾获{}，请求民警帮助寻找失主。",
                        r.pick(FOUND_ITEMS)
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称在{}公交站台捡到一部{}手机，愿意将手机送至派出所。",
                    l.road,
                    r.pick(PHONES)
                ),
                c.addr_road(),
            ),
        },
        "lost_missing.missing_person" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{}岁的{}{when}独自外出后未回家，老人有轻度认知障碍，走失时身穿{}外套。",
                    r.range(68, 88),
                    r.pick(ELDERS),
                    r.pick(COLOURS)
                ),
                c.addr_home(),
            ),
            _ => (
                format!(
                    "报警人称其{}{}离家外出后至今未归，手机关机，家人多方寻找未果。",
                    r.pick(ADULT_RELATIVES),
                    r.pick(&["昨天晚上", "前天上午", "昨天中午", "今天早上"])
                ),
                c.addr_home(),
            ),
        },
        "lost_missing.missing_child" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{}岁的孩子在{spot}玩耍时走失，孩子身穿{}上衣，已寻找约半小时未果。",
                        r.range(3, 9),
                        r.pick(COLOURS)
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称其孩子放学后未按时回家，同学称其在{}门口独自离开，电话手表联系不上。",
                    c.st.school
                ),
                format!("{}{}", c.st.area, c.st.school),
            ),
        },
        "lost_missing.lost_documents" => match r.below(2) {
            0 => (
                "报警人称其钱包遗失，内有身份证、驾驶证及银行卡，担心被他人冒用，请求登记。"
                    .to_string(),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称其在{spot}附近遗失身份证，询问如何办理挂失和补领。"),
                    c.addr_road(),
                )
            }
        },
        "fire.building" => match r.below(2) {
            0 if !l.rural => (
                format!(
                    "报警人称{}{}栋{}楼一住户家中冒出浓烟，疑似厨房起火。",
                    l.compound, l.building, l.floor
                ),
                format!("{}{}号{}{}栋", l.road, l.num, l.compound, l.building),
            ),
            _ => {
                let shop = r.pick(SHOPS);
                (
                    format!("报警人称{shop}内起火，火势较大，店内人员已撤出。"),
                    c.addr_shop(shop),
                )
            }
        },
        "fire.vehicle" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}一辆小型轿车发动机舱冒烟起火，驾驶人已下车，无人员受伤。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称{}车棚内一辆电动车充电时起火，已波及旁边车辆。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "fire.wildland" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}后山发生山火，火势沿山坡蔓延，附近有民房。",
                    l.village
                ),
                format!("{}{}后山", c.st.area, l.village),
            ),
            _ => (
                format!(
                    "报警人称在{}半山腰看到明火和浓烟，请求处置。",
                    c.st.landmark
                ),
                format!("{}{}", c.st.area, c.st.landmark),
            ),
        },
        "fire.outdoor_burning" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}{}组有村民在田间焚烧秸秆，浓烟较大，影响道路视线。",
                    l.village, l.group
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
            _ => (
                format!("报警人称{}附近空地有人焚烧垃圾，烟雾飘入居民楼。", l.road),
                c.addr_road(),
            ),
        },
        "fire.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}路边垃圾桶起火，已被路人用水扑灭，请求到场查看。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!("报警人称{}楼道内电表箱冒烟，有焦糊味。", c.home_place()),
                c.addr_home(),
            ),
        },
        "other.consultation" => match r.below(2) {
            0 => (
                format!("报警人咨询办理{}需要准备哪些材料。", r.pick(SERVICES)),
                c.addr_home(),
            ),
            _ => (
                "报警人咨询电动自行车上牌的办理地点和时间。".to_string(),
                c.addr_home(),
            ),
        },
        "other.tip_off" => match r.below(3) {
            0 => (
                format!(
                    "报警人举报{}一出租屋内人员进出频繁，疑似从事传销活动。",
                    c.home_place()
                ),
                c.addr_home(),
            ),
            1 => (
                format!("报警人举报{}附近有人非法销售烟花爆竹。", l.road),
                c.addr_road(),
            ),
            _ => {
                let shop = r.pick(&["诚信烟酒店", "万家福超市", "好邻居便利店"]);
                (
                    format!("报警人举报{shop}向未成年人出售香烟和酒。"),
                    c.addr_shop(shop),
                )
            }
        },
        "other.misdial" => match r.below(2) {
            0 => (
                "来电系小孩玩手机误拨110，经回拨核实无警情。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "电话接通后无人说话，经回拨核实为误拨。".to_string(),
                c.addr_home(),
            ),
        },
        "other.harassing_call" => match r.below(2) {
            0 => (
                "来电人多次拨打110反映与警务无关的个人情绪问题，经耐心劝导后挂断。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "来电人拨通110后无故辱骂接警员，经核实为骚扰电话。".to_string(),
                c.addr_home(),
            ),
        },
        "other.non_police" => match r.below(3) {
            0 => (
                format!("报警人称{}停水已超过一天，请求帮助协调。", c.home_place()),
                c.addr_compound(),
            ),
            1 => (
                format!("报警人反映{}路灯大面积不亮，请求联系相关部门维修。", l.road),
                c.addr_road(),
            ),
            _ => (
                format!("报警人反映{}垃圾长期无人清运，气味难闻。", c.home_place()),
                c.addr_compound(),
            ),
        },
        "other.misc" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人反映{spot}有一只走失的宠物狗，请求帮助寻找主人。"),
                    c.addr_road(),
                )
            }
            _ => (
                "报警人称其快递包裹被他人误领，请求帮助协调。".to_string(),
                c.addr_home(),
            ),
        },
        // A sub-category this plan has no template for (e.g. from a replaced file).
        _ => {
            let spot = c.spot(r);
            (
                format!("报警人反映{when}在{spot}发生“{name_zh}”相关情况，请求民警到场处理。"),
                c.addr_road(),
            )
        }
    }
}

/// An optional second sentence that fits the sub-category.
fn closing(r: &mut Rng, code: &str, root: &str) -> Option<&'static str> {
    let options: &[&str] = match (code, root) {
        // These read complete on their own (or bring their own second sentence).
        (
            "criminal.fraud"
            | "criminal.other"
            | "public_order.harassment"
            | "public_order.gambling"
            | "lost_missing.found_item"
            | "lost_missing.missing_child"
            | "lost_missing.lost_documents",
            _,
        ) => &[],
        ("public_order.noise" | "public_order.other", _) => &["此前已多次反映，问题未解决。"],
        ("traffic.accident_property" | "traffic.accident_injury" | "traffic.congestion", _) => {
            &["现场车辆较多，通行缓慢。", "报警人在现场等候。"]
        }
        (_, "criminal") => &[
            "报警人目前在现场等候。",
            "现场附近有监控摄像头。",
            "报警人情绪较为激动。",
        ],
        (_, "public_order") => &["现场围观群众较多。", "报警人目前在现场等候。"],
        (_, "traffic") => &["报警人在现场等候。"],
        (_, "dispute") => &[
            "此前双方已多次发生类似纠纷。",
            "社区工作人员已到场劝解。",
            "双方情绪激动。",
        ],
        (_, "assistance") => &["报警人情绪焦急。"],
        (_, "lost_missing") => &[
            "报警人已在附近寻找未果。",
            "报警人留下联系电话，请求有消息及时告知。",
        ],
        (_, "fire") => &["已同时通知119。", "现场暂未发现人员被困。"],
        _ => &[],
    };
    if options.is_empty() || !r.chance(0.3) {
        return None;
    }
    Some(r.pick(options))
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

/// Builds the demo plan. Deterministic: the same arguments give the same plan.
///
/// Incidents fall in `(end - 365 days, end]`, are filed against leaf codes of
/// `categories` (none are planned if the tree has no leaves), and are sorted by
/// `reported_at`.
pub fn plan(
    seed: u64,
    end: DateTime<Utc>,
    incident_count: usize,
    categories: &CategoryTree,
) -> DemoPlan {
    let (bureau, units, districts) = units();
    let mut org_rng = Rng::new(seed ^ 0x6F72_675F_7374_7265); // "org_stre"
    let officers = officers(&mut org_rng);
    let mut inc_rng = Rng::new(seed.rotate_left(17) ^ 0x696E_6369_6465_6E74); // "incident"
    let incidents = incidents(&mut inc_rng, end, incident_count, categories);
    DemoPlan {
        bureau,
        units,
        districts,
        officers,
        incidents,
    }
}

fn incidents(
    r: &mut Rng,
    end: DateTime<Utc>,
    count: usize,
    categories: &CategoryTree,
) -> Vec<PlanIncident> {
    let leaves: Vec<(&Category, &str)> = categories
        .roots()
        .iter()
        .flat_map(|root| root.children.iter().map(move |c| (c, root.code.as_str())))
        .collect();
    if leaves.is_empty() || count == 0 {
        return Vec::new();
    }
    // Base weight of each leaf: the root's share split by the leaves' relative weights.
    let base: Vec<f64> = leaves
        .iter()
        .map(|(leaf, root)| {
            let siblings: f64 = categories
                .get(root)
                .map(|r| r.children.iter().map(|c| leaf_weight(&c.code)).sum())
                .unwrap_or(1.0);
            root_share(root) * leaf_weight(&leaf.code) / siblings.max(f64::MIN_POSITIVE)
        })
        .collect();
    // Category mix tables by (station class, time bucket, dry season).
    let mut mix: Vec<Weighted> = Vec::with_capacity(12);
    for class in [1u8, 2] {
        for bucket in 0..3 {
            for dry in [false, true] {
                mix.push(Weighted::new(leaves.iter().zip(&base).map(
                    |((leaf, _), b)| b * mix_factor(&leaf.code, bucket, dry, class),
                )));
            }
        }
    }
    let mix_index = |class: u8, bucket: usize, dry: bool| {
        usize::from(class == 2) * 6 + bucket * 2 + usize::from(dry)
    };

    let station_w = Weighted::new(STATIONS.iter().map(|s| s.weight));
    let district_w: Vec<Weighted> = STATIONS
        .iter()
        .map(|s| {
            Weighted::new((0..s.districts.len()).map(|d| {
                [1.6, 1.2, 1.0, 0.9, 0.8, 0.7]
                    .get(d)
                    .copied()
                    .unwrap_or(0.7)
            }))
        })
        .collect();

    // Days (local calendar) from `end`'s date back 365 days, weighted by month and weekday.
    let offset = TimeDelta::hours(LOCAL_OFFSET_HOURS);
    let start = end - TimeDelta::days(365);
    let end_date = (end.naive_utc() + offset).date();
    let hourly: Vec<[f64; 24]> = (0..7).map(hourly_for).collect();
    let hour_w: Vec<Weighted> = hourly
        .iter()
        .map(|h| Weighted::new(h.iter().copied()))
        .collect();
    let days: Vec<chrono::NaiveDate> = (0..=365u64)
        .filter_map(|k| end_date.checked_sub_days(Days::new(k)))
        .collect();
    let day_w = Weighted::new(days.iter().map(|d| {
        let month = MONTHLY.get(d.month0() as usize).copied().unwrap_or(1.0);
        let wd = d.weekday().num_days_from_monday() as usize;
        month * hourly.get(wd).map(|h| h.iter().sum::<f64>()).unwrap_or(1.0)
    }));

    let sample_time = |r: &mut Rng| -> (DateTime<Utc>, NaiveDateTime) {
        for _ in 0..32 {
            let Some(date) = days.get(day_w.sample(r)) else {
                continue;
            };
            let wd = date.weekday().num_days_from_monday() as usize;
            let Some(hw) = hour_w.get(wd) else { continue };
            let h = hw.sample(r) as u32;
            let Some(local) = date.and_hms_opt(h, r.below(60) as u32, r.below(60) as u32) else {
                continue;
            };
            let utc = Utc.from_utc_datetime(&(local - offset));
            if utc > start && utc <= end {
                return (utc, local);
            }
        }
        // Practically unreachable: a uniform instant in the window.
        let utc = end - TimeDelta::seconds(r.below(365 * 86_400) as i64);
        (utc, utc.naive_utc() + offset)
    };

    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let (reported_at, local) = sample_time(r);
        let si = station_w.sample(r);
        let Some(st) = STATIONS.get(si) else { continue };
        let district_index = if r.chance(0.04) {
            None
        } else {
            district_w.get(si).map(|w| w.sample(r))
        };
        let table = mix_index(
            st.class,
            hour_bucket(local.hour()),
            is_dry_month(local.month()),
        );
        let Some(&(leaf, root)) = mix.get(table).and_then(|w| leaves.get(w.sample(r))) else {
            continue;
        };
        let ctx = Ctx {
            st,
            loc: locate(r, st, district_index),
            when: when_phrase(r, local.hour(), local.minute()),
        };
        let (mut narrative, address) = compose(r, &leaf.code, &leaf.name_zh, &ctx);
        if let Some(extra) = closing(r, &leaf.code, root) {
            narrative.push_str(extra);
        }
        out.push(PlanIncident {
            station_key: station_key(si),
            district_index,
            reported_at,
            category: leaf.code.clone(),
            address,
            caller_name: person_name(r),
            caller_phone: mobile(r),
            narrative,
        });
    }
    out.sort_by_key(|i| i.reported_at);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Instant;

    use super::*;

    fn tree() -> CategoryTree {
        CategoryTree::builtin().expect("builtin categories")
    }

    fn end() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 30, 15, 59, 59)
            .single()
            .expect("valid end")
    }

    #[test]
    fn demo_plan_is_deterministic() {
        let t = tree();
        let a = plan(42, end(), 3000, &t);
        let b = plan(42, end(), 3000, &t);
        assert_eq!(a, b);
        let c = plan(43, end(), 3000, &t);
        assert_ne!(a.incidents, c.incidents);
        // The organisation does not depend on the incident count.
        let d = plan(42, end(), 10, &t);
        assert_eq!(a.officers, d.officers);
        assert_eq!(a.units, d.units);
    }

    #[test]
    fn demo_plan_org_counts() {
        let p = plan(7, end(), 0, &tree());
        assert_eq!(p.bureau.key, "bureau");
        assert_eq!(p.bureau.name, "青禾县公安局");
        let stations: Vec<&PlanUnit> = p.units.iter().filter(|u| u.kind == "station").collect();
        assert_eq!(stations.len(), 11);
        assert_eq!(
            stations
                .iter()
                .filter(|u| u.station_class == Some(1))
                .count(),
            6
        );
        for (i, s) in stations.iter().enumerate() {
            assert_eq!(s.key, format!("s{}", i + 1));
            assert_eq!(s.station_class, Some(if i < 6 { 1 } else { 2 }));
            let n = p
                .districts
                .iter()
                .filter(|d| d.station_key == s.key)
                .count();
            assert!((3..=6).contains(&n), "{} has {n} districts", s.key);
        }
        // Unique unit keys and codes; parents exist and come first.
        let mut seen = HashSet::new();
        seen.insert(p.bureau.key.as_str());
        let mut codes = HashSet::new();
        codes.insert(p.bureau.code.as_str());
        for u in &p.units {
            if let Some(parent) = &u.parent_key {
                assert!(seen.contains(parent.as_str()), "{} before parent", u.key);
            }
            assert!(seen.insert(&u.key), "duplicate unit {}", u.key);
            assert!(codes.insert(&u.code), "duplicate code {}", u.code);
        }
        for key in [
            "dept.criminal",
            "dept.criminal.team1",
            "dept.criminal.team3",
            "dept.public_order",
            "dept.patrol",
            "dept.legal",
            "dept.command",
            "street1",
            "street11",
            "procuratorate",
            "court",
        ] {
            assert!(seen.contains(key), "missing unit {key}");
        }
        let district_codes: HashSet<&str> = p.districts.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(district_codes.len(), p.districts.len());
    }

    #[test]
    fn demo_plan_officers() {
        let p = plan(7, end(), 0, &tree());
        let n = p.officers.len();
        assert!((180..=220).contains(&n), "{n} officers");
        let by_name: HashMap<&str, &PlanOfficer> = p
            .officers
            .iter()
            .map(|o| (o.username.as_str(), o))
            .collect();
        assert_eq!(by_name.len(), n, "usernames must be unique");
        let unit_keys: HashSet<&str> = p
            .units
            .iter()
            .map(|u| u.key.as_str())
            .chain([p.bureau.key.as_str()])
            .collect();
        let mut fixed: Vec<(String, &str, String)> = vec![
            ("admin".into(), "admin", "bureau".into()),
            ("command".into(), "command_centre", "dept.command".into()),
            ("leader".into(), "bureau_leader", "bureau".into()),
            ("legal".into(), "legal_reviewer", "dept.legal".into()),
            ("custodian".into(), "custodian", "bureau".into()),
            (
                "procuratorate".into(),
                "partner_justice",
                "procuratorate".into(),
            ),
            ("court".into(), "partner_justice", "court".into()),
        ];
        for k in 1..=11 {
            let s = format!("s{k}");
            fixed.push((format!("{s}.desk"), "desk_officer", s.clone()));
            fixed.push((format!("{s}.chief"), "station_chief", s.clone()));
            fixed.push((format!("{s}.community"), "community_officer", s.clone()));
            fixed.push((format!("{s}.investigator"), "case_officer", s.clone()));
            fixed.push((format!("street{k}"), "partner", format!("street{k}")));
        }
        for (user, role, unit) in &fixed {
            let o = by_name
                .get(user.as_str())
                .unwrap_or_else(|| panic!("missing demo account {user}"));
            assert_eq!(o.roles, vec![*role], "{user}");
            assert_eq!(&o.unit_key, unit, "{user}");
            assert!(!o.auxiliary, "{user}");
        }
        let generated: Vec<&PlanOfficer> = p
            .officers
            .iter()
            .filter(|o| o.username.contains(".o"))
            .collect();
        let aux = generated.iter().filter(|o| o.auxiliary).count();
        let share = aux as f64 / generated.len() as f64;
        assert!((0.15..=0.45).contains(&share), "auxiliary share {share}");
        let mut badges = HashSet::new();
        for o in &p.officers {
            assert!(unit_keys.contains(o.unit_key.as_str()), "{}", o.username);
            assert!(!o.display_name.is_empty());
            assert!(!o.roles.is_empty());
            match &o.badge_no {
                Some(b) => {
                    assert!(!o.auxiliary);
                    assert!(b.len() == 6 && b.bytes().all(|c| c.is_ascii_digit()), "{b}");
                    assert!(badges.insert(b.clone()), "duplicate badge {b}");
                }
                None => assert!(
                    o.auxiliary
                        || o.roles
                            .iter()
                            .any(|r| matches!(*r, "admin" | "partner" | "partner_justice")),
                    "{} lacks a badge",
                    o.username
                ),
            }
            if o.username.contains(".o") {
                assert!(o.username.starts_with(&format!("{}.o", o.unit_key)));
            }
        }
        assert!(by_name.contains_key("s3.o001"));
        assert!(by_name.contains_key("dept.criminal.team1.o001"));
    }

    fn is_mobile(p: &str) -> bool {
        let b = p.as_bytes();
        b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b.first() == Some(&b'1')
            && b.get(1).is_some_and(|d| (b'3'..=b'9').contains(d))
    }

    #[test]
    fn demo_plan_incidents() {
        let t = tree();
        let e = end();
        let started = Instant::now();
        let p = plan(2025, e, DEMO_INCIDENT_COUNT, &t);
        let took = started.elapsed();
        eprintln!(
            "planned {} incidents in {took:?} (debug build)",
            p.incidents.len()
        );
        assert_eq!(p.incidents.len(), DEMO_INCIDENT_COUNT);
        let start = e - TimeDelta::days(365);
        let station_keys: HashMap<&str, usize> = p
            .units
            .iter()
            .filter(|u| u.kind == "station")
            .map(|u| {
                let n = p
                    .districts
                    .iter()
                    .filter(|d| d.station_key == u.key)
                    .count();
                (u.key.as_str(), n)
            })
            .collect();
        for w in p.incidents.windows(2) {
            if let [a, b] = w {
                assert!(a.reported_at <= b.reported_at, "not sorted");
            }
        }
        let mut per_root: HashMap<&str, usize> = HashMap::new();
        let mut per_station: HashMap<&str, usize> = HashMap::new();
        let mut per_hour = [0usize; 24];
        let mut narratives = HashSet::new();
        for i in &p.incidents {
            assert!(t.is_leaf(&i.category), "{} is not a leaf", i.category);
            assert!(
                i.reported_at > start && i.reported_at <= e,
                "{}",
                i.reported_at
            );
            assert!(is_mobile(&i.caller_phone), "{}", i.caller_phone);
            let Some(&nd) = station_keys.get(i.station_key.as_str()) else {
                panic!("unknown station {}", i.station_key)
            };
            if let Some(d) = i.district_index {
                assert!(d < nd);
            }
            assert!(!i.address.is_empty() && !i.caller_name.is_empty());
            assert!(
                i.narrative.ends_with('。') && i.narrative.chars().count() >= 15,
                "{}",
                i.narrative
            );
            let root = t
                .root_of(&i.category)
                .map(|c| c.code.as_str())
                .unwrap_or("");
            *per_root.entry(root).or_default() += 1;
            *per_station.entry(i.station_key.as_str()).or_default() += 1;
            let h = (i.reported_at + TimeDelta::hours(8)).hour() as usize;
            if let Some(x) = per_hour.get_mut(h) {
                *x += 1;
            }
            narratives.insert(i.narrative.as_str());
        }
        // Varied narratives.
        assert!(
            narratives.len() > DEMO_INCIDENT_COUNT / 2,
            "{}",
            narratives.len()
        );
        // Category mix.
        let share = |root: &str| per_root.get(root).copied().unwrap_or(0) as f64 / 20_000.0;
        assert!(
            (0.11..=0.19).contains(&share("criminal")),
            "{}",
            share("criminal")
        );
        assert!(share("fire") < 0.04 && share("fire") > 0.0);
        assert!(share("dispute") > share("fire") * 5.0);
        assert!(share("assistance") > share("lost_missing"));
        // Daily rhythm: evening beats the small hours by far.
        assert!(per_hour[20] > 4 * per_hour[4], "{per_hour:?}");
        assert!(per_hour[10] > 3 * per_hour[4], "{per_hour:?}");
        // Class 1 stations are busier on average.
        let avg = |class: u8| {
            let keys: Vec<&str> = p
                .units
                .iter()
                .filter(|u| u.station_class == Some(class))
                .map(|u| u.key.as_str())
                .collect();
            let total: usize = keys
                .iter()
                .map(|k| per_station.get(k).copied().unwrap_or(0))
                .sum();
            total as f64 / keys.len() as f64
        };
        assert!(avg(1) > 1.5 * avg(2), "{} vs {}", avg(1), avg(2));
        // Every station has incidents.
        assert_eq!(per_station.len(), 11);
    }

    #[test]
    fn demo_plan_weekly_rhythm() {
        let p = plan(9, end(), DEMO_INCIDENT_COUNT, &tree());
        let mut evening = [0usize; 7];
        for i in &p.incidents {
            let local = i.reported_at + TimeDelta::hours(8);
            if local.hour() >= 18 {
                let wd = local.weekday().num_days_from_monday() as usize;
                if let Some(x) = evening.get_mut(wd) {
                    *x += 1;
                }
            }
        }
        // Friday and Saturday evenings beat Tuesday and Wednesday evenings.
        assert!(
            evening[4] + evening[5] > evening[1] + evening[2],
            "{evening:?}"
        );
    }

    #[test]
    fn demo_plan_unknown_categories_still_work() {
        let t = CategoryTree::parse(
            "[[category]]\ncode = \"misc\"\nname_zh = \"杂项\"\nname_en = \"Misc\"\n\
             [[category.children]]\ncode = \"misc.thing\"\nname_zh = \"某事\"\nname_en = \"Thing\"\n",
        )
        .expect("tree");
        let p = plan(1, end(), 200, &t);
        assert_eq!(p.incidents.len(), 200);
        assert!(p.incidents.iter().all(|i| i.category == "misc.thing"));
        assert!(p.incidents.iter().all(|i| i.narrative.contains("某事")));
    }

    #[test]
    fn demo_plan_sample_narratives_read_well() {
        // Not an assertion of taste, just a smoke check and something to eyeball
        // with `--nocapture`.
        let p = plan(3, end(), 40, &tree());
        for i in &p.incidents {
            eprintln!(
                "{} {} {} | {} | {}",
                i.reported_at, i.station_key, i.category, i.address, i.narrative
            );
            assert!(!i.narrative.contains("{}"));
        }
    }
}

//! The demo plan's shape: determinism, the organisation, the incident mix.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Datelike, TimeDelta, TimeZone, Timelike};

use super::*;

/// The plan, which the checked-in data always gives.
fn plan(seed: u64, end: DateTime<Utc>, n: usize, t: &CategoryTree) -> DemoPlan {
    super::plan(seed, end, n, t).unwrap()
}

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

//! `frontline deadline …` contract: JSON on success, exit 2 with a clear message for bad
//! input, an invalid data file or a calendar year that is not loaded.
#![allow(clippy::expect_used, reason = "test helpers stop loudly")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("deadline")
        .args(args)
        .env_remove("FRONTLINE_CALENDAR_DIR")
        .env_remove("FRONTLINE_DEADLINE_RULES")
        .output()
        .expect("run frontline")
}

fn ok_json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should exit 2: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn steps(v: &Value) -> Vec<String> {
    v["explain"]
        .as_array()
        .expect("explain")
        .iter()
        .map(|s| s["kind"].as_str().unwrap_or("").to_string())
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("frontline-deadline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

#[test]
fn custody_example_of_law_facts() {
    let v = ok_json(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--period",
        "3d",
        "--custody",
    ]);
    assert_eq!(v["due"], "2026-01-05T00:00:00+08:00");
    assert_eq!(v["mode"], "custody");
    let s = steps(&v);
    assert_eq!(s.first().map(String::as_str), Some("start"));
    assert!(s.contains(&"counted_from_day".to_string()), "{s:?}");
    assert!(s.contains(&"nominal_end".to_string()), "{s:?}");
    assert_eq!(s.last().map(String::as_str), Some("due"));
    // Every step carries its text in both languages.
    for step in v["explain"].as_array().expect("explain") {
        assert!(step["zh"].as_str().is_some_and(|t| !t.is_empty()), "{step}");
        assert!(step["en"].as_str().is_some_and(|t| !t.is_empty()), "{step}");
    }
}

#[test]
fn legal_period_rolls_over_national_day() {
    let v = ok_json(&[
        "compute",
        "--start",
        "2026-09-01T15:00:00+08:00",
        "--period",
        "30d",
    ]);
    assert_eq!(v["due"], "2026-10-09T00:00:00+08:00");
    assert_eq!(v["nominal_end"], "2026-10-02T00:00:00+08:00");
    let roll = v["explain"]
        .as_array()
        .expect("explain")
        .iter()
        .find(|s| s["kind"] == "roll_over")
        .expect("roll_over");
    assert!(
        roll["zh"].as_str().expect("zh").contains("国庆节"),
        "{roll}"
    );
    // The same in custody mode is not extended.
    let c = ok_json(&[
        "compute",
        "--start",
        "2026-09-01T15:00:00+08:00",
        "--period",
        "30d",
        "--custody",
    ]);
    assert_eq!(c["due"], "2026-10-02T00:00:00+08:00");
}

#[test]
fn hours_months_and_working_days() {
    let h = ok_json(&[
        "compute",
        "--start",
        "2026-02-14T22:15:00+08:00",
        "--period",
        "24h",
    ]);
    assert_eq!(h["due"], "2026-02-15T22:15:00+08:00");
    // A UTC start is answered in +08:00.
    let z = ok_json(&[
        "compute",
        "--start",
        "2026-01-01T02:00:00Z",
        "--period",
        "8h",
        "--custody",
    ]);
    assert_eq!(z["due"], "2026-01-01T18:00:00+08:00");
    let m = ok_json(&[
        "compute",
        "--start",
        "2025-01-31T10:00:00+08:00",
        "--period",
        "1m",
    ]);
    assert_eq!(m["due"], "2025-03-01T00:00:00+08:00");
    let w = ok_json(&[
        "compute",
        "--start",
        "2025-09-26T10:00:00+08:00",
        "--period",
        "7d",
        "--working-days",
    ]);
    assert_eq!(w["due"], "2025-10-14T00:00:00+08:00");
}

#[test]
fn rule_instead_of_period() {
    let v = ok_json(&[
        "compute",
        "--start",
        "2026-03-02T09:00:00+08:00",
        "--rule",
        "admin.case_handling",
    ]);
    assert_eq!(v["due"], "2026-04-02T00:00:00+08:00");
    assert_eq!(v["rule"]["code"], "admin.case_handling");
    assert_eq!(v["warn_at"].as_array().map(Vec::len), Some(3));
    let c = ok_json(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--rule",
        "criminal.arrest_request",
    ]);
    assert_eq!(c["due"], "2026-01-05T00:00:00+08:00");
    assert_eq!(c["mode"], "custody");
    let e = fails(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--rule",
        "no.such_rule",
    ]);
    assert!(e.contains("bad --rule: No deadline rule"), "{e}");
    let e = fails(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--rule",
        "admin.file",
    ]);
    assert!(e.contains("no counted period"), "{e}");
    // --rule and --period together are refused.
    fails(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--rule",
        "admin.case_handling",
        "--period",
        "3d",
    ]);
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let e = fails(&["compute", "--start", "2026/01/01 10:00", "--period", "3d"]);
    assert!(e.contains("bad --start"), "{e}");
    assert!(e.contains("2026-09-30T10:00:00+08:00"), "{e}");
    // As in the API, a time without an offset is Beijing wall-clock time.
    for start in ["2026-01-01T10:00:00", "2026-01-01 10:00"] {
        let v = ok_json(&["compute", "--start", start, "--period", "3d"]);
        assert_eq!(v["start"], "2026-01-01T10:00:00+08:00", "{start}");
    }
    for p in ["3", "3w", "0d", "-1d", "d", "99999d"] {
        let arg = format!("--period={p}");
        let e = fails(&["compute", "--start", "2026-01-01T10:00:00+08:00", &arg]);
        assert!(e.contains("bad --period"), "{p}: {e}");
    }
    let e = fails(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--period",
        "2m",
        "--working-days",
    ]);
    assert!(e.contains("working-day"), "{e}");
    fails(&["compute", "--start", "2026-01-01T10:00:00+08:00"]);
    fails(&[
        "compute",
        "--start",
        "2026-01-01T10:00:00+08:00",
        "--period",
        "3d",
        "--custody",
        "--working-days",
    ]);
}

#[test]
fn unknown_calendar_year_exits_2_unless_provisional() {
    let e = fails(&[
        "compute",
        "--start",
        "2026-12-31T10:00:00+08:00",
        "--period",
        "2d",
    ]);
    assert!(e.contains("calendar unknown for 2027"), "{e}");
    let v = ok_json(&[
        "compute",
        "--start",
        "2026-12-31T10:00:00+08:00",
        "--period",
        "2d",
        "--provisional",
    ]);
    assert_eq!(v["provisional"], true);
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    assert!(steps(&v).contains(&"provisional".to_string()));
}

#[test]
fn an_administrator_adds_a_year_from_a_directory() {
    let dir = temp_dir("cal");
    std::fs::write(
        dir.join("2027.toml"),
        "year = 2027\nsource = \"test notice\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year's Day\"\n\
         first = 2027-01-01\nlast = 2027-01-03\nmakeup_workdays = []\n",
    )
    .expect("write");
    let d = dir.to_str().expect("utf-8 path");
    let v = ok_json(&[
        "compute",
        "--start",
        "2026-12-31T10:00:00+08:00",
        "--period",
        "2d",
        "--calendar-dir",
        d,
    ]);
    assert_eq!(v["due"], "2027-01-05T00:00:00+08:00");
    assert_eq!(v["provisional"], false);
    let list = run(&["calendars", "--calendar-dir", d]);
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("2025:") && text.contains("2026:") && text.contains("2027:"),
        "{text}"
    );
    // A broken file is refused with its name and the reason.
    std::fs::write(
        dir.join("2028.toml"),
        "year = 2028\nsource = \"x\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year\"\n\
         first = 2028-01-01\nlast = 2028-01-01\nmakeup_workdays = [2028-01-01]\n",
    )
    .expect("write");
    let e = fails(&[
        "compute",
        "--start",
        "2026-12-31T10:00:00+08:00",
        "--period",
        "2d",
        "--calendar-dir",
        d,
    ]);
    assert!(e.contains("2028.toml"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_are_listed() {
    let out = run(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("admin.case_handling") && text.contains("第118条"),
        "{text}"
    );
    assert!(
        text.contains("criminal.investigation_custody") && text.contains("上一级人民检察院"),
        "{text}"
    );
    let v: Value = serde_json::from_slice(&run(&["rules", "--json"]).stdout).expect("json");
    let rules = v["rules"].as_array().expect("rules");
    assert!(rules.len() >= 60, "{}", rules.len());
    assert!(
        rules
            .iter()
            .all(|r| r["basis"].as_array().is_some_and(|b| !b.is_empty()))
    );
    // A broken replacement catalog is refused, naming the rule.
    let dir = temp_dir("rules");
    let f = dir.join("rules.toml");
    std::fs::write(
        &f,
        "version = \"t\"\n[[rule]]\ncode = \"x.one\"\nreference = \"A1\"\nkind = \"administrative\"\nname_zh = \"甲\"\n\
         name_en = \"One\"\ntrigger_zh = \"t\"\ntrigger_en = \"t\"\nperiod = \"2m\"\nmode = \"working_days\"\n\
         basis = [{ law = \"l\", article = \"a\" }]\n",
    )
    .expect("write");
    let e = fails(&["rules", "--rules-file", f.to_str().expect("utf-8")]);
    assert!(e.contains("x.one") && e.contains("working-days"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

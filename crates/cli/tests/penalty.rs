//! `frontline penalty assess|catalog`: the JSON contract and exit codes.
#![allow(clippy::unwrap_used, reason = "tests stop loudly")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn frontline(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn assess(json: &str) -> (i32, serde_json::Value, String) {
    let out = frontline(&["penalty", "assess", "--input", "-"], json);
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code, v, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn assess_contract() {
    let (code, v, err) = assess(
        r#"{"article": "51", "tier": "base", "circumstances": ["dispute_origin"],
            "person": {"age": 35, "pregnant": false, "nursing_infant": false}, "offence_date": "2026-03-01"}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["law_version"], "2025");
    assert_eq!(v["range"]["detention_days"], serde_json::json!([5, 10]));
    assert_eq!(v["range"]["fine_yuan"], serde_json::json!([500, 1000]));
    let r = &v["recommended"];
    assert_eq!(r["warning"], false);
    let days = r["detention_days"].as_u64().unwrap();
    let fine = r["fine_yuan"].as_u64().unwrap();
    assert!(
        (5..=10).contains(&days) && (500..=1000).contains(&fine),
        "{r}"
    );
    assert_eq!(r["detention_executed"], true);
    let explain = v["explain"].as_array().unwrap();
    assert!(
        explain
            .iter()
            .any(|s| s["rule"] == "circumstance" && s["code"] == "dispute_origin")
    );
    assert!(explain.iter().all(|s| s["basis"]["zh"].is_string()));
}

#[test]
fn assess_from_file_old_law_and_item() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("req.json");
    std::fs::write(
        &f,
        r#"{"article": 43, "item": 1, "person": {"age": 40}, "offence_date": "2025-09-01"}"#,
    )
    .unwrap();
    let out = frontline(&["penalty", "assess", "--input", f.to_str().unwrap()], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["law_version"], "2012");
    assert_eq!(v["range"]["code"], "37-1");
}

#[test]
fn minor_detention_not_executed() {
    let (code, v, _) = assess(
        r#"{"article": "30", "tier": "heavier", "person": {"age": 15}, "offence_date": "2026-04-01"}"#,
    );
    assert_eq!(code, 0);
    assert!(v["recommended"]["detention_days"].as_u64().unwrap() > 0);
    assert_eq!(v["recommended"]["detention_executed"], false);
}

#[test]
fn several_violations_combined_art16() {
    let one = r#"{"article": "30", "tier": "heavier", "circumstances": ["prior_penalty_1y"], "person": {"age": 40}, "offence_date": "2026-04-01"}"#;
    let (code, v, err) = assess(&format!("[{one}, {one}, {one}]"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["assessments"].as_array().unwrap().len(), 3);
    assert_eq!(v["combined"]["detention_days_executed"], 20);
    assert!(v["combined"]["detention_days_decided"].as_u64().unwrap() > 20);
    assert_eq!(v["combined"]["explain"][0]["basis"]["article"], 16);
}

#[test]
fn unknown_codes_exit_2() {
    for (req, needle) in [
        (
            r#"{"article": "999", "person": {"age": 30}, "offence_date": "2026-03-01"}"#,
            "unknown violation",
        ),
        (
            r#"{"article": "51", "circumstances": ["bogus"], "person": {"age": 30}, "offence_date": "2026-03-01"}"#,
            "unknown circumstance",
        ),
        (
            r#"{"article": "51", "situation": "nope", "person": {"age": 30}, "offence_date": "2026-03-01"}"#,
            "unknown situation",
        ),
        (
            r#"{"article": "51", "tier": "worst", "person": {"age": 30}, "offence_date": "2026-03-01"}"#,
            "invalid request",
        ),
        (
            r#"{"article": "51", "person": {"age": 30}}"#,
            "invalid request",
        ),
    ] {
        let (code, v, err) = assess(req);
        assert_eq!(code, 2, "{req}");
        assert!(v.is_null());
        assert!(err.contains(needle), "{req}: {err}");
    }
}

#[test]
fn catalog_lists_articles_situations_circumstances() {
    let out = frontline(&["penalty", "catalog"], "");
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "第26条",
        "第89条",
        "51-1",
        "情形 51-1.base.2",
        "minor_circumstances",
        "dispute_origin",
    ] {
        assert!(s.contains(needle), "missing {needle}");
    }
    let out = frontline(&["penalty", "catalog", "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["psapl_2025"]["articles"].as_array().unwrap().len(), 64);
    assert_eq!(v["psapl_2012"]["articles"].as_array().unwrap().len(), 54);
    let out = frontline(&["penalty", "catalog", "--article", "12"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bureau_standard_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(
        &f,
        "name_zh = \"x\"\nname_en = \"x\"\nversion = \"1\"\nlaw_version = \"2025\"\n",
    )
    .unwrap();
    let out = frontline(
        &["penalty", "catalog", "--standard", f.to_str().unwrap()],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("discretion standard"));
}

#[test]
fn the_cli_reads_the_api_contract_and_names_each_field() {
    // What serde derive used to accept and the API refuses: the API's contract wins.
    for (req, needles) in [
        (
            r#"{"article": "51", "person": {"age": 200}, "offence_date": "2026-03-01"}"#,
            vec!["invalid request: person.age: integer range"],
        ),
        (
            r#"{"article": "51", "person": {"age": 30, "name": "x"}, "tier": "worst", "offence_date": "2026-03-01"}"#,
            vec![
                "invalid request: person.name: unknown field",
                "invalid request: tier: tier unknown",
            ],
        ),
        (r#"[]"#, vec!["body: violations count"]),
        (
            r#"[{"article": "51", "person": {"age": 30}, "offence_date": "2026-03-01"}, {"article": "999", "person": {"age": 30}, "offence_date": "2026-03-01"}]"#,
            vec!["1.article: unknown violation"],
        ),
        (
            r#"{"article": "51", "person": {"age": 30}, "offence_date": "2999-01-01"}"#,
            vec!["offence_date: date future"],
        ),
    ] {
        let (code, v, err) = assess(req);
        assert_eq!(code, 2, "{req}");
        assert!(v.is_null());
        for n in needles {
            assert!(err.contains(n), "{req}: {err}");
        }
    }
    // What the API accepts and serde derive used to refuse: numbers as text.
    let (code, v, err) = assess(
        r#"{"article": 51, "illegal_gains_yuan": "0", "person": {"age": "35"}, "offence_date": "2026-03-01"}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["range"]["article"], 51);
}

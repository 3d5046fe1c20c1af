//! The rule catalog, deadlines with extensions and exclusions.

use super::*;

fn catalog() -> RuleCatalog {
    RuleCatalog::builtin().unwrap()
}

fn approval(by: &str, t: &str) -> Approval {
    Approval {
        approver: by.into(),
        at: at(t),
        reference: None,
    }
}

#[test]
fn catalog_covers_law_facts_rows() {
    let cat = catalog();
    let refs: std::collections::HashSet<&str> =
        cat.rules.iter().map(|r| r.reference.as_str()).collect();
    // Every row of law-facts §2.1 and §2.2 with a time limit (A6 "until sober", C18 and C19
    // are counting rules, noted on A4 and C16).
    for n in (1..=28).filter(|n| *n != 6) {
        assert!(refs.contains(format!("A{n}").as_str()), "A{n} missing");
    }
    for n in (1..=32).filter(|n| *n != 18 && *n != 19) {
        assert!(refs.contains(format!("C{n}").as_str()), "C{n} missing");
    }
    // §1.9 time limits of the 2025 law: articles 90, 97, 116, 118, 120, 123, 124, 105.
    for art in [
        "第90条",
        "第97条",
        "第116条",
        "第118条",
        "第120条",
        "第123条",
        "第124条",
        "第105条",
    ] {
        assert!(
            cat.rules.iter().any(|r| r
                .basis
                .iter()
                .any(|b| b.law.contains("治安管理处罚法") && b.article.contains(art))),
            "PSAPL {art} missing"
        );
    }
    let c = cals();
    for r in &cat.rules {
        match r.spec() {
            Some(s) => {
                // Provisional: the limitation periods reach years without a calendar.
                let d = cat.start(
                    &r.code,
                    at("2026-03-02T10:00:00+08:00"),
                    &c,
                    ComputeOptions { provisional: true },
                );
                let d = d.unwrap_or_else(|e| panic!("{}: {e}", r.code));
                assert!(d.due() > d.start, "{}", r.code);
                assert_eq!(d.result.spec, s);
            }
            None => assert!(matches!(
                cat.start(
                    &r.code,
                    at("2026-03-02T10:00:00+08:00"),
                    &c,
                    ComputeOptions::default()
                ),
                Err(DeadlineError::Immediate { .. })
            )),
        }
    }
    let case = cat.get("admin.case_handling").unwrap();
    assert_eq!(case.period, RulePeriod::Counted(Span::days(30)));
    assert_eq!(case.extensions[0].times, Some(2));
    assert_eq!(cat.get("admin.questioning").unwrap().mode, Mode::Custody);
    assert_eq!(
        cat.get("admin.preservation").unwrap().mode,
        Mode::WorkingDays
    );
    assert_eq!(
        cat.get("criminal.arrest_request").unwrap().mode,
        Mode::Custody
    );
}

#[test]
fn case_handling_extended_twice_then_refused() {
    let cat = catalog();
    let c = cals();
    let mut d = cat
        .start(
            "admin.case_handling",
            at("2026-03-02T09:00:00+08:00"),
            &c,
            ComputeOptions::default(),
        )
        .unwrap();
    assert_eq!(d.due(), at("2026-04-02T00:00:00+08:00"));
    assert_eq!(
        d.warn_at,
        vec![
            at("2026-03-26T00:00:00+08:00"),
            at("2026-03-30T00:00:00+08:00"),
            at("2026-04-01T00:00:00+08:00")
        ]
    );
    // +30 days from the nominal last day 04-01 → 05-01 (Labour Day) → 05-06.
    d.extend(
        0,
        None,
        approval("上一级公安机关 王某", "2026-03-25T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-05-07T00:00:00+08:00"));
    assert!(
        d.result
            .explain
            .iter()
            .any(|s| matches!(s, Step::Extension { .. }))
    );
    assert!(
        d.result
            .explain
            .iter()
            .any(|s| matches!(s, Step::RollOver { .. }))
    );
    // +30 days from the nominal last day 05-01 (not the rolled 05-06) → 05-31 (Sun) → 06-01.
    d.extend(
        0,
        None,
        approval("上一级公安机关 王某", "2026-05-01T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-06-02T00:00:00+08:00"));
    let e = d
        .extend(
            0,
            None,
            approval("上一级公安机关", "2026-05-20T10:00:00+08:00"),
            &c,
        )
        .unwrap_err();
    assert!(
        matches!(e, DeadlineError::ExtensionExhausted { times: 2, .. }),
        "{e}"
    );
    // Rebuilding from the stored parts gives the same deadline.
    let again = cat
        .rebuild(
            "admin.case_handling",
            d.start,
            &d.events,
            &c,
            ComputeOptions::default(),
        )
        .unwrap();
    assert_eq!(again, d);
    // The stored parts round-trip through JSON.
    let json = serde_json::to_string(&d.events).unwrap();
    let back: Vec<DeadlineEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.events);
}

#[test]
fn extension_rules() {
    let cat = catalog();
    let c = cals();
    let o = ComputeOptions::default();
    // Arrest request: 3 days from 2026-01-01 10:00; +up to 4 days (granted 4) → 01-08.
    let mut d = cat
        .start(
            "criminal.arrest_request",
            at("2026-01-01T10:00:00+08:00"),
            &c,
            o,
        )
        .unwrap();
    assert_eq!(d.due(), at("2026-01-05T00:00:00+08:00"));
    let too_much = d.extend(
        0,
        Some(Span::days(5)),
        approval("县公安局 李某", "2026-01-03T10:00:00+08:00"),
        &c,
    );
    assert!(matches!(too_much, Err(DeadlineError::BadGrant { .. })));
    let missing = d.extend(
        0,
        None,
        approval("县公安局 李某", "2026-01-03T10:00:00+08:00"),
        &c,
    );
    assert!(matches!(missing, Err(DeadlineError::BadGrant { .. })));
    let late = d.extend(
        0,
        Some(Span::days(4)),
        approval("县公安局 李某", "2026-01-05T00:00:00+08:00"),
        &c,
    );
    assert!(matches!(late, Err(DeadlineError::AfterExpiry { .. })));
    let nobody = d.extend(
        0,
        Some(Span::days(4)),
        approval(" ", "2026-01-03T10:00:00+08:00"),
        &c,
    );
    assert!(matches!(nobody, Err(DeadlineError::NoApprover)));
    assert!(matches!(
        d.extend(9, None, approval("x", "2026-01-03T10:00:00+08:00"), &c),
        Err(DeadlineError::NoSuchExtension { number: 10, .. })
    ));
    d.extend(
        0,
        Some(Span::days(4)),
        approval("县公安局 李某", "2026-01-03T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-01-09T00:00:00+08:00"));
    // Roving / gang crime: to 30 days from the detention.
    d.extend(
        1,
        None,
        approval("县公安局 李某", "2026-01-07T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-02-01T00:00:00+08:00"));

    // Investigation custody: arrest 2025-12-31, 2 months → 02-28; +1 month from 02-28 → 03-28.
    let mut d = cat
        .start(
            "criminal.investigation_custody",
            at("2025-12-31T16:00:00+08:00"),
            &c,
            o,
        )
        .unwrap();
    assert_eq!(d.due(), at("2026-03-01T00:00:00+08:00"));
    assert!(
        d.warn_at.contains(&at("2026-02-22T00:00:00+08:00")),
        "7 days before: {:?}",
        d.warn_at
    );
    d.extend(
        0,
        None,
        approval("上一级人民检察院", "2026-02-20T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-03-29T00:00:00+08:00"));
    d.extend(
        1,
        None,
        approval("省级人民检察院", "2026-03-20T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-05-29T00:00:00+08:00"));
    d.extend(
        2,
        None,
        approval("省级人民检察院", "2026-05-20T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-07-29T00:00:00+08:00"));
    assert_eq!(d.result.nominal_end, d.result.due, "custody never extends");

    // Questioning: 8 hours → to 12 → to 24 (hours from the arrival instant).
    let mut d = cat
        .start("admin.questioning", at("2026-05-01T21:30:00+08:00"), &c, o)
        .unwrap();
    assert_eq!(d.due(), at("2026-05-02T05:30:00+08:00"));
    d.extend(
        1,
        None,
        approval("办案部门负责人", "2026-05-02T01:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-05-02T21:30:00+08:00"));
    // Going back to 12 hours would shorten it: refused.
    let e = d
        .extend(
            0,
            None,
            approval("办案部门负责人", "2026-05-02T02:00:00+08:00"),
            &c,
        )
        .unwrap_err();
    assert!(matches!(e, DeadlineError::NotLonger { .. }), "{e}");

    // Working-day rules extend nothing; unknown and immediate rules are refused.
    assert!(matches!(
        cat.start("nope", at("2026-05-01T21:30:00+08:00"), &c, o),
        Err(DeadlineError::UnknownRule { .. })
    ));
    assert!(matches!(
        cat.start("admin.file", at("2026-05-01T21:30:00+08:00"), &c, o),
        Err(DeadlineError::Immediate { .. })
    ));
    // A deadline that needs an unknown year says so.
    let e = cat
        .start(
            "admin.case_handling",
            at("2026-12-20T09:00:00+08:00"),
            &c,
            o,
        )
        .unwrap_err();
    assert_eq!(
        e,
        DeadlineError::Period(PeriodError::CalendarUnknown { year: 2027 })
    );
}

const MINI: &str = r#"
version = "t"
[[rule]]
code = "x.one"
reference = "A1"
kind = "administrative"
name_zh = "甲"
name_en = "One"
trigger_zh = "触发"
trigger_en = "Trigger"
period = "30d"
warn_before = ["3d"]
extensions = [{ by = "30d", times = 1, approved_by_zh = "局长", approved_by_en = "chief" }]
basis = [{ law = "某法", article = "第1条" }]
"#;

#[test]
fn catalog_validation_names_the_rule() {
    assert!(RuleCatalog::parse(MINI).is_ok());
    let cases: &[(&str, &str, &str)] = &[
        ("period = \"30d\"", "period = \"30x\"", "bad period"),
        (
            "period = \"30d\"",
            "period = \"2m\"\nmode = \"working_days\"",
            "working-days rule must be counted in days",
        ),
        (
            "{ by = \"30d\", times = 1,",
            "{ to = \"20d\", times = 1,",
            "not longer than the period",
        ),
        (
            "{ by = \"30d\", times = 1,",
            "{ by = \"30d\", to = \"90d\", times = 1,",
            "exactly one of",
        ),
        ("times = 1", "times = 0", "times must be at least 1"),
        (
            "approved_by_en = \"chief\"",
            "approved_by_en = \"\"",
            "together",
        ),
        ("[\"3d\"]", "[\"30d\"]", "not shorter than the period"),
        ("[\"3d\"]", "[\"1m\"]", "hours or days"),
        (
            "basis = [{ law = \"某法\", article = \"第1条\" }]",
            "basis = []",
            "legal basis",
        ),
        ("article = \"第1条\"", "article = \"\"", "law and article"),
        (
            "name_en = \"One\"",
            "name_en = \"\"",
            "name_en must not be empty",
        ),
        (
            "code = \"x.one\"",
            "code = \"X One\"",
            "code must be made of",
        ),
        (
            "period = \"30d\"",
            "period = \"immediate\"",
            "immediate rule",
        ),
        (
            "kind = \"administrative\"",
            "kind = \"civil\"",
            "unknown variant",
        ),
        (
            "trigger_en = \"Trigger\"",
            "trigger_en = \"Trigger\"\ncolour = \"red\"",
            "unknown field",
        ),
    ];
    for (from, to, want) in cases {
        let text = MINI.replacen(from, to, 1);
        assert_ne!(text, MINI, "{from}");
        let e = RuleCatalog::parse(&text).unwrap_err();
        assert!(e.to_string().contains(want), "{from} -> {to}: {e}");
    }
    let dup = format!("{MINI}{}", &MINI[MINI.find("[[rule]]").unwrap()..]);
    let e = RuleCatalog::parse(&dup).unwrap_err();
    assert!(
        e.to_string().contains("rule x.one: code is used twice"),
        "{e}"
    );
    assert_eq!(e.code.as_deref(), Some("x.one"));
}

fn excluded_days(first: &str, last: &str, reason: &str) -> AppliedExclusion {
    AppliedExclusion {
        excluded: Excluded::Days {
            first: day(first),
            last: day(last),
        },
        reason: reason.into(),
    }
}

#[test]
fn exclusions_move_the_end_and_survive_rebuild() {
    let cat = catalog();
    let c = cals();
    let o = ComputeOptions::default();
    // Case filed 2026-03-02: 30 days → 04-01. An appraisal 03-10..03-14 (5 days) is not
    // counted: 04-06, which is 清明节, so the period ends with 04-07.
    let mut d = cat
        .start(
            "admin.case_handling",
            at("2026-03-02T09:00:00+08:00"),
            &c,
            o,
        )
        .unwrap();
    d.exclude(excluded_days("2026-03-10", "2026-03-14", "伤情鉴定"), &c)
        .unwrap();
    assert_eq!(d.result.nominal_last_day, Some(day("2026-04-06")));
    assert_eq!(d.due(), at("2026-04-08T00:00:00+08:00"));
    let zh = d.result.explain_text(Lang::Zh).join("\n");
    assert!(zh.contains("伤情鉴定期间不计入"), "{zh}");
    assert!(zh.contains("清明节"), "{zh}");
    // An extension then counts from the shifted nominal last day: 04-06 + 30 → 05-06.
    d.extend(
        0,
        None,
        approval("上一级公安机关", "2026-04-01T10:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(d.due(), at("2026-05-07T00:00:00+08:00"));
    let again = cat
        .rebuild("admin.case_handling", d.start, &d.events, &c, o)
        .unwrap();
    assert_eq!(again, d);
    let json = serde_json::to_value(&d.events).unwrap();
    assert_eq!(json[0]["event"], "exclusion");
    assert_eq!(json[0]["excluded"]["kind"], "days");
    assert_eq!(json[1]["event"], "extension");

    // Hours: questioning 8 h from 21:30; 3 hours restrained while drunk are not counted.
    let mut q = cat
        .start("admin.questioning", at("2026-05-01T21:30:00+08:00"), &c, o)
        .unwrap();
    let drunk = AppliedExclusion {
        excluded: Excluded::Time {
            from: at("2026-05-01T22:00:00+08:00"),
            until: at("2026-05-02T01:00:00+08:00"),
        },
        reason: "醉酒约束".into(),
    };
    q.exclude(drunk, &c).unwrap();
    assert_eq!(q.due(), at("2026-05-02T08:30:00+08:00"));
    // Extended to 24 hours in all: recounted from the start, the 3 hours still excluded.
    q.extend(
        1,
        None,
        approval("办案部门负责人", "2026-05-02T07:00:00+08:00"),
        &c,
    )
    .unwrap();
    assert_eq!(q.due(), at("2026-05-03T00:30:00+08:00"));
    let again = cat
        .rebuild("admin.questioning", q.start, &q.events, &c, o)
        .unwrap();
    assert_eq!(again.due(), q.due());
}

#[test]
fn exclusions_that_do_not_fit_are_refused() {
    let cat = catalog();
    let c = cals();
    let o = ComputeOptions::default();
    let mut d = cat
        .start(
            "admin.case_handling",
            at("2026-03-02T09:00:00+08:00"),
            &c,
            o,
        )
        .unwrap();
    let bad = |d: &mut Deadline, x: AppliedExclusion| {
        matches!(d.exclude(x, &c), Err(DeadlineError::BadExclusion(_)))
    };
    assert!(bad(
        &mut d,
        excluded_days("2026-03-14", "2026-03-10", "鉴定")
    ));
    assert!(bad(
        &mut d,
        excluded_days("2026-03-02", "2026-03-03", "鉴定")
    ));
    assert!(bad(
        &mut d,
        excluded_days("2026-04-02", "2026-04-03", "鉴定")
    ));
    assert!(bad(&mut d, excluded_days("2026-03-10", "2026-03-11", " ")));
    let time = AppliedExclusion {
        excluded: Excluded::Time {
            from: at("2026-03-05T10:00:00+08:00"),
            until: at("2026-03-05T12:00:00+08:00"),
        },
        reason: "听证".into(),
    };
    assert!(bad(&mut d, time.clone()));
    assert!(d.events.is_empty(), "refused exclusions change nothing");
    let mut q = cat
        .start("admin.questioning", at("2026-03-05T09:00:00+08:00"), &c, o)
        .unwrap();
    assert!(bad(
        &mut q,
        excluded_days("2026-03-06", "2026-03-06", "鉴定")
    ));
    let mut w = cat
        .start("admin.preservation", at("2026-03-05T09:00:00+08:00"), &c, o)
        .unwrap();
    assert!(bad(
        &mut w,
        excluded_days("2026-03-06", "2026-03-06", "鉴定")
    ));
    assert!(!bad(&mut q, time));
}

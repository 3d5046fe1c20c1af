//! Table tests for the general provisions (each citing its article), standard validation,
//! and property tests over every article, tier, situation, circumstance set and person.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::assess::{Effect, Range};
use super::catalog::{Form, RuleKind};
use super::rules::STATUTORY_CIRCUMSTANCES;
use super::*;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::builtin().unwrap())
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn input(article: &str, age: u8, circs: &[&str], date: &str) -> AssessInput {
    AssessInput {
        article: article.into(),
        item: None,
        situation: None,
        tier: None,
        circumstances: circs.iter().map(|s| s.to_string()).collect(),
        person: Person {
            age,
            ..Person::default()
        },
        offence_date: d(date),
        discovered_date: None,
        decision_date: None,
        illegal_gains_yuan: None,
    }
}

fn step<'a>(a: &'a Assessment, rule: &str) -> &'a Step {
    a.explain
        .iter()
        .find(|s| s.rule == rule)
        .unwrap_or_else(|| panic!("no step {rule} in {:#?}", a.explain))
}

#[test]
fn builtin_catalogs_cover_both_versions() {
    let e = engine();
    assert_eq!(e.catalog.articles.len(), 64, "2025: articles 26–89");
    assert_eq!(e.catalog.articles.first().unwrap().article, 26);
    assert_eq!(e.catalog.articles.last().unwrap().article, 89);
    assert_eq!(e.old.articles.len(), 54, "2012: articles 23–76");
    assert_eq!(e.old.articles.first().unwrap().article, 23);
    assert_eq!(e.old.articles.last().unwrap().article, 76);
}

#[test]
fn art12_under_14_no_penalty() {
    let a = engine()
        .assess(&input("51", 13, &[], "2026-02-01"))
        .unwrap();
    assert_eq!(a.outcome, Outcome::Exempt);
    assert_eq!(a.recommended, Recommended::default());
    assert_eq!(step(&a, "under_14").basis.article, 12);
}

#[test]
fn art12_minor_mitigated() {
    let adult = engine()
        .assess(&input("30", 30, &[], "2026-02-01"))
        .unwrap();
    let minor = engine()
        .assess(&input("30", 17, &[], "2026-02-01"))
        .unwrap();
    assert_eq!(step(&minor, "minor_14_18").basis.article, 12);
    assert!(
        minor.recommended.fine_yuan + u64::from(minor.recommended.detention_days) * 1000
            <= adult.recommended.fine_yuan + u64::from(adult.recommended.detention_days) * 1000
    );
}

#[test]
fn art23_not_executed_and_exceptions() {
    let e = engine();
    // 51-1 base always has detention.
    let mut i = input("51", 15, &[], "2026-02-01");
    let a = e.assess(&i).unwrap();
    assert!(a.recommended.detention_days > 0 && !a.recommended.detention_executed);
    let s = step(&a, "detention_not_executed");
    assert_eq!(
        (s.basis.article, s.basis.paragraph, s.basis.item),
        (23, 1, 1)
    );
    // 第23条第2款: serious and egregious → executed.
    i.circumstances = vec!["serious_and_egregious".into()];
    let a = e.assess(&i).unwrap();
    assert!(a.recommended.detention_executed);
    assert_eq!(step(&a, "detention_executed_exception").basis.article, 23);
    // 16–17, not first offence: executed; first offence: not executed; repeat exception does not cover item 2.
    let mut i = input("51", 17, &["repeat_within_year"], "2026-02-01");
    i.person.first_offence = Some(true);
    assert!(!e.assess(&i).unwrap().recommended.detention_executed);
    i.person.first_offence = Some(false);
    assert!(e.assess(&i).unwrap().recommended.detention_executed);
    // 70 and over (item 3), repeat within a year lifts it.
    let i = input("51", 70, &[], "2026-02-01");
    assert_eq!(
        step(&e.assess(&i).unwrap(), "detention_not_executed")
            .basis
            .item,
        3
    );
    let i = input("51", 75, &["repeat_within_year"], "2026-02-01");
    assert!(e.assess(&i).unwrap().recommended.detention_executed);
    // Pregnant (item 4): no exception.
    let mut i = input("51", 30, &["serious_and_egregious"], "2026-02-01");
    i.person.pregnant = true;
    let a = e.assess(&i).unwrap();
    assert!(!a.recommended.detention_executed);
    assert_eq!(step(&a, "detention_not_executed").basis.item, 4);
    // 2012 第21条 had no exception.
    let mut i = input("51", 15, &["serious_and_egregious"], "2025-10-01");
    i.decision_date = Some(d("2025-11-01"));
    let a = e.assess(&i).unwrap();
    assert_eq!(a.law_version, LawVersion::V2012);
    assert!(!a.recommended.detention_executed);
    assert_eq!(step(&a, "detention_not_executed").basis.article, 21);
}

#[test]
fn art16_combined_detention_capped_at_20() {
    let e = engine();
    let mut i = input("30", 30, &[], "2026-02-01");
    i.tier = Some(TierKind::Heavier);
    let a = e.assess(&i).unwrap();
    assert!(a.recommended.detention_days >= 10);
    let c = combine(&[a.clone(), a.clone(), a]);
    assert_eq!(c.detention_days_executed, 20);
    assert!(c.detention_days_decided > 20);
    assert_eq!(c.explain[0].basis.article, 16);
}

#[test]
fn art25_limitation_six_months() {
    let e = engine();
    let mut i = input("59", 30, &[], "2026-01-15");
    i.discovered_date = Some(d("2026-07-15"));
    assert_eq!(e.assess(&i).unwrap().outcome, Outcome::Penalty);
    i.discovered_date = Some(d("2026-07-16"));
    let a = e.assess(&i).unwrap();
    assert_eq!(a.outcome, Outcome::TimeBarred);
    assert_eq!(step(&a, "limitation").basis.article, 25);
}

#[test]
fn art22_aggravation_and_2012_six_months() {
    let e = engine();
    let heavier = |c: &[&str], date: &str| {
        let mut i = input("30", 30, c, date);
        i.tier = Some(TierKind::Heavier);
        i
    };
    let base = e.assess(&heavier(&[], "2026-02-01")).unwrap();
    let agg = e
        .assess(&heavier(&["prior_penalty_1y"], "2026-02-01"))
        .unwrap();
    assert!(agg.recommended.detention_days > base.recommended.detention_days);
    let s = agg
        .explain
        .iter()
        .find(|s| s.rule == "statutory_ground")
        .unwrap();
    assert_eq!((s.basis.article, s.basis.item), (22, 4));
    // 2012 第20条第4项 is six months: a penalty 7 months ago does not aggravate.
    let mut i = heavier(&["prior_penalty_1y"], "2025-10-01");
    i.decision_date = Some(d("2025-10-20"));
    let a = e.assess(&i).unwrap();
    assert_eq!(a.law_version, LawVersion::V2012);
    assert!(
        a.explain
            .iter()
            .any(|s| s.rule == "statutory_ground" && s.effect == Effect::NoEffect)
    );
    i.circumstances = vec!["prior_penalty_6m".into()];
    let b = e.assess(&i).unwrap();
    assert!(
        b.explain
            .iter()
            .any(|s| s.effect == Effect::Aggravate && s.basis.article == 20)
    );
}

#[test]
fn art20_two_grounds_reduce_below_minimum() {
    let a = engine()
        .assess(&input("51", 30, &["surrendered", "forgiven"], "2026-02-01"))
        .unwrap();
    assert_eq!(a.outcome, Outcome::Penalty);
    assert_eq!(a.range.detention_days, Some([5, 10]));
    assert_eq!(
        a.recommended.detention_days, 4,
        "减轻: below the 5-day minimum"
    );
    assert!(a.recommended.fine_yuan < 500);
    assert!(a.explain.iter().any(|s| s.rule == "statutory_ground"
        && s.effect == Effect::Reduce
        && s.basis.article == 20));
    assert!(a.names("reduce"));
    // One ground only mitigates within the range.
    let a = engine()
        .assess(&input("51", 30, &["surrendered"], "2026-02-01"))
        .unwrap();
    assert!(a.recommended.detention_days >= 5);
}

#[test]
fn art19_art9_art13_exemptions() {
    let e = engine();
    let mut i = input("51", 30, &["excessive_defence"], "2026-02-01");
    i.tier = Some(TierKind::Lighter);
    let a = e.assess(&i).unwrap();
    assert_eq!(a.outcome, Outcome::Exempt);
    assert_eq!(step(&a, "excessive_defence").basis.article, 19);
    i.tier = None;
    let a = e.assess(&i).unwrap();
    assert!(a.recommended.detention_days < 5, "第19条: must be reduced");
    let a = e
        .assess(&input("51", 30, &["mediated"], "2026-02-01"))
        .unwrap();
    assert_eq!(
        (a.outcome, step(&a, "statutory_ground").basis.article),
        (Outcome::Exempt, 9)
    );
    let a = e
        .assess(&input("51", 30, &["mental_incapable"], "2026-02-01"))
        .unwrap();
    assert_eq!(
        (a.outcome, step(&a, "statutory_ground").basis.article),
        (Outcome::Exempt, 13)
    );
}

#[test]
fn art83_self_eradicated_only_for_item_1() {
    let e = engine();
    let mut i = input("83", 30, &["self_eradicated"], "2026-02-01");
    i.item = Some(1);
    assert_eq!(e.assess(&i).unwrap().outcome, Outcome::Exempt);
    let a = e.assess(&input("83-2", 30, &[], "2026-02-01")).unwrap();
    assert_eq!(
        (a.outcome, step(&a, "statutory_ground").basis.article),
        (Outcome::Exempt, 83)
    );
    i.item = Some(2);
    assert!(matches!(
        e.assess(&i),
        Err(AssessError::CircumstanceNotApplicable { .. })
    ));
}

#[test]
fn old_or_lighter_admin_penalty_law_art37() {
    let e = engine();
    // 51: 2012 第43条 fines are lower → the old law applies.
    let a = e.assess(&input("51", 30, &[], "2025-08-01")).unwrap();
    assert_eq!(a.law_version, LawVersion::V2012);
    assert_eq!(a.range.code, "43-1");
    assert_eq!(a.range.fine_yuan, Some([200, 500]));
    assert_eq!(step(&a, "law_version").basis.article, 37);
    // 58 theft: 2012 requires 5–10 days; 2025 allows a fine instead → the new law is lighter.
    let a = e.assess(&input("58", 30, &[], "2025-08-01")).unwrap();
    assert_eq!(a.law_version, LawVersion::V2025);
    // Decided before 2026: the old law, whatever the new one says.
    let mut i = input("58", 30, &[], "2025-08-01");
    i.decision_date = Some(d("2025-09-01"));
    assert_eq!(e.assess(&i).unwrap().law_version, LawVersion::V2012);
    // New in 2025: not a public-order violation before.
    let a = e.assess(&input("56", 30, &[], "2025-08-01")).unwrap();
    assert_eq!(a.outcome, Outcome::NotPunishable);
    // 52-2 exposure without 情节恶劣 was not punishable in 2012; with it, 2012 第44条.
    assert_eq!(
        e.assess(&input("52-2", 30, &[], "2025-08-01"))
            .unwrap()
            .outcome,
        Outcome::NotPunishable
    );
    let mut i = input("52-2", 30, &[], "2025-08-01");
    i.tier = Some(TierKind::Heavier);
    let a = e.assess(&i).unwrap();
    assert_eq!(
        (a.law_version, a.range.code.as_str()),
        (LawVersion::V2012, "44-2")
    );
    // Same range in both versions (第78条 / 2012 第66条 base): the same recommendation.
    let new78 = e.assess(&input("78", 30, &[], "2026-02-01")).unwrap();
    let old78 = e.assess(&input("78", 30, &[], "2025-08-01")).unwrap();
    assert_eq!(old78.law_version, LawVersion::V2012);
    assert_eq!(old78.recommended, new78.recommended);
    // The old law's lower fine ceiling gives a fine no higher than under the new law.
    let new26 = e.assess(&input("26", 30, &[], "2026-02-01")).unwrap();
    let old26 = e.assess(&input("26", 30, &[], "2025-08-01")).unwrap();
    assert!(old26.recommended.fine_yuan <= new26.recommended.fine_yuan);
    // Aggravations new in 2025: the act was punishable in 2012, without the aggravation.
    let a = e.assess(&input("80-2", 30, &[], "2025-08-01")).unwrap();
    assert_eq!(
        (a.law_version, a.outcome, a.range.code.as_str()),
        (LawVersion::V2012, Outcome::Penalty, "68-1")
    );
    assert!(!a.names("article_aggravation"));
    // Items new in 2025 (第43条第5项 高空抛物).
    let mut i = input("43", 30, &[], "2025-08-01");
    i.item = Some(5);
    assert_eq!(e.assess(&i).unwrap().outcome, Outcome::NotPunishable);
    i.item = Some(1);
    assert_eq!(e.assess(&i).unwrap().law_version, LawVersion::V2012);
    i.item = None;
    assert!(matches!(
        e.assess(&i),
        Err(AssessError::ItemRequired { .. })
    ));
}

#[test]
fn article_aggravation_codes() {
    let e = engine();
    let plain = e.assess(&input("61", 30, &[], "2026-02-01")).unwrap();
    let police = e.assess(&input("61-2", 30, &[], "2026-02-01")).unwrap();
    assert!(police.names("article_aggravation"));
    assert!(police.recommended.fine_yuan >= plain.recommended.fine_yuan);
}

#[test]
fn fine_multiplier_art27() {
    let mut i = input("27", 30, &[], "2026-02-01");
    i.illegal_gains_yuan = Some(10_000);
    let a = engine().assess(&i).unwrap();
    assert_eq!(a.range.fine_yuan, Some([10_000, 50_000]));
    assert!((10_000..=50_000).contains(&a.recommended.fine_yuan));
    i.illegal_gains_yuan = Some(500);
    let a = engine().assess(&i).unwrap();
    assert!((1000..=3000).contains(&a.recommended.fine_yuan));
}

#[test]
fn unknown_codes_refused() {
    let e = engine();
    assert!(matches!(
        e.assess(&input("99", 30, &[], "2026-02-01")),
        Err(AssessError::UnknownViolation(_))
    ));
    assert!(matches!(
        e.assess(&input("26-9", 30, &[], "2026-02-01")),
        Err(AssessError::UnknownViolation(_))
    ));
    assert!(matches!(
        e.assess(&input("51", 30, &["nonsense"], "2026-02-01")),
        Err(AssessError::UnknownCircumstance(_))
    ));
    assert!(matches!(
        e.assess(&input("60", 15, &[], "2026-02-01")),
        Err(AssessError::NotAssessable { .. })
    ));
    let err = e.assess(&input("51", 30, &[], "2012-06-01")).unwrap_err();
    assert_eq!((err.field(), err.code()), ("offence_date", "invalid_date"));
    let mut i = input("51", 30, &[], "2026-02-01");
    i.discovered_date = Some(d("2026-01-01"));
    assert_eq!(e.assess(&i).unwrap_err().field(), "discovered_date");
    let mut i = input("46", 30, &[], "2026-02-01");
    i.tier = Some(TierKind::Base);
    assert!(matches!(e.assess(&i), Err(AssessError::UnknownTier { .. })));
    let mut i = input("51", 30, &[], "2026-02-01");
    i.situation = Some("30-1.base.1".into());
    assert!(matches!(
        e.assess(&i),
        Err(AssessError::UnknownSituation(_))
    ));
}

// ---------------------------------------------------------------- standard validation

fn with_situation(extra: &str) -> Result<Standard, StandardError> {
    let text = format!("{}\n{extra}", super::standard::DEFAULT_STANDARD_TOML);
    Standard::parse(&text, &engine().catalog)
}

#[test]
fn standard_refuses_sub_range_outside_statute() {
    let lines = super::standard::DEFAULT_STANDARD_TOML.lines().count();
    let e = with_situation(
        "[[situation]]\ncode = \"x\"\nviolation = \"51-1\"\ntier = \"base\"\nname_zh = \"x\"\nname_en = \"x\"\ndetention_days = [4, 6]\ndetention_base = 5\nfine_yuan = [500, 600]\nfine_base = 500\n",
    )
    .unwrap_err();
    assert!(e.message.contains("leaves the statutory range"), "{e}");
    assert_eq!(e.line, lines + 2);
}

#[test]
fn standard_refuses_overlap_and_unknown_circumstance() {
    let e = with_situation(
        "[[situation]]\ncode = \"x\"\nviolation = \"32-1\"\ntier = \"base\"\nname_zh = \"x\"\nname_en = \"x\"\ndetention_days = [6, 7]\ndetention_base = 6\n",
    )
    .unwrap_err();
    assert!(e.message.contains("overlaps"), "{e}");
    let e = with_situation(
        "[[situation]]\ncode = \"x\"\nviolation = \"32-1\"\ntier = \"base\"\nname_zh = \"x\"\nname_en = \"x\"\nwarning = true\ncircumstances = [\"drunk_and_loud\"]\n",
    )
    .unwrap_err();
    assert!(e.message.contains("unknown circumstance"), "{e}");
    let e = with_situation(
        "[[situation]]\ncode = \"x\"\nviolation = \"99-1\"\ntier = \"base\"\nname_zh = \"x\"\nname_en = \"x\"\nwarning = true\n",
    )
    .unwrap_err();
    assert!(e.message.contains("unknown violation"), "{e}");
}

#[test]
fn standard_refuses_uncovered_tier() {
    let text = "name_zh = \"x\"\nname_en = \"x\"\nversion = \"1\"\nlaw_version = \"2025\"\n[policy]\ndetention_step_days = 1\nfine_step_yuan = 100\nstatutory_mitigation_steps = 2\nstatutory_aggravation_steps = 2\nreduce_at_grounds = 2\n";
    let e = Standard::parse(text, &engine().catalog).unwrap_err();
    assert!(e.message.contains("no situation covers"), "{e}");
}

fn is_wide(t: &super::catalog::Tier) -> bool {
    let det = t.detention_days.is_some_and(|[a, b]| b - a >= 4);
    let fine = t.fine_yuan.is_some_and(|[a, b]| b - a >= 1000);
    let choice = matches!(
        t.form,
        Form::WarningOrFine | Form::DetentionOrWarning | Form::DetentionOrFine
    );
    det || fine || choice
}

#[test]
fn default_standard_covers_every_article_with_three_situations_where_wide() {
    let e = engine();
    for r in e.catalog.rules().filter(|r| r.kind == RuleKind::Penalty) {
        for t in &r.tiers {
            let n = e.standard.situations_for(&r.code, t.tier).count();
            assert!(n >= 1, "{} {:?}", r.code, t.tier);
            if is_wide(t) {
                assert!(
                    n >= 3,
                    "{} {:?}: wide range, {n} situations",
                    r.code,
                    t.tier
                );
            }
        }
    }
}

#[test]
fn deterministic() {
    let i = input(
        "82",
        40,
        &["multiple_acts", "confessed", "prior_penalty_1y"],
        "2026-05-01",
    );
    let a = engine().assess(&i).unwrap();
    let b = engine().assess(&i).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

// ---------------------------------------------------------------- properties

/// Every (violation code as input, penalty rule, tier, items) the 2025 catalog can assess.
/// (code named, rule carrying the tiers, tier, items)
type Case = (String, String, TierKind, Vec<u8>);

fn cases() -> &'static Vec<Case> {
    static C: OnceLock<Vec<Case>> = OnceLock::new();
    C.get_or_init(|| {
        let e = engine();
        let mut v = Vec::new();
        for r in e.catalog.rules() {
            let Some(p) = e.catalog.penalty_rule(r) else {
                continue;
            };
            for t in &p.tiers {
                v.push((
                    r.code.clone(),
                    p.code.clone(),
                    t.tier,
                    r.items.clone().unwrap_or_default(),
                ));
            }
        }
        v
    })
}

fn lawful(rec: &Recommended, r: &Range) -> bool {
    let det_ok = rec.detention_days == 0
        || r.detention_days
            .is_some_and(|[lo, hi]| (lo..=hi).contains(&rec.detention_days));
    let fine_ok = rec.fine_yuan == 0
        || r.fine_yuan
            .is_some_and(|[lo, hi]| (lo.max(1)..=hi).contains(&rec.fine_yuan));
    let (w, dd, f) = (rec.warning, rec.detention_days > 0, rec.fine_yuan > 0);
    let shape = match r.form {
        Form::Warning => (w, dd, f) == (true, false, false),
        Form::WarningOrFine => {
            (w, dd, f) == (true, false, false) || (w, dd, f) == (false, false, true)
        }
        Form::DetentionOrWarning => {
            (w, dd, f) == (true, false, false) || (w, dd, f) == (false, true, false)
        }
        Form::Detention => (w, dd, f) == (false, true, false),
        Form::DetentionOrFine => {
            (w, dd, f) == (false, true, false) || (w, dd, f) == (false, false, true)
        }
        Form::DetentionOptFine => !w && dd,
        Form::DetentionAndFine => (w, dd, f) == (false, true, true),
        Form::Fine => (w, dd, f) == (false, false, true),
    };
    det_ok && fine_ok && shape
}

fn all_circumstance_codes() -> Vec<String> {
    let mut v: Vec<String> = STATUTORY_CIRCUMSTANCES
        .iter()
        .map(|s| s.code.to_string())
        .collect();
    v.extend(
        engine()
            .standard
            .circumstances
            .iter()
            .map(|c| c.code.to_string()),
    );
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn never_above_max_below_min_only_by_reduction_and_explained(
        case in 0usize..10_000,
        sit in 0usize..8,
        circ_mask in any::<u64>(),
        age in 14u8..95,
        pregnant in any::<bool>(),
        nursing in any::<bool>(),
        first in proptest::option::of(any::<bool>()),
        old in any::<bool>(),
        month in 1u32..12,
        gains in proptest::option::of(0u64..100_000),
    ) {
        let e = engine();
        let cs = cases();
        let (code, pcode, tier, items) = &cs[case % cs.len()];
        let sits: Vec<_> = e.standard.situations_for(pcode, *tier).collect();
        let all = all_circumstance_codes();
        let circumstances: Vec<String> = all
            .iter()
            .enumerate()
            .filter(|(i, c)| circ_mask & (1 << (i % 64)) != 0 && c.as_str() != "self_eradicated")
            .map(|(_, c)| c.clone())
            .collect();
        let date = if old { NaiveDate::from_ymd_opt(2025, month, 1).unwrap() } else { NaiveDate::from_ymd_opt(2026, month, 1).unwrap() };
        let i = AssessInput {
            article: code.clone(),
            item: items.first().map(|_| items[sit % items.len()]),
            situation: sits.get(sit % sits.len().max(1)).map(|s| s.code.to_string()),
            tier: Some(*tier),
            circumstances: circumstances.clone(),
            person: Person { age, pregnant, nursing_infant: nursing, first_offence: first, foreigner: false },
            offence_date: date,
            discovered_date: None,
            decision_date: None,
            illegal_gains_yuan: gains,
        };
        let a = e.assess(&i).unwrap();
        let rec = a.recommended;
        // Never above the statutory maximum of the applied tier.
        if let Some([_, hi]) = a.range.detention_days { prop_assert!(rec.detention_days <= hi); } else { prop_assert_eq!(rec.detention_days, 0); }
        if let Some([_, hi]) = a.range.fine_yuan { prop_assert!(rec.fine_yuan <= hi); } else { prop_assert_eq!(rec.fine_yuan, 0); }
        prop_assert!(!rec.warning || a.range.warning || a.names("reduce"));
        match a.outcome {
            Outcome::Penalty => {
                if !lawful(&rec, &a.range) {
                    // Below the minimum only through a statutory ground for reduction, named.
                    prop_assert!(a.names("reduce"), "{:?} {:?}", rec, a.range);
                    prop_assert!(a.explain.iter().any(|s| s.effect == Effect::Reduce
                        && (s.rule == "minor_14_18" || s.rule == "statutory_ground")), "{:#?}", a.explain);
                }
            }
            Outcome::Exempt => prop_assert!(a.explain.iter().any(|s| s.effect == Effect::Exempt)),
            Outcome::NotPunishable => prop_assert!(a.names("old_law_no_counterpart")),
            Outcome::TimeBarred => prop_assert!(a.names("limitation")),
        }
        // The explanation names every rule applied.
        prop_assert!(a.names("law_version") || a.outcome == Outcome::NotPunishable);
        if a.outcome == Outcome::Penalty {
            prop_assert!(a.names("tier") && a.names("situation"));
            for c in &circumstances {
                prop_assert!(
                    a.explain.iter().any(|s| s.code.as_deref() == Some(c.as_str()))
                        || matches!(c.as_str(), "serious_and_egregious" | "repeat_within_year" | "remedied" | "forgiven"),
                    "circumstance {} not named", c
                );
            }
            if age < 18 { prop_assert!(a.names("minor_14_18")); }
            if rec.detention_days > 0 && !rec.detention_executed { prop_assert!(a.names("detention_not_executed")); }
            if rec.detention_days > 0 && rec.detention_executed && !(16..70).contains(&age) {
                prop_assert!(a.names("detention_executed_exception"));
            }
        }
    }
}

#[test]
fn violation_articles_are_those_of_the_builtin_catalogs() {
    let e = engine();
    for cat in [&e.catalog, &e.old] {
        let numbers: Vec<u16> = cat.articles.iter().map(|a| a.article).collect();
        let (first, last) = cat.version.violation_articles();
        assert_eq!(numbers.iter().min(), Some(&first), "{:?}", cat.version);
        assert_eq!(numbers.iter().max(), Some(&last), "{:?}", cat.version);
        assert!(cat.version.has_violation_article(first));
        assert!(!cat.version.has_violation_article(last + 1));
    }
    assert_eq!(
        LawVersion::V2025.numbering_hint(crate::Lang::Zh),
        "2025年修订版条文号为第26条至第89条"
    );
    assert_eq!(
        LawVersion::V2025.numbering_hint(crate::Lang::En),
        "2025 numbering: articles 26–89"
    );
}

#[test]
fn refusal_reasons_carry_both_languages_apart() {
    let e = engine();
    let mut i = input("51", 30, &[], "2026-02-01");
    i.decision_date = Some(d("2026-01-01"));
    let err = e.assess(&i).unwrap_err();
    assert_eq!(
        err.to_string(),
        "decision_date is before offence_date / 决定日期早于行为日期"
    );
    let r = err.reason().unwrap();
    assert_eq!(
        (r.en(), r.zh()),
        (
            "decision_date is before offence_date",
            "决定日期早于行为日期"
        )
    );
    let err = e.assess(&input("60", 15, &[], "2026-02-01")).unwrap_err();
    let r = err.reason().unwrap();
    assert!(err.to_string().ends_with(r.as_str()), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("{} / {}", r.en(), r.zh())),
        "{err}"
    );
    assert!(
        e.assess(&input("99", 30, &[], "2026-02-01"))
            .unwrap_err()
            .reason()
            .is_none()
    );
}

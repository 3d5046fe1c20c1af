//! Robustness of every parser that reads what others send: the identifier checks and
//! maskers, the date-time reader, and the data-file loaders an administrator can replace
//! (categories, calendars, deadline rules, penalty catalogs and standards). Arbitrary and
//! near-valid input must get an answer — a value or a typed refusal — never a panic, and
//! what a check accepts it accepts again unchanged. (Property tests on the stable
//! toolchain, bounded, in place of coverage-guided fuzzing.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

use chrono::NaiveDate;
use frontline_core::ident::{
    id_number_birth_date, mask_id_number, mask_name, mask_phone, parse_phone, validate_id_number,
    validate_phone, validate_plate,
};
use frontline_core::incident::category::{BUILTIN_TOML as CATEGORIES, CategoryTree};
use frontline_core::incident::parse_reported_at;
use frontline_core::penalty::catalog::{Catalog, PSAPL_2012_JSON, PSAPL_2025_JSON};
use frontline_core::penalty::standard::{DEFAULT_STANDARD_TOML, Standard};
use frontline_core::period::calendar::{BUILTIN as CALENDARS, YearCalendar};
use frontline_core::period::rules::{BUILTIN_TOML as RULES, RuleCatalog};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// Text near an identifier: digits, `X`, letters, separators, a province, a few oddities.
const NEAR_ID: &str = "[0-9Xx京沪粤A-Z \\-·+()\u{200b}\u{ff10}-\u{ff19}]{0,24}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Element extraction reads any narrative: spans inside the text, text as written,
    /// and never more than the cap.
    #[test]
    fn elements_of_any_narrative(
        s in "([0-9０-９元块万千百十点时分:：年月日号昨今晚前天下午上晚京皖AB·¥ .,X-]|[\\PC]){0,80}"
    ) {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z").unwrap().to_utc();
        let chars: Vec<char> = s.chars().collect();
        let found = frontline_core::incident::elements::extract(&s, at);
        prop_assert!(found.len() <= frontline_core::incident::elements::ELEMENTS_MAX);
        for e in found {
            prop_assert!(e.start < e.end && e.end <= chars.len());
            let text: String = chars[e.start..e.end].iter().collect();
            prop_assert_eq!(text, e.text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identifier_checks_answer_and_are_idempotent(
        s in prop_oneof![any::<String>(), NEAR_ID.prop_map(String::from)]
    ) {
        if let Ok(id) = validate_id_number("id", &s, today()) {
            prop_assert_eq!(validate_id_number("id", &id, today()), Ok(id.clone()));
            prop_assert!(id_number_birth_date(&id).is_some());
            // Masked: the birth date and sequence never shown.
            let masked = mask_id_number(&id);
            prop_assert_eq!(masked.chars().count(), 18);
            prop_assert!(masked.contains("********"));
        }
        if let Ok(p) = validate_phone("phone", &s) {
            prop_assert_eq!(validate_phone("phone", &p), Ok(p.clone()));
            prop_assert!(parse_phone(&p).is_some());
            prop_assert!(mask_phone(&p).contains('*'));
        }
        if let Ok(plate) = validate_plate("plate", &s) {
            prop_assert_eq!(validate_plate("plate", &plate), Ok(plate.clone()));
        }
        // The rest only has to answer.
        let _ = (id_number_birth_date(&s), parse_phone(&s), mask_name(&s));
        let _ = (mask_id_number(&s), mask_phone(&s), parse_reported_at(&s));
    }

    /// A well-formed ID number (right check character) is accepted, and any one-char
    /// change of it is refused or still a valid number: never a panic, never junk.
    #[test]
    fn valid_id_numbers_pass_and_their_edits_are_judged(
        region in prop::sample::select(vec!["110105", "610921", "440305", "650102"]),
        y in 1950i32..2020, m in 1u32..=12, d in 1u32..=28, seq in "[0-9]{3}",
        at in 0usize..18, c in "[0-9X\u{4e00}]",
    ) {
        let body = format!("{region}{y:04}{m:02}{d:02}{seq}");
        let id = format!("{body}{}", frontline_core::ident::id_check_char(&body).expect("check"));
        prop_assert_eq!(validate_id_number("id", &id, today()), Ok(id.clone()));
        let edited: String = id
            .chars()
            .enumerate()
            .map(|(i, x)| if i == at { c.chars().next().unwrap_or(x) } else { x })
            .collect();
        if let Ok(v) = validate_id_number("id", &edited, today()) {
            prop_assert_eq!(v, edited);
        }
    }

    /// A number that is not a phone number shows at most its last four characters.
    #[test]
    fn masks_keep_at_most_the_last_four(s in "[0-9]{5,30}") {
        let masked = mask_phone(&s);
        prop_assert!(masked.contains('*'), "{} -> {}", s, masked);
        if parse_phone(&s).is_none() {
            let shown = masked.chars().filter(|c| *c != '*').count();
            prop_assert!(shown <= 4, "{} -> {}", s, masked);
        }
        let masked = mask_id_number(&s);
        let shown = masked.chars().filter(|c| *c != '*').count();
        prop_assert!(shown <= if s.len() == 18 { 10 } else { 4 }, "{} -> {}", s, masked);
    }
}

/// One edit of a file: delete a stretch, insert text, repeat a line, or cut the file.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    RepeatLine(usize),
    Cut(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            prop_oneof![
                any::<String>(),
                "[\\[\\]{}=\",.:0-9a-z \n\u{0}-\u{1f}]{1,12}".prop_map(String::from),
            ]
        )
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<usize>().prop_map(Edit::RepeatLine),
        any::<usize>().prop_map(Edit::Cut),
    ]
}

/// `text` with `edits` applied (positions taken modulo the length, on char boundaries).
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match e {
            Edit::Delete(at, len) => {
                let at = at % n;
                let end = (at + len).min(chars.len());
                chars.drain(at.min(chars.len())..end);
            }
            Edit::Insert(at, s) => {
                let at = (at % n).min(chars.len());
                chars.splice(at..at, s.chars());
            }
            Edit::RepeatLine(at) => {
                let s: String = chars.iter().collect();
                let lines: Vec<&str> = s.split('\n').collect();
                let i = at % lines.len();
                let mut out = lines[..=i].join("\n");
                out.push('\n');
                out.push_str(&lines[i..].join("\n"));
                chars = out.chars().collect();
            }
            Edit::Cut(at) => chars.truncate(at % n),
        }
    }
    chars.into_iter().collect()
}

#[test]
fn the_shipped_files_load() {
    assert!(CategoryTree::parse(CATEGORIES).is_ok());
    for (name, text) in CALENDARS {
        assert!(YearCalendar::parse(name, text).is_ok(), "{name}");
    }
    assert!(RuleCatalog::parse(RULES).is_ok());
    let catalog = Catalog::parse(PSAPL_2025_JSON).expect("2025 catalog");
    assert!(Catalog::parse(PSAPL_2012_JSON).is_ok());
    assert!(Standard::parse(DEFAULT_STANDARD_TOML, &catalog).is_ok());
    // The mutator changes what it is given.
    let edits = [Edit::Delete(3, 5), Edit::Insert(0, "x".into())];
    assert_ne!(mutate(CATEGORIES, &edits), CATEGORIES);
}

proptest! {
    // The big files take milliseconds each to parse in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn edited_data_files_are_loaded_or_refused(edits in prop::collection::vec(edit(), 1..4)) {
        let _ = CategoryTree::parse(&mutate(CATEGORIES, &edits));
        for (name, text) in CALENDARS {
            let _ = YearCalendar::parse(name, &mutate(text, &edits));
        }
        let _ = RuleCatalog::parse(&mutate(RULES, &edits));
        let _ = Catalog::parse(&mutate(PSAPL_2012_JSON, &edits));
        let catalog = Catalog::parse(PSAPL_2025_JSON).expect("2025 catalog");
        let _ = Standard::parse(&mutate(DEFAULT_STANDARD_TOML, &edits), &catalog);
    }

    #[test]
    fn arbitrary_text_as_a_data_file_is_refused(s in any::<String>()) {
        let _ = CategoryTree::parse(&s);
        let _ = YearCalendar::parse("x.toml", &s);
        let _ = RuleCatalog::parse(&s);
        let _ = Catalog::parse(&s);
        let catalog = Catalog::parse(PSAPL_2025_JSON).expect("2025 catalog");
        prop_assert!(Standard::parse(&s, &catalog).is_err());
    }
}

/// Text near a code: digits (also full-width), separators and a few oddities.
const NEAR_CODE: &str = "[0-9 \\-\u{3000}\u{ff10}-\u{ff19}a+.\u{200b}]{0,14}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The TOTP code reader answers for any text: six ASCII digits, or a field error
    /// (`required` for nothing typed); what it accepts it accepts again unchanged.
    #[test]
    fn totp_codes_are_read_or_refused(s in prop_oneof![any::<String>(), NEAR_CODE.prop_map(String::from)]) {
        match frontline_core::totp::parse_code("code", &s) {
            Ok(code) => {
                prop_assert_eq!(code.len(), frontline_core::totp::DIGITS);
                prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(frontline_core::totp::parse_code("code", &code), Ok(code.clone()));
            }
            Err(e) => {
                prop_assert_eq!(e.field.as_str(), "code");
                prop_assert!(matches!(e.code, "required" | "totp_code.invalid"), "{}", e.code);
            }
        }
    }

    /// Checking any text as a code against any secret at any instant answers (a step or
    /// a refusal) and never panics; an accepted step is within one of the instant's.
    #[test]
    fn totp_checks_answer_for_anything(
        code in prop_oneof![any::<String>(), "[0-9]{6}".prop_map(String::from)],
        secret in prop_oneof![any::<String>(), "[A-Z2-7]{16,40}".prop_map(String::from)],
        at in any::<i64>(),
        last in any::<i64>(),
    ) {
        if let Ok(step) = frontline_core::totp::verify(&secret, &code, at, last) {
            prop_assert!(step > last);
            prop_assert!((step - at / 30).abs() <= 1);
        }
    }
}

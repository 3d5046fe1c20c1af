//! Request reading and the engine's refusals as field errors.

use frontline_core::FieldError;
use frontline_core::penalty::{AssessError, AssessInput, Reason, StandardError, TierKind};

use super::*;
use serde_json::json;

fn fields(r: std::result::Result<AssessInput, Vec<FieldError>>) -> Vec<String> {
    match r {
        Ok(_) => Vec::new(),
        Err(e) => e
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect(),
    }
}

#[test]
fn request_contract_is_read_with_field_errors() {
    let ok = parse_assess_request(&json!({
        "article": 51, "tier": "heavier", "circumstances": ["first_violation", "first_violation"],
        "person": {"age": 17, "pregnant": false}, "offence_date": "2026-03-01"
    }));
    let ok = ok.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(ok.article, "51");
    assert_eq!(ok.tier, Some(TierKind::Heavier));
    assert_eq!(ok.circumstances, vec!["first_violation".to_string()]);
    assert_eq!(ok.person.age, 17);

    assert_eq!(
        fields(parse_assess_request(&json!({
            "article": "", "tier": "worst", "person": {"age": 300, "pregnant": "yes", "x": 1},
            "offence_date": "2026-13-01", "extra": true
        }))),
        vec![
            "extra:unknown_field",
            "article:required",
            "tier:tier.unknown",
            "person.x:unknown_field",
            "person.age:integer.range",
            "person.pregnant:boolean",
            "offence_date:date.format",
        ]
    );
    assert_eq!(
        fields(parse_assess_request(&json!({"article": "51"}))),
        vec!["person.age:required", "offence_date:required"]
    );
    assert_eq!(
        fields(parse_assess_request(&json!([1]))),
        vec![":body.object"]
    );
}

#[test]
fn engine_refusals_become_plain_field_errors() {
    let e = assess_field_error(&AssessError::UnknownViolation("999".into()));
    assert_eq!((e.field.as_str(), e.code), ("article", "unknown_violation"));
    assert!(e.zh.contains("999"), "{}", e.zh);
    let e = assess_field_error(&AssessError::InvalidInput {
        field: "decision_date",
        message: Reason::new(
            "decision_date is before offence_date",
            "决定日期早于行为日期",
        ),
    });
    assert_eq!(e.zh, "决定日期早于行为日期");
    assert_eq!(e.en, "decision_date is before offence_date");
    let se = StandardError {
        line: 2,
        entry: "situation 51-1.base.1".into(),
        message: "leaves the statute".into(),
    };
    let e = standard_field_error(&se, "a = 1\nfine_yuan = [1, 99999]\n");
    assert_eq!(e.field, "text");
    assert!(
        e.zh.starts_with("第 2 行（situation 51-1.base.1）"),
        "{}",
        e.zh
    );
    assert!(e.zh.contains("fine_yuan = [1, 99999]"), "{}", e.zh);
    assert_eq!(article_number("第51条"), Some(51));
    assert_eq!(article_number("26-2"), Some(26));
    assert_eq!(article_number("x"), None);
}

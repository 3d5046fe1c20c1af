//! Purposes of access (查询事由): why a person's identifiers are shown whole.
//!
//! Unmasking needs a purpose chosen from a list kept as data
//! (`data/unmask-purposes.toml`: code, `name_zh`, `name_en`, and `text_required` for the
//! catch-all "other"), so that the audit log holds a code one can count and filter by,
//! not whatever was typed. A purpose that requires a text (only `other` in the shipped
//! list) takes a *meaningful* one, see [`meaningful_text`].

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::{Errors, FieldError, Lang};
use crate::request::Given;
use crate::text;

/// The purpose list shipped with the binary.
pub const BUILTIN_TOML: &str = include_str!("../../../data/unmask-purposes.toml");

/// Longest free text of a purpose, in characters.
pub const TEXT_MAX: usize = 200;
/// Fewest letters or digits a free text must hold.
pub const TEXT_MIN_WORD_CHARS: usize = 4;
/// Fewest *different* letters or digits (so that `aaaa`, `1111` or `abab` are refused).
pub const TEXT_MIN_DISTINCT: usize = 3;

/// One purpose of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Purpose {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Whether the purpose needs a free text saying what the need is (`other`).
    #[serde(default)]
    pub text_required: bool,
}

impl Purpose {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurposeFile {
    #[serde(default)]
    purpose: Vec<Purpose>,
}

/// A validated purpose list, in file order.
#[derive(Debug, Clone)]
pub struct PurposeList {
    purposes: Vec<Purpose>,
}

/// A purpose as stated and checked: its code, and the text when the purpose needs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedPurpose {
    pub code: String,
    pub text: Option<String>,
}

impl PurposeList {
    /// Parses and validates a purpose file: at least one purpose; codes unique and made
    /// of `[a-z_]`; both names non-blank; no unknown keys. The error names the code.
    pub fn parse(toml_text: &str) -> Result<PurposeList, String> {
        let file: PurposeFile =
            toml::from_str(toml_text).map_err(|e| format!("unmask purposes: invalid TOML: {e}"))?;
        if file.purpose.is_empty() {
            return Err("unmask purposes: no purposes defined".to_string());
        }
        let mut seen = HashSet::new();
        for p in &file.purpose {
            if p.code.is_empty() || !p.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(format!(
                    "purpose {:?}: a code must be non-empty and use only a-z and _",
                    p.code
                ));
            }
            if !seen.insert(p.code.as_str()) {
                return Err(format!("purpose {:?}: duplicate code", p.code));
            }
            if p.name_zh.trim().is_empty() {
                return Err(format!("purpose {:?}: name_zh must not be empty", p.code));
            }
            if p.name_en.trim().is_empty() {
                return Err(format!("purpose {:?}: name_en must not be empty", p.code));
            }
        }
        Ok(PurposeList {
            purposes: file.purpose,
        })
    }

    /// The list shipped with the binary (`data/unmask-purposes.toml`).
    pub fn builtin() -> Result<PurposeList, String> {
        Self::parse(BUILTIN_TOML)
    }

    pub fn all(&self) -> &[Purpose] {
        &self.purposes
    }

    /// A handful of entries: a scan is faster than a map and keeps file order.
    pub fn get(&self, code: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.code == code)
    }

    /// Checks a stated purpose (`purpose`: a code of the list; `purpose_text`: the free
    /// text, given exactly when the purpose requires one) and reports every problem.
    pub fn check(
        &self,
        purpose: &Given<String>,
        purpose_text: &Given<String>,
    ) -> Result<StatedPurpose, Vec<FieldError>> {
        let mut errs = Errors::default();
        let chosen = match purpose {
            Given::Absent => {
                errs.push(required());
                None
            }
            Given::Wrong => {
                errs.push(unknown());
                None
            }
            Given::Value(code) => match self.get(code.trim()) {
                Some(p) => Some(p),
                None if code.trim().is_empty() => {
                    errs.push(required());
                    None
                }
                None => {
                    errs.push(unknown());
                    None
                }
            },
        };
        let typed = match purpose_text {
            Given::Absent => None,
            Given::Wrong => {
                errs.push(meaningless());
                None
            }
            Given::Value(t) => match text::line("purpose_text", t) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
        };
        let text = match (chosen, typed) {
            (Some(p), None) if p.text_required && errs.is_empty() => {
                errs.push(FieldError::new(
                    "purpose_text",
                    "required",
                    format!("选择「{}」时请写明查询事由", p.name_zh),
                    format!("Say what the purpose is when choosing “{}”", p.name_en),
                ));
                None
            }
            (Some(p), Some(t)) if p.text_required => match meaningful_text(&t) {
                Ok(()) => Some(t),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            // A text beside a listed purpose would be recorded as if it said something the
            // code does not: refused, so that the audit reads one way.
            (Some(p), Some(_)) => {
                errs.push(FieldError::new(
                    "purpose_text",
                    "purpose_text.not_expected",
                    format!("「{}」无需填写说明；需要说明时请选择「其他」", p.name_zh),
                    format!(
                        "“{}” takes no text; choose “Other” to describe the purpose",
                        p.name_en
                    ),
                ));
                None
            }
            (_, t) => t,
        };
        match (errs.into_result(()), chosen) {
            (Ok(()), Some(p)) => Ok(StatedPurpose {
                code: p.code.clone(),
                text,
            }),
            (Err(e), _) => Err(e),
            (Ok(()), None) => Err(vec![required()]),
        }
    }
}

fn required() -> FieldError {
    FieldError::new(
        "purpose",
        "purpose.required",
        "请选择查询事由",
        "Choose the purpose of access",
    )
}

fn unknown() -> FieldError {
    FieldError::new(
        "purpose",
        "purpose.unknown",
        "查询事由不在列表中，请从列表中选择",
        "Unknown purpose: choose one from the list",
    )
}

fn meaningless() -> FieldError {
    FieldError::new(
        "purpose_text",
        "purpose_text.not_meaningful",
        format!("请写明查询事由：至少{TEXT_MIN_WORD_CHARS}个文字或数字，不能只是标点或重复的字"),
        format!(
            "Describe the purpose: at least {TEXT_MIN_WORD_CHARS} letters or digits, not only punctuation or one character repeated"
        ),
    )
}

/// Whether an already normalised text (see [`text::line`]) says something: at most
/// [`TEXT_MAX`] characters, at least [`TEXT_MIN_WORD_CHARS`] letters or digits (any
/// script: 核实身份 counts four) of which at least [`TEXT_MIN_DISTINCT`] differ. This
/// cannot tell sense from nonsense; it refuses what is certainly not a reason
/// (punctuation, symbols, emoji, `....`, `aaaa`, `1212`) and leaves the rest to the
/// audit review, which sees the text.
pub fn meaningful_text(t: &str) -> Result<(), FieldError> {
    if t.chars().count() > TEXT_MAX {
        return Err(FieldError::too_long("purpose_text", TEXT_MAX));
    }
    let mut words = 0;
    let mut distinct: Vec<char> = Vec::with_capacity(TEXT_MIN_DISTINCT);
    for c in t.chars().filter(|c| c.is_alphanumeric()) {
        words += 1;
        let c = c.to_lowercase().next().unwrap_or(c);
        if distinct.len() < TEXT_MIN_DISTINCT && !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    if words < TEXT_MIN_WORD_CHARS || distinct.len() < TEXT_MIN_DISTINCT {
        return Err(meaningless());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> PurposeList {
        PurposeList::builtin().expect("builtin purposes load")
    }

    fn given(s: &str) -> Given<String> {
        Given::Value(s.to_string())
    }

    fn codes(r: Result<StatedPurpose, Vec<FieldError>>) -> Vec<(String, &'static str)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn builtin_list_loads_in_file_order() {
        let l = list();
        let codes: Vec<&str> = l.all().iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "case_handling",
                "callback",
                "contact_caller",
                "legal_review",
                "evidence",
                "other"
            ]
        );
        assert_eq!(l.get("callback").map(|p| p.name(Lang::Zh)), Some("回访"));
        assert_eq!(
            l.get("legal_review").map(|p| p.name(Lang::En)),
            Some("Legal review")
        );
        let needing: Vec<&str> = l
            .all()
            .iter()
            .filter(|p| p.text_required)
            .map(|p| p.code.as_str())
            .collect();
        assert_eq!(needing, ["other"]);
    }

    #[test]
    fn a_listed_code_is_accepted_alone() {
        let p = list().check(&given("callback"), &Given::Absent).unwrap();
        assert_eq!(
            p,
            StatedPurpose {
                code: "callback".into(),
                text: None
            }
        );
        // An empty text box beside a listed purpose is no text.
        let p = list()
            .check(&given("evidence"), &given(" \u{200b}"))
            .unwrap();
        assert_eq!(p.text, None);
    }

    #[test]
    fn missing_unknown_and_wrong_typed_purposes_are_refused() {
        let l = list();
        assert_eq!(
            codes(l.check(&Given::Absent, &Given::Absent)),
            [("purpose".to_string(), "purpose.required")]
        );
        assert_eq!(
            codes(l.check(&given("  "), &Given::Absent)),
            [("purpose".to_string(), "purpose.required")]
        );
        for bad in [
            "\u{0}\u{0}",
            "..",
            "回访",
            "Callback",
            "callback2",
            "核实报警人身份",
        ] {
            assert_eq!(
                codes(l.check(&given(bad), &Given::Absent)),
                [("purpose".to_string(), "purpose.unknown")],
                "{bad:?}"
            );
        }
        assert_eq!(
            codes(l.check(&Given::Wrong, &Given::Absent)),
            [("purpose".to_string(), "purpose.unknown")]
        );
    }

    #[test]
    fn other_needs_a_meaningful_text() {
        let l = list();
        let p = l
            .check(&given("other"), &given("  核实报警人身份，协查来函  "))
            .unwrap();
        assert_eq!(p.code, "other");
        assert_eq!(p.text.as_deref(), Some("核实报警人身份，协查来函"));
        assert!(l.check(&given("other"), &given("court order 12")).is_ok());
        assert_eq!(
            codes(l.check(&given("other"), &Given::Absent)),
            [("purpose_text".to_string(), "required")]
        );
        assert_eq!(
            codes(l.check(&given("other"), &given("\u{200b}\u{200b}"))),
            [("purpose_text".to_string(), "required")]
        );
        for junk in [
            "..",
            "....",
            "？？？？",
            "aaaa",
            "aaaaaaaa",
            "1111",
            "abab",
            "测试测试",
            "核实",
            "a.b.c",
            "😀😀😀😀",
            "-- -- --",
            "x1",
        ] {
            assert_eq!(
                codes(l.check(&given("other"), &given(junk))),
                [("purpose_text".to_string(), "purpose_text.not_meaningful")],
                "{junk:?}"
            );
        }
        for bad in ["\u{0}\u{0}abcd", "ab\u{7}cd", "ab\u{202e}cdef"] {
            let c = codes(l.check(&given("other"), &given(bad)));
            assert!(
                matches!(c.as_slice(), [(f, "text.control" | "text.bidi")] if f == "purpose_text"),
                "{bad:?}: {c:?}"
            );
        }
        let long = "查".repeat(100) + &"询".repeat(101);
        assert_eq!(
            codes(l.check(&given("other"), &given(&long))),
            [("purpose_text".to_string(), "too_long")]
        );
        assert_eq!(
            codes(l.check(&given("other"), &Given::Wrong)),
            [("purpose_text".to_string(), "purpose_text.not_meaningful")]
        );
    }

    #[test]
    fn a_text_beside_a_listed_purpose_is_refused_and_every_problem_reported() {
        let l = list();
        assert_eq!(
            codes(l.check(&given("callback"), &given("顺便查一下身份"))),
            [("purpose_text".to_string(), "purpose_text.not_expected")]
        );
        // Both fields wrong at once: both reported.
        assert_eq!(
            codes(l.check(&given("nope"), &given("\u{0}"))),
            [
                ("purpose".to_string(), "purpose.unknown"),
                ("purpose_text".to_string(), "text.control")
            ]
        );
    }

    #[test]
    fn bad_files_are_refused_naming_the_code() {
        let one = |code: &str, zh: &str, extra: &str| {
            format!("[[purpose]]\ncode = \"{code}\"\nname_zh = \"{zh}\"\nname_en = \"X\"\n{extra}")
        };
        assert!(PurposeList::parse(&one("x", "甲", "")).is_ok());
        assert!(PurposeList::parse("").unwrap_err().contains("no purposes"));
        let e = PurposeList::parse(&one("Bad-Code", "甲", "")).unwrap_err();
        assert!(e.contains("\"Bad-Code\""), "{e}");
        let e = PurposeList::parse(&one("x", " ", "")).unwrap_err();
        assert!(e.contains("\"x\"") && e.contains("name_zh"), "{e}");
        let e = PurposeList::parse(&format!("{}{}", one("x", "甲", ""), one("x", "乙", "")))
            .unwrap_err();
        assert!(e.contains("\"x\"") && e.contains("duplicate"), "{e}");
        let e = PurposeList::parse(&one("x", "甲", "colour = \"red\"\n")).unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }
}

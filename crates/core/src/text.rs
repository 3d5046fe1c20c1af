//! The one text normaliser every request field goes through.
//!
//! [`line`] is for single-line fields (names, addresses, codes, usernames): no control
//! character at all, not even newline or tab. [`block`] is for long text (a narrative, an
//! uploaded file): newline and tab are allowed, CRLF and lone CR become LF. Both refuse
//! bidirectional overrides and isolates (U+202A–202E, U+2066–2069), which can make a text
//! read differently from what it stores; put the text in Unicode NFC; and trim white space
//! and invisible characters (zero-width space and joiners, word joiner, BOM, soft hyphen,
//! …) at both ends. A text that is nothing but white space and invisible characters is
//! blank: `Ok(None)`, so that a required field reports `required`.
//!
//! Refusals are [`FieldError`]s on the given field with stable codes:
//! `text.control` (a C0/C1 control character or DEL), `text.multiline` (a line break or
//! tab in a single-line field) and `text.bidi` (a bidirectional override or isolate).

use unicode_normalization::UnicodeNormalization;

use crate::error::FieldError;

/// A single-line text: normalised, or `None` when blank.
pub fn line(field: &str, s: &str) -> Result<Option<String>, FieldError> {
    clean(field, s, false)
}

/// A long (multi-line) text: normalised with LF line ends, or `None` when blank.
pub fn block(field: &str, s: &str) -> Result<Option<String>, FieldError> {
    clean(field, s, true)
}

/// [`line`] for a field that must not be blank.
pub fn required_line(field: &str, s: &str) -> Result<String, FieldError> {
    line(field, s)?.ok_or_else(|| FieldError::required(field))
}

/// Characters that show nothing and are trimmed at the ends of a text (inside a text
/// they may be meaningful: a zero-width joiner builds an emoji, a soft hyphen a break).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                  // soft hyphen
            | '\u{034F}'            // combining grapheme joiner
            | '\u{061C}'            // Arabic letter mark
            | '\u{115F}'..='\u{1160}' // Hangul fillers
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}' // Mongolian selectors and vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM, RLM
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{206A}'..='\u{206F}' // deprecated format characters
            | '\u{3164}'            // Hangul filler
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{FEFF}'            // BOM / zero-width no-break space
            | '\u{FFA0}'            // halfwidth Hangul filler
            | '\u{E0000}'..='\u{E007F}' // tags
    )
}

/// A bidirectional embedding, override or isolate.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

fn control(field: &str, c: char) -> FieldError {
    let cp = code_point(c);
    FieldError::new(
        field,
        "text.control",
        format!("不能包含控制字符（{cp}）"),
        format!("Must not contain a control character ({cp})"),
    )
}

fn multiline(field: &str) -> FieldError {
    FieldError::new(
        field,
        "text.multiline",
        "应为单行文本，不能包含换行或制表符",
        "Must be a single line, without line breaks or tabs",
    )
}

fn bidi(field: &str, c: char) -> FieldError {
    let cp = code_point(c);
    FieldError::new(
        field,
        "text.bidi",
        format!("不能包含文字方向控制字符（{cp}）"),
        format!("Must not contain a text direction control character ({cp})"),
    )
}

fn clean(field: &str, s: &str, long: bool) -> Result<Option<String>, FieldError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' | '\t' if !long => return Err(multiline(field)),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => return Err(control(field, c)),
            c if is_bidi_control(c) => return Err(bidi(field, c)),
            c => out.push(c),
        }
    }
    let trimmed = out.trim_matches(is_blank);
    if trimmed.is_empty() {
        return Ok(None);
    }
    let nfc: String = trimmed.nfc().collect();
    // Composition never creates white space or invisible characters at the ends, but
    // trimming again keeps the result a fixed point whatever the input.
    let nfc = nfc.trim_matches(is_blank);
    if nfc.is_empty() {
        Ok(None)
    } else {
        Ok(Some(nfc.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::is_nfc;

    fn code(r: Result<Option<String>, FieldError>) -> &'static str {
        r.unwrap_err().code
    }

    #[test]
    fn controls_are_refused_with_the_field_and_the_code_point() {
        let e = line("caller.name", "张\u{0}三").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("caller.name", "text.control"));
        assert_eq!(e.en, "Must not contain a control character (U+0000)");
        assert_eq!(e.zh, "不能包含控制字符（U+0000）");
        assert_eq!(code(block("narrative", "abc\u{0}def")), "text.control");
        assert_eq!(code(line("x", "ring\u{7}")), "text.control");
        assert_eq!(code(block("x", "ring\u{7}")), "text.control");
        assert_eq!(code(block("x", "del\u{7f}")), "text.control");
        assert_eq!(code(block("x", "c1\u{85}")), "text.control");
        assert_eq!(code(block("x", "c1\u{9f}")), "text.control");
    }

    #[test]
    fn a_line_has_no_breaks_or_tabs_a_block_may() {
        for s in ["a\nb", "a\tb", "a\r\nb", "a\rb", "a\u{2028}b"] {
            assert_eq!(code(line("address", s)), "text.multiline", "{s:?}");
        }
        assert_eq!(
            block("n", "a\r\nb\rc\n\td").unwrap().unwrap(),
            "a\nb\nc\n\td"
        );
        assert_eq!(block("n", "\r\n  a\n\n").unwrap().unwrap(), "a");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2069}',
        ] {
            let e = line("caller.name", &format!("ab{c}cd")).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("caller.name", "text.bidi"));
            assert_eq!(code(block("n", &format!("{c}"))), "text.bidi");
        }
    }

    #[test]
    fn invisible_and_white_ends_are_trimmed_and_only_them_is_blank() {
        assert_eq!(line("n", "\u{200b}\u{200b}").unwrap(), None);
        assert_eq!(
            line("n", " \u{3000}\u{feff}\u{2060}\u{200d} ").unwrap(),
            None
        );
        assert_eq!(block("n", "\n\t\u{200c}\n").unwrap(), None);
        assert_eq!(line("n", "").unwrap(), None);
        assert_eq!(
            line("n", "\u{feff} 张三\u{200b}\u{3000}").unwrap().unwrap(),
            "张三"
        );
        // Inside a text a joiner stays (it builds emoji sequences).
        assert_eq!(line("n", "a\u{200d}b").unwrap().unwrap(), "a\u{200d}b");
        let e = required_line("caller.name", "\u{200b}\u{200b}").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("caller.name", "required"));
    }

    #[test]
    fn text_is_put_in_nfc() {
        assert_eq!(line("n", "Cafe\u{301}").unwrap().unwrap(), "Caf\u{e9}");
        assert_eq!(line("n", "\u{212b}").unwrap().unwrap(), "\u{c5}");
        // Compatibility forms are kept (NFC, not NFKC): full-width digits stay.
        assert_eq!(line("n", "１３８").unwrap().unwrap(), "１３８");
    }

    proptest! {
        #[test]
        fn never_panics_gives_nfc_and_is_idempotent(s in any::<String>(), long in any::<bool>()) {
            let f = if long { block } else { line };
            if let Ok(Some(out)) = f("f", &s) {
                prop_assert!(is_nfc(&out));
                prop_assert!(!out.is_empty());
                prop_assert!(!out.starts_with(is_blank) && !out.ends_with(is_blank));
                prop_assert!(!out.chars().any(|c| is_bidi_control(c) || c == '\r'));
                prop_assert!(!out.chars().any(|c| c.is_control() && !(long && (c == '\n' || c == '\t'))));
                prop_assert_eq!(f("f", &out), Ok(Some(out.clone())));
            }
        }

        #[test]
        fn mixed_text_round_trips(s in "[a-z\u{0300}-\u{036f}\u{200b}-\u{200d}\u{ac00}-\u{ac10}\u{1100}-\u{1112}\u{1161}-\u{1175} \n\r\t]{0,40}") {
            if let Ok(Some(out)) = block("f", &s) {
                prop_assert!(is_nfc(&out));
                prop_assert_eq!(block("f", &out), Ok(Some(out.clone())));
            }
        }
    }
}

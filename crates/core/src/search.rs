//! Full-text search rules: how a text is cut into index terms and how a search term is
//! read, with no I/O (the index itself is in `frontline-app::search`).
//!
//! Texts are cut into **overlapping character bigrams** (CJK n-grams of two): `电瓶车被盗`
//! is `电瓶 瓶车 车被 被盗` at positions 0–3 (the character offsets). A search term of two
//! characters is one bigram; a longer one is the phrase of its bigrams at consecutive
//! positions. So a term matches a text exactly when the text contains it as a substring
//! (after [`fold`]): every occurrence of the term at offset `p` puts its `k`-th bigram
//! at position `p + k`, and conversely a phrase match at `p` spells the term there. A
//! word segmenter (jieba) would be wrong here: `电瓶车` is one word to it, so `电瓶` would
//! not find `电瓶车被盗`. Bigrams with white space in them are not indexed: a term never
//! holds white space (the query splits there), so none could ever match.
//!
//! Folding makes the match insensitive to ASCII case and to full-width forms (`ＡＢ１`
//! is `ab1`); it maps one character to one character, so positions stay offsets.

use crate::error::FieldError;

/// The shortest term (a bigram).
pub const TERM_MIN_CHARS: usize = 2;
/// The longest query (all its terms, with the spaces between them).
pub const QUERY_MAX_CHARS: usize = 100;
/// The most terms one query may hold (all must match).
pub const QUERY_MAX_TERMS: usize = 8;

/// One character as the index sees it: full-width ASCII forms as ASCII, ASCII lower case.
pub fn fold(c: char) -> char {
    let c = match c {
        // U+FF01..=U+FF5E are the full-width forms of U+0021..=U+007E.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// A text folded (one character for one, see [`fold`]).
pub fn folded(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// The bigrams of a text with their positions (character offsets), in order; bigrams
/// with white space are left out.
pub fn bigrams(text: &str) -> impl Iterator<Item = (usize, [char; 2])> + '_ {
    let mut chars = text.chars().map(fold).peekable();
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        loop {
            let a = chars.next()?;
            let b = *chars.peek()?;
            let p = pos;
            pos += 1;
            if !a.is_whitespace() && !b.is_whitespace() {
                return Some((p, [a, b]));
            }
        }
    })
}

/// One search term: its bigrams with their offsets within the term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The folded term as typed.
    pub text: String,
    pub bigrams: Vec<(usize, String)>,
}

/// Reads a query: white space separates terms, every term must be found (AND). The
/// query (trimmed) is 2–100 characters, each term at least 2, at most 8 terms.
pub fn parse_query(field: &str, q: &str) -> Result<Vec<Term>, FieldError> {
    let q = crate::text::line(field, q)?.unwrap_or_default();
    let n = q.chars().count();
    if n < TERM_MIN_CHARS {
        return Err(FieldError::new(
            field,
            "q.too_short",
            format!("搜索词至少 {TERM_MIN_CHARS} 个字"),
            format!("A search term needs at least {TERM_MIN_CHARS} characters"),
        ));
    }
    if n > QUERY_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "q.too_long",
            format!("搜索内容最多 {QUERY_MAX_CHARS} 个字"),
            format!("A search may hold at most {QUERY_MAX_CHARS} characters"),
        ));
    }
    let folded = folded(&q);
    let words: Vec<&str> = folded.split_whitespace().collect();
    if words.len() > QUERY_MAX_TERMS {
        return Err(FieldError::new(
            field,
            "q.too_many_terms",
            format!("最多 {QUERY_MAX_TERMS} 个搜索词"),
            format!("At most {QUERY_MAX_TERMS} search terms"),
        ));
    }
    if words.iter().any(|w| w.chars().count() < TERM_MIN_CHARS) {
        return Err(FieldError::new(
            field,
            "q.term_too_short",
            format!("每个搜索词至少 {TERM_MIN_CHARS} 个字（用空格分开的每一段）"),
            format!(
                "Each search term (separated by spaces) needs at least {TERM_MIN_CHARS} characters"
            ),
        ));
    }
    Ok(words
        .into_iter()
        .map(|w| Term {
            text: w.to_string(),
            bigrams: bigrams(w)
                .map(|(p, [a, b])| (p, [a, b].iter().collect()))
                .collect(),
        })
        .collect())
}

/// What a search must find, stated without the index: every term occurs in the folded
/// text. The index's answers are tested against this.
pub fn matches(terms: &[Term], text: &str) -> bool {
    let t = folded(text);
    terms.iter().all(|term| t.contains(&term.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_overlap_and_skip_white_space() {
        let b: Vec<(usize, String)> = bigrams("电瓶车 被盗")
            .map(|(p, [a, b])| (p, [a, b].iter().collect()))
            .collect();
        assert_eq!(
            b,
            vec![(0, "电瓶".into()), (1, "瓶车".into()), (4, "被盗".into())]
        );
    }

    #[test]
    fn query_bounds_are_field_errors() {
        let code = |q: &str| parse_query("q", q).err().map(|e| e.code.to_string());
        assert_eq!(code("盗").as_deref(), Some("q.too_short"));
        assert_eq!(code("  盗 ").as_deref(), Some("q.too_short"));
        assert_eq!(code(&"盗".repeat(101)).as_deref(), Some("q.too_long"));
        assert_eq!(code("电瓶 盗").as_deref(), Some("q.term_too_short"));
        assert_eq!(code("a\u{202E}b").as_deref(), Some("text.bidi"));
        assert_eq!(code(&"ab ".repeat(9)).as_deref(), Some("q.too_many_terms"));
        let t = parse_query("q", " 电瓶车  ＡB ").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].bigrams, vec![(0, "电瓶".into()), (1, "瓶车".into())]);
        assert_eq!(t[1].text, "ab");
    }

    #[test]
    fn folding_keeps_one_char_for_one() {
        assert_eq!(folded("ＡＢ１abＣ"), "ab1abc");
        assert!(matches(&parse_query("q", "ab1").unwrap(), "xxＡＢ１yy"));
    }
}

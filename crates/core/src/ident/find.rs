//! Identifiers inside free text: the one detector that masking (a narrative, an address,
//! a name shown in a list, a page, the API or a CSV file) and the element extraction at
//! intake share.
//!
//! A hand-written single pass over the chars, no regular expressions: digits (ASCII or
//! full-width) form groups; groups separated by at most [`MAX_SEPARATOR`] spaces or dashes
//! form a run (`139 1234 5678`, `0551-6123456`, `110105 19491231 002X`). From each group
//! of a run the longest sequence of whole groups that is an identifier is taken, and the
//! scan goes on after it. A group is never split: `13912345678901` (14 digits, an order
//! number, say) holds no phone number. Each group is looked at for at most 18 digits'
//! worth of following groups, so the cost is linear in the text.
//!
//! Found are: mainland mobile numbers (`1[3-9]` + 9 digits, also after `86`/`+86`),
//! landlines with an area code (`010`/`02x` + 8 digits, `0[3-9]xx` + 7–8, the local
//! number starting with 2–9), and 18-character ID numbers whose region code and birth
//! date are real. An ID-shaped run with a wrong check digit is reported as
//! [`IdentKind::IdLike`] and masked all the same: it is most likely a mistyped ID number,
//! which identifies the person as well as the right one does; the extraction offers only
//! [`IdentKind::IdNumber`]. Local numbers without an area code (7–8 digits) are not
//! found: in a narrative they are as often amounts, case numbers or times.

use std::borrow::Cow;
use std::ops::Range;

use super::id_number::{ID_CHECK_CHARS, ID_WEIGHTS, PROVINCE_CODES};

/// Most separator characters between two digit groups of one number (`139 - 1234`).
pub(crate) const MAX_SEPARATOR: usize = 3;

/// What a span of free text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentKind {
    /// A mainland mobile number.
    Mobile,
    /// A landline number with its area code.
    Landline,
    /// A citizen ID number with a valid check character.
    IdNumber,
    /// Shaped like an ID number (real region code and birth date) but with a wrong check
    /// character: masked, never offered as a fact.
    IdLike,
}

/// One identifier found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: IdentKind,
    /// Byte range in the text, from the first digit (of a `86` prefix, if any) to the last
    /// digit or `X`.
    pub span: Range<usize>,
    /// Normalised: 11 digits for a mobile, `area-local` for a landline, 18 characters
    /// with an upper-case `X` for an ID number.
    pub value: String,
}

/// Every identifier in `text`, in order, not overlapping.
pub fn find_identifiers(text: &str) -> Vec<Found> {
    let scan = Scan::run(text);
    scan.hits
        .iter()
        .map(|h| {
            let digits = scan.digits.get(h.digits.clone()).unwrap_or_default();
            let start = digits.first().map_or(0, |d| d.pos);
            let end = match h.x {
                Some((pos, len)) => pos + len,
                None => digits.last().map_or(start, |d| d.pos + d.len),
            };
            let body: String = digits
                .iter()
                .skip(h.prefix)
                .map(|d| char::from(b'0' + d.val))
                .collect();
            let value = match h.kind {
                IdentKind::Landline => {
                    let (area, local) = body.split_at(area_len(&body).unwrap_or(0).min(body.len()));
                    format!("{area}-{local}")
                }
                IdentKind::IdNumber | IdentKind::IdLike if h.x.is_some() => format!("{body}X"),
                _ => body,
            };
            Found {
                kind: h.kind,
                span: start..end,
                value,
            }
        })
        .collect()
}

/// `text` with every identifier masked by the rules of the fields: a mobile keeps its
/// first 3 and last 4 digits (`139****5678`, `139 **** 5678`), a landline its area code
/// and last 4 (`0551-***3456`), an ID number its first 6 and last 4
/// (`110105********002X`). Only digits become `*`; separators and full-width digits
/// stay as typed. A text without identifiers comes back borrowed, unchanged.
///
/// Masking repeats until nothing is found, so that the result never holds an identifier
/// (kept digits next to other digits can form a new one) and masking it again changes
/// nothing. Each further pass masks at least 3 digits, and in practice there is none.
pub fn mask_identifiers(text: &str) -> Cow<'_, str> {
    let Some(mut masked) = mask_once(text) else {
        return Cow::Borrowed(text);
    };
    while let Some(again) = mask_once(&masked) {
        masked = again;
    }
    Cow::Owned(masked)
}

fn mask_once(text: &str) -> Option<String> {
    let scan = Scan::run(text);
    if scan.hits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for h in &scan.hits {
        let digits = scan.digits.get(h.digits.clone()).unwrap_or_default();
        let body = digits.get(h.prefix..).unwrap_or_default();
        let hidden = match h.kind {
            IdentKind::Mobile => 3..7,
            IdentKind::Landline => {
                let area = match body.get(1).map(|d| d.val) {
                    Some(1 | 2) => 3,
                    _ => 4,
                };
                area..body.len().saturating_sub(4)
            }
            IdentKind::IdNumber | IdentKind::IdLike => 6..14,
        };
        for d in body.get(hidden).unwrap_or_default() {
            out.push_str(text.get(copied..d.pos).unwrap_or_default());
            out.push('*');
            copied = d.pos + d.len;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

#[derive(Debug, Clone, Copy)]
struct Digit {
    /// Byte offset and length (1 for ASCII, 3 for full-width) in the text.
    pos: usize,
    len: usize,
    val: u8,
}

struct Hit {
    kind: IdentKind,
    /// Indices into [`Scan::digits`].
    digits: Range<usize>,
    /// Digits of a `86` country prefix at the start.
    prefix: usize,
    /// The check character `X` after the digits: byte offset and length.
    x: Option<(usize, usize)>,
}

#[derive(Default)]
struct Scan {
    digits: Vec<Digit>,
    hits: Vec<Hit>,
    /// The current run's groups, as index ranges into `digits`.
    groups: Vec<Range<usize>>,
}

enum State {
    Outside,
    InGroup,
    /// Separator characters seen after a group.
    InSep(usize),
}

fn digit(c: char) -> Option<u8> {
    let ascii = match c {
        '０'..='９' => char::from_u32(u32::from(c) - 0xFEE0)?,
        c => c,
    };
    ascii.to_digit(10).and_then(|v| u8::try_from(v).ok())
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}' | '\u{3000}' | '-' | '－' | '‐' | '‑' | '–' | '—'
    )
}

impl Scan {
    fn run(text: &str) -> Scan {
        let mut s = Scan::default();
        // Most texts hold no digit at all: nothing to allocate or look at.
        if !text.chars().any(|c| digit(c).is_some()) {
            return s;
        }
        let mut state = State::Outside;
        for (pos, c) in text.char_indices() {
            if let Some(val) = digit(c) {
                let i = s.digits.len();
                s.digits.push(Digit {
                    pos,
                    len: c.len_utf8(),
                    val,
                });
                match state {
                    State::InGroup => {
                        if let Some(g) = s.groups.last_mut() {
                            g.end = i + 1;
                        }
                    }
                    State::Outside | State::InSep(_) => s.groups.push(i..i + 1),
                }
                state = State::InGroup;
                continue;
            }
            state = match state {
                State::InGroup if matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ') => {
                    s.end_run(Some((pos, c.len_utf8())));
                    State::Outside
                }
                State::InGroup if is_separator(c) => State::InSep(1),
                State::InSep(n) if is_separator(c) && n < MAX_SEPARATOR => State::InSep(n + 1),
                State::Outside => State::Outside,
                State::InGroup | State::InSep(_) => {
                    s.end_run(None);
                    State::Outside
                }
            };
        }
        s.end_run(None);
        s
    }

    /// Takes the identifiers out of the current run; `x` is an `X` right after its last
    /// group.
    fn end_run(&mut self, x: Option<(usize, usize)>) {
        let groups = std::mem::take(&mut self.groups);
        let mut i = 0;
        while let Some(first) = groups.get(i) {
            let mut best = None;
            // The digits from group i on, at most 18 (the longest identifier).
            let mut vals = [0u8; 18];
            for (j, g) in groups.iter().enumerate().skip(i) {
                let range = first.start..g.end;
                if range.len() > vals.len() {
                    break;
                }
                let group = self.digits.get(g.clone()).unwrap_or_default();
                let at = g.start - first.start;
                for (slot, d) in vals.iter_mut().skip(at).zip(group) {
                    *slot = d.val;
                }
                let x_here = if j + 1 == groups.len() { x } else { None };
                let known = vals.get(..range.len()).unwrap_or_default();
                if let Some((kind, prefix, x)) = classify(known, x_here) {
                    best = Some((j, kind, prefix, range, x));
                }
            }
            match best {
                Some((j, kind, prefix, digits, x)) => {
                    self.hits.push(Hit {
                        kind,
                        digits,
                        prefix,
                        x,
                    });
                    i = j + 1;
                }
                None => i += 1,
            }
        }
        // Keep the allocation for the next run.
        self.groups = groups;
        self.groups.clear();
    }
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && matches!(d, [1, 3..=9, ..])
}

/// Length of the area code a landline starts with (`010`, `02x`: 3; `0[3-9]xx`: 4).
fn area_len(digits: &str) -> Option<usize> {
    match digits.as_bytes() {
        [b'0', b'1' | b'2', ..] => Some(3),
        [b'0', b'3'..=b'9', ..] => Some(4),
        _ => None,
    }
}

type Class = (IdentKind, usize, Option<(usize, usize)>);

fn classify(d: &[u8], x: Option<(usize, usize)>) -> Option<Class> {
    match d.len() {
        17 if x.is_some() => id_kind(d, None).map(|k| (k, 0, x)),
        18 => id_kind(d.get(..17)?, d.get(17).copied()).map(|k| (k, 0, None)),
        11 if is_mobile(d) => Some((IdentKind::Mobile, 0, None)),
        13 if matches!(d, [8, 6, ..]) && is_mobile(d.get(2..)?) => {
            Some((IdentKind::Mobile, 2, None))
        }
        10..=12 => {
            let area = match d {
                [0, 1 | 2, ..] => 3,
                [0, 3..=9, ..] => 4,
                _ => return None,
            };
            let local = d.get(area..)?;
            let ok = (7..=8).contains(&local.len())
                && matches!(local.first(), Some(2..=9))
                // 010 and 02x have 8-digit local numbers.
                && (area == 4 || local.len() == 8);
            ok.then_some((IdentKind::Landline, 0, None))
        }
        _ => None,
    }
}

/// For a 17-digit body and its check digit (`None`: an `X`), whether it is shaped like an
/// ID number and whether the check character is right.
fn id_kind(body: &[u8], check: Option<u8>) -> Option<IdentKind> {
    let num = |r: Range<usize>| -> Option<u32> {
        body.get(r)?
            .iter()
            .try_fold(0u32, |n, v| Some(n * 10 + u32::from(*v)))
    };
    if !PROVINCE_CODES.contains(&num(0..2)?) || num(2..6)? == 0 {
        return None;
    }
    let (y, m, day) = (num(6..10)?, num(10..12)?, num(12..14)?);
    let real_date = (1900..=2099).contains(&y)
        && chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, day).is_some();
    if !real_date {
        return None;
    }
    let sum: u32 = body
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(v, w)| u32::from(*v) * w)
        .sum();
    let expected = ID_CHECK_CHARS.get((sum % 11) as usize).copied();
    let given = match check {
        Some(v) => char::from(b'0' + v),
        None => 'X',
    };
    Some(if expected == Some(given) {
        IdentKind::IdNumber
    } else {
        IdentKind::IdLike
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(t: &str) -> Vec<(IdentKind, String)> {
        find_identifiers(t)
            .into_iter()
            .map(|f| (f.kind, f.value))
            .collect()
    }

    fn m(t: &str) -> String {
        mask_identifiers(t).into_owned()
    }

    use IdentKind::*;

    #[test]
    fn mobiles_in_their_written_forms() {
        for t in [
            "报警人电话13912345678，称",
            "电话 139 1234 5678 称",
            "电话139-1234-5678称",
            "手机１３９１２３４５６７８",
            "tel:+86 139 1234 5678.",
            "8613912345678",
            "139 - 1234 - 5678",
        ] {
            assert_eq!(kinds(t), [(Mobile, "13912345678".into())], "{t}");
        }
        assert_eq!(m("报警人电话13912345678，称"), "报警人电话139****5678，称");
        assert_eq!(m("电话 139 1234 5678 称"), "电话 139 **** 5678 称");
        assert_eq!(m("电话139-1234-5678称"), "电话139-****-5678称");
        assert_eq!(m("手机１３９１２３４５６７８"), "手机１３９****５６７８");
        assert_eq!(m("+86 139 1234 5678"), "+86 139 **** 5678");
        // Two numbers side by side are two.
        assert_eq!(m("13912345678 13812345678"), "139****5678 138****5678");
        let f = find_identifiers("电话 139 1234 5678 称");
        assert_eq!(f[0].span, "电话 ".len().."电话 139 1234 5678".len());
    }

    #[test]
    fn landlines_with_an_area_code() {
        assert_eq!(
            kinds("座机0551-6123456"),
            [(Landline, "0551-6123456".into())]
        );
        assert_eq!(kinds("010-62345678"), [(Landline, "010-62345678".into())]);
        assert_eq!(
            kinds("0755 2345 6789"),
            [(Landline, "0755-23456789".into())]
        );
        assert_eq!(m("座机0551-6123456转"), "座机0551-***3456转");
        assert_eq!(m("010 62345678"), "010 ****5678");
        // A local number alone, or one starting with 0/1, is not taken for a phone.
        assert!(kinds("房租6123456元").is_empty());
        assert!(kinds("0551-0123456").is_empty());
    }

    #[test]
    fn id_numbers_valid_and_mistyped() {
        assert_eq!(
            kinds("身份证号11010519491231002X。"),
            [(IdNumber, "11010519491231002X".into())]
        );
        assert_eq!(
            kinds("110105 19491231 002x"),
            [(IdNumber, "11010519491231002X".into())]
        );
        assert_eq!(
            kinds("610921199001011234"),
            [(IdNumber, "610921199001011234".into())]
        );
        // One digit off (the check character says so): still masked, not offered.
        assert_eq!(
            kinds("610921199001011235"),
            [(IdLike, "610921199001011235".into())]
        );
        assert_eq!(m("610921199001011235"), "610921********1235");
        assert_eq!(m("身份证11010519491231002X"), "身份证110105********002X");
        assert_eq!(m("110105 19491231 002x"), "110105 ******** 002x");
        assert_eq!(m("610921199001011234"), "610921********1234");
        // 18 digits that are no ID number (no real date / region): an order number.
        assert!(kinds("单号202605131234567890").is_empty());
        assert!(kinds("991234199001011234").is_empty());
    }

    #[test]
    fn other_numbers_are_left_alone() {
        for t in [
            "2026-05-13 14:30 被盗电动车一辆，价值3500元",
            "车牌皖A12345",
            "1391234567890",
            "订单1391234567812345678901",
            "QQ 12345678",
            "",
            "没有数字",
        ] {
            assert!(kinds(t).is_empty(), "{t}");
            assert!(matches!(mask_identifiers(t), Cow::Borrowed(_)), "{t}");
        }
        // A date before a phone number does not hide it.
        assert_eq!(m("2026-05-13 13912345678"), "2026-05-13 139****5678");
    }

    #[test]
    fn masking_reaches_a_fixed_point() {
        // The kept digits of the first number and the next digits form a second one.
        let t = "1391234 0551-6123456";
        let once = m(t);
        assert!(find_identifiers(&once).is_empty(), "{once}");
        assert_eq!(m(&once), once);
    }

    #[test]
    fn scanning_is_linear() {
        // 200,000 chars of digit groups: one scan, not one per start position.
        let t = "13912345678 0551-6123456 11010519491231002X ".repeat(5_000);
        let start = std::time::Instant::now();
        let masked = m(&t);
        assert_eq!(find_identifiers(&t).len(), 15_000);
        assert!(find_identifiers(&masked).is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        let digits = "1".repeat(200_000);
        assert!(find_identifiers(&digits).is_empty());
        let spaced = "1 ".repeat(100_000);
        assert!(find_identifiers(&spaced).len() < 100_000);
    }

    fn text_with_ids() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[\\PC]{0,6}",
            "[0-9 \\-Xx０-９]{0,12}",
            Just("13912345678".to_string()),
            Just("139 1234 5678".to_string()),
            Just("0551-6123456".to_string()),
            Just("11010519491231002X".to_string()),
            Just("610921199001011234".to_string()),
            Just("*".to_string()),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn masking_leaves_no_identifier_whole_and_is_idempotent(t in text_with_ids()) {
            let once = mask_identifiers(&t).into_owned();
            prop_assert!(find_identifiers(&once).is_empty(), "{t:?} -> {once:?}");
            prop_assert_eq!(mask_identifiers(&once).into_owned(), once.clone());
            // Every identifier found has lost digits where it stood.
            for f in find_identifiers(&t) {
                let from = t[..f.span.start].chars().count();
                let len = t[f.span.clone()].chars().count();
                let stars = once.chars().skip(from).take(len).filter(|c| *c == '*').count();
                prop_assert!(stars >= 3, "{t:?} -> {once:?}");
            }
            // Only digits change, and only to `*`.
            prop_assert_eq!(once.chars().count(), t.chars().count());
            for (a, b) in t.chars().zip(once.chars()) {
                prop_assert!(a == b || (digit(a).is_some() && b == '*'));
            }
        }

        #[test]
        fn text_without_identifiers_is_unchanged(t in "[\\PC]{0,40}") {
            if find_identifiers(&t).is_empty() {
                prop_assert!(matches!(mask_identifiers(&t), Cow::Borrowed(_)));
            } else {
                prop_assert_ne!(mask_identifiers(&t).into_owned(), t);
            }
        }
    }
}

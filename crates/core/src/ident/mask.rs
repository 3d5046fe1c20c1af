//! Maskers for display: never panic, work on `char`s, one output char per input char
//! (after trimming) except phone numbers, which are masked in their normalised form.

use super::phone::{Phone, parse_phone};

/// Masks an ID number for display: `610921********1234` (first 6 and last 4 kept).
/// Input that is not 18 chars long gets everything but the last 4 chars masked;
/// input of 4 chars or fewer is masked completely. Surrounding whitespace is trimmed.
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() == 18 {
        let mut out = String::with_capacity(18);
        out.extend(chars.iter().take(6));
        out.extend(std::iter::repeat_n('*', 8));
        out.extend(chars.iter().skip(14));
        out
    } else {
        mask_all_but_last4(&chars)
    }
}

/// Masks every char except the last 4; masks everything when there are 4 or fewer.
pub(super) fn mask_all_but_last4(chars: &[char]) -> String {
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    let mut out: String = "*".repeat(n - 4);
    out.extend(chars.iter().skip(n - 4));
    out
}

/// Masks a phone number: mobile `138****5678`, landline `0551-***3456` (area code and
/// last 4 kept). Valid numbers are masked in normalised form; anything else gets all
/// but its last 4 chars masked (all of it when 4 chars or fewer).
pub fn mask_phone(s: &str) -> String {
    match parse_phone(s) {
        Some(Phone::Mobile(n)) => {
            let chars: Vec<char> = n.chars().collect();
            let mut out: String = chars.iter().take(3).collect();
            out.push_str("****");
            out.extend(chars.iter().skip(7));
            out
        }
        Some(Phone::Landline { area, local }) => {
            let chars: Vec<char> = local.chars().collect();
            format!("{area}-{}", mask_all_but_last4(&chars))
        }
        None => {
            let chars: Vec<char> = s.trim().chars().collect();
            mask_all_but_last4(&chars)
        }
    }
}

/// Masks a personal name: `张三` → `张*`, `欧阳娜娜` → `欧**娜`; a single char is
/// returned unchanged. Surrounding whitespace is trimmed.
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.as_slice() {
        [] | [_] => chars.into_iter().collect(),
        [first, _] => format!("{first}*"),
        [first, middle @ .., last] => {
            let mut out = String::with_capacity(chars.len() * 3);
            out.push(*first);
            out.extend(std::iter::repeat_n('*', middle.len()));
            out.push(*last);
            out
        }
    }
}

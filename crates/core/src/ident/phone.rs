//! Phone numbers: mobiles (`1[3-9]` + 9 digits) and landlines (area code + local number).

use crate::error::FieldError;

/// A parsed, valid phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phone {
    /// 11 digits, `1[3-9]` prefix.
    Mobile(String),
    /// Area code (`010`, `02x` or `0[3-9]xx`) and 7–8 digit local number.
    Landline { area: String, local: String },
}

impl Phone {
    /// Normalised text: 11 digits for a mobile, `area-local` for a landline.
    pub fn normalised(&self) -> String {
        match self {
            Phone::Mobile(n) => n.clone(),
            Phone::Landline { area, local } => format!("{area}-{local}"),
        }
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_mobile(s: &str) -> bool {
    s.len() == 11 && all_digits(s) && matches!(s.as_bytes(), [b'1', b'3'..=b'9', ..])
}

/// Length an area code must have, from its first two digits: `01x`/`02x` are
/// 3-digit codes (010 Beijing, 020–029), every other `0[3-9]` code has 4 digits.
/// `None` if the prefix cannot start an area code.
fn area_code_len(s: &str) -> Option<usize> {
    match s.as_bytes() {
        [b'0', b'1' | b'2', ..] => Some(3),
        [b'0', b'3'..=b'9', ..] => Some(4),
        _ => None,
    }
}

fn is_local_number(s: &str) -> bool {
    all_digits(s) && (7..=8).contains(&s.len())
}

/// Parses a phone number. Whitespace anywhere is ignored; a mobile number may carry a
/// leading `+86` or `86` (optionally followed by `-`); a landline may separate area
/// code and local number with one `-`.
pub fn parse_phone(s: &str) -> Option<Phone> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if is_mobile(&compact) {
        return Some(Phone::Mobile(compact));
    }
    for prefix in ["+86", "86"] {
        if let Some(rest) = compact.strip_prefix(prefix) {
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            if is_mobile(rest) {
                return Some(Phone::Mobile(rest.to_string()));
            }
        }
    }

    let (area, local) = match compact.split_once('-') {
        Some((area, local)) => (area, local),
        None => {
            if !all_digits(&compact) {
                return None;
            }
            let n = area_code_len(&compact)?;
            (compact.get(..n)?, compact.get(n..)?)
        }
    };
    let area_ok = all_digits(area) && area_code_len(area) == Some(area.len());
    if area_ok && is_local_number(local) {
        Some(Phone::Landline {
            area: area.to_string(),
            local: local.to_string(),
        })
    } else {
        None
    }
}

/// Validates a mobile or landline number and returns its normalised form:
/// `13812345678` for mobiles, `0551-6123456` for landlines.
pub fn validate_phone(field: &str, s: &str) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::required(field));
    }
    parse_phone(s).map(|p| p.normalised()).ok_or_else(|| {
        FieldError::new(
            field,
            "phone.invalid",
            "电话号码格式不正确：手机号为11位，座机为区号加7至8位号码",
            "Invalid phone number: a mobile number has 11 digits, a landline an area code plus a 7–8 digit number",
        )
    })
}

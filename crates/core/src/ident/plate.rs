//! Vehicle plates (机动车号牌, GA 36-2018).

use crate::error::FieldError;

/// The 31 province abbreviations used on plates.
pub const PLATE_PROVINCES: [char; 31] = [
    '京', '津', '冀', '晋', '蒙', '辽', '吉', '黑', '沪', '苏', '浙', '皖', '闽', '赣', '鲁', '豫',
    '鄂', '湘', '粤', '桂', '琼', '渝', '川', '贵', '云', '藏', '陕', '甘', '青', '宁', '新',
];

/// Suffix chars of special plates: 学 (driving school), 挂 (trailer), 警 (police).
const PLATE_SPECIAL_SUFFIXES: [char; 3] = ['学', '挂', '警'];

/// `[A-HJ-NP-Z]`: an uppercase ASCII letter other than I and O.
fn is_plate_letter(c: char) -> bool {
    c.is_ascii_uppercase() && c != 'I' && c != 'O'
}

/// `[A-HJ-NP-Z0-9]`.
fn is_plate_serial_char(c: char) -> bool {
    c.is_ascii_digit() || is_plate_letter(c)
}

fn is_plate_body(serial: &[char]) -> bool {
    match serial {
        // Ordinary: 5 letters/digits; special: 4 letters/digits + 学/挂/警.
        [a, b, c, d, last] => {
            [a, b, c, d].iter().all(|c| is_plate_serial_char(**c))
                && (is_plate_serial_char(*last) || PLATE_SPECIAL_SUFFIXES.contains(last))
        }
        // New energy: small [DF][A-HJ-NP-Z0-9][0-9]{4}; large [0-9]{5}[DF].
        [first, second, c, d, e, last] => {
            let small = matches!(first, 'D' | 'F')
                && is_plate_serial_char(*second)
                && [c, d, e, last].iter().all(|c| c.is_ascii_digit());
            let large = [first, second, c, d, e].iter().all(|c| c.is_ascii_digit())
                && matches!(last, 'D' | 'F');
            small || large
        }
        _ => false,
    }
}

/// Validates a vehicle plate number and returns it normalised: whitespace and the
/// separators `·`, `•`, `-` removed, ASCII letters uppercased (`京a·12345` → `京A12345`).
///
/// Accepted (after the province abbreviation and an issuing-authority letter other
/// than I/O): 5 serial chars `[A-HJ-NP-Z0-9]`; small new-energy `[DF]` + serial char +
/// 4 digits; large new-energy 5 digits + `[DF]`; or 4 serial chars + 学/挂/警.
pub fn validate_plate(field: &str, s: &str) -> Result<String, FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::required(field));
    }
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = matches!(
        chars.as_slice(),
        [province, authority, body @ ..]
            if PLATE_PROVINCES.contains(province)
                && is_plate_letter(*authority)
                && is_plate_body(body)
    );
    if valid {
        Ok(chars.into_iter().collect())
    } else {
        Err(FieldError::new(
            field,
            "plate.invalid",
            "号牌格式不正确",
            "Invalid vehicle plate number",
        ))
    }
}

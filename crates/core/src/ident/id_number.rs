//! Citizen ID number (公民身份号码, GB 11643-1999): check character, birth date, validation.

use chrono::NaiveDate;

use crate::error::FieldError;

/// Weights of the first 17 digits (2^(18-i) mod 11), ISO 7064 MOD 11-2.
pub(super) const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for `r = sum mod 11`, r = 0..=10.
pub(super) const ID_CHECK_CHARS: [char; 11] =
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level prefixes of GB/T 2260 (incl. 71 Taiwan, 81 Hong Kong, 82 Macao).
pub(super) const PROVINCE_CODES: [u32; 34] = [
    11, 12, 13, 14, 15, // 京 津 冀 晋 蒙
    21, 22, 23, // 辽 吉 黑
    31, 32, 33, 34, 35, 36, 37, // 沪 苏 浙 皖 闽 赣 鲁
    41, 42, 43, 44, 45, 46, // 豫 鄂 湘 粤 桂 琼
    50, 51, 52, 53, 54, // 渝 川 贵 云 藏
    61, 62, 63, 64, 65, // 陕 甘 青 宁 新
    71, 81, 82, // 台 港 澳
];

/// Earliest birth date accepted in an ID number.
pub const ID_MIN_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Check character (`'0'..='9'` or `'X'`) for the 17-digit body of an ID number.
/// Returns `None` unless `body` is exactly 17 ASCII digits.
pub fn id_check_char(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    // sum % 11 is always in 0..=10, so the index is in bounds.
    ID_CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Birth date encoded in positions 7–14 of an 18-char ID number, if it is a real
/// calendar date. Does not check the plausibility range or anything else.
pub fn id_number_birth_date(s: &str) -> Option<NaiveDate> {
    let digits = s.get(6..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits.get(4..6)?.parse().ok()?;
    let day: u32 = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn id_err(field: &str, code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Validates a GB 11643-1999 citizen ID number and returns its normalised 18-char
/// form (trimmed, lowercase `x` turned into `X`).
///
/// Checks, in order (the first failure is reported):
/// 1. `id_number.length` — exactly 18 chars (15-digit pre-1999 numbers are rejected);
/// 2. `id_number.chars` — 17 digits followed by a digit or `X`;
/// 3. `id_number.region` — province prefix is a real GB/T 2260 province code and
///    digits 3–6 are not `0000`;
/// 4. `id_number.birth_date` — a real date, not before 1900-01-01, not after `today`;
/// 5. `id_number.check_digit` — ISO 7064 MOD 11-2 check character.
pub fn validate_id_number(field: &str, s: &str, today: NaiveDate) -> Result<String, FieldError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(FieldError::required(field));
    }
    let normalised: String = trimmed
        .chars()
        .map(|c| if c == 'x' { 'X' } else { c })
        .collect();

    let len = normalised.chars().count();
    if len != 18 {
        let (zh, en) = if len == 15 && normalised.bytes().all(|b| b.is_ascii_digit()) {
            (
                "身份证号应为18位（15位旧号码请使用升级后的18位号码）",
                "ID number must be 18 characters (use the 18-digit form of an old 15-digit number)",
            )
        } else {
            ("身份证号应为18位", "ID number must be 18 characters")
        };
        return Err(id_err(field, "id_number.length", zh, en));
    }

    // 18 chars; if all are ASCII they are also 18 bytes: 17 digits and a check char.
    let (body, check) = match normalised.as_bytes() {
        [body @ .., check]
            if body.len() == 17
                && body.iter().all(u8::is_ascii_digit)
                && (check.is_ascii_digit() || *check == b'X') =>
        {
            (body, *check)
        }
        _ => {
            return Err(id_err(
                field,
                "id_number.chars",
                "身份证号前17位应为数字，末位为数字或X",
                "ID number: the first 17 characters must be digits and the last a digit or X",
            ));
        }
    };

    let province = match body {
        [a, b, ..] => u32::from(a - b'0') * 10 + u32::from(b - b'0'),
        _ => 0,
    };
    if !PROVINCE_CODES.contains(&province) || body.get(2..6) == Some(b"0000".as_slice()) {
        return Err(id_err(
            field,
            "id_number.region",
            "身份证号地址码无效",
            "ID number region code is invalid",
        ));
    }

    match id_number_birth_date(&normalised) {
        Some(d) if d >= ID_MIN_BIRTH_DATE && d <= today => {}
        _ => {
            return Err(id_err(
                field,
                "id_number.birth_date",
                "身份证号出生日期无效",
                "ID number birth date is invalid",
            ));
        }
    }

    let expected = normalised.get(..17).and_then(id_check_char);
    if expected != Some(char::from(check)) {
        return Err(id_err(
            field,
            "id_number.check_digit",
            "身份证号校验位错误",
            "ID number check digit is wrong",
        ));
    }

    Ok(normalised)
}

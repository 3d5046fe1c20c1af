//! Identifier validation and masking: citizen ID numbers (GB 11643-1999), phone
//! numbers, vehicle plates (GA 36-2018) and personal names.
//!
//! Everything here is a pure function. Validators take the raw user input, return the
//! normalised form on success and a [`FieldError`] with a stable code otherwise.
//! Empty (or all-whitespace) input is reported as [`FieldError::required`]; callers
//! with optional fields should skip validation for empty values themselves.
//!
//! Maskers never panic and work on `char`s, so multibyte input is safe. A masked value
//! always has one output char per input char (after trimming), except that phone
//! numbers are masked in their normalised form.
//!
//! Rules: law-facts.md §6.1 (ID number), §6.2 (region codes), §6.3 (plates).

use chrono::NaiveDate;

use crate::error::FieldError;

// ---------------------------------------------------------------------------
// Citizen ID number (公民身份号码, GB 11643-1999)
// ---------------------------------------------------------------------------

/// Weights of the first 17 digits (2^(18-i) mod 11), ISO 7064 MOD 11-2.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for `r = sum mod 11`, r = 0..=10.
const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level prefixes of GB/T 2260 (incl. 71 Taiwan, 81 Hong Kong, 82 Macao).
const PROVINCE_CODES: [u32; 34] = [
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

    // 18 chars; if all are ASCII this is also 18 bytes, so byte slicing below is safe.
    let bytes = normalised.as_bytes();
    let chars_ok = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !chars_ok {
        return Err(id_err(
            field,
            "id_number.chars",
            "身份证号前17位应为数字，末位为数字或X",
            "ID number: the first 17 characters must be digits and the last a digit or X",
        ));
    }

    let province = u32::from(bytes[0] - b'0') * 10 + u32::from(bytes[1] - b'0');
    if !PROVINCE_CODES.contains(&province) || bytes[2..6] == *b"0000" {
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
    if expected != Some(char::from(bytes[17])) {
        return Err(id_err(
            field,
            "id_number.check_digit",
            "身份证号校验位错误",
            "ID number check digit is wrong",
        ));
    }

    Ok(normalised)
}

/// Masks an ID number for display: `610921********1234` (first 6 and last 4 kept).
/// Input that is not 18 chars long gets everything but the last 4 chars masked;
/// input of 4 chars or fewer is masked completely. Surrounding whitespace is trimmed.
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() == 18 {
        let mut out = String::with_capacity(18);
        out.extend(&chars[..6]);
        out.extend(std::iter::repeat_n('*', 8));
        out.extend(&chars[14..]);
        out
    } else {
        mask_all_but_last4(&chars)
    }
}

/// Masks every char except the last 4; masks everything when there are 4 or fewer.
fn mask_all_but_last4(chars: &[char]) -> String {
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    let mut out: String = "*".repeat(n - 4);
    out.extend(&chars[n - 4..]);
    out
}

// ---------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------

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
    let b = s.as_bytes();
    b.len() == 11 && all_digits(s) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Length an area code must have, from its first two digits: `01x`/`02x` are
/// 3-digit codes (010 Beijing, 020–029), every other `0[3-9]` code has 4 digits.
/// `None` if the prefix cannot start an area code.
fn area_code_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'0' {
        return None;
    }
    match b[1] {
        b'1' | b'2' => Some(3),
        b'3'..=b'9' => Some(4),
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

/// Masks a phone number: mobile `138****5678`, landline `0551-***3456` (area code and
/// last 4 kept). Valid numbers are masked in normalised form; anything else gets all
/// but its last 4 chars masked (all of it when 4 chars or fewer).
pub fn mask_phone(s: &str) -> String {
    match parse_phone(s) {
        Some(Phone::Mobile(n)) => {
            let chars: Vec<char> = n.chars().collect();
            let mut out: String = chars[..3].iter().collect();
            out.push_str("****");
            out.extend(&chars[7..]);
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

// ---------------------------------------------------------------------------
// Vehicle plates (机动车号牌, GA 36-2018)
// ---------------------------------------------------------------------------

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
    match serial.len() {
        // Ordinary: 5 letters/digits; special: 4 letters/digits + 学/挂/警.
        5 => {
            serial.iter().copied().all(is_plate_serial_char)
                || (serial[..4].iter().copied().all(is_plate_serial_char)
                    && PLATE_SPECIAL_SUFFIXES.contains(&serial[4]))
        }
        // New energy: small [DF][A-HJ-NP-Z0-9][0-9]{4}; large [0-9]{5}[DF].
        6 => {
            let small = matches!(serial[0], 'D' | 'F')
                && is_plate_serial_char(serial[1])
                && serial[2..].iter().all(char::is_ascii_digit);
            let large =
                serial[..5].iter().all(char::is_ascii_digit) && matches!(serial[5], 'D' | 'F');
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
    let valid = chars.len() >= 2
        && PLATE_PROVINCES.contains(&chars[0])
        && is_plate_letter(chars[1])
        && is_plate_body(&chars[2..]);
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

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Masks a personal name: `张三` → `张*`, `欧阳娜娜` → `欧**娜`; a single char is
/// returned unchanged. Surrounding whitespace is trimmed.
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.len() {
        0 | 1 => chars.into_iter().collect(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut out = String::with_capacity(n * 3);
            out.push(chars[0]);
            out.extend(std::iter::repeat_n('*', n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default()
    }

    fn code<T: std::fmt::Debug>(r: Result<T, FieldError>) -> &'static str {
        match r {
            Ok(v) => panic!("expected an error, got Ok({v:?})"),
            Err(e) => e.code,
        }
    }

    /// Builds a full ID number from a 17-digit body.
    fn with_check(body: &str) -> String {
        match id_check_char(body) {
            Some(c) => format!("{body}{c}"),
            None => panic!("bad body {body}"),
        }
    }

    // ---- ID number -------------------------------------------------------

    #[test]
    fn check_char_matches_published_vectors() {
        for id in [
            "11010519491231002X",
            "440524188001010014",
            "360426199101010071",
            "120103198806018241",
        ] {
            assert_eq!(
                id_check_char(&id[..17]),
                id.chars().last(),
                "check char of {id}"
            );
        }
        assert_ne!(id_check_char("36042619910101007"), Some('2'));
        assert_eq!(id_check_char("1234"), None);
        assert_eq!(id_check_char("1101051949123100a"), None);
        assert_eq!(id_check_char("110105194912310023"), None);
    }

    #[test]
    fn check_chars_cover_every_remainder() {
        // Every r in 0..=10 maps to the documented char: (12 - r) mod 11, 10 => X.
        for (r, c) in ID_CHECK_CHARS.iter().enumerate() {
            let v = (12 - r) % 11;
            let expected = if v == 10 {
                'X'
            } else {
                char::from_digit(v as u32, 10).unwrap_or('?')
            };
            assert_eq!(*c, expected, "r = {r}");
        }
        // Weights are 2^(18-i) mod 11.
        for (i, w) in ID_WEIGHTS.iter().enumerate() {
            assert_eq!(*w, (1u32 << (17 - i)) % 11, "weight {i}");
        }
    }

    #[test]
    fn valid_id_numbers_are_accepted_and_normalised() {
        for id in [
            "11010519491231002X",
            "360426199101010071",
            "120103198806018241",
        ] {
            assert_eq!(validate_id_number("id", id, today()), Ok(id.to_string()));
        }
        assert_eq!(
            validate_id_number("id", "  11010519491231002x\t", today()),
            Ok("11010519491231002X".to_string())
        );
    }

    #[test]
    fn vector_born_1880_has_valid_check_digit_but_fails_date_range() {
        // 440524188001010014 is a published check-digit vector; its birth year 1880
        // is before the 1900-01-01 lower bound, so full validation rejects it.
        assert_eq!(id_check_char("44052418800101001"), Some('4'));
        assert_eq!(
            code(validate_id_number("id", "440524188001010014", today())),
            "id_number.birth_date"
        );
    }

    #[test]
    fn wrong_check_digit_is_reported_with_exact_message() {
        let e = validate_id_number("id_number", "360426199101010072", today());
        assert_eq!(
            e,
            Err(FieldError::new(
                "id_number",
                "id_number.check_digit",
                "身份证号校验位错误",
                "ID number check digit is wrong",
            ))
        );
    }

    #[test]
    fn length_errors() {
        for s in [
            "36042619910101007",
            "3604261991010100711",
            "360426910101007", // 15-digit old number
            "1",
        ] {
            assert_eq!(
                code(validate_id_number("id", s, today())),
                "id_number.length",
                "{s}"
            );
        }
        match validate_id_number("id", "360426910101007", today()) {
            Err(e) => assert!(e.zh.contains("18位"), "{}", e.zh),
            Ok(v) => panic!("accepted {v}"),
        }
        // Multibyte input: length counts chars, not bytes (5 chars, 15 bytes).
        assert_eq!(
            code(validate_id_number("id", "身份证号码", today())),
            "id_number.length"
        );
    }

    #[test]
    fn empty_id_number_is_required() {
        assert_eq!(code(validate_id_number("id", "   ", today())), "required");
        assert_eq!(code(validate_id_number("id", "", today())), "required");
    }

    #[test]
    fn char_errors() {
        for s in [
            "3604261991010100A1",
            "X60426199101010071",
            "36042619910101007Y",
            "3604261991010100X1",
            "36042619910101007１", // full-width digit: 18 chars, not ASCII
            "360426 99101010071",
        ] {
            assert_eq!(
                code(validate_id_number("id", s, today())),
                "id_number.chars",
                "{s}"
            );
        }
    }

    #[test]
    fn region_errors() {
        // Province prefixes that do not exist, with otherwise valid numbers.
        for prov in [
            "00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70",
            "72", "80", "83", "99",
        ] {
            let id = with_check(&format!("{prov}042619910101007"));
            assert_eq!(
                code(validate_id_number("id", &id, today())),
                "id_number.region",
                "{id}"
            );
        }
        // Province-level code itself (digits 3-6 "0000").
        let id = with_check("11000019910101007");
        assert_eq!(
            code(validate_id_number("id", &id, today())),
            "id_number.region"
        );
        // Every listed province is accepted.
        for prov in PROVINCE_CODES {
            let id = with_check(&format!("{prov}010119910101007"));
            assert_eq!(validate_id_number("id", &id, today()), Ok(id.clone()));
        }
    }

    #[test]
    fn birth_date_errors_and_bounds() {
        for date in [
            "19910230", "19910001", "19911301", "19910100", "18991231", "00000000", "20250602",
            "30000101",
        ] {
            let id = with_check(&format!("360426{date}007"));
            assert_eq!(
                code(validate_id_number("id", &id, today())),
                "id_number.birth_date",
                "{id}"
            );
        }
        // Leap day in a leap year is fine, in a non-leap year not.
        let ok = with_check("36042620000229007");
        assert_eq!(validate_id_number("id", &ok, today()), Ok(ok.clone()));
        let bad = with_check("36042619000229007");
        assert_eq!(
            code(validate_id_number("id", &bad, today())),
            "id_number.birth_date"
        );
        // Inclusive bounds: 1900-01-01 and today itself.
        for date in ["19000101", "20250601"] {
            let id = with_check(&format!("360426{date}007"));
            assert_eq!(validate_id_number("id", &id, today()), Ok(id.clone()));
        }
    }

    #[test]
    fn birth_date_extraction() {
        assert_eq!(
            id_number_birth_date("11010519491231002X"),
            NaiveDate::from_ymd_opt(1949, 12, 31)
        );
        assert_eq!(id_number_birth_date("110105"), None);
        assert_eq!(id_number_birth_date("11010519491332002X"), None);
        assert_eq!(id_number_birth_date("身份证号码号码号码"), None);
    }

    #[test]
    fn changing_any_single_char_of_a_valid_id_makes_it_fail() {
        for valid in [
            "11010519491231002X",
            "360426199101010071",
            "120103198806018241",
        ] {
            assert!(validate_id_number("id", valid, today()).is_ok());
            let chars: Vec<char> = valid.chars().collect();
            for pos in 0..18 {
                let alphabet: &[char] = if pos == 17 {
                    &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']
                } else {
                    &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
                };
                for &c in alphabet {
                    if c == chars[pos] {
                        continue;
                    }
                    let mut changed = chars.clone();
                    changed[pos] = c;
                    let s: String = changed.into_iter().collect();
                    assert!(
                        validate_id_number("id", &s, today()).is_err(),
                        "{s} (from {valid}) was accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn swapping_adjacent_digits_of_a_valid_id_makes_it_fail() {
        let valid = "360426199101010071";
        let chars: Vec<char> = valid.chars().collect();
        let mut tried = 0;
        for pos in 0..16 {
            if chars[pos] == chars[pos + 1] {
                continue;
            }
            let mut swapped = chars.clone();
            swapped.swap(pos, pos + 1);
            let s: String = swapped.into_iter().collect();
            assert!(
                validate_id_number("id", &s, today()).is_err(),
                "{s} accepted"
            );
            tried += 1;
        }
        assert!(tried >= 8);
    }

    #[test]
    fn mask_id_number_cases() {
        assert_eq!(mask_id_number("610921199001011234"), "610921********1234");
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number(" 11010519491231002X "), "110105********002X");
        // Odd lengths: everything but the last 4.
        assert_eq!(mask_id_number("360426910101007"), "***********1007");
        assert_eq!(mask_id_number("12345"), "*2345");
        assert_eq!(mask_id_number("1234"), "****");
        assert_eq!(mask_id_number("12"), "**");
        assert_eq!(mask_id_number(""), "");
        // Multibyte input never panics and is masked per char.
        assert_eq!(mask_id_number("身份证号码"), "*份证号码");
        assert_eq!(
            mask_id_number("身份证号码身份证号码身份证号码身份证"),
            "身份证号码身********码身份证"
        );
        assert_eq!(mask_id_number("号码"), "**");
    }

    // ---- phone -----------------------------------------------------------

    #[test]
    fn valid_mobiles_are_normalised() {
        for (input, want) in [
            ("13812345678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            (" 19912345678 ", "19912345678"),
            ("+8613812345678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("+86-13812345678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("86 15012345678", "15012345678"),
        ] {
            assert_eq!(
                validate_phone("phone", input),
                Ok(want.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn valid_landlines_are_normalised() {
        for (input, want) in [
            ("010-12345678", "010-12345678"),
            ("01012345678", "010-12345678"),
            ("021-1234567", "021-1234567"),
            ("0551-6123456", "0551-6123456"),
            ("05516123456", "0551-6123456"),
            ("0755 8765 4321", "0755-87654321"),
            ("0755-87654321", "0755-87654321"),
        ] {
            assert_eq!(
                validate_phone("phone", input),
                Ok(want.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn invalid_phones_are_rejected() {
        for input in [
            "12812345678",   // 1[2]
            "1381234567",    // 10 digits
            "138123456789",  // 12 digits
            "23812345678",   // not 1 or 0
            "138-1234-5678", // hyphens in mobile
            "+8512345678901",
            "+86 0551-6123456", // +86 only for mobiles
            "110",              // short service number
            "010-123456",       // 6-digit local
            "010-123456789",    // 9-digit local
            "0551-123456",
            "055-12345678", // 3-digit area code must be 01x/02x
            "0101-2345678", // 4-digit area code cannot start 01
            "001-12345678",
            "0551--6123456",
            "0551-612a456",
            "-6123456",
            "138１2345678", // full-width digit
            "abc",
        ] {
            assert_eq!(
                code(validate_phone("phone", input)),
                "phone.invalid",
                "{input}"
            );
        }
        assert_eq!(code(validate_phone("phone", "  ")), "required");
        match validate_phone("phone", "123") {
            Err(e) => {
                assert_eq!(e.field, "phone");
                assert!(e.zh.starts_with("电话号码格式不正确"));
            }
            Ok(v) => panic!("accepted {v}"),
        }
    }

    #[test]
    fn validated_phones_are_fixed_points() {
        for input in ["+86 138 1234 5678", "05516123456", "010-12345678"] {
            let Ok(once) = validate_phone("p", input) else {
                panic!("{input} rejected");
            };
            assert_eq!(validate_phone("p", &once), Ok(once.clone()));
        }
    }

    #[test]
    fn mask_phone_cases() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("010-12345678"), "010-****5678");
        assert_eq!(mask_phone("05516123456"), "0551-***3456");
        // Invalid input: all but last 4; short input fully masked; no panics.
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("电话号码未知"), "**号码未知");
        assert_eq!(mask_phone("电话"), "**");
    }

    // ---- plates ----------------------------------------------------------

    #[test]
    fn valid_plates_are_normalised() {
        for (input, want) in [
            ("京A12345", "京A12345"),
            ("粤B8888Z", "粤B8888Z"),
            ("沪AABCDE", "沪AABCDE"),
            ("京a·12345", "京A12345"),
            (" 苏 E 12345 ", "苏E12345"),
            ("浙A-1234A", "浙A1234A"),
            ("粤BD12345", "粤BD12345"), // small new-energy
            ("粤BFA1234", "粤BFA1234"),
            ("川Adf1234", "川ADF1234"),
            ("京A12345D", "京A12345D"), // large new-energy
            ("京A12345F", "京A12345F"),
            ("京A1234警", "京A1234警"),
            ("鲁B123A学", "鲁B123A学"),
            ("新AZ999挂", "新AZ999挂"),
            ("新Z12345", "新Z12345"),
        ] {
            assert_eq!(
                validate_plate("plate", input),
                Ok(want.to_string()),
                "{input}"
            );
        }
        for p in PLATE_PROVINCES {
            let plate = format!("{p}A12345");
            assert_eq!(validate_plate("plate", &plate), Ok(plate.clone()));
        }
    }

    #[test]
    fn invalid_plates_are_rejected() {
        for input in [
            "台A12345", // not one of the 31
            "AA12345",
            "京112345", // authority code must be a letter
            "京I12345", // I not allowed
            "京O12345",
            "京A1234",   // too short
            "京A123456", // 6-char serial that is not new-energy
            "京A1234O",  // O in serial
            "京A1I345",  // I in serial
            "京AD1234A", // small NEV needs 4 trailing digits
            "京AE12345", // small NEV first char must be D/F
            "京A1234AD", // large NEV needs 5 digits
            "京A12345E",
            "京A12345警", // special needs a 4-char serial
            "京A1234港",  // suffix not supported
            "京A123警4",
            "京",
            "京A",
            "京A1234５", // full-width digit
        ] {
            assert_eq!(
                code(validate_plate("plate", input)),
                "plate.invalid",
                "{input}"
            );
        }
        assert_eq!(code(validate_plate("plate", "")), "required");
        match validate_plate("plate", "X") {
            Err(e) => assert_eq!(e.zh, "号牌格式不正确"),
            Ok(v) => panic!("accepted {v}"),
        }
    }

    // ---- names -----------------------------------------------------------

    #[test]
    fn mask_name_cases() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("李小龙"), "李*龙");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("  张三 "), "张*");
        assert_eq!(mask_name("阿依古丽·买买提"), "阿******提");
        assert_eq!(mask_name("Tom"), "T*m");
        assert_eq!(mask_name("Al"), "A*");
        assert_eq!(mask_name("😀😁"), "😀*");
    }
}

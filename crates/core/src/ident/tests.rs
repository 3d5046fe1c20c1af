use chrono::NaiveDate;

use super::id_number::{ID_CHECK_CHARS, ID_WEIGHTS, PROVINCE_CODES};
use super::*;
use crate::error::FieldError;

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
        "00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70", "72",
        "80", "83", "99",
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

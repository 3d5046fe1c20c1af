//! The second factor: time-based one-time codes (TOTP, RFC 6238 — HMAC-SHA1, 6 digits,
//! 30-second steps, what every authenticator app reads from an `otpauth://` QR code).
//!
//! Pure rules: reading a typed code, checking it against a secret at an instant with
//! one step of skew either way, refusing a step at or before the last one accepted
//! (a code cannot be used twice, RFC 6238 §5.2), and which roles require it by default.
//! The HMAC is `totp-rs`'s.

use crate::FieldError;
use crate::org::Role;

/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds of one step.
pub const STEP_SECS: u64 = 30;
/// Bytes of a new secret (160 bits, RFC 4226's recommendation for SHA-1).
pub const SECRET_BYTES: usize = 20;
/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Frontline";

/// Reads a code as typed: digits, also full-width (０-９), with spaces or hyphens
/// between them ("123 456", "123-456"); exactly [`DIGITS`] of them. Anything else is a
/// field error on `field` (`totp_code.invalid`); nothing typed is `required`.
pub fn parse_code(field: &str, typed: &str) -> Result<String, FieldError> {
    let mut digits = String::with_capacity(DIGITS);
    let mut any = false;
    for c in typed.trim().chars() {
        any = true;
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => {
                let d = u32::from(c) - u32::from('０');
                digits.push(char::from_digit(d, 10).unwrap_or('0'));
            }
            ' ' | '-' | '\u{3000}' => {}
            _ => return Err(invalid(field)),
        }
        if digits.len() > DIGITS {
            return Err(invalid(field));
        }
    }
    if !any {
        return Err(FieldError::required(field));
    }
    if digits.len() != DIGITS {
        return Err(invalid(field));
    }
    Ok(digits)
}

fn invalid(field: &str) -> FieldError {
    FieldError::new(
        field,
        "totp_code.invalid",
        "动态验证码应为6位数字",
        "The code is 6 digits",
    )
}

/// Why a well-formed code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It is not the code of the current step nor of the one before or after.
    Wrong,
    /// It is right, but its step (or a later one) was already used.
    Replayed,
}

impl Refusal {
    /// The field error on `field` for this refusal.
    pub fn field_error(self, field: &str) -> FieldError {
        match self {
            Refusal::Wrong => FieldError::new(
                field,
                "totp_code.wrong",
                "动态验证码不正确",
                "The code is wrong",
            ),
            Refusal::Replayed => FieldError::new(
                field,
                "totp_code.used",
                "此动态验证码已使用过，请等待下一个验证码",
                "This code was already used; wait for the next one",
            ),
        }
    }
}

/// A fresh secret as base32 (RFC 4648, no padding: what `otpauth://` carries), from
/// random bytes the caller drew.
pub fn encode_secret(bytes: &[u8]) -> String {
    totp_rs::Secret::from(bytes.to_vec())
        .to_base32()
        .trim_end_matches('=')
        .to_string()
}

fn totp(secret_base32: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_digits(DIGITS as u8)
        .with_step_duration(STEP_SECS)
        .with_skew(1)
        .build()
        .ok()
}

/// Checks a code (as [`parse_code`] returns it) at `unix_secs` against a base32
/// secret, one step either way, and refuses a step at or before `last_step` (the last
/// one this secret accepted; 0 for none). The accepted step is returned: store it
/// as the new `last_step` (only if it is still greater, so that two instances cannot
/// both accept it). A secret that cannot be read accepts nothing.
pub fn verify(
    secret_base32: &str,
    code: &str,
    unix_secs: i64,
    last_step: i64,
) -> Result<i64, Refusal> {
    let Some(t) = totp(secret_base32) else {
        return Err(Refusal::Wrong);
    };
    let Ok(now) = u64::try_from(unix_secs) else {
        return Err(Refusal::Wrong);
    };
    let Some(step) = t.check(code, now) else {
        return Err(Refusal::Wrong);
    };
    let step = i64::try_from(step).map_err(|_| Refusal::Wrong)?;
    if step <= last_step {
        return Err(Refusal::Replayed);
    }
    Ok(step)
}

/// The code of a secret at an instant (tests, and the CLI's own checks).
pub fn code_at(secret_base32: &str, unix_secs: i64) -> Option<String> {
    let t = totp(secret_base32)?;
    Some(t.generate(u64::try_from(unix_secs).ok()?).to_string())
}

/// The `otpauth://` URI an authenticator app reads (as a QR code or typed in).
pub fn otpauth_uri(secret_base32: &str, username: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{issuer}:{user}?secret={secret_base32}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        issuer = enc(ISSUER),
        user = enc(username),
    )
}

/// Whether a role requires the second factor when the administrator has said nothing:
/// administrators do, outside the demo (where every account signs in with the
/// published password only).
pub fn required_by_default(role: Role, demo: bool) -> bool {
    role == Role::Admin && !demo
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B's SHA-1 secret, "12345678901234567890".
    const RFC: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vectors() {
        // The appendix's 8-digit codes end in these 6 digits.
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC, t).as_deref(), Some(code), "t={t}");
        }
    }

    #[test]
    fn skew_of_one_step_and_no_replay() {
        let t = 1_234_567_890;
        let step = t / 30;
        let now = code_at(RFC, t).unwrap();
        let before = code_at(RFC, t - 30).unwrap();
        let after = code_at(RFC, t + 30).unwrap();
        let far = code_at(RFC, t - 60).unwrap();
        assert_eq!(verify(RFC, &now, t, 0), Ok(step));
        assert_eq!(verify(RFC, &before, t, 0), Ok(step - 1));
        assert_eq!(verify(RFC, &after, t, 0), Ok(step + 1));
        assert_eq!(verify(RFC, &far, t, 0), Err(Refusal::Wrong));
        assert_eq!(verify(RFC, &now, t, step), Err(Refusal::Replayed));
        assert_eq!(verify(RFC, &before, t, step), Err(Refusal::Replayed));
        assert_eq!(verify(RFC, &after, t, step), Ok(step + 1));
        assert_eq!(verify("not base32!", &now, t, 0), Err(Refusal::Wrong));
        assert_eq!(verify(RFC, &now, -1, 0), Err(Refusal::Wrong));
    }

    #[test]
    fn codes_as_typed() {
        assert_eq!(parse_code("c", " 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("c", "123-456").unwrap(), "123456");
        assert_eq!(parse_code("c", "１２３４５６").unwrap(), "123456");
        assert_eq!(parse_code("c", "").unwrap_err().code, "required");
        assert_eq!(parse_code("c", "   ").unwrap_err().code, "required");
        for bad in [
            "12345",
            "1234567",
            "12a456",
            "+12345",
            "１２３４５",
            "123456\u{0}",
        ] {
            assert_eq!(
                parse_code("c", bad).unwrap_err().code,
                "totp_code.invalid",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn secrets_and_uri() {
        let s = encode_secret(&[0u8; SECRET_BYTES]);
        assert_eq!(s.len(), 32);
        assert!(code_at(&s, 0).is_some());
        let u = otpauth_uri(&s, "s1.desk");
        assert!(
            u.starts_with("otpauth://totp/Frontline:s1.desk?secret="),
            "{u}"
        );
        assert!(u.contains("&period=30"));
        assert!(required_by_default(Role::Admin, false));
        assert!(!required_by_default(Role::Admin, true));
        assert!(!required_by_default(Role::DeskOfficer, false));
    }
}

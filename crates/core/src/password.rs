//! Password rules: long enough, not the username, not a password published with the demo.

use crate::FieldError;

/// Fewer characters than this is refused.
pub const MIN_CHARS: usize = 8;

/// The password every demo account shares; it is printed by `frontline demo` and in the
/// README, so outside the demo nobody may choose it (or any other published one).
pub const DEMO_PASSWORD: &str = "demo-password";
const PUBLISHED: &[&str] = &[DEMO_PASSWORD];

/// Shorter usernames are only refused whole: "li" inside a passphrase is no weakness.
const USERNAME_PART_MIN: usize = 3;

/// Every rule `password` breaks, on `field` (empty when it is fine). `demo` allows the
/// published demo passwords (the demo's accounts and tests use them).
pub fn check(field: &str, password: &str, username: &str, demo: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if password.chars().count() < MIN_CHARS {
        errs.push(FieldError::new(
            field,
            "password.too_short",
            format!("密码至少 {MIN_CHARS} 位"),
            format!("Password must have at least {MIN_CHARS} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty()
        && (lower == user || (user.chars().count() >= USERNAME_PART_MIN && lower.contains(&user)))
    {
        errs.push(FieldError::new(
            field,
            "password.contains_username",
            "密码不能是或包含用户名",
            "Password must not be or contain the username",
        ));
    }
    if !demo && PUBLISHED.iter().any(|p| lower == *p) {
        errs.push(FieldError::new(
            field,
            "password.published",
            "不能使用公开的演示密码",
            "Password must not be the published demo password",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(password: &str, username: &str, demo: bool) -> Vec<&'static str> {
        check("password", password, username, demo)
            .into_iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn each_rule_has_its_code() {
        assert!(codes("a-long-password", "s1.desk", false).is_empty());
        assert_eq!(codes("short", "s1.desk", false), ["password.too_short"]);
        assert_eq!(
            codes("S1.DESK", "s1.desk", false),
            ["password.too_short", "password.contains_username"]
        );
        assert_eq!(
            codes("my-s1.Desk-pass", "s1.desk", false),
            ["password.contains_username"]
        );
        // A short username is refused whole only.
        assert!(codes("alien-password", "li", false).is_empty());
        assert_eq!(
            codes("li", "li", false),
            ["password.too_short", "password.contains_username"]
        );
        assert_eq!(
            codes("Demo-Password", "s1.desk", false),
            ["password.published"]
        );
        assert!(codes(DEMO_PASSWORD, "s1.desk", true).is_empty());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(codes("派出所接警民警值班", "s1.desk", false).is_empty());
        assert_eq!(
            codes("派出所接警民警", "s1.desk", false),
            ["password.too_short"]
        );
    }
}

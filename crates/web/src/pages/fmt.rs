//! Display formatting shared by the pages: numbers, Beijing times, paging, messages
//! with placeholders.

use chrono::{DateTime, Utc};
use frontline_core::Lang;
use frontline_core::time::BEIJING;

use crate::i18n;

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A time as people read it here: `2026-11-22 08:30`, Beijing time.
pub fn bj_minutes(t: DateTime<Utc>) -> String {
    t.with_timezone(&BEIJING)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The value of a `datetime-local` field for `t` in Beijing time: `2026-11-22T08:30`.
pub fn datetime_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&BEIJING)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Whole minutes to wait, rounded up (at least 1).
pub fn minutes_to_wait(secs: u64) -> u64 {
    secs.div_ceil(60).max(1)
}

/// Number of pages for `total` rows (at least 1).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    if per_page <= 0 {
        return 1;
    }
    ((total + per_page - 1) / per_page).max(1)
}

/// Substitutes `{name}` placeholders in a translated message.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = i18n::t(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

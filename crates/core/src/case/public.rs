//! The public status page (案件进展查询): a member of the public gives the receipt's query
//! code and the last four digits of the phone given at the report, and learns the stage,
//! the handling unit and the officer's badge number — nothing else. Guessing is throttled
//! per client and per code, and a refusal never says which of the two was wrong.

use chrono::{DateTime, Duration, Utc};

use super::Status;
use crate::error::FieldError;

/// Lookups one client may make in [`WINDOW`], whatever their outcome.
pub const PER_CLIENT: i64 = 20;
/// Failed lookups one code may take in [`WINDOW`] (from any client).
pub const FAILURES_PER_CODE: i64 = 5;
pub const WINDOW: Duration = Duration::hours(1);
/// How long the lookup log is kept: long enough to look into abuse, then dropped.
pub const LOG_RETENTION: Duration = Duration::days(180);

/// The stage as the public reads it.
pub fn stage_zh(s: Status) -> &'static str {
    match s {
        Status::Accepted => "已受理",
        Status::Filed => "已立案",
        Status::Declined => "不予立案",
        Status::Investigating => "正在侦查（调查）",
        Status::Solved => "已破案",
        Status::Referred => "已移送检察机关审查起诉",
        Status::Withdrawn => "已撤销案件",
        Status::Decided => "已作出处理决定",
        Status::Executed => "处理决定已执行",
        Status::Closed => "已办结",
    }
}

pub fn stage_en(s: Status) -> &'static str {
    match s {
        Status::Accepted => "Accepted",
        Status::Filed => "Filed as a case",
        Status::Declined => "Not filed",
        Status::Investigating => "Under investigation",
        Status::Solved => "Solved",
        Status::Referred => "Referred to the procuratorate",
        Status::Withdrawn => "Withdrawn",
        Status::Decided => "Decided",
        Status::Executed => "Decision carried out",
        Status::Closed => "Concluded",
    }
}

/// The last four digits as typed: exactly four ASCII digits.
pub fn last4(field: &str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(FieldError::new(
            field,
            "phone_last4.format",
            "请输入手机号码的后四位数字",
            "Enter the last four digits of the phone number",
        ))
    }
}

/// Whether `phone` (as stored) ends in `last4`.
pub fn phone_matches(phone: &str, last4: &str) -> bool {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits.len() >= 4 && digits.ends_with(last4)
}

/// Whether a lookup at `now` must wait: the client's lookups and the code's failures
/// within the window; `Some(until)` when refused.
pub fn throttled(
    client_lookups: &[DateTime<Utc>],
    code_failures: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let since = now - WINDOW;
    let over = |times: &[DateTime<Utc>], max: i64| -> Option<DateTime<Utc>> {
        let mut recent: Vec<_> = times.iter().copied().filter(|t| *t > since).collect();
        if (recent.len() as i64) < max {
            return None;
        }
        recent.sort();
        // The oldest lookup that counts leaves the window first.
        recent.first().map(|t| *t + WINDOW)
    };
    match (
        over(client_lookups, PER_CLIENT),
        over(code_failures, FAILURES_PER_CODE),
    ) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_four_digits() {
        assert!(last4("phone_last4", "8000").is_ok());
        for bad in ["800", "80000", "80a0", "８０００"] {
            assert!(last4("phone_last4", bad).is_err(), "{bad}");
        }
        assert!(phone_matches("13800138000", "8000"));
        assert!(phone_matches("0571-8888 1234", "1234"));
        assert!(!phone_matches("13800138000", "8001"));
        assert!(!phone_matches("123", "0123"));
    }

    #[test]
    fn throttling_counts_the_window_only() {
        let t0 = DateTime::UNIX_EPOCH + Duration::days(100);
        let m = |k: i64| t0 + Duration::minutes(k);
        let few: Vec<_> = (0..4).map(m).collect();
        assert_eq!(throttled(&few, &few, m(10)), None);
        let five: Vec<_> = (0..5).map(m).collect();
        assert_eq!(
            throttled(&[], &five, m(10)),
            Some(m(60)),
            "five failures on one code"
        );
        assert_eq!(throttled(&[], &five, m(61)), None, "they age out");
        let many: Vec<_> = (0..20).map(m).collect();
        assert_eq!(throttled(&many, &[], m(30)), Some(m(60)));
    }
}

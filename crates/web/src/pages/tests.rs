use chrono::DateTime;
use frontline_core::Lang;

use super::fmt::{bj_minutes, datetime_local, group_thousands, minutes_to_wait, page_count, tf};
use super::form::{field_id, same_secret};
use crate::http::session::safe_next;

#[test]
fn next_guard_allows_only_local_paths() {
    assert_eq!(safe_next(Some("/incidents?page=2")), "/incidents?page=2");
    assert_eq!(safe_next(Some("/")), "/");
    for bad in [
        None,
        Some(""),
        Some("incidents"),
        Some("//evil.example/x"),
        Some("/\\evil.example"),
        Some("https://evil.example/"),
        Some("javascript:alert(1)"),
        Some("/ok\r\nSet-Cookie: x=1"),
    ] {
        assert_eq!(safe_next(bad), "/", "{bad:?}");
    }
}

#[test]
fn numbers_and_times_read_the_chinese_way() {
    assert_eq!(group_thousands(0), "0");
    assert_eq!(group_thousands(999), "999");
    assert_eq!(group_thousands(1000), "1,000");
    assert_eq!(group_thousands(20_000), "20,000");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
    assert_eq!(group_thousands(-12_345), "-12,345");
    let t = DateTime::parse_from_rfc3339("2026-11-22T00:30:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    assert_eq!(bj_minutes(t), "2026-11-22 08:30");
    assert_eq!(datetime_local(t), "2026-11-22T08:30");
    let late = DateTime::parse_from_rfc3339("2026-12-31T16:05:59Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    assert_eq!(bj_minutes(late), "2027-01-01 00:05");
}

#[test]
fn small_helpers() {
    assert_eq!(minutes_to_wait(0), 1);
    assert_eq!(minutes_to_wait(59), 1);
    assert_eq!(minutes_to_wait(60), 1);
    assert_eq!(minutes_to_wait(61), 2);
    assert_eq!(minutes_to_wait(900), 15);
    assert_eq!(page_count(0, 20), 1);
    assert_eq!(page_count(20, 20), 1);
    assert_eq!(page_count(21, 20), 2);
    assert_eq!(page_count(5, 0), 1);
    assert_eq!(field_id("caller.id_number"), "caller_id_number");
    assert_eq!(field_id("address"), "address");
    assert_eq!(
        tf(Lang::Zh, "login.throttled", &[("minutes", "15")]),
        "登录失败次数过多，请 15 分钟后再试"
    );
    assert_eq!(
        tf(Lang::En, "list.total", &[("total", "1,234")]),
        "1,234 incidents"
    );
    assert!(same_secret("abc123", "abc123"));
    assert!(!same_secret("abc123", "abc124"));
    assert!(!same_secret("abc", "abc1"));
    assert!(!same_secret("", ""));
}

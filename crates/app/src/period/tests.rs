//! Start-time reading and calendar loading.

use frontline_core::FieldError;
use frontline_core::period::PeriodError;

use super::compute::ts;
use super::*;

#[test]
fn start_times_read_as_beijing_time() {
    let t = parse_start("2026-09-30T10:00").map(|t| ts(&t));
    assert_eq!(t.as_deref(), Some("2026-09-30T10:00:00+08:00"));
    let t = parse_start("2026-09-30T02:00:00Z").map(|t| ts(&t));
    assert_eq!(t.as_deref(), Some("2026-09-30T10:00:00+08:00"));
    assert!(parse_start("2026-09-30 10:00:30").is_some());
    assert!(parse_start("30/09/2026").is_none());
    assert!(parse_start("2026-13-01T10:00").is_none());
}

#[test]
fn calendar_errors_point_at_their_line() {
    let text = "year = 2027\nsource = \"x\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"\"\n\
                    first = 2027-01-01\nlast = 2027-01-01\nmakeup_workdays = [2027-01-02]\n";
    let refused = |t: &str| {
        YearCalendar::parse("upload", t)
            .err()
            .map(|e| calendar_field_error(&e))
    };
    let e = refused(text).unwrap_or_else(|| FieldError::required("text"));
    assert_eq!((e.field.as_str(), e.code), ("text", "calendar.invalid"));
    assert_eq!(
        e.en,
        "The calendar is invalid (line 5): holiday 元旦: name_en must not be empty"
    );
    assert_eq!(
        e.zh,
        "日历文件有误（第 5 行）：holiday 元旦: name_en must not be empty"
    );
    let text = text
        .replace("name_en = \"\"", "name_en = \"New Year\"")
        .replace("last = 2027-01-01", "last = 2027-01-03");
    let e = refused(&text).unwrap_or_else(|| FieldError::required("text"));
    assert!(
        e.en.starts_with("The calendar is invalid (line 8): 2027-01-02"),
        "{}",
        e.en
    );
    // A TOML syntax error names its line in the message itself.
    let e = refused("year = 2027\n[[holiday]\n").unwrap_or_else(|| FieldError::required("text"));
    assert!(
        e.en.starts_with("The calendar is invalid: TOML parse error at line 2"),
        "{}",
        e.en
    );
}

#[test]
fn a_calendar_directory_adds_years_and_names_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("fl-cal-{}", uuid::Uuid::now_v7()));
    let ok = std::fs::create_dir_all(&dir).is_ok()
        && std::fs::write(
            dir.join("2027.toml"),
            "year = 2027\nsource = \"test\"\n[[holiday]]\nname_zh = \"元旦\"\n\
                 name_en = \"New Year\"\nfirst = 2027-01-01\nlast = 2027-01-01\n",
        )
        .is_ok()
        && std::fs::write(dir.join("notes.txt"), "ignored").is_ok();
    assert!(ok, "temp files");
    let mut cals = Calendars::builtin().unwrap_or_default();
    let years = read_calendar_dir(&dir, &mut cals);
    assert_eq!(years.map(|y| y.len()), Ok(1));
    assert!(cals.year(2027).is_some());
    let _ = std::fs::write(dir.join("2028.toml"), "year = 2029\nsource = \"x\"\n");
    let err = read_calendar_dir(&dir, &mut cals).err().unwrap_or_default();
    assert!(err.contains("2028.toml") && err.contains("2029"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(read_calendar_dir(&dir, &mut cals).is_err());
}

#[test]
fn unknown_calendar_is_an_error_on_start() {
    let e = period_field_error(&PeriodError::CalendarUnknown { year: 2027 });
    assert_eq!((e.field.as_str(), e.code), ("start", "calendar.unknown"));
    assert!(e.en.contains("calendar unknown for 2027"), "{}", e.en);
    assert!(e.zh.contains("2027 年节假日安排尚未载入"), "{}", e.zh);
}

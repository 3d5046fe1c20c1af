//! Holiday calendars: read from a directory at start, shown, and uploaded a year at a
//! time by administrators without a release.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use frontline_core::authz::Action;
use frontline_core::org::Actor;
use frontline_core::period::{CalendarError, Calendars, YearCalendar};
use frontline_core::request::Given;
use frontline_core::text;
use frontline_core::time::is_leap_year;
use frontline_core::{FieldError, Lang};
use frontline_store::{AuditDraft, CalendarRow, truncate_micros};
use serde::Serialize;

use super::request::CalendarUploadRequest;
use super::{LoadedCalendars, Uploaded};
use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

/// A directory of `<year>.toml` calendars read at start (as the CLI's `--calendar-dir`).
pub const CALENDAR_DIR_ENV: &str = "FRONTLINE_CALENDAR_DIR";
/// A rule catalog replacing the built-in one, read at start.
pub const RULES_FILE_ENV: &str = "FRONTLINE_DEADLINE_RULES";

/// Adds every `*.toml` of `dir` (in name order) to `cals`; the first bad file stops the
/// load with its name in the message. Returns the years read, by file.
pub fn read_calendar_dir(
    dir: &Path,
    cals: &mut Calendars,
) -> std::result::Result<HashMap<i32, String>, String> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read calendar directory {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut years = HashMap::new();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).map_err(|e| format!("cannot read {name}: {e}"))?;
        let year = cals.add_toml(&name, &text).map_err(|e| e.to_string())?;
        years.insert(year, name);
    }
    Ok(years)
}

/// Largest calendar file accepted (a real year is about 2 KB).
pub const CALENDAR_MAX_BYTES: usize = 32 * 1024;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayView {
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    pub first: String,
    pub last: String,
    /// Days off in the block.
    pub days: i64,
    /// Saturdays or Sundays worked in exchange (调休上班).
    pub makeup_workdays: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarYearView {
    pub year: i32,
    /// The notice the calendar comes from.
    pub source: String,
    /// Shipped with the binary (false: read from the calendar directory or uploaded).
    pub builtin: bool,
    /// Where the year comes from: `builtin`, `file` (the calendar directory read at
    /// start) or `upload` (an administrator's upload, stored).
    pub origin: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: Option<String>,
    pub rest_days: u32,
    pub working_days: u32,
    pub holidays: Vec<HolidayView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarList {
    pub years: Vec<CalendarYearView>,
    /// Stored years that no longer validate and were skipped.
    pub load_errors: Vec<String>,
}

fn year_days(year: i32) -> u32 {
    if is_leap_year(year) { 366 } else { 365 }
}

pub fn calendar_view(
    y: &YearCalendar,
    uploaded: Option<&Uploaded>,
    from_file: bool,
    lang: Lang,
) -> CalendarYearView {
    let rest = y.rest_days();
    CalendarYearView {
        year: y.year,
        source: y.source.clone(),
        builtin: uploaded.is_none() && !from_file,
        origin: match (uploaded.is_some(), from_file) {
            (true, _) => "upload",
            (false, true) => "file",
            (false, false) => "builtin",
        }
        .into(),
        uploaded_by: uploaded.map(|u| u.by.clone()),
        uploaded_at: uploaded.map(|u| rfc3339_bj(u.at)),
        rest_days: rest,
        working_days: year_days(y.year).saturating_sub(rest),
        holidays: y
            .holidays
            .iter()
            .map(|h| HolidayView {
                name: match lang {
                    Lang::Zh => h.name_zh.clone(),
                    Lang::En => h.name_en.clone(),
                },
                name_zh: h.name_zh.clone(),
                name_en: h.name_en.clone(),
                first: h.first.to_string(),
                last: h.last.to_string(),
                days: (h.last - h.first).num_days() + 1,
                makeup_workdays: h.makeup_workdays.iter().map(|d| d.to_string()).collect(),
            })
            .collect(),
    }
}

/// A refused calendar as the field error of the upload: the message, with the line
/// it is on when the check names a key (a TOML syntax error gives its line itself).
pub fn calendar_field_error(e: &CalendarError) -> FieldError {
    let (zh, en) = match (e.key, e.line) {
        (Some(_), Some(n)) => (format!("（第 {n} 行）"), format!(" (line {n})")),
        _ => (String::new(), String::new()),
    };
    FieldError::new(
        "text",
        "calendar.invalid",
        format!("日历文件有误{zh}：{}", e.message),
        format!("The calendar is invalid{en}: {}", e.message),
    )
}

/// The calendars as listed, ascending by year.
pub fn calendar_list(loaded: &LoadedCalendars, lang: Lang) -> CalendarList {
    CalendarList {
        years: loaded
            .calendars
            .years()
            .map(|y| {
                calendar_view(
                    y,
                    loaded.uploaded.get(&y.year),
                    loaded.from_files.contains_key(&y.year),
                    lang,
                )
            })
            .collect(),
        load_errors: loaded.load_errors.clone(),
    }
}

impl App {
    /// The loaded holiday calendars, ascending by year (with any year another instance
    /// stored since this one started).
    pub async fn calendars(&self, actor: &Actor, lang: Lang) -> Result<CalendarList> {
        crate::gate::require(actor, Action::DeadlineCompute)?;
        self.deadlines.refresh(&self.store).await?;
        Ok(calendar_list(&self.deadlines.current(), lang))
    }

    /// Adds (or replaces) a year's holiday calendar. The text is validated first; a
    /// refused file changes nothing and the error names the line or the field. A valid
    /// one is stored with its audit entry and used at once.
    pub async fn upload_calendar(
        &self,
        actor: &Actor,
        req: &CalendarUploadRequest,
        lang: Lang,
    ) -> Result<CalendarYearView> {
        crate::gate::require(actor, Action::CalendarManage)?;
        let text = match &req.text {
            Given::Value(t) => t.as_str(),
            Given::Absent => "",
            Given::Wrong => {
                return Err(AppError::field(FieldError::new(
                    "text",
                    "string",
                    "应为字符串",
                    "Must be a string",
                )));
            }
        };
        // The file is checked as a long text (no control character but newline and tab,
        // no bidi override) and kept as sent, so that a refusal's line numbers are the
        // file's own.
        if text::block("text", text)
            .map_err(AppError::field)?
            .is_none()
        {
            return Err(AppError::field(FieldError::new(
                "text",
                "required",
                "请粘贴日历文件（TOML）",
                "Paste the calendar file (TOML)",
            )));
        }
        if text.len() > CALENDAR_MAX_BYTES {
            return Err(AppError::field(FieldError::new(
                "text",
                "too_large",
                format!("日历文件不能超过 {} KB", CALENDAR_MAX_BYTES / 1024),
                format!(
                    "The calendar may be at most {} KiB",
                    CALENDAR_MAX_BYTES / 1024
                ),
            )));
        }
        let cal = YearCalendar::parse("upload", text)
            .map_err(|e| AppError::field(calendar_field_error(&e)))?;
        let year = cal.year;
        let replaced = self.deadlines.current().calendars.year(year).is_some();
        let now = self.now();
        self.store
            .upsert_calendar(
                CalendarRow {
                    year,
                    text: text.to_string(),
                    uploaded_by: actor.officer_id,
                    uploaded_by_name: actor.display_name.clone(),
                    uploaded_at: now,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "calendar.upload".into(),
                    object_type: "calendar".into(),
                    object_id: year.to_string(),
                    purpose: None,
                    detail: serde_json::json!({
                        "source": cal.source,
                        "holidays": cal.holidays.len(),
                        "rest_days": cal.rest_days(),
                        "replaced": replaced,
                        "bytes": text.len(),
                    })
                    .to_string(),
                },
            )
            .await?;
        let by = Uploaded {
            by: actor.display_name.clone(),
            // As stored, so that `refresh` recognises this upload.
            at: truncate_micros(now),
        };
        let view = calendar_view(&cal, Some(&by), false, lang);
        self.deadlines.add(cal, by);
        Ok(view)
    }
}

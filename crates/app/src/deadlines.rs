//! Legal periods (issue 3): the deadline calculator, the rule catalog and the holiday
//! calendars, with administrators adding a calendar year without a release.
//!
//! The calendars (the years shipped with the binary, then every year stored by an
//! upload, which adds or replaces that year) and the rule catalog are loaded once when
//! the [`App`] starts. A valid upload is stored with its audit entry and swapped into
//! this instance's calendars at once. (Other instances on the same PostgreSQL database
//! see it at their next start.) A computation touches no record and is not audited.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use frontline_core::authz::{self, Action, Scope};
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::period::{
    CHINA, Calendars, ComputeOptions, DeadlineError, DeadlineRule, Mode, PeriodError, PeriodResult,
    PeriodSpec, RuleCatalog, RulePeriod, Span, Step, YearCalendar, compute_with,
};
use frontline_core::{FieldError, Lang};
use frontline_store::{AuditDraft, CalendarRow, Store, truncate_micros};
use serde::Serialize;

use crate::incident::rfc3339_bj;
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

// ---------------------------------------------------------------------------
// The loaded calendars and rules
// ---------------------------------------------------------------------------

/// Who uploaded a stored calendar year, and when.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The calendars in use and where each uploaded year came from.
#[derive(Debug, Clone)]
pub struct LoadedCalendars {
    pub calendars: Calendars,
    /// Years that come from an upload.
    pub uploaded: HashMap<i32, Uploaded>,
    /// Years read from the calendar directory at start (`FRONTLINE_CALENDAR_DIR`), by file.
    pub from_files: HashMap<i32, String>,
    /// Stored years that no longer validate (skipped, logged).
    pub load_errors: Vec<String>,
}

/// Shared by every request; the calendars are swapped whole on upload.
#[derive(Debug)]
pub struct DeadlineState {
    calendars: RwLock<Arc<LoadedCalendars>>,
    pub rules: Arc<RuleCatalog>,
}

impl DeadlineState {
    /// The calendars and rules as the CLI reads them: the built-in years, then the
    /// `*.toml` files of `FRONTLINE_CALENDAR_DIR` when set, then every year stored by an
    /// upload (validated again); the rule catalog of `FRONTLINE_DEADLINE_RULES` when
    /// set, else the built-in one. A bad file in the directory or a bad rule file stops
    /// the start with its name in the message.
    pub async fn load(store: &Store) -> Result<DeadlineState> {
        let dir = std::env::var_os(CALENDAR_DIR_ENV).map(PathBuf::from);
        let rules_file = std::env::var_os(RULES_FILE_ENV).map(PathBuf::from);
        DeadlineState::load_from(store, dir.as_deref(), rules_file.as_deref()).await
    }

    pub async fn load_from(
        store: &Store,
        calendar_dir: Option<&Path>,
        rules_file: Option<&Path>,
    ) -> Result<DeadlineState> {
        let mut calendars = Calendars::builtin().map_err(|e| AppError::Internal(e.to_string()))?;
        let from_files = match calendar_dir {
            Some(dir) => read_calendar_dir(dir, &mut calendars).map_err(AppError::Internal)?,
            None => HashMap::new(),
        };
        let rules = match rules_file {
            None => RuleCatalog::builtin().map_err(|e| AppError::Internal(e.to_string()))?,
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| AppError::Internal(format!("cannot read {}: {e}", f.display())))?;
                RuleCatalog::parse(&text)
                    .map_err(|e| AppError::Internal(format!("{}: {e}", f.display())))?
            }
        };
        let mut uploaded = HashMap::new();
        let mut load_errors = Vec::new();
        for row in store.list_calendars().await? {
            match YearCalendar::parse(&format!("stored {}", row.year), &row.text) {
                Ok(cal) if cal.year == row.year => {
                    calendars.insert(cal);
                    uploaded.insert(
                        row.year,
                        Uploaded {
                            by: row.uploaded_by_name,
                            at: row.uploaded_at,
                        },
                    );
                }
                Ok(cal) => load_errors.push(format!(
                    "stored calendar {} describes year {}",
                    row.year, cal.year
                )),
                Err(e) => {
                    tracing::error!(year = row.year, error = %e, "a stored calendar does not load");
                    load_errors.push(e.to_string());
                }
            }
        }
        Ok(DeadlineState {
            calendars: RwLock::new(Arc::new(LoadedCalendars {
                calendars,
                uploaded,
                from_files,
                load_errors,
            })),
            rules: Arc::new(rules),
        })
    }

    pub fn current(&self) -> Arc<LoadedCalendars> {
        match self.calendars.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Reads the stored years again and takes in those uploaded (on any instance) after
    /// the version this instance holds. Returns whether anything changed.
    pub async fn refresh(&self, store: &Store) -> Result<bool> {
        let rows = store.list_calendars().await?;
        let cur = self.current();
        let mut changed = false;
        for row in rows {
            if cur.uploaded.get(&row.year).map(|u| u.at) == Some(row.uploaded_at) {
                continue;
            }
            match YearCalendar::parse(&format!("stored {}", row.year), &row.text) {
                Ok(cal) if cal.year == row.year => {
                    self.add(
                        cal,
                        Uploaded {
                            by: row.uploaded_by_name,
                            at: row.uploaded_at,
                        },
                    );
                    changed = true;
                }
                Ok(_) | Err(_) => {
                    tracing::error!(year = row.year, "a stored calendar does not load");
                }
            }
        }
        Ok(changed)
    }

    /// Adds (or replaces) a validated year in place, under the write lock so that two
    /// uploads at once both survive.
    fn add(&self, cal: YearCalendar, by: Uploaded) {
        let apply = |cur: &Arc<LoadedCalendars>| {
            let mut next = LoadedCalendars::clone(cur);
            next.uploaded.insert(cal.year, by.clone());
            next.calendars.insert(cal.clone());
            Arc::new(next)
        };
        match self.calendars.write() {
            Ok(mut g) => *g = apply(&g),
            Err(p) => {
                let mut g = p.into_inner();
                *g = apply(&g);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The calculator: input, errors, answer
// ---------------------------------------------------------------------------

/// A calculator question as it arrives (JSON body or form), checked here.
#[derive(Debug, Clone, Default)]
pub struct DeadlineInput {
    /// RFC 3339 with an offset, or a Beijing wall-clock time `2026-09-30T10:00[:00]`.
    pub start: Option<String>,
    /// `<N>h`, `<N>d` or `<N>m` (blanks allowed: `30 d`).
    pub period: Option<String>,
    /// A catalog rule code instead of `period`.
    pub rule: Option<String>,
    pub custody: bool,
    pub working_days: bool,
    /// For a year without a calendar, assume plain weekends and flag the answer
    /// provisional instead of refusing.
    pub provisional: bool,
}

/// What was computed: the period's end with its explanation, and the rule if any.
#[derive(Debug, Clone)]
pub struct Computed {
    pub result: PeriodResult,
    pub rule: Option<DeadlineRule>,
    pub warn_at: Vec<DateTime<FixedOffset>>,
}

/// One step of the explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExplainStep {
    /// Stable step kind: `start`, `counted_from_day`, `nominal_end`, `roll_over`,
    /// `last_day_working`, `custody_not_extended`, `working_days_counted`, `due`, …
    pub kind: String,
    /// The step in words, in the request's language.
    pub text: String,
}

/// A rule in short, as part of an answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleRef {
    pub code: String,
    pub name: String,
    /// Legal bases, e.g. `治安管理处罚法（2025年修订） 第117条`.
    pub basis: Vec<String>,
}

/// `POST /api/v1/deadlines/compute` answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineAnswer {
    /// When the period ends, RFC 3339 in Beijing time: act before this instant. A day or
    /// month period ends at 24:00 of its last day, written as the next day's `T00:00:00+08:00`.
    pub due: String,
    /// The end before any holiday roll-over.
    pub nominal_end: String,
    /// The start in Beijing time.
    pub start: String,
    /// The period counted, e.g. `30d`.
    pub period: String,
    /// `legal`, `custody` or `working_days`.
    pub mode: String,
    /// The last day after any roll-over (day and month periods).
    pub last_day: Option<String>,
    /// The last day before any roll-over.
    pub nominal_last_day: Option<String>,
    pub provisional: bool,
    pub explain: Vec<ExplainStep>,
    /// The catalog rule used, when the question named one.
    pub rule: Option<RuleRef>,
    /// Reminder instants from the rule's `warn_before` (RFC 3339).
    pub warn_at: Vec<String>,
}

fn ts(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

fn step_kind(s: &Step) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.get("step").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

fn basis_text(r: &DeadlineRule) -> Vec<String> {
    r.basis
        .iter()
        .map(|b| format!("{} {}", b.law, b.article))
        .collect()
}

impl Computed {
    pub fn view(&self, lang: Lang) -> DeadlineAnswer {
        let r = &self.result;
        DeadlineAnswer {
            due: ts(&r.due),
            nominal_end: ts(&r.nominal_end),
            start: ts(&r.start),
            period: r.spec.span().to_string(),
            mode: mode_code(r.spec.mode).into(),
            last_day: r.last_day.map(|d| d.to_string()),
            nominal_last_day: r.nominal_last_day.map(|d| d.to_string()),
            provisional: r.provisional,
            explain: r
                .explain
                .iter()
                .map(|s| ExplainStep {
                    kind: step_kind(s),
                    text: s.text(lang),
                })
                .collect(),
            rule: self.rule.as_ref().map(|rule| RuleRef {
                code: rule.code.clone(),
                name: rule.name(lang).to_string(),
                basis: basis_text(rule),
            }),
            warn_at: self.warn_at.iter().map(ts).collect(),
        }
    }
}

pub fn mode_code(m: Mode) -> &'static str {
    match m {
        Mode::Legal => "legal",
        Mode::Custody => "custody",
        Mode::WorkingDays => "working_days",
    }
}

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// RFC 3339 with an offset, or a wall-clock time read as Beijing time
/// (`2026-09-30T10:00`, `2026-09-30 10:00`, with or without seconds).
pub fn parse_start(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&CHINA));
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return n.and_local_timezone(CHINA).single();
        }
    }
    None
}

fn bad_start() -> FieldError {
    FieldError::new(
        "start",
        "datetime.format",
        "起算时间格式不正确（例：2026-09-30T10:00 或 2026-09-30T10:00:00+08:00）",
        "Start must look like 2026-09-30T10:00 (Beijing time) or 2026-09-30T10:00:00+08:00",
    )
}

/// A core refusal as a field error (the field the user can correct).
pub fn period_field_error(e: &PeriodError) -> FieldError {
    match e {
        PeriodError::CalendarUnknown { year } => FieldError::new(
            "start",
            "calendar.unknown",
            format!(
                "{year} 年节假日安排尚未载入，无法计算（calendar unknown for {year}）；请管理员上传 {year} 年日历"
            ),
            format!(
                "calendar unknown for {year}: the {year} holiday calendar is not loaded; an administrator can upload it"
            ),
        ),
        PeriodError::BadSpan { .. } => FieldError::new(
            "period",
            "period.format",
            "期间格式不正确：应为正整数加单位 h（小时）、d（日）或 m（月），例：24h、30d、2m",
            "Period must be a whole number and a unit h, d or m, e.g. 24h, 30d, 2m",
        ),
        PeriodError::InvalidAmount { max, .. } => FieldError::new(
            "period",
            "period.range",
            format!("期间长度应在 1 至 {max} 之间"),
            format!("The amount must be between 1 and {max}"),
        ),
        PeriodError::WorkingDaysNeedDays { .. } => FieldError::new(
            "working_days",
            "working_days.unit",
            "只计工作日的期间须以日计算",
            "A working-days period must be counted in days",
        ),
        PeriodError::OutOfRange => FieldError::new(
            "start",
            "date.range",
            "日期超出可计算的范围",
            "The date is out of range",
        ),
        PeriodError::EndlessRollOver { from, days } => FieldError::new(
            "start",
            "calendar.broken",
            format!("日历有误：{from} 之后连续 {days} 天均为休息日"),
            format!("Calendar error: {days} rest days in a row after {from}"),
        ),
    }
}

fn deadline_field_error(e: &DeadlineError) -> FieldError {
    match e {
        DeadlineError::Period(p) => period_field_error(p),
        DeadlineError::UnknownRule { code } => FieldError::new(
            "rule",
            "rule.unknown",
            format!("没有代码为「{code}」的期限规则"),
            format!("No deadline rule with code “{code}”"),
        ),
        DeadlineError::Immediate { .. } => FieldError::new(
            "rule",
            "rule.immediate",
            "该规则要求立即（及时）办理，没有可计算的期间",
            "This rule requires immediate action and has no counted period",
        ),
        other => FieldError::new("rule", "rule.error", other.to_string(), other.to_string()),
    }
}

// ---------------------------------------------------------------------------
// Catalog and calendar views
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BasisView {
    pub law: String,
    pub article: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExtensionView {
    /// In words, e.g. `延长30日` / `+30 days`.
    pub size: String,
    /// How many times it may be granted; null: the law states no limit.
    pub times: Option<u32>,
    pub approved_by: Option<String>,
    pub condition: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub code: String,
    /// The row of the legal reference it comes from, e.g. `A16`.
    pub reference: String,
    /// `administrative` or `criminal`.
    pub kind: String,
    pub name: String,
    pub name_zh: String,
    pub name_en: String,
    pub trigger: String,
    /// `30d`, `24h`, `2m`, or `immediate`.
    pub period: String,
    /// The period in words, e.g. `30日`.
    pub period_text: String,
    /// `legal`, `custody` or `working_days`.
    pub mode: String,
    pub mode_text: String,
    pub basis: Vec<BasisView>,
    pub extensions: Vec<ExtensionView>,
    /// Reminders before the due instant, e.g. `3d`, `24h`.
    pub warn_before: Vec<String>,
    /// The same in words, e.g. `3日`, `24小时`.
    pub warn_before_text: Vec<String>,
    pub note: Option<String>,
    /// Known from a secondary source only; to be checked against the original.
    pub secondary: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleCatalogView {
    pub version: String,
    pub rules: Vec<RuleView>,
}

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

fn opt_lang(zh: &Option<String>, en: &Option<String>, lang: Lang) -> Option<String> {
    match lang {
        Lang::Zh => zh.clone(),
        Lang::En => en.clone().or_else(|| zh.clone()),
    }
}

pub fn rule_view(r: &DeadlineRule, lang: Lang) -> RuleView {
    let (period, period_text) = match r.period {
        RulePeriod::Immediate => (
            "immediate".to_string(),
            match lang {
                Lang::Zh => "立即／及时".to_string(),
                Lang::En => "immediately".to_string(),
            },
        ),
        RulePeriod::Counted(s) => (s.to_string(), s.describe(lang)),
    };
    RuleView {
        code: r.code.clone(),
        reference: r.reference.clone(),
        kind: match r.kind {
            frontline_core::period::CaseKind::Administrative => "administrative".into(),
            frontline_core::period::CaseKind::Criminal => "criminal".into(),
        },
        name: r.name(lang).to_string(),
        name_zh: r.name_zh.clone(),
        name_en: r.name_en.clone(),
        trigger: match lang {
            Lang::Zh => r.trigger_zh.clone(),
            Lang::En => r.trigger_en.clone(),
        },
        period,
        period_text,
        mode: mode_code(r.mode).into(),
        mode_text: r.mode.name(lang).into(),
        basis: r
            .basis
            .iter()
            .map(|b| BasisView {
                law: b.law.clone(),
                article: b.article.clone(),
            })
            .collect(),
        extensions: r
            .extensions
            .iter()
            .map(|e| ExtensionView {
                size: e.size.describe(lang),
                times: e.times,
                approved_by: opt_lang(&e.approved_by_zh, &e.approved_by_en, lang),
                condition: opt_lang(&e.condition_zh, &e.condition_en, lang),
            })
            .collect(),
        warn_before: r.warn_before.iter().map(Span::to_string).collect(),
        warn_before_text: r.warn_before.iter().map(|w| w.describe(lang)).collect(),
        note: opt_lang(&r.note_zh, &r.note_en, lang),
        secondary: r.secondary,
    }
}

fn year_days(year: i32) -> u32 {
    match NaiveDate::from_ymd_opt(year, 12, 31) {
        Some(d) if chrono::Datelike::ordinal(&d) == 366 => 366,
        _ => 365,
    }
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

/// The line (1-based) a calendar validation message is about, found in the text: the
/// line of the first date it names, else the line of the field it names (inside the
/// named holiday's block when it names one). `None` for TOML syntax errors, whose
/// message already gives the line, and when nothing matches.
pub fn calendar_error_line(text: &str, message: &str) -> Option<usize> {
    if message.contains("parse error") || message.contains("at line") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let dates = message.split(|c: char| !(c.is_ascii_digit() || c == '-'));
    for d in dates.filter(|w| w.len() == 10 && NaiveDate::parse_from_str(w, "%Y-%m-%d").is_ok()) {
        if let Some(i) = lines.iter().position(|l| l.contains(d)) {
            return Some(i + 1);
        }
    }
    // The block of `holiday NAME:` (its name_zh line), to search from.
    let from = message
        .strip_prefix("holiday ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|name| {
            let quoted = format!("\"{name}\"");
            lines
                .iter()
                .position(|l| l.trim_start().starts_with("name_zh") && l.contains(&quoted))
        })
        .unwrap_or(0);
    for key in ["name_en", "name_zh", "makeup_workdays", "source", "year"] {
        if message.contains(key)
            && let Some(i) = lines
                .iter()
                .skip(from)
                .position(|l| l.trim_start().starts_with(key))
        {
            return Some(from + i + 1);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Use cases
// ---------------------------------------------------------------------------

impl App {
    fn require_deadline(actor: &Actor, action: Action) -> Result<()> {
        if authz::scope(actor, action) == Scope::None {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    /// 期限计算: when does this period (or this catalog rule's period) end, and why.
    /// Bad input and a year without a calendar are field errors; nothing is stored.
    pub async fn compute_deadline(&self, actor: &Actor, input: &DeadlineInput) -> Result<Computed> {
        App::require_deadline(actor, Action::DeadlineCompute)?;
        let mut errs = Errors::default();
        let start = match non_blank(&input.start) {
            None => {
                errs.push(FieldError::required("start"));
                None
            }
            Some(s) => {
                let t = parse_start(s);
                if t.is_none() {
                    errs.push(bad_start());
                }
                t
            }
        };
        let period = non_blank(&input.period);
        let rule = non_blank(&input.rule);
        let span = match (period, rule) {
            (Some(_), Some(_)) => {
                errs.push(FieldError::new(
                    "period",
                    "period.or_rule",
                    "请填写期间或选择规则，二者只选其一",
                    "Give either a period or a rule, not both",
                ));
                None
            }
            (None, None) => {
                errs.push(FieldError::new(
                    "period",
                    "required",
                    "请填写期间（例：30 日）或选择一条期限规则",
                    "Give a period (e.g. 30 days) or choose a deadline rule",
                ));
                None
            }
            (Some(p), None) => {
                let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                match compact.parse::<Span>() {
                    Ok(s) => Some(s),
                    Err(e) => {
                        errs.push(period_field_error(&e));
                        None
                    }
                }
            }
            (None, Some(_)) => None,
        };
        if rule.is_some() {
            for (on, field) in [
                (input.custody, "custody"),
                (input.working_days, "working_days"),
            ] {
                if on {
                    errs.push(FieldError::new(
                        field,
                        "rule.mode_fixed",
                        "选择规则时按规则规定的计算方式计算，请不要另选羁押或工作日",
                        "A rule sets its own counting mode; leave custody and working days unticked",
                    ));
                }
            }
        } else if input.custody && input.working_days {
            errs.push(FieldError::new(
                "working_days",
                "mode.conflict",
                "羁押期间与只计工作日不能同时选择",
                "Custody and working days cannot both be chosen",
            ));
        }
        if let Some(s) = span
            && input.working_days
            && !input.custody
            && s.unit != frontline_core::period::Unit::Days
        {
            errs.push(period_field_error(&PeriodError::WorkingDaysNeedDays {
                unit: s.unit,
            }));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let Some(start) = start else {
            return Err(AppError::field(bad_start()));
        };
        let opts = ComputeOptions {
            provisional: input.provisional,
        };
        let mode = match (input.custody, input.working_days) {
            (true, _) => Mode::Custody,
            (_, true) => Mode::WorkingDays,
            _ => Mode::Legal,
        };
        let run = |cals: &Calendars| -> std::result::Result<Computed, DeadlineError> {
            match (span, rule) {
                (Some(span), _) => Ok(Computed {
                    result: compute_with(start, &PeriodSpec::new(span, mode), cals, opts)?,
                    rule: None,
                    warn_at: Vec::new(),
                }),
                (None, Some(code)) => {
                    let d = self.deadlines.rules.start(code, start, cals, opts)?;
                    Ok(Computed {
                        result: d.result,
                        rule: Some(d.rule),
                        warn_at: d.warn_at,
                    })
                }
                (None, None) => Err(DeadlineError::UnknownRule {
                    code: String::new(),
                }),
            }
        };
        let answer = match run(&self.deadlines.current().calendars) {
            // Another instance may have stored that year since this one started.
            Err(DeadlineError::Period(PeriodError::CalendarUnknown { .. }))
                if self.deadlines.refresh(&self.store).await? =>
            {
                run(&self.deadlines.current().calendars)
            }
            other => other,
        };
        answer.map_err(|e| AppError::field(deadline_field_error(&e)))
    }

    /// The deadline rule catalog.
    pub fn deadline_rules(&self, actor: &Actor, lang: Lang) -> Result<RuleCatalogView> {
        App::require_deadline(actor, Action::DeadlineCompute)?;
        let cat = &self.deadlines.rules;
        Ok(RuleCatalogView {
            version: cat.version.clone(),
            rules: cat.rules.iter().map(|r| rule_view(r, lang)).collect(),
        })
    }

    /// The loaded holiday calendars, ascending by year (with any year another instance
    /// stored since this one started).
    pub async fn calendars(&self, actor: &Actor, lang: Lang) -> Result<CalendarList> {
        App::require_deadline(actor, Action::DeadlineCompute)?;
        self.deadlines.refresh(&self.store).await?;
        let loaded = self.deadlines.current();
        Ok(CalendarList {
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
        })
    }

    /// Adds (or replaces) a year's holiday calendar. The text is validated first; a
    /// refused file changes nothing and the error names the line or the field. A valid
    /// one is stored with its audit entry and used at once.
    pub async fn upload_calendar(
        &self,
        actor: &Actor,
        text: &str,
        lang: Lang,
    ) -> Result<CalendarYearView> {
        App::require_deadline(actor, Action::CalendarManage)?;
        if text.trim().is_empty() {
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
        let cal = YearCalendar::parse("upload", text).map_err(|e| {
            let (zh, en) = match calendar_error_line(text, &e.message) {
                Some(n) => (format!("（第 {n} 行）"), format!(" (line {n})")),
                None => (String::new(), String::new()),
            };
            AppError::field(FieldError::new(
                "text",
                "calendar.invalid",
                format!("日历文件有误{zh}：{}", e.message),
                format!("The calendar is invalid{en}: {}", e.message),
            ))
        })?;
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

#[cfg(test)]
mod tests {
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
        let line = |m: &str| calendar_error_line(text, m);
        assert_eq!(line("holiday 元旦: name_en must not be empty"), Some(5));
        assert_eq!(line("2027-01-02 is both a make-up working day"), Some(8));
        assert_eq!(line("TOML parse error at line 3, column 1"), None);
        assert_eq!(line("something else"), None);
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
}

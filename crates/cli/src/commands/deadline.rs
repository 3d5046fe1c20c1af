//! `frontline deadline …`: legal-period tools.
//!
//! * `deadline compute --start <RFC 3339> --period <N>h|<N>d|<N>m [--custody] [--working-days]`
//!   (or `--rule CODE`) prints `{"due": "<RFC 3339 +08:00>", "explain": [...], ...}`;
//! * `deadline rules` lists the rule catalog;
//! * `deadline calendars` lists (and so validates) the holiday calendars.
//!
//! Exit status: 0 on success, 2 with a message on standard error for bad input, an
//! invalid calendar or rule file, or a calendar year that is not loaded.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::DateTime;
use clap::{Args, Subcommand};
use frontline_core::Lang;
use frontline_core::period::{
    Calendars, ComputeOptions, Mode, PeriodResult, PeriodSpec, RuleCatalog, RulePeriod, Span, Step,
    compute_with,
};
use serde_json::{Value, json};

#[derive(Subcommand)]
pub(crate) enum DeadlineCmd {
    /// Compute when a legal period ends (JSON on standard output).
    Compute(ComputeArgs),
    /// List the deadline rule catalog.
    Rules(ListArgs),
    /// List the loaded holiday calendars (validating any in --calendar-dir).
    Calendars(ListArgs),
}

/// Where the calendars and rules come from (built in unless given).
#[derive(Args, Clone, Default)]
pub(crate) struct DataArgs {
    /// Directory of holiday calendars `<year>.toml`, added to (or replacing) the built-in years.
    #[arg(long, env = "FRONTLINE_CALENDAR_DIR")]
    calendar_dir: Option<PathBuf>,
    /// A deadline rule catalog replacing the built-in one.
    #[arg(long, env = "FRONTLINE_DEADLINE_RULES")]
    rules_file: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct ComputeArgs {
    /// When the period starts, RFC 3339 with an offset, e.g. 2026-01-01T10:00:00+08:00.
    #[arg(long)]
    start: String,
    /// The period: <N>h, <N>d or <N>m (hours, days, months).
    #[arg(long, required_unless_present = "rule", conflicts_with = "rule")]
    period: Option<String>,
    /// A custody / restricted-liberty period: never extended by holidays.
    #[arg(long, conflicts_with_all = ["working_days", "rule"])]
    custody: bool,
    /// Count working days only (days periods).
    #[arg(long, conflicts_with = "rule")]
    working_days: bool,
    /// Use a catalog rule (see `frontline deadline rules`) instead of --period.
    #[arg(long)]
    rule: Option<String>,
    /// For a year without a calendar, assume plain weekends and flag the answer
    /// `"provisional": true` instead of refusing.
    #[arg(long)]
    provisional: bool,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args)]
pub(crate) struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    data: DataArgs,
}

/// Runs a `deadline` subcommand; errors are printed and give exit status 2.
pub(crate) fn run(cmd: DeadlineCmd) -> ExitCode {
    let out = match cmd {
        DeadlineCmd::Compute(a) => compute_cmd(&a),
        DeadlineCmd::Rules(a) => rules_cmd(&a),
        DeadlineCmd::Calendars(a) => calendars_cmd(&a),
    };
    match out {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The built-in calendars plus every `*.toml` of `dir` (validated; the first bad file
/// stops the load with its name in the message).
pub(crate) fn load_calendars(dir: Option<&Path>) -> Result<Calendars, String> {
    let mut cals = Calendars::builtin().map_err(|e| e.to_string())?;
    if let Some(dir) = dir {
        frontline_app::period::read_calendar_dir(dir, &mut cals)?;
    }
    Ok(cals)
}

fn load_rules(file: Option<&Path>) -> Result<RuleCatalog, String> {
    match file {
        None => RuleCatalog::builtin().map_err(|e| e.to_string()),
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            RuleCatalog::parse(&text).map_err(|e| format!("{}: {e}", f.display()))
        }
    }
}

fn rfc3339(t: &DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

fn step_json(s: &Step) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("zh".into(), Value::String(s.text(Lang::Zh)));
        m.insert("en".into(), Value::String(s.text(Lang::En)));
    }
    v
}

fn result_json(r: &PeriodResult) -> Value {
    json!({
        "due": rfc3339(&r.due),
        "start": rfc3339(&r.start),
        "period": r.spec.span().to_string(),
        "mode": r.spec.mode,
        "nominal_end": rfc3339(&r.nominal_end),
        "nominal_last_day": r.nominal_last_day,
        "last_day": r.last_day,
        "provisional": r.provisional,
        "explain": r.explain.iter().map(step_json).collect::<Vec<_>>(),
    })
}

fn compute_cmd(a: &ComputeArgs) -> Result<String, String> {
    let start = DateTime::parse_from_rfc3339(a.start.trim()).map_err(|e| {
        format!("bad --start {:?}: {e}; expected RFC 3339 with an offset, e.g. 2026-01-01T10:00:00+08:00", a.start)
    })?;
    let cals = load_calendars(a.data.calendar_dir.as_deref())?;
    let opts = ComputeOptions {
        provisional: a.provisional,
    };
    let mut out = match (&a.rule, &a.period) {
        (Some(code), _) => {
            let catalog = load_rules(a.data.rules_file.as_deref())?;
            let rule = catalog.get(code).ok_or_else(|| {
                format!("unknown rule {code:?}; `frontline deadline rules` lists them")
            })?;
            let d = catalog
                .start(code, start, &cals, opts)
                .map_err(|e| e.to_string())?;
            let mut v = result_json(&d.result);
            if let Value::Object(m) = &mut v {
                m.insert(
                    "rule".into(),
                    json!({
                        "code": rule.code,
                        "name_zh": rule.name_zh,
                        "name_en": rule.name_en,
                        "trigger_zh": rule.trigger_zh,
                        "basis": rule.basis,
                        "extensions": rule.extensions,
                    }),
                );
                m.insert(
                    "warn_at".into(),
                    json!(d.warn_at.iter().map(rfc3339).collect::<Vec<_>>()),
                );
            }
            v
        }
        (None, Some(p)) => {
            let span: Span = p.parse().map_err(|e| format!("bad --period: {e}"))?;
            let mode = match (a.custody, a.working_days) {
                (true, _) => Mode::Custody,
                (_, true) => Mode::WorkingDays,
                _ => Mode::Legal,
            };
            let r = compute_with(start, &PeriodSpec::new(span, mode), &cals, opts)
                .map_err(|e| e.to_string())?;
            result_json(&r)
        }
        (None, None) => return Err("give --period <N>h|<N>d|<N>m or --rule CODE".into()),
    };
    if let Value::Object(m) = &mut out {
        m.insert("input_start".into(), Value::String(a.start.clone()));
    }
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

fn mode_zh(m: Mode) -> &'static str {
    match m {
        Mode::Legal => "法定",
        Mode::Custody => "羁押",
        Mode::WorkingDays => "工作日",
    }
}

fn rules_cmd(a: &ListArgs) -> Result<String, String> {
    let catalog = load_rules(a.data.rules_file.as_deref())?;
    if a.json {
        return serde_json::to_string_pretty(&catalog).map_err(|e| e.to_string());
    }
    let mut out = format!(
        "deadline rules, version {} ({} rules)\n",
        catalog.version,
        catalog.rules.len()
    );
    for r in &catalog.rules {
        let period = match r.period {
            RulePeriod::Immediate => "立即".to_string(),
            RulePeriod::Counted(s) => s.to_string(),
        };
        let basis: Vec<String> = r
            .basis
            .iter()
            .map(|b| format!("{} {}", b.law, b.article))
            .collect();
        let ext: Vec<String> = r
            .extensions
            .iter()
            .map(|e| {
                let times = e.times.map(|t| format!(" ×{t}")).unwrap_or_default();
                let by = e
                    .approved_by_zh
                    .as_deref()
                    .map(|b| format!("（{b}批准）"))
                    .unwrap_or_default();
                format!("{}{times}{by}", e.size.describe(Lang::Zh))
            })
            .collect();
        out.push_str(&format!(
            "{:<42} {:>5} {:<6} {:<4} {}｜{}｜{}{}{}\n",
            r.code,
            period,
            mode_zh(r.mode),
            r.reference,
            r.name_zh,
            r.trigger_zh,
            basis.join("；"),
            if ext.is_empty() {
                String::new()
            } else {
                format!("｜延长：{}", ext.join("；"))
            },
            if r.secondary { "｜〔二手〕" } else { "" },
        ));
    }
    Ok(out.trim_end().to_string())
}

fn calendars_cmd(a: &ListArgs) -> Result<String, String> {
    let cals = load_calendars(a.data.calendar_dir.as_deref())?;
    if a.json {
        let years: Vec<_> = cals.years().collect();
        return serde_json::to_string_pretty(&years).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    for y in cals.years() {
        let days = if chrono::NaiveDate::from_ymd_opt(y.year, 12, 31)
            .is_some_and(|d| chrono::Datelike::ordinal(&d) == 366)
        {
            366
        } else {
            365
        };
        out.push_str(&format!(
            "{}: {} holiday blocks, {} working days — {}\n",
            y.year,
            y.holidays.len(),
            days - y.rest_days(),
            y.source
        ));
        for h in &y.holidays {
            let mk: Vec<String> = h.makeup_workdays.iter().map(|d| d.to_string()).collect();
            out.push_str(&format!(
                "  {} {} .. {}{}\n",
                h.name_zh,
                h.first,
                h.last,
                if mk.is_empty() {
                    String::new()
                } else {
                    format!("; 调休上班 {}", mk.join(", "))
                }
            ));
        }
    }
    Ok(out.trim_end().to_string())
}

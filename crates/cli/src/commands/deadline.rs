//! `frontline deadline …`: legal-period tools.
//!
//! * `deadline compute --start <time> --period <N>h|<N>d|<N>m [--custody] [--working-days]`
//!   (or `--rule CODE`) asks the calculator the API's question and prints the API's
//!   answer (`POST /api/v1/deadlines/compute`);
//! * `deadline rules` lists the rule catalog (`--json`: as `GET /api/v1/deadline-rules`);
//! * `deadline calendars` lists (and so validates) the holiday calendars (`--json`: as
//!   `GET /api/v1/calendars`).
//!
//! Exit status: 0 on success, 2 with a message on standard error for bad input, an
//! invalid calendar or rule file, or a calendar year that is not loaded.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use frontline_app::AppError;
use frontline_app::period::{
    DeadlineRequest, LoadedCalendars, calendar_list, compute, load_rules, rule_catalog_view,
};
use frontline_core::Lang;
use frontline_core::period::{Mode, RulePeriod};

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
    /// When the period starts: RFC 3339 with an offset, e.g. 2026-01-01T10:00:00+08:00,
    /// or Beijing wall-clock time, e.g. 2026-01-01T10:00.
    #[arg(long)]
    start: String,
    /// The period: <N>h, <N>d or <N>m (hours, days, months).
    #[arg(long)]
    period: Option<String>,
    /// A custody / restricted-liberty period: never extended by holidays.
    #[arg(long)]
    custody: bool,
    /// Count working days only (days periods).
    #[arg(long)]
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

impl ComputeArgs {
    /// The flags as the calculator's request (the API's body).
    fn request(&self) -> DeadlineRequest {
        DeadlineRequest {
            start: self.start.clone().into(),
            period: self.period.clone().into(),
            rule: self.rule.clone().into(),
            custody: self.custody.into(),
            working_days: self.working_days.into(),
            provisional: self.provisional.into(),
            ..DeadlineRequest::default()
        }
    }
}

/// The request's field as the flag that sets it.
fn flag(field: &str) -> String {
    format!("--{}", field.replace('_', "-"))
}

/// A refusal as the lines of standard error: `bad --<flag>: <message>`, one per field.
fn refusal(e: AppError) -> String {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| format!("bad {}: {}", flag(&f.field), f.en))
            .collect::<Vec<_>>()
            .join("\nerror: "),
        other => other.to_string(),
    }
}

fn compute_cmd(a: &ComputeArgs) -> Result<String, String> {
    let loaded = LoadedCalendars::from_dir(a.data.calendar_dir.as_deref())?;
    let rules = load_rules(a.data.rules_file.as_deref())?;
    let c = compute(&a.request(), &loaded.calendars, &rules).map_err(refusal)?;
    serde_json::to_string_pretty(&c.view(Lang::Zh)).map_err(|e| e.to_string())
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
        return serde_json::to_string_pretty(&rule_catalog_view(&catalog, Lang::Zh))
            .map_err(|e| e.to_string());
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
    let loaded = LoadedCalendars::from_dir(a.data.calendar_dir.as_deref())?;
    let list = calendar_list(&loaded, Lang::Zh);
    if a.json {
        return serde_json::to_string_pretty(&list).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    for y in &list.years {
        out.push_str(&format!(
            "{}: {} holiday blocks, {} working days — {}\n",
            y.year,
            y.holidays.len(),
            y.working_days,
            y.source
        ));
        for h in &y.holidays {
            out.push_str(&format!(
                "  {} {} .. {}{}\n",
                h.name_zh,
                h.first,
                h.last,
                if h.makeup_workdays.is_empty() {
                    String::new()
                } else {
                    format!("; 调休上班 {}", h.makeup_workdays.join(", "))
                }
            ));
        }
    }
    Ok(out.trim_end().to_string())
}

//! `frontline penalty assess|catalog`: the public-order penalty discretion engine.
//!
//! `assess --input FILE|-` reads one JSON request (the API's contract, checked by the
//! same rules) and prints the assessment as the API answers it (an array of requests:
//! several violations, combined per 第16条); bad input or an unknown code exits 2 with
//! one line per field error on stderr.
//! `catalog` lists articles, violation codes, tiers, situations and circumstances.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use frontline_app::penalty::{AssessAnswer, AssessBody, assess_inputs};
use frontline_core::FieldError;
use frontline_core::penalty::Engine;
use frontline_core::penalty::catalog::{Catalog, RuleKind};
use frontline_core::penalty::rules::STATUTORY_CIRCUMSTANCES;
use frontline_core::time::BEIJING;

#[derive(Subcommand)]
pub(crate) enum PenaltyCmd {
    /// Assess one violation: JSON request in, JSON assessment out.
    Assess(AssessArgs),
    /// List articles, violation codes, tiers, situations and circumstances.
    Catalog(CatalogArgs),
}

#[derive(Args)]
pub(crate) struct AssessArgs {
    /// JSON request file, or `-` for standard input.
    #[arg(long)]
    input: String,
    /// A bureau discretion standard (TOML) instead of the default one.
    #[arg(long)]
    standard: Option<PathBuf>,
    /// Print the JSON on one line.
    #[arg(long)]
    compact: bool,
}

#[derive(Args)]
pub(crate) struct CatalogArgs {
    /// A bureau discretion standard (TOML) instead of the default one.
    #[arg(long)]
    standard: Option<PathBuf>,
    /// Only this article (2025 numbering).
    #[arg(long)]
    article: Option<u16>,
    /// Print JSON (catalogs and standard) instead of text.
    #[arg(long)]
    json: bool,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn engine(standard: &Option<PathBuf>) -> Result<Engine, String> {
    match standard {
        None => Engine::builtin().map_err(|e| e.to_string()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            Engine::with_standard(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}

pub(crate) fn run(cmd: PenaltyCmd) -> ExitCode {
    match cmd {
        PenaltyCmd::Assess(a) => assess(a),
        PenaltyCmd::Catalog(c) => catalog(c),
    }
}

fn assess(a: AssessArgs) -> ExitCode {
    let text = if a.input == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            return fail(format!("reading standard input: {e}"));
        }
        s
    } else {
        match std::fs::read_to_string(&a.input) {
            Ok(s) => s,
            Err(e) => return fail(format!("reading {}: {e}", a.input)),
        }
    };
    // One request object, or an array of them: several violations of one person,
    // decided separately and combined (第16条). The API's contract and rules.
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return fail(format!("invalid request JSON: {e}")),
    };
    let (inputs, many) = match AssessBody::read(value).check() {
        Ok(x) => x,
        Err(errs) => return refuse(Some("invalid request"), &errs),
    };
    let engine = match engine(&a.standard) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let today = chrono::Utc::now().with_timezone(&BEIJING).date_naive();
    let answer = match assess_inputs(&engine, &inputs, many, today) {
        Ok(out) => AssessAnswer::new(out, many),
        Err(errs) => return refuse(None, &errs),
    };
    let json = match answer {
        Ok(v) if a.compact => serde_json::to_string(&v).map_err(|e| e.to_string()),
        Ok(v) => serde_json::to_string_pretty(&v).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match json {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Field errors on stderr, one a line: the path, the code in words and the message, as
/// the API answers them (`1.article` for the second of an array).
fn refuse(what: Option<&str>, errs: &[FieldError]) -> ExitCode {
    for e in errs {
        let code = e.code.replace(['_', '.'], " ");
        let field = if e.field.is_empty() { "body" } else { &e.field };
        match what {
            Some(w) => eprintln!("error: {w}: {field}: {code}: {}", e.en),
            None => eprintln!("error: {field}: {code}: {}", e.en),
        }
    }
    ExitCode::from(2)
}

fn catalog(c: CatalogArgs) -> ExitCode {
    let engine = match engine(&c.standard) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    if let Some(n) = c.article
        && engine.catalog.article(n).is_none()
    {
        let (first, last) = engine.catalog.version.violation_articles();
        return fail(format!(
            "unknown article {n} ({} numbering: {first}–{last})",
            engine.catalog.version.as_str()
        ));
    }
    if c.json {
        let v = serde_json::json!({
            "psapl_2025": engine.catalog,
            "psapl_2012": engine.old,
            "standard": engine.standard,
            "statutory_circumstances": STATUTORY_CIRCUMSTANCES,
        });
        return match serde_json::to_string_pretty(&v) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    print_catalog(&engine, &engine.catalog, c.article);
    ExitCode::SUCCESS
}

fn fmt_range_days(d: Option<[u32; 2]>) -> String {
    d.map(|[a, b]| format!(" 拘{a}–{b}日")).unwrap_or_default()
}

fn fmt_range_yuan(f: Option<[u64; 2]>) -> String {
    f.map(|[a, b]| format!(" 罚{a}–{b}元")).unwrap_or_default()
}

fn print_catalog(engine: &Engine, cat: &Catalog, only: Option<u16>) {
    println!(
        "{} — {} (since {})",
        cat.law_zh, cat.title_zh, cat.effective_from
    );
    println!(
        "Discretion standard: {} ({})",
        engine.standard.name_zh, engine.standard.version
    );
    println!();
    for a in cat
        .articles
        .iter()
        .filter(|a| only.is_none_or(|n| n == a.article))
    {
        let old = a
            .old_article_2012
            .map(|o| format!(" [2012: 第{o}条]"))
            .unwrap_or_else(|| " [2025新增]".into());
        println!("第{}条 {}{}", a.article, a.title_zh, old);
        for i in &a.items {
            println!("    （{}）{}", i.item, i.name_zh);
        }
        for r in &a.rules {
            let kind = match r.kind {
                RuleKind::Penalty => "",
                RuleKind::Aggravate => " ［从重］",
                RuleKind::Refer => " ［援引］",
                RuleKind::Measure => " ［附随措施］",
                RuleKind::Directive => " ［责令改正/建议处分］",
                RuleKind::NoPenalty => " ［不予处罚］",
            };
            let items = r
                .items
                .as_ref()
                .map(|v| {
                    format!(
                        " items {}",
                        v.iter()
                            .map(|i| i.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .unwrap_or_default();
            println!(
                "  {}{} 第{}款 {}{}",
                r.code, kind, r.paragraph, r.applies_to_zh, items
            );
            if let Some(t) = &r.refers_to {
                println!("      → {t}");
            }
            for m in &r.measures_zh {
                println!("      措施: {m}");
            }
            for t in &r.tiers {
                let trig = t
                    .trigger_zh
                    .as_deref()
                    .map(|s| format!("〈{s}〉"))
                    .unwrap_or_default();
                println!("    [{}]{} {}", t.tier.as_str(), trig, t.text_zh);
                for s in engine.standard.situations_for(&r.code, t.tier) {
                    let w = if s.warning { " 警告" } else { "" };
                    let d = s
                        .detention_days
                        .map(|_| format!(" (基准{}日)", s.detention_base))
                        .unwrap_or_default();
                    let f = s
                        .fine_yuan
                        .map(|_| format!(" (基准{}元)", s.fine_base))
                        .unwrap_or_default();
                    let def = if s.default { " *默认" } else { "" };
                    println!(
                        "      情形 {} {}:{}{}{}{}{}{}",
                        s.code,
                        s.name_zh,
                        w,
                        fmt_range_days(s.detention_days),
                        d,
                        fmt_range_yuan(s.fine_yuan),
                        f,
                        def
                    );
                }
            }
        }
    }
    if only.is_none() {
        println!();
        println!("法定情节 (statutory grounds, built into the engine):");
        for s in STATUTORY_CIRCUMSTANCES {
            println!("  {:<22} {}", s.code, s.name_zh);
        }
        println!("裁量情节 (discretionary circumstances of the standard):");
        for c in &engine.standard.circumstances {
            println!("  {:<22} {} ({:+} steps)", c.code, c.name_zh, c.steps);
        }
    }
}

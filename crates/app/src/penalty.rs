//! Public-order penalty discretion (治安管理处罚裁量): the calculator, the catalog of the
//! loaded standard, and a bureau's own discretion standards (upload, validate, activate).
//!
//! The [`Engine`] is loaded once at start (the active stored standard, else the one
//! shipped with the binary) and swapped whole when an administrator activates another
//! standard. An assessment touches no record; it is audited with the violation code,
//! the law version and the recommendation — never a name or an identifier (the person
//! is only an age and flags).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use frontline_core::FieldError;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::error::Errors;
use frontline_core::incident::SHANGHAI;
use frontline_core::org::{Actor, UnitKind};
use frontline_core::penalty::catalog::{Rule, RuleKind};
use frontline_core::penalty::rules::{Cite, STATUTORY_CIRCUMSTANCES};
use frontline_core::penalty::{
    AssessError, AssessInput, Assessment, Combined, Engine, LawVersion, Person, StandardError,
    TierKind, combine,
};
use frontline_store::{AuditDraft, NewPenaltyStandard, PenaltyStandardRow, Store};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::incident::rfc3339_bj;
use crate::{App, AppError, Result};

/// Largest standard accepted (the default one is about 150 KB).
pub const STANDARD_MAX_BYTES: usize = 1024 * 1024;
/// Most violations assessed together (第16条).
pub const MAX_VIOLATIONS: usize = 20;
/// Oldest age the calculator accepts.
pub const AGE_MAX: u64 = 120;

// ---------------------------------------------------------------------------
// The loaded engine
// ---------------------------------------------------------------------------

/// The engine in use and which standard it holds.
#[derive(Debug)]
pub struct LoadedEngine {
    pub engine: Engine,
    /// The stored standard in use; `None`: the one shipped with the binary.
    pub standard_id: Option<Uuid>,
    /// Why the active stored standard could not be loaded (the built-in one is used).
    pub load_error: Option<String>,
    /// The active stored standard that failed to load (not retried until it changes).
    pub failed_id: Option<Uuid>,
}

impl LoadedEngine {
    /// The engine for the active stored standard (`None`: the built-in one). A stored
    /// standard that no longer loads (e.g. after a catalog correction) is logged and the
    /// built-in one used.
    fn for_active(active: Option<(Uuid, String)>) -> Result<LoadedEngine> {
        Ok(match active {
            Some((id, text)) => match Engine::with_standard(&text) {
                Ok(engine) => LoadedEngine {
                    engine,
                    standard_id: Some(id),
                    load_error: None,
                    failed_id: None,
                },
                Err(e) => {
                    tracing::error!(standard = %id, error = %e,
                        "the active discretion standard does not load; using the built-in one");
                    LoadedEngine {
                        engine: builtin()?,
                        standard_id: None,
                        load_error: Some(e.to_string()),
                        failed_id: Some(id),
                    }
                }
            },
            None => LoadedEngine {
                engine: builtin()?,
                standard_id: None,
                load_error: None,
                failed_id: None,
            },
        })
    }

    /// Whether this engine already reflects `active` (the stored standard now active).
    fn reflects(&self, active: Option<Uuid>) -> bool {
        active == self.standard_id || (active.is_some() && active == self.failed_id)
    }
}

/// How often an instance looks for a standard activated by another instance.
pub const RECHECK_DEFAULT: Duration = Duration::from_secs(10);

/// Shared by every request; swapped whole on activation. With several instances on
/// one database, each checks the store at most every `recheck` and follows an
/// activation made elsewhere.
#[derive(Debug)]
pub struct PenaltyState {
    current: RwLock<Arc<LoadedEngine>>,
    checked: Mutex<Instant>,
    recheck_ms: AtomicU64,
}

async fn load_blocking(active: Option<(Uuid, String)>) -> Result<LoadedEngine> {
    tokio::task::spawn_blocking(move || LoadedEngine::for_active(active))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

impl PenaltyState {
    /// The active stored standard, else the built-in one.
    pub async fn load(store: &Store) -> Result<PenaltyState> {
        let active = store
            .active_penalty_standard()
            .await?
            .map(|(row, text)| (row.id, text));
        let loaded = load_blocking(active).await?;
        Ok(PenaltyState {
            current: RwLock::new(Arc::new(loaded)),
            checked: Mutex::new(Instant::now()),
            recheck_ms: AtomicU64::new(RECHECK_DEFAULT.as_millis() as u64),
        })
    }

    pub fn current(&self) -> Arc<LoadedEngine> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn replace(&self, next: LoadedEngine) -> Arc<LoadedEngine> {
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next.clone(),
            Err(p) => *p.into_inner() = next.clone(),
        }
        next
    }

    /// How often to look for an activation made by another instance (tests use zero).
    pub fn set_recheck(&self, every: Duration) {
        self.recheck_ms
            .store(every.as_millis() as u64, Ordering::Relaxed);
    }

    /// True when it is time to look at the store again (and marks the look).
    fn due(&self) -> bool {
        let every = Duration::from_millis(self.recheck_ms.load(Ordering::Relaxed));
        let mut g = match self.checked.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if g.elapsed() >= every {
            *g = Instant::now();
            true
        } else {
            false
        }
    }

    /// The engine, reloaded first when another instance activated another standard.
    pub async fn fresh(&self, store: &Store) -> Result<Arc<LoadedEngine>> {
        let cur = self.current();
        if !self.due() {
            return Ok(cur);
        }
        let active = store
            .list_penalty_standards()
            .await?
            .into_iter()
            .find(|r| r.active)
            .map(|r| r.id);
        if cur.reflects(active) {
            return Ok(cur);
        }
        let text = match active {
            Some(id) => store.penalty_standard(id).await?.map(|(r, t)| (r.id, t)),
            None => None,
        };
        let next = load_blocking(text).await?;
        Ok(self.replace(next))
    }
}

fn builtin() -> Result<Engine> {
    Engine::builtin().map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------
// Request parsing (the CLI/API JSON contract), with field-level errors
// ---------------------------------------------------------------------------

const REQUEST_FIELDS: [&str; 10] = [
    "article",
    "item",
    "situation",
    "tier",
    "circumstances",
    "person",
    "offence_date",
    "discovered_date",
    "decision_date",
    "illegal_gains_yuan",
];
const PERSON_FIELDS: [&str; 5] = [
    "age",
    "pregnant",
    "nursing_infant",
    "first_offence",
    "foreigner",
];

fn unknown_field(path: &str) -> FieldError {
    FieldError::new(
        path,
        "unknown_field",
        format!("未知字段「{path}」"),
        format!("Unknown field “{path}”"),
    )
}

fn not_null(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn opt_text(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<String> {
    match not_null(v) {
        None => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "string",
                "应为文字",
                "Must be a string",
            ));
            None
        }
    }
}

fn opt_bool(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<bool> {
    match not_null(v) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "boolean",
                "应为是或否（true / false）",
                "Must be true or false",
            ));
            None
        }
    }
}

fn opt_date(v: Option<&Value>, field: &str, errs: &mut Errors) -> Option<NaiveDate> {
    let s = opt_text(v, field, errs)?;
    match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "date.format",
                "日期格式不正确（例：2026-11-22）",
                "Date must look like 2026-11-22",
            ));
            None
        }
    }
}

fn opt_uint(v: Option<&Value>, field: &str, max: u64, errs: &mut Errors) -> Option<u64> {
    match not_null(v) {
        None => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= max) => n.as_u64(),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.trim().parse::<u64>().is_ok_and(|n| n <= max) => {
            s.trim().parse().ok()
        }
        Some(_) => {
            errs.push(FieldError::new(
                field,
                "integer.range",
                format!("应为 0 到 {max} 之间的整数"),
                format!("Must be a whole number from 0 to {max}"),
            ));
            None
        }
    }
}

/// Reads one assessment request (the JSON contract of `frontline penalty assess`),
/// reporting every problem with its field path (`person.age`, `offence_date` …).
pub fn parse_assess_request(v: &Value) -> std::result::Result<AssessInput, Vec<FieldError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "body.object",
            "请求内容应为一个 JSON 对象",
            "The body must be one JSON object",
        )]);
    };
    let mut errs = Errors::default();
    for k in obj.keys() {
        if !REQUEST_FIELDS.contains(&k.as_str()) {
            errs.push(unknown_field(k));
        }
    }
    let article = match not_null(obj.get("article"))
        .filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
    {
        None => {
            errs.push(FieldError::new(
                "article",
                "required",
                "请选择或填写条文（如 51，或违法行为代码 26-2）",
                "Give the article (e.g. 51) or a violation code (e.g. 26-2)",
            ));
            String::new()
        }
        Some(Value::Number(n)) if n.as_u64().is_some() => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(_) => {
            errs.push(FieldError::new(
                "article",
                "article.format",
                "条文应为条文号（如 51）或违法行为代码（如 26-2）",
                "The article must be a number (51) or a violation code (26-2)",
            ));
            String::new()
        }
    };
    let item = opt_uint(obj.get("item"), "item", 99, &mut errs).map(|n| n as u8);
    let situation = opt_text(obj.get("situation"), "situation", &mut errs);
    let tier = match opt_text(obj.get("tier"), "tier", &mut errs) {
        None => None,
        Some(t) => match TierKind::parse(&t) {
            Some(t) => Some(t),
            None => {
                errs.push(FieldError::new(
                    "tier",
                    "tier.unknown",
                    "处罚档次应为 lighter（情节较轻）、base（一般）或 heavier（情节较重）",
                    "tier must be lighter, base or heavier",
                ));
                None
            }
        },
    };
    let mut circumstances = Vec::new();
    match not_null(obj.get("circumstances")) {
        None => {}
        Some(Value::Array(a)) => {
            for (i, c) in a.iter().enumerate() {
                match c.as_str().map(str::trim) {
                    Some(s) if !s.is_empty() => {
                        if !circumstances.iter().any(|x: &String| x == s) {
                            circumstances.push(s.to_string());
                        }
                    }
                    _ => errs.push(FieldError::new(
                        format!("circumstances.{i}"),
                        "string",
                        "情节应为情节代码",
                        "Each circumstance must be a circumstance code",
                    )),
                }
            }
        }
        Some(_) => errs.push(FieldError::new(
            "circumstances",
            "array",
            "情节应为情节代码的列表",
            "circumstances must be a list of codes",
        )),
    }
    let mut person = Person::default();
    match not_null(obj.get("person")) {
        Some(Value::Object(p)) => {
            for k in p.keys() {
                if !PERSON_FIELDS.contains(&k.as_str()) {
                    errs.push(unknown_field(&format!("person.{k}")));
                }
            }
            match not_null(p.get("age")) {
                None => errs.push(FieldError::new(
                    "person.age",
                    "required",
                    "请填写违法行为人行为时的年龄",
                    "Give the person's age at the time of the act",
                )),
                v => {
                    if let Some(a) = opt_uint(v, "person.age", AGE_MAX, &mut errs) {
                        person.age = a as u8;
                    }
                }
            }
            person.pregnant =
                opt_bool(p.get("pregnant"), "person.pregnant", &mut errs).unwrap_or(false);
            person.nursing_infant =
                opt_bool(p.get("nursing_infant"), "person.nursing_infant", &mut errs)
                    .unwrap_or(false);
            person.first_offence =
                opt_bool(p.get("first_offence"), "person.first_offence", &mut errs);
            person.foreigner =
                opt_bool(p.get("foreigner"), "person.foreigner", &mut errs).unwrap_or(false);
        }
        None => errs.push(FieldError::new(
            "person.age",
            "required",
            "请填写违法行为人行为时的年龄",
            "Give the person's age at the time of the act",
        )),
        Some(_) => errs.push(FieldError::new(
            "person",
            "object",
            "person 应为对象，如 {\"age\": 30}",
            "person must be an object such as {\"age\": 30}",
        )),
    }
    let offence_date = match not_null(obj.get("offence_date")) {
        None => {
            errs.push(FieldError::new(
                "offence_date",
                "required",
                "请填写违法行为发生日期",
                "Give the date of the act",
            ));
            None
        }
        v => opt_date(v, "offence_date", &mut errs),
    };
    let discovered_date = opt_date(obj.get("discovered_date"), "discovered_date", &mut errs);
    let decision_date = opt_date(obj.get("decision_date"), "decision_date", &mut errs);
    let illegal_gains_yuan = opt_uint(
        obj.get("illegal_gains_yuan"),
        "illegal_gains_yuan",
        10_000_000_000,
        &mut errs,
    );
    let offence_date = offence_date.unwrap_or_default();
    errs.into_result(AssessInput {
        article,
        item,
        situation,
        tier,
        circumstances,
        person,
        offence_date,
        discovered_date,
        decision_date,
        illegal_gains_yuan,
    })
}

/// One request object, or an array of them (several violations of one person, 第16条);
/// a problem in the `n`th is reported as `n.field`.
pub fn parse_assess_requests(
    v: &Value,
) -> std::result::Result<(Vec<AssessInput>, bool), Vec<FieldError>> {
    match v.as_array() {
        None => parse_assess_request(v).map(|i| (vec![i], false)),
        Some(a) => {
            let mut out = Vec::with_capacity(a.len());
            let mut errs = Vec::new();
            for (i, x) in a.iter().enumerate() {
                match parse_assess_request(x) {
                    Ok(input) => out.push(input),
                    Err(e) => errs.extend(e.into_iter().map(|mut fe| {
                        fe.field = if fe.field.is_empty() {
                            i.to_string()
                        } else {
                            format!("{i}.{}", fe.field)
                        };
                        fe
                    })),
                }
            }
            if errs.is_empty() {
                Ok((out, true))
            } else {
                Err(errs)
            }
        }
    }
}

/// Splits the engine's "english / 中文" messages.
fn split_message(m: &str) -> (String, String) {
    match m.rsplit_once(" / ") {
        Some((en, zh)) => (zh.to_string(), en.to_string()),
        None => (m.to_string(), m.to_string()),
    }
}

/// The engine's refusal as a field error in plain words.
pub fn assess_field_error(e: &AssessError) -> FieldError {
    let (zh, en) = match e {
        AssessError::UnknownViolation(a) => (
            format!("没有「{a}」这一条文或违法行为代码（2025年修订版条文号为第26条至第89条）"),
            format!("No article or violation code “{a}” (2025 numbering: articles 26–89)"),
        ),
        AssessError::UnknownItem { violation, item } => (
            format!("违法行为 {violation} 没有第{item}项"),
            format!("Violation {violation} has no item {item}"),
        ),
        AssessError::ItemRequired { violation } => (
            format!("请注明违法行为 {violation} 的项：2012年版对各项的规定不同"),
            format!("Give the item of {violation}: the 2012 law treats its items differently"),
        ),
        AssessError::NotAssessable { violation, reason } => {
            let (zh, en) = split_message(reason);
            (
                format!("违法行为 {violation} 不能在此裁量：{zh}"),
                format!("Violation {violation} cannot be assessed here: {en}"),
            )
        }
        AssessError::UnknownTier { violation, tier } => {
            let name = TierKind::parse(tier).map_or(*tier, TierKind::name_zh);
            (
                format!("违法行为 {violation} 没有「{name}」处罚档次"),
                format!("Violation {violation} has no {tier} tier"),
            )
        }
        AssessError::UnknownSituation(s) => (
            format!("违法情形「{s}」不属于所选违法行为和处罚档次"),
            format!("Situation “{s}” does not belong to the chosen violation and tier"),
        ),
        AssessError::UnknownCircumstance(c) => (
            format!("没有「{c}」这一情节"),
            format!("No circumstance “{c}”"),
        ),
        AssessError::CircumstanceNotApplicable {
            circumstance,
            violation,
        } => (
            format!("情节「{circumstance}」不适用于违法行为 {violation}"),
            format!("Circumstance “{circumstance}” does not apply to violation {violation}"),
        ),
        AssessError::InvalidInput { message, .. } => split_message(message),
    };
    FieldError::new(e.field(), e.code(), zh, en)
}

/// Why a standard was refused, naming its line and showing it.
pub fn standard_field_error(e: &StandardError, text: &str) -> FieldError {
    let shown = if e.line > 0 {
        text.lines()
            .nth(e.line - 1)
            .map(|l| {
                let l = l.trim();
                if l.chars().count() > 120 {
                    format!("{}…", l.chars().take(120).collect::<String>())
                } else {
                    l.to_string()
                }
            })
            .filter(|l| !l.is_empty())
    } else {
        None
    };
    let (at_zh, at_en) = if e.line > 0 {
        (format!("第 {} 行", e.line), format!("line {}", e.line))
    } else {
        ("文件".to_string(), "file".to_string())
    };
    let (tail_zh, tail_en) = match &shown {
        Some(l) => (format!("（该行：{l}）"), format!(" (the line: {l})")),
        None => (String::new(), String::new()),
    };
    FieldError::new(
        "text",
        "standard.invalid",
        format!("{at_zh}（{}）：{}{tail_zh}", e.entry, e.message),
        format!("{at_en} ({}): {}{tail_en}", e.entry, e.message),
    )
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// The standard in use.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardInUse {
    /// The stored standard in use; null: the default shipped with the system.
    pub id: Option<Uuid>,
    pub builtin: bool,
    pub name_zh: String,
    pub name_en: String,
    pub version: String,
    /// Set when the active stored standard failed to load and the default is used.
    pub load_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PenaltyCatalogView {
    /// 治安管理处罚法 as amended in 2025, in force since 2026-01-01.
    pub law_zh: String,
    pub law_version: String,
    pub effective_from: String,
    pub standard: StandardInUse,
    /// Articles in the catalog (before filtering).
    pub total_articles: usize,
    pub articles: Vec<ArticleView>,
    /// Statutory grounds (built into the engine, each citing its article).
    pub statutory_circumstances: Vec<CircumstanceView>,
    /// The standard's discretionary circumstances.
    pub circumstances: Vec<CircumstanceView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    pub article: u16,
    pub title_zh: String,
    pub title_en: Option<String>,
    /// The article in the 2012 law; null when the 2025 law added it.
    pub old_article_2012: Option<u16>,
    /// e.g. 治安管理处罚法（2025年修订）第51条
    pub cite_zh: String,
    pub items: Vec<ItemView>,
    pub violations: Vec<ViolationView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub item: u8,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ViolationView {
    /// Stable violation code, e.g. `51-1`.
    pub code: String,
    pub paragraph: u8,
    /// penalty, aggravate, refer, measure, directive or no_penalty.
    pub kind: String,
    pub applies_to_zh: String,
    pub subject_zh: String,
    /// The article's items this violation covers (empty: all or none).
    pub items: Vec<u8>,
    pub refers_to: Option<String>,
    pub effect_zh: Option<String>,
    pub measures_zh: Vec<String>,
    /// e.g. 治安管理处罚法（2025年修订）第51条第1款
    pub cite_zh: String,
    pub cite_en: String,
    /// Whether `POST /api/v1/penalty/assessments` accepts this code.
    pub assessable: bool,
    pub tiers: Vec<TierView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TierView {
    /// lighter, base or heavier.
    pub tier: String,
    pub tier_zh: String,
    pub trigger_zh: Option<String>,
    /// The statute's words, e.g. 处五日以上十日以下拘留，并处五百元以上一千元以下罚款
    pub text_zh: String,
    pub form: String,
    pub warning: bool,
    pub detention_days: Option<Vec<u32>>,
    pub fine_yuan: Option<Vec<u64>>,
    pub situations: Vec<SituationView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SituationView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub warning: bool,
    pub detention_days: Option<Vec<u32>>,
    pub detention_base: Option<u32>,
    pub fine_yuan: Option<Vec<u64>>,
    pub fine_base: Option<u64>,
    /// Circumstances the standard names for this situation (information).
    pub circumstances: Vec<String>,
    /// The situation used when none is chosen.
    pub default: bool,
    /// Line in the standard's file.
    pub line: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CircumstanceView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// statutory (a ground of the law) or discretionary (of the standard).
    pub kind: String,
    /// Discretionary: signed steps (negative mitigates).
    pub steps: Option<i32>,
    /// Discretionary: the articles it applies to (empty: all).
    pub articles: Vec<u16>,
    /// Statutory: the article that provides it (2025 law).
    pub cite_zh: Option<String>,
    pub cite_en: Option<String>,
}

/// Catalog filters: `q` matches an article number, a violation code or words of the
/// titles, items, situations; `article` picks one article.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub q: Option<String>,
    pub article: Option<String>,
}

/// A stored standard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardView {
    pub id: Uuid,
    pub name: String,
    pub version: String,
    pub uploaded_by: String,
    /// RFC 3339, Beijing time.
    pub uploaded_at: String,
    /// Last activation (kept when another standard is activated later).
    pub activated_at: Option<String>,
    pub active: bool,
    /// Whether the engine holds this standard now.
    pub in_use: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardList {
    pub in_use: StandardInUse,
    /// Newest upload first; every version stays on record.
    pub items: Vec<StandardView>,
}

/// The result of an upload: the stored draft and a summary of what it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardUpload {
    pub standard: StandardView,
    pub situations: usize,
    pub circumstances: usize,
}

fn pair<T: Copy>(v: Option<[T; 2]>) -> Option<Vec<T>> {
    v.map(|[a, b]| vec![a, b])
}

fn snake<T: Serialize>(t: &T) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn rule_cite(r: &Rule, article: u16) -> Cite {
    Cite::psapl(LawVersion::V2025, article, r.paragraph, 0)
}

fn in_use(l: &LoadedEngine) -> StandardInUse {
    let s = &l.engine.standard;
    StandardInUse {
        id: l.standard_id,
        builtin: l.standard_id.is_none(),
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.clone(),
        version: s.version.clone(),
        load_error: l.load_error.clone(),
    }
}

fn article_view(engine: &Engine, a: &frontline_core::penalty::catalog::Article) -> ArticleView {
    let std = &engine.standard;
    ArticleView {
        article: a.article,
        title_zh: a.title_zh.clone(),
        title_en: a.title_en.clone(),
        old_article_2012: a.old_article_2012,
        cite_zh: Cite::psapl(LawVersion::V2025, a.article, 0, 0).text_zh(),
        items: a
            .items
            .iter()
            .map(|i| ItemView {
                item: i.item,
                name_zh: i.name_zh.clone(),
                name_en: i.name_en.clone(),
            })
            .collect(),
        violations: a
            .rules
            .iter()
            .map(|r| {
                let cite = rule_cite(r, a.article);
                ViolationView {
                    code: r.code.clone(),
                    paragraph: r.paragraph,
                    kind: snake(&r.kind),
                    applies_to_zh: r.applies_to_zh.clone(),
                    subject_zh: r.subject_zh.clone(),
                    items: r.items.clone().unwrap_or_default(),
                    refers_to: r.refers_to.clone(),
                    effect_zh: r.effect_zh.clone(),
                    measures_zh: r.measures_zh.clone(),
                    cite_zh: cite.text_zh(),
                    cite_en: cite.text_en(),
                    assessable: matches!(
                        r.kind,
                        RuleKind::Penalty
                            | RuleKind::Aggravate
                            | RuleKind::Refer
                            | RuleKind::NoPenalty
                    ) && (r.kind == RuleKind::NoPenalty
                        || engine.catalog.penalty_rule(r).is_some()),
                    tiers: r
                        .tiers
                        .iter()
                        .map(|t| TierView {
                            tier: t.tier.as_str().to_string(),
                            tier_zh: t.tier.name_zh().to_string(),
                            trigger_zh: t.trigger_zh.clone(),
                            text_zh: t.text_zh.clone(),
                            form: snake(&t.form),
                            warning: t.warning,
                            detention_days: pair(t.detention_days),
                            fine_yuan: pair(t.fine_yuan),
                            situations: std
                                .situations_for(&r.code, t.tier)
                                .map(|s| SituationView {
                                    code: s.code.to_string(),
                                    name_zh: s.name_zh.clone(),
                                    name_en: s.name_en.clone(),
                                    warning: s.warning,
                                    detention_days: pair(s.detention_days),
                                    detention_base: s.detention_days.map(|_| s.detention_base),
                                    fine_yuan: pair(s.fine_yuan),
                                    fine_base: s.fine_yuan.map(|_| s.fine_base),
                                    circumstances: s.circumstances.clone(),
                                    default: s.default,
                                    line: s.line,
                                })
                                .collect(),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

fn article_matches(a: &ArticleView, q: &str) -> bool {
    let q = q.trim().trim_start_matches('第').trim_end_matches('条');
    if let Ok(n) = q.parse::<u16>() {
        return a.article == n;
    }
    if a.violations.iter().any(|v| v.code == q) {
        return true;
    }
    let q = q.to_lowercase();
    let hit = |s: &str| s.to_lowercase().contains(&q);
    hit(&a.title_zh)
        || a.title_en.as_deref().is_some_and(hit)
        || a.items.iter().any(|i| hit(&i.name_zh) || hit(&i.name_en))
        || a.violations.iter().any(|v| {
            hit(&v.applies_to_zh)
                || v.tiers
                    .iter()
                    .any(|t| t.situations.iter().any(|s| hit(&s.name_zh)))
        })
}

/// The 2025 article (or violation code) named in `s`: `51`, `第51条`, `26-2`.
pub fn article_number(s: &str) -> Option<u16> {
    let s = s.trim().trim_start_matches('第').trim_end_matches('条');
    s.split('-').next().and_then(|n| n.trim().parse().ok())
}

/// The statutory grounds and the standard's circumstances (those that apply to
/// `article`, when given).
fn circumstance_views(
    engine: &Engine,
    article: Option<u16>,
) -> (Vec<CircumstanceView>, Vec<CircumstanceView>) {
    let statutory = STATUTORY_CIRCUMSTANCES
        .iter()
        .map(|s| {
            let (cite, _) = s.ground.rule(LawVersion::V2025);
            CircumstanceView {
                code: s.code.to_string(),
                name_zh: s.name_zh.to_string(),
                name_en: s.name_en.to_string(),
                kind: "statutory".into(),
                steps: None,
                articles: Vec::new(),
                cite_zh: cite.map(|c| c.text_zh()),
                cite_en: cite.map(|c| c.text_en()),
            }
        })
        .collect();
    let discretionary = engine
        .standard
        .circumstances
        .iter()
        .filter(|c| article.is_none_or(|a| c.articles.is_empty() || c.articles.contains(&a)))
        .map(|c| CircumstanceView {
            code: c.code.to_string(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            kind: "discretionary".into(),
            steps: Some(c.steps),
            articles: c.articles.clone(),
            cite_zh: None,
            cite_en: None,
        })
        .collect();
    (statutory, discretionary)
}

fn standard_view(r: &PenaltyStandardRow, using: Option<Uuid>) -> StandardView {
    StandardView {
        id: r.id,
        name: r.name.clone(),
        version: r.version.clone(),
        uploaded_by: r.uploaded_by_name.clone(),
        uploaded_at: rfc3339_bj(r.uploaded_at),
        activated_at: r.activated_at.map(rfc3339_bj),
        active: r.active,
        in_use: using == Some(r.id),
    }
}

// ---------------------------------------------------------------------------
// Use cases
// ---------------------------------------------------------------------------

impl App {
    /// The engine in use (for read-only views such as the calculator form).
    pub fn penalty_engine(&self) -> Arc<LoadedEngine> {
        self.penalty.current()
    }

    fn require(actor: &Actor, action: Action) -> Result<()> {
        if authz::scope(actor, action) == Scope::None {
            Err(AppError::Forbidden)
        } else {
            Ok(())
        }
    }

    /// The bureau's name (the print header of a penalty note).
    pub fn bureau_name(&self) -> String {
        self.org
            .units()
            .into_iter()
            .find(|u| UnitKind::parse(&u.kind) == Some(UnitKind::Bureau))
            .map(|u| u.name)
            .unwrap_or_default()
    }

    /// 裁量: one violation assessed with the standard in use. Audited (violation code,
    /// law version, recommendation; no personal identifiers).
    pub async fn assess_penalty(&self, actor: &Actor, input: &AssessInput) -> Result<Assessment> {
        self.assess_one(actor, input, "penalty.assess").await
    }

    /// The same assessment for the printed A4 note, audited as `penalty.print` so the
    /// log tells a printed note from a second calculation.
    pub async fn print_penalty_note(
        &self,
        actor: &Actor,
        input: &AssessInput,
    ) -> Result<Assessment> {
        self.assess_one(actor, input, "penalty.print").await
    }

    async fn assess_one(
        &self,
        actor: &Actor,
        input: &AssessInput,
        action: &'static str,
    ) -> Result<Assessment> {
        let (mut all, _) = self
            .assess_penalties_as(actor, std::slice::from_ref(input), false, action)
            .await?;
        all.pop()
            .ok_or_else(|| AppError::Internal("no assessment".into()))
    }

    /// Several violations of one person (第16条): each decided separately (and audited
    /// as its own entry), then combined — detention executed together, at most 20 days.
    /// Nothing is audited unless every violation can be assessed. Field errors of the
    /// `n`th request are prefixed `n.` (`1.article`) when `indexed`.
    pub async fn assess_penalties(
        &self,
        actor: &Actor,
        inputs: &[AssessInput],
        indexed: bool,
    ) -> Result<(Vec<Assessment>, Combined)> {
        self.assess_penalties_as(actor, inputs, indexed, "penalty.assess")
            .await
    }

    async fn assess_penalties_as(
        &self,
        actor: &Actor,
        inputs: &[AssessInput],
        indexed: bool,
        action: &'static str,
    ) -> Result<(Vec<Assessment>, Combined)> {
        App::require(actor, Action::PenaltyAssess)?;
        if inputs.is_empty() || inputs.len() > MAX_VIOLATIONS {
            return Err(AppError::field(FieldError::new(
                "",
                "violations.count",
                format!("一次可计算 1 至 {MAX_VIOLATIONS} 个违法行为"),
                format!("Assess 1 to {MAX_VIOLATIONS} violations at a time"),
            )));
        }
        let today = self.now().with_timezone(&SHANGHAI).date_naive();
        let loaded = self.penalty.fresh(&self.store).await?;
        let at = |i: usize, f: &str| {
            if !indexed {
                f.to_string()
            } else {
                format!("{i}.{f}")
            }
        };
        let mut out = Vec::with_capacity(inputs.len());
        let mut errs = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            if input.offence_date > today {
                errs.push(FieldError::new(
                    at(i, "offence_date"),
                    "date.future",
                    "违法行为发生日期不能晚于今天",
                    "The date of the act cannot be after today",
                ));
                continue;
            }
            match loaded.engine.assess(input) {
                Ok(a) => out.push(a),
                Err(e) => {
                    let mut fe = assess_field_error(&e);
                    fe.field = at(i, &fe.field);
                    errs.push(fe);
                }
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let std = &loaded.engine.standard;
        for (a, input) in out.iter().zip(inputs) {
            self.store
                .append_audit(AuditDraft {
                    at: self.now(),
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: action.into(),
                    object_type: "penalty_violation".into(),
                    object_id: a.range.code.clone(),
                    purpose: None,
                    detail: serde_json::json!({
                        "law_version": a.law_version,
                        "outcome": a.outcome,
                        "tier": a.range.tier,
                        "situation": a.range.situation.as_ref().map(|s| s.code.to_string()),
                        "circumstances": input.circumstances,
                        "recommended": a.recommended,
                        "standard": { "id": loaded.standard_id, "version": std.version },
                        "of": inputs.len(),
                    })
                    .to_string(),
                })
                .await?;
        }
        let combined = combine(&out);
        Ok((out, combined))
    }

    /// The catalog of the law in force with the standard in use.
    pub async fn penalty_catalog(
        &self,
        actor: &Actor,
        q: &CatalogQuery,
    ) -> Result<PenaltyCatalogView> {
        App::require(actor, Action::PenaltyAssess)?;
        let loaded = self.penalty.fresh(&self.store).await?;
        let engine = &loaded.engine;
        let cat = &engine.catalog;
        let only = q.article.as_deref().filter(|s| !s.trim().is_empty());
        let only_no = match only {
            None => None,
            Some(s) => match article_number(s).filter(|n| cat.article(*n).is_some()) {
                Some(n) => Some(n),
                None => {
                    return Err(AppError::field(FieldError::new(
                        "article",
                        "unknown_violation",
                        format!("没有第{s}条（2025年修订版为第26条至第89条）"),
                        format!("No article {s} (2025 numbering: articles 26–89)"),
                    )));
                }
            },
        };
        let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let articles = cat
            .articles
            .iter()
            .filter(|a| only_no.is_none_or(|n| a.article == n))
            .map(|a| article_view(engine, a))
            .filter(|a| text.is_none_or(|t| article_matches(a, t)))
            .collect();
        let (statutory, discretionary) = circumstance_views(engine, only_no);
        Ok(PenaltyCatalogView {
            law_zh: cat.law_zh.clone(),
            law_version: cat.version.as_str().into(),
            effective_from: cat.effective_from.to_string(),
            standard: in_use(&loaded),
            total_articles: cat.articles.len(),
            articles,
            statutory_circumstances: statutory,
            circumstances: discretionary,
        })
    }

    pub async fn list_standards(&self, actor: &Actor) -> Result<StandardList> {
        App::require(actor, Action::PenaltyStandardManage)?;
        let loaded = self.penalty.fresh(&self.store).await?;
        let rows = self.store.list_penalty_standards().await?;
        Ok(StandardList {
            in_use: in_use(&loaded),
            items: rows
                .iter()
                .map(|r| standard_view(r, loaded.standard_id))
                .collect(),
        })
    }

    /// Validates a standard against the catalog and stores it as an inactive draft.
    /// A refused standard changes nothing; the error names the line.
    pub async fn upload_standard(
        &self,
        actor: &Actor,
        name: &str,
        text: &str,
    ) -> Result<StandardUpload> {
        App::require(actor, Action::PenaltyStandardManage)?;
        let mut errs = Errors::default();
        let name = name.trim();
        if name.chars().count() > 100 {
            errs.push(FieldError::too_long("name", 100));
        }
        if text.trim().is_empty() {
            errs.push(FieldError::new(
                "text",
                "required",
                "请粘贴或选择裁量基准文件（TOML）",
                "Paste or choose the standard file (TOML)",
            ));
        } else if text.len() > STANDARD_MAX_BYTES {
            errs.push(FieldError::new(
                "text",
                "too_large",
                "裁量基准文件不能超过 1 MB",
                "The standard may be at most 1 MB",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let owned = text.to_string();
        let engine = tokio::task::spawn_blocking(move || Engine::with_standard(&owned))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let engine = match engine {
            Ok(e) => e,
            Err(frontline_core::penalty::LoadError::Standard(e)) => {
                return Err(AppError::field(standard_field_error(&e, text)));
            }
            Err(e) => return Err(AppError::Internal(e.to_string())),
        };
        let std = &engine.standard;
        let name = if name.is_empty() {
            std.name_zh.clone()
        } else {
            name.to_string()
        };
        let id = Uuid::now_v7();
        let now = self.now();
        self.store
            .insert_penalty_standard(
                NewPenaltyStandard {
                    id,
                    name: name.clone(),
                    version: std.version.clone(),
                    text: text.to_string(),
                    uploaded_by: actor.officer_id,
                    uploaded_at: now,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "penalty.standard.upload".into(),
                    object_type: "penalty_standard".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({
                        "name": name,
                        "version": std.version,
                        "bytes": text.len(),
                        "situations": std.situations.len(),
                    })
                    .to_string(),
                },
            )
            .await?;
        let row = PenaltyStandardRow {
            id,
            name,
            version: std.version.clone(),
            uploaded_by: actor.officer_id,
            uploaded_by_name: actor.display_name.clone(),
            uploaded_at: now,
            activated_at: None,
            active: false,
        };
        Ok(StandardUpload {
            standard: standard_view(&row, self.penalty.current().standard_id),
            situations: std.situations.len(),
            circumstances: std.circumstances.len(),
        })
    }

    /// Makes a stored standard the one in use; the previous one stays on record.
    pub async fn activate_standard(&self, actor: &Actor, id: Uuid) -> Result<StandardView> {
        App::require(actor, Action::PenaltyStandardManage)?;
        let (row, text) = self
            .store
            .penalty_standard(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let engine = tokio::task::spawn_blocking(move || Engine::with_standard(&text))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| {
                AppError::field(FieldError::new(
                    "id",
                    "standard.no_longer_valid",
                    format!("该裁量基准已不能通过校验，不能启用：{e}"),
                    format!("This standard no longer validates and cannot be activated: {e}"),
                ))
            })?;
        let previous = self.penalty.current().standard_id;
        let now = self.now();
        let row = self
            .store
            .activate_penalty_standard(
                id,
                now,
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "penalty.standard.activate".into(),
                    object_type: "penalty_standard".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({
                        "name": row.name,
                        "version": row.version,
                        "previous": previous,
                    })
                    .to_string(),
                },
            )
            .await?;
        self.penalty.replace(LoadedEngine {
            engine,
            standard_id: Some(id),
            load_error: None,
            failed_id: None,
        });
        Ok(standard_view(&row, Some(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(r: std::result::Result<AssessInput, Vec<FieldError>>) -> Vec<String> {
        match r {
            Ok(_) => Vec::new(),
            Err(e) => e
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect(),
        }
    }

    #[test]
    fn request_contract_is_read_with_field_errors() {
        let ok = parse_assess_request(&json!({
            "article": 51, "tier": "heavier", "circumstances": ["first_violation", "first_violation"],
            "person": {"age": 17, "pregnant": false}, "offence_date": "2026-03-01"
        }));
        let ok = ok.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.article, "51");
        assert_eq!(ok.tier, Some(TierKind::Heavier));
        assert_eq!(ok.circumstances, vec!["first_violation".to_string()]);
        assert_eq!(ok.person.age, 17);

        assert_eq!(
            fields(parse_assess_request(&json!({
                "article": "", "tier": "worst", "person": {"age": 300, "pregnant": "yes", "x": 1},
                "offence_date": "2026-13-01", "extra": true
            }))),
            vec![
                "extra:unknown_field",
                "article:required",
                "tier:tier.unknown",
                "person.x:unknown_field",
                "person.age:integer.range",
                "person.pregnant:boolean",
                "offence_date:date.format",
            ]
        );
        assert_eq!(
            fields(parse_assess_request(&json!({"article": "51"}))),
            vec!["person.age:required", "offence_date:required"]
        );
        assert_eq!(
            fields(parse_assess_request(&json!([1]))),
            vec![":body.object"]
        );
    }

    #[test]
    fn engine_refusals_become_plain_field_errors() {
        let e = assess_field_error(&AssessError::UnknownViolation("999".into()));
        assert_eq!((e.field.as_str(), e.code), ("article", "unknown_violation"));
        assert!(e.zh.contains("999"), "{}", e.zh);
        let e = assess_field_error(&AssessError::InvalidInput {
            field: "decision_date",
            message: "decision_date is before offence_date / 决定日期早于行为日期".into(),
        });
        assert_eq!(e.zh, "决定日期早于行为日期");
        assert_eq!(e.en, "decision_date is before offence_date");
        let se = StandardError {
            line: 2,
            entry: "situation 51-1.base.1".into(),
            message: "leaves the statute".into(),
        };
        let e = standard_field_error(&se, "a = 1\nfine_yuan = [1, 99999]\n");
        assert_eq!(e.field, "text");
        assert!(
            e.zh.starts_with("第 2 行（situation 51-1.base.1）"),
            "{}",
            e.zh
        );
        assert!(e.zh.contains("fine_yuan = [1, 99999]"), "{}", e.zh);
        assert_eq!(article_number("第51条"), Some(51));
        assert_eq!(article_number("26-2"), Some(26));
        assert_eq!(article_number("x"), None);
    }
}

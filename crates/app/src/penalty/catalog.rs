//! The catalog of the law in force with the standard in use, and its filters.

use frontline_core::authz::Action;
use frontline_core::org::Actor;
use frontline_core::penalty::catalog::{Rule, RuleKind};
use frontline_core::penalty::rules::{Cite, STATUTORY_CIRCUMSTANCES};
use frontline_core::penalty::{Engine, LawVersion};
use frontline_core::{FieldError, Lang};
use serde::Serialize;

use super::StandardInUse;
use super::in_use;
use crate::{App, AppError, Result};

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

/// The article of the law in force named in `s` (see [`article_number`]), or the field
/// error that says where its articles are.
pub fn known_article(engine: &Engine, s: &str) -> std::result::Result<u16, FieldError> {
    let cat = &engine.catalog;
    article_number(s)
        .filter(|n| cat.article(*n).is_some())
        .ok_or_else(|| {
            let v = cat.version;
            let (first, last) = v.violation_articles();
            FieldError::new(
                "article",
                "unknown_violation",
                format!(
                    "没有第{s}条（{}年修订版为第{first}条至第{last}条）",
                    v.as_str()
                ),
                format!("No article {s} ({})", v.numbering_hint(Lang::En)),
            )
        })
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

impl App {
    /// The catalog of the law in force with the standard in use.
    pub async fn penalty_catalog(
        &self,
        actor: &Actor,
        q: &CatalogQuery,
    ) -> Result<PenaltyCatalogView> {
        crate::gate::require(actor, Action::PenaltyAssess)?;
        let loaded = self.penalty.fresh(&self.store).await?;
        let engine = &loaded.engine;
        let cat = &engine.catalog;
        let only = q.article.as_deref().filter(|s| !s.trim().is_empty());
        let only_no = match only {
            None => None,
            Some(s) => Some(known_article(engine, s).map_err(AppError::field)?),
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
}

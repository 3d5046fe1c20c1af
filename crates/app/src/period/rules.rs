//! The deadline rule catalog as shown.

use frontline_core::Lang;
use frontline_core::authz::Action;
use frontline_core::org::Actor;
use frontline_core::period::{DeadlineRule, RuleCatalog, RulePeriod, Span};
use serde::Serialize;

use super::mode_code;
use crate::{App, Result};

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

/// The catalog as listed.
pub fn rule_catalog_view(cat: &RuleCatalog, lang: Lang) -> RuleCatalogView {
    RuleCatalogView {
        version: cat.version.clone(),
        rules: cat.rules.iter().map(|r| rule_view(r, lang)).collect(),
    }
}

impl App {
    /// The deadline rule catalog.
    pub fn deadline_rules(&self, actor: &Actor, lang: Lang) -> Result<RuleCatalogView> {
        crate::gate::require(actor, Action::DeadlineCompute)?;
        Ok(rule_catalog_view(&self.deadlines.rules, lang))
    }
}

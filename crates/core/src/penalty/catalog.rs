//! The statutory catalog: every violation of one version of the Public Security
//! Administration Punishments Law (治安管理处罚法) with its penalty tiers, as data.
//!
//! Files: `data/penalty/psapl-2025.json` (in force since 2026-01-01) and
//! `data/penalty/psapl-2012.json` (the 2012 amendment, in force 2013-01-01 to 2025-12-31).
//! A violation's stable code is `"{article}-{rule}"` (e.g. `51-1`, `26-2`), optionally
//! with an item (`26-1` item 3); rules number the separate violations of one article in
//! the order of its text.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Lang;

/// The version in force since 2026-01-01.
pub const PSAPL_2025_JSON: &str = include_str!("../../../../data/penalty/psapl-2025.json");
/// The 2012 amendment (offences before 2026-01-01).
pub const PSAPL_2012_JSON: &str = include_str!("../../../../data/penalty/psapl-2012.json");

/// 情节较轻 / 一般 / 情节较重（严重、恶劣、法定加重情形）.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyTier))]
pub enum TierKind {
    Lighter,
    Base,
    Heavier,
}

impl TierKind {
    pub const ALL: [TierKind; 3] = [TierKind::Lighter, TierKind::Base, TierKind::Heavier];

    pub fn as_str(self) -> &'static str {
        match self {
            TierKind::Lighter => "lighter",
            TierKind::Base => "base",
            TierKind::Heavier => "heavier",
        }
    }

    pub fn parse(s: &str) -> Option<TierKind> {
        match s {
            "lighter" => Some(TierKind::Lighter),
            "base" => Some(TierKind::Base),
            "heavier" => Some(TierKind::Heavier),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TierKind::Lighter => "情节较轻",
            TierKind::Base => "一般情形",
            TierKind::Heavier => "情节较重",
        }
    }
}

/// How the statutory clause combines the penalty kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyForm))]
pub enum Form {
    /// 处警告
    Warning,
    /// 处警告或者罚款
    WarningOrFine,
    /// 处拘留或者警告
    DetentionOrWarning,
    /// 处拘留
    Detention,
    /// 处拘留或者罚款
    DetentionOrFine,
    /// 处拘留，可以并处罚款
    DetentionOptFine,
    /// 处拘留，并处罚款
    DetentionAndFine,
    /// 处罚款
    Fine,
}

impl Form {
    pub fn has_detention(self) -> bool {
        matches!(
            self,
            Form::DetentionOrWarning
                | Form::Detention
                | Form::DetentionOrFine
                | Form::DetentionOptFine
                | Form::DetentionAndFine
        )
    }
    pub fn has_fine(self) -> bool {
        matches!(
            self,
            Form::WarningOrFine
                | Form::DetentionOrFine
                | Form::DetentionOptFine
                | Form::DetentionAndFine
                | Form::Fine
        )
    }
    pub fn has_warning(self) -> bool {
        matches!(
            self,
            Form::Warning | Form::WarningOrFine | Form::DetentionOrWarning
        )
    }
    /// Detention is the only way to satisfy the clause (no alternative without it).
    pub fn detention_mandatory(self) -> bool {
        matches!(
            self,
            Form::Detention | Form::DetentionOptFine | Form::DetentionAndFine
        )
    }
    /// A fine must be imposed whenever this clause is applied.
    pub fn fine_mandatory(self) -> bool {
        matches!(self, Form::DetentionAndFine | Form::Fine)
    }
}

/// 第27条: fine of 1–5 times the illegal gains; 1000–3000 yuan without gains or below 1000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineMultiplier {
    pub min_times: u64,
    pub max_times: u64,
    pub fallback_below_yuan: u64,
    pub fallback_text_zh: String,
}

/// One statutory penalty tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub tier: TierKind,
    pub trigger_zh: Option<String>,
    pub text_zh: String,
    pub form: Form,
    pub warning: bool,
    /// Inclusive; the minimum is 1 where the text gives only a maximum.
    pub detention_days: Option<[u32; 2]>,
    pub detention_min_statutory: bool,
    /// Inclusive; the minimum is 0 where the text gives only a maximum.
    pub fine_yuan: Option<[u64; 2]>,
    pub fine_min_statutory: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_multiplier: Option<FineMultiplier>,
    /// 「可以处…」: the penalty itself is discretionary.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub discretionary: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures_zh: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Has its own penalty tiers.
    Penalty,
    /// 从重处罚 of the rule it refers to.
    Aggravate,
    /// 依照…处罚: the tiers of the rule it refers to (or of another law).
    Refer,
    /// A non-penalty measure (ban, 取缔, licence revocation).
    Measure,
    /// 责令改正 / 建议处分 — not a public-order penalty.
    Directive,
    /// 不予处罚.
    NoPenalty,
}

/// Where a 2025 rule's conduct sits in the 2012 law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldMapping {
    /// The items this entry covers (`None`: all).
    pub items: Option<Vec<u8>>,
    /// The 2012 rule code, or `None` when the 2012 law had no such violation.
    pub rule: Option<String>,
    /// Tier mapping where it is not the obvious one (`null`: the tier had no counterpart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<BTreeMap<TierKind, Option<TierKind>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    pub paragraph: u8,
    pub applies_to_zh: String,
    pub subject_zh: String,
    pub kind: RuleKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures_zh: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_2012: Option<Vec<OldMapping>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_zh: Option<String>,
}

impl Rule {
    pub fn tier(&self, t: TierKind) -> Option<&Tier> {
        self.tiers.iter().find(|x| x.tier == t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub item: u8,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub article: u16,
    pub title_zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_article_2012: Option<u16>,
    pub rules: Vec<Rule>,
}

/// Article numbers of the general provisions in this version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct General {
    pub minor_exempt_age: u8,
    pub prior_penalty_months: u8,
    pub art_reduce: u16,
    pub art_aggravate: u16,
    pub art_not_executed: u16,
    pub art_limitation: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    law_zh: String,
    version: String,
    title_zh: String,
    effective_from: NaiveDate,
    effective_to: Option<NaiveDate>,
    source: String,
    general: General,
    #[serde(default)]
    fixes_zh: Vec<String>,
    articles: Vec<Article>,
}

/// Which version of the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyLawVersion))]
pub enum LawVersion {
    #[serde(rename = "2025")]
    V2025,
    #[serde(rename = "2012")]
    V2012,
}

impl LawVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            LawVersion::V2025 => "2025",
            LawVersion::V2012 => "2012",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            LawVersion::V2025 => "治安管理处罚法（2025年修订）",
            LawVersion::V2012 => "治安管理处罚法（2012年修正）",
        }
    }

    /// The first and the last article of this version's violations (违反治安管理的行为
    /// 和处罚): the numbers a user may give. The built-in catalog holds exactly these.
    pub const fn violation_articles(self) -> (u16, u16) {
        match self {
            LawVersion::V2025 => (26, 89),
            LawVersion::V2012 => (23, 76),
        }
    }

    /// Whether `article` is one of this version's violation articles.
    pub const fn has_violation_article(self, article: u16) -> bool {
        let (first, last) = self.violation_articles();
        first <= article && article <= last
    }

    /// Where the violation articles of this version are, for a hint after an unknown
    /// number: `2025年修订版条文号为第26条至第89条` / `2025 numbering: articles 26–89`.
    pub fn numbering_hint(self, lang: Lang) -> String {
        let (first, last) = self.violation_articles();
        let v = self.as_str();
        match (self, lang) {
            (LawVersion::V2025, Lang::Zh) => format!("{v}年修订版条文号为第{first}条至第{last}条"),
            (LawVersion::V2012, Lang::Zh) => format!("{v}年修正版条文号为第{first}条至第{last}条"),
            (_, Lang::En) => format!("{v} numbering: articles {first}–{last}"),
        }
    }
}

/// A loaded, validated catalog with an index by violation code.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub version: LawVersion,
    pub law_zh: String,
    pub title_zh: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub source: String,
    pub general: General,
    pub fixes_zh: Vec<String>,
    pub articles: Vec<Article>,
    #[serde(skip)]
    index: HashMap<String, (usize, usize)>,
}

/// A catalog that cannot be used, with the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("penalty catalog: {entry}: {message}")]
pub struct CatalogError {
    pub entry: String,
    pub message: String,
}

fn cerr(entry: impl Into<String>, message: impl Into<String>) -> CatalogError {
    CatalogError {
        entry: entry.into(),
        message: message.into(),
    }
}

/// Longest single detention for one act (第三章 never goes beyond 15 days).
pub const MAX_SINGLE_DETENTION: u32 = 15;
/// 第16条: combined detention for several violations never exceeds 20 days.
pub const MAX_COMBINED_DETENTION: u32 = 20;

fn check_tier(code: &str, t: &Tier) -> Result<(), CatalogError> {
    let entry = format!("{code} {}", t.tier.as_str());
    let f = t.form;
    if f.has_detention() != t.detention_days.is_some() {
        return Err(cerr(entry, "detention_days does not match the form"));
    }
    if f.has_fine() != t.fine_yuan.is_some() {
        return Err(cerr(entry, "fine_yuan does not match the form"));
    }
    if f.has_warning() != t.warning {
        return Err(cerr(entry, "warning does not match the form"));
    }
    if let Some([lo, hi]) = t.detention_days
        && (lo < 1 || lo > hi || hi > MAX_SINGLE_DETENTION)
    {
        return Err(cerr(
            entry,
            format!("detention range {lo}–{hi} is not within 1–{MAX_SINGLE_DETENTION} days"),
        ));
    }
    if let Some([lo, hi]) = t.fine_yuan
        && (lo > hi || hi == 0)
    {
        return Err(cerr(entry, format!("fine range {lo}–{hi} is empty")));
    }
    if t.text_zh.trim().is_empty() {
        return Err(cerr(entry, "statutory text is empty"));
    }
    Ok(())
}

impl Catalog {
    /// Parses and validates a catalog file.
    pub fn parse(json: &str) -> Result<Catalog, CatalogError> {
        let f: CatalogFile = serde_json::from_str(json)
            .map_err(|e| cerr(format!("line {}", e.line()), e.to_string()))?;
        let version = match f.version.as_str() {
            "2025" => LawVersion::V2025,
            "2012" => LawVersion::V2012,
            v => return Err(cerr("version", format!("unknown law version {v:?}"))),
        };
        let mut index = HashMap::new();
        for (ai, a) in f.articles.iter().enumerate() {
            for (ri, r) in a.rules.iter().enumerate() {
                let Some((art, _)) = r.code.split_once('-') else {
                    return Err(cerr(&r.code, "code must be article-rule"));
                };
                if art != a.article.to_string() {
                    return Err(cerr(
                        &r.code,
                        format!("code does not belong to article {}", a.article),
                    ));
                }
                if index.insert(r.code.clone(), (ai, ri)).is_some() {
                    return Err(cerr(&r.code, "duplicate code"));
                }
                match r.kind {
                    RuleKind::Penalty => {
                        if r.tiers.is_empty() {
                            return Err(cerr(&r.code, "a penalty rule needs tiers"));
                        }
                        let mut seen = Vec::new();
                        for t in &r.tiers {
                            if seen.contains(&t.tier) {
                                return Err(cerr(
                                    &r.code,
                                    format!("tier {} twice", t.tier.as_str()),
                                ));
                            }
                            seen.push(t.tier);
                            check_tier(&r.code, t)?;
                        }
                    }
                    _ => {
                        if !r.tiers.is_empty() {
                            return Err(cerr(&r.code, "only penalty rules have tiers"));
                        }
                    }
                }
                if let Some(items) = &r.items {
                    for i in items {
                        if !a.items.iter().any(|x| x.item == *i) {
                            return Err(cerr(
                                &r.code,
                                format!("item {i} is not listed under article {}", a.article),
                            ));
                        }
                    }
                }
            }
        }
        let cat = Catalog {
            version,
            law_zh: f.law_zh,
            title_zh: f.title_zh,
            effective_from: f.effective_from,
            effective_to: f.effective_to,
            source: f.source,
            general: f.general,
            fixes_zh: f.fixes_zh,
            articles: f.articles,
            index,
        };
        // References inside the catalog.
        for r in cat.rules() {
            if let Some(target) = &r.refers_to {
                let Some(t) = cat.rule(target) else {
                    return Err(cerr(&r.code, format!("refers to unknown rule {target}")));
                };
                if t.kind != RuleKind::Penalty {
                    return Err(cerr(
                        &r.code,
                        format!("refers to {target}, which has no penalty of its own"),
                    ));
                }
            } else if r.kind == RuleKind::Aggravate {
                return Err(cerr(
                    &r.code,
                    "an aggravating rule must name the rule it aggravates",
                ));
            }
        }
        Ok(cat)
    }

    pub fn builtin_2025() -> Result<Catalog, CatalogError> {
        Catalog::parse(PSAPL_2025_JSON)
    }

    pub fn builtin_2012() -> Result<Catalog, CatalogError> {
        Catalog::parse(PSAPL_2012_JSON)
    }

    pub fn rule(&self, code: &str) -> Option<&Rule> {
        let (a, r) = *self.index.get(code)?;
        self.articles.get(a)?.rules.get(r)
    }

    pub fn article_of(&self, code: &str) -> Option<&Article> {
        let (a, _) = *self.index.get(code)?;
        self.articles.get(a)
    }

    pub fn article(&self, number: u16) -> Option<&Article> {
        self.articles.iter().find(|a| a.article == number)
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.articles.iter().flat_map(|a| a.rules.iter())
    }

    /// The rule whose tiers apply to `code` (itself, or the rule it refers to / aggravates).
    pub fn penalty_rule<'a>(&'a self, r: &'a Rule) -> Option<&'a Rule> {
        match r.kind {
            RuleKind::Penalty => Some(r),
            RuleKind::Aggravate | RuleKind::Refer => self.rule(r.refers_to.as_deref()?),
            _ => None,
        }
    }

    /// Checks the 2025 catalog's mappings against the 2012 catalog.
    pub fn check_old_mappings(&self, old: &Catalog) -> Result<(), CatalogError> {
        for r in self.rules() {
            for m in r.old_2012.iter().flatten() {
                if let Some(code) = &m.rule {
                    let Some(o) = old.rule(code) else {
                        return Err(cerr(&r.code, format!("maps to unknown 2012 rule {code}")));
                    };
                    if let Some(tiers) = &m.tiers {
                        let Some(op) = old.penalty_rule(o) else {
                            continue;
                        };
                        for t in tiers.values().flatten() {
                            if op.tier(*t).is_none() {
                                return Err(cerr(
                                    &r.code,
                                    format!(
                                        "maps to tier {} missing in 2012 rule {code}",
                                        t.as_str()
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

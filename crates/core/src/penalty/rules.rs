//! General provisions (总则、处罚的种类和适用) as rules, each citing its article.
//!
//! Statutory grounds are built into the engine rather than the discretion standard: a
//! bureau's standard may not change what the law says about minors, mitigation,
//! aggravation or the execution of detention. Article numbers differ between the
//! versions; [`Ground::cite`] gives the article of each version (`None`: no such rule).

use serde::Serialize;

use super::catalog::LawVersion;

/// A statutory ground a caller may name in `circumstances`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    // 从轻、减轻或者不予处罚 (2025 第20条 / 2012 第19条)
    MinorCircumstances,
    VeryMinor,
    Remedied,
    Forgiven,
    Coerced,
    Surrendered,
    Meritorious,
    /// 2025 第21条 认错认罚，可以从宽.
    Confessed,
    /// 2025 第13条 尚未完全丧失辨认或者控制能力.
    MentalPartial,
    /// 第14条 盲人或者又聋又哑的人.
    BlindOrDeafMute,
    /// 2025 第19条 制止不法侵害明显超过必要限度.
    ExcessiveDefence,
    /// 第13条 不能辨认或者不能控制自己行为.
    MentalIncapable,
    /// 第9条 调解（和解）达成协议并履行.
    Mediated,
    /// 2025 第83条第2款 / 2012 第71条第2款 成熟前自行铲除.
    SelfEradicated,
    // 从重处罚 (2025 第22条 / 2012 第20条)
    SeriousConsequences,
    InstigatedOthers,
    Retaliation,
    PriorPenalty1y,
    PriorPenalty6m,
    // 2025 第23条第2款: exceptions to not executing detention
    SeriousAndEgregious,
    RepeatWithinYear,
}

/// A statutory ground with its input code and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatutoryCircumstance {
    pub code: &'static str,
    pub ground: Ground,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

const fn sc(
    code: &'static str,
    ground: Ground,
    name_zh: &'static str,
    name_en: &'static str,
) -> StatutoryCircumstance {
    StatutoryCircumstance {
        code,
        ground,
        name_zh,
        name_en,
    }
}

/// Every statutory ground, by input code.
pub const STATUTORY_CIRCUMSTANCES: &[StatutoryCircumstance] = &[
    sc(
        "minor_circumstances",
        Ground::MinorCircumstances,
        "情节轻微",
        "minor circumstances",
    ),
    sc(
        "very_minor",
        Ground::VeryMinor,
        "情节特别轻微",
        "very minor circumstances",
    ),
    sc(
        "remedied",
        Ground::Remedied,
        "主动消除或者减轻违法后果",
        "removed or lessened the consequences of own accord",
    ),
    sc(
        "forgiven",
        Ground::Forgiven,
        "取得被侵害人谅解",
        "forgiven by the victim",
    ),
    sc(
        "coerced",
        Ground::Coerced,
        "出于他人胁迫或者诱骗",
        "acted under another's coercion or deception",
    ),
    sc(
        "surrendered",
        Ground::Surrendered,
        "主动投案，向公安机关如实陈述自己的违法行为",
        "surrendered and truthfully confessed",
    ),
    sc(
        "meritorious",
        Ground::Meritorious,
        "有立功表现",
        "meritorious conduct",
    ),
    sc(
        "confessed",
        Ground::Confessed,
        "自愿如实陈述、承认违法事实、愿意接受处罚",
        "admitted the facts and accepts the penalty",
    ),
    sc(
        "mental_partial",
        Ground::MentalPartial,
        "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人",
        "mentally ill or intellectually disabled, capacity not wholly lost",
    ),
    sc(
        "blind_or_deaf_mute",
        Ground::BlindOrDeafMute,
        "盲人或者又聋又哑的人",
        "blind, or both deaf and mute",
    ),
    sc(
        "excessive_defence",
        Ground::ExcessiveDefence,
        "制止正在进行的不法侵害明显超过必要限度，造成较大损害",
        "stopping an unlawful attack, clearly beyond what was necessary",
    ),
    sc(
        "mental_incapable",
        Ground::MentalIncapable,
        "精神病人、智力残疾人在不能辨认或者不能控制自己行为的时候",
        "mentally ill or intellectually disabled, unable to understand or control the act",
    ),
    sc(
        "mediated",
        Ground::Mediated,
        "经调解或者和解达成协议并履行",
        "mediation or settlement agreed and honoured",
    ),
    sc(
        "self_eradicated",
        Ground::SelfEradicated,
        "在成熟前自行铲除",
        "plants eradicated before maturity of own accord",
    ),
    sc(
        "serious_consequences",
        Ground::SeriousConsequences,
        "有较严重后果",
        "fairly serious consequences",
    ),
    sc(
        "instigated_others",
        Ground::InstigatedOthers,
        "教唆、胁迫、诱骗他人违反治安管理",
        "instigated, coerced or lured others",
    ),
    sc(
        "retaliation",
        Ground::Retaliation,
        "对报案人、控告人、举报人、证人打击报复",
        "retaliated against a reporter, complainant or witness",
    ),
    sc(
        "prior_penalty_1y",
        Ground::PriorPenalty1y,
        "一年以内曾受过治安管理处罚",
        "public-order penalty within the past year",
    ),
    sc(
        "prior_penalty_6m",
        Ground::PriorPenalty6m,
        "六个月以内曾受过治安管理处罚",
        "public-order penalty within the past six months",
    ),
    sc(
        "serious_and_egregious",
        Ground::SeriousAndEgregious,
        "违反治安管理情节严重、影响恶劣",
        "serious circumstances and egregious impact",
    ),
    sc(
        "repeat_within_year",
        Ground::RepeatWithinYear,
        "一年以内二次以上违反治安管理",
        "two or more violations within one year",
    ),
];

pub fn statutory(code: &str) -> Option<&'static StatutoryCircumstance> {
    STATUTORY_CIRCUMSTANCES.iter().find(|s| s.code == code)
}

/// A citation: article, paragraph (0: none) and item (0: none) of a law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cite {
    pub law: Law,
    pub article: u16,
    pub paragraph: u8,
    pub item: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    Psapl(LawVersion),
    /// 行政处罚法 (2021).
    AdminPenalty,
    /// The loaded discretion standard.
    Standard,
}

impl Cite {
    pub const fn psapl(v: LawVersion, article: u16, paragraph: u8, item: u8) -> Cite {
        Cite {
            law: Law::Psapl(v),
            article,
            paragraph,
            item,
        }
    }

    pub fn text_zh(&self) -> String {
        let law = match self.law {
            Law::Psapl(v) => v.name_zh(),
            Law::AdminPenalty => "行政处罚法",
            Law::Standard => return "裁量基准".to_string(),
        };
        let mut s = format!("{law}第{}条", self.article);
        if self.paragraph > 0 {
            s.push_str(&format!("第{}款", self.paragraph));
        }
        if self.item > 0 {
            s.push_str(&format!("第{}项", self.item));
        }
        s
    }

    pub fn text_en(&self) -> String {
        let law = match self.law {
            Law::Psapl(LawVersion::V2025) => "PSAPL (2025 revision)",
            Law::Psapl(LawVersion::V2012) => "PSAPL (2012 amendment)",
            Law::AdminPenalty => "Administrative Penalty Law",
            Law::Standard => return "discretion standard".to_string(),
        };
        let mut s = format!("{law} art. {}", self.article);
        if self.paragraph > 0 {
            s.push_str(&format!("({})", self.paragraph));
        }
        if self.item > 0 {
            s.push_str(&format!(" item {}", self.item));
        }
        s
    }
}

impl Serialize for Cite {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CiteJson::from(self).serialize(s)
    }
}

/// A citation as written: the law, its article, paragraph and item (0: none) and the
/// citation in words.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyCite))]
pub(crate) struct CiteJson {
    law: LawId,
    article: u16,
    paragraph: u8,
    item: u8,
    zh: String,
    en: String,
}

/// The law a citation names.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyLaw))]
pub(crate) enum LawId {
    #[serde(rename = "psapl-2025")]
    Psapl2025,
    #[serde(rename = "psapl-2012")]
    Psapl2012,
    #[serde(rename = "admin-penalty-law-2021")]
    AdminPenalty2021,
    #[serde(rename = "standard")]
    Standard,
}

impl From<&Cite> for CiteJson {
    fn from(c: &Cite) -> CiteJson {
        CiteJson {
            law: match c.law {
                Law::Psapl(LawVersion::V2025) => LawId::Psapl2025,
                Law::Psapl(LawVersion::V2012) => LawId::Psapl2012,
                Law::AdminPenalty => LawId::AdminPenalty2021,
                Law::Standard => LawId::Standard,
            },
            article: c.article,
            paragraph: c.paragraph,
            item: c.item,
            zh: c.text_zh(),
            en: c.text_en(),
        }
    }
}

/// What a ground does under one version of the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroundEffect {
    /// 从轻或者减轻 (optional choice; counts towards the reduce threshold).
    MitigateOrReduce,
    /// 减轻或者不予处罚 (2012 第19条): reduce.
    Reduce,
    /// 应当减轻 (2025 第19条).
    MustReduce,
    /// 可以从宽 (2025 第21条): mitigate within the range.
    Lenient,
    /// 不予处罚.
    Exempt,
    /// 从重处罚.
    Aggravate,
    /// Lifts the bar on executing detention (2025 第23条第2款).
    ExecuteDetention,
    /// Not a ground in this version.
    None,
}

impl Ground {
    /// The article (paragraph, item) and effect of this ground under `v`.
    pub fn rule(self, v: LawVersion) -> (Option<Cite>, GroundEffect) {
        use GroundEffect as E;
        use LawVersion::{V2012, V2025};
        let c = |a, p, i| Some(Cite::psapl(v, a, p, i));
        match (self, v) {
            (Ground::MinorCircumstances, V2025) => (c(20, 0, 1), E::MitigateOrReduce),
            (Ground::VeryMinor, V2025) => (c(20, 0, 1), E::MitigateOrReduce),
            (Ground::Remedied, V2025) => (c(20, 0, 2), E::MitigateOrReduce),
            (Ground::Forgiven, V2025) => (c(20, 0, 3), E::MitigateOrReduce),
            (Ground::Coerced, V2025) => (c(20, 0, 4), E::MitigateOrReduce),
            (Ground::Surrendered, V2025) => (c(20, 0, 5), E::MitigateOrReduce),
            (Ground::Meritorious, V2025) => (c(20, 0, 6), E::MitigateOrReduce),
            (Ground::Confessed, V2025) => (c(21, 0, 0), E::Lenient),
            (Ground::MentalPartial, V2025) => (c(13, 0, 0), E::MitigateOrReduce),
            (Ground::BlindOrDeafMute, _) => (c(14, 0, 0), E::MitigateOrReduce),
            (Ground::ExcessiveDefence, V2025) => (c(19, 0, 0), E::MustReduce),
            (Ground::MentalIncapable, _) => (c(13, 0, 0), E::Exempt),
            (Ground::Mediated, V2025) => (c(9, 3, 0), E::Exempt),
            (Ground::Mediated, V2012) => (c(9, 0, 0), E::Exempt),
            (Ground::SelfEradicated, V2025) => (c(83, 2, 0), E::Exempt),
            (Ground::SelfEradicated, V2012) => (c(71, 2, 0), E::Exempt),
            (Ground::SeriousConsequences, V2025) => (c(22, 0, 1), E::Aggravate),
            (Ground::InstigatedOthers, V2025) => (c(22, 0, 2), E::Aggravate),
            (Ground::Retaliation, V2025) => (c(22, 0, 3), E::Aggravate),
            (Ground::PriorPenalty1y | Ground::PriorPenalty6m, V2025) => (c(22, 0, 4), E::Aggravate),
            (Ground::SeriousAndEgregious | Ground::RepeatWithinYear, V2025) => {
                (c(23, 2, 0), E::ExecuteDetention)
            }
            // 2012
            (Ground::VeryMinor, V2012) => (c(19, 0, 1), E::Reduce),
            (Ground::Coerced, V2012) => (c(19, 0, 3), E::Reduce),
            (Ground::Surrendered, V2012) => (c(19, 0, 4), E::Reduce),
            (Ground::Meritorious, V2012) => (c(19, 0, 5), E::Reduce),
            // 第19条第2项 requires both; handled by the engine (see `remedied_and_forgiven`).
            (Ground::Remedied | Ground::Forgiven, V2012) => (c(19, 0, 2), E::None),
            (Ground::SeriousConsequences, V2012) => (c(20, 0, 1), E::Aggravate),
            (Ground::InstigatedOthers, V2012) => (c(20, 0, 2), E::Aggravate),
            (Ground::Retaliation, V2012) => (c(20, 0, 3), E::Aggravate),
            (Ground::PriorPenalty6m, V2012) => (c(20, 0, 4), E::Aggravate),
            (Ground::PriorPenalty1y, V2012) => (c(20, 0, 4), E::None),
            (
                Ground::MinorCircumstances
                | Ground::Confessed
                | Ground::MentalPartial
                | Ground::ExcessiveDefence,
                V2012,
            ) => (None, E::None),
            (Ground::SeriousAndEgregious | Ground::RepeatWithinYear, V2012) => {
                (c(21, 0, 0), E::None)
            }
        }
    }
}

/// 第12条 (both versions): under 14 no penalty; 14–17 mitigate or reduce.
pub fn minor_rule(v: LawVersion) -> Cite {
    Cite::psapl(v, 12, 0, 0)
}

/// 第16条 (both versions): several violations decided separately, detention combined ≤ 20 days.
pub fn combine_rule(v: LawVersion) -> Cite {
    Cite::psapl(v, 16, 0, 0)
}

/// Not executing detention: 2025 第23条 / 2012 第21条.
pub fn not_executed_rule(v: LawVersion, item: u8) -> Cite {
    match v {
        LawVersion::V2025 => Cite::psapl(v, 23, 1, item),
        LawVersion::V2012 => Cite::psapl(v, 21, 0, item),
    }
}

/// Limitation: 2025 第25条 / 2012 第22条 — six months.
pub fn limitation_rule(v: LawVersion) -> Cite {
    match v {
        LawVersion::V2025 => Cite::psapl(v, 25, 0, 0),
        LawVersion::V2012 => Cite::psapl(v, 22, 0, 0),
    }
}

/// 行政处罚法第37条: the law at the time of the act, unless the new one is lighter.
pub const OLD_OR_LIGHTER: Cite = Cite {
    law: Law::AdminPenalty,
    article: 37,
    paragraph: 0,
    item: 0,
};

/// 第10条第2款: foreigners may additionally be ordered to leave or be deported.
pub fn foreigner_rule(v: LawVersion) -> Cite {
    Cite::psapl(v, 10, 2, 0)
}

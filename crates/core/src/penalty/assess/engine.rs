//! [`Engine::assess`]: one violation through every rule, step by step.

use std::sync::Arc;

use chrono::Months;

use super::super::Engine;
use super::super::catalog::{LawVersion, Rule, RuleKind, Tier, TierKind};
use super::super::rules::{self, Cite, Ground, GroundEffect, Law};
use super::resolve::{cite_rule, not_assessable, range_of, resolve};
use super::value::{
    Val, apply_steps, fine_range, map_pos, map_to_tier, reduce_below, severity_key, sit_bounds,
    tier_bounds,
};
use super::*;

pub(super) struct Ctx {
    pub(super) explain: Vec<Step>,
}

impl Ctx {
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of one explanation step, named at each call"
    )]
    pub(super) fn push(
        &mut self,
        rule: &'static str,
        basis: Cite,
        effect: Effect,
        code: Option<Arc<str>>,
        steps: Option<i64>,
        note_zh: &'static str,
        note_en: &'static str,
        after: Option<Recommended>,
    ) {
        self.explain.push(Step {
            rule,
            basis,
            effect,
            code,
            steps,
            note_zh,
            note_en,
            after,
        });
    }
}

/// Circumstances split into statutory grounds and the standard's (by index), deduplicated.
pub(super) struct Circs {
    pub(super) grounds: Vec<(Ground, Arc<str>)>,
    pub(super) discretionary: Vec<usize>,
}

impl Circs {
    pub(super) fn has(&self, g: Ground) -> bool {
        self.grounds.iter().any(|(x, _)| *x == g)
    }
}

impl Engine {
    /// Assesses one violation. Pure: no clock, no I/O.
    pub fn assess(&self, input: &AssessInput) -> Result<Assessment, AssessError> {
        let new = &self.catalog;
        let rule = resolve(new, &input.article, input.item)?;
        let prule = match rule.kind {
            RuleKind::Penalty | RuleKind::Aggravate | RuleKind::Refer => {
                new.penalty_rule(rule).ok_or_else(|| not_assessable(rule))?
            }
            RuleKind::NoPenalty => new
                .rule(&format!("{}-1", rule.code.split('-').next().unwrap_or("")))
                .ok_or_else(|| not_assessable(rule))?,
            _ => return Err(not_assessable(rule)),
        };
        let tier_kind = match input.tier {
            Some(t) => t,
            None => {
                if prule.tier(TierKind::Base).is_some() {
                    TierKind::Base
                } else {
                    prule.tiers.first().map_or(TierKind::Base, |t| t.tier)
                }
            }
        };
        let tier = prule.tier(tier_kind).ok_or(AssessError::UnknownTier {
            violation: rule.code.clone(),
            tier: tier_kind.as_str(),
        })?;
        // Situation (of the rule that carries the tiers).
        let sit_idx = match &input.situation {
            Some(code) => {
                let i = self
                    .standard
                    .situation_idx(code)
                    .ok_or_else(|| AssessError::UnknownSituation(code.clone()))?;
                let s = self
                    .standard
                    .situation_at(i)
                    .ok_or_else(|| AssessError::UnknownSituation(code.clone()))?;
                if s.violation != prule.code || s.tier != tier_kind {
                    return Err(AssessError::UnknownSituation(code.clone()));
                }
                i
            }
            None => self
                .standard
                .default_situation_idx(&prule.code, tier_kind)
                .ok_or_else(|| {
                    AssessError::UnknownSituation(format!("{} {}", prule.code, tier_kind.as_str()))
                })?,
        };
        let sit = self
            .standard
            .situation_at(sit_idx)
            .ok_or_else(|| AssessError::UnknownSituation(String::new()))?;
        // Circumstances.
        let article_no: u16 = rule
            .code
            .split_once('-')
            .and_then(|(a, _)| a.parse().ok())
            .unwrap_or(0);
        let mut circs = Circs {
            grounds: Vec::new(),
            discretionary: Vec::new(),
        };
        for c in &input.circumstances {
            if let Some(sc) = rules::statutory(c) {
                if !circs.has(sc.ground) {
                    circs.grounds.push((sc.ground, Arc::from(sc.code)));
                }
            } else if let Some(i) = self.standard.circumstance_idx(c) {
                let ci = self
                    .standard
                    .circumstance_at(i)
                    .ok_or_else(|| AssessError::UnknownCircumstance(c.clone()))?;
                if !ci.articles.is_empty() && !ci.articles.contains(&article_no) {
                    return Err(AssessError::CircumstanceNotApplicable {
                        circumstance: c.clone(),
                        violation: rule.code.clone(),
                    });
                }
                if !circs.discretionary.contains(&i) {
                    circs.discretionary.push(i);
                }
            } else {
                return Err(AssessError::UnknownCircumstance(c.clone()));
            }
        }
        circs.grounds.sort_by_key(|(g, _)| *g);
        circs.discretionary.sort_unstable();
        if rule.kind == RuleKind::NoPenalty {
            // 83-2 named directly: 在成熟前自行铲除 → 不予处罚.
            if !circs.has(Ground::SelfEradicated) {
                circs
                    .grounds
                    .push((Ground::SelfEradicated, Arc::from("self_eradicated")));
            }
        } else if circs.has(Ground::SelfEradicated)
            && !(prule.code == "83-1" && input.item == Some(1))
        {
            return Err(AssessError::CircumstanceNotApplicable {
                circumstance: "self_eradicated".into(),
                violation: rule.code.clone(),
            });
        }
        // Dates.
        let old = &self.old;
        if input.offence_date < old.effective_from {
            return Err(AssessError::InvalidInput {
                field: "offence_date",
                message: Reason::new(
                    format!(
                        "offence_date {} is before {}, the earliest version loaded",
                        input.offence_date, old.effective_from
                    ),
                    "行为日期早于已载入的最早版本",
                ),
            });
        }
        for (field, date, zh) in [
            (
                "discovered_date",
                input.discovered_date,
                "发现日期早于行为日期",
            ),
            ("decision_date", input.decision_date, "决定日期早于行为日期"),
        ] {
            if date.is_some_and(|d| d < input.offence_date) {
                return Err(AssessError::InvalidInput {
                    field,
                    message: Reason::new(format!("{field} is before offence_date"), zh),
                });
            }
        }

        let mut cx = Ctx {
            explain: Vec::with_capacity(16),
        };
        let gains = input.illegal_gains_yuan;
        let sub = SubRange {
            code: sit.code.clone(),
            name_zh: sit.name_zh.clone(),
            warning: sit.warning,
            detention_days: sit.detention_days,
            fine_yuan: sit.fine_yuan,
        };
        let new_range = range_of(rule, prule, tier, fine_range(tier, gains), Some(sub));
        let item = input.item.unwrap_or(0);

        // Which law: 2025 for acts from its entry into force; before, the 2012 law unless
        // the 2025 law is lighter (行政处罚法第37条).
        let at_time = if input.offence_date >= new.effective_from {
            LawVersion::V2025
        } else {
            LawVersion::V2012
        };
        let mut law = LawVersion::V2025;
        let mut old_pick: Option<(&Rule, &Rule, &Tier)> = None;
        if at_time == LawVersion::V2012 {
            let decided_under_new = input.decision_date.is_none_or(|d| d >= new.effective_from);
            match self.old_counterpart(rule, prule, tier_kind, input.item)? {
                None => {
                    // Not a violation of the 2012 law.
                    cx.push(
                        "old_law_no_counterpart",
                        rules::OLD_OR_LIGHTER,
                        Effect::Exempt,
                        None,
                        None,
                        "行为发生时的治安管理处罚法（2012年修正）没有对应的违法行为及罚则，依照行为时的法律不予治安管理处罚",
                        "the 2012 law in force at the time had no such violation: no public-order penalty",
                        Some(Recommended::default()),
                    );
                    return Ok(Assessment {
                        law_version: LawVersion::V2012,
                        outcome: Outcome::NotPunishable,
                        range: new_range,
                        recommended: Recommended::default(),
                        explain: cx.explain,
                    });
                }
                Some((orule, oprule, otier)) => {
                    let old_lighter = severity_key(otier) <= severity_key(tier);
                    if !decided_under_new || old_lighter {
                        law = LawVersion::V2012;
                        old_pick = Some((orule, oprule, otier));
                        cx.push(
                            "law_version",
                            rules::OLD_OR_LIGHTER,
                            Effect::Select,
                            None,
                            None,
                            if decided_under_new {
                                "从旧兼从轻：行为发生在2026年1月1日前，行为时的法律（2012年修正）处罚不重于新法，适用旧法"
                            } else {
                                "行为及决定均在2026年1月1日前，适用2012年修正的治安管理处罚法"
                            },
                            if decided_under_new {
                                "act before 2026-01-01; the 2012 law is not heavier than the 2025 law, so it applies"
                            } else {
                                "act and decision before 2026-01-01: the 2012 law applies"
                            },
                            None,
                        );
                    } else {
                        cx.push(
                            "law_version",
                            rules::OLD_OR_LIGHTER,
                            Effect::Select,
                            None,
                            None,
                            "从旧兼从轻：行为发生在2026年1月1日前，但新法（2025年修订）处罚较轻，适用新法",
                            "act before 2026-01-01, but the 2025 law is lighter, so it applies",
                            None,
                        );
                    }
                }
            }
        } else {
            cx.push(
                "law_version",
                Cite::psapl(LawVersion::V2025, 144, 0, 0),
                Effect::Select,
                None,
                None,
                "行为发生在2026年1月1日以后，适用2025年修订的治安管理处罚法",
                "act on or after 2026-01-01: the 2025 revision applies",
                None,
            );
        }

        // The rule, tier and range of the law applied.
        let (arule, _aprule, atier, range) = match old_pick {
            Some((orule, oprule, otier)) => (
                orule,
                oprule,
                otier,
                range_of(orule, oprule, otier, otier.fine_yuan, None),
            ),
            None => (rule, prule, tier, new_range),
        };
        let cite = cite_rule(law, arule, item);
        cx.push(
            "tier",
            cite,
            Effect::Select,
            None,
            None,
            match atier.tier {
                TierKind::Lighter => "适用情节较轻的处罚档次",
                TierKind::Base => "适用一般情形的处罚档次",
                TierKind::Heavier => "适用情节较重（严重、恶劣或法定加重情形）的处罚档次",
            },
            match atier.tier {
                TierKind::Lighter => "the lighter-circumstances tier applies",
                TierKind::Base => "the base tier applies",
                TierKind::Heavier => "the heavier-circumstances tier applies",
            },
            None,
        );
        if rule.kind == RuleKind::Refer || arule.kind == RuleKind::Refer {
            cx.push(
                "refer",
                cite,
                Effect::Note,
                None,
                None,
                "依照所援引条款的规定处罚",
                "penalised under the provision referred to",
                None,
            );
        }

        // Exemptions that end the assessment.
        let exempt = |cx: &mut Ctx,
                      rule: &'static str,
                      basis: Cite,
                      zh: &'static str,
                      en: &'static str,
                      outcome: Outcome| {
            cx.push(
                rule,
                basis,
                Effect::Exempt,
                None,
                None,
                zh,
                en,
                Some(Recommended::default()),
            );
            Ok(Assessment {
                law_version: law,
                outcome,
                range: range.clone(),
                recommended: Recommended::default(),
                explain: std::mem::take(&mut cx.explain),
            })
        };
        if let Some(discovered) = input.discovered_date {
            let limit = input
                .offence_date
                .checked_add_months(Months::new(6))
                .unwrap_or(NaiveDate::MAX);
            if discovered > limit {
                return exempt(
                    &mut cx,
                    "limitation",
                    rules::limitation_rule(law),
                    "违反治安管理行为在六个月以内没有被公安机关发现的，不再处罚",
                    "not discovered within six months: no longer punishable",
                    Outcome::TimeBarred,
                );
            }
        }
        let minor_age = self.catalog.general.minor_exempt_age;
        if input.person.age < minor_age {
            return exempt(
                &mut cx,
                "under_14",
                rules::minor_rule(law),
                "不满十四周岁的人违反治安管理的，不予处罚，但应当责令其监护人严加管教",
                "under 14: no penalty; the guardian is ordered to discipline",
                Outcome::Exempt,
            );
        }
        for (g, code) in &circs.grounds {
            let (c, e) = g.rule(law);
            if e == GroundEffect::Exempt
                && let Some(c) = c
            {
                cx.push(
                    "statutory_ground",
                    c,
                    Effect::Exempt,
                    Some(code.clone()),
                    None,
                    "法定不予处罚情形",
                    "statutory ground for no penalty",
                    Some(Recommended::default()),
                );
                return Ok(Assessment::exempt(law, range, cx.explain));
            }
        }
        if law == LawVersion::V2025
            && circs.has(Ground::ExcessiveDefence)
            && atier.tier == TierKind::Lighter
        {
            return exempt(
                &mut cx,
                "excessive_defence",
                Cite::psapl(law, 19, 0, 0),
                "制止不法侵害明显超过必要限度，情节较轻的，不予处罚",
                "excessive defence with lighter circumstances: no penalty",
                Outcome::Exempt,
            );
        }

        // Starting value from the situation (2025) or its position mapped onto the 2012 range.
        let pol = &self.standard.policy;
        let (det_step, fine_step) = (
            i64::from(sit.detention_step),
            i64::try_from(sit.fine_step).unwrap_or(i64::MAX),
        );
        let eff_fine = fine_range(tier, gains);
        let scale_fine = |v: u64| -> u64 {
            match (tier.fine_yuan, eff_fine) {
                (Some(f), Some(e)) if f != e => map_pos(v, f[0], f[1], e[0], e[1]),
                _ => v,
            }
        };
        let mut v = Val {
            warning: sit.warning,
            fine: scale_fine(sit.fine_base),
            det: sit.detention_base,
        };
        cx.push(
            "situation",
            Cite {
                law: Law::Standard,
                article: 0,
                paragraph: 0,
                item: 0,
            },
            Effect::Base,
            Some(sit.code.clone()),
            None,
            "按裁量基准的违法情形确定基准值",
            "base value of the discretion standard's situation",
            Some(v.rec(true)),
        );
        if eff_fine != tier.fine_yuan {
            cx.push(
                "fine_multiplier",
                Cite::psapl(LawVersion::V2025, 27, 0, 0),
                Effect::Note,
                None,
                None,
                "违法所得在一千元以上的，罚款为违法所得的一至五倍，基准值按相对位置换算",
                "illegal gains of 1000 yuan or more: fine 1–5 times the gains; base scaled by position",
                Some(v.rec(true)),
            );
        }
        // Discretionary circumstances: net steps, kept in the situation's sub-range.
        let mut net: i64 = 0;
        for &i in &circs.discretionary {
            if let Some(c) = self.standard.circumstance_at(i) {
                net += i64::from(c.steps);
                cx.push(
                    "circumstance",
                    Cite {
                        law: Law::Standard,
                        article: 0,
                        paragraph: 0,
                        item: 0,
                    },
                    Effect::Adjust,
                    Some(c.code.clone()),
                    Some(i64::from(c.steps)),
                    "裁量情节按基准规定的步长调整",
                    "discretionary circumstance: moves the value by its steps",
                    None,
                );
            }
        }
        if net != 0 {
            apply_steps(
                &mut v,
                net,
                det_step,
                fine_step,
                sit_bounds(sit, &scale_fine),
            );
            cx.push(
                "circumstances_total",
                Cite {
                    law: Law::Standard,
                    article: 0,
                    paragraph: 0,
                    item: 0,
                },
                Effect::Bound,
                None,
                Some(net),
                "裁量情节合计调整，结果限于该违法情形的幅度内",
                "discretionary circumstances in total, kept within the situation's sub-range",
                Some(v.rec(true)),
            );
        }
        if let Some((_, _, otier)) = old_pick {
            v = map_to_tier(v, tier, eff_fine, otier, sit.fine_step);
            cx.push(
                "old_law_mapping",
                rules::OLD_OR_LIGHTER,
                Effect::Base,
                None,
                None,
                "按违法情形在新法幅度内的相对位置，换算到旧法相应档次的幅度",
                "position within the 2025 range carried over to the 2012 range",
                Some(v.rec(true)),
            );
        }

        // Statutory grounds.
        let bounds = tier_bounds(
            atier,
            if old_pick.is_some() {
                atier.fine_yuan
            } else {
                eff_fine
            },
            sit.fine_step,
        );
        let mut optional = 0u32;
        let mut lenient = 0u32;
        let mut must_reduce = false;
        let mut reduce_2012 = false;
        let mut aggravations = 0u32;
        let mut reduce_grounds: Vec<Step> = Vec::new();
        if input.person.age < 18 {
            optional += 1;
            reduce_grounds.push(Step {
                rule: "minor_14_18",
                basis: rules::minor_rule(law),
                effect: Effect::Mitigate,
                code: None,
                steps: None,
                note_zh: "已满十四周岁不满十八周岁的人违反治安管理的，从轻或者减轻处罚",
                note_en: "aged 14–17: mitigated or reduced",
                after: None,
            });
        }
        if law == LawVersion::V2012 && circs.has(Ground::Remedied) && circs.has(Ground::Forgiven) {
            reduce_2012 = true;
            reduce_grounds.push(Step {
                rule: "statutory_ground",
                basis: Cite::psapl(law, 19, 0, 2),
                effect: Effect::Reduce,
                code: Some(Arc::from("remedied+forgiven")),
                steps: None,
                note_zh: "主动消除或者减轻违法后果，并取得被侵害人谅解的，减轻处罚或者不予处罚",
                note_en: "consequences remedied and victim's forgiveness obtained: reduced or no penalty",
                after: None,
            });
        }
        for (g, code) in &circs.grounds {
            let (c, e) = g.rule(law);
            let basis = c.unwrap_or(Cite::psapl(law, 0, 0, 0));
            let mk = |effect, zh, en| Step {
                rule: "statutory_ground",
                basis,
                effect,
                code: Some(code.clone()),
                steps: None,
                note_zh: zh,
                note_en: en,
                after: None,
            };
            match e {
                GroundEffect::MitigateOrReduce => {
                    optional += 1;
                    reduce_grounds.push(mk(
                        Effect::Mitigate,
                        "法定从轻、减轻处罚情节",
                        "statutory ground to mitigate or reduce",
                    ));
                }
                GroundEffect::Reduce => {
                    reduce_2012 = true;
                    reduce_grounds.push(mk(
                        Effect::Reduce,
                        "法定减轻处罚或者不予处罚情节",
                        "statutory ground to reduce or exempt",
                    ));
                }
                GroundEffect::MustReduce => {
                    must_reduce = true;
                    reduce_grounds.push(mk(Effect::Reduce, "应当减轻处罚", "must be reduced"));
                }
                GroundEffect::Lenient => {
                    lenient += 1;
                    reduce_grounds.push(mk(
                        Effect::Mitigate,
                        "认错认罚，可以依法从宽处理",
                        "admission and acceptance: may be treated leniently",
                    ));
                }
                GroundEffect::Aggravate => {
                    aggravations += 1;
                    cx.explain.push(mk(
                        Effect::Aggravate,
                        "法定从重处罚情节",
                        "statutory ground to aggravate",
                    ));
                }
                GroundEffect::Exempt | GroundEffect::ExecuteDetention => {}
                GroundEffect::None => {
                    cx.explain.push(mk(
                        Effect::NoEffect,
                        "该情节在所适用的法律版本中不是法定情节（或须与其他情节同时具备），不作调整",
                        "not a statutory ground in the version applied (or needs another ground with it): no change",
                    ));
                }
            }
        }
        // Article-specific aggravation (e.g. 第61条第2款 阻碍人民警察).
        if arule.kind == RuleKind::Aggravate {
            aggravations += 1;
            cx.push(
                "article_aggravation",
                cite_rule(law, arule, 0),
                Effect::Aggravate,
                None,
                None,
                "本条规定从重处罚的情形",
                "aggravation prescribed by the article itself",
                None,
            );
        }
        let reduce = must_reduce || reduce_2012 || optional >= pol.reduce_at_grounds;
        if reduce {
            for mut s in reduce_grounds {
                s.effect = Effect::Reduce;
                cx.explain.push(s);
            }
            let (nv, exempted) = reduce_below(atier, bounds, sit.fine_step);
            v = nv;
            if exempted {
                cx.push(
                    "reduce",
                    cite,
                    Effect::Exempt,
                    None,
                    None,
                    "减轻处罚：法定最轻的处罚已是警告，无法再减，不予处罚",
                    "reduction: the lightest statutory penalty is a warning; nothing lower, so no penalty",
                    Some(Recommended::default()),
                );
                return Ok(Assessment::exempt(law, range, cx.explain));
            }
            cx.push(
                "reduce",
                cite,
                Effect::Reduce,
                None,
                None,
                "减轻处罚：在法定最低处罚以下确定（拘留降至下限以下，无法再降的降为较轻种类）",
                "reduced below the statutory minimum (detention below its floor, else a lighter kind)",
                Some(v.rec(true)),
            );
        } else {
            let mit = optional + lenient;
            for s in reduce_grounds {
                cx.explain.push(s);
            }
            let steps = i64::from(aggravations) * i64::from(pol.statutory_aggravation_steps)
                - i64::from(mit) * i64::from(pol.statutory_mitigation_steps);
            if mit + aggravations > 0 {
                apply_steps(&mut v, steps, det_step, fine_step, bounds);
                cx.push(
                    "statutory_total",
                    cite,
                    if steps < 0 {
                        Effect::Mitigate
                    } else if steps > 0 {
                        Effect::Aggravate
                    } else {
                        Effect::NoEffect
                    },
                    None,
                    Some(steps),
                    "法定从轻、从重情节合计调整，结果不超出法定幅度",
                    "statutory mitigation and aggravation in total, kept within the statutory range",
                    Some(v.rec(true)),
                );
            }
        }
        if atier.discretionary {
            cx.push(
                "discretionary_penalty",
                cite,
                Effect::Note,
                None,
                None,
                "本款为「可以处」，也可以不予处罚",
                "the clause says 'may': the penalty itself is discretionary",
                None,
            );
        }
        if input.person.foreigner {
            cx.push(
                "foreigner",
                rules::foreigner_rule(law),
                Effect::Note,
                None,
                None,
                "对违反治安管理的外国人，可以附加适用限期出境或者驱逐出境",
                "a foreigner may additionally be ordered to leave or be deported",
                None,
            );
        }

        // Detention decided but not executed.
        let mut executed = true;
        if v.det > 0 {
            executed = self.detention_executed(law, input, &circs, &mut cx);
        }
        let rec = v.rec(executed);
        Ok(Assessment {
            law_version: law,
            outcome: Outcome::Penalty,
            range,
            recommended: rec,
            explain: cx.explain,
        })
    }
}

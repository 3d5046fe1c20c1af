//! The 2012 law: the counterpart of a 2025 violation (从旧兼从轻) and whether
//! detention is executed.

use std::sync::Arc;

use super::super::Engine;
use super::super::catalog::{LawVersion, Rule, Tier, TierKind};
use super::super::rules::{Cite, Ground};
use super::engine::{Circs, Ctx};
use super::*;

impl Engine {
    /// The 2012 rule, penalty rule and tier for a 2025 violation; `None` if not a violation then.
    pub(super) fn old_counterpart(
        &self,
        rule: &Rule,
        prule: &Rule,
        tier: TierKind,
        item: Option<u8>,
    ) -> Result<Option<(&Rule, &Rule, &Tier)>, AssessError> {
        // The mapping lives on the rule named (aggravating / referring rules have their own).
        let maps = rule.old_2012.as_ref().or(prule.old_2012.as_ref());
        let Some(maps) = maps else { return Ok(None) };
        let entry = match item {
            Some(i) => maps
                .iter()
                .find(|m| m.items.as_ref().is_none_or(|its| its.contains(&i))),
            None => {
                if maps.len() > 1 {
                    return Err(AssessError::ItemRequired {
                        violation: rule.code.clone(),
                    });
                }
                maps.first()
            }
        };
        let Some(entry) = entry else { return Ok(None) };
        let Some(code) = &entry.rule else {
            return Ok(None);
        };
        let Some(orule) = self.old.rule(code) else {
            return Ok(None);
        };
        let Some(oprule) = self.old.penalty_rule(orule) else {
            // 不予处罚 in the old law too (e.g. 2012 第71条第2款): no counterpart tier.
            return Ok(None);
        };
        let otier_kind = match entry.tiers.as_ref().and_then(|m| m.get(&tier)) {
            Some(None) => return Ok(None),
            Some(Some(t)) => *t,
            None => {
                if oprule.tier(tier).is_some() {
                    tier
                } else if oprule.tier(TierKind::Base).is_some() {
                    TierKind::Base
                } else {
                    match oprule.tiers.first() {
                        Some(t) => t.tier,
                        None => return Ok(None),
                    }
                }
            }
        };
        Ok(oprule.tier(otier_kind).map(|t| (orule, oprule, t)))
    }

    pub(super) fn detention_executed(
        &self,
        law: LawVersion,
        input: &AssessInput,
        circs: &Circs,
        cx: &mut Ctx,
    ) -> bool {
        let p = &input.person;
        let first = p.first_offence.unwrap_or(true);
        let item: u8 = if (14..16).contains(&p.age) {
            1
        } else if (16..18).contains(&p.age) && first {
            2
        } else if p.age >= 70 {
            3
        } else if p.pregnant || p.nursing_infant {
            4
        } else {
            0
        };
        if item == 0 {
            return true;
        }
        // 2025 第23条第2款: items 1–3 when serious and egregious; items 1 and 3 when two or
        // more violations within a year. The 2012 law (第21条) had no exception.
        let pregnant_too = p.pregnant || p.nursing_infant;
        if law == LawVersion::V2025 && !pregnant_too {
            let serious = circs.has(Ground::SeriousAndEgregious) && item <= 3;
            let repeat = circs.has(Ground::RepeatWithinYear) && (item == 1 || item == 3);
            if serious || repeat {
                cx.push(
                    "detention_executed_exception",
                    Cite::psapl(law, 23, 2, 0),
                    Effect::Executed,
                    Some(Arc::from(if serious { "serious_and_egregious" } else { "repeat_within_year" })),
                    None,
                    "情节严重、影响恶劣，或者一年以内二次以上违反治安管理的，不受不执行行政拘留的限制",
                    "serious and egregious, or two or more violations within a year: detention may be executed",
                    None,
                );
                if item <= 2 {
                    cx.push(
                        "hearing_for_minor",
                        Cite::psapl(law, 117, 2, 0),
                        Effect::Note,
                        None,
                        None,
                        "对可能执行行政拘留的未成年人，应当告知其和监护人有权要求举行听证",
                        "a minor who may be detained, and the guardian, must be told of the right to a hearing",
                        None,
                    );
                }
                return true;
            }
        }
        let (zh, en) = match item {
            1 => (
                "已满十四周岁不满十六周岁的，依法应当给予行政拘留处罚的，不执行行政拘留处罚",
                "aged 14–15: detention decided but not executed",
            ),
            2 => (
                "已满十六周岁不满十八周岁，初次违反治安管理的，不执行行政拘留处罚（未注明是否初次的，按初次处理）",
                "aged 16–17, first violation: not executed (first violation assumed when not stated)",
            ),
            3 => (
                "七十周岁以上的，不执行行政拘留处罚",
                "aged 70 or over: not executed",
            ),
            _ => (
                "怀孕或者哺乳自己不满一周岁婴儿的，不执行行政拘留处罚",
                "pregnant or nursing own infant under one: not executed",
            ),
        };
        cx.push(
            "detention_not_executed",
            rules::not_executed_rule(law, item),
            Effect::NotExecuted,
            None,
            None,
            zh,
            en,
            None,
        );
        if law == LawVersion::V2025 && item <= 2 {
            cx.push(
                "minor_education",
                Cite::psapl(law, 24, 0, 0),
                Effect::Note,
                None,
                None,
                "不执行行政拘留的未成年人，依照预防未成年人犯罪法采取矫治教育等措施",
                "minors not detained: corrective education under the Juvenile Delinquency Prevention Law",
                None,
            );
        }
        false
    }
}

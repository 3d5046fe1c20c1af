//! From the input article or code to the catalog rule, its range and its citation.

use super::super::catalog::{Catalog, LawVersion, Rule, RuleKind, Tier};
use super::super::rules::Cite;
use super::*;

pub(super) fn range_of(
    rule: &Rule,
    cited: &Rule,
    tier: &Tier,
    fine: Option<[u64; 2]>,
    sub: Option<SubRange>,
) -> Range {
    let article = cited
        .code
        .split_once('-')
        .and_then(|(a, _)| a.parse().ok())
        .unwrap_or(0);
    Range {
        code: cited.code.clone(),
        article,
        paragraph: if cited.kind == RuleKind::Penalty {
            cited.paragraph
        } else {
            rule.paragraph
        },
        tier: tier.tier,
        form: tier.form,
        warning: tier.warning,
        detention_days: tier.detention_days,
        fine_yuan: fine,
        text_zh: tier.text_zh.clone(),
        situation: sub,
    }
}

pub(super) fn cite_rule(v: LawVersion, r: &Rule, item: u8) -> Cite {
    let article = r
        .code
        .split_once('-')
        .and_then(|(a, _)| a.parse().ok())
        .unwrap_or(0);
    Cite::psapl(v, article, r.paragraph, item)
}

/// Resolves an input article/code to a 2025 rule.
pub(super) fn resolve<'c>(
    cat: &'c Catalog,
    article: &str,
    item: Option<u8>,
) -> Result<&'c Rule, AssessError> {
    let a = article
        .trim()
        .trim_start_matches('第')
        .trim_end_matches('条');
    let rule = if a.contains('-') {
        cat.rule(a)
    } else {
        let n: u16 = a
            .parse()
            .map_err(|_| AssessError::UnknownViolation(article.to_string()))?;
        let art = cat
            .article(n)
            .ok_or_else(|| AssessError::UnknownViolation(article.to_string()))?;
        match item {
            Some(i) => art
                .rules
                .iter()
                .find(|r| r.items.as_ref().is_some_and(|its| its.contains(&i))),
            None => art.rules.iter().find(|r| {
                matches!(
                    r.kind,
                    RuleKind::Penalty | RuleKind::Refer | RuleKind::Aggravate | RuleKind::NoPenalty
                )
            }),
        }
        .or_else(|| art.rules.first())
    };
    let rule = rule.ok_or_else(|| AssessError::UnknownViolation(article.to_string()))?;
    if let Some(i) = item {
        let has = rule.items.as_ref().is_some_and(|its| its.contains(&i))
            || (rule.kind != RuleKind::Penalty
                && cat
                    .article_of(&rule.code)
                    .is_some_and(|a| a.items.iter().any(|x| x.item == i)));
        if !has {
            return Err(AssessError::UnknownItem {
                violation: rule.code.clone(),
                item: i,
            });
        }
    }
    Ok(rule)
}

pub(super) fn not_assessable(rule: &Rule) -> AssessError {
    let (en, zh) = match rule.kind {
        RuleKind::Measure => (
            "it is a measure, not a penalty",
            "该款为附随措施，不是治安管理处罚",
        ),
        RuleKind::Directive => (
            "it is a directive to a school, not a public-order penalty",
            "该款为责令改正、建议处分，不是治安管理处罚",
        ),
        _ => (
            "the law refers to the specific act or another law; assess that act",
            "依照具体行为或其他法律处罚，请按具体行为评估",
        ),
    };
    AssessError::NotAssessable {
        violation: rule.code.clone(),
        reason: Reason::new(en, zh),
    }
}

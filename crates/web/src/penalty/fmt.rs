//! How penalty amounts and ranges read on the pages.

use frontline_core::Lang;
use frontline_core::penalty::{Outcome, Recommended};

use crate::i18n;
use crate::pages::fmt::group_thousands;

pub(super) fn yuan(lang: Lang, n: u64) -> String {
    let n = group_thousands(i64::try_from(n).unwrap_or(i64::MAX));
    match lang {
        Lang::Zh => format!("{n} 元"),
        Lang::En => format!("¥{n}"),
    }
}

pub(super) fn days(lang: Lang, n: u32) -> String {
    match lang {
        Lang::Zh => format!("{n} 日"),
        Lang::En if n == 1 => "1 day".into(),
        Lang::En => format!("{n} days"),
    }
}

/// "拘留 5–10 日；罚款 500–1,000 元；可以警告".
pub(super) fn range_text(
    lang: Lang,
    warning: bool,
    det: Option<[u32; 2]>,
    fine: Option<[u64; 2]>,
) -> String {
    let mut parts = Vec::new();
    if let Some([a, b]) = det {
        parts.push(format!(
            "{} {a}–{}",
            i18n::t(lang, "penalty.detention"),
            days(lang, b)
        ));
    }
    if let Some([a, b]) = fine {
        parts.push(format!(
            "{} {}–{}",
            i18n::t(lang, "penalty.fine"),
            group_thousands(i64::try_from(a).unwrap_or(i64::MAX)),
            yuan(lang, b)
        ));
    }
    if warning {
        parts.push(i18n::t(lang, "penalty.warning"));
    }
    parts.join(i18n::t(lang, "penalty.list_sep").as_str())
}

pub(super) fn vec2<T: Copy>(v: &Option<Vec<T>>) -> Option<[T; 2]> {
    v.as_ref().and_then(|v| match v.as_slice() {
        [a, b] => Some([*a, *b]),
        _ => None,
    })
}

/// The recommendation in words: "行政拘留 7 日（执行），并处罚款 550 元".
pub(super) fn recommended_text(lang: Lang, outcome: Outcome, r: &Recommended) -> String {
    match outcome {
        Outcome::Exempt => return i18n::t(lang, "penalty.outcome.exempt"),
        Outcome::TimeBarred => return i18n::t(lang, "penalty.outcome.time_barred"),
        Outcome::NotPunishable => return i18n::t(lang, "penalty.outcome.not_punishable"),
        Outcome::Penalty => {}
    }
    let mut parts = Vec::new();
    if r.warning {
        parts.push(i18n::t(lang, "penalty.warning"));
    }
    if r.detention_days > 0 {
        let exec = if r.detention_executed {
            i18n::t(lang, "penalty.executed")
        } else {
            i18n::t(lang, "penalty.not_executed")
        };
        parts.push(format!(
            "{} {}{exec}",
            i18n::t(lang, "penalty.detention"),
            days(lang, r.detention_days)
        ));
    }
    if r.fine_yuan > 0 {
        parts.push(format!(
            "{} {}",
            i18n::t(lang, "penalty.fine"),
            yuan(lang, r.fine_yuan)
        ));
    }
    if parts.is_empty() {
        return i18n::t(lang, "penalty.none");
    }
    parts.join(i18n::t(lang, "penalty.list_sep").as_str())
}

//! Element extraction at intake (要素提取): phone numbers, ID numbers (valid check
//! character only), vehicle plates, amounts of money and times found in a narrative.
//! They are suggestions the officer confirms (by putting one into a field), never
//! stored as facts on their own.

use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;

use crate::ident::{IdentKind, find_identifiers, validate_plate};
use crate::time::BEIJING;

/// The most elements one narrative yields (a pasted document is not a narrative).
pub const ELEMENTS_MAX: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    Phone,
    IdNumber,
    Plate,
    Amount,
    Time,
}

/// One element of a narrative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Element {
    pub kind: ElementKind,
    /// As written in the narrative.
    pub text: String,
    /// Normalised: 11 digits or `area-local` for a phone, 18 characters for an ID number,
    /// `京A12345` for a plate, yuan as a decimal (`3000`, `12000.5`) for an amount, RFC 3339
    /// in Beijing time for a time (its date from the day words and the reported time).
    pub value: String,
    /// Character offsets in the narrative, `[start, end)`.
    pub start: usize,
    pub end: usize,
}

fn char_range(text: &str, bytes: &Range<usize>) -> (usize, usize) {
    let start = text.get(..bytes.start).map_or(0, |s| s.chars().count());
    let len = text.get(bytes.clone()).map_or(0, |s| s.chars().count());
    (start, start + len)
}

/// Every element of `narrative`, in order of appearance. `reported_at` dates the
/// times written without a date (`昨晚10点` is the evening before the report).
pub fn extract(narrative: &str, reported_at: DateTime<Utc>) -> Vec<Element> {
    let chars: Vec<(usize, char)> = narrative.char_indices().collect();
    let mut out: Vec<(Range<usize>, ElementKind, String)> = Vec::new();
    for f in find_identifiers(narrative) {
        let kind = match f.kind {
            IdentKind::Mobile | IdentKind::Landline => ElementKind::Phone,
            IdentKind::IdNumber => ElementKind::IdNumber,
            // A wrong check character is not offered as a fact.
            IdentKind::IdLike => continue,
        };
        out.push((f.span, kind, f.value));
    }
    let taken = |out: &[(Range<usize>, ElementKind, String)], r: &Range<usize>| {
        out.iter()
            .any(|(o, _, _)| o.start < r.end && r.start < o.end)
    };
    for (r, v) in plates(narrative, &chars) {
        if !taken(&out, &r) {
            out.push((r, ElementKind::Plate, v));
        }
    }
    for (r, v) in amounts(narrative, &chars) {
        if !taken(&out, &r) {
            out.push((r, ElementKind::Amount, v));
        }
    }
    for (r, v) in times(narrative, &chars, reported_at) {
        if !taken(&out, &r) {
            out.push((r, ElementKind::Time, v));
        }
    }
    out.sort_by_key(|(r, _, _)| r.start);
    out.truncate(ELEMENTS_MAX);
    out.into_iter()
        .map(|(r, kind, value)| {
            let (start, end) = char_range(narrative, &r);
            Element {
                kind,
                text: narrative.get(r).unwrap_or_default().to_string(),
                value,
                start,
                end,
            }
        })
        .collect()
}

fn byte_end(text: &str, chars: &[(usize, char)], i: usize) -> usize {
    chars.get(i).map_or(text.len(), |(b, _)| *b)
}

/// Plates: a province abbreviation, then 6 or 7 plate characters (separators `·•-` and
/// spaces allowed), checked by the plate rule.
fn plates(text: &str, chars: &[(usize, char)]) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(&(start, c)) = chars.get(i) else {
            break;
        };
        if !crate::ident::PLATE_PROVINCES.contains(&c) {
            i += 1;
            continue;
        }
        // Collect up to 7 plate characters after the province.
        let mut body = String::from(c);
        let mut j = i + 1;
        let mut ends = Vec::new();
        while j < chars.len() && body.chars().count() < 9 {
            let Some(&(_, d)) = chars.get(j) else { break };
            if matches!(d, '·' | '•' | '-' | ' ') && body.chars().count() > 1 {
                j += 1;
                continue;
            }
            let d = d.to_ascii_uppercase();
            if d.is_ascii_alphanumeric() || matches!(d, '学' | '挂' | '警') {
                body.push(d);
                j += 1;
                ends.push((body.clone(), j));
            } else {
                break;
            }
        }
        // The longest candidate the rule accepts, not followed by more plate characters.
        let hit = ends.iter().rev().find(|(b, end)| {
            let n = b.chars().count();
            (n == 7 || n == 8)
                && validate_plate("plate", b).is_ok()
                && !chars
                    .get(*end)
                    .is_some_and(|(_, c)| c.is_ascii_alphanumeric())
        });
        match hit {
            Some((b, end)) => {
                found.push((start..byte_end(text, chars, *end), b.clone()));
                i = *end;
            }
            None => i += 1,
        }
    }
    found
}

fn cn_digit(c: char) -> Option<u64> {
    "零一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u64)
        .or(match c {
            '两' => Some(2),
            '〇' => Some(0),
            _ => None,
        })
}

/// A Chinese numeral up to the 万 range (`三千五百`, `两万`, `十二`); `None` if malformed.
fn cn_number(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut section: u64 = 0;
    let mut digit: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = cn_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                section += digit.take().unwrap_or(0);
                total += section.max(1) * 10_000;
                section = 0;
                continue;
            }
            _ => return None,
        };
        section += digit.take().unwrap_or(1) * unit;
    }
    Some(total + section + digit.unwrap_or(0))
}

fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万')
}

/// Amounts: a number (digits with `,` and `.`, or a Chinese numeral) and an optional
/// 万/千 multiplier, followed by 元, 块 or 块钱; or `¥`/`￥` before digits.
fn amounts(text: &str, chars: &[(usize, char)]) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    let mut i = 0;
    let norm = |c: char| -> char {
        // Full-width digits and punctuation as ASCII.
        match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '，' => ',',
            '．' => '.',
            _ => c,
        }
    };
    while i < chars.len() {
        let Some(&(start, c0)) = chars.get(i) else {
            break;
        };
        let c = norm(c0);
        let yen = matches!(c, '¥' | '￥');
        let first = if yen { i + 1 } else { i };
        let Some(&(_, f)) = chars.get(first) else {
            break;
        };
        let f = norm(f);
        // Start only at the beginning of a number.
        let prev_is_num = i > 0
            && chars
                .get(i - 1)
                .is_some_and(|(_, p)| norm(*p).is_ascii_digit() || is_cn_numeral(*p));
        if prev_is_num || !(f.is_ascii_digit() || (!yen && is_cn_numeral(f))) {
            i += 1;
            continue;
        }
        let mut j = first;
        let mut number = String::new();
        let cn = !f.is_ascii_digit();
        while let Some(&(_, d)) = chars.get(j) {
            let d = norm(d);
            let ok = if cn {
                is_cn_numeral(d)
            } else {
                d.is_ascii_digit() || ((d == ',' || d == '.') && !number.is_empty())
            };
            if !ok {
                break;
            }
            if d != ',' {
                number.push(d);
            }
            j += 1;
        }
        let mut value: Option<f64> = if cn {
            cn_number(&number).map(|v| v as f64)
        } else {
            number.trim_end_matches('.').parse::<f64>().ok()
        };
        // 万 / 千 after digits (`1.2万元`).
        if !cn
            && let Some(&(_, m)) = chars.get(j)
            && matches!(m, '万' | '千')
        {
            value = value.map(|v| v * if m == '万' { 10_000.0 } else { 1_000.0 });
            j += 1;
        }
        let unit_len = match (chars.get(j).map(|c| c.1), chars.get(j + 1).map(|c| c.1)) {
            (Some('块'), Some('钱')) => 2,
            (Some('元' | '块'), _) => 1,
            _ => 0,
        };
        let ok = (unit_len > 0 || yen) && value.is_some_and(|v| v > 0.0 && v < 1e12);
        match (ok, value) {
            (true, Some(v)) => {
                let end = j + unit_len;
                let v = (v * 100.0).round() / 100.0;
                let s = if v.fract() == 0.0 {
                    format!("{}", v as u64)
                } else {
                    format!("{v}")
                };
                found.push((start..byte_end(text, chars, end), s));
                i = end;
            }
            _ => i = j.max(i + 1),
        }
    }
    found
}

/// Day words before a time, with the days back from the report's day.
const DAY_WORDS: [(&str, i64); 5] = [
    ("前天", 2),
    ("昨天", 1),
    ("昨晚", 1),
    ("今天", 0),
    ("今晚", 0),
];
/// Parts of the day: whether an hour below 12 is in the afternoon or evening.
const PART_WORDS: [(&str, bool); 8] = [
    ("凌晨", false),
    ("早上", false),
    ("上午", false),
    ("中午", true),
    ("下午", true),
    ("傍晚", true),
    ("晚上", true),
    ("夜里", true),
];

fn starts_at(chars: &[(usize, char)], i: usize, w: &str) -> bool {
    w.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k).is_some_and(|(_, x)| *x == c))
}

/// Reads ASCII or full-width digits from `i`: (value, next index).
fn digits_at(chars: &[(usize, char)], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    let mut j = i;
    while j - i < max {
        let Some(&(_, c)) = chars.get(j) else { break };
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        v = v * 10 + d;
        j += 1;
    }
    (j > i).then_some((v, j))
}

/// Times: an optional date (`2026年11月20日`, `11月20日`) or day word (`昨晚`), an optional
/// part of the day (`下午`), and a clock time (`10点`, `10点半`, `10点20分`, `21:30`,
/// `10时20分`). A bare time later than the report is taken as the day before.
fn times(
    text: &str,
    chars: &[(usize, char)],
    reported_at: DateTime<Utc>,
) -> Vec<(Range<usize>, String)> {
    let report = reported_at.with_timezone(&BEIJING);
    let report_day = report.date_naive();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(&(start, _)) = chars.get(i) else {
            break;
        };
        let mut j = i;
        let mut day: Option<NaiveDate> = None;
        let mut explicit_day = false;
        // A written date.
        if let Some((a, k)) = digits_at(chars, j, 4) {
            if chars.get(k).is_some_and(|c| c.1 == '年')
                && let Some((m, k2)) = digits_at(chars, k + 1, 2)
                && chars.get(k2).is_some_and(|c| c.1 == '月')
                && let Some((d, k3)) = digits_at(chars, k2 + 1, 2)
                && chars.get(k3).is_some_and(|c| matches!(c.1, '日' | '号'))
            {
                day = NaiveDate::from_ymd_opt(a as i32, m, d);
                j = k3 + 1;
            } else if chars.get(k).is_some_and(|c| c.1 == '月')
                && let Some((d, k2)) = digits_at(chars, k + 1, 2)
                && chars.get(k2).is_some_and(|c| matches!(c.1, '日' | '号'))
            {
                use chrono::Datelike;
                day = NaiveDate::from_ymd_opt(report_day.year(), a, d).map(|d| {
                    if d > report_day {
                        d.with_year(d.year() - 1).unwrap_or(d)
                    } else {
                        d
                    }
                });
                j = k2 + 1;
            }
            explicit_day = day.is_some();
        }
        let mut back_days: Option<i64> = None;
        if !explicit_day {
            for (w, back) in DAY_WORDS {
                if starts_at(chars, j, w) {
                    back_days = Some(back);
                    j += w.chars().count();
                    break;
                }
            }
        }
        let evening_word = matches!(chars.get(j.saturating_sub(1)).map(|c| c.1), Some('晚'))
            && back_days.is_some();
        let mut pm: Option<bool> = evening_word.then_some(true);
        for (w, is_pm) in PART_WORDS {
            if starts_at(chars, j, w) {
                pm = Some(is_pm);
                j += w.chars().count();
                break;
            }
        }
        let Some((h, k)) = digits_at(chars, j, 2) else {
            i += 1;
            continue;
        };
        // The hour must not continue a longer number.
        if i == j && i > 0 && chars.get(i - 1).is_some_and(|c| c.1.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let (minute, end) = match chars.get(k).map(|c| c.1) {
            Some(':' | '：') => match digits_at(chars, k + 1, 2) {
                Some((m, e)) if e - (k + 1) == 2 => (Some(m), e),
                _ => (None, k),
            },
            Some('点' | '时') => {
                match (chars.get(k + 1).map(|c| c.1), digits_at(chars, k + 1, 2)) {
                    (Some('半'), _) => (Some(30), k + 2),
                    (_, Some((m, e))) if chars.get(e).is_some_and(|c| c.1 == '分') => {
                        (Some(m), e + 1)
                    }
                    _ => (Some(0), k + 1),
                }
            }
            _ => (None, k),
        };
        let Some(minute) = minute else {
            i += 1;
            continue;
        };
        if h > 24 || minute > 59 {
            i = end;
            continue;
        }
        let hour = match pm {
            Some(true) if h < 12 => h + 12,
            Some(false) if h == 12 => 0,
            _ => h,
        } % 24;
        let Some(clock) = NaiveTime::from_hms_opt(hour, minute, 0) else {
            i = end;
            continue;
        };
        let date = match (day, back_days) {
            (Some(d), _) => d,
            (None, Some(b)) => report_day - Duration::days(b),
            (None, None) => {
                // A bare time after the report is the day before's.
                if clock > report.time() + Duration::minutes(5) {
                    report_day - Duration::days(1)
                } else {
                    report_day
                }
            }
        };
        if let Some(t) = BEIJING.from_local_datetime(&date.and_time(clock)).single()
            && t <= report + Duration::minutes(5)
        {
            found.push((start..byte_end(text, chars, end), t.to_rfc3339()));
        }
        i = end.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        // 2026-11-22 10:00 Beijing.
        DateTime::parse_from_rfc3339("2026-11-22T02:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn kinds(s: &str) -> Vec<(ElementKind, String)> {
        extract(s, at())
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    #[test]
    fn phones_ids_plates_amounts_and_times() {
        let s = "报警人称昨晚10点半在人民路被盗电动车一辆（价值3,000元），嫌疑人驾驶皖A·12345逃离，联系电话139 1234 5678，身份证11010519491231002X。";
        assert_eq!(
            kinds(s),
            [
                (ElementKind::Time, "2026-11-21T22:30:00+08:00".to_string()),
                (ElementKind::Amount, "3000".to_string()),
                (ElementKind::Plate, "皖A12345".to_string()),
                (ElementKind::Phone, "13912345678".to_string()),
                (ElementKind::IdNumber, "11010519491231002X".to_string()),
            ]
        );
        let e = extract(s, at());
        // Offsets are in characters.
        let chars: Vec<char> = s.chars().collect();
        let t: String = chars[e[0].start..e[0].end].iter().collect();
        assert_eq!(t, e[0].text);
        assert_eq!(e[0].text, "昨晚10点半");
    }

    #[test]
    fn a_wrong_check_character_is_not_offered() {
        assert!(kinds("身份证110105194912310021").is_empty());
    }

    #[test]
    fn amounts_in_their_usual_forms() {
        assert_eq!(kinds("被骗1.2万元")[0].1, "12000");
        assert_eq!(kinds("手机价值三千五百元")[0].1, "3500");
        assert_eq!(kinds("欠款两万块钱")[0].1, "20000");
        assert_eq!(kinds("转账￥800")[0].1, "800");
        assert_eq!(kinds("价值２５０元")[0].1, "250");
        // A number without a currency is not an amount.
        assert!(kinds("3楼502室").is_empty());
    }

    #[test]
    fn times_take_their_day_from_the_words_and_the_report() {
        assert_eq!(kinds("今天上午9点20分")[0].1, "2026-11-22T09:20:00+08:00");
        assert_eq!(kinds("前天下午3点")[0].1, "2026-11-20T15:00:00+08:00");
        // Later than the report and no day word: the day before.
        assert_eq!(kinds("约21:30发现")[0].1, "2026-11-21T21:30:00+08:00");
        assert_eq!(kinds("11月20日8时")[0].1, "2026-11-20T08:00:00+08:00");
        assert_eq!(
            kinds("2026年11月19日晚上8点")[0].1,
            "2026-11-19T20:00:00+08:00"
        );
        // Not times: a room number, 25 o'clock.
        assert!(kinds("25点").is_empty());
    }

    #[test]
    fn plates_must_pass_the_plate_rule() {
        assert_eq!(kinds("车牌京AD12345")[0].1, "京AD12345");
        assert!(kinds("京I12345").is_empty(), "I is not a plate letter");
        assert!(kinds("京A1234").is_empty(), "too short");
    }

    #[test]
    fn any_text_is_safe() {
        for s in [
            "",
            "元",
            "¥",
            "万元",
            "点",
            "12:",
            "昨晚",
            "京",
            "十万万元",
            "9999999999999元",
        ] {
            let _ = extract(s, at());
        }
    }
}

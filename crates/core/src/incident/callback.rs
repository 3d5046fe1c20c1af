//! Callbacks (回访) and repeat incidents (重复警情): which closed incidents are called
//! back, what a callback records, and when an incident repeats an earlier one. The
//! rules are data (`data/callback-rules.toml`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::category::CategoryTree;
use crate::error::FieldError;

pub const BUILTIN_TOML: &str = include_str!("../../../../data/callback-rules.toml");
pub const COMMENT_MAX: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    callback: CallbackFile,
    repeat: RepeatFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallbackFile {
    required: Vec<String>,
    max_attempts: u32,
    retry_after_hours: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RepeatFile {
    window_days: u32,
    address_min_chars: u32,
}

/// Which incidents are called back and how an unreachable caller is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRules {
    required: Vec<String>,
    pub max_attempts: u32,
    pub retry_after: Duration,
}

/// When an incident repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatRules {
    pub window: Duration,
    address_min_chars: usize,
}

/// Both rule sets of the file, validated against the categories.
pub fn builtin(categories: &CategoryTree) -> Result<(CallbackRules, RepeatRules), String> {
    from_toml(BUILTIN_TOML, categories)
}

pub fn from_toml(
    s: &str,
    categories: &CategoryTree,
) -> Result<(CallbackRules, RepeatRules), String> {
    let f: File = toml::from_str(s).map_err(|e| e.to_string())?;
    for c in &f.callback.required {
        if categories.get(c).is_none() {
            return Err(format!("callback.required: unknown category {c:?}"));
        }
    }
    if !(1..=10).contains(&f.callback.max_attempts) {
        return Err("callback.max_attempts: must be 1 to 10".into());
    }
    if !(1..=72).contains(&f.callback.retry_after_hours) {
        return Err("callback.retry_after_hours: must be 1 to 72".into());
    }
    if !(1..=365).contains(&f.repeat.window_days) {
        return Err("repeat.window_days: must be 1 to 365".into());
    }
    if !(2..=50).contains(&f.repeat.address_min_chars) {
        return Err("repeat.address_min_chars: must be 2 to 50".into());
    }
    Ok((
        CallbackRules {
            required: f.callback.required,
            max_attempts: f.callback.max_attempts,
            retry_after: Duration::hours(f.callback.retry_after_hours.into()),
        },
        RepeatRules {
            window: Duration::days(f.repeat.window_days.into()),
            address_min_chars: f.repeat.address_min_chars as usize,
        },
    ))
}

impl CallbackRules {
    /// Whether a closed incident of this category is called back.
    pub fn requires(&self, category: &str) -> bool {
        self.required.iter().any(|u| {
            category == u
                || (category.len() > u.len()
                    && category.starts_with(u.as_str())
                    && category.as_bytes().get(u.len()) == Some(&b'.'))
        })
    }

    /// Where the callback stands after one more attempt (`attempts` counts it).
    pub fn after_attempt(&self, attempts: u32, reached: bool) -> CallbackStatus {
        if reached {
            CallbackStatus::Done
        } else if attempts >= self.max_attempts {
            CallbackStatus::Unreachable
        } else {
            CallbackStatus::Due
        }
    }
}

/// The callback state of an incident (`incidents.callback_status`); none when no
/// callback is required (or not yet: the incident is not closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    /// In the queue: closed, not yet reached.
    Due,
    /// The caller was reached and answered.
    Done,
    /// Not reached after the last allowed attempt.
    Unreachable,
}

impl CallbackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackStatus::Due => "due",
            CallbackStatus::Done => "done",
            CallbackStatus::Unreachable => "unreachable",
        }
    }
    pub fn parse(s: &str) -> Option<CallbackStatus> {
        [
            CallbackStatus::Due,
            CallbackStatus::Done,
            CallbackStatus::Unreachable,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            CallbackStatus::Due => "待回访",
            CallbackStatus::Done => "已回访",
            CallbackStatus::Unreachable => "未能联系",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            CallbackStatus::Due => "Callback due",
            CallbackStatus::Done => "Called back",
            CallbackStatus::Unreachable => "Unreachable",
        }
    }
}

/// The caller's answer (满意度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }
    pub fn parse(s: &str) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "Satisfied",
            Satisfaction::BasicallySatisfied => "Basically satisfied",
            Satisfaction::Dissatisfied => "Dissatisfied",
        }
    }
}

/// One callback attempt after every field rule has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCallback {
    pub reached: bool,
    /// Present exactly when reached.
    pub satisfaction: Option<Satisfaction>,
    pub comment: String,
}

/// The field rules of a callback attempt: a reached caller gives an answer, an
/// unreached one none; a dissatisfied answer says why.
pub fn check_callback(
    reached: Option<bool>,
    satisfaction: Option<&str>,
    comment: Option<&str>,
) -> Result<ValidCallback, Vec<FieldError>> {
    let mut errs = Vec::new();
    let comment = comment.unwrap_or("").to_string();
    if comment.chars().count() > COMMENT_MAX {
        errs.push(FieldError::too_long("comment", COMMENT_MAX));
    }
    let sat = match satisfaction {
        None => None,
        Some(s) => match Satisfaction::parse(s) {
            Some(v) => Some(v),
            None => {
                errs.push(FieldError::new(
                    "satisfaction",
                    "satisfaction.unknown",
                    "满意度应为：满意、基本满意或不满意",
                    "Satisfaction must be satisfied, basically_satisfied or dissatisfied",
                ));
                None
            }
        },
    };
    let Some(reached) = reached else {
        errs.push(FieldError::required("reached"));
        return Err(errs);
    };
    if reached && sat.is_none() && satisfaction.is_none() {
        errs.push(FieldError::new(
            "satisfaction",
            "satisfaction.required",
            "已联系上报警人，请记录满意度",
            "The caller was reached: record the satisfaction",
        ));
    }
    if !reached && satisfaction.is_some() {
        errs.push(FieldError::new(
            "satisfaction",
            "satisfaction.not_reached",
            "未联系上报警人，不能记录满意度",
            "The caller was not reached: no satisfaction can be recorded",
        ));
    }
    if sat == Some(Satisfaction::Dissatisfied) && comment.chars().count() < 2 {
        errs.push(FieldError::new(
            "comment",
            "comment.required_when_dissatisfied",
            "报警人不满意时，请记录不满意的原因",
            "Record why the caller is dissatisfied",
        ));
    }
    if errs.is_empty() {
        Ok(ValidCallback {
            reached,
            satisfaction: sat.filter(|_| reached),
            comment,
        })
    } else {
        Err(errs)
    }
}

/// The key two addresses are compared by: compatibility-normalised (full-width digits
/// and letters become ASCII), lower case, without spaces, punctuation or symbols.
/// `None` when too short to tell one place from another.
pub fn address_key(address: &str, rules: &RepeatRules) -> Option<String> {
    let key: String = address
        .nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (key.chars().count() >= rules.address_min_chars).then_some(key)
}

/// Why an incident is a repeat of an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RepeatBasis {
    Address,
    Phone,
    Both,
}

impl RepeatBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RepeatBasis::Address => "address",
            RepeatBasis::Phone => "phone",
            RepeatBasis::Both => "both",
        }
    }
    pub fn parse(s: &str) -> Option<RepeatBasis> {
        [RepeatBasis::Address, RepeatBasis::Phone, RepeatBasis::Both]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
    pub fn of(same_address: bool, same_phone: bool) -> Option<RepeatBasis> {
        match (same_address, same_phone) {
            (true, true) => Some(RepeatBasis::Both),
            (true, false) => Some(RepeatBasis::Address),
            (false, true) => Some(RepeatBasis::Phone),
            (false, false) => None,
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            RepeatBasis::Address => "同一地址",
            RepeatBasis::Phone => "同一报警电话",
            RepeatBasis::Both => "同一地址和报警电话",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            RepeatBasis::Address => "Same address",
            RepeatBasis::Phone => "Same caller phone",
            RepeatBasis::Both => "Same address and caller phone",
        }
    }
}

/// The most earlier incidents one repeat links to (the newest ones).
pub const REPEAT_LINKS_MAX: usize = 5;

impl RepeatRules {
    /// The earliest report time an earlier incident may have to make this one a repeat.
    pub fn since(&self, reported_at: DateTime<Utc>) -> DateTime<Utc> {
        reported_at - self.window
    }
}

/// The day a daily review covers, and the days it compares with: the same weekday a week
/// before, and the same date a year before (29 February compares with 28 February).
pub fn comparison_days(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let week = day - Duration::days(7);
    let year = day
        .with_year(day.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, day.month(), 28))
        .unwrap_or(week);
    (week, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> (CallbackRules, RepeatRules) {
        builtin(&CategoryTree::builtin().unwrap()).unwrap()
    }

    #[test]
    fn required_categories_by_leaf_or_root() {
        let (c, _) = rules();
        assert!(c.requires("criminal.theft"));
        assert!(c.requires("dispute.neighbour"));
        assert!(c.requires("traffic.accident_injury"));
        assert!(!c.requires("traffic.congestion"));
        assert!(!c.requires("other.consultation"));
        assert!(!c.requires("other.misdial"));
        assert!(!c.requires("criminalx.theft"));
    }

    #[test]
    fn attempts_until_unreachable() {
        let (c, _) = rules();
        assert_eq!(c.after_attempt(1, false), CallbackStatus::Due);
        assert_eq!(c.after_attempt(2, false), CallbackStatus::Due);
        assert_eq!(c.after_attempt(3, false), CallbackStatus::Unreachable);
        assert_eq!(c.after_attempt(3, true), CallbackStatus::Done);
    }

    #[test]
    fn callback_field_rules() {
        let ok = check_callback(Some(true), Some("satisfied"), None).unwrap();
        assert_eq!(ok.satisfaction, Some(Satisfaction::Satisfied));
        let not = check_callback(Some(false), None, Some("关机")).unwrap();
        assert_eq!(not.satisfaction, None);
        let codes = |r: Result<ValidCallback, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(check_callback(Some(true), None, None)),
            ["satisfaction.required"]
        );
        assert_eq!(
            codes(check_callback(Some(false), Some("satisfied"), None)),
            ["satisfaction.not_reached"]
        );
        assert_eq!(
            codes(check_callback(Some(true), Some("dissatisfied"), Some(" "))),
            ["comment.required_when_dissatisfied"]
        );
        assert_eq!(
            codes(check_callback(Some(true), Some("meh"), None)),
            ["satisfaction.unknown"]
        );
        assert_eq!(codes(check_callback(None, None, None)), ["required"]);
        let long = "长".repeat(COMMENT_MAX + 1);
        assert_eq!(
            codes(check_callback(Some(false), None, Some(&long))),
            ["too_long"]
        );
    }

    #[test]
    fn address_keys_ignore_width_spaces_and_punctuation() {
        let (_, r) = rules();
        let a = address_key("城关镇 幸福路１２号（幸福小区）3-2-501", &r).unwrap();
        let b = address_key("城关镇幸福路12号幸福小区3 2 501", &r).unwrap();
        assert_eq!(a, b);
        assert_ne!(
            a,
            address_key("城关镇幸福路12号幸福小区3-2-502", &r).unwrap()
        );
        // A bare town name is too general to compare.
        assert_eq!(address_key("城关镇", &r), None);
        assert_eq!(address_key("  ，。 ", &r), None);
    }

    #[test]
    fn comparison_days_of_a_review() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            comparison_days(d("2026-11-30")),
            (d("2026-11-23"), d("2025-11-30"))
        );
        assert_eq!(
            comparison_days(d("2028-02-29")),
            (d("2028-02-22"), d("2027-02-28"))
        );
    }

    #[test]
    fn refused_files_name_the_entry() {
        let cats = CategoryTree::builtin().unwrap();
        let bad = BUILTIN_TOML.replace("\"fire\",", "\"fire\", \"nope\",");
        assert!(from_toml(&bad, &cats).unwrap_err().contains("nope"));
        let bad = BUILTIN_TOML.replace("window_days = 30", "window_days = 0");
        assert!(from_toml(&bad, &cats).unwrap_err().contains("window_days"));
    }
}

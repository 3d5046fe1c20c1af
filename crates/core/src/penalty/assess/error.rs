//! Why the engine refuses an input: the field at fault, a stable code and, where the
//! engine words the reason itself, the reason in Chinese and English apart.

use std::fmt;

/// A reason in both languages. It displays as `english / 中文`, the form the messages
/// have always had.
#[derive(Clone, PartialEq, Eq)]
pub struct Reason {
    en: String,
    zh: String,
    joined: String,
}

impl Reason {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Reason {
        let (en, zh) = (en.into(), zh.into());
        let joined = format!("{en} / {zh}");
        Reason { en, zh, joined }
    }

    pub fn en(&self) -> &str {
        &self.en
    }

    pub fn zh(&self) -> &str {
        &self.zh
    }

    /// `english / 中文`.
    pub fn as_str(&self) -> &str {
        &self.joined
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.joined)
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.joined, f)
    }
}

/// Input the engine refuses; the CLI exits 2, the API answers 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error(
        "unknown violation {0:?}: not an article or code of the 2025 catalog (see `frontline penalty catalog`) / 未知的违法行为代码"
    )]
    UnknownViolation(String),
    #[error("violation {violation} has no item {item} / 该条没有第{item}项")]
    UnknownItem { violation: String, item: u8 },
    #[error(
        "violation {violation}: give the item, the 2012 law treats its items differently / 请注明项"
    )]
    ItemRequired { violation: String },
    #[error("violation {violation} cannot be assessed here: {reason}")]
    NotAssessable { violation: String, reason: Reason },
    #[error("violation {violation} has no {tier} tier / 该行为没有此处罚档次")]
    UnknownTier {
        violation: String,
        tier: &'static str,
    },
    #[error("unknown situation {0:?} for this violation and tier / 未知的违法情形")]
    UnknownSituation(String),
    #[error("unknown circumstance {0:?} / 未知的情节")]
    UnknownCircumstance(String),
    #[error(
        "circumstance {circumstance:?} does not apply to violation {violation} / 该情节不适用于此行为"
    )]
    CircumstanceNotApplicable {
        circumstance: String,
        violation: String,
    },
    #[error("{message}")]
    InvalidInput {
        field: &'static str,
        message: Reason,
    },
}

impl AssessError {
    /// The input field at fault (for field-level errors in the API and the form).
    pub fn field(&self) -> &'static str {
        match self {
            AssessError::UnknownViolation(_) | AssessError::NotAssessable { .. } => "article",
            AssessError::UnknownItem { .. } | AssessError::ItemRequired { .. } => "item",
            AssessError::UnknownTier { .. } => "tier",
            AssessError::UnknownSituation(_) => "situation",
            AssessError::UnknownCircumstance(_) | AssessError::CircumstanceNotApplicable { .. } => {
                "circumstances"
            }
            AssessError::InvalidInput { field, .. } => field,
        }
    }

    /// The reason in both languages, for the refusals that carry one.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            AssessError::NotAssessable { reason, .. } => Some(reason),
            AssessError::InvalidInput { message, .. } => Some(message),
            _ => None,
        }
    }

    /// A stable error code clients may switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AssessError::UnknownViolation(_) => "unknown_violation",
            AssessError::UnknownItem { .. } => "unknown_item",
            AssessError::ItemRequired { .. } => "item_required",
            AssessError::NotAssessable { .. } => "not_assessable",
            AssessError::UnknownTier { .. } => "unknown_tier",
            AssessError::UnknownSituation(_) => "unknown_situation",
            AssessError::UnknownCircumstance(_) => "unknown_circumstance",
            AssessError::CircumstanceNotApplicable { .. } => "circumstance_not_applicable",
            AssessError::InvalidInput { .. } => "invalid_date",
        }
    }
}

//! Cases (案件): criminal and administrative cases with their lifecycle, parties,
//! numbering, query codes and the deadlines their steps start and meet.

pub mod attachment;
pub mod decision;
pub mod escalation;
pub mod lifecycle;
pub mod measure;
pub mod public;
pub mod target;
pub mod workflow;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::FieldError;
pub use lifecycle::{CaseKind, Outcome, Status, Step};

pub const TITLE_MAX: usize = 100;
pub const SUMMARY_MAX: usize = 4000;
pub const NOTE_MAX: usize = 2000;
pub const PARTY_NAME_MAX: usize = 50;
pub const PARTIES_MAX: usize = 30;
pub const OFFICERS_MAX: usize = 10;

/// A party's place in the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 违法犯罪嫌疑人.
    Suspect,
    /// 被害人/受害人.
    Victim,
    /// 报案人.
    Reporter,
    /// 证人.
    Witness,
}

impl PartyRole {
    pub const ALL: [PartyRole; 4] = [
        PartyRole::Suspect,
        PartyRole::Victim,
        PartyRole::Reporter,
        PartyRole::Witness,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Suspect => "suspect",
            PartyRole::Victim => "victim",
            PartyRole::Reporter => "reporter",
            PartyRole::Witness => "witness",
        }
    }

    pub fn parse(s: &str) -> Option<PartyRole> {
        PartyRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PartyRole::Suspect => "嫌疑人",
            PartyRole::Victim => "被害人",
            PartyRole::Reporter => "报案人",
            PartyRole::Witness => "证人",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            PartyRole::Suspect => "Suspect",
            PartyRole::Victim => "Victim",
            PartyRole::Reporter => "Reporter",
            PartyRole::Witness => "Witness",
        }
    }

    /// Whether updates on the case may be sent to this party (who consented).
    pub fn may_receive_updates(self) -> bool {
        matches!(self, PartyRole::Victim | PartyRole::Reporter)
    }
}

/// A case number per unit, kind and year: `S01-2026-XS00012` (刑事) or
/// `S01-2026-XZ00012` (行政).
pub fn format_number(unit_code: &str, kind: CaseKind, year: i32, seq: i64) -> String {
    let k = match kind {
        CaseKind::Criminal => "XS",
        CaseKind::Administrative => "XZ",
    };
    format!("{unit_code}-{year}-{k}{seq:05}")
}

/// The counter a case number is drawn from (one per unit, kind and year).
pub fn counter_kind(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Criminal => "case_criminal",
        CaseKind::Administrative => "case_administrative",
    }
}

/// The query code's alphabet: no 0/O, 1/I/L, so that it reads back from paper.
pub const QUERY_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const QUERY_CODE_LEN: usize = 10;

/// A query code (查询码) from random bytes, unbiased: a byte at or above the largest
/// multiple of the alphabet's size is skipped (~49 bits in 10 characters). `None` when
/// the bytes run out first (give 32: that happens about once in 10^30).
pub fn query_code(random: &[u8]) -> Option<String> {
    let n = QUERY_CODE_ALPHABET.len();
    let limit = 256 - 256 % n;
    let code: String = random
        .iter()
        .map(|b| usize::from(*b))
        .filter(|b| *b < limit)
        .take(QUERY_CODE_LEN)
        .filter_map(|b| QUERY_CODE_ALPHABET.get(b % n).map(|c| char::from(*c)))
        .collect();
    (code.len() == QUERY_CODE_LEN).then_some(code)
}

/// The code as typed by a member of the public: spaces and dashes dropped, upper case;
/// `None` when it cannot be a query code.
pub fn normalise_query_code(s: &str) -> Option<String> {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == QUERY_CODE_LEN && c.bytes().all(|b| QUERY_CODE_ALPHABET.contains(&b))).then_some(c)
}

/// The state of a deadline row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Running, its first reminder not yet reached.
    Running,
    /// Running and past its first reminder (临期).
    DueSoon,
    /// Running and past its due instant (超期).
    Overdue,
    /// Met by the step that ends it.
    Met,
    /// Ended without being met (the case was closed, the measure lifted).
    Cancelled,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Running => "running",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Overdue => "overdue",
            DeadlineState::Met => "met",
            DeadlineState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<DeadlineState> {
        [
            DeadlineState::Running,
            DeadlineState::DueSoon,
            DeadlineState::Overdue,
            DeadlineState::Met,
            DeadlineState::Cancelled,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// A running deadline's state at `now`.
    pub fn of_running(now: DateTime<Utc>, warn_at: DateTime<Utc>, due_at: DateTime<Utc>) -> Self {
        if now >= due_at {
            DeadlineState::Overdue
        } else if now >= warn_at {
            DeadlineState::DueSoon
        } else {
            DeadlineState::Running
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DeadlineState::Running => "计时中",
            DeadlineState::DueSoon => "临期",
            DeadlineState::Overdue => "超期",
            DeadlineState::Met => "已按期完成",
            DeadlineState::Cancelled => "已终止",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            DeadlineState::Running => "Running",
            DeadlineState::DueSoon => "Due soon",
            DeadlineState::Overdue => "Overdue",
            DeadlineState::Met => "Met",
            DeadlineState::Cancelled => "Ended",
        }
    }
}

pub fn title(v: Option<&str>) -> Result<String, FieldError> {
    crate::incident::required_text("title", v, TITLE_MAX)
}

pub fn summary(v: Option<&str>) -> Result<String, FieldError> {
    crate::incident::required_text("summary", v, SUMMARY_MAX)
}

/// A party's ID number: valid check digit and birth date, or absent.
pub fn party_id_number(
    field: &str,
    v: Option<&str>,
    today: NaiveDate,
) -> Result<Option<String>, FieldError> {
    v.map(|s| crate::ident::validate_id_number(field, s, today))
        .transpose()
}

pub fn party_phone(field: &str, v: Option<&str>) -> Result<Option<String>, FieldError> {
    v.map(|s| crate::ident::validate_phone(field, s))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_kind() {
        assert_eq!(
            format_number("S01", CaseKind::Criminal, 2026, 12),
            "S01-2026-XS00012"
        );
        assert_eq!(
            format_number("S01", CaseKind::Administrative, 2026, 123_456),
            "S01-2026-XZ123456"
        );
    }

    #[test]
    fn query_codes_read_back() {
        assert_eq!(
            query_code(&[255; 40]),
            None,
            "every byte above the limit is skipped"
        );
        let c = query_code(&[0, 1, 2, 30, 31, 255, 7, 8, 9, 10, 11]).expect("enough bytes");
        assert_eq!(c.len(), QUERY_CODE_LEN);
        assert!(!c.contains('2') || c.starts_with('2'), "{c}");
        assert_eq!(normalise_query_code(&c.to_lowercase()), Some(c.clone()));
        let spaced = format!("{} {}-{}", &c[..3], &c[3..6], &c[6..]);
        assert_eq!(normalise_query_code(&spaced), Some(c));
        assert_eq!(
            normalise_query_code("ABCDEFGHJ0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalise_query_code("ABC"), None);
    }

    #[test]
    fn running_deadline_states() {
        let t = |h: i64| DateTime::UNIX_EPOCH + chrono::TimeDelta::hours(h);
        assert_eq!(
            DeadlineState::of_running(t(1), t(10), t(20)),
            DeadlineState::Running
        );
        assert_eq!(
            DeadlineState::of_running(t(10), t(10), t(20)),
            DeadlineState::DueSoon
        );
        assert_eq!(
            DeadlineState::of_running(t(20), t(10), t(20)),
            DeadlineState::Overdue
        );
    }
}

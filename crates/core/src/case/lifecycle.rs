//! The case lifecycles (案件流转): which step may follow which, and who may take it.
//!
//! Criminal (刑事): `accepted → filed | declined`; `filed → investigating → solved →
//! referred` (移送审查起诉); `withdrawn` (撤销案件) from investigating or solved;
//! `declined`, `referred` and `withdrawn` are closed afterwards.
//!
//! Administrative (治安/行政): `accepted → investigating → decided` (a penalty or none)
//! `→ executed → closed`; a decision without a penalty is closed directly.

use crate::authz::Action;
use crate::error::FieldError;

pub use crate::period::CaseKind;

pub fn kind_str(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Criminal => "criminal",
        CaseKind::Administrative => "administrative",
    }
}

pub fn parse_kind(s: &str) -> Option<CaseKind> {
    match s {
        "criminal" => Some(CaseKind::Criminal),
        "administrative" => Some(CaseKind::Administrative),
        _ => None,
    }
}

pub fn kind_name_zh(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Criminal => "刑事案件",
        CaseKind::Administrative => "行政案件",
    }
}

pub fn kind_name_en(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Criminal => "Criminal case",
        CaseKind::Administrative => "Administrative case",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseStatus))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Accepted,
    Filed,
    Declined,
    Investigating,
    Solved,
    Referred,
    Withdrawn,
    Decided,
    Executed,
    Closed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Accepted,
        Status::Filed,
        Status::Declined,
        Status::Investigating,
        Status::Solved,
        Status::Referred,
        Status::Withdrawn,
        Status::Decided,
        Status::Executed,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Filed => "filed",
            Status::Declined => "declined",
            Status::Investigating => "investigating",
            Status::Solved => "solved",
            Status::Referred => "referred",
            Status::Withdrawn => "withdrawn",
            Status::Decided => "decided",
            Status::Executed => "executed",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The states a case of `kind` can be in (the list filter offers these).
    pub fn of_kind(kind: CaseKind) -> &'static [Status] {
        match kind {
            CaseKind::Criminal => &[
                Status::Accepted,
                Status::Filed,
                Status::Declined,
                Status::Investigating,
                Status::Solved,
                Status::Referred,
                Status::Withdrawn,
                Status::Closed,
            ],
            CaseKind::Administrative => &[
                Status::Accepted,
                Status::Investigating,
                Status::Decided,
                Status::Executed,
                Status::Closed,
            ],
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Closed
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Status::Accepted => "已受案",
            Status::Filed => "已立案",
            Status::Declined => "不予立案",
            Status::Investigating => "侦查/调查中",
            Status::Solved => "已破案",
            Status::Referred => "已移送起诉",
            Status::Withdrawn => "已撤案",
            Status::Decided => "已决定",
            Status::Executed => "已执行",
            Status::Closed => "已结案",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Status::Accepted => "Accepted",
            Status::Filed => "Filed",
            Status::Declined => "Not filed",
            Status::Investigating => "Under investigation",
            Status::Solved => "Solved",
            Status::Referred => "Referred for prosecution",
            Status::Withdrawn => "Withdrawn",
            Status::Decided => "Decided",
            Status::Executed => "Executed",
            Status::Closed => "Closed",
        }
    }
}

/// The outcome of an administrative case's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseOutcome))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 给予处罚.
    Penalty,
    /// 不予处罚.
    Exempt,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Penalty => "penalty",
            Outcome::Exempt => "exempt",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "penalty" => Some(Outcome::Penalty),
            "exempt" => Some(Outcome::Exempt),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Outcome::Penalty => "给予处罚",
            Outcome::Exempt => "不予处罚",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Outcome::Penalty => "Penalty",
            Outcome::Exempt => "No penalty",
        }
    }
}

/// A step on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseStep))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 立案.
    File,
    /// 不予立案.
    Decline,
    /// 开始侦查/调查.
    Investigate,
    /// 破案.
    Solve,
    /// 移送审查起诉.
    Refer,
    /// 撤销案件.
    Withdraw,
    /// 作出决定 (处罚 / 不予处罚).
    Decide,
    /// 执行完毕.
    Execute,
    /// 结案.
    Close,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::File,
        Step::Decline,
        Step::Investigate,
        Step::Solve,
        Step::Refer,
        Step::Withdraw,
        Step::Decide,
        Step::Execute,
        Step::Close,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::File => "file",
            Step::Decline => "decline",
            Step::Investigate => "investigate",
            Step::Solve => "solve",
            Step::Refer => "refer",
            Step::Withdraw => "withdraw",
            Step::Decide => "decide",
            Step::Execute => "execute",
            Step::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The permission this step needs on the case's unit: the officer works the case,
    /// the unit's leader approves what the law puts in the leader's hands.
    pub fn action(self) -> Action {
        match self {
            Step::Investigate | Step::Solve | Step::Execute => Action::CaseHandle,
            Step::File
            | Step::Decline
            | Step::Refer
            | Step::Withdraw
            | Step::Decide
            | Step::Close => Action::CaseApprove,
        }
    }

    /// Where the step leads from `from` for a case of `kind` (and, for closing an
    /// administrative case, its decision's outcome), or `None` when not allowed.
    pub fn next(self, kind: CaseKind, from: Status, outcome: Option<Outcome>) -> Option<Status> {
        use Status::*;
        match kind {
            CaseKind::Criminal => match (self, from) {
                (Step::File, Accepted) => Some(Filed),
                (Step::Decline, Accepted) => Some(Declined),
                (Step::Investigate, Filed) => Some(Investigating),
                (Step::Solve, Investigating) => Some(Solved),
                (Step::Refer, Solved) => Some(Referred),
                (Step::Withdraw, Investigating | Solved) => Some(Withdrawn),
                (Step::Close, Declined | Referred | Withdrawn) => Some(Closed),
                _ => None,
            },
            CaseKind::Administrative => match (self, from) {
                (Step::Investigate, Accepted) => Some(Investigating),
                (Step::Decide, Investigating) => Some(Decided),
                (Step::Execute, Decided) if outcome == Some(Outcome::Penalty) => Some(Executed),
                (Step::Close, Executed) => Some(Closed),
                (Step::Close, Decided) if outcome == Some(Outcome::Exempt) => Some(Closed),
                _ => None,
            },
        }
    }

    /// The steps allowed from `from` (what the case page offers).
    pub fn allowed_from(
        kind: CaseKind,
        from: Status,
        outcome: Option<Outcome>,
    ) -> impl Iterator<Item = Step> {
        Step::ALL
            .into_iter()
            .filter(move |s| s.next(kind, from, outcome).is_some())
    }

    /// Whether the step must carry a note (the reasons of a refusal or withdrawal, the
    /// decision's content).
    pub fn note_required(self) -> bool {
        matches!(self, Step::Decline | Step::Withdraw | Step::Decide)
    }

    /// Whether the public hears of this step (受案、立案/不立案、破案、移送、结案).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Step::File | Step::Decline | Step::Solve | Step::Refer | Step::Close
        )
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Step::File => "立案",
            Step::Decline => "不予立案",
            Step::Investigate => "开始侦查/调查",
            Step::Solve => "破案",
            Step::Refer => "移送审查起诉",
            Step::Withdraw => "撤销案件",
            Step::Decide => "作出决定",
            Step::Execute => "执行完毕",
            Step::Close => "结案",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Step::File => "File the case",
            Step::Decline => "Decline to file",
            Step::Investigate => "Start the investigation",
            Step::Solve => "Record as solved",
            Step::Refer => "Refer for prosecution",
            Step::Withdraw => "Withdraw the case",
            Step::Decide => "Decide",
            Step::Execute => "Record as executed",
            Step::Close => "Close the case",
        }
    }
}

/// The 409 problem of a step the state does not allow.
pub fn not_allowed(step: Step, from: Status) -> FieldError {
    FieldError::new(
        "action",
        "case.transition_not_allowed",
        format!(
            "案件当前为「{}」，不能「{}」",
            from.name_zh(),
            step.name_zh()
        ),
        format!(
            "A case that is {} cannot take the step “{}”",
            from.name_en().to_lowercase(),
            step.name_en()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criminal_path_and_exits() {
        let k = CaseKind::Criminal;
        let mut s = Status::Accepted;
        for step in [
            Step::File,
            Step::Investigate,
            Step::Solve,
            Step::Refer,
            Step::Close,
        ] {
            s = step
                .next(k, s, None)
                .unwrap_or_else(|| panic!("{step:?} from {s:?}"));
        }
        assert_eq!(s, Status::Closed);
        assert_eq!(
            Step::Decline.next(k, Status::Accepted, None),
            Some(Status::Declined)
        );
        assert_eq!(
            Step::Close.next(k, Status::Declined, None),
            Some(Status::Closed)
        );
        assert_eq!(
            Step::Withdraw.next(k, Status::Investigating, None),
            Some(Status::Withdrawn)
        );
        assert_eq!(
            Step::Solve.next(k, Status::Accepted, None),
            None,
            "filing comes first"
        );
        assert_eq!(
            Step::Decide.next(k, Status::Investigating, None),
            None,
            "administrative only"
        );
        assert_eq!(Step::Close.next(k, Status::Investigating, None), None);
    }

    #[test]
    fn administrative_path_depends_on_the_outcome() {
        let k = CaseKind::Administrative;
        assert_eq!(Step::File.next(k, Status::Accepted, None), None);
        assert_eq!(
            Step::Investigate.next(k, Status::Accepted, None),
            Some(Status::Investigating)
        );
        assert_eq!(
            Step::Decide.next(k, Status::Investigating, None),
            Some(Status::Decided)
        );
        let p = Some(Outcome::Penalty);
        let n = Some(Outcome::Exempt);
        assert_eq!(
            Step::Execute.next(k, Status::Decided, p),
            Some(Status::Executed)
        );
        assert_eq!(Step::Execute.next(k, Status::Decided, n), None);
        assert_eq!(
            Step::Close.next(k, Status::Decided, n),
            Some(Status::Closed)
        );
        assert_eq!(
            Step::Close.next(k, Status::Decided, p),
            None,
            "execute first"
        );
        assert_eq!(
            Step::Close.next(k, Status::Executed, p),
            Some(Status::Closed)
        );
    }

    #[test]
    fn every_state_of_a_kind_is_reachable_and_only_closed_is_final() {
        for kind in [CaseKind::Criminal, CaseKind::Administrative] {
            for &s in Status::of_kind(kind) {
                let out: Vec<_> = [None, Some(Outcome::Penalty), Some(Outcome::Exempt)]
                    .into_iter()
                    .flat_map(|o| Step::allowed_from(kind, s, o))
                    .collect();
                assert_eq!(out.is_empty(), s == Status::Closed, "{kind:?} {s:?}");
                for step in out {
                    for o in [None, Some(Outcome::Penalty), Some(Outcome::Exempt)] {
                        if let Some(to) = step.next(kind, s, o) {
                            assert!(Status::of_kind(kind).contains(&to), "{kind:?} {to:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(parse_kind("criminal"), Some(CaseKind::Criminal));
        assert_eq!(parse_kind("civil"), None);
    }
}

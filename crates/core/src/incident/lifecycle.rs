//! The incident lifecycle (警情流转): which step may follow which, and who may take it.
//!
//! `registered → dispatched → on_scene → disposed → closed`, with two exits: `referred`
//! (a non-police matter handed to another body, e.g. the 12345 hotline) and `converted`
//! (into a case or a dispute record). A dispatched incident can be dispatched again
//! (more officers, another patrol); a closed or referred incident can be reopened, which
//! sends it back to `registered` to be dispatched anew. A call that needs no officer on
//! scene (a consultation answered on the phone, a misdial) is disposed straight from
//! `registered` (电话处置).

use crate::authz::Action;
use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    Dispatched,
    OnScene,
    Disposed,
    Closed,
    Referred,
    Converted,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Registered,
        Status::Dispatched,
        Status::OnScene,
        Status::Disposed,
        Status::Closed,
        Status::Referred,
        Status::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Dispatched => "dispatched",
            Status::OnScene => "on_scene",
            Status::Disposed => "disposed",
            Status::Closed => "closed",
            Status::Referred => "referred",
            Status::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still work for the station: shown on the live board, counted as open.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Registered | Status::Dispatched | Status::OnScene | Status::Disposed
        )
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Status::Registered => "待派警",
            Status::Dispatched => "已派警",
            Status::OnScene => "已到场",
            Status::Disposed => "已处置",
            Status::Closed => "已结警",
            Status::Referred => "已移交",
            Status::Converted => "已转案",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Status::Registered => "Awaiting dispatch",
            Status::Dispatched => "Dispatched",
            Status::OnScene => "On scene",
            Status::Disposed => "Disposed",
            Status::Closed => "Closed",
            Status::Referred => "Referred",
            Status::Converted => "Converted",
        }
    }
}

/// A step an officer takes on an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Dispatch,
    Arrive,
    Dispose,
    Close,
    Refer,
    Convert,
    Reopen,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Dispatch,
        Step::Arrive,
        Step::Dispose,
        Step::Close,
        Step::Refer,
        Step::Convert,
        Step::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Dispatch => "dispatch",
            Step::Arrive => "arrive",
            Step::Dispose => "dispose",
            Step::Close => "close",
            Step::Refer => "refer",
            Step::Convert => "convert",
            Step::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The permission this step needs on the incident's unit.
    pub fn action(self) -> Action {
        match self {
            Step::Dispatch => Action::IncidentDispatch,
            Step::Arrive | Step::Dispose => Action::IncidentHandle,
            Step::Close | Step::Refer | Step::Convert => Action::IncidentClose,
            Step::Reopen => Action::IncidentReopen,
        }
    }

    /// Where the step leads from `from`, or `None` when it is not allowed there.
    pub fn next(self, from: Status) -> Option<Status> {
        use Status::*;
        match (self, from) {
            (Step::Dispatch, Registered | Dispatched) => Some(Dispatched),
            (Step::Arrive, Dispatched) => Some(OnScene),
            (Step::Dispose, Registered | OnScene) => Some(Disposed),
            (Step::Close, Disposed) => Some(Closed),
            (Step::Refer, Registered | Dispatched | OnScene) => Some(Referred),
            (Step::Convert, OnScene | Disposed) => Some(Converted),
            (Step::Reopen, Closed | Referred) => Some(Registered),
            _ => None,
        }
    }

    /// The steps allowed from `from` (what the detail page offers).
    pub fn allowed_from(from: Status) -> impl Iterator<Item = Step> {
        Step::ALL
            .into_iter()
            .filter(move |s| s.next(from).is_some())
    }

    /// The usual next step from `from` (the page's primary button).
    pub fn main_next(from: Status) -> Option<Step> {
        match from {
            Status::Registered => Some(Step::Dispatch),
            Status::Dispatched => Some(Step::Arrive),
            Status::OnScene => Some(Step::Dispose),
            Status::Disposed => Some(Step::Close),
            Status::Closed | Status::Referred => Some(Step::Reopen),
            Status::Converted => None,
        }
    }

    /// Whether the step must carry a note (what was done, why it was reopened).
    pub fn note_required(self) -> bool {
        matches!(self, Step::Dispose | Step::Refer | Step::Reopen)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Step::Dispatch => "派警",
            Step::Arrive => "到达现场",
            Step::Dispose => "处置",
            Step::Close => "结警",
            Step::Refer => "移交",
            Step::Convert => "转案",
            Step::Reopen => "重新处理",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Step::Dispatch => "Dispatch",
            Step::Arrive => "Arrive on scene",
            Step::Dispose => "Dispose",
            Step::Close => "Close",
            Step::Refer => "Refer",
            Step::Convert => "Convert",
            Step::Reopen => "Reopen",
        }
    }
}

/// What a conversion turns the incident into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversionTarget {
    /// A criminal or administrative case (the cases capability fills in the case).
    Case,
    /// A dispute record for mediation.
    Dispute,
}

impl ConversionTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversionTarget::Case => "case",
            ConversionTarget::Dispute => "dispute",
        }
    }
    pub fn parse(s: &str) -> Option<ConversionTarget> {
        match s {
            "case" => Some(ConversionTarget::Case),
            "dispute" => Some(ConversionTarget::Dispute),
            _ => None,
        }
    }
}

/// The step is not allowed from the incident's state (409).
pub fn not_allowed(step: Step, from: Status) -> FieldError {
    FieldError::new(
        "action",
        "incident.transition_not_allowed",
        format!("警情{}，不能{}", from.name_zh(), step.name_zh()),
        format!(
            "The incident is {}; it cannot be {}",
            from.name_en().to_lowercase(),
            step.name_en().to_lowercase()
        ),
    )
}

/// The request was made against an older version of the incident (409).
pub fn stale_version() -> FieldError {
    FieldError::new(
        "version",
        "conflict.stale_version",
        "警情已被他人更新，请刷新后重试",
        "The incident was changed by someone else; reload and try again",
    )
}

pub const NOTE_MAX: usize = 1000;
pub const PATROL_MAX: usize = 50;
pub const RECEIVER_MAX: usize = 100;
/// Most officers one dispatch names.
pub const DISPATCH_OFFICERS_MAX: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_path_and_its_exits() {
        use Status::*;
        let mut s = Registered;
        for (step, to) in [
            (Step::Dispatch, Dispatched),
            (Step::Dispatch, Dispatched),
            (Step::Arrive, OnScene),
            (Step::Dispose, Disposed),
            (Step::Close, Closed),
            (Step::Reopen, Registered),
            (Step::Refer, Referred),
            (Step::Reopen, Registered),
        ] {
            assert_eq!(step.next(s), Some(to), "{step:?} from {s:?}");
            s = to;
        }
        assert_eq!(Step::Convert.next(Disposed), Some(Converted));
        assert_eq!(Step::Convert.next(OnScene), Some(Converted));
    }

    #[test]
    fn terminal_states_and_skips_are_refused() {
        use Status::*;
        // A converted incident lives on as its case: nothing follows.
        assert_eq!(Step::allowed_from(Converted).count(), 0);
        for s in Status::ALL {
            if let Some(step) = Step::main_next(s) {
                assert!(step.next(s).is_some(), "{s:?}: {step:?}");
            }
        }
        assert_eq!(Step::Arrive.next(Registered), None);
        assert_eq!(Step::Close.next(OnScene), None);
        assert_eq!(Step::Dispose.next(Dispatched), None);
        // Handled on the phone: disposed without a dispatch.
        assert_eq!(Step::Dispose.next(Registered), Some(Disposed));
        assert_eq!(Step::Dispatch.next(OnScene), None);
        assert_eq!(Step::Refer.next(Disposed), None);
        assert_eq!(Step::Reopen.next(Disposed), None);
        let e = not_allowed(Step::Close, Registered);
        assert_eq!(e.code, "incident.transition_not_allowed");
        assert!(e.zh.contains("待派警"));
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("open"), None);
        assert_eq!(Step::parse("teleport"), None);
        assert!(Status::Disposed.is_open());
        assert!(!Status::Referred.is_open());
    }
}

//! What an actor may do, for navigation and forms: the web shows a link or a choice only
//! when the answer here says so, and decides nothing about authorization itself. The use
//! cases still authorize every request on their own; this only keeps pages from offering
//! what would be refused.

use frontline_core::authz::{self, Action, Scope};
use frontline_core::org::{Actor, Role};
use serde::Serialize;

use crate::App;

/// The actions an actor's roles allow, as yes/no answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Capabilities {
    /// File incidents (接警登记).
    pub create_incidents: bool,
    /// Read incidents (in the actor's scope).
    pub read_incidents: bool,
    /// Name an owning station other than one's own at intake.
    pub choose_intake_unit: bool,
    /// Read every unit's incidents, so the list may be filtered by any station.
    pub read_all_units: bool,
    /// See a caller's phone and ID number whole (with a purpose, audited).
    pub unmask_identifiers: bool,
    /// The deadline calculator, rule catalog and holiday calendars.
    pub compute_deadlines: bool,
    /// Add or replace a year's holiday calendar.
    pub manage_calendars: bool,
    /// The penalty calculator and catalog.
    pub assess_penalties: bool,
    /// Upload and activate a discretion standard.
    pub manage_penalty_standards: bool,
    pub manage_users: bool,
    pub read_audit: bool,
    /// The callback queue (回访).
    pub call_back: bool,
    /// The live board (警情态势): the command centre for every station, a station's duty
    /// desk (desk officers and the chief) for its own.
    pub read_board: bool,
    /// The daily review board (三清点调), and marking its items.
    pub read_daily_review: bool,
    pub mark_daily_review: bool,
    /// Incident statistics (警情统计).
    pub read_statistics: bool,
    /// Disputes pushed to street offices (双推), and answering them (a street office).
    pub read_pushes: bool,
    pub answer_pushes: bool,
    /// Read cases and the deadline board (案件、期限看板).
    pub read_cases: bool,
    /// Accept cases (受案).
    pub create_cases: bool,
    /// Review penalty proposals (法制审核).
    pub review_penalties: bool,
    /// The consistency report of decided penalties (裁量一致性).
    pub read_penalty_consistency: bool,
    /// A partner's account (street office, procuratorate, court): it sees only what was
    /// pushed or transferred to its unit.
    pub partner: bool,
}

impl App {
    /// What `actor` may do (see [`Capabilities`]).
    pub fn capabilities(&self, actor: &Actor) -> Capabilities {
        let may = |a: Action| authz::scope(actor, a) != Scope::None;
        Capabilities {
            create_incidents: may(Action::IncidentCreate),
            read_incidents: may(Action::IncidentRead),
            choose_intake_unit: may(Action::IncidentAssignUnit),
            read_all_units: authz::scope(actor, Action::IncidentRead) == Scope::Bureau,
            unmask_identifiers: may(Action::IdentifierUnmask),
            compute_deadlines: may(Action::DeadlineCompute),
            manage_calendars: may(Action::CalendarManage),
            assess_penalties: may(Action::PenaltyAssess),
            manage_penalty_standards: may(Action::PenaltyStandardManage),
            manage_users: may(Action::UserManage),
            read_audit: may(Action::AuditRead),
            call_back: may(Action::IncidentCallback),
            read_board: may(Action::BoardRead),
            read_daily_review: may(Action::DailyReviewRead),
            mark_daily_review: may(Action::DailyReviewMark),
            read_statistics: may(Action::StatisticsRead),
            read_pushes: may(Action::PushRead),
            answer_pushes: may(Action::PushAnswer),
            read_cases: may(Action::CaseRead),
            review_penalties: may(Action::PenaltyReview),
            read_penalty_consistency: may(Action::PenaltyConsistencyRead),
            create_cases: may(Action::CaseCreate),
            partner: actor.has_any(&[Role::Partner, Role::PartnerJustice])
                || actor.unit_kind.is_partner(),
        }
    }
}

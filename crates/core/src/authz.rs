//! Authorization: one decision, (roles, scope) × action × owning unit → allow / deny.
//!
//! The app layer asks `allows` before any write or read of one object, and asks `scope`
//! for the filter every list query applies in the store. Handlers turn a denied read of
//! an existing object into 404 so that ids leak nothing.

use crate::org::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    IncidentCreate,
    /// Name an owning unit other than the officer's own (command centre dispatching).
    IncidentAssignUnit,
    IncidentRead,
    /// Send officers to an incident (派警), again when needed.
    IncidentDispatch,
    /// Record arrival on scene and the disposal (到场、处置).
    IncidentHandle,
    /// Close, refer to another body, or convert into a case or dispute.
    IncidentClose,
    /// Reopen a closed or referred incident.
    IncidentReopen,
    /// 回访: record a callback attempt on a closed incident.
    IncidentCallback,
    /// Review a dissatisfied callback (the station chief).
    CallbackReview,
    /// Read the daily review board (三清).
    DailyReviewRead,
    /// Mark an incident of the daily review reviewed, with an instruction to the station.
    DailyReviewMark,
    /// Read disputes pushed to street offices (双推): the partner its own, the station
    /// what it pushed.
    PushRead,
    /// Answer a pushed dispute (the street office).
    PushAnswer,
    /// The live board (警情态势): open incidents by state, updating as they change. The
    /// command centre watches every station; a station's duty desk (desk officers and the
    /// chief) its own.
    BoardRead,
    /// Incident statistics (警情统计): counts, response times and their charts. Leaders
    /// and the command centre for the bureau, a station's workers for their station.
    StatisticsRead,
    /// See a person's ID or phone number whole (purpose required, audited).
    IdentifierUnmask,
    /// Accept a case (受案), directly or from a converted incident.
    CaseCreate,
    /// Read cases, their timelines and deadlines (the deadline board).
    CaseRead,
    /// The case officer's steps: start the investigation, record it solved, executed.
    CaseHandle,
    /// The steps that need the unit leader's approval (立案/不立案、撤案、移送起诉、
    /// 处罚决定、结案).
    CaseApprove,
    /// Legal review of a proposed penalty decision (法制审核): approve or return it.
    PenaltyReview,
    /// The consistency report of decided penalties (裁量一致性) for legal affairs.
    PenaltyConsistencyRead,
    UserManage,
    AuditRead,
    /// Use the penalty discretion calculator and browse the catalog (no records touched).
    PenaltyAssess,
    /// Upload and activate a bureau's discretion standard.
    PenaltyStandardManage,
    /// Use the deadline calculator and read the rule catalog and holiday calendars.
    DeadlineCompute,
    /// Add or replace a year's holiday calendar.
    CalendarManage,
}

/// Which units' records an actor may touch for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Nothing at all.
    None,
    /// Every unit of the bureau.
    Bureau,
    /// The unit with this path and everything under it.
    Subtree(String),
}

impl Scope {
    pub fn contains(&self, unit_path: &str) -> bool {
        match self {
            Scope::None => false,
            Scope::Bureau => true,
            Scope::Subtree(prefix) => unit_path.starts_with(prefix.as_str()),
        }
    }
}

const BUREAU_WIDE_READERS: [Role; 4] = [
    Role::Admin,
    Role::BureauLeader,
    Role::CommandCentre,
    Role::LegalReviewer,
];
const UNIT_WORKERS: [Role; 4] = [
    Role::StationChief,
    Role::DeskOfficer,
    Role::CommunityOfficer,
    Role::CaseOfficer,
];

/// Who decides or reviews public-order penalties (not community officers, custodians
/// or partners).
const PENALTY_USERS: [Role; 7] = [
    Role::CaseOfficer,
    Role::DeskOfficer,
    Role::StationChief,
    Role::LegalReviewer,
    Role::BureauLeader,
    Role::Admin,
    Role::CommandCentre,
];

/// Who counts legal periods (not community officers, custodians or partners).
const DEADLINE_USERS: [Role; 7] = [
    Role::LegalReviewer,
    Role::CaseOfficer,
    Role::StationChief,
    Role::DeskOfficer,
    Role::BureauLeader,
    Role::CommandCentre,
    Role::Admin,
];

/// The widest scope any of the actor's roles grants for `action`.
pub fn scope(actor: &Actor, action: Action) -> Scope {
    let own = || Scope::Subtree(actor.unit_path.clone());
    match action {
        Action::IncidentRead | Action::IdentifierUnmask => {
            if actor.has_any(&BUREAU_WIDE_READERS) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) {
                own()
            } else {
                Scope::None
            }
        }
        Action::IncidentCreate => {
            if actor.has_any(&[Role::Admin, Role::CommandCentre]) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) {
                own()
            } else {
                Scope::None
            }
        }
        // Lifecycle steps: the station's own workers; the command centre for every unit.
        // Administrators and bureau leaders watch, they do not work incidents.
        Action::IncidentDispatch | Action::IncidentClose => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has_any(&[Role::StationChief, Role::DeskOfficer]) {
                own()
            } else {
                Scope::None
            }
        }
        Action::IncidentHandle => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) {
                own()
            } else {
                Scope::None
            }
        }
        Action::IncidentReopen => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has(Role::StationChief) {
                own()
            } else {
                Scope::None
            }
        }
        Action::IncidentCallback => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has_any(&[Role::StationChief, Role::DeskOfficer]) {
                own()
            } else {
                Scope::None
            }
        }
        Action::CallbackReview => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has(Role::StationChief) {
                own()
            } else {
                Scope::None
            }
        }
        Action::DailyReviewRead => {
            if actor.has_any(&[Role::CommandCentre, Role::BureauLeader, Role::Admin]) {
                Scope::Bureau
            } else if actor.has(Role::StationChief) {
                own()
            } else {
                Scope::None
            }
        }
        Action::DailyReviewMark => {
            if actor.has_any(&[Role::CommandCentre, Role::BureauLeader]) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::PushRead => {
            if actor.has_any(&[Role::CommandCentre, Role::BureauLeader]) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) || actor.has(Role::Partner) {
                own()
            } else {
                Scope::None
            }
        }
        Action::PushAnswer => {
            if actor.has(Role::Partner) {
                own()
            } else {
                Scope::None
            }
        }
        Action::BoardRead => {
            if actor.has(Role::CommandCentre) {
                Scope::Bureau
            } else if actor.has_any(&[Role::StationChief, Role::DeskOfficer]) {
                own()
            } else {
                Scope::None
            }
        }
        Action::StatisticsRead => {
            if actor.has_any(&BUREAU_WIDE_READERS) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) {
                own()
            } else {
                Scope::None
            }
        }
        // Cases: the bureau's readers (legal affairs reviews every case) and the unit's
        // own workers; partners, custodians and the command centre's dispatchers do not
        // see cases.
        Action::CaseRead => {
            if actor.has_any(&[Role::Admin, Role::BureauLeader, Role::LegalReviewer]) {
                Scope::Bureau
            } else if actor.has_any(&UNIT_WORKERS) {
                own()
            } else {
                Scope::None
            }
        }
        Action::CaseCreate => {
            if actor.has_any(&[Role::StationChief, Role::DeskOfficer, Role::CaseOfficer]) {
                own()
            } else {
                Scope::None
            }
        }
        Action::CaseHandle => {
            if actor.has_any(&[Role::StationChief, Role::CaseOfficer]) {
                own()
            } else {
                Scope::None
            }
        }
        Action::CaseApprove => {
            if actor.has(Role::BureauLeader) {
                Scope::Bureau
            } else if actor.has(Role::StationChief) {
                own()
            } else {
                Scope::None
            }
        }
        Action::PenaltyReview => {
            if actor.has(Role::LegalReviewer) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::PenaltyConsistencyRead => {
            if actor.has_any(&[Role::LegalReviewer, Role::BureauLeader, Role::Admin]) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::IncidentAssignUnit => {
            if actor.has_any(&[Role::Admin, Role::CommandCentre]) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::PenaltyAssess => {
            if actor.has_any(&PENALTY_USERS) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::DeadlineCompute => {
            if actor.has_any(&DEADLINE_USERS) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
        Action::UserManage
        | Action::AuditRead
        | Action::PenaltyStandardManage
        | Action::CalendarManage => {
            if actor.has(Role::Admin) {
                Scope::Bureau
            } else {
                Scope::None
            }
        }
    }
}

/// May `actor` do `action` on an object owned by the unit at `owner_path`?
pub fn allows(actor: &Actor, action: Action, owner_path: &str) -> bool {
    scope(actor, action).contains(owner_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::UnitKind;
    use uuid::Uuid;

    fn actor(path: &str, roles: &[Role]) -> Actor {
        Actor {
            officer_id: Uuid::nil(),
            username: "t".into(),
            display_name: "t".into(),
            unit_id: Uuid::nil(),
            unit_path: path.into(),
            unit_kind: UnitKind::Station,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn station_staff_see_only_their_station() {
        let desk = actor("/QC/S01/", &[Role::DeskOfficer]);
        assert!(allows(&desk, Action::IncidentRead, "/QC/S01/"));
        assert!(allows(&desk, Action::IncidentCreate, "/QC/S01/"));
        assert!(!allows(&desk, Action::IncidentRead, "/QC/S02/"));
        assert!(!allows(&desk, Action::IncidentRead, "/QC/S010/"));
        assert!(!allows(&desk, Action::IncidentAssignUnit, "/QC/S01/"));
        assert!(!allows(&desk, Action::UserManage, "/QC/S01/"));
    }

    #[test]
    fn bureau_roles_see_everything_partners_nothing() {
        for r in [
            Role::Admin,
            Role::BureauLeader,
            Role::CommandCentre,
            Role::LegalReviewer,
        ] {
            assert!(allows(
                &actor("/QC/ZH/", &[r]),
                Action::IncidentRead,
                "/QC/S07/"
            ));
        }
        for r in [Role::Partner, Role::PartnerJustice, Role::Custodian] {
            let a = actor("/JD1/", &[r]);
            assert_eq!(scope(&a, Action::IncidentRead), Scope::None);
            assert!(!allows(&a, Action::IncidentCreate, "/JD1/"));
        }
        assert!(!allows(
            &actor("/QC/", &[Role::BureauLeader]),
            Action::IncidentCreate,
            "/QC/S01/"
        ));
        assert!(allows(
            &actor("/QC/ZH/", &[Role::CommandCentre]),
            Action::IncidentAssignUnit,
            "/QC/S03/"
        ));
    }

    #[test]
    fn penalty_calculator_for_officers_and_reviewers_standards_for_admins() {
        for r in PENALTY_USERS {
            let a = actor("/QC/S01/", &[r]);
            assert!(allows(&a, Action::PenaltyAssess, "/QC/"), "{r:?}");
            assert_eq!(
                scope(&a, Action::PenaltyStandardManage) == Scope::Bureau,
                r == Role::Admin,
                "{r:?}"
            );
        }
        for r in [
            Role::Partner,
            Role::PartnerJustice,
            Role::Custodian,
            Role::CommunityOfficer,
        ] {
            let a = actor("/JD1/", &[r]);
            assert_eq!(scope(&a, Action::PenaltyAssess), Scope::None, "{r:?}");
            assert_eq!(scope(&a, Action::PenaltyStandardManage), Scope::None);
        }
        let both = actor("/QC/S01/", &[Role::CommunityOfficer, Role::CaseOfficer]);
        assert!(allows(&both, Action::PenaltyAssess, "/QC/"));
    }

    #[test]
    fn deadline_calculator_for_officers_and_reviewers_calendars_for_admins() {
        for r in DEADLINE_USERS {
            let a = actor("/QC/S01/", &[r]);
            assert!(allows(&a, Action::DeadlineCompute, "/QC/"), "{r:?}");
            assert_eq!(
                scope(&a, Action::CalendarManage) == Scope::Bureau,
                r == Role::Admin,
                "{r:?}"
            );
        }
        for r in [
            Role::Partner,
            Role::PartnerJustice,
            Role::Custodian,
            Role::CommunityOfficer,
        ] {
            let a = actor("/JD1/", &[r]);
            assert_eq!(scope(&a, Action::DeadlineCompute), Scope::None, "{r:?}");
            assert_eq!(scope(&a, Action::CalendarManage), Scope::None, "{r:?}");
        }
        let legal = actor("/QC/FZ/", &[Role::LegalReviewer]);
        assert!(!allows(&legal, Action::CalendarManage, "/QC/"));
    }

    #[test]
    fn lifecycle_steps_for_the_station_and_the_command_centre() {
        let desk = actor("/QC/S01/", &[Role::DeskOfficer]);
        let community = actor("/QC/S01/", &[Role::CommunityOfficer]);
        let chief = actor("/QC/S01/", &[Role::StationChief]);
        let cc = actor("/QC/ZH/", &[Role::CommandCentre]);
        assert!(allows(&desk, Action::IncidentDispatch, "/QC/S01/"));
        assert!(!allows(&desk, Action::IncidentDispatch, "/QC/S02/"));
        assert!(!allows(&desk, Action::IncidentReopen, "/QC/S01/"));
        assert!(allows(&chief, Action::IncidentReopen, "/QC/S01/"));
        // A community officer sent to a call records arrival and disposal, no more.
        assert!(allows(&community, Action::IncidentHandle, "/QC/S01/"));
        assert!(!allows(&community, Action::IncidentDispatch, "/QC/S01/"));
        assert!(!allows(&community, Action::IncidentClose, "/QC/S01/"));
        for a in [
            Action::IncidentDispatch,
            Action::IncidentHandle,
            Action::IncidentClose,
            Action::IncidentReopen,
        ] {
            assert!(allows(&cc, a, "/QC/S07/"), "{a:?}");
            for r in [
                Role::Admin,
                Role::BureauLeader,
                Role::Partner,
                Role::LegalReviewer,
            ] {
                assert_eq!(scope(&actor("/QC/", &[r]), a), Scope::None, "{r:?} {a:?}");
            }
        }
    }

    #[test]
    fn callbacks_and_the_daily_review() {
        let desk = actor("/QC/S01/", &[Role::DeskOfficer]);
        let chief = actor("/QC/S01/", &[Role::StationChief]);
        let community = actor("/QC/S01/", &[Role::CommunityOfficer]);
        let cc = actor("/QC/ZH/", &[Role::CommandCentre]);
        let leader = actor("/QC/", &[Role::BureauLeader]);
        assert!(allows(&desk, Action::IncidentCallback, "/QC/S01/"));
        assert!(!allows(&desk, Action::IncidentCallback, "/QC/S02/"));
        assert!(!allows(&community, Action::IncidentCallback, "/QC/S01/"));
        assert!(allows(&cc, Action::IncidentCallback, "/QC/S02/"));
        // A dissatisfied caller is the chief's to review, not the desk's.
        assert!(!allows(&desk, Action::CallbackReview, "/QC/S01/"));
        assert!(allows(&chief, Action::CallbackReview, "/QC/S01/"));
        assert!(!allows(&chief, Action::CallbackReview, "/QC/S02/"));
        // The chief reads the own station's review; leaders and the command centre
        // read every station's and mark items with instructions.
        assert!(allows(&chief, Action::DailyReviewRead, "/QC/S01/"));
        assert!(!allows(&chief, Action::DailyReviewRead, "/QC/S02/"));
        assert!(!allows(&desk, Action::DailyReviewRead, "/QC/S01/"));
        assert!(!allows(&chief, Action::DailyReviewMark, "/QC/S01/"));
        for a in [Action::DailyReviewRead, Action::DailyReviewMark] {
            assert!(allows(&cc, a, "/QC/S07/"));
            assert!(allows(&leader, a, "/QC/S07/"));
        }
        for r in [Role::Partner, Role::PartnerJustice, Role::Custodian] {
            let a = actor("/JD1/", &[r]);
            for act in [
                Action::IncidentCallback,
                Action::CallbackReview,
                Action::DailyReviewRead,
                Action::DailyReviewMark,
            ] {
                assert_eq!(scope(&a, act), Scope::None, "{r:?} {act:?}");
            }
        }
    }

    #[test]
    fn pushed_disputes_for_the_street_office_and_the_station() {
        let street = actor("/JD01/", &[Role::Partner]);
        let desk = actor("/QC/S01/", &[Role::DeskOfficer]);
        let court = actor("/FY/", &[Role::PartnerJustice]);
        assert!(allows(&street, Action::PushRead, "/JD01/"));
        assert!(!allows(&street, Action::PushRead, "/JD02/"));
        assert!(allows(&street, Action::PushAnswer, "/JD01/"));
        assert!(allows(&desk, Action::PushRead, "/QC/S01/"));
        assert!(!allows(&desk, Action::PushAnswer, "/QC/S01/"));
        assert_eq!(scope(&court, Action::PushRead), Scope::None);
        // A partner never reads incidents themselves.
        assert_eq!(scope(&street, Action::IncidentRead), Scope::None);
    }

    #[test]
    fn the_board_for_the_command_centre_and_the_station_desk() {
        let desk = actor("/QC/S01/", &[Role::DeskOfficer]);
        let chief = actor("/QC/S01/", &[Role::StationChief]);
        let cc = actor("/QC/ZH/", &[Role::CommandCentre]);
        for a in [&desk, &chief] {
            assert_eq!(
                scope(a, Action::BoardRead),
                Scope::Subtree("/QC/S01/".into())
            );
            assert!(allows(a, Action::BoardRead, "/QC/S01/"));
            assert!(!allows(a, Action::BoardRead, "/QC/S02/"));
            assert!(!allows(a, Action::BoardRead, "/QC/S010/"));
        }
        assert_eq!(scope(&cc, Action::BoardRead), Scope::Bureau);
        // Readers who do not work incidents live have no board.
        for r in [
            Role::BureauLeader,
            Role::Admin,
            Role::CommunityOfficer,
            Role::CaseOfficer,
            Role::LegalReviewer,
            Role::Custodian,
            Role::Partner,
            Role::PartnerJustice,
        ] {
            let a = actor("/QC/S01/", &[r]);
            assert_eq!(scope(&a, Action::BoardRead), Scope::None, "{r:?}");
        }
    }

    #[test]
    fn statistics_for_leaders_bureau_wide_and_stations_their_own() {
        let chief = actor("/QC/S01/", &[Role::StationChief]);
        assert_eq!(
            scope(&chief, Action::StatisticsRead),
            Scope::Subtree("/QC/S01/".into())
        );
        assert!(!allows(&chief, Action::StatisticsRead, "/QC/S02/"));
        for r in [Role::BureauLeader, Role::CommandCentre, Role::Admin] {
            let a = actor("/QC/ZH/", &[r]);
            assert_eq!(scope(&a, Action::StatisticsRead), Scope::Bureau, "{r:?}");
        }
        for r in [Role::Partner, Role::PartnerJustice, Role::Custodian] {
            let a = actor("/JD01/", &[r]);
            assert_eq!(scope(&a, Action::StatisticsRead), Scope::None, "{r:?}");
        }
    }
}

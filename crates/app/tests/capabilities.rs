//! What navigation and forms may offer each kind of account, and that it agrees with
//! what the use cases then allow.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]

mod common;

use frontline_app::{AppError, Capabilities};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_is_offered_what_it_may_do() {
    let e = common::start().await;
    let caps = |c: Capabilities| {
        (
            c.create_incidents,
            c.read_incidents,
            c.choose_intake_unit,
            c.read_all_units,
            c.partner,
        )
    };

    let desk = e.app.capabilities(&e.actor("s1.desk").await);
    assert_eq!(caps(desk), (true, true, false, false, false));
    assert!(desk.compute_deadlines && desk.assess_penalties);
    assert!(!desk.manage_calendars && !desk.manage_penalty_standards);

    let command = e.app.capabilities(&e.actor("command").await);
    assert_eq!(caps(command), (true, true, true, true, false));

    let leader = e.app.capabilities(&e.actor("leader").await);
    assert_eq!(caps(leader), (false, true, false, true, false));

    let street = e.app.capabilities(&e.actor("street1").await);
    assert_eq!(caps(street), (false, false, false, false, true));
    assert!(!street.compute_deadlines && !street.assess_penalties);

    let custodian = e.app.capabilities(&e.actor("custodian").await);
    assert_eq!(caps(custodian), (false, false, false, false, false));

    // The live board: the command centre and a station's duty desk (desk, chief).
    assert!(desk.read_board && command.read_board);
    assert!(e.app.capabilities(&e.actor("s1.chief").await).read_board);
    for c in [leader, street, custodian] {
        assert!(!c.read_board);
    }

    let v = serde_json::to_value(command).unwrap();
    assert_eq!(v["choose_intake_unit"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_offered_is_refused() {
    let e = common::start().await;
    let street = e.actor("street1").await;
    assert!(!e.app.capabilities(&street).read_incidents);
    assert!(matches!(
        e.app
            .list_incidents(&street, &frontline_app::incident::ListQuery::default())
            .await,
        Err(AppError::Forbidden)
    ));
}

//! Sign-in, sessions and officer accounts over an in-process store: what each use case
//! refuses, what it writes to the audit log, and that the actor it builds carries the
//! officer's own unit and roles (so another station's records stay out of reach).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers stop loudly"
)]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just checked"
)]

mod common;

use std::sync::Arc;

use frontline_app::auth::{LoginRequest, NewOfficer, PasswordChangeRequest};
use frontline_app::demo::DEMO_PASSWORD;
use frontline_app::{App, AppConfig, AppError, FixedClock};
use frontline_core::authz::{Action, allows};
use frontline_core::org::{Role, UnitKind};
use frontline_store::DbConfig;

/// The demo organisation with a clock the test can move.
async fn start_with_clock() -> (common::Env, Arc<FixedClock>) {
    let db = frontline_store::testing::fresh().await.unwrap();
    let clock = Arc::new(FixedClock::new(common::now0()));
    let app = App::open(&db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    app.load_demo(common::now0(), 0).await.unwrap();
    (common::Env { app, db }, clock)
}

fn new_officer(username: &str, roles: &[&str]) -> NewOfficer {
    NewOfficer {
        username: username.into(),
        display_name: "张伟".into(),
        unit_code: "S01".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        auxiliary: false,
        password: "a-long-password".into(),
    }
}

fn codes(e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| (f.field.clone(), f.code.to_string()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_out_are_audited_and_end_the_session() {
    let e = common::start().await;
    let seq = e.audit_seq().await;
    let req = LoginRequest {
        username: " s1.desk ".into(),
        password: DEMO_PASSWORD.into(),
        totp_code: None,
    };
    let (token, session) = e.app.sign_in(&req, "10.0.0.7").await.unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "session.create");
    assert_eq!(audit[0].actor, "s1.desk");
    assert_eq!(audit[0].actor_id, Some(session.actor.officer_id));
    assert_eq!(
        audit[0].detail,
        format!(
            r#"{{"client":"10.0.0.7","factors":"password","session":"{}"}}"#,
            session.id
        )
    );

    // The actor: typed roles and the station's own unit, kind and path.
    let a = &session.actor;
    assert_eq!(a.roles, vec![Role::DeskOfficer]);
    assert_eq!(a.unit_kind, UnitKind::Station);
    let s01 = e.app.org.unit_by_code("S01").unwrap();
    let s02 = e.app.org.unit_by_code("S02").unwrap();
    assert_eq!(
        (a.unit_id, a.unit_path.as_str()),
        (s01.id, s01.path.as_str())
    );
    assert!(allows(a, Action::IncidentRead, &s01.path));
    assert!(!allows(a, Action::IncidentRead, &s02.path));
    let me = e.app.me(&session);
    assert_eq!(
        (me.username.as_str(), me.unit_name.as_str()),
        ("s1.desk", s01.name.as_str())
    );
    assert_eq!(
        serde_json::to_value(&me).unwrap()["roles"],
        serde_json::json!(["desk_officer"])
    );

    assert_eq!(
        e.app.authenticate(&token).await.unwrap().actor.officer_id,
        a.officer_id
    );
    assert!(matches!(
        e.app.authenticate("not-a-token").await,
        Err(AppError::Unauthorized)
    ));

    let seq = e.audit_seq().await;
    e.app.logout(&session).await.unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].object_id.clone()),
        ("session.delete", a.officer_id.to_string())
    );
    assert!(matches!(
        e.app.authenticate(&token).await,
        Err(AppError::Unauthorized)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failed_sign_in_looks_the_same_and_is_audited() {
    let e = common::start().await;
    e.app
        .update_officer("test", "s2.desk", None, Some(true))
        .await
        .unwrap();
    let s1 = e
        .app
        .store
        .officer_by_username("s1.desk")
        .await
        .unwrap()
        .unwrap();
    let s2 = e
        .app
        .store
        .officer_by_username("s2.desk")
        .await
        .unwrap()
        .unwrap();
    let seq = e.audit_seq().await;
    let long = "x".repeat(5000);
    let cases = [
        ("s1.desk", "wrong-password", "password", s1.id.to_string()),
        ("nobody", DEMO_PASSWORD, "unknown", String::new()),
        ("s2.desk", DEMO_PASSWORD, "disabled", s2.id.to_string()),
        ("", "", "unknown", String::new()),
        (long.as_str(), "x", "unknown", String::new()),
    ];
    for (user, password, _, _) in &cases {
        assert!(
            matches!(
                e.app.login(user, password, "10.1.2.3").await,
                Err(AppError::Unauthorized)
            ),
            "{user}"
        );
    }
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), cases.len(), "one entry per failure: {audit:?}");
    for (a, (user, _, reason, object)) in audit.iter().zip(&cases) {
        assert_eq!(a.action, "session.refused");
        // The username as typed, kept to the longest a username can be.
        assert_eq!(a.actor, user.chars().take(64).collect::<String>());
        assert_eq!(a.actor_id, None);
        assert_eq!(&a.object_id, object);
        assert_eq!(a.at, common::now0());
        let detail: serde_json::Value = serde_json::from_str(&a.detail).unwrap();
        assert_eq!(
            detail,
            serde_json::json!({ "client": "10.1.2.3", "reason": reason })
        );
    }
}

/// A test configuration with the default back-off: 5 free failures per username, 20
/// per client address, 30 s doubling to 15 minutes, forgotten after an hour.
fn backoff() -> AppConfig {
    AppConfig::for_tests()
}

async fn fails(e: &common::Env, user: &str, client: &str) {
    assert!(matches!(
        e.app.login(user, "wrong-password", client).await,
        Err(AppError::Unauthorized)
    ));
}

fn throttled(r: Result<(String, frontline_app::auth::Session), AppError>) -> u64 {
    match r {
        Err(AppError::Throttled { retry_after_secs }) => retry_after_secs,
        other => panic!("expected Throttled, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_back_off_exponentially_and_the_right_password_works_after_the_wait() {
    let (e, clock) = start_with_clock().await;
    let c = backoff();
    for _ in 0..c.sign_in_username_failures {
        fails(&e, "s1.desk", "10.0.0.1").await;
    }
    // The right password now waits too (from any client): 30 s after the last failure.
    let seq = e.audit_seq().await;
    let wait = throttled(e.app.login("s1.desk", DEMO_PASSWORD, "10.0.0.9").await);
    assert_eq!(wait, 30);
    assert_eq!(e.audit_seq().await, seq, "a refused attempt writes nothing");
    // Other usernames are not affected.
    e.app
        .login("s2.desk", DEMO_PASSWORD, "10.0.0.1")
        .await
        .unwrap();
    clock.advance(chrono::Duration::seconds(10));
    assert_eq!(
        throttled(e.app.login("s1.desk", DEMO_PASSWORD, "10.0.0.1").await),
        20
    );
    // Each further failure doubles the wait, up to 15 minutes.
    let mut expected = vec![];
    let mut waits = vec![];
    let mut delay = 30;
    for _ in 0..8 {
        clock.advance(chrono::Duration::seconds(delay));
        fails(&e, "s1.desk", "10.0.0.1").await;
        delay = (delay * 2).min(900);
        expected.push(delay as u64);
        waits.push(throttled(
            e.app.login("s1.desk", DEMO_PASSWORD, "10.0.0.1").await,
        ));
    }
    assert_eq!(waits, expected);
    assert_eq!(waits.last(), Some(&900));
    // An attacker's refused attempts do not lengthen the wait: after it, the officer is in.
    for _ in 0..50 {
        throttled(e.app.login("s1.desk", "guess", "10.6.6.6").await);
    }
    clock.advance(chrono::Duration::minutes(15));
    e.app
        .login("s1.desk", DEMO_PASSWORD, "10.0.0.1")
        .await
        .unwrap();
    // The success forgot the username's failures: five free ones again.
    for _ in 0..c.sign_in_username_failures {
        fails(&e, "s1.desk", "10.0.0.2").await;
    }
    throttled(e.app.login("s1.desk", DEMO_PASSWORD, "10.0.0.3").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_are_in_the_database_and_forgotten_after_a_quiet_window() {
    let (e, clock) = start_with_clock().await;
    for _ in 0..5 {
        fails(&e, "s1.desk", "10.0.0.1").await;
    }
    // A second instance (or a restart) over the same database sees the same counters.
    let other = App::open(&e.db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    assert_eq!(
        throttled(other.login("s1.desk", DEMO_PASSWORD, "10.0.0.1").await),
        30
    );
    // An hour without failures: the counter starts again from zero.
    clock.advance(chrono::Duration::minutes(60));
    for _ in 0..5 {
        fails(&e, "s1.desk", "10.0.0.1").await;
    }
    assert_eq!(
        throttled(other.login("s1.desk", DEMO_PASSWORD, "10.0.0.1").await),
        30,
        "five fresh failures, not ten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spraying_many_usernames_from_one_address_backs_off_that_address() {
    let (e, clock) = start_with_clock().await;
    let c = backoff();
    for i in 0..c.sign_in_client_failures {
        fails(&e, &format!("guess{i}"), "203.0.113.5").await;
    }
    // From that address, every username waits, even with its right password…
    assert_eq!(
        throttled(e.app.login("s3.desk", DEMO_PASSWORD, "203.0.113.5").await),
        30
    );
    // …from another one, nobody does.
    e.app
        .login("s3.desk", DEMO_PASSWORD, "198.51.100.7")
        .await
        .unwrap();
    clock.advance(chrono::Duration::seconds(30));
    e.app
        .login("s3.desk", DEMO_PASSWORD, "203.0.113.5")
        .await
        .unwrap();
    // A success does not reset the address: the next failure there waits twice as long.
    fails(&e, "guess-again", "203.0.113.5").await;
    assert_eq!(
        throttled(e.app.login("s4.desk", DEMO_PASSWORD, "203.0.113.5").await),
        60
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hopping_inside_an_ipv6_64_network_does_not_escape_the_address_counter() {
    let (e, _clock) = start_with_clock().await;
    for i in 0..AppConfig::for_tests().sign_in_client_failures {
        fails(&e, &format!("guess{i}"), &format!("2001:db8:7:7::{i:x}")).await;
    }
    assert_eq!(
        throttled(
            e.app
                .login("s3.desk", DEMO_PASSWORD, "2001:db8:7:7:ffff::1")
                .await
        ),
        30
    );
    e.app
        .login("s3.desk", DEMO_PASSWORD, "2001:db8:7:8::1")
        .await
        .unwrap();
    // The audit keeps the whole address.
    let last = e.audit_since(e.audit_seq().await - 2).await;
    assert!(
        last[0].detail.contains("2001:db8:7:7::13"),
        "{}",
        last[0].detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_guesses_sent_at_once_is_still_counted_one_by_one() {
    let (e, _clock) = start_with_clock().await;
    let tries = (0..12).map(|_| {
        let app = e.app.clone();
        tokio::spawn(async move { app.login("s1.desk", "wrong-password", "10.9.9.9").await })
    });
    let mut checked = 0;
    for t in tries {
        match t.await.unwrap() {
            Err(AppError::Unauthorized) => checked += 1,
            Err(AppError::Throttled { .. }) => {}
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
    // Two hashing slots: at most one guess beyond the free ones slips through.
    assert!((5..=6).contains(&checked), "{checked} passwords checked");
}

#[test]
fn a_sign_in_body_of_the_wrong_shape_is_one_error_on_the_body() {
    for body in [
        serde_json::json!({ "username": "s1.desk" }),
        serde_json::json!({ "username": 7, "password": "x" }),
        serde_json::json!("s1.desk"),
    ] {
        let err = LoginRequest::from_json(body.clone()).unwrap_err();
        assert_eq!(
            codes(&err),
            [(String::new(), "login.fields".to_string())],
            "{body}"
        );
    }
    let ok = LoginRequest::from_json(serde_json::json!({ "username": "u", "password": "p" }));
    assert_eq!(ok.unwrap().username, "u");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_an_officer_reports_every_problem_and_changes_nothing() {
    let e = common::start().await;
    let seq = e.audit_seq().await;
    let bad = NewOfficer {
        username: "bad name!".into(),
        display_name: " ".into(),
        unit_code: "NOPE".into(),
        roles: vec!["desk_officer".into(), "root".into()],
        auxiliary: false,
        password: "short".into(),
    };
    let err = e.app.add_officer("test", bad).await.unwrap_err();
    assert_eq!(
        codes(&err),
        [
            ("username", "username.invalid"),
            ("unit", "unit.unknown"),
            ("roles", "role.unknown"),
            ("password", "password.too_short"),
            ("display_name", "required"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    let AppError::Validation(errs) = &err else {
        unreachable!()
    };
    assert_eq!(
        errs[2].message(frontline_core::Lang::Zh),
        "角色不存在：root"
    );
    let err = e
        .app
        .add_officer("test", new_officer("s1.new", &[]))
        .await
        .unwrap_err();
    assert_eq!(codes(&err), [("roles".to_string(), "required".to_string())]);
    let err = e
        .app
        .add_officer("test", new_officer("s1.desk", &["desk_officer"]))
        .await
        .unwrap_err();
    assert_eq!(
        codes(&err),
        [("username".to_string(), "username.taken".to_string())]
    );
    // Hardening defect 2: the names go through core's normaliser.
    for (name, code) in [
        ("张\u{0000}伟", "text.control"),
        ("张\u{202e}伟", "text.bidi"),
        ("\u{200b}\u{200b}", "required"),
        ("张\n伟", "text.multiline"),
    ] {
        let mut bad = new_officer("s1.other", &["desk_officer"]);
        bad.display_name = name.into();
        let err = e.app.add_officer("test", bad).await.unwrap_err();
        assert_eq!(
            codes(&err),
            [("display_name".to_string(), code.to_string())]
        );
    }
    let err = e
        .app
        .add_officer("test", new_officer("s1.x\u{0000}", &["desk_officer"]))
        .await
        .unwrap_err();
    assert_eq!(
        codes(&err),
        [("username".to_string(), "username.invalid".to_string())]
    );
    assert_eq!(e.audit_seq().await, seq, "refusals write nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_officer_is_audited_and_signs_in_with_typed_roles() {
    let e = common::start().await;
    let seq = e.audit_seq().await;
    let id = e
        .app
        .add_officer(
            "cli:root",
            new_officer("s1.new", &["desk_officer", "case_officer"]),
        )
        .await
        .unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    let a = &audit[0];
    assert_eq!(
        (
            a.action.as_str(),
            a.actor.as_str(),
            a.actor_id,
            a.object_id.clone()
        ),
        ("officer.create", "cli:root", None, id.to_string())
    );
    let detail: serde_json::Value = serde_json::from_str(&a.detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({ "username": "s1.new", "unit": "S01", "roles": "desk_officer,case_officer" })
    );
    let (_, s) = e
        .app
        .login("s1.new", "a-long-password", "test")
        .await
        .unwrap();
    assert_eq!(s.actor.officer_id, id);
    assert_eq!(s.actor.roles, vec![Role::DeskOfficer, Role::CaseOfficer]);
    assert_eq!(s.actor.unit_id, e.app.org.unit_by_code("S01").unwrap().id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_ends_sessions_at_once_and_enabling_restores_sign_in() {
    let e = common::start().await;
    let (token, session) = e
        .app
        .login("s1.chief", DEMO_PASSWORD, "test")
        .await
        .unwrap();
    // Trusted from memory now; disabling must not wait for the cache to expire.
    e.app.authenticate(&token).await.unwrap();
    let seq = e.audit_seq().await;
    e.app
        .update_officer("cli:root", "s1.chief", None, Some(true))
        .await
        .unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "officer.disable");
    assert_eq!(audit[0].object_id, session.actor.officer_id.to_string());
    assert!(matches!(
        e.app.authenticate(&token).await,
        Err(AppError::Unauthorized)
    ));
    assert!(matches!(
        e.app.login("s1.chief", DEMO_PASSWORD, "test").await,
        Err(AppError::Unauthorized)
    ));

    e.app
        .update_officer("cli:root", "s1.chief", None, Some(false))
        .await
        .unwrap();
    e.app
        .update_officer("cli:root", "s1.chief", Some("another-password"), None)
        .await
        .unwrap();
    // seq + 1 disabled the account, seq + 2 is the refused sign-in.
    let actions: Vec<String> = e
        .audit_since(seq + 2)
        .await
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["officer.enable", "officer.password"]);
    assert!(
        e.app
            .login("s1.chief", DEMO_PASSWORD, "test")
            .await
            .is_err()
    );
    e.app
        .login("s1.chief", "another-password", "test")
        .await
        .unwrap();

    let seq = e.audit_seq().await;
    let err = e
        .app
        .update_officer("cli:root", "s1.chief", Some("short"), None)
        .await
        .unwrap_err();
    assert_eq!(
        codes(&err),
        [("password".to_string(), "password.too_short".to_string())]
    );
    assert!(matches!(
        e.app
            .update_officer("cli:root", "nobody", None, Some(true))
            .await,
        Err(AppError::NotFound)
    ));
    assert_eq!(e.audit_seq().await, seq);
}

/// A role name the code does not know, written behind the store's back, is an error
/// for that officer (never a panic, never a silently narrower or wider account).
/// Tampering goes through rusqlite, so this runs on SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_stored_role_refuses_sign_in() {
    let e = common::start().await;
    let DbConfig::Sqlite { path } = &e.db.config else {
        return;
    };
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "UPDATE officers SET roles = 'desk_officer,root' WHERE username = 's1.desk'",
            [],
        )
        .unwrap();
    assert!(matches!(
        e.app.login("s1.desk", DEMO_PASSWORD, "test").await,
        Err(AppError::Internal(m)) if m.contains("root")
    ));
    e.app.login("s2.desk", DEMO_PASSWORD, "test").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_activity_extends_it_writing_once_a_minute() {
    let (e, clock) = start_with_clock().await;
    let (token, s) = e.app.login("s1.desk", DEMO_PASSWORD, "test").await.unwrap();
    let stored = |th: String| {
        let store = e.app.store.clone();
        async move { store.session(&th).await.unwrap() }
    };
    // Within a minute: served from memory, nothing written.
    clock.advance(chrono::Duration::seconds(59));
    e.app.authenticate(&token).await.unwrap();
    assert_eq!(
        stored(s.token_hash.clone()).await.unwrap().last_seen_at,
        common::now0()
    );
    // After a minute the use is written, once.
    clock.advance(chrono::Duration::seconds(1));
    e.app.authenticate(&token).await.unwrap();
    let seen = common::now0() + chrono::Duration::seconds(60);
    assert_eq!(
        stored(s.token_hash.clone()).await.unwrap().last_seen_at,
        seen
    );
    clock.advance(chrono::Duration::seconds(30));
    e.app.authenticate(&token).await.unwrap();
    assert_eq!(
        stored(s.token_hash.clone()).await.unwrap().last_seen_at,
        seen
    );
    // Used every 29 minutes, it lives on (up to its absolute lifetime).
    for _ in 0..4 {
        clock.advance(chrono::Duration::minutes(29));
        e.app.authenticate(&token).await.unwrap();
    }
    // Unused for more than 30 minutes: refused, deleted and audited.
    let seq = e.audit_seq().await;
    clock.advance(chrono::Duration::minutes(30));
    assert!(matches!(
        e.app.authenticate(&token).await,
        Err(AppError::Unauthorized)
    ));
    assert_eq!(stored(s.token_hash.clone()).await, None);
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "session.expire");
    assert_eq!(audit[0].object_id, s.actor.officer_id.to_string());
    assert!(
        audit[0].detail.contains(r#""reason":"idle""#),
        "{}",
        audit[0].detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_timeout_follows_use_on_another_instance() {
    let (e, clock) = start_with_clock().await;
    let (token, _) = e.app.login("s1.desk", DEMO_PASSWORD, "test").await.unwrap();
    let other = App::open(&e.db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    e.app.authenticate(&token).await.unwrap();
    // Used on the other instance only, 20 minutes later…
    clock.advance(chrono::Duration::minutes(20));
    other.authenticate(&token).await.unwrap();
    // …so 20 minutes after that it is still alive here, though this instance last saw
    // it 40 minutes ago.
    clock.advance(chrono::Duration::minutes(20));
    e.app.authenticate(&token).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_lists_and_ends_their_own_sessions_only() {
    let (e, clock) = start_with_clock().await;
    let req = LoginRequest {
        username: "s1.desk".into(),
        password: DEMO_PASSWORD.into(),
        totp_code: None,
    };
    let (t_old, s_old) = e
        .app
        .sign_in_from(
            &req,
            "10.0.0.1",
            "Mozilla/5.0 (X11; Linux) Firefox/140.0\u{7}",
        )
        .await
        .unwrap();
    clock.advance(chrono::Duration::minutes(2));
    let (t_new, s_new) = e.app.sign_in(&req, "10.0.0.2").await.unwrap();
    let (t_other, s_other) = e
        .app
        .login("s2.desk", DEMO_PASSWORD, "10.0.0.3")
        .await
        .unwrap();

    let list = e.app.my_sessions(&s_new).await.unwrap();
    let got: Vec<_> = list
        .iter()
        .map(|v| (v.id, v.current, v.client.as_str(), v.user_agent.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (s_new.id, true, "10.0.0.2", ""),
            (
                s_old.id,
                false,
                "10.0.0.1",
                "Mozilla/5.0 (X11; Linux) Firefox/140.0"
            ),
        ]
    );
    assert_eq!(list[1].created_at, "2026-11-22T12:00:00+08:00");
    // No token hash anywhere in what is shown.
    let shown = serde_json::to_string(&list).unwrap();
    assert!(!shown.contains(&s_old.token_hash) && !shown.contains(&t_old));

    // Another officer cannot end it (nor learn that it exists): NotFound, nothing written.
    let seq = e.audit_seq().await;
    assert!(matches!(
        e.app.end_my_session(&s_other, s_old.id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        e.app.end_my_session(&s_new, uuid::Uuid::now_v7()).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(e.audit_seq().await, seq);
    e.app.authenticate(&t_old).await.unwrap();

    // Its owner can, and it is gone at once (though trusted from memory a moment ago).
    e.app.end_my_session(&s_new, s_old.id).await.unwrap();
    assert!(matches!(
        e.app.authenticate(&t_old).await,
        Err(AppError::Unauthorized)
    ));
    e.app.authenticate(&t_new).await.unwrap();
    e.app.authenticate(&t_other).await.unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "session.delete");
    assert_eq!(audit[0].actor, "s1.desk");
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({ "session": s_old.id, "from": s_new.id })
    );
    // An idle session is no longer listed.
    clock.advance(chrono::Duration::minutes(31));
    let (_, s_late) = e.app.sign_in(&req, "10.0.0.4").await.unwrap();
    let ids: Vec<_> = e
        .app
        .my_sessions(&s_late)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, [s_late.id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_must_not_be_the_username_nor_the_demo_password_outside_the_demo() {
    let e = common::start().await;
    let seq = e.audit_seq().await;
    for (password, code) in [
        ("s1.newcomer", "password.contains_username"),
        ("my-s1.newcomer-pw", "password.contains_username"),
        (DEMO_PASSWORD, "password.published"),
    ] {
        let mut o = new_officer("s1.newcomer", &["desk_officer"]);
        o.password = password.into();
        let err = e.app.add_officer("test", o).await.unwrap_err();
        assert_eq!(codes(&err), [("password".to_string(), code.to_string())]);
    }
    for (user, password, code) in [
        ("s1.desk", "s1.desk-2026", "password.contains_username"),
        ("s1.desk", DEMO_PASSWORD, "password.published"),
    ] {
        let err = e
            .app
            .update_officer("test", user, Some(password), None)
            .await
            .unwrap_err();
        assert_eq!(codes(&err), [("password".to_string(), code.to_string())]);
    }
    assert_eq!(e.audit_seq().await, seq, "refusals write nothing");
    // The demo's accounts keep signing in with it, and in the demo it may be chosen.
    e.app.login("s1.desk", DEMO_PASSWORD, "test").await.unwrap();
    let db = frontline_store::testing::fresh().await.unwrap();
    let demo = App::open(
        &db.config,
        Arc::new(FixedClock::new(common::now0())),
        AppConfig {
            demo: true,
            ..AppConfig::for_tests()
        },
    )
    .await
    .unwrap();
    demo.load_demo(common::now0(), 0).await.unwrap();
    let mut o = new_officer("s1.newcomer", &["desk_officer"]);
    o.password = DEMO_PASSWORD.into();
    demo.add_officer("test", o).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_officer_must_change_the_password_first() {
    let e = common::start().await;
    e.app
        .add_officer("cli:root", new_officer("s1.new", &["desk_officer"]))
        .await
        .unwrap();
    let (t1, s1) = e
        .app
        .login("s1.new", "a-long-password", "10.0.0.1")
        .await
        .unwrap();
    let (t2, s2) = e
        .app
        .login("s1.new", "a-long-password", "10.0.0.2")
        .await
        .unwrap();
    assert!(s1.must_change_password);
    assert!(matches!(
        e.app.authenticate(&t1).await,
        Err(AppError::PasswordChangeRequired)
    ));
    e.app.authenticate_any(&t1).await.unwrap();

    let change = |current: &str, new: &str| PasswordChangeRequest {
        current_password: current.to_string().into(),
        new_password: new.to_string().into(),
        ..PasswordChangeRequest::default()
    };
    // Bad input: every problem on its field, nothing changed.
    let seq = e.audit_seq().await;
    let cases: [(PasswordChangeRequest, Vec<(&str, &str)>); 5] = [
        (
            PasswordChangeRequest::read(serde_json::json!({ "new_password": 7, "x": 1 })),
            vec![
                ("x", "unknown_field"),
                ("current_password", "required"),
                ("new_password", "required"),
            ],
        ),
        (
            change("a-long-password", "short"),
            vec![("new_password", "password.too_short")],
        ),
        (
            change("a-long-password", "a-long-password"),
            vec![("new_password", "password.unchanged")],
        ),
        (
            change("a-long-password", "S1.NEW-and-more"),
            vec![("new_password", "password.contains_username")],
        ),
        (
            change("a-long-password", DEMO_PASSWORD),
            vec![("new_password", "password.published")],
        ),
    ];
    for (req, want) in &cases {
        let err = e
            .app
            .change_own_password(&s1, req, "10.0.0.1")
            .await
            .unwrap_err();
        let want: Vec<_> = want
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        assert_eq!(codes(&err), want);
    }
    assert_eq!(e.audit_seq().await, seq, "refusals write nothing");
    // A wrong current password is a failed sign-in (audited and counted), nothing else.
    let err = e
        .app
        .change_own_password(&s1, &change("not-my-password", "my-own-secret"), "10.0.0.1")
        .await
        .unwrap_err();
    assert_eq!(
        codes(&err),
        [("current_password".to_string(), "password.wrong".to_string())]
    );
    let audit = e.audit_since(seq).await;
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["session.refused"]
    );
    let AppError::Validation(errs) = &err else {
        unreachable!()
    };
    assert_eq!(errs[0].message(frontline_core::Lang::Zh), "当前密码不正确");
    assert_eq!(
        errs[0].message(frontline_core::Lang::En),
        "The current password is wrong"
    );

    let seq = e.audit_seq().await;
    e.app
        .change_own_password(&s1, &change("a-long-password", "my-own-secret"), "10.0.0.1")
        .await
        .unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor_id),
        ("officer.password", Some(s1.actor.officer_id))
    );
    // This session goes on without the flag; the other one has ended.
    assert!(!e.app.authenticate(&t1).await.unwrap().must_change_password);
    assert!(matches!(
        e.app.authenticate_any(&t2).await,
        Err(AppError::Unauthorized)
    ));
    let _ = s2;
    assert!(
        e.app
            .login("s1.new", "a-long-password", "test")
            .await
            .is_err()
    );
    let (_, s) = e
        .app
        .login("s1.new", "my-own-secret", "test")
        .await
        .unwrap();
    assert!(!s.must_change_password);

    // An operator's new password (`user passwd`) must be changed again.
    e.app
        .update_officer("cli:root", "s1.new", Some("operator-chosen"), None)
        .await
        .unwrap();
    let (t, _) = e
        .app
        .login("s1.new", "operator-chosen", "test")
        .await
        .unwrap();
    assert!(matches!(
        e.app.authenticate(&t).await,
        Err(AppError::PasswordChangeRequired)
    ));
}

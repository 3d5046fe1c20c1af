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

use frontline_app::auth::{LoginRequest, NewOfficer};
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
    };
    let (token, session) = e.app.sign_in(&req, "10.0.0.7").await.unwrap();
    let audit = e.audit_since(seq).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "session.create");
    assert_eq!(audit[0].actor, "s1.desk");
    assert_eq!(audit[0].actor_id, Some(session.actor.officer_id));
    assert_eq!(audit[0].detail, r#"{"client":"10.0.0.7"}"#);

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
async fn every_failed_sign_in_looks_the_same_and_writes_nothing() {
    let e = common::start().await;
    e.app
        .update_officer("test", "s2.desk", None, Some(true))
        .await
        .unwrap();
    let seq = e.audit_seq().await;
    for (user, password) in [
        ("s1.desk", "wrong-password"),
        ("nobody", DEMO_PASSWORD),
        ("s2.desk", DEMO_PASSWORD),
        ("", ""),
    ] {
        assert!(
            matches!(
                e.app.login(user, password, "test").await,
                Err(AppError::Unauthorized)
            ),
            "{user}"
        );
    }
    assert_eq!(e.audit_seq().await, seq, "failures leave no entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_is_locked_after_repeated_failures_then_released() {
    let (e, clock) = start_with_clock().await;
    let max = AppConfig::for_tests().max_failed_logins;
    for _ in 0..max {
        assert!(matches!(
            e.app.login("s1.desk", "wrong-password", "test").await,
            Err(AppError::Unauthorized)
        ));
    }
    let Err(AppError::Throttled { retry_after_secs }) =
        e.app.login("s1.desk", DEMO_PASSWORD, "test").await
    else {
        panic!("the right password is refused while locked");
    };
    assert_eq!(retry_after_secs, 15 * 60);
    // Other usernames are not affected.
    e.app.login("s2.desk", DEMO_PASSWORD, "test").await.unwrap();
    clock.advance(chrono::Duration::minutes(15));
    e.app.login("s1.desk", DEMO_PASSWORD, "test").await.unwrap();
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
    let actions: Vec<String> = e
        .audit_since(seq + 1)
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

//! The second factor (TOTP) and re-authentication, on both engines: enrolment, sign-in
//! with a code (±1 step, no reuse, wrong codes in the back-off), the browser's two
//! steps, the role requirement, removal and reset, re-authentication before unmasking
//! and exports, and the timeline's texts masked until unmasked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use std::sync::Arc;

use chrono::Duration;
use frontline_app::auth::{
    Gate, LoginRequest, ReauthRequest, Session, TotpCodeRequest, TotpPolicyRequest,
};
use frontline_app::demo::DEMO_PASSWORD;
use frontline_app::incident::{IncidentRequest, ListQuery, TransitionRequest, UnmaskRequest};
use frontline_app::{App, AppConfig, AppError, FixedClock};
use frontline_core::{Lang, totp};
use frontline_store::testing::{self, TestDb};
use serde_json::json;

use common::now0;

struct Env {
    app: App,
    clock: Arc<FixedClock>,
    _db: TestDb,
}

/// The demo organisation with a clock the test moves; `strict`: the built-in
/// requirements (administrators need a second factor), else the demo's (none).
async fn start(strict: bool) -> Env {
    let db = testing::fresh().await.unwrap();
    let clock = Arc::new(FixedClock::new(now0()));
    let app = App::open(&db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    app.load_demo(now0(), 0).await.unwrap();
    if !strict {
        common::admin_without_second_factor(&app).await;
    }
    Env {
        app,
        clock,
        _db: db,
    }
}

impl Env {
    fn now_secs(&self) -> i64 {
        self.app.now().timestamp()
    }

    fn code(&self, secret: &str) -> String {
        totp::code_at(secret, self.now_secs()).unwrap()
    }

    async fn login(&self, user: &str) -> (String, Session) {
        self.app
            .login(user, DEMO_PASSWORD, "10.0.0.9")
            .await
            .unwrap()
    }

    /// Enrols `user` and returns its secret (the clock moves on a step, so that the
    /// confirming code is not the next one asked for).
    async fn enrol(&self, user: &str) -> String {
        let (_, s) = self.login(user).await;
        let en = self.app.begin_totp_enrolment(&s).await.unwrap();
        self.app
            .confirm_totp_enrolment(&s, &TotpCodeRequest::code(&self.code(&en.secret)), "t")
            .await
            .unwrap();
        self.clock.advance(Duration::seconds(30));
        en.secret
    }

    async fn audit_actions(&self) -> Vec<String> {
        self.app
            .store
            .audit_entries(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.record.action)
            .collect()
    }
}

fn login_req(user: &str, code: Option<&str>) -> LoginRequest {
    LoginRequest {
        username: user.into(),
        password: DEMO_PASSWORD.into(),
        totp_code: code.map(str::to_string),
    }
}

fn codes<T: std::fmt::Debug>(r: frontline_app::Result<T>) -> Vec<(String, &'static str)> {
    match r {
        Err(AppError::Validation(errs)) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(r: frontline_app::Result<T>) -> &'static str {
    match r {
        Err(AppError::StateConflict(e)) => e.code,
        other => panic!("expected a 409, got {other:?}"),
    }
}

#[tokio::test]
async fn enrolment_is_confirmed_with_a_code_before_it_counts() {
    let e = start(false).await;
    let (_, s) = e.login("s1.desk").await;
    let st = e.app.totp_status(&s).await.unwrap();
    assert!(!st.enrolled && !st.required && !st.pending);
    // Confirming before starting: nothing to confirm.
    assert_eq!(
        conflict(
            e.app
                .confirm_totp_enrolment(&s, &TotpCodeRequest::code("123456"), "t")
                .await
        ),
        "totp.no_enrolment"
    );
    let first = e.app.begin_totp_enrolment(&s).await.unwrap();
    let en = e.app.begin_totp_enrolment(&s).await.unwrap();
    assert_ne!(first.secret, en.secret, "a fresh secret each time");
    assert!(
        en.otpauth_uri
            .starts_with("otpauth://totp/Frontline:s1.desk?secret=")
    );
    assert!(
        format!("{en:?}").find(&en.secret).is_none(),
        "never printed"
    );
    assert!(e.app.totp_status(&s).await.unwrap().pending);
    // Not yet in effect: signing in takes the password only.
    e.app
        .sign_in(&login_req("s1.desk", None), "t")
        .await
        .unwrap();
    // A code of the replaced secret, a malformed one, an unknown field.
    let old = e.code(&first.secret);
    assert_eq!(
        codes(
            e.app
                .confirm_totp_enrolment(&s, &TotpCodeRequest::code(&old), "t")
                .await
        ),
        [("code".into(), "totp_code.wrong")]
    );
    assert_eq!(
        codes(
            e.app
                .confirm_totp_enrolment(&s, &TotpCodeRequest::code("12a"), "t")
                .await
        ),
        [("code".into(), "totp_code.invalid")]
    );
    let unknown = TotpCodeRequest::read(json!({"code": "123456", "x": 1}));
    assert_eq!(
        codes(e.app.confirm_totp_enrolment(&s, &unknown, "t").await),
        [("x".into(), "unknown_field")]
    );
    assert!(
        !e.app.totp_status(&s).await.unwrap().enrolled,
        "refusals change nothing"
    );
    e.app
        .confirm_totp_enrolment(&s, &TotpCodeRequest::code(&e.code(&en.secret)), "t")
        .await
        .unwrap();
    let st = e.app.totp_status(&s).await.unwrap();
    assert!(st.enrolled && !st.pending);
    assert_eq!(
        conflict(e.app.begin_totp_enrolment(&s).await),
        "totp.already_enrolled"
    );
    let actions = e.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "officer.totp.begin")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "officer.totp.enrol")
            .count(),
        1
    );
    // The wrong code was a failed sign-in.
    assert!(actions.iter().any(|a| a == "session.refused"));
    // The secret is in no audit entry.
    let all = e.app.store.audit_entries(0, 10_000).await.unwrap();
    assert!(all.iter().all(|r| !r.record.detail.contains(&en.secret)));
}

#[tokio::test]
async fn sign_in_takes_the_code_once_with_one_step_of_skew() {
    let e = start(false).await;
    let secret = e.enrol("s1.desk").await;
    // The enrolment's code was of the step before: one more, so the previous is free.
    e.clock.advance(Duration::seconds(30));
    // No code: the field error (the password was right); no session.
    assert_eq!(
        codes(e.app.sign_in(&login_req("s1.desk", None), "t").await),
        [("totp_code".into(), "totp_code.required")]
    );
    assert_eq!(
        codes(
            e.app
                .sign_in(&login_req("s1.desk", Some("000000x")), "t")
                .await
        ),
        [("totp_code".into(), "totp_code.invalid")]
    );
    // A code of two steps ago is wrong; the previous step's is still good.
    let two_ago = totp::code_at(&secret, e.now_secs() - 60).unwrap();
    let prev = totp::code_at(&secret, e.now_secs() - 30).unwrap();
    let now = e.code(&secret);
    if two_ago != prev && two_ago != now {
        assert_eq!(
            codes(
                e.app
                    .sign_in(&login_req("s1.desk", Some(&two_ago)), "t")
                    .await
            ),
            [("totp_code".into(), "totp_code.wrong")]
        );
    }
    let (_, s) = e
        .app
        .sign_in(&login_req("s1.desk", Some(&prev)), "t")
        .await
        .unwrap();
    assert!(s.totp_enrolled && !s.second_factor_pending);
    // The same step again (or an earlier one): replay.
    assert_eq!(
        codes(e.app.sign_in(&login_req("s1.desk", Some(&prev)), "t").await),
        [("totp_code".into(), "totp_code.used")]
    );
    // The current step is later: accepted once.
    e.app
        .sign_in(&login_req("s1.desk", Some(&now)), "t")
        .await
        .unwrap();
    assert_eq!(
        codes(e.app.sign_in(&login_req("s1.desk", Some(&now)), "t").await),
        [("totp_code".into(), "totp_code.used")]
    );
    // The next step's code is within the skew.
    let next = totp::code_at(&secret, e.now_secs() + 30).unwrap();
    e.app
        .sign_in(&login_req("s1.desk", Some(&next)), "t")
        .await
        .unwrap();
    let refused = e
        .app
        .store
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.record.action == "session.refused")
        .map(|r| r.record.detail)
        .collect::<Vec<_>>();
    assert!(
        refused.iter().any(|d| d.contains("\"totp_replayed\"")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn wrong_codes_count_in_the_sign_in_back_off() {
    let e = start(false).await;
    let secret = e.enrol("s1.desk").await;
    let right = e.code(&secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert_eq!(
            codes(e.app.sign_in(&login_req("s1.desk", Some(wrong)), "t").await),
            [("totp_code".into(), "totp_code.wrong")]
        );
    }
    // The sixth attempt waits, even with the right code.
    assert!(matches!(
        e.app
            .sign_in(&login_req("s1.desk", Some(&right)), "t")
            .await,
        Err(AppError::Throttled { .. })
    ));
    e.clock.advance(Duration::seconds(31));
    let right = e.code(&secret);
    e.app
        .sign_in(&login_req("s1.desk", Some(&right)), "t")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_browser_signs_in_in_two_steps() {
    let e = start(false).await;
    let secret = e.enrol("s1.desk").await;
    let (token, s) = e
        .app
        .sign_in_first_step(&login_req("s1.desk", None), "t", "agent")
        .await
        .unwrap();
    assert!(s.second_factor_pending);
    assert!(s.expires_at <= e.app.now() + Duration::minutes(5));
    // Good for nothing but the code.
    for gate in [Gate::Full, Gate::Enrol, Gate::Any] {
        assert!(matches!(
            e.app.authenticate_as(&token, gate).await,
            Err(AppError::SecondFactorRequired)
        ));
    }
    let s = e
        .app
        .authenticate_as(&token, Gate::SecondFactor)
        .await
        .unwrap();
    assert_eq!(
        codes(e.app.complete_sign_in(&s, "999", "t").await),
        [("code".into(), "totp_code.invalid")]
    );
    e.app
        .complete_sign_in(&s, &e.code(&secret), "t")
        .await
        .unwrap();
    let full = e.app.authenticate(&token).await.unwrap();
    assert!(full.expires_at > e.app.now() + Duration::hours(11));
    // The step is now a whole session: the second-step gate no longer takes it.
    assert!(matches!(
        e.app.authenticate_as(&token, Gate::SecondFactor).await,
        Err(AppError::Unauthorized)
    ));
    assert!(
        e.audit_actions()
            .await
            .iter()
            .any(|a| a == "session.second_factor")
    );
    // An account without a second factor is signed in at the first step.
    let (_, plain) = e
        .app
        .sign_in_first_step(&login_req("s2.desk", None), "t", "agent")
        .await
        .unwrap();
    assert!(!plain.second_factor_pending);
}

#[tokio::test]
async fn administrators_need_a_second_factor_outside_the_demo() {
    let e = start(true).await;
    let (token, s) = e.login("admin").await;
    assert!(s.totp_enrolment_required);
    assert!(matches!(
        e.app.authenticate(&token).await,
        Err(AppError::TotpEnrolmentRequired)
    ));
    // Enrolment, the password change and sign-out still pass.
    e.app.authenticate_as(&token, Gate::Enrol).await.unwrap();
    e.app.authenticate_any(&token).await.unwrap();
    let st = e.app.totp_status(&s).await.unwrap();
    assert!(st.required && !st.enrolled);
    // Other roles are not affected.
    let (t_desk, _) = e.login("s1.desk").await;
    e.app.authenticate(&t_desk).await.unwrap();
    // Enrolled: the session may do everything.
    let en = e.app.begin_totp_enrolment(&s).await.unwrap();
    e.app
        .confirm_totp_enrolment(&s, &TotpCodeRequest::code(&e.code(&en.secret)), "t")
        .await
        .unwrap();
    let s = e.app.authenticate(&token).await.unwrap();
    // A required factor cannot be removed by its owner.
    e.clock.advance(Duration::seconds(30));
    assert_eq!(
        conflict(
            e.app
                .disable_own_totp(&s, &TotpCodeRequest::code(&e.code(&en.secret)), "t")
                .await
        ),
        "totp.required_by_role"
    );
    let policy = e.app.totp_policy(&s.actor, Lang::En).await.unwrap();
    let admin = policy.iter().find(|p| p.role == "admin").unwrap();
    assert!(admin.required && admin.default_required && admin.updated_at.is_none());
}

#[tokio::test]
async fn an_administrator_requires_it_per_role() {
    let e = start(false).await;
    let admin = e.login("admin").await.1.actor;
    let desk = e.login("s1.desk").await.1.actor;
    // Only administrators see or change the policy.
    assert!(matches!(
        e.app.totp_policy(&desk, Lang::Zh).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        e.app
            .set_totp_policy(
                &desk,
                &TotpPolicyRequest::of("desk_officer", true),
                Lang::Zh
            )
            .await,
        Err(AppError::Forbidden)
    ));
    // Bad input: every problem on its field, nothing changed.
    let before = e.app.store.totp_policy().await.unwrap();
    let bad = TotpPolicyRequest::read(json!({"role": "sheriff", "required": "yes", "x": 1}));
    let mut c = codes(e.app.set_totp_policy(&admin, &bad, Lang::Zh).await);
    c.sort();
    assert_eq!(
        c,
        [
            ("required".into(), "required.not_boolean"),
            ("role".into(), "role.unknown"),
            ("x".into(), "unknown_field")
        ]
    );
    assert_eq!(
        codes(
            e.app
                .set_totp_policy(&admin, &TotpPolicyRequest::read(json!({})), Lang::Zh)
                .await
        ),
        [("role".into(), "required"), ("required".into(), "required")]
    );
    assert_eq!(e.app.store.totp_policy().await.unwrap(), before);
    let (t_desk, _) = e.login("s1.desk").await;
    let list = e
        .app
        .set_totp_policy(
            &admin,
            &TotpPolicyRequest::of("desk_officer", true),
            Lang::Zh,
        )
        .await
        .unwrap();
    let d = list.iter().find(|p| p.role == "desk_officer").unwrap();
    assert!(d.required && !d.default_required && d.updated_at.is_some());
    // A desk officer already signed in can now only enrol.
    assert!(matches!(
        e.app.authenticate(&t_desk).await,
        Err(AppError::TotpEnrolmentRequired)
    ));
    let audit = e.app.store.audit_entries(0, 10_000).await.unwrap();
    let last = audit
        .iter()
        .rev()
        .find(|r| r.record.action == "totp.policy")
        .unwrap();
    assert_eq!(last.record.actor, "admin");
    assert_eq!(last.record.object_id, "desk_officer");
    e.app
        .set_totp_policy(
            &admin,
            &TotpPolicyRequest::of("desk_officer", false),
            Lang::Zh,
        )
        .await
        .unwrap();
    e.app.authenticate(&t_desk).await.unwrap();
}

#[tokio::test]
async fn removing_takes_a_code_and_an_operator_resets() {
    let e = start(false).await;
    let secret = e.enrol("s1.desk").await;
    let (_, s) = e
        .app
        .sign_in(&login_req("s1.desk", Some(&e.code(&secret))), "t")
        .await
        .unwrap();
    e.clock.advance(Duration::seconds(30));
    assert_eq!(
        codes(
            e.app
                .disable_own_totp(&s, &TotpCodeRequest::read(json!({})), "t")
                .await
        ),
        [("code".into(), "required")]
    );
    e.app
        .disable_own_totp(&s, &TotpCodeRequest::code(&e.code(&secret)), "t")
        .await
        .unwrap();
    e.app
        .sign_in(&login_req("s1.desk", None), "t")
        .await
        .unwrap();
    assert_eq!(
        conflict(
            e.app
                .disable_own_totp(&s, &TotpCodeRequest::code("123456"), "t")
                .await
        ),
        "totp.not_enrolled"
    );
    // An operator resets a lost one.
    let secret = e.enrol("s1.desk").await;
    assert!(
        e.app
            .sign_in(&login_req("s1.desk", None), "t")
            .await
            .is_err()
    );
    e.app.reset_totp("cli:root", "s1.desk").await.unwrap();
    e.app
        .sign_in(&login_req("s1.desk", None), "t")
        .await
        .unwrap();
    assert!(matches!(
        e.app.reset_totp("cli:root", "nobody").await,
        Err(AppError::NotFound)
    ));
    let audit = e.app.store.audit_entries(0, 10_000).await.unwrap();
    let reset = audit
        .iter()
        .find(|r| r.record.action == "officer.totp.reset")
        .unwrap();
    assert_eq!(reset.record.actor, "cli:root");
    assert!(
        audit
            .iter()
            .any(|r| r.record.action == "officer.totp.remove")
    );
    assert!(audit.iter().all(|r| !r.record.detail.contains(&secret)));
}

fn incident() -> IncidentRequest {
    IncidentRequest::read(json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "criminal.theft",
        "address": "人民路12号附近",
        "caller": {"name": "王某", "phone": "13800138000", "id_number": "610921199001011234"},
        "narrative": "报警人称其手机被盗。",
    }))
    .unwrap()
}

#[tokio::test]
async fn unmasking_and_exports_need_a_recent_authentication() {
    let e = start(false).await;
    let (token, s) = e.login("s1.desk").await;
    let row = e.app.create_incident(&s.actor, &incident()).await.unwrap();
    let why = UnmaskRequest::listed("callback");
    let all = ListQuery::default();
    // Signing in counts.
    e.app.unmask_caller(&s, row.id, &why).await.unwrap();
    e.app.export_incidents(&s, &all).await.unwrap();
    e.clock.advance(Duration::minutes(11));
    let s = e.app.authenticate(&token).await.unwrap();
    assert!(matches!(
        e.app.unmask_caller(&s, row.id, &why).await,
        Err(AppError::ReauthenticationRequired)
    ));
    assert!(matches!(
        e.app.export_incidents(&s, &all).await,
        Err(AppError::ReauthenticationRequired)
    ));
    // Another station's incident stays 404 before anything else.
    let (_, s2) = e.login("s2.desk").await;
    e.clock.advance(Duration::minutes(11));
    assert!(matches!(
        e.app.unmask_caller(&s2, row.id, &why).await,
        Err(AppError::NotFound)
    ));
    // Bad input, a wrong password: field errors, nothing changed.
    let s = e.app.authenticate(&token).await.unwrap();
    assert_eq!(
        codes(
            e.app
                .reauthenticate(&s, &ReauthRequest::read(json!({})), "t")
                .await
        ),
        [("password".into(), "reauth.required")]
    );
    assert_eq!(
        codes(
            e.app
                .reauthenticate(
                    &s,
                    &ReauthRequest::read(json!({"password": 5, "y": 1})),
                    "t"
                )
                .await
        ),
        [
            ("y".into(), "unknown_field"),
            ("password".into(), "not_text")
        ]
    );
    assert_eq!(
        codes(
            e.app
                .reauthenticate(&s, &ReauthRequest::password("wrong-password"), "t")
                .await
        ),
        [("password".into(), "password.wrong")]
    );
    assert_eq!(
        codes(
            e.app
                .reauthenticate(&s, &ReauthRequest::code("123456"), "t")
                .await
        ),
        [("totp_code".into(), "totp.not_enrolled")]
    );
    assert!(matches!(
        e.app.unmask_caller(&s, row.id, &why).await,
        Err(AppError::ReauthenticationRequired)
    ));
    e.app
        .reauthenticate(&s, &ReauthRequest::password(DEMO_PASSWORD), "t")
        .await
        .unwrap();
    let s = e.app.authenticate(&token).await.unwrap();
    e.app.unmask_caller(&s, row.id, &why).await.unwrap();
    e.app.export_incidents(&s, &all).await.unwrap();
    let audit = e.app.store.audit_entries(0, 10_000).await.unwrap();
    let re = audit
        .iter()
        .find(|r| r.record.action == "session.reauthenticate")
        .unwrap();
    assert_eq!(re.record.actor, "s1.desk");
    assert!(
        re.record.detail.contains("\"with\":\"password\""),
        "{}",
        re.record.detail
    );
    // A second factor's code serves as well.
    let secret = e.enrol("s1.desk").await;
    e.clock.advance(Duration::minutes(11));
    let s = e.app.authenticate(&token).await.unwrap();
    e.app
        .reauthenticate(&s, &ReauthRequest::code(&e.code(&secret)), "t")
        .await
        .unwrap();
    let s = e.app.authenticate(&token).await.unwrap();
    e.app.unmask_caller(&s, row.id, &why).await.unwrap();
}

#[tokio::test]
async fn step_notes_and_details_are_masked_until_unmasked() {
    let e = start(false).await;
    let (_, s) = e.login("s1.desk").await;
    let sent = e.login("s1.community").await.1.actor.officer_id;
    let row = e.app.create_incident(&s.actor, &incident()).await.unwrap();
    let dispatch = TransitionRequest::read(json!({
        "action": "dispatch", "version": 1, "officers": [sent.to_string()],
        "patrol_unit": "巡逻一组 联系13700001111",
    }));
    let row = e
        .app
        .transition_incident(&s.actor, row.id, &dispatch)
        .await
        .unwrap();
    let arrive =
        TransitionRequest::read(json!({ "action": "arrive", "version": row.state.version }));
    let row = e
        .app
        .transition_incident(&s.actor, row.id, &arrive)
        .await
        .unwrap();
    let step = TransitionRequest::read(json!({
        "action": "dispose", "version": row.state.version,
        "note": "已电话联系当事人 13912345678，身份证 110105199003071234",
    }));
    let row = e
        .app
        .transition_incident(&s.actor, row.id, &step)
        .await
        .unwrap();
    let parts = e.app.incident_parts(&row).await.unwrap();
    let d = e.app.incident_detail(&s.actor, &row, &parts, Lang::Zh);
    let text = serde_json::to_string(&d.timeline).unwrap();
    for whole in ["13912345678", "110105199003071234", "13700001111"] {
        assert!(!text.contains(whole), "{whole} masked: {text}");
    }
    assert!(text.contains("139****5678"), "{text}");
    // The officers' ids are data, not text: kept as they are.
    let dispatched = d.timeline.iter().find(|t| t.step == "dispatch").unwrap();
    assert_eq!(dispatched.detail["officers"], json!([sent.to_string()]));
    let whole = e
        .app
        .unmask_caller(&s, row.id, &UnmaskRequest::listed("callback"))
        .await
        .unwrap();
    let text = serde_json::to_string(&whole.timeline).unwrap();
    for t in ["13912345678", "110105199003071234", "13700001111"] {
        assert!(text.contains(t), "{t} whole: {text}");
    }
}

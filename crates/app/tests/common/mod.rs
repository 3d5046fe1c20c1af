//! A fresh database with the demo organisation (no incidents) and a fixed clock.
#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use frontline_app::auth::Session;
use frontline_app::demo::DEMO_PASSWORD;
use frontline_app::{App, AppConfig, FixedClock};
use frontline_core::audit::AuditRecord;
use frontline_core::org::Actor;
use frontline_store::testing::{self, TestDb};

/// 2026-11-22 12:00 Beijing time.
pub(crate) fn now0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap()
}

pub(crate) struct Env {
    pub(crate) app: App,
    pub(crate) db: TestDb,
}

pub(crate) async fn start() -> Env {
    let db = testing::fresh().await.unwrap();
    let app = App::open(
        &db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .unwrap();
    app.load_demo(now0(), 0).await.unwrap();
    admin_without_second_factor(&app).await;
    Env { app, db }
}

/// As `frontline demo` has it: the demo administrator signs in with the password only
/// (outside the demo, administrators need a second factor by default; `totp.rs` tests
/// that default on an environment from [`start_strict`]).
pub(crate) async fn admin_without_second_factor(app: &App) {
    app.store
        .set_totp_policy(
            frontline_store::TotpPolicyRow {
                role: frontline_core::org::Role::Admin,
                required: false,
                updated_at: now0(),
            },
            frontline_store::AuditDraft {
                at: now0(),
                actor_id: None,
                actor: "test".into(),
                action: "totp.policy".into(),
                object_type: "role".into(),
                object_id: "admin".into(),
                purpose: None,
                detail: "{}".into(),
            },
        )
        .await
        .unwrap();
}

/// [`start`] with the built-in second-factor requirements (administrators need one).
pub(crate) async fn start_strict() -> Env {
    let db = testing::fresh().await.unwrap();
    let app = App::open(
        &db.config,
        Arc::new(FixedClock::new(now0())),
        AppConfig::for_tests(),
    )
    .await
    .unwrap();
    app.load_demo(now0(), 0).await.unwrap();
    Env { app, db }
}

/// A session of `actor` that has just signed in (unmasking and exports allowed).
pub(crate) fn signed_in(actor: &Actor) -> Session {
    Session {
        actor: actor.clone(),
        id: uuid::Uuid::now_v7(),
        csrf_token: "csrf".into(),
        token_hash: "not-stored".into(),
        expires_at: now0() + chrono::Duration::hours(12),
        last_seen_at: now0(),
        must_change_password: false,
        authenticated_at: now0(),
        second_factor_pending: false,
        totp_enrolled: false,
        totp_enrolment_required: false,
    }
}

impl Env {
    /// Signs a demo account in and returns who it acts as.
    pub(crate) async fn actor(&self, username: &str) -> Actor {
        let (_, session) = self
            .app
            .login(username, DEMO_PASSWORD, "test")
            .await
            .unwrap();
        session.actor
    }

    /// The sequence number of the newest audit entry (0 when none).
    pub(crate) async fn audit_seq(&self) -> i64 {
        self.app
            .store
            .audit_head()
            .await
            .unwrap()
            .map_or(0, |(seq, _)| seq)
    }

    /// Entries appended after `seq`.
    pub(crate) async fn audit_since(&self, seq: i64) -> Vec<AuditRecord> {
        self.app
            .store
            .audit_entries(seq, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.record)
            .collect()
    }
}

/// [`start`] with a clock the test can move.
pub(crate) async fn start_clocked() -> (Env, Arc<FixedClock>) {
    let db = testing::fresh().await.unwrap();
    let clock = Arc::new(FixedClock::new(now0()));
    let app = App::open(&db.config, clock.clone(), AppConfig::for_tests())
        .await
        .unwrap();
    app.load_demo(now0(), 0).await.unwrap();
    admin_without_second_factor(&app).await;
    (Env { app, db }, clock)
}

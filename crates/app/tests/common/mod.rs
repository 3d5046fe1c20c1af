//! A fresh database with the demo organisation (no incidents) and a fixed clock.
#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
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
    Env { app, db }
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

//! The audit verify use case: an intact chain passes; a changed, removed or reordered
//! entry and a stale head are found, with the entry named. Tampering goes through
//! rusqlite on the SQLite file, so those checks run on SQLite only.
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]

mod common;

use frontline_app::audit::{AuditBreak, verify_audit};
use frontline_app::incident::IncidentRequest;
use frontline_core::audit::ChainBreak;
use frontline_store::{DbConfig, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intact_chain_verifies() {
    let e = common::start().await;
    let desk = e.actor("s1.desk").await;
    let input = IncidentRequest::read(serde_json::json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "criminal.theft",
        "address": "人民路12号附近",
        "caller": {"name": "王某", "phone": "13800138000"},
        "narrative": "报警人称其手机被盗。",
    }))
    .unwrap();
    e.app.create_incident(&desk, &input).await.unwrap();
    let report = e.app.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{report}");
    assert_eq!(report.checked, e.audit_seq().await as u64);
    assert_eq!(
        report.to_string(),
        format!("audit chain intact: {} entries", report.checked)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_log_verifies() {
    let db = frontline_store::testing::fresh().await.unwrap();
    let store = Store::open(&db.config).await.unwrap();
    let report = verify_audit(&store).await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.checked, 0);
}

/// Runs `sql` on the test database's SQLite file; `None` on PostgreSQL.
fn tamper(config: &DbConfig, sql: &str) -> Option<()> {
    let DbConfig::Sqlite { path } = config else {
        return None;
    };
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(sql).unwrap();
    Some(())
}

async fn verify_file(config: &DbConfig) -> frontline_app::audit::AuditReport {
    let store = Store::open(config).await.unwrap();
    verify_audit(&store).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_entry_is_found() {
    let e = common::start().await;
    e.actor("s1.desk").await;
    e.actor("s2.desk").await;
    let total = e.audit_seq().await;
    assert!(total >= 3, "sign-ins write entries");
    let common::Env { app, db } = e;
    drop(app);
    let config = db.config.clone();
    if tamper(
        &config,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
    )
    .is_none()
    {
        return;
    }
    let report = verify_file(&config).await;
    assert_eq!(
        report.broken,
        Some(AuditBreak {
            seq: Some(2),
            reason: ChainBreak::HashMismatch { seq: 2 },
        })
    );
    assert_eq!(report.checked, 1, "entries before the break");
    assert!(
        report
            .to_string()
            .starts_with("audit chain BROKEN at entry 2: "),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_tail_is_found_at_the_head() {
    let e = common::start().await;
    let total = e.audit_seq().await;
    let common::Env { app, db } = e;
    drop(app);
    let config = db.config.clone();
    if tamper(
        &config,
        &format!("DELETE FROM audit_log WHERE seq = {total}"),
    )
    .is_none()
    {
        return;
    }
    let report = verify_file(&config).await;
    assert_eq!(
        report.broken,
        Some(AuditBreak {
            seq: None,
            reason: ChainBreak::Head {
                head_seq: total,
                last_seq: total - 1,
            },
        })
    );
    assert!(
        report.to_string().starts_with("audit chain BROKEN: "),
        "{report}"
    );
}

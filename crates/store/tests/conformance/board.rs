//! The live board's announcements: on PostgreSQL every committed incident creation is
//! announced on `frontline_incident` as `<id>:<version>` from inside its transaction, so
//! a write that fails (its savepoint rolled back, even in a batch with successes)
//! announces nothing. SQLite has no other instance: the app announces after commit,
//! and `listen` returns at once.

use std::time::Duration;

use frontline_store::Store;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_creations_are_announced_and_failed_ones_are_not() {
    let (_db, store, org) = with_org().await;
    let (ready, heard) = oneshot::channel();
    let (to, mut payloads) = mpsc::unbounded_channel();
    if store.engine() != "postgres" {
        store
            .listen(Store::INCIDENT_CHANNEL, ready, to)
            .await
            .unwrap();
        assert!(heard.await.is_err(), "SQLite never says it listens");
        return;
    }
    let listener = store.clone();
    let task =
        tokio::spawn(async move { listener.listen(Store::INCIDENT_CHANNEL, ready, to).await });
    heard.await.unwrap();

    let t = ts("2026-04-01T02:00:00Z");
    let good = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    let mut ghost = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    ghost.created_by = Uuid::now_v7();
    // Sent together, so that both are likely to share one batch transaction.
    let (ok, failed) = tokio::join!(
        store.create_incident(good.clone(), incident_draft(&good)),
        store.create_incident(ghost.clone(), incident_draft(&ghost)),
    );
    ok.unwrap();
    assert!(failed.is_err());
    let first = tokio::time::timeout(Duration::from_secs(5), payloads.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, format!("{}:1", good.id));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), payloads.recv())
            .await
            .is_err(),
        "the failed creation announced nothing"
    );
    // Closing the receiving side ends the listener at its next notification.
    drop(payloads);
    let more = new_incident(&org.s01, &org.desk01, t, "criminal.fraud");
    create(&store, &more).await;
    assert!(
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap()
            .is_ok()
    );
}

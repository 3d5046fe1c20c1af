//! The outbox: exclusive claims, leases, retries, and the inbox it delivers to.

use std::collections::HashSet;

use frontline_store::{NewMessage, NotificationRow, OutboxCounts};

use crate::common::*;

fn message(key: &str, at: DateTime<Utc>) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        created_at: at,
        channel: "inbox".into(),
        recipient: "r".into(),
        idempotency_key: key.into(),
        payload: "{}".into(),
    }
}

fn notice(officer: Uuid, key: &str, at: DateTime<Utc>) -> NotificationRow {
    NotificationRow {
        id: Uuid::now_v7(),
        officer_id: officer,
        created_at: at,
        kind: "incident.dispatch".into(),
        title_zh: "派警".into(),
        title_en: "Dispatch".into(),
        body: "人民路12号".into(),
        link: Some("/incidents/x".into()),
        read_at: None,
        idempotency_key: key.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_message() {
    let (_db, store) = fresh_store().await;
    let t = ts("2026-11-22T02:00:00Z");
    let all: Vec<NewMessage> = (0..300).map(|i| message(&format!("k{i}"), t)).collect();
    // The same key twice is one message.
    let mut again = all.clone();
    again.truncate(5);
    for m in &mut again {
        m.id = Uuid::now_v7();
    }
    store.enqueue_messages(all.clone()).await.unwrap();
    store.enqueue_messages(again).await.unwrap();
    assert_eq!(store.outbox_counts().await.unwrap().pending, 300);

    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = store
                    .claim_messages(t, t + Duration::seconds(30), 17)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break got;
                }
                got.extend(batch.into_iter().map(|m| m.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for id in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(id), "claimed twice: {id}");
        }
    }
    assert_eq!(total, 300, "every message claimed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_retries_and_giving_up() {
    let (_db, store) = fresh_store().await;
    let t = ts("2026-11-22T02:00:00Z");
    let m = message("one", t);
    store.enqueue_messages(vec![m.clone()]).await.unwrap();
    let lease = Duration::seconds(30);
    let first = store.claim_messages(t, t + lease, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    // Leased: nobody else gets it until the lease runs out (a crashed claimer).
    assert!(
        store
            .claim_messages(t + Duration::seconds(29), t + lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_messages(t + lease, t + lease * 2, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    // A failure schedules a retry; before it nothing is due.
    store
        .fail_message(m.id, Some(t + Duration::minutes(5)), "gateway 503".into())
        .await
        .unwrap();
    assert!(
        store
            .claim_messages(t + Duration::minutes(4), t + Duration::minutes(10), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let third = store
        .claim_messages(t + Duration::minutes(5), t + Duration::minutes(6), 10)
        .await
        .unwrap();
    assert_eq!(third[0].attempts, 3);
    store
        .fail_message(m.id, None, "gave up".into())
        .await
        .unwrap();
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            delivered: 0,
            dead: 1
        }
    );
    assert!(
        store
            .claim_messages(t + Duration::days(1), t + Duration::days(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_delivery_is_once_per_key_and_private_to_its_officer() {
    let (_db, store, org) = with_org().await;
    let t = ts("2026-11-22T02:00:00Z");
    let m = message("dispatch:1", t);
    store.enqueue_messages(vec![m.clone()]).await.unwrap();
    let n = notice(org.desk01.id, "dispatch:1", t);
    // Delivered twice (a retry after a lost acknowledgement): one notification.
    store
        .deliver_notification(m.id, n.clone(), t)
        .await
        .unwrap();
    let mut dup = n.clone();
    dup.id = Uuid::now_v7();
    store.deliver_notification(m.id, dup, t).await.unwrap();
    let mine = store.notifications(org.desk01.id, 20, 0).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].title_zh, "派警");
    assert_eq!(store.unread_notifications(org.desk01.id).await.unwrap(), 1);
    assert_eq!(store.outbox_counts().await.unwrap().delivered, 1);
    // Someone else can neither see nor mark it.
    assert!(
        store
            .notifications(org.chief.id, 20, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .mark_notification_read(org.chief.id, n.id, t)
            .await
            .unwrap()
    );
    assert_eq!(store.unread_notifications(org.desk01.id).await.unwrap(), 1);
    assert!(
        store
            .mark_notification_read(org.desk01.id, n.id, t)
            .await
            .unwrap()
    );
    assert_eq!(store.unread_notifications(org.desk01.id).await.unwrap(), 0);
}

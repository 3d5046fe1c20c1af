//! Officers and sessions.

use crate::common::*;

// ============================================================================
// 3. Officers and sessions
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_insert_read_delete() {
    let (_db, store, org) = with_org().await;
    let s = session_for(&org.desk01, "tok-a");
    store
        .insert_session(s.clone(), draft("session.create", "session", "tok-a"))
        .await
        .unwrap();
    assert_eq!(
        store.session("tok-a").await.unwrap(),
        Some(truncated_session(&s))
    );
    assert_eq!(store.session("tok-b").await.unwrap(), None);

    let before = head(&store).await;
    let err = store
        .insert_session(
            session_for(&org.desk02, "tok-a"),
            draft("session.create", "session", "tok-a"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate token: {err:?}"
    );
    assert_eq!(
        store.session("tok-a").await.unwrap(),
        Some(truncated_session(&s)),
        "original kept"
    );

    let mut orphan = session_for(&org.desk01, "tok-orphan");
    orphan.officer_id = Uuid::now_v7();
    let err = store
        .insert_session(orphan, draft("session.create", "session", "tok-orphan"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "unknown officer: {err:?}");
    assert_eq!(store.session("tok-orphan").await.unwrap(), None);
    assert_eq!(
        head(&store).await,
        before,
        "failed writes leave no audit entry"
    );

    store
        .delete_session("tok-a", draft("session.delete", "session", "tok-a"))
        .await
        .unwrap();
    assert_eq!(store.session("tok-a").await.unwrap(), None);
    assert_eq!(head(&store).await.0, before.0 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_officer_auth_and_disabling_ends_sessions() {
    let (_db, store, org) = with_org().await;
    for (o, t) in [
        (&org.desk01, "a1"),
        (&org.desk01, "a2"),
        (&org.desk02, "b1"),
    ] {
        store
            .insert_session(session_for(o, t), draft("session.create", "session", t))
            .await
            .unwrap();
    }

    // Password change only: sessions stay, disabled untouched.
    store
        .update_officer_auth(
            org.desk01.id,
            Some("new-hash".into()),
            None,
            draft("officer.password", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!((o.password_hash.as_str(), o.disabled), ("new-hash", false));
    assert!(store.session("a1").await.unwrap().is_some());

    // Disable: that officer's sessions go, the others stay, the hash stays.
    store
        .update_officer_auth(
            org.desk01.id,
            None,
            Some(true),
            draft("officer.disable", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!((o.password_hash.as_str(), o.disabled), ("new-hash", true));
    assert_eq!(store.session("a1").await.unwrap(), None);
    assert_eq!(store.session("a2").await.unwrap(), None);
    assert!(
        store.session("b1").await.unwrap().is_some(),
        "other officers keep their sessions"
    );

    // Re-enable: no sessions come back.
    store
        .update_officer_auth(
            org.desk01.id,
            None,
            Some(false),
            draft("officer.enable", "officer", "x"),
        )
        .await
        .unwrap();
    assert!(
        !store
            .officer_by_id(org.desk01.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    assert_eq!(store.session("a1").await.unwrap(), None);

    // Unknown officer: NotFound, nothing written.
    let before = head(&store).await;
    let err = store
        .update_officer_auth(
            Uuid::now_v7(),
            None,
            Some(true),
            draft("officer.disable", "officer", "?"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(head(&store).await, before);
    assert!(store.session("b1").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_officer_round_trip_and_conflict() {
    let (_db, store, org) = with_org().await;
    let o = officer(
        &org.s010,
        "s010.case",
        &[Role::CaseOfficer],
        false,
        Some("030001"),
    );
    store
        .insert_officer(
            o.clone(),
            draft("officer.create", "officer", &o.id.to_string()),
        )
        .await
        .unwrap();
    assert!(store.officer_by_username("s010.case").await.unwrap() == Some(truncated_officer(&o)));

    let before = head(&store).await;
    let dup = officer(&org.s02, "s010.case", &[Role::CaseOfficer], false, None);
    let err = store
        .insert_officer(dup.clone(), draft("officer.create", "officer", "dup"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(store.officer_by_id(dup.id).await.unwrap().is_none());

    let mut same_id = officer(&org.s02, "another", &[Role::CaseOfficer], false, None);
    same_id.id = o.id;
    let err = store
        .insert_officer(same_id, draft("officer.create", "officer", "dup-id"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        store
            .officer_by_username("another")
            .await
            .unwrap()
            .is_none()
    );

    let mut no_unit = officer(&org.s02, "no.unit", &[Role::CaseOfficer], false, None);
    no_unit.unit_id = Uuid::now_v7();
    let err = store
        .insert_officer(no_unit, draft("officer.create", "officer", "no-unit"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(
        head(&store).await,
        before,
        "failed inserts leave no audit entry"
    );
}

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
            Some(true),
            None,
            draft("officer.password", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!(
        (o.password_hash.as_str(), o.must_change_password, o.disabled),
        ("new-hash", true, false)
    );
    assert!(store.session("a1").await.unwrap().is_some());

    // Disable: that officer's sessions go, the others stay, the hash stays.
    store
        .update_officer_auth(
            org.desk01.id,
            None,
            None,
            Some(true),
            draft("officer.disable", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!(
        (o.password_hash.as_str(), o.must_change_password, o.disabled),
        ("new-hash", true, true)
    );
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
    let mut o = officer(
        &org.s010,
        "s010.case",
        &[Role::CaseOfficer],
        false,
        Some("030001"),
    );
    o.must_change_password = true;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_touched_forward_listed_per_officer_and_ended_by_their_owner() {
    let (_db, store, org) = with_org().await;
    let mut older = session_for(&org.desk01, "t-old");
    older.last_seen_at = older.created_at - Duration::minutes(5);
    let newer = session_for(&org.desk01, "t-new");
    let theirs = session_for(&org.desk02, "t-theirs");
    for s in [&older, &newer, &theirs] {
        store
            .insert_session(s.clone(), draft("session.create", "session", &s.token_hash))
            .await
            .unwrap();
    }
    let ids = |v: Vec<SessionRow>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.sessions_of(org.desk01.id).await.unwrap()),
        [newer.id, older.id],
        "most recently used first"
    );
    assert_eq!(
        store.sessions_of(org.desk01.id).await.unwrap()[1],
        truncated_session(&older)
    );

    // A touch moves last_seen_at forward, never back, and writes no audit entry.
    let before = head(&store).await;
    let later = newer.created_at + Duration::minutes(10);
    store.touch_session("t-old", later).await.unwrap();
    store
        .touch_session("t-old", later - Duration::minutes(1))
        .await
        .unwrap();
    store.touch_session("no-such", later).await.unwrap();
    assert_eq!(
        store.session("t-old").await.unwrap().unwrap().last_seen_at,
        truncate_micros(later)
    );
    assert_eq!(head(&store).await, before);
    assert_eq!(
        ids(store.sessions_of(org.desk01.id).await.unwrap()),
        [older.id, newer.id]
    );

    // Another officer's session, or an unknown id: NotFound, nothing written.
    for (officer, id) in [(org.desk02.id, older.id), (org.desk01.id, Uuid::now_v7())] {
        let err = store
            .delete_session_of(officer, id, draft("session.delete", "session", "x"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
    assert_eq!(head(&store).await, before);
    assert!(store.session("t-old").await.unwrap().is_some());
    let th = store
        .delete_session_of(
            org.desk01.id,
            older.id,
            draft("session.delete", "session", "x"),
        )
        .await
        .unwrap();
    assert_eq!(th, "t-old");
    assert_eq!(store.session("t-old").await.unwrap(), None);
    assert_eq!(head(&store).await.0, before.0 + 1);
    assert_eq!(
        ids(store.sessions_of(org.desk02.id).await.unwrap()),
        [theirs.id]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_own_password_change_clears_the_flag_and_ends_the_other_sessions() {
    let (_db, store, org) = with_org().await;
    store
        .update_officer_auth(
            org.desk01.id,
            Some("operator-hash".into()),
            Some(true),
            None,
            draft("officer.password", "officer", "x"),
        )
        .await
        .unwrap();
    for (o, t) in [
        (&org.desk01, "keep"),
        (&org.desk01, "end"),
        (&org.desk02, "other"),
    ] {
        store
            .insert_session(session_for(o, t), draft("session.create", "session", t))
            .await
            .unwrap();
    }
    let before = head(&store).await;
    store
        .set_own_password(
            org.desk01.id,
            "own-hash".into(),
            "keep",
            draft("officer.password", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!(
        (o.password_hash.as_str(), o.must_change_password),
        ("own-hash", false)
    );
    assert!(store.session("keep").await.unwrap().is_some());
    assert_eq!(store.session("end").await.unwrap(), None);
    assert!(store.session("other").await.unwrap().is_some());
    assert_eq!(head(&store).await.0, before.0 + 1);

    let before = head(&store).await;
    let err = store
        .set_own_password(
            Uuid::now_v7(),
            "h".into(),
            "keep",
            draft("officer.password", "officer", "?"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(head(&store).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_count_per_username_and_client_and_are_forgotten() {
    let (_db, store, _org) = with_org().await;
    let t0 = now_ns();
    let fail = |user: &'static str, client: &'static str, at: DateTime<Utc>| {
        let store = store.clone();
        async move {
            let mut d = draft("session.refused", "officer", "");
            d.at = at;
            d.actor = user.into();
            store
                .record_sign_in_failure(user, client, at - Duration::hours(1), d)
                .await
                .unwrap();
        }
    };
    assert_eq!(
        store.sign_in_failures("s1.desk", "10.0.0.1").await.unwrap(),
        SignInFailures::default()
    );
    let before = head(&store).await;
    fail("s1.desk", "10.0.0.1", t0).await;
    fail("s1.desk", "10.0.0.2", t0 + Duration::seconds(1)).await;
    fail("s2.desk", "10.0.0.1", t0 + Duration::seconds(2)).await;
    assert_eq!(
        head(&store).await.0,
        before.0 + 3,
        "each failure is audited"
    );
    let f = store.sign_in_failures("s1.desk", "10.0.0.1").await.unwrap();
    let at = |s: i64| truncate_micros(t0 + Duration::seconds(s));
    assert_eq!(f.username.map(|f| (f.count, f.last_at)), Some((2, at(1))));
    assert_eq!(f.client.map(|f| (f.count, f.last_at)), Some((2, at(2))));
    // Usernames and addresses are separate keys, even when the texts are equal.
    let f = store.sign_in_failures("10.0.0.1", "s1.desk").await.unwrap();
    assert_eq!(f, SignInFailures::default());
    // A success clears the username's counter, not the address's.
    store.clear_sign_in_failures("s1.desk").await.unwrap();
    let f = store.sign_in_failures("s1.desk", "10.0.0.1").await.unwrap();
    assert_eq!(f.username, None);
    assert_eq!(f.client.map(|f| f.count), Some(2));
    // A failure an hour after a counter's last one starts it again, and clears the
    // quiet counters of everyone else.
    fail(
        "s2.desk",
        "10.0.0.9",
        t0 + Duration::seconds(2) + Duration::hours(1),
    )
    .await;
    let f = store.sign_in_failures("s2.desk", "10.0.0.1").await.unwrap();
    assert_eq!(f.username.map(|f| f.count), Some(1));
    assert_eq!(f.client, None);
    assert_eq!(
        store.sign_in_failures("s1.desk", "10.0.0.2").await.unwrap(),
        SignInFailures::default()
    );
}

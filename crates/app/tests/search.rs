//! Full-text search over incidents: exactly the incidents that contain a term (checked
//! against `contains` over a generated corpus), identifiers not searchable, combined
//! with the list filters and the actor's scope, bad terms refused, and the index kept
//! from the change log (catch-up, the background indexer, restarts without a rebuild).
#![allow(clippy::unwrap_used, reason = "test helpers stop loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index what they just asserted"
)]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use frontline_app::incident::{IncidentRequest, ListQuery, TransitionRequest};
use frontline_app::{App, AppConfig, AppError, FixedClock};
use frontline_core::ident::mask_identifiers;
use frontline_core::org::Actor;
use frontline_core::search::folded;
use frontline_store::IncidentRow;
use serde_json::json;
use uuid::Uuid;

fn intake(narrative: &str, address: &str) -> IncidentRequest {
    IncidentRequest::read(json!({
        "reported_at": "2026-11-22T10:00:00+08:00",
        "category": "criminal.theft",
        "address": address,
        "caller": {"name": "王某", "phone": "13800138000"},
        "narrative": narrative,
    }))
    .unwrap()
}

fn q(term: &str) -> ListQuery {
    ListQuery {
        q: Some(term.into()),
        per_page: Some("100".into()),
        ..ListQuery::default()
    }
}

/// Every id a query finds, over all its pages.
async fn found(app: &App, actor: &Actor, query: &ListQuery) -> (BTreeSet<Uuid>, i64) {
    let mut ids = BTreeSet::new();
    let mut page = 1;
    loop {
        let mut pq = query.clone();
        pq.page = Some(page.to_string());
        let (rows, total, _, per_page) = app.list_incidents(actor, &pq).await.unwrap();
        let n = rows.len() as i64;
        ids.extend(rows.into_iter().map(|r| r.id));
        if n < per_page || page * per_page >= total {
            return (ids, total);
        }
        page += 1;
    }
}

/// Every incident in the database (the command centre sees the whole bureau).
async fn all_rows(app: &App, actor: &Actor) -> Vec<IncidentRow> {
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let lq = ListQuery {
            per_page: Some("100".into()),
            page: Some(page.to_string()),
            ..ListQuery::default()
        };
        let (r, total, _, _) = app.list_incidents(actor, &lq).await.unwrap();
        rows.extend(r);
        if rows.len() as i64 >= total {
            return rows;
        }
        page += 1;
    }
}

/// What the index must answer, computed without it.
fn expected(rows: &[IncidentRow], term: &str) -> BTreeSet<Uuid> {
    let t = folded(term);
    rows.iter()
        .filter(|r| {
            folded(&mask_identifiers(&r.narrative)).contains(&t)
                || folded(&mask_identifiers(&r.address)).contains(&t)
        })
        .map(|r| r.id)
        .collect()
}

/// A demo jurisdiction with `n` demo incidents and a few hand-written ones, indexed.
async fn corpus(n: usize) -> (common::Env, Vec<IncidentRow>) {
    let db = frontline_store::testing::fresh().await.unwrap();
    let app = App::open(
        &db.config,
        Arc::new(FixedClock::new(common::now0())),
        AppConfig::for_tests(),
    )
    .await
    .unwrap();
    app.load_demo(common::now0(), n).await.unwrap();
    let env = common::Env { app, db };
    let desk = env.actor("s1.desk").await;
    for (narrative, address) in [
        ("报警人称其电瓶车被盗。", "人民路12号"),
        ("小区内电瓶被偷，怀疑是盗窃团伙所为。", "解放路3号院"),
        ("有人盗窃自行车，嫌疑人逃跑。", "城关镇东街"),
        (
            "报警人电话13912345678，身份证号110105199003071234，称钱包被盗窃。",
            "西街88号",
        ),
        ("ATM机旁有可疑人员，Ｂａｎｋ门口。", "建设路 Bank 大厦"),
    ] {
        env.app
            .create_incident(&desk, &intake(narrative, address))
            .await
            .unwrap();
    }
    env.app.search_catch_up().await.unwrap();
    let command = env.actor("command").await;
    let rows = all_rows(&env.app, &command).await;
    (env, rows)
}

#[test]
fn terms_find_exactly_the_incidents_that_contain_them() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (env, rows) = rt.block_on(corpus(400));
    let command = rt.block_on(env.actor("command"));
    assert!(rows.len() > 400, "{}", rows.len());

    // The terms first.
    for term in ["盗窃", "电瓶", "电瓶车被盗", "bank", "ＡＴＭ"] {
        let (ids, total) = rt.block_on(found(&env.app, &command, &q(term)));
        let want = expected(&rows, term);
        assert!(!want.is_empty(), "{term}");
        assert_eq!(ids, want, "{term}");
        assert_eq!(total as usize, want.len(), "{term}");
    }

    // Then many: substrings of the corpus's own texts (2–6 characters, present by
    // construction) and pairs of common characters (often absent).
    let texts: Vec<Vec<char>> = rows
        .iter()
        .flat_map(|r| [mask_identifiers(&r.narrative), mask_identifiers(&r.address)])
        .map(|t| t.chars().collect())
        .collect();
    let alphabet: Vec<char> = "盗窃电瓶车被报警人称路号有打架纠纷手机钱包门口小区"
        .chars()
        .collect();
    let from_text = (0..texts.len(), 0usize..200, 2usize..=6).prop_filter_map(
        "a substring without white space",
        {
            let texts = texts.clone();
            move |(i, start, len)| {
                let t = &texts[i];
                if t.len() < 2 {
                    return None;
                }
                let start = start % (t.len() - 1);
                let end = (start + len).min(t.len());
                let s: String = t[start..end].iter().collect();
                (s.chars().count() >= 2 && !s.chars().any(char::is_whitespace)).then_some(s)
            }
        },
    );
    let pair = (0..alphabet.len(), 0..alphabet.len())
        .prop_map(move |(a, b)| [alphabet[a], alphabet[b]].iter().collect::<String>());
    let mut runner = TestRunner::new(Config {
        cases: 150,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop_oneof![from_text, pair], |term| {
            let (ids, total) = rt.block_on(found(&env.app, &command, &q(&term)));
            let want = expected(&rows, &term);
            prop_assert_eq!(&ids, &want, "term {}", term);
            prop_assert_eq!(total as usize, want.len(), "term {}", term);
            Ok(())
        })
        .unwrap();

    // Several terms: all must occur (in the narrative or the address).
    let (ids, _) = rt.block_on(found(&env.app, &command, &q("盗窃 西街")));
    let want: BTreeSet<Uuid> = expected(&rows, "盗窃")
        .intersection(&expected(&rows, "西街"))
        .copied()
        .collect();
    assert_eq!(ids, want);
    assert_eq!(ids.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_and_id_numbers_are_not_searchable() {
    let (env, _) = corpus(0).await;
    let command = env.actor("command").await;
    // The incident is there, found by its words...
    let (ids, _) = found(&env.app, &command, &q("钱包被盗窃")).await;
    assert_eq!(ids.len(), 1);
    // ...but not by the caller's numbers typed into the narrative, whole or in part.
    for term in [
        "13912345678",
        "1234567",
        "3912",
        "110105199003071234",
        "19900307",
        "0307",
    ] {
        let (ids, total) = found(&env.app, &command, &q(term)).await;
        assert!(ids.is_empty() && total == 0, "{term} found {total}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_combines_with_the_filters_and_stays_in_scope() {
    let (env, _) = corpus(0).await;
    let desk1 = env.actor("s1.desk").await;
    let desk2 = env.actor("s2.desk").await;
    let (ids, total) = found(&env.app, &desk1, &q("盗窃")).await;
    assert_eq!((ids.len(), total), (3, 3));
    let (ids, total) = found(&env.app, &desk2, &q("盗窃")).await;
    assert!(
        ids.is_empty() && total == 0,
        "another station finds nothing"
    );

    let with = |patch: ListQuery| ListQuery {
        q: Some("盗窃".into()),
        ..patch
    };
    let (ids, _) = found(
        &env.app,
        &desk1,
        &with(ListQuery {
            status: Some("registered".into()),
            ..ListQuery::default()
        }),
    )
    .await;
    assert_eq!(ids.len(), 3);
    for (status, n) in [("closed", 0), ("open", 3), ("dispatched", 0)] {
        let (ids, total) = found(
            &env.app,
            &desk1,
            &with(ListQuery {
                status: Some(status.into()),
                ..ListQuery::default()
            }),
        )
        .await;
        assert_eq!((ids.len(), total), (n, n as i64), "{status}");
    }
    for (category, n) in [("criminal", 3), ("criminal.theft", 3), ("traffic", 0)] {
        let (ids, _) = found(
            &env.app,
            &desk1,
            &with(ListQuery {
                category: Some(category.into()),
                ..ListQuery::default()
            }),
        )
        .await;
        assert_eq!(ids.len(), n, "{category}");
    }
    for (from, to, n) in [
        ("2026-11-22", "2026-11-22", 3),
        ("2026-11-23", "", 0),
        ("", "2026-11-21", 0),
    ] {
        let (ids, _) = found(
            &env.app,
            &desk1,
            &with(ListQuery {
                from: Some(from.into()),
                to: Some(to.into()),
                ..ListQuery::default()
            }),
        )
        .await;
        assert_eq!(ids.len(), n, "{from}..{to}");
    }
    // A unit filter: the own station, and another one (nothing of it is in scope).
    let s1 = env.app.org.unit(desk1.unit_id).unwrap().id;
    let s2 = env.app.org.unit(desk2.unit_id).unwrap().id;
    for (unit, n) in [(s1, 3), (s2, 0)] {
        let (ids, _) = found(
            &env.app,
            &desk1,
            &with(ListQuery {
                unit_id: Some(unit.to_string()),
                ..ListQuery::default()
            }),
        )
        .await;
        assert_eq!(ids.len(), n);
    }
    // The export takes the same search.
    let rows = env
        .app
        .export_incidents(&common::signed_in(&desk1), &q("电瓶"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_terms_are_field_errors_and_change_nothing() {
    let (env, _) = corpus(0).await;
    let desk = env.actor("s1.desk").await;
    let seq = env.audit_seq().await;
    for (term, code) in [
        ("盗", "q.too_short"),
        (" 盗 ", "q.too_short"),
        (&"盗".repeat(101), "q.too_long"),
        (&"盗".repeat(500), "q.too_long"),
        ("电瓶 盗", "q.term_too_short"),
    ] {
        match env.app.list_incidents(&desk, &q(term)).await {
            Err(AppError::Validation(errs)) => {
                assert_eq!(errs.len(), 1, "{errs:?}");
                assert_eq!((errs[0].field.as_str(), errs[0].code), ("q", code));
                assert!(!errs[0].zh.is_empty() && !errs[0].en.is_empty());
            }
            other => panic!("{term}: {other:?}"),
        }
    }
    // Paging past the search window is refused on `page`.
    let far = ListQuery {
        page: Some("200".into()),
        ..q("盗窃")
    };
    match env.app.list_incidents(&desk, &far).await {
        Err(AppError::Validation(errs)) => assert_eq!(errs[0].code, "page.search_window"),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.audit_seq().await, seq);
}

/// An App on the test database with its index in `dir`.
async fn open_with_dir(db: &frontline_store::testing::TestDb, dir: &std::path::Path) -> App {
    App::open(
        &db.config,
        Arc::new(FixedClock::new(common::now0())),
        AppConfig {
            search_dir: Some(dir.to_path_buf()),
            ..AppConfig::for_tests()
        },
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_catches_up_from_the_change_log_and_survives_a_restart() {
    let db = frontline_store::testing::fresh().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = open_with_dir(&db, dir.path()).await;
    app.load_demo(common::now0(), 60).await.unwrap();
    assert!(app.search.needs_rebuild(), "a new index is built first");
    app.search_catch_up().await.unwrap();
    assert!(!app.search.needs_rebuild());
    assert_eq!(app.search.doc_count(), 60);
    let env = common::Env { app, db };
    let desk = env.actor("s1.desk").await;

    // A new incident: in the database at once, in the index after catch-up.
    let row = env
        .app
        .create_incident(&desk, &intake("仓库里的獬豸雕像被撬", "青禾工业园"))
        .await
        .unwrap();
    let (ids, _) = found(&env.app, &desk, &q("獬豸")).await;
    assert!(ids.is_empty(), "not indexed before catch-up");
    assert_eq!(env.app.search_catch_up().await.unwrap(), 1);
    let (ids, _) = found(&env.app, &desk, &q("獬豸")).await;
    assert_eq!(ids, BTreeSet::from([row.id]));
    let mark = env.app.search.mark();
    assert_eq!(mark, env.app.store.last_incident_change().await.unwrap());

    // A step changes the status the index filters on.
    env.app
        .transition_incident(
            &desk,
            row.id,
            &TransitionRequest::read(
                json!({"action": "refer", "version": 1, "receiver": "12345热线", "note": "非警务"}),
            ),
        )
        .await
        .unwrap();
    env.app.search_catch_up().await.unwrap();
    let referred = ListQuery {
        status: Some("referred".into()),
        ..q("獬豸")
    };
    let (ids, _) = found(&env.app, &desk, &referred).await;
    assert_eq!(ids, BTreeSet::from([row.id]));
    let mark = env.app.search.mark();
    let docs = env.app.search.doc_count();

    // A restart: the index opens with its mark and answers at once, no rebuild.
    let common::Env { app, db } = env;
    drop(app);
    let again = open_with_dir(&db, dir.path()).await;
    assert!(!again.search.needs_rebuild());
    assert_eq!(again.search.mark(), mark);
    assert_eq!(again.search.doc_count(), docs);
    let (ids, _) = found(&again, &desk, &referred).await;
    assert_eq!(ids, BTreeSet::from([row.id]));
    assert_eq!(
        again.search_catch_up().await.unwrap(),
        0,
        "nothing to apply"
    );

    // The background indexer (as `serve` runs it) picks up a new incident in seconds.
    let indexer = tokio::spawn(again.clone().run_search_indexer());
    let row2 = again
        .create_incident(&desk, &intake("店里的貔貅摆件失窃", "青禾工业园"))
        .await
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let (ids, _) = found(&again, &desk, &q("貔貅")).await;
        if ids.contains(&row2.id) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "not findable after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    indexer.abort();

    // A rebuild gives the same index.
    let n = again.search_rebuild(&|_, _| {}).await.unwrap();
    assert_eq!(n, 62);
    again.search_catch_up().await.unwrap();
    assert_eq!(again.search.doc_count(), 62);
    let (ids, _) = found(&again, &desk, &q("貔貅")).await;
    assert_eq!(ids, BTreeSet::from([row2.id]));
}

//! Statistics rollups: kept in each write, they agree with a GROUP BY over the incidents
//! for every grouping and any range (whole months, ragged ends, weeks), move a re-done
//! step instead of counting it twice, and a rebuild gives the same cells.

use chrono::{Duration, NaiveDate};
use frontline_core::incident::lifecycle::Status;
use frontline_core::incident::stats::{self, Measure, StatFacts, day_number};
use frontline_store::{StatCount, StatPeriod, StatQuery};

use crate::common::*;

fn facts(n: &NewIncident, st: &IncidentState) -> StatFacts {
    StatFacts {
        unit_id: n.unit_id,
        category: n.category.clone(),
        reported_at: n.reported_at,
        dispatched_at: st.dispatched_at,
        arrived_at: st.arrived_at,
        disposed_at: st.disposed_at,
        target: (n.category == "criminal.robbery").then(|| Duration::minutes(5)),
    }
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn query(
    from: i32,
    to: i32,
    by_unit: bool,
    by_category: bool,
    period: Option<StatPeriod>,
) -> StatQuery {
    StatQuery {
        units: None,
        from_day: from,
        to_day: to,
        category: None,
        by_unit,
        by_category,
        period,
        max_groups: 10_000,
    }
}

/// Counts without the target columns (the plain GROUP BY cannot know targets).
type Counted = (Option<uuid::Uuid>, Option<String>, Option<i32>, i64);

fn counts_only(v: Vec<StatCount>) -> Vec<Counted> {
    let mut v: Vec<_> = v
        .into_iter()
        .map(|c| (c.unit_id, c.category, c.period, c.incidents))
        .collect();
    v.sort();
    v
}

/// Files incidents over 2025-12 … 2026-03 at two stations, in three categories, at
/// hours that cross the Beijing midnight, and moves some through their lifecycle.
async fn filed(store: &Store, org: &Org) -> Vec<IncidentRow> {
    let mut rows = Vec::new();
    let cats = ["criminal.theft", "criminal.robbery", "dispute.neighbour"];
    for i in 0..60i64 {
        let unit = if i % 3 == 0 { &org.s02 } else { &org.s01 };
        let by = if i % 3 == 0 { &org.desk02 } else { &org.desk01 };
        // Every 47 hours from 2025-12-01 00:30 UTC (08:30 Beijing), so that reports fall
        // on every hour and on both sides of month ends.
        let at = ts("2025-12-01T00:30:00Z") + Duration::hours(47 * i) + Duration::minutes(i);
        let mut n = new_incident(unit, by, at, cats[(i % 3) as usize]);
        n.stats = stats::added(&facts(&n, &n.state));
        let row = store
            .create_incident(n.clone(), incident_draft(&n))
            .await
            .unwrap();
        rows.push((n, row));
    }
    let mut out = Vec::new();
    for (i, (n, row)) in rows.into_iter().enumerate() {
        if i % 2 == 1 {
            out.push(row);
            continue;
        }
        // Dispatch, arrive (robberies alternately in and out of time), dispose.
        let mut state = row.state.clone();
        let mut cur = row;
        for (k, to) in [Status::Dispatched, Status::OnScene, Status::Disposed]
            .into_iter()
            .enumerate()
        {
            let before = state.clone();
            state.status = to;
            state.version += 1;
            let at = n.reported_at + Duration::minutes(2 + 2 * k as i64 + (i % 4) as i64);
            match to {
                Status::Dispatched => state.dispatched_at = Some(at),
                Status::OnScene => state.arrived_at = Some(at),
                _ => state.disposed_at = Some(at + Duration::minutes(30)),
            }
            let w = TransitionWrite {
                incident_id: cur.id,
                expected_version: before.version,
                state: state.clone(),
                event: IncidentEvent {
                    seq: state.version,
                    at,
                    actor_id: Some(n.created_by),
                    actor_name: "x".into(),
                    step: to.as_str().into(),
                    from_status: Some(before.status),
                    to_status: to,
                    note: String::new(),
                    detail: "{}".into(),
                },
                conversion: None,
                outbox: Vec::new(),
                callback: Default::default(),
                push: None,
                stats: stats::delta(&facts(&n, &before), &facts(&n, &state)),
            };
            cur = store
                .apply_transition(w, draft("incident.step", "incident", &cur.id.to_string()))
                .await
                .unwrap();
        }
        out.push(cur);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollups_agree_with_a_group_by_over_the_incidents() {
    let (_db, store, org) = with_org().await;
    filed(&store, &org).await;
    let ranges = [
        // Whole months.
        (day(2025, 12, 1), day(2026, 3, 31)),
        // Ragged both ends.
        (day(2025, 12, 10), day(2026, 2, 20)),
        // Inside one month.
        (day(2026, 1, 3), day(2026, 1, 29)),
        // Nothing.
        (day(2024, 1, 1), day(2024, 2, 1)),
    ];
    let periods = [
        None,
        Some(StatPeriod::Day),
        Some(StatPeriod::Week),
        Some(StatPeriod::Month),
        Some(StatPeriod::Year),
    ];
    for (from, to) in ranges {
        for period in periods {
            for (by_unit, by_category) in
                [(true, true), (true, false), (false, true), (false, false)]
            {
                let q = query(from, to, by_unit, by_category, period);
                let rolled = counts_only(store.stat_counts(q.clone()).await.unwrap());
                let plain = counts_only(store.stat_counts_plain(q.clone()).await.unwrap());
                assert_eq!(
                    rolled, plain,
                    "{from}..{to} {period:?} unit={by_unit} cat={by_category}"
                );
            }
        }
    }
    // The whole span holds every incident; a unit filter and a root category narrow it.
    let all = store
        .stat_counts(query(
            day(2025, 1, 1),
            day(2026, 12, 31),
            false,
            false,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(all[0].incidents, 60);
    let mut q = query(day(2025, 1, 1), day(2026, 12, 31), false, false, None);
    q.units = Some(vec![org.s02.id]);
    q.category = Some("criminal".into());
    let narrowed = store.stat_counts(q.clone()).await.unwrap();
    let plain = store.stat_counts_plain(q.clone()).await.unwrap();
    assert_eq!(narrowed[0].incidents, plain[0].incidents);
    // s02 files i = 0, 3, 6, …: categories theft, theft, … (i % 3 == 0): 20 thefts.
    assert_eq!(narrowed[0].incidents, 20);
    q.units = Some(Vec::new());
    assert!(store.stat_counts(q).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_response_times_and_hours_are_counted_once_each() {
    let (_db, store, org) = with_org().await;
    let rows = filed(&store, &org).await;
    let q = query(day(2025, 1, 1), day(2026, 12, 31), false, false, None);
    let total = store.stat_counts(q.clone()).await.unwrap();
    // Robberies are i % 3 == 1; the even ones were moved (i % 6 == 4, or 1 + 3k even):
    // arrival 4 + (i % 4) minutes after the call (2 + 2 + i % 4) → within 5 min when
    // i % 4 == 0, else missed.
    let moved_robberies: Vec<usize> = (0..60).filter(|i| i % 3 == 1 && i % 2 == 0).collect();
    let met = moved_robberies.iter().filter(|i| *i % 4 == 0).count() as i64;
    assert_eq!(total[0].target_met, met);
    assert_eq!(total[0].target_missed, moved_robberies.len() as i64 - met);

    let response = store.stat_response(q.clone()).await.unwrap();
    for m in Measure::ALL {
        let n: i64 = response
            .iter()
            .filter(|b| b.measure == m)
            .map(|b| b.incidents)
            .sum();
        assert_eq!(n, 30, "{m:?}: one time per moved incident");
    }
    let hours = store.stat_hours(q.clone()).await.unwrap();
    assert_eq!(hours.iter().map(|h| h.incidents).sum::<i64>(), 60);
    assert!(hours.iter().all(|h| h.dow < 7 && h.hour < 24));
    // Partial months read the day grain: the same total over a ragged range.
    let ragged = query(day(2025, 12, 10), day(2026, 2, 20), false, false, None);
    let plain = store.stat_counts_plain(ragged.clone()).await.unwrap();
    let h: i64 = store
        .stat_hours(ragged)
        .await
        .unwrap()
        .iter()
        .map(|h| h.incidents)
        .sum();
    assert_eq!(h, plain[0].incidents);

    // A disposal recorded again moves its time: still one per incident.
    let r = rows.iter().find(|r| r.state.disposed_at.is_some()).unwrap();
    let n = NewIncident {
        reported_at: r.reported_at,
        category: r.category.clone(),
        unit_id: r.unit_id,
        ..new_incident(&org.s01, &org.desk01, r.reported_at, &r.category)
    };
    let mut again = r.state.clone();
    again.version += 1;
    again.disposed_at = again.disposed_at.map(|t| t + Duration::hours(3));
    let w = TransitionWrite {
        incident_id: r.id,
        expected_version: r.state.version,
        state: again.clone(),
        event: IncidentEvent {
            seq: again.version,
            at: r.reported_at + Duration::hours(4),
            actor_id: Some(org.desk01.id),
            actor_name: "x".into(),
            step: "dispose".into(),
            from_status: Some(r.state.status),
            to_status: Status::Disposed,
            note: String::new(),
            detail: "{}".into(),
        },
        conversion: None,
        outbox: Vec::new(),
        callback: Default::default(),
        push: None,
        stats: stats::delta(&facts(&n, &r.state), &facts(&n, &again)),
    };
    store
        .apply_transition(w, draft("incident.dispose", "incident", &r.id.to_string()))
        .await
        .unwrap();
    let response = store.stat_response(q.clone()).await.unwrap();
    let disposals: i64 = response
        .iter()
        .filter(|b| b.measure == Measure::Disposal)
        .map(|b| b.incidents)
        .sum();
    assert_eq!(disposals, 30);
    assert!(
        response.iter().all(|b| b.incidents > 0),
        "no empty buckets read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_gives_the_cells_the_writes_kept() {
    let (_db, store, org) = with_org().await;
    filed(&store, &org).await;
    let q = query(
        day(2025, 12, 5),
        day(2026, 3, 31),
        true,
        true,
        Some(StatPeriod::Month),
    );
    let live = store.stat_counts(q.clone()).await.unwrap();
    let live_resp = store.stat_response(q.clone()).await.unwrap();
    let live_hours = store.stat_hours(q.clone()).await.unwrap();
    // Not marked as needing a rebuild: an unforced clear takes nothing.
    assert!(!store.stats_rebuild_needed().await.unwrap());
    assert!(!store.clear_stats(false).await.unwrap());
    assert_eq!(store.stat_counts(q.clone()).await.unwrap(), live);

    // Rebuild from the incident rows, as the application does.
    let mut cells = std::collections::HashMap::new();
    let mut after = None;
    loop {
        let batch = store.stat_sources(after, 7).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for s in batch {
            let f = StatFacts {
                unit_id: s.unit_id,
                category: s.category.clone(),
                reported_at: s.reported_at,
                dispatched_at: s.dispatched_at,
                arrived_at: s.arrived_at,
                disposed_at: s.disposed_at,
                target: (s.category == "criminal.robbery").then(|| Duration::minutes(5)),
            };
            for k in stats::keys(&f) {
                *cells.entry(k).or_insert(0i64) += 1;
            }
        }
    }
    assert!(store.clear_stats(true).await.unwrap());
    assert!(store.stat_counts(q.clone()).await.unwrap().is_empty());
    let cells: Vec<_> = cells
        .into_iter()
        .map(|(key, n)| stats::StatDelta { key, n })
        .collect();
    let (a, b) = cells.split_at(cells.len() / 2);
    store.add_stat_cells(a.to_vec(), false).await.unwrap();
    store.add_stat_cells(b.to_vec(), true).await.unwrap();
    assert_eq!(store.stat_counts(q.clone()).await.unwrap(), live);
    assert_eq!(store.stat_response(q.clone()).await.unwrap(), live_resp);
    assert_eq!(store.stat_hours(q).await.unwrap(), live_hours);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_the_rollups_as_they_were() {
    let (_db, store, org) = with_org().await;
    let mut n = new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-02-01T02:00:00Z"),
        "criminal.theft",
    );
    n.stats = stats::added(&facts(&n, &n.state));
    let row = create(&store, &n).await;
    let q = query(day(2026, 1, 1), day(2026, 12, 31), false, false, None);
    let before = store.stat_response(q.clone()).await.unwrap();
    // A stale step (wrong expected version) changes nothing, its cells included.
    let mut st = row.state.clone();
    st.status = Status::Dispatched;
    st.version = 9;
    st.dispatched_at = Some(row.reported_at + Duration::minutes(1));
    let w = TransitionWrite {
        incident_id: row.id,
        expected_version: 8,
        state: st.clone(),
        event: IncidentEvent {
            seq: 9,
            at: row.reported_at + Duration::minutes(1),
            actor_id: Some(org.desk01.id),
            actor_name: "x".into(),
            step: "dispatch".into(),
            from_status: Some(Status::Registered),
            to_status: Status::Dispatched,
            note: String::new(),
            detail: "{}".into(),
        },
        conversion: None,
        outbox: Vec::new(),
        callback: Default::default(),
        push: None,
        stats: stats::delta(&facts(&n, &row.state), &facts(&n, &st)),
    };
    assert!(
        store
            .apply_transition(
                w,
                draft("incident.dispatch", "incident", &row.id.to_string())
            )
            .await
            .is_err()
    );
    assert_eq!(store.stat_response(q).await.unwrap(), before);
    assert!(before.is_empty());
}

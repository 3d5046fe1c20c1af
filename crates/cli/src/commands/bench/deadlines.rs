//! `bench deadlines`: the deadline sweep's claim over many deadline rows (most of them
//! long met, as years of cases leave them), the deadline board of a station with many
//! open deadlines, and a case page with a long timeline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use frontline_app::case::{DeadlineQuery, SWEEP_BATCH};
use frontline_app::demo::DEMO_PASSWORD;
use frontline_app::{App, AppConfig, SystemClock};
use frontline_core::Lang;
use frontline_core::case::{CaseKind, Status};
use frontline_store::{AuditDraft, BenchDeadline, CaseEvent, NewCase};
use uuid::Uuid;

use super::intake::fresh_db;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).copied().map_or(0.0, ms)
    };
    format!(
        "p50 {:.1} ms, max {:.1} ms ({} runs)",
        p(0.5),
        p(1.0),
        v.len()
    )
}

fn new_case(unit: &frontline_app::org::UnitView, by: Uuid, k: usize) -> NewCase {
    let at = Utc::now() - chrono::Duration::days(40);
    NewCase {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_code: unit.code.clone(),
        kind: CaseKind::Administrative,
        title: format!("基准测试案件{k}"),
        summary: "基准测试".into(),
        lead_officer_id: Some(by),
        officers: Vec::new(),
        parties: Vec::new(),
        incident_id: None,
        query_code: format!("B{:09}", k),
        accepted_at: at,
        created_by: by,
        event: CaseEvent {
            seq: 1,
            at,
            actor_id: Some(by),
            actor_name: "bench".into(),
            step: "accept".into(),
            from_status: None,
            to_status: Status::Accepted,
            note: String::new(),
            detail: "{}".into(),
        },
        deadlines: Vec::new(),
        outbox: Vec::new(),
    }
}

fn draft() -> AuditDraft {
    AuditDraft {
        at: Utc::now(),
        actor_id: None,
        actor: "bench".into(),
        action: "bench.case".into(),
        object_type: "case".into(),
        object_id: String::new(),
        purpose: None,
        detail: "{}".into(),
    }
}

pub(super) async fn deadlines(
    rows: usize,
    due: usize,
    station_open: usize,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    let (db, _dir) = fresh_db(database_url.as_deref()).await?;
    let app = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.load_demo(Utc::now(), 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("engine: {}", app.store.engine());
    let (_, chief) = app
        .login("s1.chief", DEMO_PASSWORD, "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let stations = app.org.stations();
    let s1 = stations.first().context("a station")?.clone();
    // 100 cases per station carry the rows (one case holds many deadlines here: the
    // sweep and the board read deadlines, not cases).
    let mut cases = Vec::new();
    for (si, st) in stations.iter().enumerate() {
        for k in 0..100 {
            let c = app
                .store
                .create_case(new_case(st, chief.actor.officer_id, si * 1000 + k), draft())
                .await?;
            cases.push((c.id, st.id, st.path.clone(), si == 0));
        }
    }
    let now = Utc::now();
    let s1_cases: Vec<_> = cases.iter().filter(|c| c.3).cloned().collect();
    let others: Vec<_> = cases.iter().filter(|c| !c.3).cloned().collect();
    let t = Instant::now();
    let mut batch = Vec::with_capacity(200_000);
    let flush = |batch: &mut Vec<BenchDeadline>| std::mem::take(batch);
    let mut filled = 0usize;
    for i in 0..rows {
        // The first rows: S01's open deadlines, `due` of them with their next notice
        // come (5 rounds' worth); then other stations' open ones; the rest long met.
        let (case, running, next_at, due_at) = if i < station_open {
            let c = s1_cases.get(i % s1_cases.len()).context("s1 case")?;
            let is_due = i < due * 5;
            let due_at = now + chrono::Duration::hours(1 + (i % 700) as i64);
            let next = if is_due {
                now - chrono::Duration::seconds(1 + i as i64)
            } else {
                due_at - chrono::Duration::hours(24)
            };
            (c, true, Some(next), due_at)
        } else if i < station_open * 4 {
            let c = others.get(i % others.len()).context("case")?;
            let due_at = now + chrono::Duration::hours(2 + (i % 900) as i64);
            (c, true, Some(due_at - chrono::Duration::hours(24)), due_at)
        } else {
            let c = cases.get(i % cases.len()).context("case")?;
            let due_at = now - chrono::Duration::days(2 + (i % 1800) as i64);
            (c, false, None, due_at)
        };
        batch.push(BenchDeadline {
            case_id: case.0,
            unit_id: case.1,
            unit_path: case.2.clone(),
            running,
            due_at,
            next_at,
        });
        if batch.len() == 200_000 {
            app.store.bench_insert_deadlines(flush(&mut batch)).await?;
            filled += 200_000;
            if filled.is_multiple_of(1_000_000) {
                println!(
                    "  {filled} deadline rows ({:.0} s)",
                    t.elapsed().as_secs_f64()
                );
            }
        }
    }
    app.store.bench_insert_deadlines(flush(&mut batch)).await?;
    println!(
        "filled {rows} deadline rows ({station_open} open at S01, {} open elsewhere) in {:.0} s",
        station_open * 3,
        t.elapsed().as_secs_f64()
    );

    // The sweep's claim: `due` deadlines have their notice come; one claim takes them.
    let mut claims = Vec::new();
    for _ in 0..5 {
        let now = Utc::now();
        let t = Instant::now();
        let got = app
            .store
            .claim_deadlines(now, now + chrono::Duration::minutes(2), due as i64)
            .await?;
        claims.push(t.elapsed());
        anyhow::ensure!(got.len() == due, "claimed {} of {due}", got.len());
    }
    println!(
        "sweep claim of {due} due deadlines among {rows} rows: {}",
        summary(claims)
    );
    let _ = SWEEP_BATCH;

    // The board of S01 (its open deadlines), as its chief opens it.
    let mut board = Vec::new();
    for state in ["running", "due_soon", "overdue", "met"] {
        for _ in 0..10 {
            let q = DeadlineQuery {
                state: Some(state.into()),
                ..DeadlineQuery::default()
            };
            let t = Instant::now();
            let b = app
                .deadline_board(&chief.actor, &q, Lang::Zh)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            board.push(t.elapsed());
            anyhow::ensure!(b.running as usize >= station_open - due * 5, "board counts");
        }
    }
    println!(
        "deadline board of a station with {station_open} open deadlines (lists + counts): {}",
        summary(board)
    );

    // A case page with 200 timeline steps.
    let case = app
        .store
        .create_case(new_case(&s1, chief.actor.officer_id, 999_999), draft())
        .await?;
    let events: Vec<CaseEvent> = (2..=201)
        .map(|seq| CaseEvent {
            seq,
            at: now - chrono::Duration::days(40) + chrono::Duration::hours(seq),
            actor_id: Some(chief.actor.officer_id),
            actor_name: "基准".into(),
            step: "investigate".into(),
            from_status: Some(Status::Investigating),
            to_status: Status::Investigating,
            note: "调取监控、询问证人，制作笔录。".repeat(3),
            detail: "{}".into(),
        })
        .collect();
    app.store.bench_insert_events(case.id, events).await?;
    let mut page = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let row = app
            .case(&chief.actor, case.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let d = app
            .case_detail(&chief.actor, &row, Lang::Zh)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let json = serde_json::to_string(&d)?;
        page.push(t.elapsed());
        anyhow::ensure!(d.timeline.len() == 201 && !json.is_empty(), "timeline");
    }
    println!(
        "case page with 201 timeline rows (read + view + JSON): {}",
        summary(page)
    );
    Ok(())
}

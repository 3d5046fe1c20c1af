//! `bench stats`: incident statistics over a database holding many incidents: the whole
//! answer over HTTP (a year × every category × every unit, by month), the rollup query
//! alone, and the plain `GROUP BY` over the incident table it replaces, in one run on the
//! same engine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use frontline_app::{App, AppConfig, SystemClock};
use frontline_core::incident::stats::day_number;
use frontline_store::{DbConfig, StatPeriod, StatQuery};
use hdrhistogram::Histogram;

use super::{drive, serve_in_process, sign_in};

pub(super) async fn stats(
    data_dir: std::path::PathBuf,
    database_url: Option<String>,
    incidents: usize,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<()> {
    let db = DbConfig::resolve(&data_dir, database_url.as_deref());
    if let DbConfig::Sqlite { .. } = db {
        std::fs::create_dir_all(&data_dir)?;
    }
    let app = App::open(&db, Arc::new(SystemClock), AppConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if app.store.count_incidents().await? == 0 {
        let t = Instant::now();
        app.load_demo(chrono::Utc::now(), incidents)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "loaded {incidents} incidents in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    let total = app.store.count_incidents().await?;
    // The last whole calendar year the data holds most of: the year before today's.
    let year = chrono::Utc::now()
        .with_timezone(&frontline_core::time::BEIJING)
        .year()
        - 1;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).context("date")?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).context("date")?;
    let q = StatQuery {
        units: None,
        from_day: day_number(from),
        to_day: day_number(to),
        category: None,
        by_unit: true,
        by_category: true,
        period: Some(StatPeriod::Month),
        max_groups: 1_000_000,
    };
    println!(
        "frontline bench stats: {} with {total} incidents; {year} × every category × every unit, by month",
        app.store.engine()
    );

    // The rollup query and the plain GROUP BY, alternated, in process.
    let mut rolled = Histogram::<u64>::new(3)?;
    let mut plain = Histogram::<u64>::new(3)?;
    let mut groups = (0, 0, 0i64);
    for _ in 0..5 {
        let t = Instant::now();
        let r = app.store.stat_counts(q.clone()).await?;
        rolled.record(t.elapsed().as_micros() as u64)?;
        let t = Instant::now();
        let p = app.store.stat_counts_plain(q.clone()).await?;
        plain.record(t.elapsed().as_micros() as u64)?;
        groups = (r.len(), p.len(), r.iter().map(|c| c.incidents).sum::<i64>());
        if r.iter().map(|c| c.incidents).sum::<i64>() != p.iter().map(|c| c.incidents).sum::<i64>()
        {
            bail!("the rollups and the incident table disagree");
        }
    }
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "groups: {} (rollups) / {} (plain); incidents in the year: {}",
        groups.0, groups.1, groups.2
    );
    println!("| query (5 runs) | p50 ms | max ms |");
    println!("|---|---|---|");
    println!(
        "| rollups (month grain) | {:.1} | {:.1} |",
        ms(&rolled, 0.5),
        ms(&rolled, 1.0)
    );
    println!(
        "| plain GROUP BY over incidents | {:.1} | {:.1} |",
        ms(&plain, 0.5),
        ms(&plain, 1.0)
    );
    println!(
        "speed-up (p50): {:.0}×",
        ms(&plain, 0.5) / ms(&rolled, 0.5).max(0.001)
    );

    // The whole answer over HTTP: table, totals, year before, previous period, series,
    // bars, response medians, heat map.
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let auth = sign_in(&http, &base, "command").await?;
    println!("| HTTP scenario | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for (name, path) in [
        (
            "a year, unit × category × month (command centre)",
            format!(
                "/api/v1/statistics/incidents?from={from}&to={to}&group_by=unit,category,month"
            ),
        ),
        (
            "a ragged range (15 Mar – 20 Nov), unit × top category",
            format!(
                "/api/v1/statistics/incidents?from={year}-03-15&to={year}-11-20&group_by=unit,top_category"
            ),
        ),
        (
            "a year by week",
            format!("/api/v1/statistics/incidents?from={from}&to={to}&group_by=week"),
        ),
    ] {
        let url = reqwest::Url::parse(&format!("{base}{path}"))?;
        let op = {
            let (http, auth) = (http.clone(), auth.clone());
            move |_| {
                let (http, url, auth) = (http.clone(), url.clone(), auth.clone());
                async move {
                    match http.get(url).header("authorization", auth).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        _ => false,
                    }
                }
            }
        };
        drive(clients, Duration::from_millis(300), op.clone()).await?;
        let p = drive(clients, dur, op).await?;
        if p.failed > 0 {
            bail!("{name}: {} requests failed", p.failed);
        }
        println!(
            "| {name} | {:.0} | {:.1} | {:.1} |",
            p.ok as f64 / p.elapsed.as_secs_f64(),
            p.pct_ms(0.5),
            p.pct_ms(0.99)
        );
    }
    Ok(())
}

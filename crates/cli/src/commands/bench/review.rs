//! `bench review`: the daily review board (three range counts and the lists per
//! station), the callback queue, and the repeat lookup that intake adds, over a data
//! directory holding many incidents.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hdrhistogram::Histogram;

use super::{drive, open_filled, serve_in_process, sign_in};

pub(super) async fn review(
    data_dir: std::path::PathBuf,
    incidents: usize,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<()> {
    let app = open_filled(&data_dir, incidents).await?;
    let total = app.store.count_incidents().await?;
    // The repeat lookup alone, in process: the address key and caller phone of stored
    // incidents, looked up as intake does before its insert.
    let sample = app
        .store
        .list_incidents(frontline_store::IncidentFilter {
            scope: Some(frontline_store::PathRange::all()),
            limit: 2_000,
            ..Default::default()
        })
        .await?;
    let mut hist = Histogram::<u64>::new(3)?;
    for r in &sample.items {
        let t = Instant::now();
        let f = app
            .repeat_follow_up(&r.address, &r.caller_phone, r.reported_at)
            .await?;
        hist.record(t.elapsed().as_micros() as u64)?;
        std::hint::black_box(f);
    }
    println!(
        "frontline bench review: {total} incidents, clients={clients} {}s per scenario",
        dur.as_secs()
    );
    println!(
        "repeat lookup at intake ({} lookups): p50 {} µs, p99 {} µs",
        hist.len(),
        hist.value_at_quantile(0.5),
        hist.value_at_quantile(0.99)
    );
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = std::collections::HashMap::new();
    for user in ["s1.chief", "s1.desk", "command"] {
        tokens.insert(user, sign_in(&http, &base, user).await?);
    }
    let scenarios: Vec<(&str, &str, String)> = vec![
        (
            "daily review, all stations (yesterday)",
            "command",
            "/api/v1/daily-review".into(),
        ),
        (
            "daily review, one station (chief)",
            "s1.chief",
            "/api/v1/daily-review".into(),
        ),
        (
            "callback queue, station",
            "s1.desk",
            "/api/v1/callbacks".into(),
        ),
        (
            "callback queue, bureau",
            "command",
            "/api/v1/callbacks".into(),
        ),
    ];
    println!("| scenario | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for (name, user, path) in scenarios {
        let url = reqwest::Url::parse(&format!("{base}{path}"))?;
        let auth = tokens.get(user).context("token")?.clone();
        let op = {
            let http = http.clone();
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

//! `bench lists`: the incident list pages officers open, one scenario at a time.

use std::time::Duration;

use anyhow::{Context, bail};

use super::{drive, open_filled, serve_in_process, sign_in};

pub(super) async fn lists(
    data_dir: std::path::PathBuf,
    incidents: usize,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<()> {
    let app = open_filled(&data_dir, incidents).await?;
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = std::collections::HashMap::new();
    for user in ["s1.desk", "s11.desk", "command"] {
        tokens.insert(user, sign_in(&http, &base, user).await?);
    }
    // The last month of the data, for the time-window scenarios.
    let today = chrono::Utc::now().with_timezone(&frontline_core::time::BEIJING);
    let window = |days: i64| {
        format!(
            "from={}&to={}",
            (today - chrono::Duration::days(days)).format("%Y-%m-%d"),
            today.format("%Y-%m-%d")
        )
    };
    let month = window(30);
    let week = window(7);
    let scenarios: Vec<(&str, &str, String)> = vec![
        ("station, first page", "s1.desk", "/api/v1/incidents".into()),
        (
            "small station, first page",
            "s11.desk",
            "/api/v1/incidents".into(),
        ),
        ("bureau, first page", "command", "/api/v1/incidents".into()),
        (
            "bureau, category criminal",
            "command",
            "/api/v1/incidents?category=criminal".into(),
        ),
        (
            "bureau, leaf criminal.theft",
            "command",
            "/api/v1/incidents?category=criminal.theft".into(),
        ),
        (
            "small station, rare category fire",
            "s11.desk",
            "/api/v1/incidents?category=fire".into(),
        ),
        (
            "station, last 30 days",
            "s1.desk",
            format!("/api/v1/incidents?{month}"),
        ),
        (
            "station, page 100",
            "s1.desk",
            "/api/v1/incidents?page=100".into(),
        ),
        (
            "bureau, page 1000",
            "command",
            "/api/v1/incidents?page=1000".into(),
        ),
        (
            "station, export last 7 days (CSV)",
            "s1.desk",
            format!("/api/v1/incidents/export?{week}"),
        ),
    ];
    println!(
        "frontline bench lists: clients={clients} {}s per scenario",
        dur.as_secs()
    );
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
        // Warm the page cache and statement caches, then measure.
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

//! `bench search`: full-text search over a data directory holding many incidents, with
//! concurrent clients over loopback HTTP; the index is built first when missing.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use frontline_app::AppConfig;

use super::{drive, open_filled_with, serve_in_process, sign_in};

/// Size of the files under `dir`, in bytes.
fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

pub(super) async fn search(
    data_dir: std::path::PathBuf,
    incidents: usize,
    clients: usize,
    dur: Duration,
) -> anyhow::Result<()> {
    let index_dir = data_dir.join(crate::commands::SEARCH_INDEX_DIR);
    let app = open_filled_with(
        &data_dir,
        incidents,
        AppConfig {
            search_dir: Some(index_dir.clone()),
            ..AppConfig::default()
        },
    )
    .await?;
    let corpus = app.store.count_incidents().await?;
    let t = Instant::now();
    let rebuilt = app.search.needs_rebuild();
    app.search_catch_up()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "search index: {} incidents, {:.0} MiB on disk, {} in {:.1} s",
        app.search.doc_count(),
        dir_size(&index_dir) as f64 / (1024.0 * 1024.0),
        if rebuilt { "built" } else { "caught up" },
        t.elapsed().as_secs_f64()
    );
    let base = serve_in_process(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut tokens = std::collections::HashMap::new();
    for user in ["s1.desk", "command"] {
        tokens.insert(user, sign_in(&http, &base, user).await?);
    }
    let s1 = app
        .org
        .units()
        .into_iter()
        .find(|u| u.code == "S01")
        .map(|u| u.id)
        .context("no unit S01")?;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    // The demo's narratives say 被盗 (stolen) and 电瓶 (e-bike battery) often; 盗窃 is in
    // category names, not in the texts, so it is the rare-term case.
    let scenarios: Vec<(&str, &str, String)> = vec![
        (
            "bureau, 被盗 with unit S01 (the target)",
            "command",
            format!("/api/v1/incidents?q={}&unit_id={s1}", enc("被盗")),
        ),
        (
            "bureau, 电瓶 with unit S01",
            "command",
            format!("/api/v1/incidents?q={}&unit_id={s1}", enc("电瓶")),
        ),
        (
            "station S01 (scope), 被盗 + status closed",
            "s1.desk",
            format!("/api/v1/incidents?q={}&status=closed", enc("被盗")),
        ),
        (
            "bureau, 被盗 (no filter)",
            "command",
            format!("/api/v1/incidents?q={}", enc("被盗")),
        ),
        (
            "bureau, rare 盗窃 with unit S01",
            "command",
            format!("/api/v1/incidents?q={}&unit_id={s1}", enc("盗窃")),
        ),
        (
            "bureau, phrase 电动车电瓶 with unit S01",
            "command",
            format!("/api/v1/incidents?q={}&unit_id={s1}", enc("电动车电瓶")),
        ),
    ];
    println!(
        "frontline bench search: corpus {corpus} incidents, clients={clients} {}s per scenario",
        dur.as_secs()
    );
    println!("| scenario | matches | req/s | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|---|");
    for (name, user, path) in scenarios {
        let url = reqwest::Url::parse(&format!("{base}{path}"))?;
        let auth = tokens.get(user).context("token")?.clone();
        let total: serde_json::Value = http
            .get(url.clone())
            .header("authorization", auth.clone())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let matches = total
            .get("total")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(-1);
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
        drive(clients, Duration::from_millis(500), op.clone()).await?;
        let p = drive(clients, dur, op).await?;
        if p.failed > 0 {
            bail!("{name}: {} requests failed", p.failed);
        }
        println!(
            "| {name} | {matches} | {:.0} | {:.1} | {:.1} | {:.1} |",
            p.ok as f64 / p.elapsed.as_secs_f64(),
            p.pct_ms(0.5),
            p.pct_ms(0.95),
            p.pct_ms(0.99)
        );
    }
    Ok(())
}

//! `bench startup`: time to /healthz and idle memory of `frontline serve`.

use std::time::{Duration, Instant};

use anyhow::bail;

use super::open_filled;

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub(super) async fn startup(data_dir: std::path::PathBuf, incidents: usize) -> anyhow::Result<()> {
    {
        let app = open_filled(&data_dir, incidents).await?;
        // Engine-level, as bench code may be: the served process must find the
        // database closed before it opens it.
        app.store.close();
    }
    let exe = std::env::current_exe()?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    let mut rss = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut child = tokio::process::Command::new(&exe)
            .args(["serve", "--data-dir"])
            .arg(&data_dir)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        loop {
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await
                && r.status().is_success()
            {
                break;
            }
            if t.elapsed() > Duration::from_secs(30) {
                bail!("server did not answer /healthz within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        samples.push(t.elapsed());
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Some(pid) = child.id() {
            rss = rss.max(rss_kib(pid).unwrap_or(0));
        }
        child.kill().await?;
    }
    samples.sort();
    let ms = |i: usize| samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "start-up to /healthz: median {:.0} ms, max {:.0} ms (5 runs); idle RSS {:.1} MiB",
        ms(2),
        ms(4),
        rss as f64 / 1024.0
    );
    Ok(())
}

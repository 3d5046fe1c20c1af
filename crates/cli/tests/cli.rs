//! The `frontline` binary's contracts: audit verify exit codes, user management, and
//! no acknowledged incident lost when the server is SIGKILLed during a write load.
#![allow(clippy::expect_used, reason = "test helpers stop loudly")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use frontline_store::testing::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

fn frontline(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("run frontline")
}

fn with_stdin(args: &[&str], dir: &Path, input: &str) -> std::process::Output {
    let mut c = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    c.stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    c.wait_with_output().expect("wait")
}

fn demo(dir: &Path) {
    let out = frontline(&["demo", "--no-serve", "--incidents", "50"], dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("frontline.db")).expect("open db")
}

#[test]
fn audit_verify_detects_edit_delete_and_reorder() {
    let dir = TempDir::new("cli-audit").expect("tmp");
    demo(dir.path());
    // A few more entries: account changes are audited too.
    let out = with_stdin(
        &[
            "user",
            "add",
            "--username",
            "s1.new",
            "--name",
            "李新",
            "--unit",
            "S01",
            "--roles",
            "desk_officer",
        ],
        dir.path(),
        "a-long-password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    frontline(&["user", "disable", "s1.new"], dir.path());
    let ok = frontline(&["audit", "verify"], dir.path());
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact"));

    let copy = |name: &str| {
        let d = TempDir::new(name).expect("tmp");
        let c = db(dir.path());
        c.execute_batch(&format!(
            "VACUUM INTO '{}'",
            d.path().join("frontline.db").display()
        ))
        .expect("copy");
        d
    };
    // Edited entry.
    let d = copy("cli-edit");
    db(d.path())
        .execute(
            "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
            [],
        )
        .expect("edit");
    let out = frontline(&["audit", "verify"], d.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Deleted entry.
    let d = copy("cli-delete");
    db(d.path())
        .execute("DELETE FROM audit_log WHERE seq = 3", [])
        .expect("delete");
    let out = frontline(&["audit", "verify"], d.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("entry 3"));
    // Reordered entries (swap the contents of 2 and 3, keeping seq).
    let d = copy("cli-reorder");
    db(d.path())
        .execute_batch(
            "UPDATE audit_log SET seq = -2 WHERE seq = 2;
             UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = -2;",
        )
        .expect("reorder");
    let out = frontline(&["audit", "verify"], d.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("entry 2"));
    // Tail removed.
    let d = copy("cli-tail");
    db(d.path())
        .execute(
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
            [],
        )
        .expect("tail");
    let out = frontline(&["audit", "verify"], d.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn user_commands_validate_and_change_accounts() {
    let dir = TempDir::new("cli-user").expect("tmp");
    demo(dir.path());
    let bad = with_stdin(
        &[
            "user",
            "add",
            "--username",
            "bad name",
            "--name",
            "王",
            "--unit",
            "NOPE",
            "--roles",
            "root",
        ],
        dir.path(),
        "short\n",
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    for want in ["username", "unit", "roles", "password"] {
        assert!(err.contains(want), "{want} not reported: {err}");
    }
    let dup = with_stdin(
        &[
            "user",
            "add",
            "--username",
            "s1.desk",
            "--name",
            "王",
            "--unit",
            "S01",
            "--roles",
            "desk_officer",
        ],
        dir.path(),
        "long-enough-pass\n",
    );
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("用户名已存在"));
    let out = with_stdin(
        &["user", "passwd", "s1.desk"],
        dir.path(),
        "new-password-1\n",
    );
    assert!(out.status.success());
    // An operator's password is changed by the officer at the next sign-in.
    let forced: bool = db(dir.path())
        .query_row(
            "SELECT must_change_password FROM officers WHERE username = 's1.desk'",
            [],
            |r| r.get(0),
        )
        .expect("flag");
    assert!(forced);
    // Outside the demo nobody may choose the published demo password, nor the username.
    for (password, want) in [
        ("demo-password", "不能使用公开的演示密码"),
        ("s1.desk.2026", "密码不能是或包含用户名"),
    ] {
        let out = with_stdin(
            &["user", "passwd", "s1.desk"],
            dir.path(),
            &format!("{password}\n"),
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(want));
    }
    let out = frontline(&["user", "disable", "ghost"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let hash: String = db(dir.path())
        .query_row(
            "SELECT password_hash FROM officers WHERE username = 's1.desk'",
            [],
            |r| r.get(0),
        )
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"));
    let out = frontline(&["user", "disable", "s1.desk"], dir.path());
    assert!(out.status.success());
    let disabled: bool = db(dir.path())
        .query_row(
            "SELECT disabled FROM officers WHERE username = 's1.desk'",
            [],
            |r| r.get(0),
        )
        .expect("disabled");
    assert!(disabled);

    // A lost second factor: the operator removes it, audited with who did it.
    db(dir.path())
        .execute(
            "UPDATE officers SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' WHERE username = 's2.desk'",
            [],
        )
        .expect("set a secret");
    let out = frontline(&["user", "totp-reset", "s2.desk"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (secret, actor): (Option<String>, String) = db(dir.path())
        .query_row(
            "SELECT (SELECT totp_secret FROM officers WHERE username = 's2.desk'), \
             (SELECT actor FROM audit_log WHERE action = 'officer.totp.reset')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("reset");
    assert_eq!(secret, None);
    assert!(actor.starts_with("cli:"), "{actor}");
    let out = frontline(&["user", "totp-reset", "ghost"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

/// Reads the server's "Frontline listening on http://ADDR" line: the server binds port 0
/// itself, so no other process can take a port picked in advance.
fn listening_base(stdout: std::process::ChildStdout) -> String {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Frontline listening on ")
                .map(str::to_string)
        })
        .expect("the server printed its address");
    // Keep draining so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    base
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_incident() {
    let dir = TempDir::new("cli-kill").expect("tmp");
    demo(dir.path());
    let mut server = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let base = listening_base(server.stdout.take().expect("stdout"));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let acknowledged: Vec<String> = rt.block_on(async {
        let http = reqwest::Client::new();
        let start = Instant::now();
        while http.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let login: serde_json::Value = http
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"username": "s1.desk", "password": "demo-password"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        let token = login["token"].as_str().expect("token").to_string();
        let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for c in 0..16 {
            let (http, base, token, acked) = (http.clone(), base.clone(), token.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    let body = serde_json::json!({
                        "category": "dispute.neighbour", "address": format!("测试路{c}-{i}号"),
                        "caller": {"name": "赵某", "phone": "13912345678"}, "narrative": "邻里噪音纠纷。"
                    });
                    match http.post(format!("{base}/api/v1/incidents")).bearer_auth(&token).json(&body).send().await {
                        Ok(r) if r.status() == 201 => {
                            if let Ok(v) = r.json::<serde_json::Value>().await
                                && let Some(id) = v["id"].as_str()
                            {
                                acked.lock().expect("lock").push(id.to_string());
                            }
                        }
                        _ => break,
                    }
                }
            }));
        }
        // Kill mid-load once enough writes are acknowledged (not after a fixed time: a
        // busy CI machine may be slow to get there).
        let loading = Instant::now();
        while acked.lock().expect("lock").len() < 200 {
            assert!(loading.elapsed() < Duration::from_secs(60), "writes did not get going");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // SIGKILL: no chance to flush or shut down cleanly.
        unsafe_kill(server.id());
        for t in tasks {
            let _ = t.await;
        }
        acked.lock().expect("lock").clone()
    });
    let _ = server.wait();
    assert!(
        acknowledged.len() >= 200,
        "too few writes before the kill: {}",
        acknowledged.len()
    );
    let c = db(dir.path());
    for id in &acknowledged {
        let u = uuid::Uuid::parse_str(id).expect("uuid");
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM incidents WHERE id = ?1",
                [u.as_bytes().to_vec()],
                |r| r.get(0),
            )
            .expect("q");
        assert_eq!(n, 1, "acknowledged incident {id} lost");
    }
    drop(c);
    let out = frontline(&["audit", "verify"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn unsafe_kill(pid: u32) {
    let out = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .output()
        .expect("kill");
    assert!(out.status.success());
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    // `frontline penalty catalog --json | head -c 16`: the reader leaves early, with far
    // more than a pipe buffer (64 KiB) still to come.
    let mut child = Command::new(BIN)
        .args(["penalty", "catalog", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut out, &mut first).expect("some output");
    drop(out);
    let status = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.status.code(), Some(0));
}

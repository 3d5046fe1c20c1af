//! Issue 9, the live board: `GET /api/v1/board`, the event stream `GET
//! /api/v1/board/events` and the page `/board`, by role and scope: another station's
//! desk gets nothing of station 1's, neither in the board nor on the stream. Runs on
//! SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use std::time::Duration;

use common::*;

use reqwest::StatusCode;
use serde_json::{Value, json};

fn fight() -> Value {
    json!({
        "category": "public_order.fight",
        "address": "青禾县城关镇人民路12号，报警人13800138000",
        "caller": { "name": "张三", "phone": "13800138000" },
        "narrative": "烧烤店门口有人打架。"
    })
}

/// A connected event stream: reads `event:` / `data:` blocks.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(s: &Server, token: &str) -> Stream {
        let response = s
            .http
            .get(s.url("/api/v1/board/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let mut st = Stream {
            response,
            buffer: String::new(),
        };
        let (event, _) = st.next(Duration::from_secs(5)).await.expect("ready");
        assert_eq!(event, "ready");
        st
    }

    /// The next event (name, data) within `wait`, keep-alive comments skipped.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if event.is_empty() {
                    continue;
                }
                return Some((event, serde_json::from_str(&data).unwrap_or(Value::Null)));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .unwrap()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_open_incidents_within_the_readers_scope() {
    let s = start(0).await;
    let desk1 = s.login("s1.desk").await;
    let desk2 = s.login("s2.desk").await;
    let (st, v) = s.post(&desk1, "/api/v1/incidents", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();

    let (st, b) = s.get(&desk1, "/api/v1/board").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["total"], 1);
    let statuses: Vec<&str> = b["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["registered", "dispatched", "on_scene", "disposed"]
    );
    let row = &b["groups"][0]["items"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["version"], 1);
    assert!(!row.to_string().contains("13800138000"), "masked: {row}");
    assert!(row.get("caller").is_none());

    let (st, b2) = s.get(&desk2, "/api/v1/board").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b2["total"], 0);
    assert!(!b2.to_string().contains(&id));

    let cc = s.login("command").await;
    let (_, all) = s.get(&cc, "/api/v1/board").await;
    assert_eq!(all["total"], 1);

    for who in ["leader", "street1", "s1.community", "admin"] {
        let t = s.login(who).await;
        let (st, v) = s.get(&t, "/api/v1/board").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who} {v}");
        let (st, _) = s.get(&t, "/api/v1/board/events").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
    }
    for path in ["/api/v1/board", "/api/v1/board/events"] {
        let (st, _) = s.get("", path).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_sends_each_change_to_the_boards_in_scope_and_nothing_to_others() {
    let s = start(0).await;
    let desk1 = s.login("s1.desk").await;
    let desk2 = s.login("s2.desk").await;
    let cc = s.login("command").await;
    let mut own = Stream::open(&s, &desk1).await;
    let mut other = Stream::open(&s, &desk2).await;
    let mut centre = Stream::open(&s, &cc).await;

    let (st, v) = s.post(&desk1, "/api/v1/incidents", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    for stream in [&mut own, &mut centre] {
        let (event, row) = stream.next(Duration::from_secs(5)).await.expect("event");
        assert_eq!(event, "incident");
        assert_eq!(row["id"], id.as_str());
        assert_eq!(row["status"], "registered");
        assert_eq!(row["open"], true);
        assert!(!row.to_string().contains("13800138000"), "masked: {row}");
    }

    // Dispatch from the board's form contract: the step endpoint with the version.
    let unit = s.unit_id("S01").await;
    let (_, crew) = s
        .get(&desk1, &format!("/api/v1/units/{unit}/officers"))
        .await;
    let officer = crew[0]["id"].as_str().unwrap();
    let (st, v) = s
        .post(
            &desk1,
            &format!("/api/v1/incidents/{id}/transitions"),
            &json!({"action": "dispatch", "version": 1, "officers": [officer]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (event, row) = own.next(Duration::from_secs(5)).await.expect("event");
    assert_eq!(event, "incident");
    assert_eq!(
        (row["status"].as_str(), row["version"].as_i64()),
        (Some("dispatched"), Some(2))
    );
    assert_eq!(
        centre.next(Duration::from_secs(5)).await.unwrap().1["version"],
        2
    );

    // A bad step is a field-level 422 and announces nothing.
    let (st, v) = s
        .post(
            &desk1,
            &format!("/api/v1/incidents/{id}/transitions"),
            &json!({"action": "arrive", "version": 2, "officers": [officer]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(own.next(Duration::from_millis(400)).await.is_none());

    // Station 2's desk heard nothing of it.
    assert!(other.next(Duration::from_millis(400)).await.is_none());
    // Its own incident reaches it, and not station 1's desk.
    let (st, v) = s.post(&desk2, "/api/v1/incidents", &fight()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, row) = other.next(Duration::from_secs(5)).await.expect("own event");
    assert_eq!(row["id"], v["id"]);
    assert!(own.next(Duration::from_millis(400)).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_page_for_the_desk_and_the_command_centre() {
    let s = start(0).await;
    let desk1 = s.login("s1.desk").await;
    let (_, v) = s.post(&desk1, "/api/v1/incidents", &fight()).await;
    let number = v["number"].as_str().unwrap().to_string();
    let page = |token: String, lang: &'static str| {
        let req = s
            .http
            .get(s.url("/board"))
            .header("cookie", format!("fl_session={token}; lang={lang}"));
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (st, html) = page(desk1.clone(), "zh-CN").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("警情态势"));
    assert!(html.contains(&number));
    assert!(
        html.contains("data-board-dispatch"),
        "an inline dispatch form"
    );
    assert!(html.contains("href=\"/board\""), "nav entry");
    assert!(!html.contains("13800138000"));
    let cc = s.login("command").await;
    let (st, html) = page(cc, "en").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Live board"));
    assert!(html.contains(&number));
    let desk2 = s.login("s2.desk").await;
    let (st, html) = page(desk2, "zh-CN").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains(&number), "another station's board");
    let leader = s.login("leader").await;
    let (st, html) = page(leader, "zh-CN").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(
        !html.contains("href=\"/board\""),
        "no nav entry without the board"
    );
}

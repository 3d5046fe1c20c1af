//! Issue 9, the lifecycle: `POST /api/v1/incidents/{id}/transitions` from intake to
//! closing, the 409s of its contract, who may take which step, and what another
//! station's user and a partner see. Runs on SQLite and (in CI) on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests stop loudly"
)]

mod common;

use common::*;

use reqwest::StatusCode;
use serde_json::{Value, json};

fn robbery() -> Value {
    json!({
        "category": "criminal.robbery",
        "address": "青禾县城关镇人民路12号",
        "caller": { "name": "张三", "phone": "13800138000" },
        "narrative": "报警人称在人民路被抢手机一部。"
    })
}

/// Files an incident at S01 as its desk officer; returns (id, token).
async fn filed(s: &Server) -> (String, String) {
    let t = s.login("s1.desk").await;
    let (st, v) = s.post(&t, "/api/v1/incidents", &robbery()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    (v["id"].as_str().unwrap().to_string(), t)
}

async fn step(s: &Server, t: &str, id: &str, body: Value) -> (StatusCode, Value) {
    s.post(t, &format!("/api/v1/incidents/{id}/transitions"), &body)
        .await
}

/// Two officers of S01 who can be sent.
async fn crew(s: &Server, t: &str) -> Vec<String> {
    let unit = s.unit_id("S01").await;
    let (st, v) = s.get(t, &format!("/api/v1/units/{unit}/officers")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 2, "{v}");
    ids.into_iter().take(2).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_intake_to_closing_with_a_timeline_and_response_times() {
    let s = start(50).await;
    let (id, t) = filed(&s).await;
    let officers = crew(&s, &t).await;
    let before = s.audit_seq().await;

    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "dispatch", "version": 1, "officers": officers, "patrol_unit": "巡逻一组"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "dispatched");
    assert_eq!(v["version"], 2);
    assert_eq!(v["response"]["patrol_unit"], "巡逻一组");
    assert_eq!(v["response"]["assigned"].as_array().unwrap().len(), 2);
    assert_eq!(s.audit_seq().await, before + 1, "one audit entry per step");

    // Re-dispatch (one more patrol) is allowed and keeps the first dispatch time.
    let first_dispatch = v["response"]["dispatched_at"].clone();
    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "dispatch", "version": 2, "officers": [officers[0]]}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["response"]["dispatched_at"], first_dispatch);

    s.clock.advance(chrono::Duration::minutes(4));
    let (st, v) = step(&s, &t, &id, json!({"action": "arrive", "version": 3})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "on_scene");
    assert_eq!(v["response"]["dispatch_to_arrival_secs"], 240);

    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "dispose", "version": 4, "note": "现场询问，已调取监控"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = step(&s, &t, &id, json!({"action": "close", "version": 5})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "closed");
    let steps: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "register", "dispatch", "dispatch", "arrive", "dispose", "close"
        ]
    );
    assert_eq!(v["timeline"][4]["note"], "现场询问，已调取监控");
    assert_eq!(
        v["timeline"][1]["detail"]["officer_names"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The GET shows the same, and the list filters by status.
    let (_, got) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(got["version"], 6);
    assert_eq!(got["timeline"].as_array().unwrap().len(), 6);
    let (st, list) = s
        .get(&t, "/api/v1/incidents?status=closed&per_page=200")
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "closed")
    );
    let (_, open) = s
        .get(&t, "/api/v1/incidents?status=open&per_page=200")
        .await;
    assert!(
        !open["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_409s_and_field_errors_change_nothing() {
    let s = start(50).await;
    let (id, t) = filed(&s).await;
    let before = s.audit_seq().await;
    // Not allowed from `registered`.
    let (st, v) = step(&s, &t, &id, json!({"action": "close", "version": 1})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        fields(&v),
        [("action".into(), "incident.transition_not_allowed".into())]
    );
    // A stale version.
    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "refer", "version": 7, "receiver": "12345", "note": "非警务"}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        fields(&v),
        [("version".into(), "conflict.stale_version".into())]
    );
    // Field errors: unknown action and key, a field the step does not take, no officers.
    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "fly", "version": 1, "speed": 3}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let f = fields(&v);
    assert!(
        f.contains(&("action".into(), "action.unknown".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("speed".into(), "unknown_field".into())),
        "{f:?}"
    );
    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "dispatch", "version": 1, "receiver": "x"}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let f = fields(&v);
    assert!(
        f.contains(&("receiver".into(), "not_applicable".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("officers".into(), "officers.required".into())),
        "{f:?}"
    );
    // Officers of another station.
    let chief2 = s.login("s2.chief").await;
    let other = crew(&s, &t).await; // S01's, for S02's incident below
    let (st, v2) = s.post(&chief2, "/api/v1/incidents", &robbery()).await;
    assert_eq!(st, StatusCode::CREATED, "{v2}");
    let id2 = v2["id"].as_str().unwrap();
    let (st, v) = step(
        &s,
        &chief2,
        id2,
        json!({"action": "dispatch", "version": 1, "officers": other}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v)[0].1, "officers.other_unit");
    // Nothing was written by any of these (the S02 sign-in and intake are two entries).
    assert_eq!(s.audit_seq().await, before + 2);
    let (_, got) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(got["version"], 1);
    assert_eq!(got["status"], "registered");
    // Not JSON at all: 415 before anything else, after authorization.
    let r = s
        .http
        .post(s.url(&format!("/api/v1/incidents/{id}/transitions")))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body("dispatch")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Unknown list parameters and statuses are refused, not ignored.
    let (st, v) = s.get(&t, "/api/v1/incidents?stauts=open").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [("stauts".into(), "unknown_parameter".into())]);
    let (st, v) = s.get(&t, "/api/v1/incidents?status=lost").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), [("status".into(), "status.unknown".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_steps_have_one_winner_and_the_others_hear_stale_version() {
    let s = start(50).await;
    let (id, t) = filed(&s).await;
    let officers = crew(&s, &t).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let http = s.http.clone();
        let url = s.url(&format!("/api/v1/incidents/{id}/transitions"));
        let t = t.clone();
        let body = json!({"action": "dispatch", "version": 1, "officers": [officers[0]]});
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .unwrap();
            let st = r.status();
            (st, r.json::<Value>().await.unwrap())
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let (st, v) = task.await.unwrap();
        match st {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {
                assert_eq!(
                    fields(&v),
                    [("version".into(), "conflict.stale_version".into())]
                );
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert_eq!(ok, 1);
    let (_, got) = s.get(&t, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(got["version"], 2);
    assert_eq!(got["timeline"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_take_which_step_and_who_sees_nothing() {
    let s = start(50).await;
    let (id, t) = filed(&s).await;
    let officers = crew(&s, &t).await;
    let path = format!("/api/v1/incidents/{id}/transitions");
    let body = json!({"action": "dispatch", "version": 1, "officers": officers});
    // Another station's officers and partners: the incident does not exist for them,
    // whatever they send (even a body that is not JSON).
    for user in ["s2.desk", "s2.chief", "street1", "procuratorate"] {
        let u = s.login(user).await;
        let (st, v) = s.post(&u, &path, &body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{user}: {v}");
        let (st, _) = s.get(&u, &format!("/api/v1/incidents/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{user}");
        let unit = s.unit_id("S01").await;
        let (st, _) = s.get(&u, &format!("/api/v1/units/{unit}/officers")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{user} reads S01's officers");
    }
    // Bureau leaders and administrators read but do not work incidents.
    for user in ["leader", "admin"] {
        let u = s.login(user).await;
        let (st, v) = s.post(&u, &path, &body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}: {v}");
    }
    // A community officer may record arrival, not dispatch; the command centre may all.
    let community = s.login("s1.community").await;
    let (st, _) = s.post(&community, &path, &body).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let command = s.login("command").await;
    let (st, v) = s.post(&command, &path, &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .post(
            &community,
            &path,
            &json!({"action": "arrive", "version": 2}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Reopening is for the chief (and the command centre), after closing or referral.
    let (st, v) = s
        .post(
            &t,
            &path,
            &json!({"action": "dispose", "version": 3, "note": "已处置"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .post(&t, &path, &json!({"action": "close", "version": 4}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, _) = s
        .post(
            &t,
            &path,
            &json!({"action": "reopen", "version": 5, "note": "报警人再次来电"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a desk officer does not reopen");
    let chief = s.login("s1.chief").await;
    let (st, v) = s
        .post(
            &chief,
            &path,
            &json!({"action": "reopen", "version": 5, "note": "报警人再次来电"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "registered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_officer_sent_finds_the_call_in_the_inbox_and_only_there() {
    let s = start(50).await;
    let (id, t) = filed(&s).await;
    let (_, me) = s.get(&t, "/api/v1/me").await;
    let my_id = me["id"].as_str().unwrap().to_string();
    let (st, v) = step(
        &s,
        &t,
        &id,
        json!({"action": "dispatch", "version": 1, "officers": [my_id]}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The dispatcher inside the server delivers it within moments.
    let mut inbox = Value::Null;
    for _ in 0..50 {
        let (_, v) = s.get(&t, "/api/v1/notifications").await;
        if v["unread"].as_i64() == Some(1) {
            inbox = v;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "incident.dispatch");
    assert_eq!(inbox["items"][0]["link"], format!("/incidents/{id}"));
    let nid = inbox["items"][0]["id"].as_str().unwrap().to_string();
    // Another station's officer and a partner see none of it and cannot mark it.
    for user in ["s2.desk", "street1"] {
        let u = s.login(user).await;
        let (st, v) = s.get(&u, "/api/v1/notifications").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{user}: {v}");
        let (st, _) = s
            .post(&u, &format!("/api/v1/notifications/{nid}/read"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{user}");
    }
    let (st, _) = s
        .post(&t, &format!("/api/v1/notifications/{nid}/read"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, v) = s.get(&t, "/api/v1/notifications").await;
    assert_eq!(v["unread"], 0);
}

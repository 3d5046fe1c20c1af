//! Issue 10, attachments: a file is taken for what its bytes are, up to 10 MB, kept by its
//! SHA-256 and served back as it was; a mistyped, unknown or oversize file is refused on
//! `file` and changes nothing; another station's user gets 404 both ways.

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

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

async fn upload(
    s: &Server,
    token: &str,
    case: &str,
    name: &str,
    ctype: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let r = s
        .http
        .post(s.url(&format!(
            "/api/v1/cases/{case}/attachments?name={}",
            urlencode(name)
        )))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .expect("upload");
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_what_its_bytes_say_and_comes_back_unchanged() {
    let s = start(0).await;
    let officer = s.login("s1.investigator").await;
    let other = s.login("s2.investigator").await;
    let body = json!({"kind": "criminal", "title": "电动车被盗案", "summary": "人民路12号楼下电动车被盗。"});
    let (st, v) = s.post(&officer, "/api/v1/cases", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let case = v["id"].as_str().unwrap().to_string();
    let before = s.audit_seq().await;

    // Refusals change nothing.
    let (st, v) = upload(
        &s,
        &officer,
        &case,
        "笔录.pdf",
        "application/pdf",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "file");
    assert_eq!(v["errors"][0]["code"], "attachment.type_mismatch");
    let (st, v) = upload(
        &s,
        &officer,
        &case,
        "run.exe",
        "application/octet-stream",
        b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "attachment.type_not_allowed");
    let mut big = PDF.to_vec();
    big.resize(frontline_core::case::attachment::MAX_BYTES + 1, b' ');
    let (st, v) = upload(&s, &officer, &case, "big.pdf", "application/pdf", big).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "attachment.too_large");
    let (st, v) = upload(&s, &other, &case, "x.png", "image/png", PNG.to_vec()).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(s.audit_seq().await, before, "nothing recorded");
    let (_, d) = s.get(&officer, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(d["attachments"].as_array().unwrap().len(), 0);

    // A photo, its name stripped of its path.
    let (st, v) = upload(
        &s,
        &officer,
        &case,
        "C:\\现场\\现场照片.png",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["name"], "现场照片.png");
    assert_eq!(v["content_type"], "image/png");
    assert_eq!(v["size_bytes"], PNG.len());
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    let id = v["id"].as_str().unwrap().to_string();
    let (_, d) = s.get(&officer, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(d["attachments"][0]["id"], id.as_str());

    let r = s
        .http
        .get(s.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG, "the same bytes");
    let (st, _) = s.get(&other, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "another station does not read it"
    );
    let audit = s.app.store.audit_entries(before, 100).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.record.action.as_str()).collect();
    assert_eq!(actions, vec!["case.attachment.add", "case.attachment.read"]);
}

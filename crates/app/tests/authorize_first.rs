//! Issue 8, defect 6: every write and computation use case authorizes before it checks
//! its request, and `App::authorize` (what the web asks when a body cannot be read) gives
//! the same answer as the use case.
#![allow(clippy::unwrap_used, reason = "tests stop loudly")]
#![allow(clippy::panic, reason = "a test fails by panicking")]

mod common;

use frontline_app::incident::{IncidentRequest, UnmaskRequest};
use frontline_app::penalty::{AssessBody, StandardUploadRequest};
use frontline_app::period::{CalendarUploadRequest, DeadlineRequest};
use frontline_app::{AppError, Operation};
use serde_json::json;

fn forbidden<T: std::fmt::Debug>(r: frontline_app::Result<T>, what: &str) {
    assert!(matches!(r, Err(AppError::Forbidden)), "{what}: {r:?}");
}

/// The bodies of `POST /api/v1/penalty/assessments` etc. with wrong types everywhere,
/// from street1 (a partner): `Forbidden`, not `Validation`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_is_forbidden_whatever_the_request() {
    let e = common::start().await;
    let p = e.actor("street1").await;
    let bad = json!({"article": 5, "start": 1, "text": 7, "purpose": [], "category": {}});
    let seq = e.audit_seq().await;
    forbidden(
        e.app
            .assess_request(&p, &AssessBody::read(bad.clone()))
            .await,
        "assess",
    );
    forbidden(
        e.app
            .upload_standard_request(&p, &StandardUploadRequest::read(bad.clone()))
            .await,
        "standard upload",
    );
    let req = DeadlineRequest::from_json(bad.clone()).unwrap();
    forbidden(e.app.compute_deadline(&p, &req).await, "compute");
    let req = CalendarUploadRequest::from_json(bad.clone());
    forbidden(
        e.app
            .upload_calendar(&p, &req, frontline_core::Lang::En)
            .await,
        "calendar",
    );
    forbidden(
        e.app
            .create_incident(&p, &IncidentRequest::read(bad.clone()).unwrap())
            .await,
        "intake",
    );
    for op in [
        Operation::IncidentCreate,
        Operation::PenaltyAssess,
        Operation::StandardManage,
        Operation::DeadlineCompute,
        Operation::CalendarUpload,
    ] {
        forbidden(e.app.authorize(&p, op).await, &format!("{op:?}"));
    }
    assert!(e.audit_since(seq).await.is_empty());
}

/// `unmask_caller` of station 1's incident by s2.desk and street1 with an unknown key and
/// no purpose: `NotFound`, as for a missing incident; s1.desk hears about the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmasking_outside_ones_scope_is_not_found_whatever_the_request() {
    let e = common::start().await;
    let desk1 = e.actor("s1.desk").await;
    let intake = IncidentRequest::read(json!({
        "category": "criminal.theft",
        "address": "人民路12号附近",
        "caller": {"name": "王某", "phone": "13800138000"},
        "narrative": "报警人称其手机被盗。",
    }))
    .unwrap();
    let id = e.app.create_incident(&desk1, &intake).await.unwrap().id;
    let bad = UnmaskRequest::read(json!({"purpose": 1, "x": true}));
    for user in ["s2.desk", "street1"] {
        let a = e.actor(user).await;
        let r = e.app.unmask_caller(&common::signed_in(&a), id, &bad).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{user}: {r:?}");
        let r = e.app.authorize(&a, Operation::CallerUnmask(id)).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{user}: {r:?}");
    }
    let r = e
        .app
        .unmask_caller(&common::signed_in(&desk1), id, &bad)
        .await;
    assert!(matches!(r, Err(AppError::Validation(_))), "{r:?}");
    assert!(
        e.app
            .authorize(&desk1, Operation::CallerUnmask(id))
            .await
            .is_ok()
    );
}

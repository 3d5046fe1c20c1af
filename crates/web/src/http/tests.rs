use super::session::urlencode;

#[test]
fn query_values_keep_unreserved_characters_and_slashes() {
    assert_eq!(urlencode("/incidents/new"), "/incidents/new");
    assert_eq!(urlencode("a-b_c.d~e"), "a-b_c.d~e");
    assert_eq!(
        urlencode("/incidents?page=2&q=王 x"),
        "/incidents%3Fpage%3D2%26q%3D%E7%8E%8B%20x"
    );
    assert_eq!(urlencode(""), "");
}

/// An error raised with `?` (no language yet) is answered in the request's language.
#[tokio::test]
async fn errors_raised_with_question_mark_follow_the_request_language() {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use frontline_app::AppError;
    use tower::ServiceExt;

    use super::problem::{ApiError, localize};

    async fn missing() -> Result<&'static str, ApiError> {
        Err(AppError::NotFound)?
    }
    let app = Router::new()
        .route("/x", get(missing))
        .layer(axum::middleware::from_fn(localize));
    let title = |lang: Option<&'static str>| {
        let app = app.clone();
        async move {
            let mut req = Request::get("/x");
            if let Some(l) = lang {
                req = req.header(header::ACCEPT_LANGUAGE, l);
            }
            let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND);
            assert_eq!(
                resp.headers()[header::CONTENT_TYPE],
                "application/problem+json"
            );
            let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            v["title"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(title(None).await, "记录不存在");
    assert_eq!(title(Some("en-GB,en;q=0.8")).await, "Not found");
    assert_eq!(title(Some("zh-CN")).await, "记录不存在");
}

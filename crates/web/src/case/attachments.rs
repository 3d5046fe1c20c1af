//! Case attachments over HTTP: the API (a raw body up to 10 MB, the file served back) and
//! the case page's upload form (multipart). Files are served as downloads or, for the
//! accepted image and PDF kinds, inline in a sandbox: never as a page of this origin.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::case::attachment::AttachmentView;
use frontline_app::{App, Operation};
use frontline_core::FieldError;
use frontline_core::case::attachment::MAX_BYTES;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::http::problem::{ApiError, Problem, problem};
use crate::http::session::{ApiSession, UiSession};
use crate::pages::layout::app_error;

/// The upload routes read bodies up to the attachment limit (plus a multipart envelope).
const UPLOAD_LIMIT: usize = MAX_BYTES + 64 * 1024;

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_attachment))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
        .routes(routes!(get_attachment))
}

pub(crate) fn page_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/cases/{id}/attachments",
            post(upload_page).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases/{id}/attachments/{a}", get(file_page))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachQuery {
    /// The file's name as shown (its path is dropped); default `附件`.
    pub name: Option<String>,
}

fn too_large(lang: frontline_core::Lang) -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        lang,
        "文件过大",
        "File too large",
        &[FieldError::new(
            "file",
            "attachment.too_large",
            format!("文件不能超过 {} MB", MAX_BYTES / 1024 / 1024),
            format!("The file must be at most {} MB", MAX_BYTES / 1024 / 1024),
        )],
    )
}

/// 添加附件: a document or photo of the case as the raw body (PDF, JPEG, PNG or WebP, at
/// most 10 MB), checked by its content; the `Content-Type` sent must agree with it. A
/// file of another kind or claiming to be what it is not is 422 on `file`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", params(("id" = Uuid, Path), AttachQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file itself"),
    responses((status = 201, body = AttachmentView), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn add_attachment(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Path(id): Path<String>,
    Query(q): Query<AttachQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let bytes = match body {
        Ok(b) => b,
        Err(e) => {
            state
                .app
                .authorize(&s.actor, Operation::AttachmentAdd(id))
                .await?;
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return Ok(too_large(lang));
            }
            return Ok(problem(
                e.status(),
                lang,
                "请求无法读取",
                "Cannot read request",
                &[],
            ));
        }
    };
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let v = state
        .app
        .attach_to_case(
            &s.actor,
            id,
            q.name.as_deref().unwrap_or_default(),
            declared,
            &bytes,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The file of an attachment (a reader of its case only; audited).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem)))]
pub async fn get_attachment(
    State(state): State<AppState>,
    ApiSession(s, _lang): ApiSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let (v, bytes) = state.app.read_attachment(&s.actor, id).await?;
    Ok(file_response(&v, bytes, false))
}

fn file_response(v: &AttachmentView, bytes: Vec<u8>, inline: bool) -> Response {
    let name = percent_encoding::utf8_percent_encode(&v.name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!(
        "{}; filename=\"attachment\"; filename*=UTF-8''{name}",
        if inline { "inline" } else { "attachment" }
    );
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    if let Ok(t) = HeaderValue::from_str(&v.content_type) {
        h.insert(header::CONTENT_TYPE, t);
    }
    if let Ok(d) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, d);
    }
    // Whatever a file holds, it never runs as a page of this site.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

async fn upload_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(case_id) = Uuid::parse_str(&id) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    let (mut csrf, mut name, mut ctype, mut bytes) = (String::new(), String::new(), None, None);
    let mut too_big = false;
    if let Ok(mut m) = multipart {
        loop {
            match m.next_field().await {
                Ok(Some(f)) => match f.name() {
                    Some("csrf") => csrf = f.text().await.unwrap_or_default(),
                    Some("file") => {
                        name = f.file_name().unwrap_or_default().to_string();
                        ctype = f.content_type().map(str::to_string);
                        match f.bytes().await {
                            Ok(b) => bytes = Some(b),
                            Err(_) => too_big = true,
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => {
                    too_big = true;
                    break;
                }
            }
        }
    }
    if !crate::pages::form::csrf_ok(&session, Some(&csrf)) {
        return app_error(&state, &session, lang, AppError::Forbidden);
    }
    let result = if too_big {
        Err(AppError::field(FieldError::new(
            "file",
            "attachment.too_large",
            format!("文件不能超过 {} MB", MAX_BYTES / 1024 / 1024),
            format!("The file must be at most {} MB", MAX_BYTES / 1024 / 1024),
        )))
    } else {
        state
            .app
            .attach_to_case(
                &session.actor,
                case_id,
                &name,
                ctype.as_deref(),
                bytes.as_deref().unwrap_or_default(),
            )
            .await
    };
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}?done=attachment")).into_response(),
        Err(e) => super::decision_pages::refused_attachment(&state, &session, lang, &id, e).await,
    }
}

async fn file_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path((id, a)): Path<(String, String)>,
) -> Response {
    let Ok(aid) = Uuid::parse_str(&a) else {
        return app_error(&state, &session, lang, AppError::NotFound);
    };
    match read_for_case(&state.app, &session.actor, &id, aid).await {
        Ok((v, bytes)) => file_response(&v, bytes, true),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

/// The attachment when it belongs to the case in the path (another case's reads as
/// missing).
async fn read_for_case(
    app: &App,
    actor: &frontline_core::org::Actor,
    case_id: &str,
    id: Uuid,
) -> Result<(AttachmentView, Vec<u8>), AppError> {
    let row = app
        .store
        .case_attachment(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.case_id.to_string() != case_id {
        return Err(AppError::NotFound);
    }
    app.read_attachment(actor, id).await
}

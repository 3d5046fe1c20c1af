//! Errors as `application/problem+json` (RFC 9457) with field-level messages in the
//! client's language.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use frontline_app::AppError;
use frontline_core::{FieldError, Lang};
use serde::Serialize;

use super::session::lang_of_headers;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// Dotted path of the offending field, e.g. `caller.id_number`; empty for the body.
    pub field: String,
    /// Stable machine code, e.g. `id_number.check_digit`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error on its way to the client. Built with `?` from an [`AppError`] it is
/// rendered in the request's language by [`localize`]; `ApiError::new` fixes the
/// language up front. A body that could not be read at all is already its answer.
pub enum ApiError {
    App {
        error: AppError,
        lang: Option<Lang>,
    },
    /// The finished problem+json answer to an unreadable body (400, 413).
    Refused(Box<Response>),
}

impl ApiError {
    pub fn new(error: AppError, lang: Lang) -> ApiError {
        ApiError::App {
            error,
            lang: Some(lang),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError::App { error, lang: None }
    }
}

/// An error answered before its language was known; [`localize`] renders it again.
#[derive(Clone)]
struct Unlocalized(Arc<AppError>);

/// Middleware: renders errors raised with `?` in the request's language.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = lang_of_headers(req.headers());
    let resp = next.run(req).await;
    match resp.extensions().get::<Unlocalized>() {
        Some(Unlocalized(e)) if lang != Lang::Zh => render(e, lang),
        _ => resp,
    }
}

pub fn problem(
    status: StatusCode,
    lang: Lang,
    title_zh: &str,
    title_en: &str,
    errors: &[FieldError],
) -> Response {
    let body = Problem {
        type_: "about:blank".into(),
        title: match lang {
            Lang::Zh => title_zh.into(),
            Lang::En => title_en.into(),
        },
        status: status.as_u16(),
        errors: errors
            .iter()
            .map(|e| ProblemField {
                field: e.field.clone(),
                code: e.code.to_string(),
                message: e.message(lang).to_string(),
            })
            .collect(),
    };
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (error, lang) = match self {
            ApiError::Refused(r) => return *r,
            ApiError::App { error, lang } => (error, lang),
        };
        if let AppError::Internal(m) = &error {
            tracing::error!(error = %m, "internal error");
        }
        match lang {
            Some(l) => render(&error, l),
            None => {
                let mut r = render(&error, Lang::Zh);
                r.extensions_mut().insert(Unlocalized(Arc::new(error)));
                r
            }
        }
    }
}

fn render(e: &AppError, l: Lang) -> Response {
    match e {
        AppError::Validation(errs) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            l,
            "提交的内容有误",
            "The request has invalid fields",
            errs,
        ),
        AppError::NotFound => problem(StatusCode::NOT_FOUND, l, "记录不存在", "Not found", &[]),
        AppError::Forbidden => problem(
            StatusCode::FORBIDDEN,
            l,
            "无权执行此操作",
            "Not permitted",
            &[],
        ),
        AppError::Unauthorized => problem(
            StatusCode::UNAUTHORIZED,
            l,
            "未登录或用户名、密码错误",
            "Not signed in, or wrong username or password",
            &[],
        ),
        AppError::PasswordChangeRequired => problem(
            StatusCode::FORBIDDEN,
            l,
            "请先修改密码",
            "Change your password first",
            &[FieldError::new(
                "",
                "auth.password_change_required",
                "此账号须先修改密码（POST /api/v1/me/password），之后才能继续使用",
                "This account must change its password (POST /api/v1/me/password) before anything else",
            )],
        ),
        AppError::TotpEnrolmentRequired => problem(
            StatusCode::FORBIDDEN,
            l,
            "请先设置动态验证码",
            "Set up a second factor first",
            &[FieldError::new(
                "",
                "auth.totp_enrolment_required",
                "您的角色要求使用动态验证码：请先设置（POST /api/v1/me/totp/enrolment，再 POST /api/v1/me/totp/confirm），之后才能继续使用",
                "Your role requires a second factor: set it up (POST /api/v1/me/totp/enrolment, then POST /api/v1/me/totp/confirm) before anything else",
            )],
        ),
        AppError::SecondFactorRequired => problem(
            StatusCode::FORBIDDEN,
            l,
            "请输入动态验证码",
            "Enter your second factor's code",
            &[FieldError::new(
                "",
                "auth.totp_required",
                "登录尚未完成：请输入动态验证码",
                "The sign-in is not complete: enter your second factor's code",
            )],
        ),
        AppError::ReauthenticationRequired => problem(
            StatusCode::FORBIDDEN,
            l,
            "请重新验证身份",
            "Confirm it is you",
            &[FieldError::new(
                "",
                "auth.reauthentication_required",
                "此操作需要在10分钟内重新输入过密码或动态验证码（POST /api/v1/me/reauthenticate）",
                "This needs the password or a code re-entered within the last 10 minutes (POST /api/v1/me/reauthenticate)",
            )],
        ),
        &AppError::Throttled { retry_after_secs } => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                l,
                "尝试次数过多，请稍后再试",
                "Too many attempts; try again later",
                &[],
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        AppError::Conflict(_) => problem(StatusCode::CONFLICT, l, "记录冲突", "Conflict", &[]),
        AppError::StateConflict(e) => problem(
            StatusCode::CONFLICT,
            l,
            "记录状态已变化",
            "The record's state does not allow this",
            std::slice::from_ref(e),
        ),
        AppError::Internal(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            l,
            "服务器内部错误",
            "Internal server error",
            &[],
        ),
    }
}

/// Middleware: every error under `/api/` is problem+json, including the answers no
/// handler wrote (an extractor's rejection of a path or query it cannot read, 405 for a
/// method a path does not have, a body cut off). Their text becomes the one error's
/// message (`request.rejected`); headers such as `Allow` are kept.
pub async fn api_errors_as_problems(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let lang = lang_of_headers(req.headers());
    let resp = next.run(req).await;
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !api || resp.status().as_u16() < 400 || is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // Rejections are a line of text; anything longer is not worth echoing.
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let reason = parts.status.canonical_reason().unwrap_or("Error");
    let errors = if text.is_empty() {
        Vec::new()
    } else {
        vec![FieldError::new("", "request.rejected", text.clone(), text)]
    };
    let mut r = problem(parts.status, lang, "请求无法处理", reason, &errors);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            r.headers_mut().append(name.clone(), value.clone());
        }
    }
    r
}

//! Form helpers: options, field errors, reading form bodies and queries, the CSRF check.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use frontline_app::auth::Session;
use frontline_core::{FieldError, Lang};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::layout::error_page;
use crate::{AppState, i18n};

pub struct Opt {
    pub value: String,
    pub label: String,
}

pub struct OptGroup {
    pub label: String,
    /// The unit a group of districts belongs to (empty otherwise), for the script that
    /// narrows the district list to the chosen station.
    pub unit: String,
    pub options: Vec<Opt>,
}

/// The HTML id of the form control for a use-case field path (`caller.phone` → `caller_phone`).
pub fn field_id(field: &str) -> String {
    field.replace('.', "_")
}

/// Compares two secrets in constant time; an empty secret never matches.
pub(super) fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The form's CSRF token is the session's.
pub(crate) fn csrf_ok(session: &Session, sent: Option<&str>) -> bool {
    sent.is_some_and(|s| same_secret(&session.csrf_token, s))
}

pub(crate) fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Field errors of a form: the summary list (in order) and a lookup by control id.
#[derive(Default)]
pub struct FormErrors {
    /// (control id or "" when the error belongs to no control, text for the summary)
    pub summary: Vec<(String, String)>,
    by_id: Vec<(String, String)>,
}

impl FormErrors {
    /// `labels` maps control ids to their labels, to say which field a summary line is about.
    pub(crate) fn new(errs: &[FieldError], lang: Lang, labels: &[(&str, String)]) -> FormErrors {
        let sep = i18n::t(lang, "form.label_sep");
        let mut f = FormErrors::default();
        for e in errs {
            let id = field_id(&e.field);
            let msg = e.message(lang).to_string();
            match labels.iter().find(|(k, _)| *k == id) {
                Some((_, label)) => {
                    f.summary.push((id.clone(), format!("{label}{sep}{msg}")));
                    if !f.by_id.iter().any(|(k, _)| *k == id) {
                        f.by_id.push((id, msg));
                    }
                }
                None => f.summary.push((String::new(), msg)),
            }
        }
        f
    }

    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
    }
}

/// Reads an urlencoded form body; the error is the status of the page to show instead.
pub(crate) fn read_form<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, StatusCode> {
    let bytes = body.map_err(|e| e.status())?;
    serde_urlencoded::from_bytes(&bytes).map_err(|_| StatusCode::BAD_REQUEST)
}

/// A posted form that carries the CSRF token.
pub(crate) trait WithCsrf {
    fn csrf(&self) -> Option<&str>;
}

/// A posted form with nothing in it but the CSRF token.
#[derive(Deserialize, Default)]
pub(crate) struct CsrfOnly {
    csrf: Option<String>,
}

impl WithCsrf for CsrfOnly {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// Reads a posted form and checks its CSRF token against the session's. On failure, the
/// error page to answer with: the body's status (400 for an unreadable form), or 403 for a
/// missing or wrong token.
#[expect(
    clippy::result_large_err,
    reason = "the error is the HTTP response itself, returned at once"
)]
pub(crate) fn posted_form<T: DeserializeOwned + WithCsrf>(
    state: &AppState,
    session: &Session,
    lang: Lang,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Response> {
    let form: T =
        read_form(body).map_err(|status| error_page(state, Some(session), lang, status))?;
    if !csrf_ok(session, form.csrf()) {
        return Err(error_page(
            state,
            Some(session),
            lang,
            StatusCode::FORBIDDEN,
        ));
    }
    Ok(form)
}

pub(crate) fn parse_query<T: serde::de::DeserializeOwned + Default>(q: Option<String>) -> T {
    q.and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default()
}

/// `?next=…`: where to go afterwards (checked with [`safe_next`]).
#[derive(Deserialize, Default)]
pub(crate) struct NextQuery {
    pub(crate) next: Option<String>,
}

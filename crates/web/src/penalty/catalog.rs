//! The catalog of the standard in use, and the administrators' standards page.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::penalty::{ArticleView, CatalogQuery, PenaltyCatalogView, StandardList};
use frontline_core::Lang;
use serde::Deserialize;
use uuid::Uuid;

use super::fmt::*;
use super::pages::CalcQuery;
use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::fmt::tf;
use crate::pages::form::{CsrfOnly, FormErrors, WithCsrf, parse_query, posted_form};
use crate::pages::layout::{Chrome, app_error, error_page, render};

/// An urlencoded standard is up to ~3× its size (Chinese text).
const STANDARD_FORM_LIMIT: usize = 4 * frontline_app::penalty::STANDARD_MAX_BYTES;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/penalty/catalog", get(catalog))
        .route(
            "/penalty/standards",
            get(standards)
                .post(standard_upload)
                .layer(DefaultBodyLimit::max(STANDARD_FORM_LIMIT)),
        )
        .route("/penalty/standards/{id}/activate", post(standard_activate))
}

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "penalty/catalog.html")]
struct CatalogPage {
    c: Chrome,
    q: String,
    cat: PenaltyCatalogView,
    /// One article shown in full.
    detail: Option<ArticleView>,
    errs: FormErrors,
}

impl CatalogPage {
    fn range(&self, warning: &bool, det: &Option<Vec<u32>>, fine: &Option<Vec<u64>>) -> String {
        range_text(self.c.lang, *warning, vec2(det), vec2(fine))
    }
    fn tier_name(&self, t: &str) -> String {
        self.c.t(&format!("penalty.tier.{t}"))
    }
    fn kind_name(&self, k: &str) -> String {
        self.c.t(&format!("penalty.kind.{k}"))
    }
    fn situations_of(&self, a: &ArticleView) -> usize {
        a.violations
            .iter()
            .flat_map(|v| v.tiers.iter())
            .map(|t| t.situations.len())
            .sum()
    }
    fn applies(&self, arts: &[u16]) -> String {
        if arts.is_empty() {
            self.c.t("penalty.catalog.all_articles")
        } else {
            arts.iter()
                .map(|a| format!("{a}"))
                .collect::<Vec<_>>()
                .join("、")
        }
    }
}

async fn catalog(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: CalcQuery = parse_query(q);
    let text = q.q.clone().unwrap_or_default();
    let article = q.article.clone().filter(|s| !s.trim().is_empty());
    let res = state
        .app
        .penalty_catalog(
            &session.actor,
            &CatalogQuery {
                q: Some(text.clone()),
                article: article.clone(),
            },
        )
        .await;
    let (status, cat, errs) = match res {
        Ok(c) => (StatusCode::OK, c, FormErrors::default()),
        Err(AppError::Validation(e)) => {
            let labels = [("article", i18n::t(lang, "penalty.article"))];
            match state
                .app
                .penalty_catalog(
                    &session.actor,
                    &CatalogQuery {
                        q: Some(text.clone()),
                        article: None,
                    },
                )
                .await
            {
                Ok(c) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    c,
                    FormErrors::new(&e, lang, &labels),
                ),
                Err(e) => return app_error(&state, &session, lang, e),
            }
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let detail = if article.is_some() && errs.is_empty() {
        cat.articles.first().cloned()
    } else {
        None
    };
    let here = match (&detail, text.is_empty()) {
        (Some(a), _) => format!("/penalty/catalog?article={}", a.article),
        (None, false) => format!(
            "/penalty/catalog?q={}",
            crate::http::session::urlencode(&text)
        ),
        (None, true) => "/penalty/catalog".into(),
    };
    let page = CatalogPage {
        c: Chrome::new(&state, Some(&session), lang, "penalty_catalog", &here),
        q: text,
        cat,
        detail,
        errs,
    };
    render(status, &page)
}

// ---------------------------------------------------------------------------
// Standards (administrators)
// ---------------------------------------------------------------------------

pub(crate) struct StandardRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) uploaded_by: String,
    pub(crate) uploaded_at: String,
    pub(crate) activated_at: String,
    pub(crate) active: bool,
}

#[derive(Template)]
#[template(path = "penalty/standards.html")]
struct StandardsPage {
    c: Chrome,
    in_use: String,
    builtin: bool,
    load_error: Option<String>,
    rows: Vec<StandardRow>,
    notice: Option<String>,
    name: String,
    text: String,
    errs: FormErrors,
}

#[derive(Deserialize, Default)]
struct StandardsQuery {
    uploaded: Option<String>,
    activated: Option<String>,
}

fn short_time(rfc: &str) -> String {
    // "2026-11-22T10:00:00+08:00" → "2026-11-22 10:00"
    rfc.get(..16).unwrap_or(rfc).replace('T', " ")
}

#[expect(
    clippy::too_many_arguments,
    reason = "one page, its parts as the handlers have them"
)]
fn standards_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    list: StandardList,
    notice: Option<String>,
    name: String,
    text: String,
    errs: FormErrors,
) -> StandardsPage {
    StandardsPage {
        c: Chrome::new(
            state,
            Some(session),
            lang,
            "penalty_standards",
            "/penalty/standards",
        ),
        in_use: format!("{}（{}）", list.in_use.name_zh, list.in_use.version),
        builtin: list.in_use.builtin,
        load_error: list.in_use.load_error.clone(),
        rows: list
            .items
            .iter()
            .map(|s| StandardRow {
                id: s.id,
                name: s.name.clone(),
                version: s.version.clone(),
                uploaded_by: s.uploaded_by.clone(),
                uploaded_at: short_time(&s.uploaded_at),
                activated_at: s
                    .activated_at
                    .as_deref()
                    .map(short_time)
                    .unwrap_or_default(),
                active: s.active,
            })
            .collect(),
        notice,
        name,
        text,
        errs,
    }
}

async fn standards(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let q: StandardsQuery = parse_query(q);
    let list = match state.app.list_standards(&session.actor).await {
        Ok(l) => l,
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let find = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| list.items.iter().find(|s| s.id.to_string() == id))
            .map(|s| format!("{}（{}）", s.name, s.version))
    };
    let notice = if let Some(n) = find(&q.uploaded) {
        Some(tf(
            lang,
            "penalty.standards.notice_uploaded",
            &[("name", &n)],
        ))
    } else {
        find(&q.activated).map(|n| tf(lang, "penalty.standards.notice_activated", &[("name", &n)]))
    };
    let page = standards_page(
        &state,
        &session,
        lang,
        list,
        notice,
        String::new(),
        String::new(),
        FormErrors::default(),
    );
    render(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
struct UploadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    text: String,
}

impl WithCsrf for UploadForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

async fn standard_upload(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form: UploadForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    match state
        .app
        .upload_standard(&session.actor, &form.name, &form.text)
        .await
    {
        Ok(up) => {
            Redirect::to(&format!("/penalty/standards?uploaded={}", up.standard.id)).into_response()
        }
        Err(AppError::Validation(errs)) => {
            let list = match state.app.list_standards(&session.actor).await {
                Ok(l) => l,
                Err(e) => return app_error(&state, &session, lang, e),
            };
            let labels = [
                ("name", i18n::t(lang, "penalty.standards.name")),
                ("text", i18n::t(lang, "penalty.standards.text")),
            ];
            let page = standards_page(
                &state,
                &session,
                lang,
                list,
                None,
                form.name,
                form.text,
                FormErrors::new(&errs, lang, &labels),
            );
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

async fn standard_activate(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(page) = posted_form::<CsrfOnly>(&state, &session, lang, body) {
        return page;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(&state, Some(&session), lang, StatusCode::NOT_FOUND);
    };
    match state.app.activate_standard(&session.actor, id).await {
        Ok(s) => Redirect::to(&format!("/penalty/standards?activated={}", s.id)).into_response(),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

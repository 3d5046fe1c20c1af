//! Incident pages: intake, list (with CSV export) and detail with unmasking.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use frontline_app::AppError;
use frontline_app::auth::Session;
use frontline_app::incident::{CallerRequest, IncidentRequest, IncidentView, ListQuery};
use frontline_core::Lang;
use frontline_core::incident::category::Category;
use frontline_core::incident::lifecycle::Status;
use serde::Deserialize;
use uuid::Uuid;

use super::export;
use crate::AppState;
use crate::http::session::UiSession;
use crate::i18n;
use crate::pages::fmt::{bj_minutes, datetime_local, group_thousands, page_count, tf};
use crate::pages::form::{
    FormErrors, Opt, OptGroup, WithCsrf, non_blank, parse_query, posted_form,
};
use crate::pages::layout::{Chrome, app_error, error_page, render};

#[cfg(test)]
mod tests;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(incident_list).post(incident_create))
        .route("/incidents/new", get(intake_form))
        .merge(super::detail::routes())
}

/// What the intake form shows in its fields (as typed, or the defaults).
#[derive(Deserialize, Default)]
pub(crate) struct IntakeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reported_at: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    caller_name: String,
    #[serde(default)]
    caller_phone: String,
    #[serde(default)]
    caller_id_number: String,
    #[serde(default)]
    narrative: String,
}

impl WithCsrf for IntakeForm {
    fn csrf(&self) -> Option<&str> {
        Some(&self.csrf)
    }
}

impl IntakeForm {
    /// The intake contract, as the API would receive it (a blank field is absent). The
    /// unit goes as posted: whether this user may name it is the use case's answer.
    fn request(&self) -> IncidentRequest {
        let text = |s: &String| s.clone().into();
        IncidentRequest {
            reported_at: text(&self.reported_at),
            category: text(&self.category),
            address: text(&self.address),
            district_id: text(&self.district_id),
            unit_id: text(&self.unit_id),
            caller: CallerRequest {
                name: text(&self.caller_name),
                phone: text(&self.caller_phone),
                id_number: text(&self.caller_id_number),
                ..CallerRequest::default()
            }
            .into(),
            narrative: text(&self.narrative),
            ..IncidentRequest::default()
        }
    }
}

#[derive(Template)]
#[template(path = "incident/intake.html")]
struct IntakePage {
    c: Chrome,
    v: IntakeForm,
    errs: FormErrors,
    categories: Vec<OptGroup>,
    /// Stations to choose from, when the user may file for another unit.
    units: Option<Vec<Opt>>,
    unit_required: bool,
    districts: Vec<OptGroup>,
}

/// A top-level category's subcategories, as options.
fn child_options(root: &Category, lang: Lang) -> Vec<Opt> {
    root.children
        .iter()
        .map(|c| Opt {
            value: c.code.clone(),
            label: c.name(lang).to_string(),
        })
        .collect()
}

fn category_groups(state: &AppState, lang: Lang) -> Vec<OptGroup> {
    state
        .app
        .categories
        .roots()
        .iter()
        .map(|r| OptGroup {
            label: r.name(lang).to_string(),
            unit: String::new(),
            options: child_options(r, lang),
        })
        .collect()
}

fn station_options(state: &AppState) -> Vec<Opt> {
    state
        .app
        .org
        .stations()
        .into_iter()
        .map(|u| Opt {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect()
}

fn intake_labels(lang: Lang) -> Vec<(&'static str, String)> {
    [
        ("reported_at", "intake.reported_at"),
        ("category", "intake.category"),
        ("unit_id", "intake.unit"),
        ("address", "intake.address"),
        ("district_id", "intake.district"),
        ("caller_name", "intake.caller_name"),
        ("caller_phone", "intake.caller_phone"),
        ("caller_id_number", "intake.caller_id_number"),
        ("narrative", "intake.narrative"),
    ]
    .into_iter()
    .map(|(id, key)| (id, i18n::t(lang, key)))
    .collect()
}

fn intake_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    v: IntakeForm,
    errs: FormErrors,
) -> IntakePage {
    let a = &session.actor;
    let may_assign = state.app.capabilities(a).choose_intake_unit;
    let own_is_station = state.app.org.stations().iter().any(|u| u.id == a.unit_id);
    let districts = if may_assign {
        state
            .app
            .org
            .stations()
            .into_iter()
            .map(|u| OptGroup {
                unit: u.id.to_string(),
                options: state
                    .app
                    .org
                    .districts_of(u.id)
                    .into_iter()
                    .map(|d| Opt {
                        value: d.id.to_string(),
                        label: d.name,
                    })
                    .collect(),
                label: u.name,
            })
            .filter(|g| !g.options.is_empty())
            .collect()
    } else {
        vec![OptGroup {
            label: String::new(),
            unit: a.unit_id.to_string(),
            options: state
                .app
                .org
                .districts_of(a.unit_id)
                .into_iter()
                .map(|d| Opt {
                    value: d.id.to_string(),
                    label: d.name,
                })
                .collect(),
        }]
    };
    IntakePage {
        c: Chrome::new(state, Some(session), lang, "intake", "/incidents/new"),
        v,
        errs,
        categories: category_groups(state, lang),
        units: may_assign.then(|| station_options(state)),
        unit_required: !own_is_station,
        districts,
    }
}

async fn intake_form(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
) -> Response {
    if !state.app.capabilities(&session.actor).create_incidents {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    let own_is_station = state
        .app
        .org
        .stations()
        .iter()
        .any(|u| u.id == session.actor.unit_id);
    let v = IntakeForm {
        reported_at: datetime_local(state.app.now()),
        unit_id: if own_is_station {
            session.actor.unit_id.to_string()
        } else {
            String::new()
        },
        ..IntakeForm::default()
    };
    let page = intake_page(&state, &session, lang, v, FormErrors::default());
    render(StatusCode::OK, &page)
}

async fn incident_create(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let v: IntakeForm = match posted_form(&state, &session, lang, body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    match state
        .app
        .create_incident(&session.actor, &v.request())
        .await
    {
        Ok(row) => Redirect::to(&format!("/incidents/{}?created=1", row.id)).into_response(),
        Err(AppError::Validation(errs)) => {
            let errs = FormErrors::new(&errs, lang, &intake_labels(lang));
            let page = intake_page(&state, &session, lang, v, errs);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => app_error(&state, &session, lang, e),
    }
}

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct ListForm {
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    unit_id: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    /// `csv`: download every row the filters select instead of showing a page.
    export: Option<String>,
    /// `reported_at`: oldest first; otherwise newest first.
    sort: Option<String>,
    /// A lifecycle status, or `open`.
    status: Option<String>,
    /// Search terms (narrative and address).
    q: Option<String>,
}

impl ListForm {
    fn query(&self) -> ListQuery {
        ListQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            category: self.category.clone(),
            unit_id: self.unit_id.clone(),
            page: self.page.clone(),
            per_page: self.per_page.clone(),
            sort: self.sort.clone(),
            status: self.status.clone(),
            q: self.q.clone(),
            other: Default::default(),
        }
    }

    fn oldest_first(&self) -> bool {
        self.sort.as_deref().map(str::trim) == Some("reported_at")
    }

    /// The first page of this view in the other time order.
    fn sort_toggle_href(&self) -> String {
        let other = ListForm {
            sort: (!self.oldest_first()).then(|| "reported_at".to_string()),
            ..self.clone()
        };
        other.href(1)
    }

    /// This view's filters as a CSV download.
    fn export_href(&self) -> String {
        let h = self.href(1);
        let sep = if h.contains('?') { '&' } else { '?' };
        format!("{h}{sep}export=csv")
    }

    /// The query string of this view at another page, keeping every filter.
    fn href(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("category", &self.category),
            ("unit_id", &self.unit_id),
            ("per_page", &self.per_page),
            ("sort", &self.sort),
            ("status", &self.status),
            ("q", &self.q),
        ] {
            if let Some(v) = non_blank(v) {
                pairs.push((k, v.to_string()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if q.is_empty() {
            "/incidents".to_string()
        } else {
            format!("/incidents?{q}")
        }
    }
}

pub(crate) struct ListRow {
    pub(crate) id: Uuid,
    pub(crate) number: String,
    pub(crate) reported: String,
    pub(crate) category: String,
    pub(crate) address: String,
    pub(crate) unit: String,
    pub(crate) phone: String,
    pub(crate) status: String,
    /// `open` for work still to do, `done` for closed, referred or converted.
    pub(crate) status_class: &'static str,
}

#[derive(Template)]
#[template(path = "incident/list.html")]
struct ListPage {
    c: Chrome,
    from: String,
    to: String,
    category: String,
    unit_id: String,
    status: String,
    q: String,
    statuses: Vec<Opt>,
    categories: Vec<CategoryFilter>,
    units: Option<Vec<Opt>>,
    errs: FormErrors,
    rows: Vec<ListRow>,
    total: String,
    page: i64,
    pages: i64,
    export_href: String,
    /// The export asked for needs the password or a code again: the form is shown.
    reauth: bool,
    sort_href: String,
    oldest_first: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    shown: bool,
}

impl ListPage {
    fn page_label(&self) -> String {
        tf(
            self.c.lang,
            "list.page",
            &[
                ("page", &group_thousands(self.page)),
                ("pages", &group_thousands(self.pages)),
            ],
        )
    }
}

/// A top-level category with its sub-categories, for the list filter (either may be picked).
pub(crate) struct CategoryFilter {
    pub(crate) code: String,
    pub(crate) all_label: String,
    pub(crate) label: String,
    pub(crate) children: Vec<Opt>,
}

/// The status filter: open work first, then each state.
fn status_options(lang: Lang) -> Vec<Opt> {
    let mut v = vec![Opt {
        value: "open".into(),
        label: i18n::t(lang, "list.status_open"),
    }];
    v.extend(Status::ALL.iter().map(|s| {
        Opt {
            value: s.as_str().into(),
            label: match lang {
                Lang::Zh => s.name_zh(),
                Lang::En => s.name_en(),
            }
            .into(),
        }
    }));
    v
}

async fn incident_list(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    headers: axum::http::HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let here = match &q {
        Some(q) if !q.is_empty() => format!("/incidents?{q}"),
        _ => "/incidents".to_string(),
    };
    let f: ListForm = parse_query(q);
    // An export that cannot be made (too many rows) shows the list with the reason;
    // filter errors are reported by the list below.
    let mut export_errs = Vec::new();
    if f.export.as_deref() == Some("csv") && export::cross_site_cookie_request(&headers) {
        return error_page(&state, Some(&session), lang, StatusCode::FORBIDDEN);
    }
    // An export that needs the password or a code again asks for it on the list page
    // (a form to `/me/reauthenticate` that comes back to the export).
    let mut reauth = false;
    if f.export.as_deref() == Some("csv") {
        match state.app.export_incidents(&session, &f.query()).await {
            Ok(rows) => {
                let csv = export::incidents_csv(&state.app, &rows, lang);
                return export::csv_response(csv, "incidents", state.app.now());
            }
            Err(AppError::Validation(errs)) => export_errs = errs,
            Err(AppError::ReauthenticationRequired) => reauth = true,
            Err(e) => return app_error(&state, &session, lang, e),
        }
    }
    // A role that reads no incidents gets 403 from the use case, as from the API.
    let result = state.app.list_incidents(&session.actor, &f.query()).await;
    let labels: Vec<(&str, String)> = vec![
        ("from", i18n::t(lang, "list.from")),
        ("to", i18n::t(lang, "list.to")),
        ("category", i18n::t(lang, "list.category")),
        ("unit_id", i18n::t(lang, "list.unit")),
        ("page", i18n::t(lang, "list.paging")),
        ("sort", i18n::t(lang, "list.col_reported")),
        ("per_page", i18n::t(lang, "list.paging")),
        ("status", i18n::t(lang, "list.status")),
        ("q", i18n::t(lang, "list.search")),
    ];
    let (mut status, rows, total, page, pages, mut errs, shown) = match result {
        Ok((rows, total, page, per_page)) => {
            let rows = rows
                .iter()
                .map(|r| {
                    let v: IncidentView = state.app.incident_view(r, lang);
                    ListRow {
                        id: v.id,
                        number: v.number,
                        reported: bj_minutes(r.reported_at),
                        category: v.category_name,
                        address: v.address,
                        unit: v.unit_name,
                        phone: v.caller.phone,
                        status: v.status_name,
                        status_class: if v.status.is_open() { "open" } else { "done" },
                    }
                })
                .collect();
            (
                StatusCode::OK,
                rows,
                total,
                page,
                page_count(total, per_page),
                FormErrors::default(),
                true,
            )
        }
        Err(AppError::Validation(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            0,
            1,
            1,
            FormErrors::new(&errs, lang, &labels),
            false,
        ),
        Err(e) => return app_error(&state, &session, lang, e),
    };
    if reauth {
        status = StatusCode::FORBIDDEN;
    }
    if !export_errs.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
        errs = FormErrors::new(&export_errs, lang, &labels);
    }
    let categories = state
        .app
        .categories
        .roots()
        .iter()
        .map(|r| CategoryFilter {
            code: r.code.clone(),
            all_label: tf(lang, "list.category_all_of", &[("name", r.name(lang))]),
            label: r.name(lang).to_string(),
            children: child_options(r, lang),
        })
        .collect();
    let page_view = ListPage {
        c: Chrome::new(&state, Some(&session), lang, "incidents", &here),
        from: f.from.clone().unwrap_or_default(),
        to: f.to.clone().unwrap_or_default(),
        category: f.category.clone().unwrap_or_default(),
        unit_id: f.unit_id.clone().unwrap_or_default(),
        status: f.status.clone().unwrap_or_default(),
        q: f.q.clone().unwrap_or_default(),
        statuses: status_options(lang),
        categories,
        units: state
            .app
            .capabilities(&session.actor)
            .read_all_units
            .then(|| station_options(&state)),
        errs,
        rows,
        total: group_thousands(total),
        page,
        pages,
        export_href: f.export_href(),
        reauth,
        sort_href: f.sort_toggle_href(),
        oldest_first: f.oldest_first(),
        prev_href: (page > 1).then(|| f.href(page - 1)),
        next_href: (page < pages).then(|| f.href(page + 1)),
        shown,
    };
    render(status, &page_view)
}

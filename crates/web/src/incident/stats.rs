//! 警情统计: the statistics API (JSON and CSV) and the page with its charts.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use frontline_app::AppError;
use frontline_app::incident::{StatisticsQuery, StatisticsView};
use frontline_core::Lang;

use super::export;
use crate::AppState;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{ApiSession, UiSession};
use crate::i18n;
use crate::pages::chart;
use crate::pages::form::{FormErrors, parse_query};
use crate::pages::layout::{Chrome, app_error, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/statistics", get(statistics_page))
        .route("/statistics/export", get(statistics_csv_page))
}

/// 警情统计: incidents by unit, category and period (`group_by`) over a range of
/// Beijing dates, each row with the same row a year earlier; the totals against a year
/// earlier and the period just before; the series, bars and weekly heat map a dashboard
/// draws; arrivals against the 110 response target and median response times per unit.
/// Read from rollups kept with every incident write. A station's workers see their
/// station, leaders and the command centre the bureau; partners nothing (403).
#[utoipa::path(get, path = "/api/v1/statistics/incidents", params(StatisticsQuery),
    responses((status = 200, body = StatisticsView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn incident_statistics(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<StatisticsQuery>,
) -> Result<Json<StatisticsView>, ApiError> {
    Ok(Json(
        state.app.incident_statistics(&s.actor, &q, lang).await?,
    ))
}

/// The statistics table (rows as `group_by` asks) as a CSV file, UTF-8 with a byte-order
/// mark. Counts only: no personal data leaves with it.
#[utoipa::path(get, path = "/api/v1/statistics/incidents/export", params(StatisticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn incident_statistics_csv(
    State(state): State<AppState>,
    ApiSession(s, lang): ApiSession,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, ApiError> {
    let v = state.app.incident_statistics(&s.actor, &q, lang).await?;
    Ok(export::csv_response(
        statistics_csv(&v, lang),
        "statistics",
        state.app.now(),
    ))
}

/// The table of a statistics answer as CSV.
pub fn statistics_csv(v: &StatisticsView, lang: Lang) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + v.rows.len() * 64);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let mut w = csv::Writer::from_writer(out);
    let g = &v.group_by;
    let mut head = Vec::new();
    if g.unit {
        head.push(i18n::t(lang, "stats.col_unit"));
    }
    if g.category || g.top_category {
        head.push(i18n::t(lang, "stats.col_category_code"));
        head.push(i18n::t(lang, "stats.col_category"));
    }
    if g.period.is_some() {
        head.push(i18n::t(lang, "stats.col_period"));
    }
    for k in [
        "stats.col_incidents",
        "stats.col_previous_year",
        "stats.col_target_met",
        "stats.col_target_missed",
    ] {
        head.push(i18n::t(lang, k));
    }
    // Writing into a Vec cannot fail.
    let _ = w.write_record(&head);
    for r in &v.rows {
        let mut rec: Vec<String> = Vec::new();
        if g.unit {
            rec.push(r.unit_name.clone().unwrap_or_default());
        }
        if g.category || g.top_category {
            rec.push(r.category.clone().unwrap_or_default());
            rec.push(r.category_name.clone().unwrap_or_default());
        }
        if g.period.is_some() {
            rec.push(r.period.clone().unwrap_or_default());
        }
        rec.extend([
            r.incidents.to_string(),
            r.previous_year.to_string(),
            r.target_met.to_string(),
            r.target_missed.to_string(),
        ]);
        let _ = w.write_record(rec.iter().map(|c| export::defuse(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

#[derive(Template)]
#[template(path = "incident/statistics.html")]
struct StatisticsPage {
    c: Chrome,
    v: StatisticsView,
    /// The form as given (to show it again) and the choices.
    form: StatisticsQuery,
    group_by: String,
    units: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    errs: FormErrors,
    export_href: String,
    bars_unit: String,
    bars_category: String,
    line: String,
    heat: String,
    printed_at: String,
}

impl StatisticsPage {
    fn pct(&self, v: &Option<f64>) -> String {
        match v {
            Some(p) => format!("{p:+.1}%"),
            None => "—".into(),
        }
    }
    fn share(&self, v: &Option<f64>) -> String {
        match v {
            Some(p) => format!("{p:.1}%"),
            None => "—".into(),
        }
    }
    fn minutes(&self, v: &Option<i64>) -> String {
        match v {
            Some(s) => format!("{}:{:02}", s / 60, s % 60),
            None => "—".into(),
        }
    }
}

const GROUPINGS: [&str; 8] = [
    "unit,month",
    "unit",
    "top_category",
    "unit,top_category",
    "unit,category",
    "top_category,month",
    "unit,category,month",
    "week",
];

async fn statistics_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let mut form: StatisticsQuery = parse_query(q);
    // Empty fields of the form mean "not given"; nothing else is on the form.
    form.other.clear();
    for f in [
        &mut form.from,
        &mut form.to,
        &mut form.group_by,
        &mut form.unit_id,
        &mut form.category,
    ] {
        if f.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *f = None;
        }
    }
    let (v, errs, status) = match state
        .app
        .incident_statistics(&session.actor, &form, lang)
        .await
    {
        Ok(v) => (v, FormErrors::default(), StatusCode::OK),
        Err(AppError::Validation(es)) => {
            let labels = [
                ("from", i18n::t(lang, "stats.from")),
                ("to", i18n::t(lang, "stats.to")),
                ("group_by", i18n::t(lang, "stats.group_by")),
                ("unit_id", i18n::t(lang, "stats.unit")),
                ("category", i18n::t(lang, "stats.category")),
            ];
            let errs = FormErrors::new(&es, lang, &labels);
            match state
                .app
                .incident_statistics(&session.actor, &StatisticsQuery::default(), lang)
                .await
            {
                Ok(v) => (v, errs, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => return app_error(&state, &session, lang, e),
            }
        }
        Err(e) => return app_error(&state, &session, lang, e),
    };
    let units = state
        .app
        .org
        .units()
        .into_iter()
        .filter(|u| {
            u.kind == frontline_core::org::UnitKind::Station
                && frontline_core::authz::allows(
                    &session.actor,
                    frontline_core::authz::Action::StatisticsRead,
                    &u.path,
                )
        })
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let categories = state
        .app
        .categories
        .roots()
        .iter()
        .flat_map(|r| {
            std::iter::once((r.code.clone(), r.name(lang).to_string())).chain(
                r.children
                    .iter()
                    .map(|c| (c.code.clone(), format!("— {}", c.name(lang)))),
            )
        })
        .collect();
    let compare = i18n::t(lang, "stats.previous_year");
    fn bar_items(shares: &[frontline_app::incident::StatShare]) -> Vec<chart::Bar<'_>> {
        shares
            .iter()
            .take(15)
            .map(|s| chart::Bar {
                label: s.name.as_str(),
                value: s.incidents,
                compare: s.previous_year,
            })
            .collect()
    }
    let bars_unit = chart::bars(
        &i18n::t(lang, "stats.by_unit"),
        &compare,
        &bar_items(&v.by_unit),
    );
    let bars_category = chart::bars(
        &i18n::t(lang, "stats.by_category"),
        &compare,
        &bar_items(&v.by_category),
    );
    let points: Vec<chart::Point<'_>> = v
        .series
        .iter()
        .map(|p| chart::Point {
            label: p.period.as_str(),
            value: p.incidents,
            compare: p.previous_year,
        })
        .collect();
    let line = chart::lines(
        &i18n::t(lang, "stats.series"),
        (&i18n::t(lang, "stats.this_range"), &compare),
        &points,
    );
    let weekdays: [String; 7] = std::array::from_fn(|i| i18n::t(lang, &format!("stats.dow{i}")));
    let wd: [&str; 7] = std::array::from_fn(|i| weekdays.get(i).map_or("", String::as_str));
    let cells: Vec<(u8, u8, i64)> = v
        .heat
        .iter()
        .map(|c| (c.dow, c.hour, c.incidents))
        .collect();
    let heat = chart::heat(&i18n::t(lang, "stats.heat"), &wd, &cells);
    let group_by = form.group_by.clone().unwrap_or_else(|| "unit,month".into());
    let export_href = export_link(&v, &group_by);
    let page = StatisticsPage {
        c: Chrome::new(&state, Some(&session), lang, "statistics", "/statistics"),
        form,
        group_by,
        units,
        categories,
        errs,
        export_href,
        bars_unit,
        bars_category,
        line,
        heat,
        printed_at: crate::pages::fmt::bj_minutes(state.app.now()),
        v,
    };
    render(status, &page)
}

/// The CSV link of what the page shows.
fn export_link(v: &StatisticsView, group_by: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut url = format!(
        "/statistics/export?from={}&to={}&group_by={}",
        v.range.from,
        v.range.to,
        enc(group_by)
    );
    if let Some(u) = v.unit_id {
        url.push_str(&format!("&unit_id={u}"));
    }
    if let Some(c) = &v.category {
        url.push_str(&format!("&category={}", enc(c)));
    }
    url
}

/// The page's CSV link (the session cookie; same rules as the API's file).
async fn statistics_csv_page(
    State(state): State<AppState>,
    UiSession(session, lang): UiSession,
    RawQuery(q): RawQuery,
) -> Response {
    let form: StatisticsQuery = parse_query(q);
    match state
        .app
        .incident_statistics(&session.actor, &form, lang)
        .await
    {
        Ok(v) => export::csv_response(statistics_csv(&v, lang), "statistics", state.app.now()),
        Err(e) => app_error(&state, &session, lang, e),
    }
}

/// What the grouping choices are called on the form.
impl StatisticsPage {
    fn groupings(&self) -> Vec<(&'static str, String)> {
        GROUPINGS
            .iter()
            .map(|g| {
                (
                    *g,
                    self.c.t(&format!("stats.group.{}", g.replace(',', "_"))),
                )
            })
            .collect()
    }
}

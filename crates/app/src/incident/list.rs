//! The incident list: filters checked here, then one page within the actor's scope.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::authz::{self, Action};
use frontline_core::ident::mask_identifiers;
use frontline_core::incident;
use frontline_core::incident::lifecycle::Status;
use frontline_core::org::Actor;
use frontline_core::search::Term as SearchTerm;
use frontline_core::time::BEIJING;
use frontline_store::IncidentRow;
use frontline_store::{IncidentFilter, IncidentPage, MAX_IDS_PER_READ, PathRange};
use serde::Deserialize;
use uuid::Uuid;

use super::PAGE_SIZE_DEFAULT;
use super::PAGE_SIZE_MAX;
use super::path_range;
use crate::search::SearchFilter;
use crate::{App, AppError, Result};

/// The list and export contract: filters as they arrive in the query string (API and
/// list page alike), all text; checked by the use case.
// The handler's `Query` extractor places the parameters in the query string. They are
// documented as the check below reads them (the list page's empty fields, which also
// mean "not given", are left out of the document).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    #[param(schema_with = from_bound, required = false)]
    pub from: Option<String>,
    #[param(schema_with = to_bound, required = false)]
    pub to: Option<String>,
    /// Category code; a top-level code covers its sub-categories.
    #[param(value_type = String, required = false)]
    pub category: Option<String>,
    /// A unit; its sub-units are included.
    #[param(value_type = Uuid, required = false)]
    pub unit_id: Option<String>,
    #[param(schema_with = page_number, required = false)]
    pub page: Option<String>,
    #[param(schema_with = page_size, required = false)]
    pub per_page: Option<String>,
    #[param(schema_with = sort_order, required = false)]
    pub sort: Option<String>,
    #[param(schema_with = status_filter, required = false)]
    pub status: Option<String>,
    #[param(schema_with = search_text, required = false)]
    pub q: Option<String>,
    /// Parameters the list does not know, each refused (a typo must not widen a list).
    #[serde(flatten)]
    #[param(ignore)]
    pub other: std::collections::BTreeMap<String, String>,
}

fn from_bound() -> utoipa::openapi::Schema {
    date_or_instant("Reported on or after (a date is that day's Beijing midnight; or RFC 3339)")
}

fn to_bound() -> utoipa::openapi::Schema {
    date_or_instant("Reported on or before (a date includes that whole day; or RFC 3339)")
}

fn date_or_instant(description: &str) -> utoipa::openapi::Schema {
    use utoipa::openapi::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let string = |f| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
    };
    OneOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
        .description(Some(description))
        .build()
        .into()
}

/// The last page one may ask for.
const PAGE_MAX: i64 = 100_000;

fn integer(max: i64) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .maximum(Some(max as f64))
        .build()
}

fn page_number() -> utoipa::openapi::Object {
    integer(PAGE_MAX)
}

fn page_size() -> utoipa::openapi::Object {
    integer(PAGE_SIZE_MAX)
}

/// Every lifecycle status, or `open` (not yet closed, referred or converted), as the
/// check reads them.
fn status_filter() -> utoipa::openapi::Object {
    let mut values: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    values.push("open");
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(values))
        .description(Some(
            "Lifecycle status, or `open` (registered, dispatched, on scene or disposed)",
        ))
        .build()
}

/// The search box: 2–100 characters; terms separated by spaces must all be found.
fn search_text() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(frontline_core::search::TERM_MIN_CHARS))
        .max_length(Some(frontline_core::search::QUERY_MAX_CHARS))
        .description(Some(
            "Full-text search in the narrative and the address: the incidents that contain \
             every term (terms separated by spaces, each at least 2 characters) as written, \
             ASCII case and full-width forms aside. Phone and ID numbers are not searchable \
             (they are masked before indexing). Only the first 10,000 results can be paged.",
        ))
        .build()
}

fn sort_order() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["-reported_at", "reported_at"]))
        .default(Some(serde_json::json!("-reported_at")))
        .description(Some(
            "`-reported_at` (newest first, the default) or `reported_at` (oldest first)",
        ))
        .build()
}

fn int_param(field: &str, v: &Option<String>, errs: &mut Vec<FieldError>) -> Option<i64> {
    let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match s.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "integer",
                "应为整数",
                "Must be an integer",
            ));
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    Any,
    Open,
    One(Status),
}

/// A date or date-time filter bound: `2026-11-01` means that day's Beijing midnight. A
/// year outside [`frontline_core::time::YEARS`] is refused.
fn parse_bound(field: &str, s: &str, end: bool) -> std::result::Result<DateTime<Utc>, FieldError> {
    let t = parse_any_bound(field, s, end)?;
    // The day after the last one (`to=2200-12-31`) is still in range.
    let year_of = if end {
        t - chrono::Duration::microseconds(1)
    } else {
        t
    };
    if frontline_core::time::in_years(&year_of) {
        Ok(t)
    } else {
        Err(frontline_core::time::years_error(field))
    }
}

fn parse_any_bound(
    field: &str,
    s: &str,
    end: bool,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end { d.succ_opt().unwrap_or(d) } else { d };
        if let Some(t) = d
            .and_hms_opt(0, 0, 0)
            .and_then(|n| n.and_local_timezone(BEIJING).single())
        {
            return Ok(t.with_timezone(&Utc));
        }
    }
    incident::parse_reported_at(s).ok_or_else(|| {
        FieldError::new(
            field,
            "date.format",
            "日期格式不正确（例：2026-11-22）",
            "Date must look like 2026-11-22",
        )
    })
}

impl App {
    /// One page of the incidents in the actor's scope. A role that reads no incidents
    /// at all is refused (403), not shown an empty list.
    pub async fn list_incidents(
        &self,
        actor: &Actor,
        q: &ListQuery,
    ) -> Result<(Vec<IncidentRow>, i64, i64, i64)> {
        let (filter, page, per_page, terms) = self.incident_filter(actor, q)?;
        let p = self.incident_page(filter, terms).await?;
        Ok((p.items, p.total, page, per_page))
    }

    /// The rows a checked filter selects: from the store's list, or, with search terms,
    /// the index's page read back from the store within the scope and checked again
    /// (a lagging index may miss a row for a moment, never show one that does not match).
    pub(super) async fn incident_page(
        &self,
        filter: IncidentFilter,
        terms: Option<Vec<SearchTerm>>,
    ) -> Result<IncidentPage> {
        let Some(terms) = terms else {
            return Ok(self.store.list_incidents(filter).await?);
        };
        let Some(scope) = filter.scope.clone() else {
            return Ok(IncidentPage::default());
        };
        let sf = SearchFilter {
            scope: filter.scope.clone(),
            unit: filter.unit.clone(),
            from: filter.from,
            to: filter.to,
            category: filter.category.clone(),
            statuses: if filter.open_only {
                OPEN_STATUSES.to_vec()
            } else {
                filter.status.map(|s| s.as_str()).into_iter().collect()
            },
            limit: filter.limit.clamp(1, SEARCH_WINDOW) as usize,
            offset: filter.offset.clamp(0, SEARCH_WINDOW) as usize,
            oldest_first: filter.oldest_first,
        };
        let search = self.search.clone();
        let t = terms.clone();
        let (ids, total) = tokio::task::spawn_blocking(move || search.search(&t, &sf))
            .await
            .map_err(|e| AppError::Internal(format!("search: {e}")))??;
        let mut rows = std::collections::HashMap::new();
        for chunk in ids.chunks(MAX_IDS_PER_READ) {
            for r in self
                .store
                .incidents_by_ids(chunk.to_vec(), scope.clone())
                .await?
            {
                rows.insert(r.id, r);
            }
        }
        let items = ids
            .iter()
            .filter_map(|id| rows.remove(id))
            .filter(|r| still_matches(&filter, &terms, r))
            .collect();
        Ok(IncidentPage {
            items,
            total: i64::try_from(total).unwrap_or(i64::MAX),
        })
    }
}

/// The statuses of an open incident, as the index holds them.
const OPEN_STATUSES: [&str; 4] = ["registered", "dispatched", "on_scene", "disposed"];

/// How far search results can be paged (offset + page size).
const SEARCH_WINDOW: i64 = 10_000;

/// The database's row still matches the filters and the terms (the index may lag).
fn still_matches(f: &IncidentFilter, terms: &[SearchTerm], r: &IncidentRow) -> bool {
    let in_range = |p: &Option<PathRange>| {
        p.as_ref().is_none_or(|p| {
            p.is_all() || (r.unit_path.as_str() >= p.lower.as_str() && r.unit_path < p.upper)
        })
    };
    let category = f.category.as_deref().is_none_or(|c| {
        if c.contains('.') {
            r.category == c
        } else {
            r.category
                .strip_prefix(c)
                .is_some_and(|rest| rest.starts_with('.'))
        }
    });
    let narrative = frontline_core::search::folded(&mask_identifiers(&r.narrative));
    let address = frontline_core::search::folded(&mask_identifiers(&r.address));
    in_range(&f.scope)
        && in_range(&f.unit)
        && category
        && f.status.is_none_or(|s| r.state.status == s)
        && (!f.open_only || r.state.status.is_open())
        && f.from.is_none_or(|t| r.reported_at >= t)
        && f.to.is_none_or(|t| r.reported_at < t)
        && terms
            .iter()
            .all(|t| narrative.contains(&t.text) || address.contains(&t.text))
}

impl App {
    /// Checks the list's filters and turns them into the store's filter within the
    /// actor's scope (with the page asked for). No read scope at all is 403.
    pub(super) fn incident_filter(
        &self,
        actor: &Actor,
        q: &ListQuery,
    ) -> Result<(IncidentFilter, i64, i64, Option<Vec<SearchTerm>>)> {
        let Some(scope) = path_range(authz::scope(actor, Action::IncidentRead)) else {
            return Err(AppError::Forbidden);
        };
        let mut errs = Vec::new();
        for k in q.other.keys() {
            errs.push(FieldError::new(
                k.as_str(),
                "unknown_parameter",
                "不支持的查询参数",
                "Unknown query parameter",
            ));
        }
        let status = match q.status.as_deref().map(str::trim) {
            None | Some("") => StatusFilter::Any,
            Some("open") => StatusFilter::Open,
            Some(s) => match Status::parse(s) {
                Some(st) => StatusFilter::One(st),
                None => {
                    errs.push(FieldError::new(
                        "status",
                        "status.unknown",
                        "警情状态不存在",
                        "Unknown incident status",
                    ));
                    StatusFilter::Any
                }
            },
        };
        let page = int_param("page", &q.page, &mut errs);
        let per_page = int_param("per_page", &q.per_page, &mut errs);
        let from = q
            .from
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| {
                parse_bound("from", s.trim(), false)
                    .map_err(|e| errs.push(e))
                    .ok()
            });
        let to =
            q.to.as_deref()
                .filter(|s| !s.trim().is_empty())
                .and_then(|s| {
                    parse_bound("to", s.trim(), true)
                        .map_err(|e| errs.push(e))
                        .ok()
                });
        let category = q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(c) = category
            && self.categories.get(c).is_none()
        {
            errs.push(FieldError::new(
                "category",
                "category.unknown",
                "警情类别不存在",
                "Unknown incident category",
            ));
        }
        let unit = match q
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Uuid::parse_str(s).ok().and_then(|id| self.org.unit(id)) {
                Some(u) => Some(PathRange::subtree(&u.path)),
                None => {
                    errs.push(FieldError::new(
                        "unit_id",
                        "unit.unknown",
                        "单位不存在",
                        "Unknown unit",
                    ));
                    None
                }
            },
        };
        let per_page = per_page.unwrap_or(PAGE_SIZE_DEFAULT);
        if !(1..=PAGE_SIZE_MAX).contains(&per_page) {
            errs.push(FieldError::new(
                "per_page",
                "per_page.range",
                format!("每页条数应在 1 到 {PAGE_SIZE_MAX} 之间"),
                format!("per_page must be between 1 and {PAGE_SIZE_MAX}"),
            ));
        }
        let oldest_first = match q.sort.as_deref().map(str::trim) {
            None | Some("") | Some("-reported_at") => false,
            Some("reported_at") => true,
            Some(_) => {
                errs.push(FieldError::new(
                    "sort",
                    "sort.unknown",
                    "排序方式应为 reported_at（最早在前）或 -reported_at（最新在前）",
                    "sort must be reported_at (oldest first) or -reported_at (newest first)",
                ));
                false
            }
        };
        let page = page.unwrap_or(1);
        if !(1..=PAGE_MAX).contains(&page) {
            errs.push(FieldError::new(
                "page",
                "page.range",
                "页码不正确",
                "page is out of range",
            ));
        }
        let terms = match q.q.as_deref().filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(s) => match frontline_core::search::parse_query("q", s) {
                Ok(t) => Some(t),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
        };
        if terms.is_some()
            && (1..=PAGE_MAX).contains(&page)
            && page.saturating_mul(per_page) > SEARCH_WINDOW
        {
            errs.push(FieldError::new(
                "page",
                "page.search_window",
                format!("搜索结果只能翻到前 {SEARCH_WINDOW} 条，请增加搜索词或筛选条件"),
                format!(
                    "Only the first {SEARCH_WINDOW} search results can be paged; add terms or filters"
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let filter = IncidentFilter {
            scope: Some(scope),
            unit,
            from,
            to,
            category: category.map(str::to_string),
            status: match status {
                StatusFilter::One(s) => Some(s),
                _ => None,
            },
            open_only: status == StatusFilter::Open,
            limit: per_page,
            offset: (page - 1) * per_page,
            oldest_first,
            ..IncidentFilter::default()
        };
        Ok((filter, page, per_page, terms))
    }
}

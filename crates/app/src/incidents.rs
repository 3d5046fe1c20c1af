//! Incident intake, reading, listing and unmasking of the caller's identifiers.

use chrono::{DateTime, Utc};
use frontline_core::authz::{self, Action, Scope};
use frontline_core::ident::{mask_id_number, mask_phone};
use frontline_core::incident::{self, IncidentInput, SHANGHAI};
use frontline_core::org::{Actor, UnitKind};
use frontline_core::{FieldError, Lang};
/// The stored incident, as the use cases hand it to the web layer.
pub use frontline_store::IncidentRow;
use frontline_store::{AuditDraft, IncidentFilter, NewIncident, PathRange};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, Result};

pub const PAGE_SIZE_DEFAULT: i64 = 20;
pub const PAGE_SIZE_MAX: i64 = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallerView {
    pub name: String,
    /// Masked unless unmasked with a purpose, e.g. `138****5678`.
    pub phone: String,
    /// Masked, e.g. `610921********1234`; null when not recorded.
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: Uuid,
    /// Human number, unique per unit and year, e.g. `S01-2026-000042`.
    pub number: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    /// RFC 3339 in Beijing time (+08:00).
    pub reported_at: String,
    pub created_at: String,
    pub category: String,
    pub category_name: String,
    pub address: String,
    pub district_id: Option<Uuid>,
    pub district_name: Option<String>,
    pub caller: CallerView,
    pub narrative: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The caller's identifiers shown whole, after a stated purpose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmaskedCaller {
    pub phone: String,
    pub id_number: Option<String>,
}

/// List filters as they arrive (query string or form); checked here.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub category: Option<String>,
    pub unit_id: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// `-reported_at` (newest first, the default) or `reported_at` (oldest first).
    pub sort: Option<String>,
}

pub fn rfc3339_bj(t: DateTime<Utc>) -> String {
    t.with_timezone(&SHANGHAI)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn path_range(scope: Scope) -> Option<PathRange> {
    match scope {
        Scope::None => None,
        Scope::Bureau => Some(PathRange::all()),
        Scope::Subtree(p) => Some(PathRange::subtree(&p)),
    }
}

/// A date or date-time filter bound: `2026-11-01` means that day's Beijing midnight.
fn parse_bound(field: &str, s: &str, end: bool) -> std::result::Result<DateTime<Utc>, FieldError> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end { d.succ_opt().unwrap_or(d) } else { d };
        if let Some(t) = d
            .and_hms_opt(0, 0, 0)
            .and_then(|n| n.and_local_timezone(SHANGHAI).single())
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
    pub fn incident_view(&self, r: &IncidentRow, lang: Lang) -> IncidentView {
        IncidentView {
            id: r.id,
            number: r.number.clone(),
            unit_id: r.unit_id,
            unit_name: self.org.unit_name(r.unit_id),
            reported_at: rfc3339_bj(r.reported_at),
            created_at: rfc3339_bj(r.created_at),
            category: r.category.clone(),
            category_name: self
                .categories
                .name(&r.category, lang)
                .unwrap_or(&r.category)
                .to_string(),
            address: r.address.clone(),
            district_id: r.district_id,
            district_name: r
                .district_id
                .and_then(|d| self.org.district(d))
                .map(|d| d.name),
            caller: CallerView {
                name: r.caller_name.clone(),
                phone: mask_phone(&r.caller_phone),
                id_number: r.caller_id_number.as_deref().map(mask_id_number),
            },
            narrative: r.narrative.clone(),
        }
    }

    /// 接警登记. The owning unit is the officer's own station unless a permitted user
    /// names another; a district must belong to the owning unit.
    pub async fn create_incident(
        &self,
        actor: &Actor,
        input: &IncidentInput,
    ) -> Result<IncidentRow> {
        let create_scope = authz::scope(actor, Action::IncidentCreate);
        if create_scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let v = incident::validate(input, now, &self.categories).map_err(AppError::Validation)?;
        let unit = match v.unit_id {
            Some(id) if id != actor.unit_id => {
                let u = self
                    .org
                    .unit(id)
                    .filter(|u| UnitKind::parse(&u.kind) == Some(UnitKind::Station));
                match u {
                    None => {
                        return Err(AppError::field(FieldError::new(
                            "unit_id",
                            "unit.unknown",
                            "受理单位不存在或不是派出所",
                            "The owning unit does not exist or is not a station",
                        )));
                    }
                    Some(u) if !authz::allows(actor, Action::IncidentAssignUnit, &u.path) => {
                        return Err(AppError::field(FieldError::new(
                            "unit_id",
                            "unit.not_permitted",
                            "无权为其他单位登记警情",
                            "You may not file incidents for another unit",
                        )));
                    }
                    Some(u) => u,
                }
            }
            _ => {
                let own = self.org.unit(actor.unit_id).ok_or(AppError::Forbidden)?;
                if UnitKind::parse(&own.kind) != Some(UnitKind::Station) {
                    return Err(AppError::field(FieldError::new(
                        "unit_id",
                        "unit.required",
                        "请选择受理派出所",
                        "Choose the station that owns this incident",
                    )));
                }
                own
            }
        };
        if !create_scope.contains(&unit.path) {
            return Err(AppError::Forbidden);
        }
        if let Some(d) = v.district_id
            && self.org.district(d).map(|d| d.unit_id) != Some(unit.id)
        {
            return Err(AppError::field(FieldError::new(
                "district_id",
                "district.other_unit",
                "警务区不属于受理单位",
                "The district does not belong to the owning unit",
            )));
        }
        let id = Uuid::now_v7();
        let row = self
            .store
            .create_incident(
                NewIncident {
                    id,
                    unit_id: unit.id,
                    unit_path: unit.path.clone(),
                    unit_code: unit.code.clone(),
                    reported_at: v.reported_at,
                    created_at: now,
                    category: v.category,
                    address: v.address,
                    district_id: v.district_id,
                    caller_name: v.caller_name,
                    caller_phone: v.caller_phone,
                    caller_id_number: v.caller_id_number,
                    narrative: v.narrative,
                    created_by: actor.officer_id,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "incident.create".into(),
                    object_type: "incident".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: String::new(),
                },
            )
            .await?;
        Ok(row)
    }

    /// One incident. Outside the actor's scope it does not exist (404).
    pub async fn incident(&self, actor: &Actor, id: Uuid) -> Result<IncidentRow> {
        let row = self.store.incident(id).await?.ok_or(AppError::NotFound)?;
        if !authz::allows(actor, Action::IncidentRead, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        Ok(row)
    }

    pub async fn list_incidents(
        &self,
        actor: &Actor,
        q: &ListQuery,
    ) -> Result<(Vec<IncidentRow>, i64, i64, i64)> {
        let (filter, page, per_page) = self.incident_filter(actor, q)?;
        let p = self.store.list_incidents(filter).await?;
        Ok((p.items, p.total, page, per_page))
    }

    /// 导出: every incident the list's filters select (not one page), newest first, for
    /// a CSV file. Refused above `export_max_rows` rather than cut short, and audited
    /// (filters and row count): the file leaves the system with callers' names in it.
    pub async fn export_incidents(&self, actor: &Actor, q: &ListQuery) -> Result<Vec<IncidentRow>> {
        if authz::scope(actor, Action::IncidentRead) == Scope::None {
            return Err(AppError::Forbidden);
        }
        let (mut filter, _, _) = self.incident_filter(actor, q)?;
        // Never above what one store query returns: a longer file would be cut short.
        let max = self
            .config
            .export_max_rows
            .min(frontline_store::MAX_ROWS_PER_QUERY);
        filter.limit = max;
        filter.offset = 0;
        let p = self.store.list_incidents(filter).await?;
        if p.total > max {
            return Err(AppError::field(FieldError::new(
                "",
                "export.too_many",
                format!(
                    "筛选结果共 {} 条，一次最多导出 {} 条，请缩小时间范围或选择类别、单位后再导出",
                    p.total, max
                ),
                format!(
                    "The filters select {} incidents; at most {} can be exported at once. Narrow the dates, category or unit",
                    p.total, max
                ),
            )));
        }
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "incident.export".into(),
                object_type: "incident_list".into(),
                object_id: String::new(),
                purpose: None,
                detail: serde_json::json!({
                    "from": blank(&q.from),
                    "to": blank(&q.to),
                    "category": blank(&q.category),
                    "unit_id": blank(&q.unit_id),
                    "sort": blank(&q.sort),
                    "rows": p.items.len(),
                })
                .to_string(),
            })
            .await?;
        Ok(p.items)
    }

    /// Checks the list's filters and turns them into the store's filter within the
    /// actor's scope (with the page asked for).
    fn incident_filter(&self, actor: &Actor, q: &ListQuery) -> Result<(IncidentFilter, i64, i64)> {
        let mut errs = Vec::new();
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
        let per_page = q.per_page.unwrap_or(PAGE_SIZE_DEFAULT);
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
        let page = q.page.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            errs.push(FieldError::new(
                "page",
                "page.range",
                "页码不正确",
                "page is out of range",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let filter = IncidentFilter {
            scope: path_range(authz::scope(actor, Action::IncidentRead)),
            unit,
            from,
            to,
            category: category.map(str::to_string),
            limit: per_page,
            offset: (page - 1) * per_page,
            oldest_first,
        };
        Ok((filter, page, per_page))
    }

    /// Shows the caller's phone and ID number whole. Needs a purpose; leaves a trace.
    pub async fn unmask_caller(
        &self,
        actor: &Actor,
        id: Uuid,
        purpose: &str,
    ) -> Result<UnmaskedCaller> {
        let purpose = purpose.trim();
        if purpose.chars().count() < 2 || purpose.chars().count() > 200 {
            return Err(AppError::field(FieldError::new(
                "purpose",
                "purpose.required",
                "请填写查询事由（2至200字）",
                "State the purpose of access (2–200 characters)",
            )));
        }
        let row = self.incident(actor, id).await?;
        if !authz::allows(actor, Action::IdentifierUnmask, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "incident.caller.unmask".into(),
                object_type: "incident".into(),
                object_id: id.to_string(),
                purpose: Some(purpose.to_string()),
                detail: serde_json::json!({ "number": row.number }).to_string(),
            })
            .await?;
        Ok(UnmaskedCaller {
            phone: row.caller_phone,
            id_number: row.caller_id_number,
        })
    }
}

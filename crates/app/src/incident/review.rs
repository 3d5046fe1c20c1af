//! The daily review (三清): for a day (default yesterday, Beijing time), per station,
//! the incident totals by category against the same weekday a week before and the same
//! date a year before; the repeat, dissatisfied, dispute-related and still open
//! incidents; marks with instructions to the station.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::FieldError;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::error::Errors;
use frontline_core::incident::callback::{Satisfaction, comparison_days};
use frontline_core::incident::stats::day_number;
use frontline_core::org::{Actor, Role, UnitKind};
use frontline_core::request::{Given, Unknown};
use frontline_core::time::BEIJING;
use frontline_core::{Lang, text};
use frontline_store::{
    AuditDraft, IncidentFilter, IncidentRow, MAX_ROWS_PER_QUERY, PathRange, ReviewRow, StatQuery,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{IncidentView, path_range};
use crate::clock::rfc3339_bj;
use crate::notify::InboxPayload;
use crate::{App, AppError, Result};

/// Per station (in the board's order): a list's total and its first rows.
type StationLists = Vec<(i64, Vec<IncidentRow>)>;

/// The most incidents one list of one station shows (the rest are counted).
pub(crate) const REVIEW_LIST_MAX: i64 = 100;
pub(crate) const REVIEW_NOTE_MAX: usize = 500;

/// `GET /api/v1/daily-review` and the review page: the day and, optionally, one station.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct DailyReviewQuery {
    /// The reviewed day, `YYYY-MM-DD` (Beijing); default yesterday.
    #[param(value_type = String, format = Date, required = false)]
    pub date: Option<String>,
    /// One station (a chief sees only the own station in any case).
    #[param(value_type = Uuid, required = false)]
    pub unit_id: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    pub other: BTreeMap<String, String>,
}

/// Body of `POST /api/v1/daily-review/marks`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct ReviewMarkRequest {
    /// The reviewed day, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = String, format = Date, required = true)]
    pub date: Given<String>,
    #[serde(default)]
    #[schema(value_type = Uuid, required = true)]
    pub incident_id: Given<String>,
    /// What the review found (2–500 characters).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub note: Given<String>,
    /// An instruction to the station (shown on its review page and sent to its chief);
    /// empty for none.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub instruction: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl ReviewMarkRequest {
    pub fn read(v: serde_json::Value) -> ReviewMarkRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

/// Body of `POST /api/v1/daily-review/marks/acknowledge`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct AcknowledgeRequest {
    #[serde(default)]
    #[schema(value_type = String, format = Date, required = true)]
    pub date: Given<String>,
    #[serde(default)]
    #[schema(value_type = Uuid, required = true)]
    pub incident_id: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl AcknowledgeRequest {
    pub fn read(v: serde_json::Value) -> AcknowledgeRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DailyReview {
    pub date: String,
    /// The same weekday a week before, and the same date a year before.
    pub week_before: String,
    pub year_before: String,
    pub stations: Vec<StationReview>,
    /// Whether the reader may mark items and give instructions.
    pub can_mark: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StationReview {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub total: CategoryTotal,
    /// By top-level category, in the tree's order (categories with no call on any of the
    /// three days left out).
    pub by_category: Vec<CategoryTotal>,
    pub repeat: ReviewList,
    pub dissatisfied: ReviewList,
    pub dispute: ReviewList,
    /// Reported on or before the day and still open now.
    pub still_open: ReviewList,
    /// Instructions to the station not yet acknowledged (any day).
    pub instructions: Vec<ReviewMarkView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryTotal {
    /// A top-level category code; `total` for the station's sum.
    pub category: String,
    pub name: String,
    pub count: i64,
    pub week_before: i64,
    pub year_before: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewList {
    pub total: i64,
    pub items: Vec<ReviewItem>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub incident: IncidentView,
    /// This day's mark, if reviewed.
    pub mark: Option<ReviewMarkView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewMarkView {
    pub date: String,
    pub incident_id: Uuid,
    pub incident_number: Option<String>,
    pub at: String,
    pub reviewer: String,
    pub note: String,
    pub instruction: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
}

fn bj_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|n| n.and_local_timezone(BEIJING).single())
        .map(|t| t.with_timezone(&Utc))
}

fn day_range(d: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((bj_midnight(d)?, bj_midnight(d.succ_opt()?)?))
}

fn parse_date(field: &str, s: &str) -> std::result::Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| frontline_core::time::in_years(&bj_midnight(*d).unwrap_or_default()))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "date.format",
                "日期格式不正确（例：2026-11-22）",
                "Date must look like 2026-11-22",
            )
        })
}

fn mark_view(r: &ReviewRow, number: Option<String>) -> ReviewMarkView {
    ReviewMarkView {
        date: r.review_date.clone(),
        incident_id: r.incident_id,
        incident_number: number,
        at: rfc3339_bj(r.at),
        reviewer: r.reviewer_name.clone(),
        note: frontline_core::ident::mask_identifiers(&r.note).into_owned(),
        instruction: frontline_core::ident::mask_identifiers(&r.instruction).into_owned(),
        acknowledged_at: r.acknowledged_at.map(rfc3339_bj),
        acknowledged_by: r.acknowledged_by.clone(),
    }
}

impl App {
    /// The daily review board for a day: every station the actor may review (command
    /// centre and bureau leaders all, a chief the own), or the one asked for.
    pub async fn daily_review(
        &self,
        actor: &Actor,
        q: &DailyReviewQuery,
        lang: Lang,
    ) -> Result<DailyReview> {
        let scope = authz::scope(actor, Action::DailyReviewRead);
        if scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in q.other.keys() {
            errs.push(FieldError::new(
                k.as_str(),
                "unknown_parameter",
                "不支持的查询参数",
                "Unknown query parameter",
            ));
        }
        let today = frontline_core::time::beijing_date(&self.now());
        let date = match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => today.pred_opt().unwrap_or(today),
            Some(s) => match parse_date("date", s) {
                Ok(d) if d > today => {
                    errs.push(FieldError::new(
                        "date",
                        "date.future",
                        "不能审查未来的日期",
                        "The day to review cannot be in the future",
                    ));
                    today
                }
                Ok(d) => d,
                Err(e) => {
                    errs.push(e);
                    today
                }
            },
        };
        let unit = match q
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match Uuid::parse_str(s).ok().and_then(|id| self.org.unit(id)) {
                Some(u) if scope.contains(&u.path) => Some(u),
                // Another station's id reads as unknown, like a missing one.
                _ => {
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
        if !errs.0.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let (week, year) = comparison_days(date);
        let range = match &unit {
            Some(u) => PathRange::subtree(&u.path),
            None => path_range(scope.clone()).ok_or(AppError::Forbidden)?,
        };
        let stations: Vec<_> = self
            .org
            .stations()
            .into_iter()
            .filter(|s| s.kind == UnitKind::Station && scope.contains(&s.path))
            .filter(|s| unit.as_ref().is_none_or(|u| s.path.starts_with(&u.path)))
            .collect();
        // The day's totals come from the statistics rollups (a few hundred cells) unless
        // they are being rebuilt, when the incidents are counted.
        let rollups = !self.store.stats_rebuild_needed().await?;
        let station_ids: Vec<Uuid> = stations.iter().map(|s| s.id).collect();
        let counts = |d: NaiveDate| {
            let range = range.clone();
            let units = station_ids.clone();
            async move {
                let mut m: HashMap<(Uuid, String), i64> = HashMap::new();
                let mut add = |unit_id: Uuid, category: String, n: i64| {
                    let root = self
                        .categories
                        .root_of(&category)
                        .map(|r| r.code.clone())
                        .unwrap_or(category);
                    *m.entry((unit_id, root)).or_default() += n;
                };
                if rollups {
                    let day = day_number(d);
                    for c in self
                        .store
                        .stat_counts(StatQuery {
                            units: Some(units),
                            from_day: day,
                            to_day: day,
                            category: None,
                            by_unit: true,
                            by_category: true,
                            period: None,
                            max_groups: 100_000,
                        })
                        .await?
                    {
                        if let (Some(u), Some(cat)) = (c.unit_id, c.category) {
                            add(u, cat, c.incidents);
                        }
                    }
                } else if let Some((from, to)) = day_range(d) {
                    for c in self.store.category_counts(range, from, to).await? {
                        add(c.unit_id, c.category, c.count);
                    }
                }
                Ok::<_, AppError>(m)
            }
        };
        let (from, to) = day_range(date).ok_or(AppError::Forbidden)?;
        // Each list is one query over every station in scope, grouped here: a day's
        // lists are small, where 11 stations × 4 lists × (count + page) were 88 queries.
        let all = IncidentFilter {
            scope: Some(range.clone()),
            limit: MAX_ROWS_PER_QUERY,
            oldest_first: true,
            ..IncidentFilter::default()
        };
        let kinds = [
            IncidentFilter {
                from: Some(from),
                to: Some(to),
                repeat_only: true,
                ..all.clone()
            },
            IncidentFilter {
                satisfaction: Some(Satisfaction::Dissatisfied),
                callback_from: Some(from),
                callback_to: Some(to),
                ..all.clone()
            },
            IncidentFilter {
                from: Some(from),
                to: Some(to),
                category: Some("dispute".into()),
                ..all.clone()
            },
            IncidentFilter {
                to: Some(to),
                open_only: true,
                ..all.clone()
            },
        ];
        let [k_repeat, k_dissatisfied, k_dispute, k_open] = kinds;
        let (
            now_c,
            week_c,
            year_c,
            marks,
            instructions,
            l_repeat,
            l_dissatisfied,
            l_dispute,
            l_open,
        ) = tokio::try_join!(
            counts(date),
            counts(week),
            counts(year),
            async {
                Ok::<_, AppError>(
                    self.store
                        .reviews_of_day(date.to_string(), range.clone())
                        .await?
                        .into_iter()
                        .map(|r| (r.incident_id, r))
                        .collect::<HashMap<Uuid, ReviewRow>>(),
                )
            },
            async { Ok(self.store.open_instructions(range.clone(), 200).await?) },
            self.review_list(&stations, k_repeat),
            self.review_list(&stations, k_dissatisfied),
            self.review_list(&stations, k_dispute),
            self.review_list(&stations, k_open),
        )?;
        let mut out = Vec::new();
        for (si, st) in stations.iter().enumerate() {
            let list = |l: &StationLists| {
                let (total, rows) = l.get(si).cloned().unwrap_or_default();
                ReviewList {
                    total,
                    items: rows
                        .iter()
                        .map(|r| ReviewItem {
                            incident: self.incident_view(r, lang),
                            mark: marks
                                .get(&r.id)
                                .map(|m| mark_view(m, Some(r.number.clone()))),
                        })
                        .collect(),
                }
            };
            let (repeat, dissatisfied, dispute, still_open) = (
                list(&l_repeat),
                list(&l_dissatisfied),
                list(&l_dispute),
                list(&l_open),
            );
            let get = |m: &HashMap<(Uuid, String), i64>, root: &str| {
                m.get(&(st.id, root.to_string())).copied().unwrap_or(0)
            };
            let mut by_category = Vec::new();
            let mut total = CategoryTotal {
                category: "total".into(),
                name: match lang {
                    Lang::Zh => "合计",
                    Lang::En => "Total",
                }
                .into(),
                count: 0,
                week_before: 0,
                year_before: 0,
            };
            for root in self.categories.roots() {
                let t = CategoryTotal {
                    category: root.code.clone(),
                    name: root.name(lang).to_string(),
                    count: get(&now_c, &root.code),
                    week_before: get(&week_c, &root.code),
                    year_before: get(&year_c, &root.code),
                };
                total.count += t.count;
                total.week_before += t.week_before;
                total.year_before += t.year_before;
                if t.count + t.week_before + t.year_before > 0 {
                    by_category.push(t);
                }
            }
            out.push(StationReview {
                unit_id: st.id,
                unit_name: st.name.clone(),
                total,
                by_category,
                repeat,
                dissatisfied,
                dispute,
                still_open,
                instructions: instructions
                    .iter()
                    .filter(|i| i.unit_path.starts_with(&st.path))
                    .map(|i| mark_view(i, None))
                    .collect(),
            });
        }
        Ok(DailyReview {
            date: date.to_string(),
            week_before: week.to_string(),
            year_before: year.to_string(),
            stations: out,
            can_mark: authz::scope(actor, Action::DailyReviewMark) != Scope::None,
        })
    }

    /// One list of the review for every station, in `stations`' order: each station's
    /// total and its first `REVIEW_LIST_MAX` rows (oldest first). One query; should a list
    /// ever hold more rows than one query returns, each station is listed and counted on
    /// its own instead.
    async fn review_list(
        &self,
        stations: &[crate::org::UnitView],
        f: IncidentFilter,
    ) -> Result<StationLists> {
        let rows = self.store.incidents_matching(f.clone()).await?;
        let mut out: StationLists = vec![(0, Vec::new()); stations.len()];
        if (rows.len() as i64) < MAX_ROWS_PER_QUERY {
            for r in rows {
                // The deepest station whose subtree holds the incident.
                let Some(i) = stations
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| r.unit_path.starts_with(&s.path))
                    .max_by_key(|(_, s)| s.path.len())
                    .map(|(i, _)| i)
                else {
                    continue;
                };
                if let Some((total, items)) = out.get_mut(i) {
                    *total += 1;
                    if (items.len() as i64) < REVIEW_LIST_MAX {
                        items.push(r);
                    }
                }
            }
            return Ok(out);
        }
        for (st, slot) in stations.iter().zip(out.iter_mut()) {
            let page = self
                .store
                .list_incidents(IncidentFilter {
                    scope: Some(PathRange::subtree(&st.path)),
                    limit: REVIEW_LIST_MAX,
                    ..f.clone()
                })
                .await?;
            *slot = (page.total, page.items);
        }
        Ok(out)
    }

    /// Marks an incident reviewed for a day, with an optional instruction to its station
    /// (sent to the station chief's inbox).
    pub async fn mark_reviewed(
        &self,
        actor: &Actor,
        request: &ReviewMarkRequest,
    ) -> Result<ReviewMarkView> {
        if authz::scope(actor, Action::DailyReviewMark) == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in request.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let today = frontline_core::time::beijing_date(&self.now());
        let date = match request
            .date
            .checked(&mut errs, || frontline_core::incident::not_text("date"))
        {
            Some(s) => match parse_date("date", s) {
                Ok(d) if d > today => {
                    errs.push(FieldError::new(
                        "date",
                        "date.future",
                        "不能审查未来的日期",
                        "The day to review cannot be in the future",
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            None => {
                if request.date.is_absent() {
                    errs.push(FieldError::required("date"));
                }
                None
            }
        };
        let incident_id = match request.incident_id.checked(&mut errs, || {
            frontline_core::incident::not_text("incident_id")
        }) {
            Some(s) => match Uuid::parse_str(s.trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    errs.push(FieldError::new(
                        "incident_id",
                        "invalid",
                        "编号格式不正确",
                        "Not a valid id",
                    ));
                    None
                }
            },
            None => {
                if request.incident_id.is_absent() {
                    errs.push(FieldError::required("incident_id"));
                }
                None
            }
        };
        let note = review_text(&mut errs, "note", &request.note, true);
        let instruction = review_text(&mut errs, "instruction", &request.instruction, false);
        let (Some(date), Some(incident_id), Some(note)) = (date, incident_id, note) else {
            return Err(AppError::Validation(errs.0));
        };
        if !errs.0.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        // Outside the reader's scope the incident does not exist.
        let row = self.incident(actor, incident_id).await?;
        if !authz::allows(actor, Action::DailyReviewMark, &row.unit_path) {
            return Err(AppError::NotFound);
        }
        let now = self.now();
        let instruction = instruction.unwrap_or_default();
        let mut outbox = Vec::new();
        if !instruction.is_empty() {
            let payload = InboxPayload {
                kind: "review.instruction".into(),
                title_zh: format!("三清点调指示：{}", row.number),
                title_en: format!("Daily review instruction: {}", row.number),
                body: frontline_core::ident::mask_identifiers(&instruction).into_owned(),
                link: Some(format!("/daily-review?date={date}&unit_id={}", row.unit_id)),
            };
            for chief in self
                .unit_officers_with_role(row.unit_id, Role::StationChief)
                .await?
            {
                outbox.push(crate::notify::to_inbox(
                    chief,
                    format!(
                        "review:{date}:{}:{}:{chief}",
                        row.id,
                        now.timestamp_micros()
                    ),
                    &payload,
                    now,
                ));
            }
        }
        let has_messages = !outbox.is_empty();
        let saved = self
            .store
            .mark_reviewed(
                ReviewRow {
                    review_date: date.to_string(),
                    incident_id: row.id,
                    unit_path: row.unit_path.clone(),
                    at: now,
                    reviewer_id: actor.officer_id,
                    reviewer_name: actor.display_name.clone(),
                    note,
                    instruction,
                    acknowledged_at: None,
                    acknowledged_by: None,
                },
                outbox,
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "incident.review".into(),
                    object_type: "incident".into(),
                    object_id: row.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "number": row.number, "date": date.to_string() })
                        .to_string(),
                },
            )
            .await?;
        if has_messages {
            self.outbox_wake.wake();
        }
        Ok(mark_view(&saved, Some(row.number)))
    }

    /// The station acknowledges an instruction (its chief, or the command centre).
    pub async fn acknowledge_instruction(
        &self,
        actor: &Actor,
        request: &AcknowledgeRequest,
    ) -> Result<ReviewMarkView> {
        // Authorization first: a role that acknowledges nothing hears 403 whatever it sent.
        if authz::scope(actor, Action::CallbackReview) == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in request.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let date = match request
            .date
            .checked(&mut errs, || frontline_core::incident::not_text("date"))
        {
            Some(s) => parse_date("date", s).map_err(|e| errs.push(e)).ok(),
            None => {
                if request.date.is_absent() {
                    errs.push(FieldError::required("date"));
                }
                None
            }
        };
        let id = match request.incident_id.checked(&mut errs, || {
            frontline_core::incident::not_text("incident_id")
        }) {
            Some(s) => Uuid::parse_str(s.trim())
                .map_err(|_| {
                    errs.push(FieldError::new(
                        "incident_id",
                        "invalid",
                        "编号格式不正确",
                        "Not a valid id",
                    ))
                })
                .ok(),
            None => {
                if request.incident_id.is_absent() {
                    errs.push(FieldError::required("incident_id"));
                }
                None
            }
        };
        let (Some(date), Some(id)) = (date, id) else {
            return Err(AppError::Validation(errs.0));
        };
        if !errs.0.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let row = self.incident(actor, id).await?;
        let may = authz::allows(actor, Action::CallbackReview, &row.unit_path);
        if !may {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let r = self
            .store
            .acknowledge_instruction(
                date.to_string(),
                id,
                actor.display_name.clone(),
                now,
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "incident.review.acknowledge".into(),
                    object_type: "incident".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "number": row.number, "date": date.to_string() })
                        .to_string(),
                },
            )
            .await?;
        Ok(mark_view(&r, Some(row.number)))
    }
}

fn review_text(
    errs: &mut Errors,
    field: &'static str,
    v: &Given<String>,
    required: bool,
) -> Option<String> {
    match v.checked(errs, || frontline_core::incident::not_text(field)) {
        Some(s) => match text::block(field, s) {
            Ok(Some(t)) if t.chars().count() > REVIEW_NOTE_MAX => {
                errs.push(FieldError::too_long(field, REVIEW_NOTE_MAX));
                None
            }
            Ok(Some(t)) if required && t.chars().count() < 2 => {
                errs.push(FieldError::required(field));
                None
            }
            Ok(t) => {
                if required && t.is_none() {
                    errs.push(FieldError::required(field));
                }
                t.or_else(|| (!required).then(String::new))
            }
            Err(e) => {
                errs.push(e);
                None
            }
        },
        None => {
            if required && v.is_absent() {
                errs.push(FieldError::required(field));
            }
            (!required).then(String::new)
        }
    }
}

//! The case list and the deadline board (期限看板), each inside the caller's scope.

use chrono::{NaiveDate, TimeDelta};
use frontline_core::authz::{self, Action, Scope};
use frontline_core::case::{self, Status};
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::{FieldError, Lang};
use frontline_store::{BoardFilter, BoardList, CaseFilter, PathRange};
use serde::Serialize;
use uuid::Uuid;

use super::{CaseListQuery, CaseSummary, DeadlineQuery, DeadlineView};
use crate::{App, AppError, Result};

/// What "recently met" means on the board.
pub const MET_WITHIN_DAYS: i64 = 7;
pub const BOARD_LIMIT_MAX: i64 = 500;
pub const PER_PAGE_MAX: i64 = 100;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One deadline on the board with its case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardItem {
    #[serde(flatten)]
    pub deadline: DeadlineView,
    pub case_id: Uuid,
    pub case_number: String,
    pub case_title: String,
    pub unit_name: String,
}

/// `GET /api/v1/deadlines`: one list of the board and the counts of all of them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineBoard {
    /// The list asked for: `due_soon`, `overdue`, `met` or `running`.
    pub state: String,
    pub items: Vec<BoardItem>,
    pub due_soon: i64,
    pub overdue: i64,
    pub running: i64,
}

pub(super) fn path_range(scope: Scope) -> Option<PathRange> {
    match scope {
        Scope::None => None,
        Scope::Bureau => Some(PathRange::all()),
        Scope::Subtree(p) => Some(PathRange::subtree(&p)),
    }
}

fn bj_date(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "date.format",
                "日期格式应为 YYYY-MM-DD",
                "The date must be YYYY-MM-DD",
            ));
            None
        }
    }
}

fn number(errs: &mut Errors, field: &str, v: Option<&str>, default: i64, max: i64) -> i64 {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errs.push(FieldError::new(
                    field,
                    "range",
                    format!("应为 1 到 {max} 之间的整数"),
                    format!("Must be a whole number from 1 to {max}"),
                ));
                default
            }
        },
    }
}

impl App {
    /// The unit filter: a unit inside the scope, else a field error (not a silent
    /// empty list).
    fn unit_in_scope(
        &self,
        errs: &mut Errors,
        scope: &Scope,
        v: Option<&str>,
    ) -> Option<PathRange> {
        let s = v.map(str::trim).filter(|s| !s.is_empty())?;
        let unit = Uuid::parse_str(s).ok().and_then(|id| self.org.unit(id));
        match unit {
            Some(u) if scope.contains(&u.path) => Some(PathRange::subtree(&u.path)),
            _ => {
                errs.push(FieldError::new(
                    "unit_id",
                    "unit.unknown",
                    "单位不存在或不在您的范围内",
                    "No such unit in your scope",
                ));
                None
            }
        }
    }

    /// Cases in the caller's scope, newest first.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        q: &CaseListQuery,
        lang: Lang,
    ) -> Result<CaseList> {
        let scope = authz::scope(actor, Action::CaseRead);
        if scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in q.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let kind = q
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|k| {
                let v = case::lifecycle::parse_kind(k);
                if v.is_none() {
                    errs.push(FieldError::new(
                        "kind",
                        "case.kind_unknown",
                        "案件类别应为 criminal 或 administrative",
                        "The kind must be criminal or administrative",
                    ));
                }
                v
            });
        let status = q
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                let v = Status::parse(s);
                if v.is_none() {
                    errs.push(FieldError::new(
                        "status",
                        "status.unknown",
                        "未知的案件状态",
                        "Unknown case status",
                    ));
                }
                v
            });
        let open_only = match q.open.as_deref().map(str::trim) {
            None | Some("") | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                errs.push(FieldError::new(
                    "open",
                    "type",
                    "应为 true 或 false",
                    "Must be true or false",
                ));
                false
            }
        };
        let unit = self.unit_in_scope(&mut errs, &scope, q.unit_id.as_deref());
        let from = bj_date(&mut errs, "from", q.from.as_deref());
        let to = bj_date(&mut errs, "to", q.to.as_deref());
        let page = number(&mut errs, "page", q.page.as_deref(), 1, 10_000);
        let per_page = number(
            &mut errs,
            "per_page",
            q.per_page.as_deref(),
            20,
            PER_PAGE_MAX,
        );
        errs.into_result(()).map_err(AppError::Validation)?;
        let start_of = |d: NaiveDate| crate::clock::bj_midnight(d);
        let f = CaseFilter {
            scope: path_range(scope),
            unit,
            kind,
            status,
            open_only,
            from: from.map(start_of),
            to: to.and_then(|d| d.succ_opt()).map(start_of),
            limit: per_page,
            offset: (page - 1) * per_page,
        };
        let p = self.store.list_cases(f).await?;
        Ok(CaseList {
            items: p.items.iter().map(|r| self.case_summary(r, lang)).collect(),
            total: p.total,
            page,
            per_page,
        })
    }

    /// The deadline board of the caller's scope (or one unit in it).
    pub async fn deadline_board(
        &self,
        actor: &Actor,
        q: &DeadlineQuery,
        lang: Lang,
    ) -> Result<DeadlineBoard> {
        let scope = authz::scope(actor, Action::CaseRead);
        if scope == Scope::None {
            return Err(AppError::Forbidden);
        }
        let mut errs = Errors::default();
        for k in q.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let list = match q.state.as_deref().map(str::trim) {
            None | Some("") | Some("running") => BoardList::Running,
            Some("due_soon") => BoardList::DueSoon,
            Some("overdue") => BoardList::Overdue,
            Some("met") => BoardList::Met,
            Some(_) => {
                errs.push(FieldError::new(
                    "state",
                    "state.unknown",
                    "应为 due_soon、overdue、met 或 running",
                    "Must be due_soon, overdue, met or running",
                ));
                BoardList::Running
            }
        };
        let unit = self.unit_in_scope(&mut errs, &scope, q.unit_id.as_deref());
        let limit = number(&mut errs, "limit", q.limit.as_deref(), 100, BOARD_LIMIT_MAX);
        errs.into_result(()).map_err(AppError::Validation)?;
        let now = self.now();
        let range = path_range(scope);
        let f = BoardFilter {
            scope: range.clone(),
            unit: unit.clone(),
            list,
            now,
            since: now - TimeDelta::days(MET_WITHIN_DAYS),
            limit,
        };
        let (rows, (due_soon, overdue, running)) = tokio::try_join!(
            self.store.deadline_board(f),
            self.store.deadline_counts(range, unit, now)
        )?;
        Ok(DeadlineBoard {
            state: match list {
                BoardList::DueSoon => "due_soon",
                BoardList::Overdue => "overdue",
                BoardList::Met => "met",
                BoardList::Running => "running",
            }
            .into(),
            items: rows
                .iter()
                .map(|b| BoardItem {
                    deadline: self.deadline_view(&b.deadline, lang),
                    case_id: b.deadline.case_id,
                    case_number: b.case_number.clone(),
                    case_title: frontline_core::ident::mask_identifiers(&b.case_title).into_owned(),
                    unit_name: self.org.unit_name(b.deadline.unit_id),
                })
                .collect(),
            due_soon,
            overdue,
            running,
        })
    }
}

//! Incident intake, reading, listing and unmasking of the caller's identifiers.

use chrono::{DateTime, Utc};
use frontline_core::Lang;
use frontline_core::authz::Scope;
use frontline_core::ident::{mask_id_number, mask_identifiers, mask_phone};
use frontline_core::incident::callback::{CallbackStatus, RepeatBasis, Satisfaction};
use frontline_core::incident::lifecycle::{Status, Step};
use frontline_core::incident::response::TargetStatus;
use frontline_core::org::AreaType;
/// The stored incident, as the use cases hand it to the web layer.
pub use frontline_store::IncidentRow;
use frontline_store::PathRange;
use serde::Serialize;
use uuid::Uuid;

use crate::App;

mod board;
mod callback;
mod elements;
mod export;
mod intake;
mod list;
mod push;
mod read;
mod request;
mod review;
mod stats;
mod transition;
mod unmask;

pub use board::{
    BOARD_MAX, BOARD_STATES, Board, BoardChange, BoardEvent, BoardFeed, BoardGroup, BoardRow,
    BoardSubscription,
};
pub use callback::{
    CallbackRequest, CallbackReviewRequest, CallbackReviewView, CallbackSummary, CallbackView,
};
pub use elements::{ElementsAnswer, ElementsRequest};
pub use list::ListQuery;
pub use push::{PushAnswerRequest, PushList, PushSummary, PushView};
pub use request::{CallerRequest, IncidentRequest};
pub use review::{
    AcknowledgeRequest, CategoryTotal, DailyReview, DailyReviewQuery, ReviewItem, ReviewList,
    ReviewMarkRequest, ReviewMarkView, StationReview,
};
pub use stats::{
    DateRange, Grouping, HeatCell, MAX_GROUPS, MAX_RANGE_DAYS, ResponseRow, StatPoint, StatRow,
    StatShare, StatTotals, StatisticsQuery, StatisticsView,
};
pub use transition::{Colleague, TransitionRequest};
pub use unmask::UnmaskRequest;

use crate::clock::rfc3339_bj;

pub const PAGE_SIZE_DEFAULT: i64 = 20;
pub const PAGE_SIZE_MAX: i64 = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallerView {
    /// Phone and ID numbers typed into it are masked, as in `address` and `narrative`.
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
    /// Phone and ID numbers found in the text are masked as the caller's are
    /// (`139****5678`, `110105********002X`); unmasking shows it whole.
    pub address: String,
    pub district_id: Option<Uuid>,
    pub district_name: Option<String>,
    pub caller: CallerView,
    /// Phone and ID numbers found in the text are masked, as in `address`.
    pub narrative: String,
    /// Where the incident is in its lifecycle.
    pub status: Status,
    pub status_name: String,
    /// Send it back with a lifecycle step; a step made against an older one is refused.
    pub version: i64,
    pub response: ResponseView,
    /// How many earlier incidents (same address or caller phone, within the window)
    /// this one repeats; 0 when it is not a repeat (重复警情).
    pub repeat_count: i64,
    /// The callback (回访): null when none is required (or not yet closed).
    pub callback_status: Option<CallbackStatus>,
    /// The caller's answer at the last callback that reached them.
    pub satisfaction: Option<Satisfaction>,
}

/// Response times (出警时效): the step times and how the arrival stands against the 110
/// target of the district's area type (urgent categories only).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponseView {
    /// First dispatch, first arrival, disposal, and closing / referral / conversion
    /// (RFC 3339, Beijing time).
    pub dispatched_at: Option<String>,
    pub arrived_at: Option<String>,
    pub disposed_at: Option<String>,
    pub ended_at: Option<String>,
    /// Seconds from the call to the first dispatch, to the first arrival, and from the
    /// arrival to the disposal.
    pub call_to_dispatch_secs: Option<i64>,
    pub dispatch_to_arrival_secs: Option<i64>,
    pub arrival_to_disposal_secs: Option<i64>,
    /// The arrival target in minutes; null when none applies (not urgent, or rural: 尽快).
    pub target_minutes: Option<i64>,
    pub target_status: TargetStatus,
    pub area_type: Option<AreaType>,
    /// The patrol unit and officers of the current dispatch.
    pub patrol_unit: Option<String>,
    pub assigned: Vec<Uuid>,
}

/// One incident with its timeline (the detail page and `GET /api/v1/incidents/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: IncidentView,
    /// Every step, oldest first: who, when, what, note.
    pub timeline: Vec<TimelineEntry>,
    /// The earlier incidents this one repeats, newest first.
    pub repeats: Vec<RepeatView>,
    pub callback: CallbackSummary,
}

/// An earlier incident a repeat links to. One of another unit than the reader may see
/// shows neither its number nor a link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RepeatView {
    /// Null when the reader may not read it.
    pub id: Option<Uuid>,
    pub number: Option<String>,
    pub reported_at: String,
    pub category_name: String,
    pub basis: RepeatBasis,
    pub basis_name: String,
}

/// What an incident's page shows beside the incident: timeline, repeat links, callbacks.
#[derive(Debug, Clone, Default)]
pub struct IncidentParts {
    pub events: Vec<frontline_store::IncidentEvent>,
    pub repeats: Vec<frontline_store::RepeatEarlier>,
    pub callbacks: Vec<frontline_store::CallbackRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// The incident's version after this step (1 = registration).
    pub seq: i64,
    pub at: String,
    /// `register` or a lifecycle step.
    pub step: String,
    pub step_name: String,
    pub actor: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    /// Phone and ID numbers typed into it are masked, as in the narrative.
    pub note: String,
    /// Step details: officer names, patrol unit, receiving body, conversion target
    /// (identifiers in them masked too).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The caller's identifiers, and the free texts with the numbers typed into them,
/// shown whole after a stated purpose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmaskedCaller {
    pub phone: String,
    pub id_number: Option<String>,
    pub name: String,
    pub address: String,
    pub narrative: String,
    /// Every step's note and details whole, oldest first (by `seq`, as in the timeline).
    pub timeline: Vec<UnmaskedStep>,
}

/// One timeline step's free texts, whole.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmaskedStep {
    pub seq: i64,
    pub note: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// Masks the identifiers in the free texts of a step's details (patrol unit, receiving
/// body, officer names, and any text a later step adds); the officers' ids, the instant
/// and the conversion target are data, not text, and stay as they are.
fn mask_detail(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    const DATA: [&str; 3] = ["officers", "at", "target"];
    fn texts(v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(mask_identifiers(&s).into_owned()),
            Value::Array(a) => Value::Array(a.into_iter().map(texts).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, texts(v))).collect()),
            other => other,
        }
    }
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| {
                    let v = if DATA.contains(&k.as_str()) {
                        v
                    } else {
                        texts(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => texts(other),
    }
}

fn path_range(scope: Scope) -> Option<PathRange> {
    match scope {
        Scope::None => None,
        Scope::Bureau => Some(PathRange::all()),
        Scope::Subtree(p) => Some(PathRange::subtree(&p)),
    }
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
            // Every row of a list page and an export passes here: one linear scan each,
            // and a text without identifiers is not copied twice.
            address: mask_identifiers(&r.address).into_owned(),
            district_id: r.district_id,
            district_name: r
                .district_id
                .and_then(|d| self.org.district(d))
                .map(|d| d.name),
            caller: CallerView {
                name: mask_identifiers(&r.caller_name).into_owned(),
                phone: mask_phone(&r.caller_phone),
                id_number: r.caller_id_number.as_deref().map(mask_id_number),
            },
            narrative: mask_identifiers(&r.narrative).into_owned(),
            status: r.state.status,
            status_name: match lang {
                Lang::Zh => r.state.status.name_zh(),
                Lang::En => r.state.status.name_en(),
            }
            .to_string(),
            version: r.state.version,
            response: self.response_view(r),
            repeat_count: r.follow_up.repeat_count,
            callback_status: r.follow_up.callback,
            satisfaction: r.follow_up.satisfaction,
        }
    }

    fn response_view(&self, r: &IncidentRow) -> ResponseView {
        let st = &r.state;
        let area = r
            .district_id
            .and_then(|d| self.org.district(d))
            .map(|d| d.area_type);
        // Outside any district: judged as rural (no fixed target), never as met.
        let judged_area = area.unwrap_or(AreaType::Rural);
        let secs = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
            (Some(a), Some(b)) => Some((b - a).num_seconds()),
            _ => None,
        };
        ResponseView {
            dispatched_at: st.dispatched_at.map(rfc3339_bj),
            arrived_at: st.arrived_at.map(rfc3339_bj),
            disposed_at: st.disposed_at.map(rfc3339_bj),
            ended_at: st.ended_at.map(rfc3339_bj),
            call_to_dispatch_secs: secs(Some(r.reported_at), st.dispatched_at),
            dispatch_to_arrival_secs: secs(st.dispatched_at, st.arrived_at),
            arrival_to_disposal_secs: secs(st.arrived_at, st.disposed_at),
            target_minutes: self
                .response_targets
                .target(&r.category, judged_area)
                .map(|d| d.num_minutes()),
            target_status: self.response_targets.status(
                &r.category,
                judged_area,
                r.reported_at,
                st.arrived_at,
                self.now(),
            ),
            area_type: area,
            patrol_unit: st.patrol_unit.clone(),
            assigned: st.assigned.clone(),
        }
    }

    /// The detail view: the incident and its timeline.
    pub fn incident_detail(
        &self,
        actor: &frontline_core::org::Actor,
        r: &IncidentRow,
        parts: &IncidentParts,
        lang: Lang,
    ) -> IncidentDetail {
        let readable =
            frontline_core::authz::scope(actor, frontline_core::authz::Action::IncidentRead);
        IncidentDetail {
            incident: self.incident_view(r, lang),
            repeats: parts
                .repeats
                .iter()
                .map(|e| {
                    let seen = readable.contains(&e.unit_path);
                    RepeatView {
                        id: seen.then_some(e.id),
                        number: seen.then(|| e.number.clone()),
                        reported_at: rfc3339_bj(e.reported_at),
                        category_name: self
                            .categories
                            .name(&e.category, lang)
                            .unwrap_or(&e.category)
                            .to_string(),
                        basis: e.basis,
                        basis_name: match lang {
                            Lang::Zh => e.basis.name_zh(),
                            Lang::En => e.basis.name_en(),
                        }
                        .to_string(),
                    }
                })
                .collect(),
            callback: self.callback_summary(&r.follow_up, &parts.callbacks, lang),
            timeline: parts
                .events
                .iter()
                .map(|e| TimelineEntry {
                    seq: e.seq,
                    at: rfc3339_bj(e.at),
                    step: e.step.clone(),
                    step_name: match Step::parse(&e.step) {
                        Some(s) => match lang {
                            Lang::Zh => s.name_zh(),
                            Lang::En => s.name_en(),
                        },
                        None => match lang {
                            Lang::Zh => "接警登记",
                            Lang::En => "Registered",
                        },
                    }
                    .to_string(),
                    actor: e.actor_name.clone(),
                    from_status: e.from_status,
                    to_status: e.to_status,
                    // Identifiers typed into a note or a step's details are masked as in
                    // the narrative; unmasking shows them whole.
                    note: mask_identifiers(&e.note).into_owned(),
                    detail: mask_detail(
                        serde_json::from_str(&e.detail).unwrap_or_else(|_| serde_json::json!({})),
                    ),
                })
                .collect(),
        }
    }
}

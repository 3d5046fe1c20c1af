//! The demo's repeat calls and callbacks: some households call again about the same
//! dispute or noise within weeks (same address and phone); closed calls are called back
//! a day later by the station's desk, with ~95% satisfied or basically satisfied, the
//! dissatisfied ones reviewed by the chief; the last day's closings are still in the queue.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use frontline_core::incident::callback::{
    self, CallbackRules, CallbackStatus, REPEAT_LINKS_MAX, RepeatBasis, RepeatRules, Satisfaction,
};
use frontline_core::incident::lifecycle::Status;
use frontline_store::{CallbackReview, CallbackRow, FollowUp, NewIncident, RepeatLink};
use uuid::Uuid;

use super::det_uuid;
use super::rng::Rng;

/// Who calls back and who reviews, per unit id.
pub(super) struct Staff {
    pub(super) desk: HashMap<Uuid, (Uuid, String)>,
    pub(super) chief: HashMap<Uuid, (Uuid, String)>,
}

const DISSATISFIED_COMMENTS: [&str; 4] = [
    "报警人认为民警到场较慢",
    "报警人对调解结果不满意，要求继续处理",
    "报警人反映财物至今未找回",
    "报警人认为处理不够及时",
];
const REVIEW_NOTES: [&str; 3] = [
    "已电话联系报警人解释处理情况，报警人表示理解",
    "已安排社区民警再次上门了解情况",
    "已责成承办民警跟进，三日内反馈",
];

pub(super) fn fill(
    rows: &mut [NewIncident],
    seed: u64,
    end: DateTime<Utc>,
    callbacks: &CallbackRules,
    repeats: &RepeatRules,
    staff: &Staff,
) {
    let mut r = Rng::new(seed);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows.get(i).map(|n| n.reported_at));
    // A household calling again: copy an earlier call's address and phone at the same
    // station, within three weeks, for some disputes and noise complaints.
    let mut recent: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for &i in &order {
        let Some(n) = rows.get(i) else { continue };
        let (unit, at, cat) = (n.unit_id, n.reported_at, n.category.clone());
        let again = (cat.starts_with("dispute.") || cat == "public_order.noise") && r.chance(0.2);
        let list = recent.entry(unit).or_default();
        list.retain(|&j| {
            rows.get(j)
                .is_some_and(|e| at - e.reported_at < Duration::days(21))
        });
        if again
            && let Some(&j) = list
                .iter()
                .filter(|&&j| {
                    rows.get(j)
                        .is_some_and(|e| e.category.get(..7) == cat.get(..7))
                })
                .nth(r.below(3))
            && let Some(e) = rows.get(j).cloned()
            && let Some(n) = rows.get_mut(i)
        {
            n.address = e.address;
            n.caller_phone = e.caller_phone;
            n.caller_name = e.caller_name;
            n.district_id = e.district_id;
        }
        if cat.starts_with("dispute.") || cat == "public_order.noise" {
            list.push(i);
        }
    }
    // Repeat links, as intake finds them.
    let mut by_key: HashMap<String, Vec<(DateTime<Utc>, Uuid)>> = HashMap::new();
    let mut by_phone: HashMap<String, Vec<(DateTime<Utc>, Uuid)>> = HashMap::new();
    for &i in &order {
        let Some(n) = rows.get_mut(i) else { continue };
        let key = callback::address_key(&n.address, repeats);
        let since = repeats.since(n.reported_at);
        let mut links: Vec<(DateTime<Utc>, RepeatLink)> = Vec::new();
        let mut add = |list: Option<&Vec<(DateTime<Utc>, Uuid)>>, addr: bool| {
            for &(t, id) in list.into_iter().flatten().rev() {
                if t < since {
                    break;
                }
                match links.iter_mut().find(|l| l.1.earlier_id == id) {
                    Some(l) => l.1.basis = RepeatBasis::Both,
                    None => links.push((
                        t,
                        RepeatLink {
                            earlier_id: id,
                            basis: if addr {
                                RepeatBasis::Address
                            } else {
                                RepeatBasis::Phone
                            },
                        },
                    )),
                }
            }
        };
        add(key.as_ref().and_then(|k| by_key.get(k)), true);
        add(by_phone.get(&n.caller_phone), false);
        links.sort_by_key(|l| std::cmp::Reverse(l.0));
        links.truncate(REPEAT_LINKS_MAX);
        n.follow_up.repeats = links.into_iter().map(|l| l.1).collect();
        if let Some(k) = &key {
            by_key
                .entry(k.clone())
                .or_default()
                .push((n.reported_at, n.id));
        }
        by_phone
            .entry(n.caller_phone.clone())
            .or_default()
            .push((n.reported_at, n.id));
        n.follow_up.address_key = key;
    }
    // Callbacks of closed calls.
    for n in rows.iter_mut() {
        if n.state.status != Status::Closed || !callbacks.requires(&n.category) {
            continue;
        }
        let Some(closed) = n.state.ended_at else {
            continue;
        };
        let first = closed + Duration::hours(20) + Duration::minutes(i64::from(r.range(0, 240)));
        if first > end {
            n.follow_up.state = FollowUp {
                callback: Some(CallbackStatus::Due),
                callback_next_at: Some(closed),
                ..FollowUp::default()
            };
            continue;
        }
        let Some(desk) = staff.desk.get(&n.unit_id) else {
            continue;
        };
        let mut at = first;
        let mut attempt = 0;
        let mut state;
        loop {
            attempt += 1;
            let reached = r.chance(0.85);
            let satisfaction = reached.then(|| {
                let x = r.unit();
                if x < 0.82 {
                    Satisfaction::Satisfied
                } else if x < 0.955 {
                    Satisfaction::BasicallySatisfied
                } else {
                    Satisfaction::Dissatisfied
                }
            });
            let comment = match satisfaction {
                Some(Satisfaction::Dissatisfied) => r.pick(&DISSATISFIED_COMMENTS).to_string(),
                Some(_) => String::new(),
                None => "电话无人接听".to_string(),
            };
            let review = match (satisfaction, staff.chief.get(&n.unit_id)) {
                (Some(Satisfaction::Dissatisfied), Some(chief)) if at + Duration::days(2) < end => {
                    Some(CallbackReview {
                        at: at + Duration::hours(i64::from(r.range(2, 30))),
                        reviewer_id: chief.0,
                        reviewer_name: chief.1.clone(),
                        note: r.pick(&REVIEW_NOTES).to_string(),
                    })
                }
                _ => None,
            };
            n.follow_up.callbacks.push(CallbackRow {
                id: det_uuid(at, &format!("callback:{}:{attempt}", n.id)),
                incident_id: n.id,
                attempt,
                at,
                officer_id: desk.0,
                officer_name: desk.1.clone(),
                reached,
                satisfaction,
                comment,
                review,
            });
            let status = callbacks.after_attempt(attempt as u32, reached);
            let next = at + callbacks.retry_after;
            state = FollowUp {
                repeat_count: 0,
                callback: Some(status),
                callback_attempts: attempt,
                callback_next_at: (status == CallbackStatus::Due).then_some(next),
                callback_at: Some(at),
                satisfaction,
            };
            if status != CallbackStatus::Due || next > end {
                break;
            }
            at = next;
        }
        n.follow_up.state = state;
    }
}

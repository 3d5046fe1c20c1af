//! The lives of the demo's incidents: nearly all closed after a plausible dispatch,
//! arrival and disposal; the last hours' calls still open at every stage; non-police
//! matters referred, some crimes and disputes converted. Arrival times follow the
//! district's area type, so the urban 5-minute target is mostly (not always) met.

use chrono::{DateTime, Duration, Utc};
use frontline_core::incident::lifecycle::{ConversionTarget, Step};
use frontline_core::org::AreaType;
use frontline_store::{IncidentEvent, IncidentState};
use uuid::Uuid;

use super::rng::Rng;

/// Who works a station's calls in the demo.
pub(super) struct Crew<'a> {
    pub(super) desk: (Uuid, &'a str),
    /// Officers who can be sent (at least one).
    pub(super) patrol: &'a [(Uuid, String)],
}

struct Life {
    state: IncidentState,
    events: Vec<IncidentEvent>,
}

impl Life {
    fn step(
        &mut self,
        step: Step,
        at: DateTime<Utc>,
        by: (Uuid, &str),
        note: &str,
        detail: serde_json::Value,
    ) {
        let from = self.state.status;
        let Some(to) = step.next(from) else { return };
        self.state.status = to;
        self.state.version += 1;
        self.events.push(IncidentEvent {
            seq: self.state.version,
            at,
            actor_id: Some(by.0),
            actor_name: by.1.to_string(),
            step: step.as_str().into(),
            from_status: Some(from),
            to_status: to,
            note: note.into(),
            detail: detail.to_string(),
        });
    }
}

fn minutes(r: &mut Rng, lo: u32, hi: u32) -> Duration {
    Duration::seconds(i64::from(r.range(lo * 60, hi * 60)))
}

/// Travel time to the scene: mostly quick in town, longer in the villages.
fn travel(r: &mut Rng, area: AreaType) -> Duration {
    match area {
        AreaType::Urban if r.chance(0.85) => minutes(r, 1, 3),
        AreaType::Urban => minutes(r, 5, 12),
        AreaType::Suburban if r.chance(0.8) => minutes(r, 4, 9),
        AreaType::Suburban => minutes(r, 10, 20),
        AreaType::Rural => minutes(r, 8, 35),
    }
}

const PHONE_ONLY: [&str; 4] = [
    "other.consultation",
    "other.misdial",
    "other.harassing_call",
    "lost_missing.lost_documents",
];

/// Lives one incident up to `end` (the demo's "now"). `seed` makes it reproducible.
pub(super) fn live(
    seed: u64,
    category: &str,
    area: AreaType,
    created_at: DateTime<Utc>,
    end: DateTime<Utc>,
    crew: &Crew<'_>,
) -> (IncidentState, Vec<IncidentEvent>) {
    let mut r = Rng::new(seed);
    let mut life = Life {
        state: IncidentState::registered(),
        events: vec![IncidentEvent::registration(
            created_at,
            crew.desk.0,
            crew.desk.1,
        )],
    };
    let desk = crew.desk;
    let age = end - created_at;
    let done = |life: Life| (life.state, life.events);
    let by_phone = PHONE_ONLY.contains(&category) || (category == "other.misc" && r.chance(0.5));
    if by_phone {
        let at = created_at + minutes(&mut r, 1, 6);
        if at > end {
            return done(life);
        }
        life.step(
            Step::Dispose,
            at,
            desk,
            "电话答复，无需出警",
            serde_json::json!({}),
        );
        life.state.disposed_at = Some(at);
        let close = at + minutes(&mut r, 1, 10);
        if close <= end {
            life.step(Step::Close, close, desk, "", serde_json::json!({}));
            life.state.ended_at = Some(close);
        }
        return done(life);
    }
    if category == "other.non_police" {
        let at = created_at + minutes(&mut r, 2, 8);
        if at <= end {
            life.step(
                Step::Refer,
                at,
                desk,
                "非警务求助，已告知求助人并移交",
                serde_json::json!({"receiver": "12345 市民服务热线"}),
            );
            life.state.ended_at = Some(at);
        }
        return done(life);
    }
    // Dispatch: one or two officers, within a minute of the registration (an urban
    // call must see them on scene within 5 minutes of the call, a suburban one 10).
    let dispatch_at = created_at + minutes(&mut r, 0, 1);
    if dispatch_at > end {
        return done(life);
    }
    let n = crew.patrol.len().max(1);
    let first = r.below(n);
    let mut sent = vec![first];
    if n > 1 && r.chance(0.6) {
        sent.push((first + 1 + r.below(n - 1)) % n);
    }
    let officers: Vec<Uuid> = sent
        .iter()
        .filter_map(|&i| crew.patrol.get(i).map(|o| o.0))
        .collect();
    let names: Vec<&str> = sent
        .iter()
        .filter_map(|&i| crew.patrol.get(i).map(|o| o.1.as_str()))
        .collect();
    let patrol = format!(
        "巡逻{}组",
        super::incident::pick_at(&["一", "二", "三"], r.below(3))
    );
    life.step(
        Step::Dispatch,
        dispatch_at,
        desk,
        "",
        serde_json::json!({"officers": officers, "officer_names": names, "patrol_unit": patrol}),
    );
    life.state.dispatched_at = Some(dispatch_at);
    life.state.assigned = officers;
    life.state.patrol_unit = Some(patrol);
    let officer = crew
        .patrol
        .get(first)
        .map(|o| (o.0, o.1.as_str()))
        .unwrap_or(desk);
    let arrive_at = dispatch_at + travel(&mut r, area);
    if arrive_at > end {
        return done(life);
    }
    life.step(
        Step::Arrive,
        arrive_at,
        officer,
        "",
        serde_json::json!({"at": crate::clock::rfc3339_bj(arrive_at)}),
    );
    life.state.arrived_at = Some(arrive_at);
    let dispose_at = arrive_at + minutes(&mut r, 10, 80);
    // Calls of the last hours are still being worked; a few older ones wait for closing.
    if dispose_at > end || (age < Duration::hours(3) && r.chance(0.5)) {
        return done(life);
    }
    let convert = match category.split('.').next() {
        Some("criminal") if r.chance(0.35) => Some(ConversionTarget::Case),
        Some("dispute") if r.chance(0.2) => Some(ConversionTarget::Dispute),
        _ => None,
    };
    if let Some(target) = convert {
        let note = match target {
            ConversionTarget::Case => "经现场勘查，符合立案条件，转案件办理",
            ConversionTarget::Dispute => "双方争执较大，转矛盾纠纷登记调解",
        };
        life.step(
            Step::Convert,
            dispose_at,
            officer,
            note,
            serde_json::json!({"target": target.as_str()}),
        );
        life.state.ended_at = Some(dispose_at);
        return done(life);
    }
    let note = match category.split('.').next() {
        Some("dispute") => "现场调解，双方达成谅解",
        Some("traffic") => "现场疏导，双方协商处理",
        Some("assistance") => "已提供帮助，求助人表示满意",
        Some("lost_missing") => "已登记并协助查找",
        Some("fire") => "配合消防处置，现场已无危险",
        _ => "现场处置完毕，已告知当事人",
    };
    life.step(
        Step::Dispose,
        dispose_at,
        officer,
        note,
        serde_json::json!({}),
    );
    life.state.disposed_at = Some(dispose_at);
    let close_at = dispose_at + minutes(&mut r, 5, 90);
    if close_at > end || (age < Duration::hours(24) && r.chance(0.1)) {
        return done(life);
    }
    life.step(Step::Close, close_at, desk, "", serde_json::json!({}));
    life.state.ended_at = Some(close_at);
    done(life)
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontline_core::incident::lifecycle::Status;

    fn crew(patrol: &[(Uuid, String)]) -> Crew<'_> {
        Crew {
            desk: (Uuid::nil(), "值班民警"),
            patrol,
        }
    }

    #[test]
    fn old_calls_are_closed_recent_ones_open_and_timelines_are_consistent() {
        let patrol = vec![
            (Uuid::from_u128(1), "甲".to_string()),
            (Uuid::from_u128(2), "乙".to_string()),
        ];
        let end = DateTime::parse_from_rfc3339("2026-11-30T12:00:00+08:00")
            .unwrap()
            .to_utc();
        let mut closed = 0;
        for seed in 0..200 {
            let (st, ev) = live(
                seed,
                "public_order.fight",
                AreaType::Urban,
                end - Duration::days(10),
                end,
                &crew(&patrol),
            );
            if st.status == Status::Closed {
                closed += 1;
            }
            assert_eq!(ev.len() as i64, st.version);
            for (i, e) in ev.iter().enumerate() {
                assert_eq!(e.seq, i as i64 + 1);
            }
            assert!(st.arrived_at >= st.dispatched_at);
        }
        assert!(closed > 150, "{closed}");
        let (st, _) = live(
            1,
            "criminal.theft",
            AreaType::Rural,
            end - Duration::minutes(1),
            end,
            &crew(&patrol),
        );
        assert!(st.status.is_open());
        let (st, ev) = live(
            1,
            "other.non_police",
            AreaType::Rural,
            end - Duration::days(1),
            end,
            &crew(&patrol),
        );
        assert_eq!(st.status, Status::Referred);
        assert!(ev[1].detail.contains("12345"));
    }
}

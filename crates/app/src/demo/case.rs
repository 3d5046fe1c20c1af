//! Demo cases: the criminal incidents converted to cases become criminal cases (accepted
//! within the hour by the station's investigators), and each station accepts a few
//! public-order (administrative) cases a month at its counter. Each case lives its steps
//! up to now at plausible pace — most filed within the 3-day review and decided inside
//! the 30-day limit, a few left late — and the deadline sweep then runs once, so the
//! board shows what is due soon and overdue and the late ones already have their
//! reminders and advice letters.

use chrono::{DateTime, Duration, Utc};
use frontline_core::case::workflow::Trigger;
use frontline_core::case::{self, CaseKind, Outcome, PartyRole, Status, Step};
use frontline_core::incident::lifecycle::Status as IncidentStatus;
use frontline_core::org::Role;
use frontline_store::{
    AuditDraft, CaseEvent, CaseParty, CaseRow, IncidentFilter, IncidentRow, NewCase, OfficerBrief,
    PathRange,
};
use uuid::Uuid;

use super::rng::Rng;
use super::{DEMO_SEED, det_uuid};
use crate::{App, AppError, Result};

/// Public-order cases a station accepts at its counter per 30 days.
const COUNTER_CASES_PER_MONTH: usize = 5;

/// (title, summary) of the counter's administrative cases; `{n}` is the suspect.
const ADMIN_CASES: &[(&str, &str)] = &[
    (
        "{n}殴打他人案",
        "{n}因琐事与他人发生争执，用拳头殴打对方面部，致其软组织挫伤。",
    ),
    (
        "{n}寻衅滋事案",
        "{n}酒后在饭店内无故辱骂、推搡其他顾客，扰乱公共秩序。",
    ),
    (
        "{n}盗窃案（治安）",
        "{n}在超市内盗窃商品，价值约三百元，被店员当场发现。",
    ),
    ("{n}故意损毁财物案", "{n}因停车纠纷用钥匙划伤他人车辆漆面。"),
    (
        "{n}赌博案",
        "{n}等人在出租屋内以打麻将方式赌博，现场查获赌资。",
    ),
    (
        "{n}阻碍执行职务案",
        "{n}在民警依法处置纠纷时拉扯民警，阻碍民警执行职务。",
    ),
    (
        "{n}散布谣言扰乱公共秩序案",
        "{n}在微信群内散布不实信息，引起群众恐慌。",
    ),
];

struct Staff {
    /// The station's case officers (the first leads most often).
    officers: Vec<OfficerBrief>,
    chief: Option<OfficerBrief>,
    code: String,
    /// A legal reviewer of the bureau (reviews the penalty proposals).
    legal: Option<OfficerBrief>,
}

fn audit(action: &str, id: Uuid, at: DateTime<Utc>) -> AuditDraft {
    AuditDraft {
        at,
        actor_id: None,
        actor: "system:demo".into(),
        action: action.into(),
        object_type: "case".into(),
        object_id: id.to_string(),
        purpose: None,
        detail: "{}".into(),
    }
}

fn hours(r: &mut Rng, lo: u32, hi: u32) -> Duration {
    Duration::minutes(i64::from(r.range(lo * 60, hi * 60)))
}

impl App {
    /// Loads the demo's cases (after its incidents); returns how many.
    pub(super) async fn load_demo_cases(&self, end: DateTime<Utc>) -> Result<usize> {
        let mut staff = std::collections::HashMap::new();
        let legal = self
            .store
            .officers_with_role(Role::LegalReviewer.as_str().into(), PathRange::all())
            .await?
            .into_iter()
            .next();
        for st in self.org.stations() {
            let scope = PathRange::subtree(&st.path);
            let officers = self
                .store
                .officers_with_role(Role::CaseOfficer.as_str().into(), scope.clone())
                .await?;
            let chief = self
                .store
                .officers_with_role(Role::StationChief.as_str().into(), scope)
                .await?
                .into_iter()
                .next();
            if !officers.is_empty() {
                staff.insert(
                    st.id,
                    Staff {
                        officers,
                        chief,
                        code: st.code.clone(),
                        legal: legal.clone(),
                    },
                );
            }
        }
        let converted = self
            .store
            .incidents_matching(IncidentFilter {
                scope: Some(PathRange::all()),
                unit: None,
                from: None,
                to: None,
                category: None,
                status: Some(IncidentStatus::Converted),
                open_only: false,
                repeat_only: false,
                callback: None,
                satisfaction: None,
                callback_from: None,
                callback_to: None,
                limit: 100_000,
                offset: 0,
                oldest_first: true,
            })
            .await?;
        let mut n = 0;
        for inc in converted
            .iter()
            .filter(|i| i.category.starts_with("criminal."))
        {
            let Some(s) = staff.get(&inc.unit_id) else {
                continue;
            };
            if self.demo_criminal_case(inc, s, end).await? {
                n += 1;
            }
        }
        let span_start = converted
            .first()
            .map_or(end - Duration::days(365), |i| i.reported_at);
        let months = ((end - span_start).num_days() / 30).max(1) as usize;
        for st in self.org.stations() {
            let Some(s) = staff.get(&st.id) else { continue };
            let mut r = Rng::new(
                DEMO_SEED
                    ^ 0xCA5E
                    ^ u64::from_le_bytes(*st.id.as_bytes().first_chunk().unwrap_or(&[0; 8])),
            );
            for k in 0..months * COUNTER_CASES_PER_MONTH {
                let back =
                    Duration::minutes(i64::from(r.range(30, (months as u32) * 30 * 24 * 60)));
                let at = end - back;
                self.demo_admin_case(&mut r, st.id, &st.path, s, at, end, k, false)
                    .await?;
                n += 1;
            }
            // Every station has a case near its 30-day limit, every other one a case past
            // it: what the board is for.
            let near = end - Duration::days(26) - hours(&mut r, 0, 20);
            self.demo_admin_case(&mut r, st.id, &st.path, s, near, end, 10_000, true)
                .await?;
            n += 1;
            if r.chance(0.5) {
                let past = end - Duration::days(32) - hours(&mut r, 0, 20);
                self.demo_admin_case(&mut r, st.id, &st.path, s, past, end, 10_001, true)
                    .await?;
                n += 1;
            }
        }
        // The sweep as `serve` would have run it: reminders, overdue notices, letters.
        while self.sweep_deadlines().await? > 0 {}
        Ok(n)
    }

    async fn demo_step(
        &self,
        row: CaseRow,
        step: Step,
        outcome: Option<Outcome>,
        note: &str,
        at: DateTime<Utc>,
        by: &OfficerBrief,
    ) -> Result<CaseRow> {
        let o = if step == Step::Decide {
            outcome
        } else {
            row.outcome
        };
        let to = step.next(row.kind, row.status, o).ok_or_else(|| {
            AppError::Internal(format!("demo step {step:?} from {:?}", row.status))
        })?;
        let mut w = self.step_write(&row, step, to, o, note, at, (by.id, &by.display_name))?;
        if step == Step::Decide && o == Some(Outcome::Penalty) {
            let unit_code = self
                .org
                .unit(row.unit_id)
                .map_or_else(|| "U".into(), |u| u.code);
            w.decisions_in_force = Some(frontline_store::DecisionsInForce { unit_code, at });
        }
        Ok(self
            .store
            .apply_case_step(w, audit(&format!("case.{}", step.as_str()), row.id, at))
            .await?)
    }

    #[expect(clippy::too_many_arguments, reason = "one demo case's facts")]
    async fn demo_accept(
        &self,
        id: Uuid,
        kind: CaseKind,
        unit: (Uuid, &str, &str),
        title: String,
        summary: String,
        parties: Vec<CaseParty>,
        incident_id: Option<Uuid>,
        at: DateTime<Utc>,
        lead: &OfficerBrief,
        r: &mut Rng,
    ) -> Result<CaseRow> {
        let changes = self.case_workflow.changes(kind, Trigger::Accept, None);
        let deadlines = self.start_deadlines(&changes.start, at)?;
        let query_code = loop {
            let random: Vec<u8> = (0..32).map(|_| r.below(256) as u8).collect();
            if let Some(c) = case::query_code(&random) {
                break c;
            }
        };
        Ok(self
            .store
            .create_case(
                NewCase {
                    id,
                    unit_id: unit.0,
                    unit_path: unit.1.to_string(),
                    unit_code: unit.2.to_string(),
                    kind,
                    title,
                    summary,
                    lead_officer_id: Some(lead.id),
                    officers: Vec::new(),
                    parties,
                    incident_id,
                    query_code,
                    accepted_at: at,
                    created_by: lead.id,
                    event: CaseEvent {
                        seq: 1,
                        at,
                        actor_id: Some(lead.id),
                        actor_name: lead.display_name.clone(),
                        step: "accept".into(),
                        from_status: None,
                        to_status: Status::Accepted,
                        note: String::new(),
                        detail: serde_json::json!({ "started": changes.start, "incident_id": incident_id })
                            .to_string(),
                    },
                    deadlines,
                    outbox: Vec::new(),
                },
                audit("case.create", id, at),
            )
            .await?)
    }

    /// A converted criminal incident's case; `false` when the conversion is too recent
    /// to have been taken over yet.
    async fn demo_criminal_case(
        &self,
        inc: &IncidentRow,
        s: &Staff,
        end: DateTime<Utc>,
    ) -> Result<bool> {
        let mut r = Rng::new(
            DEMO_SEED
                ^ 0x0C45E
                ^ u64::from_le_bytes(*inc.id.as_bytes().last_chunk().unwrap_or(&[0; 8])),
        );
        let converted_at = inc.state.ended_at.unwrap_or(inc.reported_at);
        let at = converted_at + Duration::minutes(i64::from(r.range(15, 90)));
        if at > end {
            return Ok(false);
        }
        let lead = s
            .officers
            .get(r.below(s.officers.len().min(4)))
            .or(s.officers.first())
            .ok_or_else(|| AppError::Internal("no case officer".into()))?;
        let chief = s.chief.as_ref().unwrap_or(lead);
        let name = self
            .categories
            .name(&inc.category, frontline_core::Lang::Zh)
            .unwrap_or("刑事")
            .to_string();
        let place: String = inc.address.chars().take(14).collect();
        let parties = vec![CaseParty {
            seq: 1,
            role: if r.chance(0.8) {
                PartyRole::Victim
            } else {
                PartyRole::Reporter
            },
            name: inc.caller_name.clone(),
            id_number: None,
            phone: Some(inc.caller_phone.clone()),
            consent: r.chance(0.7),
        }];
        let id = det_uuid(at, &format!("case:{}", inc.id));
        let mut row = self
            .demo_accept(
                id,
                CaseKind::Criminal,
                (inc.unit_id, &inc.unit_path, &s.code),
                format!("{place}{name}案"),
                inc.narrative.clone(),
                parties,
                Some(inc.id),
                at,
                lead,
                &mut r,
            )
            .await?;
        // The 3-day filing review: most inside it, a few late, a few declined.
        let late = r.chance(0.03);
        let mut t = at + hours(&mut r, 4, if late { 120 } else { 60 });
        if t > end {
            return Ok(true);
        }
        if r.chance(0.05) {
            row = self
                .demo_step(
                    row,
                    Step::Decline,
                    None,
                    "经审查，没有犯罪事实，不予立案，已告知报案人",
                    t,
                    chief,
                )
                .await?;
            t += hours(&mut r, 24, 60);
            if t <= end {
                self.demo_step(row, Step::Close, None, "", t, chief).await?;
            }
            return Ok(true);
        }
        row = self.demo_step(row, Step::File, None, "", t, chief).await?;
        t += hours(&mut r, 1, 4);
        if t > end {
            return Ok(true);
        }
        row = self
            .demo_step(row, Step::Investigate, None, "", t, lead)
            .await?;
        if !r.chance(0.45) {
            return Ok(true);
        }
        t += hours(&mut r, 20, 40 * 24);
        if t > end {
            return Ok(true);
        }
        row = self
            .demo_step(
                row,
                Step::Solve,
                None,
                "调取监控锁定嫌疑人，已抓获归案",
                t,
                lead,
            )
            .await?;
        t += hours(&mut r, 3 * 24, 20 * 24);
        if t > end {
            return Ok(true);
        }
        row = if r.chance(0.9) {
            self.demo_step(
                row,
                Step::Refer,
                None,
                "侦查终结，移送检察院审查起诉",
                t,
                chief,
            )
            .await?
        } else {
            self.demo_step(
                row,
                Step::Withdraw,
                None,
                "嫌疑人不负刑事责任，撤销案件",
                t,
                chief,
            )
            .await?
        };
        // A withdrawn case is closed once the parties are told (within the 3 days).
        t += if row.status == Status::Withdrawn {
            hours(&mut r, 4, 60)
        } else {
            hours(&mut r, 10 * 24, 40 * 24)
        };
        if t <= end {
            self.demo_step(row, Step::Close, None, "", t, chief).await?;
        }
        Ok(true)
    }

    #[expect(clippy::too_many_arguments, reason = "one demo case's facts")]
    async fn demo_admin_case(
        &self,
        r: &mut Rng,
        unit_id: Uuid,
        unit_path: &str,
        s: &Staff,
        at: DateTime<Utc>,
        end: DateTime<Utc>,
        k: usize,
        hold: bool,
    ) -> Result<()> {
        let w = super::data::data()?;
        let suspect = super::people::person_name(r, &w.words);
        let victim = super::people::person_name(r, &w.words);
        let kind_index = r.below(ADMIN_CASES.len());
        let (title, summary) = ADMIN_CASES
            .get(kind_index)
            .copied()
            .unwrap_or(("{n}违反治安管理案", "{n}违反治安管理。"));
        let lead = s
            .officers
            .get(r.below(s.officers.len()))
            .or(s.officers.first())
            .ok_or_else(|| AppError::Internal("no case officer".into()))?;
        let chief = s.chief.as_ref().unwrap_or(lead);
        let parties = vec![
            CaseParty {
                seq: 1,
                role: PartyRole::Suspect,
                name: suspect.clone(),
                id_number: None,
                phone: None,
                consent: false,
            },
            CaseParty {
                seq: 2,
                role: PartyRole::Victim,
                name: victim,
                id_number: None,
                phone: Some(super::people::mobile(r, &w.words)),
                consent: r.chance(0.6),
            },
        ];
        let id = det_uuid(at, &format!("case:admin:{unit_id}:{k}"));
        let mut row = self
            .demo_accept(
                id,
                CaseKind::Administrative,
                (unit_id, unit_path, &s.code),
                title.replace("{n}", &suspect),
                summary.replace("{n}", &suspect),
                parties,
                None,
                at,
                lead,
                r,
            )
            .await?;
        let mut t = at + hours(r, 0, 3);
        if t > end {
            return Ok(());
        }
        row = self
            .demo_step(row, Step::Investigate, None, "", t, lead)
            .await?;
        if r.chance(0.3) {
            let when = (t + hours(r, 1, 30)).min(end);
            self.demo_attachment(&row, when, lead).await?;
        }
        // Decided inside the 30 days, some close to the limit; of the last weeks' cases
        // a few are left undecided past it (the board's overdue list).
        let article = super::decision::ARTICLES
            .get(kind_index)
            .copied()
            .unwrap_or("51");
        if hold || (at > end - Duration::days(40) && r.chance(0.08)) {
            // Some of these wait for legal review of their proposal.
            if r.chance(0.4) {
                let p = (t + hours(r, 24, 10 * 24)).min(end - Duration::hours(1));
                self.demo_decision(r, &row, article, p, lead, None).await?;
            }
            return Ok(());
        }
        // Some of those accepted three to four weeks ago are still being worked on: the
        // board's due-soon list.
        if at > end - Duration::days(30) && at < end - Duration::days(23) && r.chance(0.4) {
            return Ok(());
        }
        t += match r.below(10) {
            0..=3 => hours(r, 48, 10 * 24),
            4..=7 => hours(r, 10 * 24, 26 * 24),
            _ => hours(r, 26 * 24, 29 * 24 + 12),
        };
        if t > end {
            return Ok(());
        }
        let proposed = t - hours(r, 20, 40);
        let penalty = r.chance(0.85)
            && self
                .demo_decision(
                    r,
                    &row,
                    article,
                    proposed.max(row.accepted_at),
                    lead,
                    s.legal.as_ref(),
                )
                .await?;
        let (outcome, note) = if penalty {
            (
                Outcome::Penalty,
                "违法事实清楚，证据确实充分，依法给予行政处罚",
            )
        } else {
            (Outcome::Exempt, "情节特别轻微，依法不予处罚")
        };
        row = self
            .demo_step(row, Step::Decide, Some(outcome), note, t, chief)
            .await?;
        t += hours(r, 2, 60);
        if t > end {
            return Ok(());
        }
        if penalty {
            row = self
                .demo_step(row, Step::Execute, None, "", t, lead)
                .await?;
            t += hours(r, 24, 5 * 24);
            if t > end {
                return Ok(());
            }
        }
        self.demo_step(row, Step::Close, None, "", t, chief).await?;
        Ok(())
    }
}

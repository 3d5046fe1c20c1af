//! The deadline sweep inside `serve` (双提醒、超期督办): claims running deadlines whose
//! next notice has come, sends the reminders (lead officer and legal reviewers at once),
//! the overdue notice (the station chief) and, after the grace period, issues the
//! enforcement advice letter to the unit. Each step is one transaction guarded by the
//! deadline's stage, so two instances never send a notice twice; a crash after the
//! claim brings the deadline back after its lease.

use std::time::Duration as StdDuration;

use chrono::{DateTime, TimeDelta, Utc};
use frontline_core::case::escalation::Notice;
use frontline_core::org::Role;
use frontline_store::{
    AuditDraft, DeadlineAdvance, DeadlineRow, NewAdviceLetter, NewMessage, OfficerBrief, PathRange,
};
use uuid::Uuid;

use crate::clock::rfc3339_bj;
use crate::notify::{InboxPayload, to_inbox};
use crate::{App, Result};

/// Deadlines claimed per round.
pub const SWEEP_BATCH: i64 = 1000;
/// How long a claim holds before another sweep may take the deadline again.
const LEASE: TimeDelta = TimeDelta::seconds(120);
/// How often the sweep looks (a reminder is at most this late).
const POLL: StdDuration = StdDuration::from_secs(30);

fn minutes(t: DateTime<Utc>) -> String {
    let s = rfc3339_bj(t);
    s.get(..16).unwrap_or(&s).replace('T', " ")
}

impl App {
    /// Sweeps until the task is dropped.
    pub async fn run_deadline_sweep(self) {
        loop {
            match self.sweep_deadlines().await {
                Ok(n) if n as i64 >= SWEEP_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// One round: claims the due deadlines and advances each; returns how many were
    /// claimed.
    pub async fn sweep_deadlines(&self) -> Result<usize> {
        let now = self.now();
        // The public lookup log is kept for its retention period only.
        // A failed purge must not hold up the reminders.
        match self
            .store
            .purge_status_lookups(now - frontline_core::case::public::LOG_RETENTION)
            .await
        {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "public status lookups past retention dropped"),
            Err(e) => tracing::warn!(error = %e, "purging the public lookup log failed"),
        }
        let claimed = self
            .store
            .claim_deadlines(now, now + LEASE, SWEEP_BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let reviewers = self
            .store
            .officers_with_role(Role::LegalReviewer.as_str().into(), PathRange::all())
            .await?;
        let mut sent = false;
        for d in &claimed {
            match self.advance_deadline(d, &reviewers, now).await {
                Ok(s) => sent |= s,
                Err(e) => tracing::warn!(deadline = %d.id, error = %e, "deadline not advanced"),
            }
        }
        if sent {
            self.outbox_wake.wake();
        }
        Ok(claimed.len())
    }

    async fn advance_deadline(
        &self,
        d: &DeadlineRow,
        reviewers: &[OfficerBrief],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let Some(case) = self.store.case(d.case_id).await? else {
            return Ok(false);
        };
        let e = self.escalation_for(&d.rule);
        let stage = usize::try_from(d.stage).unwrap_or(0);
        let (send, new_stage, next) = e.step(d.started_at, d.due_at, stage, now);
        let rule = self.deadlines.rules.get(&d.rule);
        let name_zh = rule.map_or(d.rule.as_str(), |r| r.name_zh.as_str());
        let name_en = rule.map_or(d.rule.as_str(), |r| r.name_en.as_str());
        let mut outbox: Vec<NewMessage> = Vec::new();
        let mut letter = None;
        let mut audit = None;
        let chiefs = if send.iter().any(|n| !matches!(n, Notice::Reminder { .. })) {
            self.store
                .officers_with_role(
                    Role::StationChief.as_str().into(),
                    PathRange::subtree(&case.unit_path),
                )
                .await?
                .into_iter()
                .map(|o| o.id)
                .collect()
        } else {
            Vec::new()
        };
        for (k, notice) in send.iter().enumerate() {
            let mut to: Vec<Uuid> = case.lead_officer_id.into_iter().collect();
            let (kind, title_zh, title_en, link) = match notice {
                Notice::Reminder { before } => {
                    to.extend(reviewers.iter().map(|r| r.id));
                    let hours = before.num_hours();
                    (
                        "case.deadline_reminder",
                        format!(
                            "期限提醒：{} {}将于{}届满（还剩约{}小时）",
                            case.number,
                            name_zh,
                            minutes(d.due_at),
                            hours
                        ),
                        format!(
                            "Deadline reminder: {} {} is due {} (about {} h left)",
                            case.number,
                            name_en,
                            minutes(d.due_at),
                            hours
                        ),
                        format!("/cases/{}", case.id),
                    )
                }
                Notice::Overdue => {
                    to.extend(chiefs.iter().copied());
                    (
                        "case.deadline_overdue",
                        format!(
                            "超期：{} {}已于{}届满，尚未办结",
                            case.number,
                            name_zh,
                            minutes(d.due_at)
                        ),
                        format!(
                            "Overdue: {} {} was due {} and is not done",
                            case.number,
                            name_en,
                            minutes(d.due_at)
                        ),
                        format!("/cases/{}", case.id),
                    )
                }
                Notice::AdviceLetter => {
                    to.extend(chiefs.iter().copied());
                    let unit = self.org.unit(case.unit_id);
                    let id = Uuid::now_v7();
                    letter = Some(NewAdviceLetter {
                        id,
                        case_id: case.id,
                        unit_id: case.unit_id,
                        unit_path: case.unit_path.clone(),
                        unit_code: unit.map_or_else(|| "U".into(), |u| u.code),
                        issued_at: now,
                        rule: d.rule.clone(),
                        due_at: d.due_at,
                    });
                    audit = Some(AuditDraft {
                        at: now,
                        actor_id: None,
                        actor: "deadline-sweep".into(),
                        action: "case.advice_letter".into(),
                        object_type: "case".into(),
                        object_id: case.id.to_string(),
                        purpose: None,
                        detail: serde_json::json!({
                            "number": case.number, "rule": d.rule, "deadline_id": d.id,
                            "letter_id": id,
                        })
                        .to_string(),
                    });
                    (
                        "case.advice_letter",
                        format!("执法建议书：{} {}超期未办结", case.number, name_zh),
                        format!(
                            "Enforcement advice letter: {} {} is overdue",
                            case.number, name_en
                        ),
                        format!("/cases/{}/advice-letters/{id}", case.id),
                    )
                }
            };
            to.sort();
            to.dedup();
            let payload = InboxPayload {
                kind: kind.into(),
                title_zh,
                title_en,
                body: frontline_core::ident::mask_identifiers(&case.title).into_owned(),
                link: Some(link),
            };
            for officer in to {
                outbox.push(to_inbox(
                    officer,
                    format!(
                        "deadline:{}:{}:{}:{}:{officer}",
                        d.id,
                        d.due_at.timestamp(),
                        stage + k,
                        kind
                    ),
                    &payload,
                    now,
                ));
            }
        }
        let any = !outbox.is_empty();
        let applied = self
            .store
            .advance_deadline(DeadlineAdvance {
                id: d.id,
                expected_stage: d.stage,
                expected_due: d.due_at,
                stage: i32::try_from(new_stage).unwrap_or(i32::MAX),
                next_at: next,
                outbox,
                letter,
                audit,
            })
            .await?;
        Ok(applied && any)
    }
}

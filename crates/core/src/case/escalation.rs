//! 双提醒与超期督办: what the deadline sweep sends for a running deadline and when —
//! reminders before it is due (to the lead officer and the legal reviewers at once),
//! the overdue notice to the station chief at the due instant, and an enforcement
//! advice letter (执法建议书) to the unit when it is still overdue after a grace period.

use chrono::{DateTime, TimeDelta, Utc};

/// One thing the sweep does for a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The reminder `before` the due instant.
    Reminder { before: TimeDelta },
    /// Due and not met: the station chief hears of it.
    Overdue,
    /// Still overdue after the grace period: the advice letter is issued.
    AdviceLetter,
}

/// The escalation settings (configurable; defaults from the issue: 24 h and 2 h, one day's
/// grace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// Reminders this long before the due instant.
    pub reminders: Vec<TimeDelta>,
    /// How long after the due instant the advice letter follows.
    pub grace: TimeDelta,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            reminders: vec![TimeDelta::hours(24), TimeDelta::hours(2)],
            grace: TimeDelta::hours(24),
        }
    }
}

impl Escalation {
    /// Every notice of a deadline started at `started` and due at `due`, in time order.
    /// A reminder that would fall before the start is left out (a 12-hour period has no
    /// 24-hour reminder).
    pub fn schedule(
        &self,
        started: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, Notice)> {
        let mut before: Vec<TimeDelta> = self.reminders.clone();
        before.sort_by(|a, b| b.cmp(a));
        before.dedup();
        let mut out: Vec<(DateTime<Utc>, Notice)> = before
            .into_iter()
            .filter_map(|b| due.checked_sub_signed(b).map(|t| (t, b)))
            .filter(|(t, _)| *t > started)
            .map(|(t, b)| (t, Notice::Reminder { before: b }))
            .collect();
        out.push((due, Notice::Overdue));
        if let Some(t) = due.checked_add_signed(self.grace) {
            out.push((t, Notice::AdviceLetter));
        }
        out
    }

    /// The first notice's instant (the deadline's first `next_at`).
    pub fn first(&self, started: DateTime<Utc>, due: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule(started, due).first().map(|(t, _)| *t)
    }

    /// What to do at `now` for a deadline that has done `stage` notices: the notices to
    /// send (reminders that are already overtaken by the overdue notice are skipped, and
    /// of several due reminders only the latest is sent), the new stage and the next
    /// instant the sweep has work (`None`: nothing left).
    pub fn step(
        &self,
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        stage: usize,
        now: DateTime<Utc>,
    ) -> (Vec<Notice>, usize, Option<DateTime<Utc>>) {
        let all = self.schedule(started, due);
        let pending = all.get(stage..).unwrap_or_default();
        let reached: Vec<Notice> = pending
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, n)| *n)
            .collect();
        let new_stage = stage + reached.len();
        let next = all.get(new_stage).map(|(t, _)| *t);
        let escalated = reached
            .iter()
            .any(|n| !matches!(n, Notice::Reminder { .. }));
        let mut send: Vec<Notice> = reached
            .iter()
            .copied()
            .filter(|n| !matches!(n, Notice::Reminder { .. }))
            .collect();
        if !escalated && let Some(last) = reached.last() {
            send.push(*last);
        }
        (send, new_stage, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::hours(h)
    }

    #[test]
    fn the_schedule_runs_reminders_overdue_then_the_letter() {
        let e = Escalation::default();
        let s = e.schedule(t(0), t(72));
        assert_eq!(
            s,
            vec![
                (
                    t(48),
                    Notice::Reminder {
                        before: TimeDelta::hours(24)
                    }
                ),
                (
                    t(70),
                    Notice::Reminder {
                        before: TimeDelta::hours(2)
                    }
                ),
                (t(72), Notice::Overdue),
                (t(96), Notice::AdviceLetter),
            ]
        );
        // A 12-hour period: no 24-hour reminder.
        assert_eq!(e.schedule(t(0), t(12)).len(), 3);
        assert_eq!(e.first(t(0), t(12)), Some(t(10)));
    }

    #[test]
    fn each_step_sends_what_is_due_once() {
        let e = Escalation::default();
        assert_eq!(e.step(t(0), t(72), 0, t(10)), (vec![], 0, Some(t(48))));
        let (send, stage, next) = e.step(t(0), t(72), 0, t(49));
        assert_eq!(
            send,
            vec![Notice::Reminder {
                before: TimeDelta::hours(24)
            }]
        );
        assert_eq!((stage, next), (1, Some(t(70))));
        // The sweep was down through both reminders: only the later one goes out.
        let (send, stage, _) = e.step(t(0), t(72), 0, t(71));
        assert_eq!(
            send,
            vec![Notice::Reminder {
                before: TimeDelta::hours(2)
            }]
        );
        assert_eq!(stage, 2);
        // Down past the due instant: no stale reminder, the overdue notice only.
        let (send, stage, next) = e.step(t(0), t(72), 0, t(80));
        assert_eq!(send, vec![Notice::Overdue]);
        assert_eq!((stage, next), (3, Some(t(96))));
        let (send, stage, next) = e.step(t(0), t(72), 3, t(100));
        assert_eq!(send, vec![Notice::AdviceLetter]);
        assert_eq!((stage, next), (4, None));
        assert_eq!(e.step(t(0), t(72), 4, t(200)), (vec![], 4, None));
    }
}

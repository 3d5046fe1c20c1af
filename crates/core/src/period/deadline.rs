//! A running deadline: a catalog rule started at an instant, then extended or paused by
//! approved events, with its reminders.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::rules::{DeadlineRule, ExtensionSize};
use super::{
    Calendars, ComputeOptions, Mode, PeriodError, PeriodResult, PeriodSpec, Span, Step, Unit,
};
use super::{compute_with, midnight};
use crate::error::Lang;
use crate::time::BEIJING;

/// Who approved an extension, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The approving authority or person as recorded (e.g. 上一级公安机关 王某).
    pub approver: String,
    pub at: DateTime<FixedOffset>,
    /// The approval document's number, if any.
    pub reference: Option<String>,
}

/// An extension that was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedExtension {
    /// Index into the rule's `extensions`.
    pub index: usize,
    /// For an `up_to` extension, the amount granted; otherwise `None`.
    pub granted: Option<Span>,
    pub approval: Approval,
}

/// Time that the law does not count in a period (e.g. 鉴定期间、听证期间不计入办案期限,
/// 醉酒约束时间不计入询问查证时间), as decided by the case officer or legal reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Excluded {
    /// Whole days `first..=last` not counted (day and month periods): the last day moves
    /// later by that many days, then the usual roll-over applies.
    Days { first: NaiveDate, last: NaiveDate },
    /// A stretch of time not counted (hour periods): the end moves later by its length.
    Time {
        from: DateTime<FixedOffset>,
        until: DateTime<FixedOffset>,
    },
}

/// An exclusion that was applied, with its reason (e.g. 伤情鉴定, 听证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedExclusion {
    pub excluded: Excluded,
    pub reason: String,
}

/// What happened to a deadline after it started, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeadlineEvent {
    Extension(AppliedExtension),
    Exclusion(AppliedExclusion),
}

/// Why a deadline cannot be started or extended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("unknown deadline rule {code:?}")]
    UnknownRule { code: String },
    #[error("rule {code} has no counted period (立即/及时)")]
    Immediate { code: String },
    #[error("rule {code} has no extension #{number}")]
    NoSuchExtension { code: String, number: usize },
    #[error("extension #{number} of rule {code} may be granted {times} time(s) and has been")]
    ExtensionExhausted {
        code: String,
        number: usize,
        times: u32,
    },
    #[error("extension #{number}: grant an amount of at most {max} (in its unit)")]
    BadGrant { number: usize, max: Span },
    #[error("extension approved at {approved_at} after the deadline expired at {due}")]
    AfterExpiry {
        approved_at: DateTime<FixedOffset>,
        due: DateTime<FixedOffset>,
    },
    #[error("extension #{number} would not move the deadline later")]
    NotLonger { number: usize },
    #[error("the approver must be named")]
    NoApprover,
    #[error("exclusion: {0}")]
    BadExclusion(&'static str),
    #[error(transparent)]
    Period(#[from] PeriodError),
}

/// A running deadline: a rule started at an instant, with the extensions applied so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub rule: DeadlineRule,
    pub start: DateTime<FixedOffset>,
    /// Extensions and exclusions applied so far, in order (store these to rebuild).
    pub events: Vec<DeadlineEvent>,
    /// The current end, with the explanation of the whole chain.
    pub result: PeriodResult,
    /// Reminder instants (ascending), from the rule's `warn_before`, not before the start.
    pub warn_at: Vec<DateTime<FixedOffset>>,
    /// Days and time excluded so far (re-applied when a `to` extension recounts).
    #[serde(skip)]
    pub(super) excluded_days: u32,
    #[serde(skip)]
    pub(super) excluded_time: TimeDelta,
    #[serde(skip)]
    pub(super) opts_provisional: bool,
}

impl Deadline {
    pub fn due(&self) -> DateTime<FixedOffset> {
        self.result.due
    }

    /// The running result continued by `next` (computed from the old one's end): the steps
    /// so far, then `next`'s steps without its start; the original start and spec are kept.
    fn continue_with(&mut self, mut explain: Vec<Step>, next: PeriodResult) {
        explain.extend(
            next.explain
                .into_iter()
                .filter(|s| !matches!(s, Step::Start { .. })),
        );
        self.result = PeriodResult {
            start: self.start,
            spec: self.result.spec,
            last_day: next.last_day,
            nominal_last_day: next.nominal_last_day,
            nominal_end: next.nominal_end,
            due: next.due,
            provisional: self.result.provisional || next.provisional,
            explain,
        };
    }

    pub(super) fn set_warnings(&mut self) {
        let due = self.result.due;
        let mut w: Vec<_> = self
            .rule
            .warn_before
            .iter()
            .filter_map(|s| {
                let delta = match s.unit {
                    Unit::Hours => TimeDelta::hours(i64::from(s.amount)),
                    _ => TimeDelta::days(i64::from(s.amount)),
                };
                due.checked_sub_signed(delta)
            })
            .filter(|t| *t > self.start)
            .collect();
        w.sort();
        w.dedup();
        self.warn_at = w;
    }

    /// Applies the rule's extension `index` (0-based), approved as given. A `by`/`up_to`
    /// extension is counted from the end of the current period: for days and months, its
    /// first day is the day after the current *nominal* last day (a holiday roll-over of
    /// the unextended period does not carry into the extension); for hours, from the
    /// current nominal end instant. A `to` extension recounts the whole period from the
    /// original start. The approval must come before the current due instant.
    pub fn extend(
        &mut self,
        index: usize,
        granted: Option<Span>,
        approval: Approval,
        cals: &Calendars,
    ) -> Result<(), DeadlineError> {
        let code = self.rule.code.clone();
        let number = index + 1;
        let ext =
            self.rule
                .extensions
                .get(index)
                .cloned()
                .ok_or(DeadlineError::NoSuchExtension {
                    code: code.clone(),
                    number,
                })?;
        if approval.approver.trim().is_empty() {
            return Err(DeadlineError::NoApprover);
        }
        let used = self
            .events
            .iter()
            .filter(|e| matches!(e, DeadlineEvent::Extension(a) if a.index == index))
            .count() as u32;
        if let Some(times) = ext.times
            && used >= times
        {
            return Err(DeadlineError::ExtensionExhausted {
                code,
                number,
                times,
            });
        }
        let approved_at = approval.at.with_timezone(&BEIJING);
        if approved_at >= self.result.due {
            return Err(DeadlineError::AfterExpiry {
                approved_at,
                due: self.result.due,
            });
        }
        let opts = ComputeOptions {
            provisional: self.opts_provisional,
        };
        let (size, next) = match ext.size {
            ExtensionSize::To(span) => {
                if granted.is_some() {
                    return Err(DeadlineError::BadGrant { number, max: span });
                }
                let whole = compute_with(
                    self.start,
                    &PeriodSpec::new(span, self.rule.mode),
                    cals,
                    opts,
                )?;
                // Time excluded so far stays excluded from the recounted period.
                (span, self.shifted(whole, cals)?)
            }
            ExtensionSize::By(span) | ExtensionSize::UpTo(span) => {
                let span = match (ext.size, granted) {
                    (ExtensionSize::UpTo(max), Some(g))
                        if g.unit == max.unit && g.amount >= 1 && g.amount <= max.amount =>
                    {
                        g
                    }
                    (ExtensionSize::UpTo(max), _) => {
                        return Err(DeadlineError::BadGrant { number, max });
                    }
                    (_, Some(_)) => return Err(DeadlineError::BadGrant { number, max: span }),
                    (_, None) => span,
                };
                let from = match (self.result.nominal_last_day, span.unit) {
                    (Some(d), Unit::Days | Unit::Months) => {
                        midnight(d).ok_or(PeriodError::OutOfRange)?
                    }
                    _ => self.result.nominal_end,
                };
                (
                    span,
                    compute_with(from, &PeriodSpec::new(span, self.rule.mode), cals, opts)?,
                )
            }
        };
        if next.due <= self.result.due {
            return Err(DeadlineError::NotLonger { number });
        }
        let mut explain: Vec<Step> = self.result.explain.clone();
        if matches!(explain.last(), Some(Step::Due { .. })) {
            explain.pop();
        }
        let size_text = match ext.size {
            ExtensionSize::To(_) => ExtensionSize::To(size).describe(Lang::Zh),
            _ => ExtensionSize::By(size).describe(Lang::Zh),
        };
        explain.push(Step::Extension {
            index,
            size: format!("{size_text} ({size})"),
            approved_by: approval.approver.trim().to_string(),
            approved_at,
        });
        self.continue_with(explain, next);
        self.events.push(DeadlineEvent::Extension(AppliedExtension {
            index,
            granted,
            approval,
        }));
        self.set_warnings();
        Ok(())
    }

    /// `r` moved later by the days and time excluded so far.
    fn shifted(&self, mut r: PeriodResult, cals: &Calendars) -> Result<PeriodResult, PeriodError> {
        let opts = ComputeOptions {
            provisional: self.opts_provisional,
        };
        if self.excluded_days > 0
            && let Some(last) = r.nominal_last_day
        {
            let from = midnight(last).ok_or(PeriodError::OutOfRange)?;
            let more = compute_with(
                from,
                &PeriodSpec::new(Span::days(self.excluded_days), self.rule.mode),
                cals,
                opts,
            )?;
            r.explain.retain(|s| !matches!(s, Step::Due { .. }));
            r.explain.extend(
                more.explain
                    .into_iter()
                    .filter(|s| !matches!(s, Step::Start { .. })),
            );
            r.last_day = more.last_day;
            r.nominal_last_day = more.nominal_last_day;
            r.nominal_end = more.nominal_end;
            r.due = more.due;
            r.provisional |= more.provisional;
        }
        if self.excluded_time > TimeDelta::zero() && r.nominal_last_day.is_none() {
            let end = r
                .nominal_end
                .checked_add_signed(self.excluded_time)
                .ok_or(PeriodError::OutOfRange)?;
            r.explain.retain(|s| !matches!(s, Step::Due { .. }));
            r.explain.push(Step::NominalEnd {
                last_day: None,
                at: end,
            });
            r.explain.push(Step::Due { at: end });
            r.nominal_end = end;
            r.due = end;
        }
        Ok(r)
    }

    /// Leaves time out of the period (鉴定期间、听证期间不计入…): whole days for a day or
    /// month period (its last day moves later by that many days, then rolls over as
    /// usual), a stretch of time for an hour period (its end moves later by that long).
    /// Which days or hours are excluded is the caller's (the legal reviewer's) decision.
    /// The exclusion must begin before the current due instant; working-day periods take
    /// no exclusions.
    pub fn exclude(&mut self, x: AppliedExclusion, cals: &Calendars) -> Result<(), DeadlineError> {
        if x.reason.trim().is_empty() {
            return Err(DeadlineError::BadExclusion(
                "give the reason (e.g. 伤情鉴定)",
            ));
        }
        if self.rule.mode == Mode::WorkingDays {
            return Err(DeadlineError::BadExclusion(
                "working-day periods take no exclusions",
            ));
        }
        let opts = ComputeOptions {
            provisional: self.opts_provisional,
        };
        let mut explain: Vec<Step> = self.result.explain.clone();
        explain.retain(|s| !matches!(s, Step::Due { .. }));
        let next = match (&x.excluded, self.result.nominal_last_day) {
            (Excluded::Days { first, last }, Some(nominal_last)) => {
                if first > last {
                    return Err(DeadlineError::BadExclusion("first day after last day"));
                }
                let begins = midnight(*first).ok_or(PeriodError::OutOfRange)?;
                if begins >= self.result.due || *first <= self.start.date_naive() {
                    return Err(DeadlineError::BadExclusion(
                        "excluded days must lie after the start day and begin before the due instant",
                    ));
                }
                let days = u32::try_from((*last - *first).num_days() + 1)
                    .map_err(|_| DeadlineError::BadExclusion("too many days"))?;
                explain.push(Step::Excluded {
                    reason: x.reason.trim().to_string(),
                    first_day: Some(*first),
                    last_day: Some(*last),
                    from: None,
                    until: None,
                    days: Some(days),
                });
                self.excluded_days = self.excluded_days.saturating_add(days);
                let from = midnight(nominal_last).ok_or(PeriodError::OutOfRange)?;
                compute_with(
                    from,
                    &PeriodSpec::new(Span::days(days), self.rule.mode),
                    cals,
                    opts,
                )?
            }
            (Excluded::Time { from, until }, None) => {
                let (from, until) = (from.with_timezone(&BEIJING), until.with_timezone(&BEIJING));
                if until <= from {
                    return Err(DeadlineError::BadExclusion("`until` must be after `from`"));
                }
                if from < self.start || from >= self.result.due {
                    return Err(DeadlineError::BadExclusion(
                        "excluded time must begin inside the running period",
                    ));
                }
                let len = until - from;
                explain.push(Step::Excluded {
                    reason: x.reason.trim().to_string(),
                    first_day: None,
                    last_day: None,
                    from: Some(from),
                    until: Some(until),
                    days: None,
                });
                self.excluded_time += len;
                let end = self
                    .result
                    .nominal_end
                    .checked_add_signed(len)
                    .ok_or(PeriodError::OutOfRange)?;
                PeriodResult {
                    explain: vec![
                        Step::NominalEnd {
                            last_day: None,
                            at: end,
                        },
                        Step::Due { at: end },
                    ],
                    nominal_end: end,
                    due: end,
                    ..self.result.clone()
                }
            }
            (Excluded::Days { .. }, None) => {
                return Err(DeadlineError::BadExclusion(
                    "an hour period excludes time, not days",
                ));
            }
            (Excluded::Time { .. }, Some(_)) => {
                return Err(DeadlineError::BadExclusion(
                    "a day or month period excludes whole days",
                ));
            }
        };
        self.continue_with(explain, next);
        self.events.push(DeadlineEvent::Exclusion(x));
        self.set_warnings();
        Ok(())
    }
}

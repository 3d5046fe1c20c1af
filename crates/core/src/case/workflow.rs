//! Which case step starts and which meets a deadline (`data/case-deadlines.toml`),
//! validated against the rule catalog so that a step can never name a rule that does
//! not exist, belongs to the other kind of case, or has no counted period.

use serde::Deserialize;

use super::lifecycle::{CaseKind, Outcome, Step};
use super::measure::{MeasureAct, MeasureKind};
use crate::period::{RuleCatalog, RulePeriod};

pub const BUILTIN_TOML: &str = include_str!("../../../../data/case-deadlines.toml");

/// When an entry applies: at acceptance, or at a lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Accept,
    Step(Step),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: CaseKind,
    pub trigger: Trigger,
    pub outcome: Option<Outcome>,
    pub start: Vec<String>,
    pub meet: Vec<String>,
}

/// The deadline changes one trigger makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes<'a> {
    pub start: Vec<&'a str>,
    pub meet: Vec<&'a str>,
    /// Closing: every deadline still running afterwards is cancelled.
    pub cancel_rest: bool,
}

/// What a coercive measure starts and meets, and what each act on it meets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureEntry {
    pub kind: CaseKind,
    pub measure: MeasureKind,
    pub start: Vec<String>,
    pub meet: Vec<String>,
    pub acts: Vec<(MeasureAct, Vec<String>)>,
}

impl MeasureEntry {
    /// The rules an act meets (ending meets whatever of the measure still runs).
    pub fn meets(&self, act: MeasureAct) -> &[String] {
        self.acts
            .iter()
            .find(|(a, _)| *a == act)
            .map_or(&[], |(_, r)| r.as_slice())
    }

    /// The acts this measure records besides ending it.
    pub fn acts(&self) -> impl Iterator<Item = MeasureAct> + '_ {
        self.acts.iter().map(|(a, _)| *a)
    }
}

#[derive(Debug, Clone)]
pub struct Workflow {
    pub version: String,
    entries: Vec<Entry>,
    measures: Vec<MeasureEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case-deadlines.toml line {line}: {reason}")]
pub struct WorkflowError {
    pub line: usize,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default)]
    on: Vec<RawEntry>,
    #[serde(default)]
    measure: Vec<RawMeasure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    kind: toml::Spanned<String>,
    measure: toml::Spanned<String>,
    #[serde(default)]
    start: Vec<toml::Spanned<String>>,
    #[serde(default)]
    meet: Vec<toml::Spanned<String>>,
    #[serde(default)]
    lock_up: Vec<toml::Spanned<String>>,
    #[serde(default)]
    notify_family: Vec<toml::Spanned<String>>,
    #[serde(default)]
    interrogate: Vec<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    kind: toml::Spanned<String>,
    step: toml::Spanned<String>,
    #[serde(default)]
    outcome: Option<toml::Spanned<String>>,
    #[serde(default)]
    start: Vec<toml::Spanned<String>>,
    #[serde(default)]
    meet: Vec<toml::Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

impl Workflow {
    pub fn builtin(rules: &RuleCatalog) -> Result<Workflow, WorkflowError> {
        Workflow::parse(BUILTIN_TOML, rules)
    }

    pub fn parse(text: &str, rules: &RuleCatalog) -> Result<Workflow, WorkflowError> {
        let file: File = toml::from_str(text).map_err(|e| WorkflowError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            reason: e.message().to_string(),
        })?;
        let err = |span: std::ops::Range<usize>, reason: String| WorkflowError {
            line: line_of(text, span.start),
            reason,
        };
        let mut entries = Vec::new();
        for raw in file.on {
            let kind = super::lifecycle::parse_kind(raw.kind.get_ref()).ok_or_else(|| {
                err(
                    raw.kind.span(),
                    format!("unknown kind {:?}", raw.kind.get_ref()),
                )
            })?;
            let trigger = match raw.step.get_ref().as_str() {
                "accept" => Trigger::Accept,
                s => Trigger::Step(
                    Step::parse(s)
                        .ok_or_else(|| err(raw.step.span(), format!("unknown step {s:?}")))?,
                ),
            };
            let outcome = match &raw.outcome {
                None => None,
                Some(o) if trigger == Trigger::Step(Step::Decide) => {
                    Some(Outcome::parse(o.get_ref()).ok_or_else(|| {
                        err(o.span(), format!("unknown outcome {:?}", o.get_ref()))
                    })?)
                }
                Some(o) => return Err(err(o.span(), "outcome is only for decide".into())),
            };
            let codes = |list: &[toml::Spanned<String>], counted: bool| {
                list.iter()
                    .map(|c| {
                        let rule = rules.get(c.get_ref()).ok_or_else(|| {
                            err(c.span(), format!("unknown rule {:?}", c.get_ref()))
                        })?;
                        if rule.kind != kind {
                            return Err(err(
                                c.span(),
                                format!("rule {} is of the other kind", rule.code),
                            ));
                        }
                        if counted && rule.period == RulePeriod::Immediate {
                            return Err(err(
                                c.span(),
                                format!("rule {} has no counted period", rule.code),
                            ));
                        }
                        Ok(rule.code.clone())
                    })
                    .collect::<Result<Vec<_>, WorkflowError>>()
            };
            let start = codes(&raw.start, true)?;
            let meet = codes(&raw.meet, false)?;
            entries.push(Entry {
                kind,
                trigger,
                outcome,
                start,
                meet,
            });
        }
        let mut measures = Vec::new();
        for raw in file.measure {
            let kind = super::lifecycle::parse_kind(raw.kind.get_ref()).ok_or_else(|| {
                err(
                    raw.kind.span(),
                    format!("unknown kind {:?}", raw.kind.get_ref()),
                )
            })?;
            let measure = MeasureKind::parse(raw.measure.get_ref()).ok_or_else(|| {
                err(
                    raw.measure.span(),
                    format!("unknown measure {:?}", raw.measure.get_ref()),
                )
            })?;
            if !measure.applies_to(kind) {
                return Err(err(
                    raw.measure.span(),
                    format!(
                        "{} is not a measure of a {} case",
                        measure.as_str(),
                        super::lifecycle::kind_str(kind)
                    ),
                ));
            }
            let codes = |list: &[toml::Spanned<String>],
                         counted: bool|
             -> Result<Vec<String>, WorkflowError> {
                list.iter()
                    .map(|c| {
                        let rule = rules.get(c.get_ref()).ok_or_else(|| {
                            err(c.span(), format!("unknown rule {:?}", c.get_ref()))
                        })?;
                        if rule.kind != kind {
                            return Err(err(
                                c.span(),
                                format!("rule {} is of the other kind", rule.code),
                            ));
                        }
                        if counted && rule.period == RulePeriod::Immediate {
                            return Err(err(
                                c.span(),
                                format!("rule {} has no counted period", rule.code),
                            ));
                        }
                        Ok(rule.code.clone())
                    })
                    .collect()
            };
            let start = codes(&raw.start, true)?;
            let mut acts = Vec::new();
            for (act, list) in [
                (MeasureAct::LockUp, &raw.lock_up),
                (MeasureAct::NotifyFamily, &raw.notify_family),
                (MeasureAct::Interrogate, &raw.interrogate),
            ] {
                let met = codes(list, false)?;
                if let Some((c, code)) = list
                    .iter()
                    .zip(&met)
                    .find(|(_, code)| !start.contains(code))
                {
                    return Err(err(
                        c.span(),
                        format!(
                            "{} meets {code}, which the measure does not start",
                            act.as_str()
                        ),
                    ));
                }
                if !met.is_empty() {
                    acts.push((act, met));
                }
            }
            measures.push(MeasureEntry {
                kind,
                measure,
                meet: codes(&raw.meet, false)?,
                start,
                acts,
            });
        }
        Ok(Workflow {
            version: file.version,
            entries,
            measures,
        })
    }

    /// A measure's entry for a case of `kind` (`None`: the case takes no such measure).
    pub fn measure(&self, kind: CaseKind, measure: MeasureKind) -> Option<&MeasureEntry> {
        self.measures
            .iter()
            .find(|m| m.kind == kind && m.measure == measure)
    }

    /// What `trigger` does to a case of `kind` whose decision (if any) is `outcome`.
    pub fn changes(
        &self,
        kind: CaseKind,
        trigger: Trigger,
        outcome: Option<Outcome>,
    ) -> Changes<'_> {
        let mut c = Changes {
            cancel_rest: trigger == Trigger::Step(Step::Close),
            ..Changes::default()
        };
        for e in &self.entries {
            if e.kind == kind
                && e.trigger == trigger
                && (e.outcome.is_none() || e.outcome == outcome)
            {
                c.start.extend(e.start.iter().map(String::as_str));
                c.meet.extend(e.meet.iter().map(String::as_str));
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleCatalog {
        RuleCatalog::builtin().expect("builtin rules")
    }

    #[test]
    fn builtin_loads_and_acceptance_starts_the_handling_limit() {
        let w = Workflow::builtin(&rules()).expect("builtin workflow");
        let c = w.changes(CaseKind::Administrative, Trigger::Accept, None);
        assert_eq!(c.start, vec!["admin.case_handling"]);
        let c = w.changes(CaseKind::Criminal, Trigger::Accept, None);
        assert_eq!(c.start, vec!["criminal.filing_review"]);
        let p = w.changes(
            CaseKind::Administrative,
            Trigger::Step(Step::Decide),
            Some(Outcome::Penalty),
        );
        assert_eq!(p.meet, vec!["admin.case_handling"]);
        assert_eq!(p.start, vec!["admin.decision_service"]);
        let n = w.changes(
            CaseKind::Administrative,
            Trigger::Step(Step::Decide),
            Some(Outcome::Exempt),
        );
        assert!(n.start.is_empty());
        assert!(
            w.changes(CaseKind::Criminal, Trigger::Step(Step::Close), None)
                .cancel_rest
        );
    }

    #[test]
    fn a_bad_file_names_its_line() {
        let r = rules();
        let text = "version = \"x\"\n[[on]]\nkind = \"criminal\"\nstep = \"accept\"\nstart = [\"admin.case_handling\"]\n";
        let e = Workflow::parse(text, &r).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(e.reason.contains("other kind"), "{e}");
        let text = "version = \"x\"\n[[on]]\nkind = \"criminal\"\nstep = \"fly\"\n";
        assert_eq!(Workflow::parse(text, &r).unwrap_err().line, 4);
        let text = "version = \"x\"\n[[on]]\nkind = \"criminal\"\nstep = \"accept\"\nstart = [\"criminal.accept\"]\n";
        let e = Workflow::parse(text, &r).unwrap_err();
        assert!(e.reason.contains("no counted period"), "{e}");
        let text = "version = \"x\"\n[[on]]\nkind = \"criminal\"\nstep = \"file\"\noutcome = \"penalty\"\n";
        assert_eq!(Workflow::parse(text, &r).unwrap_err().line, 5);
        assert!(Workflow::parse("version = 1", &r).is_err());
        let text = "version = \"x\"\n[[measure]]\nkind = \"administrative\"\nmeasure = \"bail\"\n";
        assert_eq!(
            Workflow::parse(text, &r).unwrap_err().line,
            4,
            "bail is criminal procedure"
        );
        let text = "version = \"x\"\n[[measure]]\nkind = \"criminal\"\nmeasure = \"bail\"\nstart = [\"criminal.bail\"]\nnotify_family = [\"criminal.detention_family_notice\"]\n";
        assert_eq!(
            Workflow::parse(text, &r).unwrap_err().line,
            6,
            "an act meets what its measure starts"
        );
    }
}

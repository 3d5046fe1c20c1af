//! 行政处罚决定: the rules a decided public-order penalty must keep against the engine's
//! assessment, the circumstances a party's earlier decisions bring, and the decision's
//! own small lifecycle (proposed → legally reviewed → decided).
//!
//! The officer may follow the recommendation, or depart from it inside the statutory
//! range of the applied tier (and in a form the article allows) with a written reason.
//! Where the engine itself went below the minimum (减轻, a statutory ground), the penalty
//! stays reduced: no kind the recommendation lacks, no amount above the recommendation
//! or just below the ordinary minimum.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::penalty::assess::Effect;
use crate::penalty::catalog::Form;
use crate::penalty::{Assessment, Outcome};

/// The penalty the officer decides for one violation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DecidedPenalty))]
pub struct Decided {
    #[serde(default)]
    pub warning: bool,
    #[serde(default)]
    pub fine_yuan: u64,
    #[serde(default)]
    pub detention_days: u32,
}

impl Decided {
    pub fn is_empty(&self) -> bool {
        !self.warning && self.fine_yuan == 0 && self.detention_days == 0
    }

    /// In words, as the decision letter and the lists print it (`警告`, `罚款500元`,
    /// `行政拘留5日，并处罚款1000元`).
    pub fn words_zh(&self) -> String {
        let mut parts = Vec::new();
        if self.detention_days > 0 {
            parts.push(format!("行政拘留{}日", self.detention_days));
        }
        if self.fine_yuan > 0 {
            if parts.is_empty() {
                parts.push(format!("罚款{}元", self.fine_yuan));
            } else {
                parts.push(format!("并处罚款{}元", self.fine_yuan));
            }
        }
        if self.warning {
            parts.push("警告".to_string());
        }
        if parts.is_empty() {
            return "不予处罚".into();
        }
        parts.join("，")
    }

    pub fn words_en(&self) -> String {
        let mut parts = Vec::new();
        if self.detention_days > 0 {
            parts.push(format!("{} days' detention", self.detention_days));
        }
        if self.fine_yuan > 0 {
            parts.push(format!("a fine of {} yuan", self.fine_yuan));
        }
        if self.warning {
            parts.push("a warning".to_string());
        }
        if parts.is_empty() {
            return "no penalty".into();
        }
        parts.join(" and ")
    }
}

impl From<crate::penalty::Recommended> for Decided {
    fn from(r: crate::penalty::Recommended) -> Decided {
        Decided {
            warning: r.warning,
            fine_yuan: r.fine_yuan,
            detention_days: r.detention_days,
        }
    }
}

/// A penalty decision's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PenaltyDecisionStatus))]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Submitted by the case officer, awaiting legal review (法制审核).
    Proposed,
    /// Sent back by the legal reviewer (with the reason); the officer proposes again.
    Returned,
    /// Approved by legal review; takes effect with the unit leader's decision step.
    Approved,
    /// In force, with its number (the decision letter can be printed).
    Decided,
    /// Replaced by a later proposal for the same party.
    Superseded,
}

impl DecisionStatus {
    pub const ALL: [DecisionStatus; 5] = [
        DecisionStatus::Proposed,
        DecisionStatus::Returned,
        DecisionStatus::Approved,
        DecisionStatus::Decided,
        DecisionStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "proposed",
            DecisionStatus::Returned => "returned",
            DecisionStatus::Approved => "approved",
            DecisionStatus::Decided => "decided",
            DecisionStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<DecisionStatus> {
        DecisionStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "待法制审核",
            DecisionStatus::Returned => "已退回",
            DecisionStatus::Approved => "审核通过，待决定",
            DecisionStatus::Decided => "已决定",
            DecisionStatus::Superseded => "已被替代",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "Awaiting legal review",
            DecisionStatus::Returned => "Returned",
            DecisionStatus::Approved => "Approved, awaiting decision",
            DecisionStatus::Decided => "Decided",
            DecisionStatus::Superseded => "Superseded",
        }
    }

    /// A proposal still in play (a newer one for the same party replaces it).
    pub fn is_pending(self) -> bool {
        matches!(self, DecisionStatus::Proposed | DecisionStatus::Approved)
    }
}

/// 409 code: the decision is not in a state that allows this.
pub const NOT_ALLOWED: &str = "penalty.decision_not_allowed";
/// 422 code: decided outside the statutory range or in a form the article does not allow.
pub const OUTSIDE_STATUTE: &str = "penalty.outside_statute";
/// 422 code: departed from the recommendation without a written reason.
pub const REASON_REQUIRED: &str = "penalty.departure_reason_required";

/// Whether `d` follows the recommendation of `a` (`Ok(false)`) or departs from it
/// lawfully (`Ok(true)`); otherwise the field error (fields under `prefix`, e.g.
/// `violations.0.decided`).
pub fn check_decided(a: &Assessment, d: &Decided, prefix: &str) -> Result<bool, FieldError> {
    let rec = Decided::from(a.recommended);
    if *d == rec {
        return Ok(false);
    }
    if a.outcome != Outcome::Penalty {
        return Err(FieldError::new(
            prefix.to_string(),
            OUTSIDE_STATUTE,
            "依法不予处罚或不再处罚的，不能决定给予处罚",
            "No penalty may be decided where the law exempts the act or the time limit has passed",
        ));
    }
    if d.is_empty() {
        return Err(FieldError::new(
            prefix.to_string(),
            OUTSIDE_STATUTE,
            "请填写决定给予的处罚；依法不予处罚的，请选择“不予处罚”结论",
            "Give the penalty decided; for no penalty, decide the case as exempt",
        ));
    }
    let r = &a.range;
    let reduced = a.explain.iter().any(|s| s.effect == Effect::Reduce);
    if reduced {
        return check_reduced(a, &rec, d, prefix);
    }
    let form = r.form;
    if (d.warning && !form.has_warning())
        || (d.fine_yuan > 0 && !form.has_fine())
        || (d.detention_days > 0 && !form.has_detention())
    {
        return Err(FieldError::new(
            prefix.to_string(),
            OUTSIDE_STATUTE,
            format!(
                "本条规定的处罚种类为“{}”，所决定的处罚不在其内",
                form_zh(form)
            ),
            format!(
                "The article provides {}; the penalty decided is not among them",
                form_en(form)
            ),
        ));
    }
    let combo_ok = match form {
        Form::Warning => d.warning && d.fine_yuan == 0 && d.detention_days == 0,
        Form::WarningOrFine => d.warning != (d.fine_yuan > 0),
        Form::DetentionOrWarning => d.warning != (d.detention_days > 0),
        Form::Detention => d.detention_days > 0,
        Form::DetentionOrFine => (d.detention_days > 0) != (d.fine_yuan > 0),
        Form::DetentionOptFine => d.detention_days > 0,
        Form::DetentionAndFine => d.detention_days > 0 && d.fine_yuan > 0,
        Form::Fine => d.fine_yuan > 0,
    };
    if !combo_ok {
        return Err(FieldError::new(
            prefix.to_string(),
            OUTSIDE_STATUTE,
            format!(
                "本条规定“{}”，所决定的处罚种类组合不符合规定",
                form_zh(form)
            ),
            format!(
                "The article provides {}; this combination does not fit it",
                form_en(form)
            ),
        ));
    }
    if d.fine_yuan > 0
        && let Some([min, max]) = r.fine_yuan
        && (d.fine_yuan < min || d.fine_yuan > max)
    {
        return Err(FieldError::new(
            format!("{prefix}.fine_yuan"),
            OUTSIDE_STATUTE,
            format!("罚款须在法定幅度 {min}–{max} 元之内"),
            format!("The fine must lie within the statutory range {min}–{max} yuan"),
        ));
    }
    if d.detention_days > 0
        && let Some([min, max]) = r.detention_days
        && (d.detention_days < min || d.detention_days > max)
    {
        return Err(FieldError::new(
            format!("{prefix}.detention_days"),
            OUTSIDE_STATUTE,
            format!("行政拘留须在法定幅度 {min}–{max} 日之内"),
            format!("The detention must lie within the statutory range {min}–{max} days"),
        ));
    }
    Ok(true)
}

/// 减轻处罚 (a statutory ground the engine applied): the penalty stays below the ordinary
/// range — no kind the recommendation does not have (a warning alone is always lighter),
/// and no amount above the recommendation or the ordinary minimum, whichever is higher.
fn check_reduced(
    a: &Assessment,
    rec: &Decided,
    d: &Decided,
    prefix: &str,
) -> Result<bool, FieldError> {
    let r = &a.range;
    let warning_alone = d.warning && d.fine_yuan == 0 && d.detention_days == 0;
    let kinds_ok = warning_alone
        || (!d.warning || rec.warning)
            && (d.fine_yuan == 0 || rec.fine_yuan > 0)
            && (d.detention_days == 0 || rec.detention_days > 0);
    if !kinds_ok {
        return Err(FieldError::new(
            prefix.to_string(),
            OUTSIDE_STATUTE,
            "依法减轻处罚的，不能增加裁量建议以外的处罚种类",
            "A reduced penalty may not add a kind of penalty the recommendation does not have",
        ));
    }
    let cap_f = r.fine_yuan.map_or(rec.fine_yuan, |[min, _]| {
        rec.fine_yuan.max(min.saturating_sub(1))
    });
    if d.fine_yuan > cap_f {
        return Err(FieldError::new(
            format!("{prefix}.fine_yuan"),
            OUTSIDE_STATUTE,
            format!("依法减轻处罚的，罚款不能超过 {cap_f} 元"),
            format!("A reduced penalty's fine is at most {cap_f} yuan"),
        ));
    }
    let cap_d = r.detention_days.map_or(rec.detention_days, |[min, _]| {
        rec.detention_days.max(min.saturating_sub(1))
    });
    if d.detention_days > cap_d {
        return Err(FieldError::new(
            format!("{prefix}.detention_days"),
            OUTSIDE_STATUTE,
            format!("依法减轻处罚的，行政拘留不能超过 {cap_d} 日"),
            format!("A reduced penalty's detention is at most {cap_d} days"),
        ));
    }
    Ok(true)
}

fn form_zh(f: Form) -> &'static str {
    match f {
        Form::Warning => "警告",
        Form::WarningOrFine => "警告或者罚款",
        Form::DetentionOrWarning => "拘留或者警告",
        Form::Detention => "拘留",
        Form::DetentionOrFine => "拘留或者罚款",
        Form::DetentionOptFine => "拘留，可以并处罚款",
        Form::DetentionAndFine => "拘留，并处罚款",
        Form::Fine => "罚款",
    }
}

fn form_en(f: Form) -> &'static str {
    match f {
        Form::Warning => "a warning",
        Form::WarningOrFine => "a warning or a fine",
        Form::DetentionOrWarning => "detention or a warning",
        Form::Detention => "detention",
        Form::DetentionOrFine => "detention or a fine",
        Form::DetentionOptFine => "detention, optionally with a fine",
        Form::DetentionAndFine => "detention and a fine",
        Form::Fine => "a fine",
    }
}

/// One earlier public-order decision against the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prior {
    pub offence_date: NaiveDate,
    pub decided_date: NaiveDate,
}

/// What the party's earlier decisions say about the act of `offence_date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PriorFacts))]
pub struct PriorFacts {
    /// 初次违反治安管理: no public-order penalty decided before the act.
    pub first_offence: bool,
    /// Statutory circumstances the earlier decisions establish
    /// (`prior_penalty_6m` / `prior_penalty_1y`, `repeat_within_year`).
    pub circumstances: Vec<&'static str>,
}

/// The circumstances earlier decisions establish: a penalty decided within six months
/// (else one year) before the act (2025 第22条第4项, 2012 第20条第4项), and another
/// violation within the year before (2025 第23条第2款). Decisions made after the act do
/// not count.
pub fn prior_facts(priors: &[Prior], offence_date: NaiveDate) -> PriorFacts {
    let before: Vec<&Prior> = priors
        .iter()
        .filter(|p| p.decided_date <= offence_date)
        .collect();
    let within = |d: NaiveDate, months: u32| {
        d.checked_add_months(Months::new(months))
            .is_some_and(|end| end >= offence_date)
    };
    let mut circumstances = Vec::new();
    if before.iter().any(|p| within(p.decided_date, 6)) {
        circumstances.push("prior_penalty_6m");
    } else if before.iter().any(|p| within(p.decided_date, 12)) {
        circumstances.push("prior_penalty_1y");
    }
    if priors
        .iter()
        .any(|p| p.offence_date <= offence_date && within(p.offence_date, 12))
    {
        circumstances.push("repeat_within_year");
    }
    PriorFacts {
        first_offence: before.is_empty(),
        circumstances,
    }
}

/// Whole years of age on `on` for someone born on `birth` (0 when not yet born).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

/// A decision letter's number per unit and year: `S01-2026-CF0007`.
pub fn format_number(unit_code: &str, year: i32, seq: i64) -> String {
    format!("{unit_code}-{year}-CF{seq:04}")
}

/// The counter decision numbers are drawn from.
pub const COUNTER_KIND: &str = "penalty_decision";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::penalty::{AssessInput, Engine, Person};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn assess(article: &str, circumstances: &[&str], age: u8) -> Assessment {
        let engine = Engine::builtin().expect("engine");
        let input = AssessInput {
            article: article.into(),
            item: None,
            situation: None,
            tier: None,
            circumstances: circumstances.iter().map(|s| s.to_string()).collect(),
            person: Person {
                age,
                ..Person::default()
            },
            offence_date: d("2026-10-01"),
            discovered_date: None,
            decision_date: Some(d("2026-11-01")),
            illegal_gains_yuan: None,
        };
        engine.assess(&input).expect("assessable")
    }

    #[test]
    fn following_the_recommendation_is_not_a_departure() {
        let a = assess("51", &[], 30);
        let rec = Decided::from(a.recommended);
        assert_eq!(check_decided(&a, &rec, "v"), Ok(false));
    }

    #[test]
    fn a_departure_inside_the_range_is_lawful_and_one_outside_is_refused() {
        let a = assess("51", &[], 30);
        assert_eq!(a.outcome, Outcome::Penalty);
        let [_, dmax] = a.range.detention_days.expect("51 has detention");
        let mut inside = Decided::from(a.recommended);
        inside.detention_days = if inside.detention_days == dmax {
            dmax - 1
        } else {
            dmax
        };
        assert_eq!(check_decided(&a, &inside, "v"), Ok(true));
        let mut over = Decided::from(a.recommended);
        over.detention_days = dmax + 1;
        let e = check_decided(&a, &over, "v").expect_err("over the maximum");
        assert_eq!(e.code, OUTSIDE_STATUTE);
        assert_eq!(e.field, "v.detention_days");
        let empty = Decided::default();
        assert_eq!(
            check_decided(&a, &empty, "v").map_err(|e| e.code),
            Err(OUTSIDE_STATUTE)
        );
    }

    #[test]
    fn a_form_the_article_does_not_provide_is_refused() {
        let a = assess("51", &[], 30);
        if a.range.form.has_warning() {
            return;
        }
        let w = Decided {
            warning: true,
            ..Decided::default()
        };
        assert_eq!(
            check_decided(&a, &w, "v").map_err(|e| e.code),
            Err(OUTSIDE_STATUTE)
        );
    }

    #[test]
    fn a_reduced_penalty_stays_below_the_ordinary_range() {
        // 防卫过当 (2025 第19条): 应当减轻.
        let a = assess("51", &["excessive_defence"], 30);
        assert!(
            a.explain.iter().any(|s| s.effect == Effect::Reduce),
            "{:?}",
            a.explain
        );
        let [dmin, dmax] = a.range.detention_days.expect("51 has detention");
        let heavy = Decided {
            warning: true,
            fine_yuan: 1000,
            detention_days: dmax,
        };
        assert_eq!(
            check_decided(&a, &heavy, "v").map_err(|e| e.code),
            Err(OUTSIDE_STATUTE),
            "the statutory maximum is no reduction"
        );
        let mut over = Decided::from(a.recommended);
        over.detention_days = dmin.max(over.detention_days + 1);
        if over.detention_days > dmin.saturating_sub(1).max(a.recommended.detention_days) {
            assert!(check_decided(&a, &over, "v").is_err());
        }
        let warning = Decided {
            warning: true,
            ..Decided::default()
        };
        assert_eq!(
            check_decided(&a, &warning, "v"),
            Ok(true),
            "a warning alone is lighter"
        );
    }

    #[test]
    fn no_penalty_can_be_decided_for_a_child() {
        let a = assess("51", &[], 13);
        assert_eq!(a.outcome, Outcome::Exempt);
        let fine = Decided {
            fine_yuan: 200,
            ..Decided::default()
        };
        assert!(check_decided(&a, &fine, "v").is_err());
        assert_eq!(check_decided(&a, &Decided::default(), "v"), Ok(false));
    }

    #[test]
    fn the_circumstances_earlier_decisions_bring_are_accepted_by_the_engine() {
        let a = assess("51", &["prior_penalty_6m", "repeat_within_year"], 30);
        assert!(
            a.explain
                .iter()
                .any(|s| s.code.as_deref() == Some("prior_penalty_6m"))
        );
        let b = assess("51", &["prior_penalty_1y"], 30);
        assert_eq!(b.outcome, Outcome::Penalty);
    }

    #[test]
    fn earlier_decisions_give_the_statutory_circumstances() {
        let act = d("2026-10-01");
        assert_eq!(
            prior_facts(&[], act),
            PriorFacts {
                first_offence: true,
                circumstances: vec![]
            }
        );
        let recent = Prior {
            offence_date: d("2026-05-01"),
            decided_date: d("2026-05-20"),
        };
        let f = prior_facts(&[recent], act);
        assert!(!f.first_offence);
        assert_eq!(
            f.circumstances,
            vec!["prior_penalty_6m", "repeat_within_year"]
        );
        let older = Prior {
            offence_date: d("2025-09-20"),
            decided_date: d("2026-01-10"),
        };
        assert_eq!(
            prior_facts(&[older], act).circumstances,
            vec!["prior_penalty_1y"]
        );
        let long_ago = Prior {
            offence_date: d("2023-01-01"),
            decided_date: d("2023-02-01"),
        };
        let f = prior_facts(&[long_ago], act);
        assert!(!f.first_offence);
        assert!(f.circumstances.is_empty());
        // Decided only after the act: the person had not been penalised at the time.
        let later = Prior {
            offence_date: d("2026-09-01"),
            decided_date: d("2026-10-20"),
        };
        let f = prior_facts(&[later], act);
        assert!(f.first_offence);
        assert_eq!(f.circumstances, vec!["repeat_within_year"]);
    }

    #[test]
    fn words_and_numbers() {
        let x = Decided {
            warning: false,
            fine_yuan: 1000,
            detention_days: 5,
        };
        assert_eq!(x.words_zh(), "行政拘留5日，并处罚款1000元");
        assert_eq!(Decided::default().words_zh(), "不予处罚");
        assert_eq!(format_number("S01", 2026, 7), "S01-2026-CF0007");
        assert_eq!(age_on(d("2000-10-02"), d("2026-10-01")), 25);
        assert_eq!(age_on(d("2000-10-01"), d("2026-10-01")), 26);
    }
}

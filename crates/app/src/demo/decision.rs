//! The demo's penalty decisions: each public-order case decided with a penalty has its
//! proposal (mostly the recommendation, some departures with their reasons), its legal
//! review and its number; some cases under investigation have a proposal awaiting review.

use chrono::{DateTime, Duration, Utc};
use frontline_core::case::decision::{Decided, DecisionStatus, check_decided};
use frontline_core::penalty::{AssessInput, Person, combine};
use frontline_core::time::BEIJING;
use frontline_store::{
    AuditDraft, CaseRow, DecisionItem, DecisionReview, DecisionRow, OfficerBrief,
};
use uuid::Uuid;

use super::det_uuid;
use super::rng::Rng;
use crate::{App, Result};

/// The violation of each of the demo's public-order case kinds (`ADMIN_CASES`' order).
pub(super) const ARTICLES: [&str; 7] = ["51", "30", "58", "59", "82", "61-2", "29"];

const REASONS: [&str; 4] = [
    "违法行为人主动赔偿被害人损失并取得谅解，酌情从轻",
    "违法行为人系初次违法，认错态度好，积极配合调查",
    "被害人对纠纷的发生有明显过错，事出有因",
    "违法行为人在案发后多次威胁被害人，社会影响较坏",
];

fn audit(action: &str, id: Uuid, at: DateTime<Utc>) -> AuditDraft {
    AuditDraft {
        at,
        actor_id: None,
        actor: "demo".into(),
        action: action.into(),
        object_type: "case".into(),
        object_id: id.to_string(),
        purpose: None,
        detail: "{}".into(),
    }
}

impl App {
    /// A proposal for the case's first party (the suspect), for the act of `article`,
    /// made at `at` by `lead`; approved by `legal` a few hours later when given. `false`
    /// when the engine does not assess the act (the case is then decided without one).
    pub(super) async fn demo_decision(
        &self,
        r: &mut Rng,
        row: &CaseRow,
        article: &str,
        at: DateTime<Utc>,
        lead: &OfficerBrief,
        legal: Option<&OfficerBrief>,
    ) -> Result<bool> {
        let offence = (row.accepted_at - Duration::hours(6))
            .with_timezone(&BEIJING)
            .date_naive();
        let input = AssessInput {
            article: article.into(),
            item: None,
            situation: None,
            tier: None,
            circumstances: if r.chance(0.3) {
                vec!["confessed".into()]
            } else {
                Vec::new()
            },
            person: Person {
                age: u8::try_from(r.range(19, 62)).unwrap_or(30),
                first_offence: Some(true),
                ..Person::default()
            },
            offence_date: offence,
            discovered_date: None,
            decision_date: Some(at.with_timezone(&BEIJING).date_naive()),
            illegal_gains_yuan: None,
        };
        let engine = self.penalty_engine();
        let Ok(a) = engine.engine.assess(&input) else {
            return Ok(false);
        };
        if a.outcome != frontline_core::penalty::Outcome::Penalty {
            return Ok(false);
        }
        let rec = Decided::from(a.recommended);
        let mut decided = rec;
        let mut reason = String::new();
        if r.chance(0.15) {
            let mut d = rec;
            let up = r.chance(0.3);
            if let Some([lo, hi]) = a.range.fine_yuan.filter(|_| rec.fine_yuan > 0) {
                let step = ((hi - lo) / 4).max(50);
                d.fine_yuan = if up {
                    (rec.fine_yuan + step).min(hi)
                } else {
                    rec.fine_yuan.saturating_sub(step).max(lo)
                };
            } else if let Some([lo, hi]) = a.range.detention_days.filter(|_| rec.detention_days > 0)
            {
                d.detention_days = if up {
                    (rec.detention_days + 2).min(hi)
                } else {
                    rec.detention_days.saturating_sub(2).max(lo)
                };
            }
            if d != rec && check_decided(&a, &d, "v") == Ok(true) {
                decided = d;
                let pick = if up { 3 } else { r.below(3) };
                reason = REASONS.get(pick).copied().unwrap_or_default().to_string();
            }
        }
        let departed = decided != rec;
        let id = det_uuid(at, &format!("decision:{}", row.id));
        let all = vec![a.clone()];
        let d = DecisionRow {
            id,
            case_id: row.id,
            unit_id: row.unit_id,
            unit_path: row.unit_path.clone(),
            party_seq: 1,
            status: DecisionStatus::Proposed,
            proposed_by: lead.id,
            proposed_by_name: lead.display_name.clone(),
            proposed_at: at,
            assessment: serde_json::json!({ "assessments": all, "combined": combine(&all) })
                .to_string(),
            prior: None,
            departed,
            departure_reason: reason,
            reviewed_by: None,
            reviewed_by_name: None,
            reviewed_at: None,
            review_note: String::new(),
            number: None,
            decided_at: None,
            items: vec![DecisionItem {
                seq: 1,
                violation_code: a.range.code.clone(),
                situation: a.range.situation.as_ref().map(|s| s.code.to_string()),
                offence_date: offence,
                recommended: rec,
                decided,
                departed,
            }],
        };
        self.store
            .propose_penalty_decision(d, Vec::new(), audit("penalty.propose", row.id, at))
            .await?;
        if let Some(l) = legal {
            let when = at + Duration::hours(i64::from(r.range(1, 20)));
            self.store
                .review_penalty_decision(
                    DecisionReview {
                        id,
                        to: DecisionStatus::Approved,
                        by: l.id,
                        by_name: l.display_name.clone(),
                        at: when,
                        note: if departed {
                            "偏离理由成立，同意".into()
                        } else {
                            "事实清楚，裁量适当，同意".into()
                        },
                    },
                    Vec::new(),
                    audit("penalty.review", row.id, when),
                )
                .await?;
        }
        Ok(true)
    }
}

/// A one-page PDF: the scanned record of questioning the demo's cases carry.
fn record_pdf(case_number: &str) -> Vec<u8> {
    let text = format!("Record of questioning - case {case_number} - scanned copy");
    let stream = format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

impl App {
    /// The record of questioning, attached by `lead` at `at`.
    pub(super) async fn demo_attachment(
        &self,
        row: &CaseRow,
        at: DateTime<Utc>,
        lead: &OfficerBrief,
    ) -> Result<()> {
        use sha2::Digest;
        let bytes = record_pdf(&row.number);
        let sha = crate::case::attachment::hex(&sha2::Sha256::digest(&bytes));
        self.attachments.put(&sha, &bytes)?;
        self.store
            .add_case_attachment(
                frontline_store::AttachmentRow {
                    id: det_uuid(at, &format!("attachment:{}", row.id)),
                    case_id: row.id,
                    name: "询问笔录.pdf".into(),
                    content_type: "application/pdf".into(),
                    size_bytes: i64::try_from(bytes.len()).unwrap_or(0),
                    sha256: sha,
                    added_by: lead.id,
                    added_by_name: lead.display_name.clone(),
                    added_at: at,
                },
                audit("case.attachment.add", row.id, at),
            )
            .await?;
        Ok(())
    }
}

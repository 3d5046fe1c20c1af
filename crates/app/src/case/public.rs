//! 案件进展查询 and the updates to victims and reporters: the public status lookup (no
//! sign-in; throttled per client and per code; every lookup logged) and the text
//! messages each public step queues through the outbox for the parties who agreed.

use chrono::{DateTime, Utc};
use frontline_core::case::{PartyRole, Status, public};
use frontline_core::error::Errors;
use frontline_core::request::{Given, Unknown};
use frontline_core::{FieldError, Lang};
use frontline_store::{CaseParty, NewMessage, StatusLookup};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppError, Result};

/// Body of `POST /api/public/v1/case-status` and of the `/status` form.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct CaseStatusRequest {
    /// The query code on the receipt (受案回执), e.g. `7KQ2-M9XH-4T`; spaces and dashes
    /// are ignored.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1)]
    pub query_code: Given<String>,
    /// The last four digits of the phone number given at the report.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 4, max_length = 4)]
    pub phone_last4: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

/// What the public learns: the stage, the handling unit, the officer's badge number.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseStatusAnswer {
    /// `accepted`, `filed`, … `closed`.
    #[schema(value_type = String)]
    pub stage: Status,
    pub stage_name: String,
    pub unit_name: String,
    /// The lead officer's six-digit badge number (警号), when there is one.
    pub officer_badge: Option<String>,
}

/// The refusal of a lookup that matched nothing: the same whether the code or the
/// digits were wrong.
fn no_match() -> AppError {
    AppError::field(FieldError::new(
        "query_code",
        "case_status.no_match",
        "查询码或手机号后四位不正确",
        "The query code or the last four digits are not right",
    ))
}

impl CaseStatusRequest {
    pub fn read(v: serde_json::Value) -> CaseStatusRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    fn check(&self) -> std::result::Result<(String, String), Vec<FieldError>> {
        let mut errs = Errors::default();
        for k in self.other.keys() {
            errs.push(FieldError::unknown_field(k.as_str()));
        }
        let code = match &self.query_code {
            Given::Value(s) if !s.trim().is_empty() => {
                let c = frontline_core::case::normalise_query_code(s);
                if c.is_none() {
                    errs.push(FieldError::new(
                        "query_code",
                        "query_code.format",
                        "查询码为回执上的10位字母数字",
                        "The query code is the 10 letters and digits on the receipt",
                    ));
                }
                c
            }
            Given::Wrong => {
                errs.push(frontline_core::incident::not_text("query_code"));
                None
            }
            _ => {
                errs.push(FieldError::required("query_code"));
                None
            }
        };
        let last4 = match &self.phone_last4 {
            Given::Value(s) => public::last4("phone_last4", s)
                .map_err(|e| errs.push(e))
                .ok(),
            Given::Wrong => {
                errs.push(frontline_core::incident::not_text("phone_last4"));
                None
            }
            Given::Absent => {
                errs.push(FieldError::required("phone_last4"));
                None
            }
        };
        match (code, last4) {
            (Some(c), Some(l)) if errs.is_empty() => Ok((c, l)),
            _ => Err(errs.0),
        }
    }
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

impl App {
    /// The public lookup from client address `client`. 422 for a malformed request,
    /// 429 when the client or the code has had its share, and the same 422
    /// `case_status.no_match` for a wrong code and for wrong digits.
    pub async fn public_case_status(
        &self,
        request: &CaseStatusRequest,
        client: &str,
        lang: Lang,
    ) -> Result<CaseStatusAnswer> {
        let now = self.now();
        let client = frontline_core::throttle::client_key(client);
        let checked = request.check();
        // A malformed request is not logged against a code, but the client's budget
        // still counts it (no free probing of the format).
        let (code, last4) = match checked {
            Ok(x) => x,
            Err(errs) => {
                let (by_client, _) = self
                    .store
                    .status_lookup_times(client.clone(), String::new(), now - public::WINDOW)
                    .await?;
                if let Some(until) = public::throttled(&by_client, &[], now) {
                    return Err(throttled(until, now));
                }
                self.log_lookup(now, &client, "", None).await?;
                return Err(AppError::Validation(errs));
            }
        };
        let hash = code_hash(&code);
        let (by_client, by_code) = self
            .store
            .status_lookup_times(client.clone(), hash.clone(), now - public::WINDOW)
            .await?;
        if let Some(until) = public::throttled(&by_client, &by_code, now) {
            return Err(throttled(until, now));
        }
        let case = self.store.case_by_query_code(code).await?;
        let matched = match case {
            Some(c) => {
                let parties = self.store.case_parties(c.id).await?;
                parties
                    .iter()
                    .filter(|p| p.role.may_receive_updates())
                    .filter_map(|p| p.phone.as_deref())
                    .any(|ph| public::phone_matches(ph, &last4))
                    .then_some(c)
            }
            None => None,
        };
        self.log_lookup(now, &client, &hash, matched.as_ref().map(|c| c.id))
            .await?;
        let c = matched.ok_or_else(no_match)?;
        let badge = match c.lead_officer_id {
            Some(id) => self.store.officer_by_id(id).await?.and_then(|o| o.badge_no),
            None => None,
        };
        Ok(CaseStatusAnswer {
            stage: c.status,
            stage_name: match lang {
                Lang::Zh => public::stage_zh(c.status),
                Lang::En => public::stage_en(c.status),
            }
            .into(),
            unit_name: self.org.unit_name(c.unit_id),
            officer_badge: badge,
        })
    }

    async fn log_lookup(
        &self,
        at: DateTime<Utc>,
        client: &str,
        hash: &str,
        case_id: Option<Uuid>,
    ) -> Result<()> {
        Ok(self
            .store
            .record_status_lookup(StatusLookup {
                id: Uuid::now_v7(),
                at,
                client: client.to_string(),
                code_hash: hash.to_string(),
                found: case_id.is_some(),
                case_id,
            })
            .await?)
    }

    /// The text messages of a public step (受案、立案/不予立案、破案、移送、结案) to the
    /// victims and reporters who agreed, when an SMS gateway is configured.
    pub(crate) fn party_updates(
        &self,
        case: (Uuid, Uuid, &str),
        number: Option<&str>,
        parties: &[CaseParty],
        status: Status,
        at: DateTime<Utc>,
    ) -> Vec<NewMessage> {
        let (case_id, unit_id, query_code) = case;
        if self.config.sms_gateway_url.is_none() {
            return Vec::new();
        }
        let bureau = self.bureau_name();
        let unit = self.org.unit_name(unit_id);
        let text = match number {
            None => format!(
                "【{bureau}】您报的案件已由{unit}受理，查询码{query_code}。可凭查询码和手机号后四位在公安局网站查询办理进展。"
            ),
            Some(n) => format!(
                "【{bureau}】您报的案件（编号{n}）进展：{}。办案单位：{unit}。",
                public::stage_zh(status)
            ),
        };
        parties
            .iter()
            .filter(|p| p.consent && matches!(p.role, PartyRole::Victim | PartyRole::Reporter))
            .filter_map(|p| {
                let phone = p.phone.as_deref()?;
                Some(crate::notify::to_sms(
                    phone,
                    &text,
                    format!("case:{case_id}:{}:party{}", status.as_str(), p.seq),
                    at,
                ))
            })
            .collect()
    }
}

fn throttled(until: DateTime<Utc>, now: DateTime<Utc>) -> AppError {
    AppError::Throttled {
        retry_after_secs: frontline_core::throttle::retry_after_secs(until - now),
    }
}

//! The second factor (TOTP): an officer sets it up for themselves (a fresh secret,
//! confirmed with a code before it counts) and removes it with a current code; an
//! operator resets it (`frontline user totp-reset`); an administrator says which roles
//! require it. Every code accepted moves the officer's last step on, so that a code is
//! used once; a wrong code counts as a failed sign-in.
//!
//! The secrets are in the database (`officers.totp_secret`): a dump of it reveals them,
//! as it reveals the password hashes' inputs to an offline attack. They are never
//! logged, and never shown again after the enrolment page.

use chrono::{DateTime, Utc};
use frontline_core::FieldError;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::org::Role;
use frontline_core::request::{Given, Unknown};
use frontline_core::totp;
use frontline_store::{AuditDraft, TotpPolicyRow};
use serde::{Deserialize, Serialize};

use super::Session;
use super::login::{KEPT_CHARS, kept};
use crate::{App, AppError, Result};

// Where the signed-in officer stands (`GET /api/v1/me/totp`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    // A second factor is set up: signing in takes its code after the password.
    pub enrolled: bool,
    // A role of the officer requires it (then it cannot be removed by its owner).
    pub required: bool,
    // An enrolment was started and waits for its first code.
    pub pending: bool,
}

// A fresh enrolment (`POST /api/v1/me/totp/enrolment`): shown once, in effect after a
// code from it is confirmed. Starting again replaces it.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct TotpEnrolment {
    // The secret in base32, to type into an authenticator app.
    pub secret: String,
    // The same as an `otpauth://totp/…` URI (what the QR code holds).
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(..)")
    }
}

// A code of the second factor (confirming an enrolment, removing the factor).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TotpCodeRequest {
    // The current 6-digit code of the authenticator app.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "123456")]
    pub code: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl TotpCodeRequest {
    /// Reads a JSON body; anything but an object sends no code.
    pub fn read(v: serde_json::Value) -> TotpCodeRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    pub fn code(code: &str) -> TotpCodeRequest {
        TotpCodeRequest {
            code: code.to_string().into(),
            ..TotpCodeRequest::default()
        }
    }

    /// The code as typed, or every problem of the body.
    fn typed(&self) -> Result<&str> {
        let mut errs: Vec<FieldError> = self
            .other
            .keys()
            .map(|k| FieldError::unknown_field(k.clone()))
            .collect();
        let code = match &self.code {
            Given::Value(c) => Some(c.as_str()),
            Given::Absent => {
                errs.push(FieldError::required("code"));
                None
            }
            _ => {
                errs.push(FieldError::new(
                    "code",
                    "totp_code.invalid",
                    "动态验证码应为6位数字",
                    "The code is 6 digits",
                ));
                None
            }
        };
        match code {
            Some(c) if errs.is_empty() => Ok(c),
            _ => Err(AppError::Validation(errs)),
        }
    }
}

// One role's requirement (`GET /api/v1/totp-policy`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotpPolicyItem {
    // The role's code, e.g. `admin`.
    pub role: String,
    pub role_name: String,
    // Whether officers with this role must set up a second factor.
    pub required: bool,
    // What applies when no administrator has set it (administrators, outside the demo).
    pub default_required: bool,
    // An administrator set it (RFC 3339, Beijing time); null: the default applies.
    pub updated_at: Option<String>,
}

// Setting one role's requirement (`POST /api/v1/totp-policy`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TotpPolicyRequest {
    // A role's code, e.g. `desk_officer`.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "station_chief")]
    pub role: Given<String>,
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub required: Given<bool>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl TotpPolicyRequest {
    pub fn read(v: serde_json::Value) -> TotpPolicyRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    pub fn of(role: &str, required: bool) -> TotpPolicyRequest {
        TotpPolicyRequest {
            role: role.to_string().into(),
            required: required.into(),
            ..TotpPolicyRequest::default()
        }
    }
}

fn state_conflict(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::StateConflict(FieldError::new("", code, zh, en))
}

impl App {
    /// Whether any of `roles` requires a second factor (the administrator's setting,
    /// else the default).
    pub(crate) async fn totp_required_for(&self, roles: &[Role]) -> Result<bool> {
        let set = self.store.totp_policy().await?;
        Ok(roles.iter().any(|r| {
            set.iter()
                .find(|p| p.role == *r)
                .map(|p| p.required)
                .unwrap_or_else(|| totp::required_by_default(*r, self.config.demo))
        }))
    }

    /// Checks a code typed for `field` against the officer's confirmed secret and uses
    /// its step. A code that is not 6 digits is a field error (not counted); a wrong or
    /// used one counts as a failed sign-in and is a field error.
    pub(super) async fn check_totp_code(
        &self,
        officer: &frontline_store::OfficerRow,
        username: &str,
        client: &str,
        field: &str,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let code = totp::parse_code(field, typed).map_err(AppError::field)?;
        let state = self.store.officer_totp(officer.id).await?;
        let Some(secret) = state.secret else {
            return Err(AppError::field(FieldError::new(
                field,
                "totp.not_enrolled",
                "此账号未启用动态验证码",
                "This account has no second factor",
            )));
        };
        let step = match totp::verify(&secret, &code, now.timestamp(), state.last_step) {
            Ok(step) => step,
            Err(refusal) => {
                let reason = match refusal {
                    totp::Refusal::Wrong => "totp",
                    totp::Refusal::Replayed => "totp_replayed",
                };
                self.record_failure(username, client, Some(officer.id), reason, now)
                    .await?;
                return Err(AppError::field(refusal.field_error(field)));
            }
        };
        // Another request (or instance) may have taken this step a moment ago.
        if !self.store.use_totp_step(officer.id, step).await? {
            self.record_failure(username, client, Some(officer.id), "totp_replayed", now)
                .await?;
            return Err(AppError::field(totp::Refusal::Replayed.field_error(field)));
        }
        Ok(())
    }

    /// The browser's second sign-in step: the code for a session whose password was
    /// right. A wrong code counts as a failed sign-in (the back-off applies); the right
    /// one makes it a whole session for the usual lifetime.
    pub async fn complete_sign_in(&self, s: &Session, typed: &str, client: &str) -> Result<()> {
        if !s.second_factor_pending {
            return Err(AppError::Unauthorized);
        }
        let client = kept(client, KEPT_CHARS);
        let username = s.actor.username.as_str();
        let now = self.now();
        self.throttle_check(username, &client, now).await?;
        let officer = self
            .store
            .officer_by_id(s.actor.officer_id)
            .await?
            .filter(|o| !o.disabled)
            .ok_or(AppError::Unauthorized)?;
        self.check_totp_code(&officer, username, &client, "code", typed, now)
            .await?;
        self.store.clear_sign_in_failures(username).await?;
        let expires_at = now + chrono::Duration::hours(self.config.session_hours);
        self.store
            .authenticate_session(
                &s.token_hash,
                now,
                expires_at,
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "session.second_factor".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "client": client, "session": s.id }).to_string(),
                },
            )
            .await?;
        let mut done = s.clone();
        done.second_factor_pending = false;
        done.authenticated_at = now;
        done.expires_at = expires_at;
        self.cache_session(&done, now);
        Ok(())
    }

    /// Where the signed-in officer's second factor stands.
    pub async fn totp_status(&self, s: &Session) -> Result<TotpStatus> {
        let state = self.store.officer_totp(s.actor.officer_id).await?;
        Ok(TotpStatus {
            enrolled: state.secret.is_some(),
            required: self.totp_required_for(&s.actor.roles).await?,
            pending: state.pending.is_some(),
        })
    }

    /// Starts an enrolment with a fresh secret (replacing one not yet confirmed). An
    /// officer who has a second factor removes it first (409 `totp.already_enrolled`).
    pub async fn begin_totp_enrolment(&self, s: &Session) -> Result<TotpEnrolment> {
        let id = s.actor.officer_id;
        if self.store.officer_totp(id).await?.secret.is_some() {
            return Err(state_conflict(
                "totp.already_enrolled",
                "已启用动态验证码；如需更换，请先停用",
                "A second factor is set up already; remove it first to replace it",
            ));
        }
        let mut bytes = [0u8; totp::SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        let secret = totp::encode_secret(&bytes);
        self.store
            .begin_totp(
                id,
                secret.clone(),
                self.totp_audit(s, "officer.totp.begin", None),
            )
            .await?;
        Ok(TotpEnrolment {
            otpauth_uri: totp::otpauth_uri(&secret, &s.actor.username),
            secret,
        })
    }

    fn totp_audit(&self, s: &Session, action: &str, client: Option<&str>) -> AuditDraft {
        AuditDraft {
            at: self.now(),
            actor_id: Some(s.actor.officer_id),
            actor: s.actor.username.clone(),
            action: action.into(),
            object_type: "officer".into(),
            object_id: s.actor.officer_id.to_string(),
            purpose: None,
            detail: match client {
                Some(c) => serde_json::json!({ "session": s.id, "client": c }),
                None => serde_json::json!({ "session": s.id }),
            }
            .to_string(),
        }
    }

    /// Confirms the pending enrolment with a code from it: from then on, signing in
    /// takes a code. No enrolment started: 409 `totp.no_enrolment`; a wrong code: 422
    /// (counted as a failed sign-in).
    pub async fn confirm_totp_enrolment(
        &self,
        s: &Session,
        req: &TotpCodeRequest,
        client: &str,
    ) -> Result<()> {
        let typed = req.typed()?;
        let code = totp::parse_code("code", typed).map_err(AppError::field)?;
        let client = kept(client, KEPT_CHARS);
        let username = s.actor.username.as_str();
        let now = self.now();
        self.throttle_check(username, &client, now).await?;
        let state = self.store.officer_totp(s.actor.officer_id).await?;
        if state.secret.is_some() {
            return Err(state_conflict(
                "totp.already_enrolled",
                "已启用动态验证码",
                "A second factor is set up already",
            ));
        }
        let Some(pending) = state.pending else {
            return Err(state_conflict(
                "totp.no_enrolment",
                "请先生成新的动态验证码密钥",
                "Start an enrolment first",
            ));
        };
        let step = match totp::verify(&pending, &code, now.timestamp(), 0) {
            Ok(step) => step,
            Err(r) => {
                self.record_failure(
                    username,
                    &client,
                    Some(s.actor.officer_id),
                    "totp_enrol",
                    now,
                )
                .await?;
                return Err(AppError::field(r.field_error("code")));
            }
        };
        self.store
            .confirm_totp(
                s.actor.officer_id,
                &pending,
                step,
                self.totp_audit(s, "officer.totp.enrol", Some(&client)),
            )
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => state_conflict(
                    "totp.no_enrolment",
                    "动态验证码密钥已更换，请重新扫码",
                    "The enrolment was replaced; scan the new code",
                ),
                e => e,
            })?;
        self.update_cached(s.actor.officer_id, |c| {
            c.totp_enrolled = true;
            c.totp_enrolment_required = false;
        });
        Ok(())
    }

    /// Removes one's own second factor with a current code. Not while a role requires
    /// it (409 `totp.required_by_role`: an operator resets it with the CLI instead).
    pub async fn disable_own_totp(
        &self,
        s: &Session,
        req: &TotpCodeRequest,
        client: &str,
    ) -> Result<()> {
        let typed = req.typed()?;
        let client = kept(client, KEPT_CHARS);
        let username = s.actor.username.as_str();
        let now = self.now();
        if self
            .store
            .officer_totp(s.actor.officer_id)
            .await?
            .secret
            .is_none()
        {
            return Err(state_conflict(
                "totp.not_enrolled",
                "此账号未启用动态验证码",
                "This account has no second factor",
            ));
        }
        if self.totp_required_for(&s.actor.roles).await? {
            return Err(state_conflict(
                "totp.required_by_role",
                "您的角色要求使用动态验证码，不能停用",
                "Your role requires a second factor: it cannot be removed",
            ));
        }
        self.throttle_check(username, &client, now).await?;
        let officer = self
            .store
            .officer_by_id(s.actor.officer_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        self.check_totp_code(&officer, username, &client, "code", typed, now)
            .await?;
        self.store
            .remove_totp(
                officer.id,
                self.totp_audit(s, "officer.totp.remove", Some(&client)),
            )
            .await?;
        self.update_cached(officer.id, |c| c.totp_enrolled = false);
        Ok(())
    }

    /// `frontline user totp-reset NAME`: an operator removes an officer's second factor
    /// (a lost phone). If a role requires one, the officer sets up a new one at the next
    /// sign-in.
    pub async fn reset_totp(&self, by: &str, username: &str) -> Result<()> {
        let officer = self
            .store
            .officer_by_username(username)
            .await?
            .ok_or(AppError::NotFound)?;
        self.store
            .remove_totp(
                officer.id,
                AuditDraft {
                    at: self.now(),
                    actor_id: None,
                    actor: by.to_string(),
                    action: "officer.totp.reset".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": username }).to_string(),
                },
            )
            .await?;
        // Read again from the store (enrolment due or not) at the next request.
        if let Ok(mut m) = self.auth.sessions.write() {
            m.retain(|_, (c, _)| c.actor.officer_id != officer.id);
        }
        Ok(())
    }

    /// `Forbidden` unless `actor` may set the requirements (asked before a body is read).
    pub fn may_manage_totp_policy(&self, actor: &frontline_core::org::Actor) -> Result<()> {
        match authz::scope(actor, Action::UserManage) {
            Scope::Bureau => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Every role with whether it requires a second factor (administrators).
    pub async fn totp_policy(
        &self,
        actor: &frontline_core::org::Actor,
        lang: frontline_core::Lang,
    ) -> Result<Vec<TotpPolicyItem>> {
        self.may_manage_totp_policy(actor)?;
        let set = self.store.totp_policy().await?;
        Ok(Role::ALL
            .iter()
            .map(|r| {
                let default_required = totp::required_by_default(*r, self.config.demo);
                let row = set.iter().find(|p| p.role == *r);
                TotpPolicyItem {
                    role: r.as_str().to_string(),
                    role_name: r.name(lang).to_string(),
                    required: row.map(|p| p.required).unwrap_or(default_required),
                    default_required,
                    updated_at: row.map(|p| crate::clock::rfc3339_bj(p.updated_at)),
                }
            })
            .collect())
    }

    /// Sets whether a role requires a second factor (administrators; audited). Takes
    /// effect at each officer's next request on this instance, within a minute on others.
    pub async fn set_totp_policy(
        &self,
        actor: &frontline_core::org::Actor,
        req: &TotpPolicyRequest,
        lang: frontline_core::Lang,
    ) -> Result<Vec<TotpPolicyItem>> {
        self.may_manage_totp_policy(actor)?;
        let mut errs: Vec<FieldError> = req
            .other
            .keys()
            .map(|k| FieldError::unknown_field(k.clone()))
            .collect();
        let role = match &req.role {
            Given::Value(r) => match Role::parse(r.trim()) {
                Some(role) => Some(role),
                None => {
                    errs.push(FieldError::new(
                        "role",
                        "role.unknown",
                        "角色不存在",
                        "Unknown role",
                    ));
                    None
                }
            },
            Given::Absent => {
                errs.push(FieldError::required("role"));
                None
            }
            _ => {
                errs.push(FieldError::new(
                    "role",
                    "role.unknown",
                    "角色不存在",
                    "Unknown role",
                ));
                None
            }
        };
        let required = match &req.required {
            Given::Value(b) => Some(*b),
            Given::Absent => {
                errs.push(FieldError::required("required"));
                None
            }
            _ => {
                errs.push(FieldError::new(
                    "required",
                    "required.not_boolean",
                    "应为 true 或 false",
                    "Must be true or false",
                ));
                None
            }
        };
        let (Some(role), Some(required)) = (role, required) else {
            return Err(AppError::Validation(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let now = self.now();
        self.store
            .set_totp_policy(
                TotpPolicyRow {
                    role,
                    required,
                    updated_at: now,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "totp.policy".into(),
                    object_type: "role".into(),
                    object_id: role.as_str().to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "role": role.as_str(), "required": required })
                        .to_string(),
                },
            )
            .await?;
        self.uncache_all();
        self.totp_policy(actor, lang).await
    }
}

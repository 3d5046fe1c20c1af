//! Re-authentication: unmasking and exports need the password or a code re-entered
//! within the window (`reauth_window_secs`, 10 minutes; signing in counts).

use frontline_core::FieldError;
use frontline_core::request::{Given, Unknown};
use frontline_store::AuditDraft;
use serde::Deserialize;

use super::Session;
use super::login::{KEPT_CHARS, kept};
use crate::{App, AppError, Result};

// `POST /api/v1/me/reauthenticate`: the password, or the second factor's code, or both
// (then both must be right).
#[derive(Default, Deserialize, utoipa::ToSchema)]
pub struct ReauthRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub password: Given<String>,
    // The current 6-digit code, for an account with a second factor.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub totp_code: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl std::fmt::Debug for ReauthRequest {
    // Never print the password in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReauthRequest(..)")
    }
}

impl ReauthRequest {
    pub fn read(v: serde_json::Value) -> ReauthRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    pub fn password(p: &str) -> ReauthRequest {
        ReauthRequest {
            password: p.to_string().into(),
            ..ReauthRequest::default()
        }
    }

    pub fn code(c: &str) -> ReauthRequest {
        ReauthRequest {
            totp_code: c.to_string().into(),
            ..ReauthRequest::default()
        }
    }
}

impl App {
    fn reauth_window(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.config.reauth_window_secs)
    }

    /// `Ok` when the session proved its holder within the window, else
    /// `ReauthenticationRequired`. A cached session that looks stale is asked of the
    /// store: the officer may have re-entered the password on another instance.
    pub async fn require_recent_authentication(&self, s: &Session) -> Result<()> {
        let now = self.now();
        if now - s.authenticated_at <= self.reauth_window() {
            return Ok(());
        }
        match self.store.session(&s.token_hash).await? {
            Some(row) if now - row.authenticated_at <= self.reauth_window() => Ok(()),
            _ => Err(AppError::ReauthenticationRequired),
        }
    }

    /// The signed-in officer proves again who they are, with the password or the second
    /// factor's code: unmasking and exports are then allowed for the window. A wrong
    /// password or code is a field error and counts as a failed sign-in (the back-off
    /// applies). Audited (`session.reauthenticate`).
    pub async fn reauthenticate(
        &self,
        s: &Session,
        req: &ReauthRequest,
        client: &str,
    ) -> Result<()> {
        let mut errs: Vec<FieldError> = req
            .other
            .keys()
            .map(|k| FieldError::unknown_field(k.clone()))
            .collect();
        let text = |g: &Given<String>, field: &str, errs: &mut Vec<FieldError>| match g {
            Given::Value(v) if !v.is_empty() => Some(v.clone()),
            Given::Absent => None,
            Given::Value(_) => None,
            _ => {
                errs.push(FieldError::new(
                    field,
                    "not_text",
                    "应为文本",
                    "Must be text",
                ));
                None
            }
        };
        let password = text(&req.password, "password", &mut errs);
        let code = text(&req.totp_code, "totp_code", &mut errs);
        if password.is_none() && code.is_none() && errs.is_empty() {
            errs.push(FieldError::new(
                "password",
                "reauth.required",
                "请输入密码或动态验证码",
                "Enter your password or your second factor's code",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let client = kept(client, KEPT_CHARS);
        let username = s.actor.username.as_str();
        self.throttle_check(username, &client, self.now()).await?;
        let officer = self
            .store
            .officer_by_id(s.actor.officer_id)
            .await?
            .filter(|o| !o.disabled)
            .ok_or(AppError::Unauthorized)?;
        let mut method = Vec::new();
        if let Some(code) = &code {
            let now = self.now();
            self.check_totp_code(&officer, username, &client, "totp_code", code, now)
                .await?;
            method.push("totp");
        }
        if let Some(password) = &password {
            let permit = self.hashing_permit().await?;
            let now = self.now();
            self.throttle_check(username, &client, now).await?;
            if !self
                .verify_password_with(&permit, &officer.password_hash, password)
                .await?
            {
                self.record_failure(username, &client, Some(officer.id), "reauthenticate", now)
                    .await?;
                return Err(AppError::field(FieldError::new(
                    "password",
                    "password.wrong",
                    "密码不正确",
                    "The password is wrong",
                )));
            }
            method.push("password");
        }
        let now = self.now();
        self.store
            .authenticate_session(
                &s.token_hash,
                now,
                s.expires_at,
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "session.reauthenticate".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "session": s.id, "client": client, "with": method.join("+") })
                        .to_string(),
                },
            )
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::NotFound => AppError::Unauthorized,
                e => e,
            })?;
        let mut done = s.clone();
        done.authenticated_at = now;
        self.cache_session(&done, now);
        Ok(())
    }
}

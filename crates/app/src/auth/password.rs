//! Password hashing (argon2id PHC strings on the blocking pool, at most two at a time),
//! the password rules, and an officer changing their own password.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use frontline_core::FieldError;
use frontline_core::request::{Given, Unknown};
use frontline_store::AuditDraft;
use serde::Deserialize;
use tokio::sync::SemaphorePermit;

use super::Session;
use crate::{App, AppConfig, AppError, Result};

fn argon2(cfg: &AppConfig) -> Result<Argon2<'static>> {
    let params = Params::new(cfg.argon2_m_kib, cfg.argon2_t, 1, None)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string (blocking; call off the async runtime).
pub fn hash_password_blocking(cfg: &AppConfig, password: &str) -> Result<String> {
    Ok(argon2(cfg)?
        .hash_password(password.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .to_string())
}

fn verify_password_blocking(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The password rules of core (length, not the username, not the published demo
/// password outside the demo) as one validation error.
pub fn check_password_rules(field: &str, password: &str, username: &str, demo: bool) -> Result<()> {
    let errs = frontline_core::password::check(field, password, username, demo);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errs))
    }
}

// Changing one's own password: the current one (proof that whoever holds the session
// knows it) and the new one.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PasswordChangeRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub current_password: Given<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub new_password: Given<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: Unknown,
}

impl PasswordChangeRequest {
    /// Reads a JSON body; a body that is not an object sends neither field.
    pub fn read(v: serde_json::Value) -> PasswordChangeRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }
}

impl App {
    /// Runs one argon2 computation on the blocking pool, at most two at a time.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self.hashing_permit().await?;
        blocking(f).await
    }

    /// One of the two hashing slots, for a caller that does more than hash in it.
    pub(super) async fn hashing_permit(&self) -> Result<SemaphorePermit<'_>> {
        self.auth
            .hashing
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    pub(super) async fn hash_password(&self, password: &str) -> Result<String> {
        let permit = self.hashing_permit().await?;
        self.hash_password_with(&permit, password).await
    }

    /// Hashes in a slot the caller holds.
    pub(super) async fn hash_password_with(
        &self,
        _slot: &SemaphorePermit<'_>,
        password: &str,
    ) -> Result<String> {
        let cfg = (*self.config).clone();
        let password = password.to_string();
        blocking(move || hash_password_blocking(&cfg, &password)).await?
    }

    /// Verifies in a slot the caller holds.
    pub(super) async fn verify_password_with(
        &self,
        _slot: &SemaphorePermit<'_>,
        hash: &str,
        password: &str,
    ) -> Result<bool> {
        let (hash, password) = (hash.to_string(), password.to_string());
        blocking(move || verify_password_blocking(&hash, &password)).await
    }

    /// `POST /api/v1/me/password`: the signed-in officer chooses a new password. The
    /// current one must be right (a wrong one counts as a failed sign-in, so a stolen
    /// session cannot guess it quickly); the new one must keep the rules and differ
    /// from it. Success clears a forced change and ends every other session of the
    /// officer. A refusal changes nothing.
    pub async fn change_own_password(
        &self,
        s: &Session,
        req: &PasswordChangeRequest,
        client: &str,
    ) -> Result<()> {
        let mut errs: Vec<FieldError> = req
            .other
            .keys()
            .map(|k| FieldError::unknown_field(k.clone()))
            .collect();
        // Passwords are taken as typed (no trimming): only absent, empty or not text
        // is refused here.
        let text = |g: &Given<String>, field: &str, errs: &mut Vec<FieldError>| match g {
            Given::Value(v) if !v.is_empty() => Some(v.clone()),
            _ => {
                errs.push(FieldError::required(field));
                None
            }
        };
        let current = text(&req.current_password, "current_password", &mut errs);
        let new = text(&req.new_password, "new_password", &mut errs);
        let username = s.actor.username.as_str();
        if let Some(new) = &new {
            errs.extend(frontline_core::password::check(
                "new_password",
                new,
                username,
                self.config.demo,
            ));
            if current.as_ref() == Some(new) {
                errs.push(FieldError::new(
                    "new_password",
                    "password.unchanged",
                    "新密码不能与当前密码相同",
                    "The new password must differ from the current one",
                ));
            }
        }
        let (Some(current), Some(new)) = (current, new) else {
            return Err(AppError::Validation(errs));
        };
        let client = super::login::kept(client, super::login::KEPT_CHARS);
        self.throttle_check(username, &client, self.now()).await?;
        let permit = self.hashing_permit().await?;
        let now = self.now();
        self.throttle_check(username, &client, now).await?;
        let officer = self
            .store
            .officer_by_id(s.actor.officer_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !self
            .verify_password_with(&permit, &officer.password_hash, &current)
            .await?
        {
            self.record_failure(username, &client, Some(officer.id), "password_change", now)
                .await?;
            errs.push(FieldError::new(
                "current_password",
                "password.wrong",
                "当前密码不正确",
                "The current password is wrong",
            ));
            return Err(AppError::Validation(errs));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let hash = self.hash_password_with(&permit, &new).await?;
        drop(permit);
        self.store
            .set_own_password(
                officer.id,
                hash,
                &s.token_hash,
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "officer.password".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": officer.username, "by": "self", "session": s.id })
                        .to_string(),
                },
            )
            .await?;
        if let Ok(mut m) = self.auth.sessions.write() {
            m.retain(|th, (c, _)| c.actor.officer_id != officer.id || *th == s.token_hash);
            if let Some((c, _)) = m.get_mut(&s.token_hash) {
                c.must_change_password = false;
            }
        }
        Ok(())
    }
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

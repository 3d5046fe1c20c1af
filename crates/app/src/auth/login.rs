//! Sign-in, with a username locked for a while after repeated failures.

use chrono::{DateTime, Duration, Utc};
use frontline_core::FieldError;
use frontline_core::request::read;
use frontline_core::text;
use frontline_store::{AuditDraft, SessionRow};
use serde::Deserialize;

use super::Failures;
use super::Session;
use super::token_hash;
use crate::{App, AppError, Result};

// The sign-in request: what the API reads and the sign-in page builds from its form.
// (Plain comments: a doc comment would become the OpenAPI schema's description.)
#[derive(Clone, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    // Never print the password in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl LoginRequest {
    /// Reads a JSON body. Anything but an object with both texts is one error on the
    /// body: which part was wrong tells a prober nothing useful either way.
    pub fn from_json(body: serde_json::Value) -> Result<LoginRequest> {
        read(body).map_err(|_| {
            AppError::field(FieldError::new(
                "",
                "login.fields",
                "请提供用户名和密码",
                "username and password are required",
            ))
        })
    }
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hex::encode(buf))
}

impl App {
    fn throttle_check(&self, username: &str, now: DateTime<Utc>) -> Result<()> {
        let f = self
            .auth
            .failures
            .lock()
            .map_err(|_| AppError::Internal("lock".into()))?;
        if let Some(until) = f.get(username).and_then(|f| f.locked_until)
            && until > now
        {
            return Err(AppError::Throttled {
                retry_after_secs: (until - now).num_seconds().max(1) as u64,
            });
        }
        Ok(())
    }

    fn throttle_record(&self, username: &str, ok: bool, now: DateTime<Utc>) {
        let Ok(mut f) = self.auth.failures.lock() else {
            return;
        };
        if ok {
            f.remove(username);
            return;
        }
        let e = f.entry(username.to_string()).or_default();
        if e.locked_until.is_some_and(|u| u <= now) {
            *e = Failures::default();
        }
        e.count += 1;
        if e.count >= self.config.max_failed_logins {
            e.locked_until = Some(now + Duration::minutes(self.config.lockout_minutes));
        }
    }
}

impl App {
    /// [`App::login`] with a request contract (the API and the sign-in page).
    pub async fn sign_in(&self, req: &LoginRequest, client: &str) -> Result<(String, Session)> {
        self.login(&req.username, &req.password, client).await
    }

    /// Signs in. Every failure looks the same to the caller (no username probing).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<(String, Session)> {
        let now = self.now();
        // A username with a refused character is a field error; a blank one finds nobody.
        let username = text::line("username", username)
            .map_err(AppError::field)?
            .unwrap_or_default();
        let username = username.as_str();
        self.throttle_check(username, now)?;
        let officer = self.store.officer_by_username(username).await?;
        let ok = match &officer {
            Some(o) if !o.disabled => self.verify_password(&o.password_hash, password).await?,
            _ => {
                // Spend the same work as a real check so timing reveals nothing.
                let _ = self.hash_password(password).await;
                false
            }
        };
        self.throttle_record(username, ok, now);
        let Some(officer) = officer.filter(|_| ok) else {
            tracing::info!(username, client, "failed sign-in");
            return Err(AppError::Unauthorized);
        };
        let actor = self.actor_for(&officer)?;
        let token = random_hex(32)?;
        let session = Session {
            actor: actor.clone(),
            csrf_token: random_hex(16)?,
            token_hash: token_hash(&token),
            expires_at: now + Duration::hours(self.config.session_hours),
        };
        self.store
            .insert_session(
                SessionRow {
                    token_hash: session.token_hash.clone(),
                    officer_id: officer.id,
                    csrf_token: session.csrf_token.clone(),
                    created_at: now,
                    expires_at: session.expires_at,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "session.create".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "client": client }).to_string(),
                },
            )
            .await?;
        self.cache_session(&session, now);
        Ok((token, session))
    }
}

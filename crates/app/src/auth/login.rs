//! Sign-in, with back-off per username and per client address instead of a lock.

use chrono::{DateTime, Duration, Utc};
use frontline_core::FieldError;
use frontline_core::request::read;
use frontline_core::text;
use frontline_core::throttle::{Policy, client_key, retry_after_secs};
use frontline_store::{AuditDraft, OfficerRow, SessionRow, SignInFailures};
use serde::Deserialize;
use uuid::Uuid;

use super::Session;
use super::token_hash;
use crate::{App, AppError, Result};

/// Usernames are at most 64 characters: a longer one typed is kept (in its counter and
/// its audit entry) only to this length, so a failed attempt costs the same whatever it
/// sent. The same bound holds for the client address and the user agent.
pub(super) const KEPT_CHARS: usize = 64;
const USER_AGENT_CHARS: usize = 160;

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

pub(super) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hex::encode(buf))
}

/// The first `n` characters of `s`, with control characters dropped (a user agent
/// is shown on the sessions page; it never holds anything worth keeping whole).
pub(super) fn kept(s: &str, n: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(n).collect()
}

impl App {
    fn username_policy(&self) -> Policy {
        let c = &self.config;
        Policy {
            free_failures: c.sign_in_username_failures,
            base: Duration::seconds(c.sign_in_base_delay_secs),
            cap: Duration::minutes(c.sign_in_max_delay_minutes),
            window: Duration::minutes(c.sign_in_window_minutes),
        }
    }

    fn client_policy(&self) -> Policy {
        Policy {
            free_failures: self.config.sign_in_client_failures,
            ..self.username_policy()
        }
    }

    /// The counters, or `Throttled` when either says to wait. One read, no hashing,
    /// no write: a refused attempt is cheap and is not counted (counting it would let
    /// a flood keep the real officer waiting for ever).
    pub(super) async fn throttle_check(
        &self,
        username: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<SignInFailures> {
        let f = self
            .store
            .sign_in_failures(username, &client_key(client))
            .await?;
        let wait = [
            self.username_policy().wait(f.username, now),
            self.client_policy().wait(f.client, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(wait) = wait {
            // Debug, not info: a flood of refused attempts must not flood the log either.
            tracing::debug!(username, client, "sign-in refused: back-off");
            return Err(AppError::Throttled {
                retry_after_secs: retry_after_secs(wait),
            });
        }
        Ok(f)
    }

    /// Counts a failed password check on both counters and audits it (with the whole
    /// client address; the counter is keyed by [`client_key`]).
    pub(super) async fn record_failure(
        &self,
        username: &str,
        client: &str,
        officer: Option<&OfficerRow>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        tracing::info!(username, client, reason, "failed sign-in");
        let forget_before = now - Duration::minutes(self.config.sign_in_window_minutes);
        self.store
            .record_sign_in_failure(
                username,
                &client_key(client),
                forget_before,
                AuditDraft {
                    at: now,
                    actor_id: None,
                    actor: username.to_string(),
                    action: "session.refused".into(),
                    object_type: "officer".into(),
                    object_id: officer.map(|o| o.id.to_string()).unwrap_or_default(),
                    purpose: None,
                    detail: serde_json::json!({ "client": client, "reason": reason }).to_string(),
                },
            )
            .await?;
        Ok(())
    }

    /// [`App::login`] with a request contract (the API and the sign-in page).
    pub async fn sign_in(&self, req: &LoginRequest, client: &str) -> Result<(String, Session)> {
        self.sign_in_from(req, client, "").await
    }

    /// [`App::sign_in`], keeping the browser's user agent with the session.
    pub async fn sign_in_from(
        &self,
        req: &LoginRequest,
        client: &str,
        user_agent: &str,
    ) -> Result<(String, Session)> {
        self.login_from(&req.username, &req.password, client, user_agent)
            .await
    }

    /// Signs in. Every failure looks the same to the caller (no username probing).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<(String, Session)> {
        self.login_from(username, password, client, "").await
    }

    async fn login_from(
        &self,
        username: &str,
        password: &str,
        client: &str,
        user_agent: &str,
    ) -> Result<(String, Session)> {
        // A username with a refused character is a field error; a blank one finds nobody.
        let username = text::line("username", username)
            .map_err(AppError::field)?
            .unwrap_or_default();
        let username = kept(&username, KEPT_CHARS);
        let client = kept(client, KEPT_CHARS);
        let (username, client) = (username.as_str(), client.as_str());
        self.throttle_check(username, client, self.now()).await?;
        // Asked again holding a hashing permit: a burst of guesses sent at once is
        // checked one after another, each seeing the failures recorded before it.
        let permit = self.hashing_permit().await?;
        let now = self.now();
        let failures = self.throttle_check(username, client, now).await?;
        let officer = self.store.officer_by_username(username).await?;
        let (ok, reason) = match &officer {
            Some(o) if !o.disabled => {
                let ok = self
                    .verify_password_with(&permit, &o.password_hash, password)
                    .await?;
                (ok, "password")
            }
            Some(_) => {
                // Spend the same work as a real check so timing reveals nothing.
                let _ = self.hash_password_with(&permit, password).await;
                (false, "disabled")
            }
            None => {
                let _ = self.hash_password_with(&permit, password).await;
                (false, "unknown")
            }
        };
        let officer = match officer {
            Some(o) if ok => o,
            other => {
                self.record_failure(username, client, other.as_ref(), reason, now)
                    .await?;
                return Err(AppError::Unauthorized);
            }
        };
        drop(permit);
        if failures.username.is_some() {
            self.store.clear_sign_in_failures(username).await?;
        }
        let actor = self.actor_for(&officer)?;
        let token = random_hex(32)?;
        let session = Session {
            actor: actor.clone(),
            id: Uuid::now_v7(),
            csrf_token: random_hex(16)?,
            token_hash: token_hash(&token),
            expires_at: now + Duration::hours(self.config.session_hours),
            last_seen_at: now,
            must_change_password: officer.must_change_password,
        };
        self.store
            .insert_session(
                SessionRow {
                    token_hash: session.token_hash.clone(),
                    id: session.id,
                    officer_id: officer.id,
                    csrf_token: session.csrf_token.clone(),
                    created_at: now,
                    expires_at: session.expires_at,
                    last_seen_at: now,
                    client: client.to_string(),
                    user_agent: kept(user_agent, USER_AGENT_CHARS),
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "session.create".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "client": client, "session": session.id })
                        .to_string(),
                },
            )
            .await?;
        self.cache_session(&session, now);
        Ok((token, session))
    }
}

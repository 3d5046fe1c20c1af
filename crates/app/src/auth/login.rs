//! Sign-in, with back-off per username and per client address instead of a lock.

use chrono::{DateTime, Duration, Utc};
use frontline_core::FieldError;
use frontline_core::request::read;
use frontline_core::text;
use frontline_core::throttle::{Policy, client_key, retry_after_secs};
use frontline_store::{AuditDraft, SessionRow, SignInFailures};
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
/// How long the browser's second sign-in step may take.
const SECOND_STEP_MINUTES: i64 = 5;

// The sign-in request: what the API reads and the sign-in page builds from its form.
// (Plain comments: a doc comment would become the OpenAPI schema's description.)
#[derive(Clone, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    // The second factor's current code (6 digits), for an account that has one: without
    // it such an account is answered 422 `totp_code.required` (the password was right),
    // a wrong one 422 `totp_code.wrong` and counts as a failed sign-in.
    #[serde(default)]
    pub totp_code: Option<String>,
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
        officer: Option<Uuid>,
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
                    object_id: officer.map(|o| o.to_string()).unwrap_or_default(),
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

    /// [`App::sign_in`], keeping the browser's user agent with the session. An account
    /// with a second factor needs `totp_code` too.
    pub async fn sign_in_from(
        &self,
        req: &LoginRequest,
        client: &str,
        user_agent: &str,
    ) -> Result<(String, Session)> {
        self.login_from(req, client, user_agent, false).await
    }

    /// The browser's first sign-in step: as [`App::sign_in_from`], but an account with
    /// a second factor and no code given gets a session whose code is still due
    /// (`second_factor_pending`, good for five minutes and for nothing but
    /// [`App::complete_sign_in`]).
    pub async fn sign_in_first_step(
        &self,
        req: &LoginRequest,
        client: &str,
        user_agent: &str,
    ) -> Result<(String, Session)> {
        self.login_from(req, client, user_agent, true).await
    }

    /// Signs in. Every failure looks the same to the caller (no username probing).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<(String, Session)> {
        let req = LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
            totp_code: None,
        };
        self.login_from(&req, client, "", false).await
    }

    async fn login_from(
        &self,
        req: &LoginRequest,
        client: &str,
        user_agent: &str,
        two_steps: bool,
    ) -> Result<(String, Session)> {
        let (username, password) = (req.username.as_str(), req.password.as_str());
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
                self.record_failure(username, client, other.map(|o| o.id), reason, now)
                    .await?;
                return Err(AppError::Unauthorized);
            }
        };
        drop(permit);
        // The second factor: its code now (API, or a browser that sent it), or a
        // session that can only take it (the browser's second step).
        let pending = match (&req.totp_code, officer.totp_enrolled) {
            (_, false) => false,
            (Some(code), true) => {
                self.check_totp_code(&officer, username, client, "totp_code", code, now)
                    .await?;
                false
            }
            (None, true) if two_steps => true,
            (None, true) => {
                return Err(AppError::field(FieldError::new(
                    "totp_code",
                    "totp_code.required",
                    "此账号已启用动态验证码，请同时提供当前的6位验证码",
                    "This account has a second factor: send its current 6-digit code too",
                )));
            }
        };
        if failures.username.is_some() && !pending {
            self.store.clear_sign_in_failures(username).await?;
        }
        let actor = self.actor_for(&officer)?;
        let token = random_hex(32)?;
        let session = Session {
            actor: actor.clone(),
            id: Uuid::now_v7(),
            csrf_token: random_hex(16)?,
            token_hash: token_hash(&token),
            expires_at: if pending {
                now + Duration::minutes(SECOND_STEP_MINUTES)
            } else {
                now + Duration::hours(self.config.session_hours)
            },
            last_seen_at: now,
            must_change_password: officer.must_change_password,
            authenticated_at: now,
            second_factor_pending: pending,
            totp_enrolled: officer.totp_enrolled,
            totp_enrolment_required: !officer.totp_enrolled
                && self.totp_required_for(&officer.roles).await?,
        };
        let factor = match (officer.totp_enrolled, pending) {
            (false, _) => "password",
            (true, false) => "password+totp",
            (true, true) => "password, totp due",
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
                    authenticated_at: now,
                    second_factor_pending: pending,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(officer.id),
                    actor: officer.username.clone(),
                    action: "session.create".into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "client": client, "session": session.id, "factors": factor })
                        .to_string(),
                },
            )
            .await?;
        self.cache_session(&session, now);
        Ok((token, session))
    }
}

//! Sessions: random tokens stored hashed, trusted from memory for a short while, ended
//! by sign-out, by their absolute lifetime or after an idle time; an officer lists
//! their own and may end any of them.

use chrono::{DateTime, Duration, Utc};
use frontline_core::org::{Actor, Role};
use frontline_store::{AuditDraft, OfficerRow, SessionRow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Gate, Session};
use super::{SESSION_CACHE_SECS, TOUCH_EVERY_SECS};
use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

// The signed-in officer, as `GET /api/v1/me` and the sign-in answer show them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
}

// One of the officer's own sessions (`GET /api/v1/me/sessions`). Its id is not the
// token nor its hash: knowing it lets its owner end it, nothing more.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    // RFC 3339, Beijing time.
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    // The client address the session was opened from.
    pub client: String,
    // The browser's user-agent text (shortened), empty for API clients that sent none.
    pub user_agent: String,
    // The session this request came with.
    pub current: bool,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl App {
    /// Builds the acting user from an officer row and the cached organisation.
    pub fn actor_for(&self, o: &OfficerRow) -> Result<Actor> {
        let unit = self.org.unit(o.unit_id).ok_or_else(|| {
            AppError::Internal(format!("officer {} has an unknown unit", o.username))
        })?;
        Ok(Actor {
            officer_id: o.id,
            username: o.username.clone(),
            display_name: o.display_name.clone(),
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            unit_kind: unit.kind,
            roles: o.roles.clone(),
        })
    }
}

impl App {
    /// Who is signed in behind `s`.
    pub fn me(&self, s: &Session) -> Me {
        Me {
            id: s.actor.officer_id,
            username: s.actor.username.clone(),
            display_name: s.actor.display_name.clone(),
            unit_id: s.actor.unit_id,
            unit_name: self.org.unit_name(s.actor.unit_id),
            roles: s.actor.roles.clone(),
        }
    }

    pub(super) fn idle_timeout(&self) -> Duration {
        match self.config.session_idle_secs {
            Some(secs) => Duration::seconds(secs),
            None => Duration::minutes(self.config.session_idle_minutes),
        }
    }

    /// How often `last_seen_at` is written: once a minute, more often under a shorter
    /// idle timeout (tests), so that a session in use never looks idle.
    fn touch_every(&self) -> i64 {
        TOUCH_EVERY_SECS
            .min(self.idle_timeout().num_seconds() / 4)
            .max(1)
    }

    pub(super) fn cache_session(&self, s: &Session, now: DateTime<Utc>) {
        if let Ok(mut m) = self.auth.sessions.write() {
            if m.len() > 100_000 {
                m.retain(|_, (s, _)| s.expires_at > now);
            }
            m.insert(s.token_hash.clone(), (s.clone(), now));
        }
    }

    /// Changes every cached session of an officer (after an enrolment, a reset).
    pub(super) fn update_cached(&self, officer_id: Uuid, f: impl Fn(&mut Session)) {
        if let Ok(mut m) = self.auth.sessions.write() {
            for (s, _) in m.values_mut() {
                if s.actor.officer_id == officer_id {
                    f(s);
                }
            }
        }
    }

    /// Forgets every cached session (a requirement changed: each is read again).
    pub(super) fn uncache_all(&self) {
        if let Ok(mut m) = self.auth.sessions.write() {
            m.clear();
        }
    }

    pub(super) fn uncache(&self, token_hash: &str) {
        if let Ok(mut m) = self.auth.sessions.write() {
            m.remove(token_hash);
        }
    }

    /// Resolves a cookie or bearer token to its session, for everything but changing
    /// the password and signing out: an account that must change its password first is
    /// refused with `PasswordChangeRequired`.
    pub async fn authenticate(&self, token: &str) -> Result<Session> {
        self.authenticate_as(token, Gate::Full).await
    }

    /// Resolves a token to its session, also one that must change its password or set
    /// up a second factor (changing the password, signing out).
    pub async fn authenticate_any(&self, token: &str) -> Result<Session> {
        self.authenticate_as(token, Gate::Any).await
    }

    /// Resolves a token to its session for what `gate` allows: a session whose second
    /// factor is due is `SecondFactorRequired` outside [`Gate::SecondFactor`] (and only
    /// such a session passes there, others are `Unauthorized`); one that must change its
    /// password is `PasswordChangeRequired` for [`Gate::Full`] and [`Gate::Enrol`]; one
    /// that must set up a second factor is `TotpEnrolmentRequired` for [`Gate::Full`].
    pub async fn authenticate_as(&self, token: &str, gate: Gate) -> Result<Session> {
        let s = self.session_of_token(token).await?;
        match gate {
            Gate::SecondFactor if s.second_factor_pending => return Ok(s),
            Gate::SecondFactor => return Err(AppError::Unauthorized),
            _ if s.second_factor_pending => return Err(AppError::SecondFactorRequired),
            _ => {}
        }
        if s.must_change_password && gate != Gate::Any {
            return Err(AppError::PasswordChangeRequired);
        }
        if s.totp_enrolment_required && gate == Gate::Full {
            return Err(AppError::TotpEnrolmentRequired);
        }
        Ok(s)
    }

    /// Resolves a token to its live session, whatever is still due on it.
    /// A session past its lifetime or idle for longer than the idle timeout is
    /// `Unauthorized` (the idle one is deleted).
    async fn session_of_token(&self, token: &str) -> Result<Session> {
        let now = self.now();
        let th = token_hash(token);
        let cached = match self.auth.sessions.read() {
            Ok(m) => m.get(&th).and_then(|(s, cached_at)| {
                (s.expires_at > now
                    && (now - *cached_at).num_seconds() < SESSION_CACHE_SECS
                    && now - s.last_seen_at < self.idle_timeout())
                .then(|| s.clone())
            }),
            Err(_) => None,
        };
        // A cached session that looks idle is asked of the store: another instance
        // may have seen it more recently.
        let mut session = match cached {
            Some(s) => s,
            None => self.load_session(&th, now).await?,
        };
        self.touch(&mut session, now).await?;
        Ok(session)
    }

    async fn load_session(&self, th: &str, now: DateTime<Utc>) -> Result<Session> {
        let Some(row) = self.store.session(th).await? else {
            self.uncache(th);
            return Err(AppError::Unauthorized);
        };
        if row.expires_at <= now {
            self.uncache(th);
            return Err(AppError::Unauthorized);
        }
        if now - row.last_seen_at >= self.idle_timeout() {
            self.uncache(th);
            self.store
                .delete_session(
                    th,
                    AuditDraft {
                        at: now,
                        actor_id: Some(row.officer_id),
                        actor: "system".into(),
                        action: "session.expire".into(),
                        object_type: "officer".into(),
                        object_id: row.officer_id.to_string(),
                        purpose: None,
                        detail: serde_json::json!({
                            "session": row.id,
                            "reason": "idle",
                            "last_seen_at": rfc3339_bj(row.last_seen_at),
                        })
                        .to_string(),
                    },
                )
                .await?;
            return Err(AppError::Unauthorized);
        }
        let officer = self
            .store
            .officer_by_id(row.officer_id)
            .await?
            .filter(|o| !o.disabled)
            .ok_or(AppError::Unauthorized)?;
        let session = Session {
            actor: self.actor_for(&officer)?,
            id: row.id,
            csrf_token: row.csrf_token,
            token_hash: th.to_string(),
            expires_at: row.expires_at,
            last_seen_at: row.last_seen_at,
            must_change_password: officer.must_change_password,
            authenticated_at: row.authenticated_at,
            second_factor_pending: row.second_factor_pending,
            totp_enrolled: officer.totp_enrolled,
            totp_enrolment_required: !officer.totp_enrolled
                && self.totp_required_for(&officer.roles).await?,
        };
        self.cache_session(&session, now);
        Ok(session)
    }

    /// Activity extends the session: `last_seen_at` moves on at most once a minute per
    /// session and instance (the cache entry is claimed first, so concurrent requests
    /// write once).
    async fn touch(&self, s: &mut Session, now: DateTime<Utc>) -> Result<()> {
        let every = self.touch_every();
        if (now - s.last_seen_at).num_seconds() < every {
            return Ok(());
        }
        let claimed = match self.auth.sessions.write() {
            Ok(mut m) => match m.get_mut(&s.token_hash) {
                Some((c, _)) if (now - c.last_seen_at).num_seconds() >= every => {
                    c.last_seen_at = now;
                    true
                }
                Some(_) => false,
                None => true,
            },
            Err(_) => true,
        };
        s.last_seen_at = now;
        if claimed {
            self.store.touch_session(&s.token_hash, now).await?;
        }
        Ok(())
    }

    pub async fn logout(&self, session: &Session) -> Result<()> {
        self.uncache(&session.token_hash);
        self.store
            .delete_session(
                &session.token_hash,
                AuditDraft {
                    at: self.now(),
                    actor_id: Some(session.actor.officer_id),
                    actor: session.actor.username.clone(),
                    action: "session.delete".into(),
                    object_type: "officer".into(),
                    object_id: session.actor.officer_id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "session": session.id }).to_string(),
                },
            )
            .await?;
        Ok(())
    }

    /// The signed-in officer's sessions that are still alive, most recently used first.
    pub async fn my_sessions(&self, s: &Session) -> Result<Vec<SessionView>> {
        let now = self.now();
        let idle = self.idle_timeout();
        Ok(self
            .store
            .sessions_of(s.actor.officer_id)
            .await?
            .into_iter()
            .filter(|r| r.expires_at > now && now - r.last_seen_at < idle)
            .map(|r: SessionRow| SessionView {
                current: r.id == s.id,
                // This request has just used it, even if the store's minute has not come.
                last_seen_at: rfc3339_bj(if r.id == s.id {
                    s.last_seen_at.max(r.last_seen_at)
                } else {
                    r.last_seen_at
                }),
                id: r.id,
                created_at: rfc3339_bj(r.created_at),
                expires_at: rfc3339_bj(r.expires_at),
                client: r.client,
                user_agent: r.user_agent,
            })
            .collect())
    }

    /// Ends one of the signed-in officer's own sessions (this one too, which is signing
    /// out). Another officer's session, or an unknown id, is `NotFound`, unaudited.
    pub async fn end_my_session(&self, s: &Session, id: Uuid) -> Result<()> {
        let th = self
            .store
            .delete_session_of(
                s.actor.officer_id,
                id,
                AuditDraft {
                    at: self.now(),
                    actor_id: Some(s.actor.officer_id),
                    actor: s.actor.username.clone(),
                    action: "session.delete".into(),
                    object_type: "officer".into(),
                    object_id: s.actor.officer_id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "session": id, "from": s.id }).to_string(),
                },
            )
            .await?;
        self.uncache(&th);
        Ok(())
    }
}

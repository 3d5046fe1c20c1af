//! Sessions: random tokens stored hashed, trusted from memory for a short while.

use chrono::{DateTime, Utc};
use frontline_core::org::{Actor, Role};
use frontline_store::{AuditDraft, OfficerRow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::SESSION_CACHE_SECS;
use super::Session;
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

    pub(super) fn cache_session(&self, s: &Session, now: DateTime<Utc>) {
        if let Ok(mut m) = self.auth.sessions.write() {
            if m.len() > 100_000 {
                m.retain(|_, (s, _)| s.expires_at > now);
            }
            m.insert(s.token_hash.clone(), (s.clone(), now));
        }
    }

    /// Resolves a cookie or bearer token to its session.
    pub async fn authenticate(&self, token: &str) -> Result<Session> {
        let now = self.now();
        let th = token_hash(token);
        if let Ok(m) = self.auth.sessions.read()
            && let Some((s, cached_at)) = m.get(&th)
            && s.expires_at > now
            && (now - *cached_at).num_seconds() < SESSION_CACHE_SECS
        {
            return Ok(s.clone());
        }
        let row = self
            .store
            .session(&th)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if row.expires_at <= now {
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
            csrf_token: row.csrf_token,
            token_hash: th,
            expires_at: row.expires_at,
        };
        self.cache_session(&session, now);
        Ok(session)
    }

    pub async fn logout(&self, session: &Session) -> Result<()> {
        if let Ok(mut m) = self.auth.sessions.write() {
            m.remove(&session.token_hash);
        }
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
                    detail: "{}".into(),
                },
            )
            .await?;
        Ok(())
    }
}

//! Sign-in, sessions and officer accounts.
//!
//! Passwords are argon2id PHC strings, hashed on the blocking pool with at most two at
//! a time (this is a 2-core class of machine: throttle before hashing). Sessions are
//! random tokens stored hashed; the same token serves as the UI cookie and as the API
//! bearer token. A username is locked for a while after repeated failures.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use frontline_core::FieldError;
use frontline_core::org::{Actor, Role, UnitKind};
use frontline_store::{AuditDraft, OfficerRow, SessionRow};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppConfig, AppError, Result};

/// How long a validated session is trusted from memory before the database is asked
/// again (so a disabled account loses access within this time, even across processes).
const SESSION_CACHE_SECS: i64 = 60;
const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub csrf_token: String,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    locked_until: Option<DateTime<Utc>>,
}

pub struct AuthState {
    failures: Mutex<HashMap<String, Failures>>,
    sessions: RwLock<HashMap<String, (Session, DateTime<Utc>)>>,
    hashing: tokio::sync::Semaphore,
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            failures: Mutex::default(),
            sessions: RwLock::default(),
            hashing: tokio::sync::Semaphore::new(2),
        }
    }
}

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

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hex::encode(buf))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn check_password_rules(field: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::field(FieldError::new(
            field,
            "password.too_short",
            format!("密码至少 {MIN_PASSWORD_CHARS} 位"),
            format!("Password must have at least {MIN_PASSWORD_CHARS} characters"),
        )));
    }
    Ok(())
}

impl App {
    /// Runs one argon2 computation on the blocking pool, at most two at a time.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .auth
            .hashing
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    async fn hash_password(&self, password: &str) -> Result<String> {
        let cfg = (*self.config).clone();
        let password = password.to_string();
        self.hashing(move || hash_password_blocking(&cfg, &password))
            .await?
    }

    async fn verify_password(&self, hash: &str, password: &str) -> Result<bool> {
        let (hash, password) = (hash.to_string(), password.to_string());
        self.hashing(move || verify_password_blocking(&hash, &password))
            .await
    }

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
            unit_kind: UnitKind::parse(&unit.kind).unwrap_or(UnitKind::Station),
            roles: Role::split(&o.roles),
        })
    }

    /// Signs in. Every failure looks the same to the caller (no username probing).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<(String, Session)> {
        let now = self.now();
        let username = username.trim();
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

    fn cache_session(&self, s: &Session, now: DateTime<Utc>) {
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

    /// `frontline user add`: an operator on the server creates an account.
    pub async fn add_officer(&self, by: &str, new: NewOfficer) -> Result<Uuid> {
        let mut errs = Vec::new();
        let username = new.username.trim().to_string();
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            errs.push(FieldError::new(
                "username",
                "username.invalid",
                "用户名只能包含字母、数字、点、下划线和连字符（最长64位）",
                "Username may hold letters, digits, '.', '_' and '-' (at most 64)",
            ));
        }
        let unit = self.org.unit_by_code(&new.unit_code);
        if unit.is_none() {
            errs.push(FieldError::new(
                "unit",
                "unit.unknown",
                "单位不存在",
                "Unknown unit",
            ));
        }
        let mut roles = Vec::new();
        for r in &new.roles {
            match Role::parse(r) {
                Some(role) => roles.push(role),
                None => errs.push(FieldError::new(
                    "roles",
                    "role.unknown",
                    format!("角色不存在：{r}"),
                    format!("Unknown role: {r}"),
                )),
            }
        }
        if roles.is_empty() && errs.is_empty() {
            errs.push(FieldError::required("roles"));
        }
        if let Err(AppError::Validation(mut e)) = check_password_rules("password", &new.password) {
            errs.append(&mut e);
        }
        if new.display_name.trim().is_empty() {
            errs.push(FieldError::required("display_name"));
        }
        let Some(unit) = unit.filter(|_| errs.is_empty()) else {
            return Err(AppError::Validation(errs));
        };
        if self.store.officer_by_username(&username).await?.is_some() {
            return Err(AppError::field(FieldError::new(
                "username",
                "username.taken",
                "用户名已存在",
                "Username already exists",
            )));
        }
        let now = self.now();
        let id = Uuid::now_v7();
        let hash = self.hash_password(&new.password).await?;
        self.store
            .insert_officer(
                OfficerRow {
                    id,
                    username: username.clone(),
                    display_name: new.display_name.trim().to_string(),
                    unit_id: unit.id,
                    roles: Role::join(&roles),
                    auxiliary: new.auxiliary,
                    badge_no: None,
                    password_hash: hash,
                    disabled: false,
                    created_at: now,
                },
                AuditDraft {
                    at: now,
                    actor_id: None,
                    actor: by.to_string(),
                    action: "officer.create".into(),
                    object_type: "officer".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": username, "unit": unit.code, "roles": Role::join(&roles) })
                        .to_string(),
                },
            )
            .await?;
        Ok(id)
    }

    /// `frontline user passwd` / `user disable` / `user enable`.
    pub async fn update_officer(
        &self,
        by: &str,
        username: &str,
        password: Option<&str>,
        disabled: Option<bool>,
    ) -> Result<()> {
        let officer = self
            .store
            .officer_by_username(username)
            .await?
            .ok_or(AppError::NotFound)?;
        let hash = match password {
            Some(p) => {
                check_password_rules("password", p)?;
                Some(self.hash_password(p).await?)
            }
            None => None,
        };
        let action = match (password.is_some(), disabled) {
            (_, Some(true)) => "officer.disable",
            (_, Some(false)) => "officer.enable",
            _ => "officer.password",
        };
        self.store
            .update_officer_auth(
                officer.id,
                hash,
                disabled,
                AuditDraft {
                    at: self.now(),
                    actor_id: None,
                    actor: by.to_string(),
                    action: action.into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": username }).to_string(),
                },
            )
            .await?;
        if let Ok(mut m) = self.auth.sessions.write() {
            m.retain(|_, (s, _)| s.actor.officer_id != officer.id);
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub roles: Vec<String>,
    pub auxiliary: bool,
    pub password: String,
}

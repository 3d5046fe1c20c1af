//! Password hashing (argon2id PHC strings on the blocking pool, at most two at a time)
//! and the password rules.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use frontline_core::FieldError;

use super::MIN_PASSWORD_CHARS;
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

    pub(super) async fn hash_password(&self, password: &str) -> Result<String> {
        let cfg = (*self.config).clone();
        let password = password.to_string();
        self.hashing(move || hash_password_blocking(&cfg, &password))
            .await?
    }

    pub(super) async fn verify_password(&self, hash: &str, password: &str) -> Result<bool> {
        let (hash, password) = (hash.to_string(), password.to_string());
        self.hashing(move || verify_password_blocking(&hash, &password))
            .await
    }
}

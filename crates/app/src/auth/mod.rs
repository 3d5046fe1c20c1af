//! Sign-in, sessions and officer accounts.
//!
//! Passwords are argon2id PHC strings, hashed on the blocking pool with at most two at
//! a time (this is a 2-core class of machine: throttle before hashing). Sessions are
//! random tokens stored hashed; the same token serves as the UI cookie and as the API
//! bearer token. A username is locked for a while after repeated failures.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use chrono::{DateTime, Utc};
use frontline_core::org::Actor;

mod login;
mod officers;
mod password;
mod sessions;

pub use login::LoginRequest;
pub use officers::NewOfficer;
pub use password::{check_password_rules, hash_password_blocking};
pub use sessions::{Me, token_hash};

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

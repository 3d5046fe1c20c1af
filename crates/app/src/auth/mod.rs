//! Sign-in, sessions and officer accounts.
//!
//! Passwords are argon2id PHC strings, hashed on the blocking pool with at most two at
//! a time (this is a 2-core class of machine: throttle before hashing). Sessions are
//! random tokens stored hashed; the same token serves as the UI cookie and as the API
//! bearer token. Failed sign-ins back off per username and per client address with
//! counters in the database (`frontline_core::throttle`), and each is audited.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use frontline_core::org::Actor;
use uuid::Uuid;

mod login;
mod officers;
mod password;
mod reauth;
mod sessions;
mod totp;

pub use login::LoginRequest;
pub use officers::NewOfficer;
pub use password::{PasswordChangeRequest, check_password_rules, hash_password_blocking};
pub use reauth::ReauthRequest;
pub use sessions::{Me, SessionView, token_hash};
pub use totp::{TotpCodeRequest, TotpEnrolment, TotpPolicyItem, TotpPolicyRequest, TotpStatus};

/// How long a validated session is trusted from memory before the database is asked
/// again (so a disabled account loses access within this time, even across processes).
const SESSION_CACHE_SECS: i64 = 60;
/// `last_seen_at` is written at most this often per session: the idle timeout needs
/// minutes, not every request's instant, and reads must stay reads.
const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    /// The session's opaque id (what its owner sees and can end).
    pub id: Uuid,
    pub csrf_token: String,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The account must choose a new password before doing anything else.
    pub must_change_password: bool,
    /// When the holder last proved who they are: sign-in, or the password or a code
    /// re-entered (unmasking and exports need it recent).
    pub authenticated_at: DateTime<Utc>,
    /// Signed in with the password; the second factor's code is still to come (the
    /// browser's second sign-in step). Such a session can do nothing else.
    pub second_factor_pending: bool,
    /// The officer has a second factor.
    pub totp_enrolled: bool,
    /// A role of the officer requires a second factor and none is set up: the session
    /// may only enrol (and change its password, sign out).
    pub totp_enrolment_required: bool,
}

/// What a request may do with a session in each state ([`crate::App::authenticate_as`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Everything: refused while a password change, an enrolment or a code is due.
    Full,
    /// Setting up the second factor: also while an enrolment is due.
    Enrol,
    /// Changing the password and signing out: also while a password change or an
    /// enrolment is due.
    Any,
    /// The browser's second sign-in step: only a session whose code is due.
    SecondFactor,
}

pub struct AuthState {
    /// Validated sessions by token hash, with when they were read from the store.
    sessions: RwLock<HashMap<String, (Session, DateTime<Utc>)>>,
    hashing: tokio::sync::Semaphore,
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            sessions: RwLock::default(),
            hashing: tokio::sync::Semaphore::new(2),
        }
    }
}

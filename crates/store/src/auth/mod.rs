//! Officers (accounts) and their sign-in sessions.

use chrono::{DateTime, Utc};
use frontline_core::org::Role;
use frontline_core::throttle::Failures;
use uuid::Uuid;

use crate::{AuditDraft, Result};

pub(crate) mod pg;
pub(crate) mod sqlite;

#[derive(Clone, PartialEq, Eq)]
pub struct OfficerRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub roles: Vec<Role>,
    pub auxiliary: bool,
    pub badge_no: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Set for an account an operator gave its password: it must choose its own first.
    pub must_change_password: bool,
    /// The officer has a confirmed second factor (TOTP). Read only: enrolment has its
    /// own methods, and an inserted officer has none.
    pub totp_enrolled: bool,
}

impl std::fmt::Debug for OfficerRow {
    // Never print the password hash in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficerRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("unit_id", &self.unit_id)
            .field("roles", &self.roles)
            .field("disabled", &self.disabled)
            .field("must_change_password", &self.must_change_password)
            .field("totp_enrolled", &self.totp_enrolled)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    /// The session's name outside the server (its list and sign-out of others).
    pub id: Uuid,
    pub officer_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Updated at most once a minute (idle timeout).
    pub last_seen_at: DateTime<Utc>,
    /// The client address and a short user-agent text it was opened from.
    pub client: String,
    pub user_agent: String,
    /// When the holder last proved who they are (sign-in, re-entered password or code).
    pub authenticated_at: DateTime<Utc>,
    /// Signed in with the password, the second factor still to come (browser sign-in).
    pub second_factor_pending: bool,
}

/// An officer's second factor as stored. Never printed: the secrets are credentials.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TotpState {
    /// The confirmed secret (base32); none: not enrolled.
    pub secret: Option<String>,
    /// An enrolment shown but not yet confirmed with a code.
    pub pending: Option<String>,
    /// The last time step a code was accepted for (0: none).
    pub last_step: i64,
}

impl std::fmt::Debug for TotpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpState")
            .field("enrolled", &self.secret.is_some())
            .field("pending", &self.pending.is_some())
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// A role's second-factor requirement as an administrator set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpPolicyRow {
    pub role: Role,
    pub required: bool,
    pub updated_at: DateTime<Utc>,
}

/// The sign-in back-off counters that apply to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInFailures {
    pub username: Option<Failures>,
    pub client: Option<Failures>,
}

/// A role name in the database that core does not know: reading the officer fails
/// rather than dropping it (which could hide a damaged row) or granting anything.
#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?} in the officers table")]
pub(crate) struct UnknownRole(String);

/// Parses the stored `officers.roles` text (names joined by commas).
pub(crate) fn parse_roles(s: &str) -> std::result::Result<Vec<Role>, UnknownRole> {
    Role::parse_list(s).map_err(UnknownRole)
}

/// Formats roles for the `officers.roles` column.
pub(crate) fn format_roles(roles: &[Role]) -> String {
    Role::join(roles)
}

/// The columns both engines read and write, in the row mappers' order.
const OFFICER_COLS: &str = "id, username, display_name, unit_id, roles, auxiliary, \
     badge_no, password_hash, disabled, created_at, must_change_password";
/// What a read of an officer selects: [`OFFICER_COLS`] and whether a second factor is set.
const OFFICER_SELECT: &str = "id, username, display_name, unit_id, roles, auxiliary, \
     badge_no, password_hash, disabled, created_at, must_change_password, \
     (totp_secret IS NOT NULL)";
const SESSION_COLS: &str = "token_hash, id, officer_id, csrf_token, created_at, expires_at, \
     last_seen_at, client, user_agent, authenticated_at, second_factor_pending";
/// `sign_in_throttle.kind` of the two counters.
const BY_USERNAME: &str = "username";
const BY_CLIENT: &str = "client";

store_methods! {
    pub async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>>;
    pub async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>>;
    pub async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()>;
    /// An operator's change: a new password (and whether it must be changed at the
    /// next sign-in), disabled or enabled. Disabling ends the officer's sessions.
    pub async fn update_officer_auth(
        &self,
        id: Uuid,
        password_hash: Option<String>,
        must_change_password: Option<bool>,
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()>;
    /// The officer's own change: the new hash, the forced-change flag cleared, and
    /// every session but `keep` (the one that made the change) ended.
    pub async fn set_own_password(
        &self,
        id: Uuid,
        password_hash: String,
        keep: &str,
        audit: AuditDraft,
    ) -> Result<()>;
    pub async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()>;
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>>;
    pub async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()>;
    /// Moves `last_seen_at` forward to `at` (never back). Not audited: it is the trace
    /// of reads, written at most once a minute per session.
    pub async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// An officer's sessions, most recently used first.
    pub async fn sessions_of(&self, officer_id: Uuid) -> Result<Vec<SessionRow>>;
    /// Ends the officer's session `id` and returns its token hash; `NotFound` (nothing
    /// written) when the officer has no such session.
    pub async fn delete_session_of(
        &self,
        officer_id: Uuid,
        id: Uuid,
        audit: AuditDraft,
    ) -> Result<String>;
    /// The back-off counters for a username as typed and a client address.
    pub async fn sign_in_failures(&self, username: &str, client: &str) -> Result<SignInFailures>;
    /// Counts one failed sign-in on both counters (a counter whose last failure is at
    /// or before `forget_before` starts again at one), deletes counters quiet since then,
    /// and appends `audit` (its `at` is the failure's time), in one transaction.
    pub async fn record_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        forget_before: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()>;
    /// A successful sign-in forgets the username's failures (not the client's: one
    /// good account must not buy a sprayer a fresh budget).
    pub async fn clear_sign_in_failures(&self, username: &str) -> Result<()>;
    /// The officer's second factor (secrets included: for the app's checks only).
    pub async fn officer_totp(&self, id: Uuid) -> Result<TotpState>;
    /// Starts (or restarts) an enrolment with a fresh secret, audited.
    pub async fn begin_totp(&self, id: Uuid, secret: String, audit: AuditDraft) -> Result<()>;
    /// Confirms the pending enrolment whose secret is `secret` (the one the code was
    /// checked against), accepting `step`; `Conflict` when the pending secret changed.
    pub async fn confirm_totp(
        &self,
        id: Uuid,
        secret: &str,
        step: i64,
        audit: AuditDraft,
    ) -> Result<()>;
    /// Removes the second factor (and any pending enrolment); `NotFound` for no officer.
    pub async fn remove_totp(&self, id: Uuid, audit: AuditDraft) -> Result<()>;
    /// Records that a code of `step` was accepted, if no later or equal step was
    /// (atomic: of two instances accepting the same code, one gets `false`).
    pub async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool>;
    /// The roles an administrator set a requirement for.
    pub async fn totp_policy(&self) -> Result<Vec<TotpPolicyRow>>;
    /// Sets a role's requirement, audited.
    pub async fn set_totp_policy(&self, row: TotpPolicyRow, audit: AuditDraft) -> Result<()>;
    /// The session proved its holder again at `at` (and a pending second factor, if
    /// any, is done, the session then lasting until `expires_at`); `NotFound` when the
    /// session is gone.
    pub async fn authenticate_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()>;
}

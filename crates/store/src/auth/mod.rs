//! Officers (accounts) and their sign-in sessions.

use chrono::{DateTime, Utc};
use frontline_core::org::Role;
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
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub officer_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
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
     badge_no, password_hash, disabled, created_at";
const SESSION_COLS: &str = "token_hash, officer_id, csrf_token, created_at, expires_at";

store_methods! {
    pub async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>>;
    pub async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>>;
    pub async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()>;
    pub async fn update_officer_auth(
        &self,
        id: Uuid,
        password_hash: Option<String>,
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()>;
    pub async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()>;
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>>;
    pub async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()>;
}

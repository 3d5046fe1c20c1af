use chrono::{DateTime, Utc};
use frontline_core::throttle::Failures;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::{
    BY_CLIENT, BY_USERNAME, OFFICER_COLS, OFFICER_SELECT, OfficerRow, SESSION_COLS, SessionRow,
    SignInFailures, TotpPolicyRow, TotpState, format_roles, parse_roles,
};
use crate::audit::sqlite::append;
use crate::engine::sqlite::SqliteStore;
use crate::{AuditDraft, Result, StoreError, from_micros, micros};

fn officer_from_row(r: &Row<'_>) -> rusqlite::Result<OfficerRow> {
    Ok(OfficerRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        unit_id: r.get(3)?,
        roles: parse_roles(r.get_ref(4)?.as_str()?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, Type::Text, Box::new(e)))?,
        auxiliary: r.get(5)?,
        badge_no: r.get(6)?,
        password_hash: r.get(7)?,
        disabled: r.get(8)?,
        created_at: from_micros(r.get(9)?),
        must_change_password: r.get(10)?,
        totp_enrolled: r.get(11)?,
    })
}

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        token_hash: r.get(0)?,
        id: r.get(1)?,
        officer_id: r.get(2)?,
        csrf_token: r.get(3)?,
        created_at: from_micros(r.get(4)?),
        expires_at: from_micros(r.get(5)?),
        last_seen_at: from_micros(r.get(6)?),
        client: r.get(7)?,
        user_agent: r.get(8)?,
        authenticated_at: from_micros(r.get(9)?),
        second_factor_pending: r.get(10)?,
    })
}

/// Inserts one officer inside the caller's transaction (also used by bulk loads).
pub(crate) fn insert_officer_row(conn: &Connection, o: &OfficerRow) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO officers ({OFFICER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(params![
        o.id,
        o.username,
        o.display_name,
        o.unit_id,
        format_roles(&o.roles),
        o.auxiliary,
        o.badge_no,
        o.password_hash,
        o.disabled,
        micros(o.created_at),
        o.must_change_password
    ])?;
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let username = username.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_SELECT} FROM officers WHERE username = ?1"
            ))?
            .query_row([username], officer_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_SELECT} FROM officers WHERE id = ?1"
            ))?
            .query_row([id], officer_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            insert_officer_row(c, &o)?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn update_officer_auth(
        &self,
        id: Uuid,
        password_hash: Option<String>,
        must_change_password: Option<bool>,
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET password_hash = COALESCE(?2, password_hash), \
                 must_change_password = COALESCE(?3, must_change_password), \
                 disabled = COALESCE(?4, disabled) WHERE id = ?1",
                params![id, password_hash, must_change_password, disabled],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            if disabled == Some(true) {
                c.execute("DELETE FROM sessions WHERE officer_id = ?1", [id])?;
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(&format!(
                "INSERT INTO sessions ({SESSION_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
            ))?
            .execute(params![
                s.token_hash,
                s.id,
                s.officer_id,
                s.csrf_token,
                micros(s.created_at),
                micros(s.expires_at),
                micros(s.last_seen_at),
                s.client,
                s.user_agent,
                micros(s.authenticated_at),
                s.second_factor_pending
            ])?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let token_hash = token_hash.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {SESSION_COLS} FROM sessions WHERE token_hash = ?1"
            ))?
            .query_row([token_hash], session_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |c, head| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn set_own_password(
        &self,
        id: Uuid,
        password_hash: String,
        keep: &str,
        audit: AuditDraft,
    ) -> Result<()> {
        let keep = keep.to_string();
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET password_hash = ?2, must_change_password = 0 WHERE id = ?1",
                params![id, password_hash],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            c.execute(
                "DELETE FROM sessions WHERE officer_id = ?1 AND token_hash <> ?2",
                params![id, keep],
            )?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |c, _| {
            c.prepare_cached(
                "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2",
            )?
            .execute(params![token_hash, micros(at)])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn sessions_of(&self, officer_id: Uuid) -> Result<Vec<SessionRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {SESSION_COLS} FROM sessions WHERE officer_id = ?1 \
                 ORDER BY last_seen_at DESC, id"
            ))?;
            let rows = st.query_map([officer_id], session_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn delete_session_of(
        &self,
        officer_id: Uuid,
        id: Uuid,
        audit: AuditDraft,
    ) -> Result<String> {
        self.write(move |c, head| {
            let token_hash: String = c
                .query_row(
                    "DELETE FROM sessions WHERE officer_id = ?1 AND id = ?2 RETURNING token_hash",
                    params![officer_id, id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            append(c, head, &audit)?;
            Ok(token_hash)
        })
        .await
    }

    pub(crate) async fn sign_in_failures(
        &self,
        username: &str,
        client: &str,
    ) -> Result<SignInFailures> {
        let (username, client) = (username.to_string(), client.to_string());
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT kind, failures, last_failure_at FROM sign_in_throttle \
                 WHERE (kind = ?1 AND key = ?2) OR (kind = ?3 AND key = ?4)",
            )?;
            let mut rows = st.query(params![BY_USERNAME, username, BY_CLIENT, client])?;
            let mut out = SignInFailures::default();
            while let Some(r) = rows.next()? {
                let f = Failures {
                    count: r.get(1)?,
                    last_at: from_micros(r.get(2)?),
                };
                if r.get::<_, String>(0)? == BY_USERNAME {
                    out.username = Some(f);
                } else {
                    out.client = Some(f);
                }
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn record_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        forget_before: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        let (username, client) = (username.to_string(), client.to_string());
        self.write(move |c, head| {
            let (at, forget) = (micros(audit.at), micros(forget_before));
            c.prepare_cached("DELETE FROM sign_in_throttle WHERE last_failure_at <= ?1")?
                .execute([forget])?;
            let mut up = c.prepare_cached(
                "INSERT INTO sign_in_throttle (kind, key, failures, last_failure_at) \
                 VALUES (?1, ?2, 1, ?3) \
                 ON CONFLICT (kind, key) DO UPDATE SET failures = failures + 1, \
                 last_failure_at = MAX(last_failure_at, excluded.last_failure_at)",
            )?;
            up.execute(params![BY_USERNAME, username, at])?;
            up.execute(params![BY_CLIENT, client, at])?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn clear_sign_in_failures(&self, username: &str) -> Result<()> {
        let username = username.to_string();
        self.write(move |c, _| {
            c.prepare_cached("DELETE FROM sign_in_throttle WHERE kind = ?1 AND key = ?2")?
                .execute(params![BY_USERNAME, username])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn officer_totp(&self, id: Uuid) -> Result<TotpState> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT totp_secret, totp_pending, totp_last_step FROM officers WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok(TotpState {
                    secret: r.get(0)?,
                    pending: r.get(1)?,
                    last_step: r.get(2)?,
                })
            })
            .optional()?
            .unwrap_or_default())
        })
        .await
    }

    pub(crate) async fn begin_totp(
        &self,
        id: Uuid,
        secret: String,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET totp_pending = ?2 WHERE id = ?1",
                params![id, secret],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn confirm_totp(
        &self,
        id: Uuid,
        secret: &str,
        step: i64,
        audit: AuditDraft,
    ) -> Result<()> {
        let secret = secret.to_string();
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET totp_secret = totp_pending, totp_pending = NULL, \
                 totp_last_step = ?3 WHERE id = ?1 AND totp_pending = ?2",
                params![id, secret, step],
            )?;
            if n == 0 {
                return Err(StoreError::Conflict("the enrolment changed".into()));
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn remove_totp(&self, id: Uuid, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 \
                 WHERE id = ?1",
                [id],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool> {
        self.write(move |c, _| {
            let n = c
                .prepare_cached(
                    "UPDATE officers SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2",
                )?
                .execute(params![id, step])?;
            Ok(n == 1)
        })
        .await
    }

    pub(crate) async fn totp_policy(&self) -> Result<Vec<TotpPolicyRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT role, required, updated_at FROM totp_role_policy ORDER BY role",
            )?;
            let rows = st.query_map([], |r| {
                let role: String = r.get(0)?;
                Ok((role, r.get::<_, bool>(1)?, r.get::<_, i64>(2)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (role, required, at) = row?;
                // A role core no longer knows requires nothing of anyone: skip it.
                if let Some(role) = frontline_core::org::Role::parse(&role) {
                    out.push(TotpPolicyRow {
                        role,
                        required,
                        updated_at: from_micros(at),
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn set_totp_policy(
        &self,
        row: TotpPolicyRow,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            c.execute(
                "INSERT INTO totp_role_policy (role, required, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (role) DO UPDATE SET required = excluded.required, \
                 updated_at = excluded.updated_at",
                params![row.role.as_str(), row.required, micros(row.updated_at)],
            )?;
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn authenticate_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE sessions SET authenticated_at = ?2, expires_at = ?3, \
                 second_factor_pending = 0 WHERE token_hash = ?1",
                params![token_hash, micros(at), micros(expires_at)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }
}

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use frontline_core::throttle::Failures;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    BY_CLIENT, BY_USERNAME, OFFICER_COLS, OFFICER_SELECT, OfficerRow, SESSION_COLS, SessionRow,
    SignInFailures, TotpPolicyRow, TotpState, format_roles, parse_roles,
};
use crate::audit::pg::append;
use crate::engine::pg::PgStore;
use crate::{AuditDraft, Result, StoreError, truncate_micros};

fn officer_from_row(r: &Row) -> Result<OfficerRow> {
    Ok(OfficerRow {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        roles: parse_roles(r.try_get(4)?).map_err(StoreError::db_from)?,
        auxiliary: r.try_get(5)?,
        badge_no: r.try_get(6)?,
        password_hash: r.try_get(7)?,
        disabled: r.try_get(8)?,
        created_at: r.try_get(9)?,
        must_change_password: r.try_get(10)?,
        totp_enrolled: r.try_get(11)?,
    })
}

fn session_from_row(r: &Row) -> Result<SessionRow> {
    Ok(SessionRow {
        token_hash: r.try_get(0)?,
        id: r.try_get(1)?,
        officer_id: r.try_get(2)?,
        csrf_token: r.try_get(3)?,
        created_at: r.try_get(4)?,
        expires_at: r.try_get(5)?,
        last_seen_at: r.try_get(6)?,
        client: r.try_get(7)?,
        user_agent: r.try_get(8)?,
        authenticated_at: r.try_get(9)?,
        second_factor_pending: r.try_get(10)?,
    })
}

/// Inserts one officer inside the caller's transaction (also used by bulk loads).
pub(crate) async fn insert_officer_row(c: &impl GenericClient, o: &OfficerRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO officers ({OFFICER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        &[
            &o.id,
            &o.username,
            &o.display_name,
            &o.unit_id,
            &format_roles(&o.roles),
            &o.auxiliary,
            &o.badge_no,
            &o.password_hash,
            &o.disabled,
            &truncate_micros(o.created_at),
            &o.must_change_password,
        ],
    )
    .await?;
    Ok(())
}

impl PgStore {
    pub(crate) async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {OFFICER_SELECT} FROM officers WHERE username = $1"),
            &[&username],
        )
        .await?
        .map(|r| officer_from_row(&r))
        .transpose()
    }

    pub(crate) async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {OFFICER_SELECT} FROM officers WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| officer_from_row(&r))
        .transpose()
    }

    pub(crate) async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                insert_officer_row(tx, &o).await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
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
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET password_hash = COALESCE($2, password_hash), \
                         must_change_password = COALESCE($3, must_change_password), \
                         disabled = COALESCE($4, disabled) WHERE id = $1",
                        &[&id, &password_hash, &must_change_password, &disabled],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if disabled == Some(true) {
                    tx.execute("DELETE FROM sessions WHERE officer_id = $1", &[&id])
                        .await?;
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    &format!(
                        "INSERT INTO sessions ({SESSION_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
                    ),
                    &[
                        &s.token_hash,
                        &s.id,
                        &s.officer_id,
                        &s.csrf_token,
                        &s.created_at,
                        &s.expires_at,
                        &s.last_seen_at,
                        &s.client,
                        &s.user_agent,
                        &truncate_micros(s.authenticated_at),
                        &s.second_factor_pending,
                    ],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1"),
            &[&token_hash],
        )
        .await?
        .map(|r| session_from_row(&r))
        .transpose()
    }

    pub(crate) async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
                    .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
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
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET password_hash = $2, must_change_password = FALSE WHERE id = $1",
                        &[&id, &password_hash],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.execute(
                    "DELETE FROM sessions WHERE officer_id = $1 AND token_hash <> $2",
                    &[&id, &keep],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        // Not through the writer: it holds the audit head lock, and a touch has no entry.
        let c = self.pool.get().await?;
        c.execute(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2",
            &[&token_hash, &at],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn sessions_of(&self, officer_id: Uuid) -> Result<Vec<SessionRow>> {
        let c = self.pool.get().await?;
        c.query(
            &format!(
                "SELECT {SESSION_COLS} FROM sessions WHERE officer_id = $1 \
                 ORDER BY last_seen_at DESC, id"
            ),
            &[&officer_id],
        )
        .await?
        .iter()
        .map(session_from_row)
        .collect()
    }

    pub(crate) async fn delete_session_of(
        &self,
        officer_id: Uuid,
        id: Uuid,
        audit: AuditDraft,
    ) -> Result<String> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        "DELETE FROM sessions WHERE officer_id = $1 AND id = $2 RETURNING token_hash",
                        &[&officer_id, &id],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let token_hash: String = row.try_get(0)?;
                append(tx, head, &audit).await?;
                Ok(token_hash)
            })
        })
        .await
    }

    pub(crate) async fn sign_in_failures(
        &self,
        username: &str,
        client: &str,
    ) -> Result<SignInFailures> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT kind, failures, last_failure_at FROM sign_in_throttle \
                 WHERE (kind = $1 AND key = $2) OR (kind = $3 AND key = $4)",
                &[&BY_USERNAME, &username, &BY_CLIENT, &client],
            )
            .await?;
        let mut out = SignInFailures::default();
        for r in rows {
            let count: i32 = r.try_get(1)?;
            let f = Failures {
                count: u32::try_from(count).unwrap_or(0),
                last_at: r.try_get(2)?,
            };
            if r.try_get::<_, &str>(0)? == BY_USERNAME {
                out.username = Some(f);
            } else {
                out.client = Some(f);
            }
        }
        Ok(out)
    }

    pub(crate) async fn record_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        forget_before: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        let (username, client) = (username.to_string(), client.to_string());
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let at = truncate_micros(audit.at);
                tx.execute(
                    "DELETE FROM sign_in_throttle WHERE last_failure_at <= $1",
                    &[&forget_before],
                )
                .await?;
                let up = "INSERT INTO sign_in_throttle AS t (kind, key, failures, last_failure_at) \
                     VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (kind, key) DO UPDATE SET failures = t.failures + 1, \
                     last_failure_at = GREATEST(t.last_failure_at, excluded.last_failure_at)";
                tx.execute(up, &[&BY_USERNAME, &username, &at]).await?;
                tx.execute(up, &[&BY_CLIENT, &client, &at]).await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn clear_sign_in_failures(&self, username: &str) -> Result<()> {
        let c = self.pool.get().await?;
        c.execute(
            "DELETE FROM sign_in_throttle WHERE kind = $1 AND key = $2",
            &[&BY_USERNAME, &username],
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn officer_totp(&self, id: Uuid) -> Result<TotpState> {
        let c = self.pool.get().await?;
        Ok(c.query_opt(
            "SELECT totp_secret, totp_pending, totp_last_step FROM officers WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| -> Result<TotpState> {
            Ok(TotpState {
                secret: r.try_get(0)?,
                pending: r.try_get(1)?,
                last_step: r.try_get(2)?,
            })
        })
        .transpose()?
        .unwrap_or_default())
    }

    pub(crate) async fn begin_totp(
        &self,
        id: Uuid,
        secret: String,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET totp_pending = $2 WHERE id = $1",
                        &[&id, &secret],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
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
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET totp_secret = totp_pending, totp_pending = NULL, \
                         totp_last_step = $3 WHERE id = $1 AND totp_pending = $2",
                        &[&id, &secret, &step],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::Conflict("the enrolment changed".into()));
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn remove_totp(&self, id: Uuid, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET totp_secret = NULL, totp_pending = NULL, \
                         totp_last_step = 0 WHERE id = $1",
                        &[&id],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool> {
        // Not through the writer: no audit entry (the sign-in it belongs to has one).
        let c = self.pool.get().await?;
        let n = c
            .execute(
                "UPDATE officers SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2",
                &[&id, &step],
            )
            .await?;
        Ok(n == 1)
    }

    pub(crate) async fn totp_policy(&self) -> Result<Vec<TotpPolicyRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT role, required, updated_at FROM totp_role_policy ORDER BY role",
                &[],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            // A role core no longer knows requires nothing of anyone: skip it.
            if let Some(role) = frontline_core::org::Role::parse(r.try_get(0)?) {
                out.push(TotpPolicyRow {
                    role,
                    required: r.try_get(1)?,
                    updated_at: r.try_get(2)?,
                });
            }
        }
        Ok(out)
    }

    pub(crate) async fn set_totp_policy(
        &self,
        row: TotpPolicyRow,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO totp_role_policy (role, required, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (role) DO UPDATE SET required = excluded.required, \
                     updated_at = excluded.updated_at",
                    &[
                        &row.role.as_str(),
                        &row.required,
                        &truncate_micros(row.updated_at),
                    ],
                )
                .await?;
                append(tx, head, &audit).await?;
                Ok(())
            })
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
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE sessions SET authenticated_at = $2, expires_at = $3, \
                         second_factor_pending = FALSE WHERE token_hash = $1",
                        &[
                            &token_hash,
                            &truncate_micros(at),
                            &truncate_micros(expires_at),
                        ],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }
}

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{OFFICER_COLS, OfficerRow, SESSION_COLS, SessionRow, format_roles, parse_roles};
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
    })
}

fn session_from_row(r: &Row) -> Result<SessionRow> {
    Ok(SessionRow {
        token_hash: r.try_get(0)?,
        officer_id: r.try_get(1)?,
        csrf_token: r.try_get(2)?,
        created_at: r.try_get(3)?,
        expires_at: r.try_get(4)?,
    })
}

/// Inserts one officer inside the caller's transaction (also used by bulk loads).
pub(crate) async fn insert_officer_row(c: &impl GenericClient, o: &OfficerRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO officers ({OFFICER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
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
        ],
    )
    .await?;
    Ok(())
}

impl PgStore {
    pub(crate) async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {OFFICER_COLS} FROM officers WHERE username = $1"),
            &[&username],
        )
        .await?
        .map(|r| officer_from_row(&r))
        .transpose()
    }

    pub(crate) async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        c.query_opt(
            &format!("SELECT {OFFICER_COLS} FROM officers WHERE id = $1"),
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
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET password_hash = COALESCE($2, password_hash), disabled = COALESCE($3, disabled) WHERE id = $1",
                        &[&id, &password_hash, &disabled],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if disabled == Some(true) {
                    tx.execute("DELETE FROM sessions WHERE officer_id = $1", &[&id]).await?;
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
                    &format!("INSERT INTO sessions ({SESSION_COLS}) VALUES ($1,$2,$3,$4,$5)"),
                    &[
                        &s.token_hash,
                        &s.officer_id,
                        &s.csrf_token,
                        &s.created_at,
                        &s.expires_at,
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
}

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::{OFFICER_COLS, OfficerRow, SESSION_COLS, SessionRow, format_roles, parse_roles};
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
    })
}

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        token_hash: r.get(0)?,
        officer_id: r.get(1)?,
        csrf_token: r.get(2)?,
        created_at: from_micros(r.get(3)?),
        expires_at: from_micros(r.get(4)?),
    })
}

/// Inserts one officer inside the caller's transaction (also used by bulk loads).
pub(crate) fn insert_officer_row(conn: &Connection, o: &OfficerRow) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO officers ({OFFICER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
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
        micros(o.created_at)
    ])?;
    Ok(())
}

impl SqliteStore {
    pub(crate) async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let username = username.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_COLS} FROM officers WHERE username = ?1"
            ))?
            .query_row([username], officer_from_row)
            .optional()?)
        })
        .await
    }

    pub(crate) async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_COLS} FROM officers WHERE id = ?1"
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
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET password_hash = COALESCE(?2, password_hash), disabled = COALESCE(?3, disabled) WHERE id = ?1",
                params![id, password_hash, disabled],
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
                "INSERT INTO sessions ({SESSION_COLS}) VALUES (?1,?2,?3,?4,?5)"
            ))?
            .execute(params![
                s.token_hash,
                s.officer_id,
                s.csrf_token,
                micros(s.created_at),
                micros(s.expires_at)
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
}

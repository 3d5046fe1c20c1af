//! 案件附件: documents and photos added to a case. The bytes are checked for what they
//! are (`frontline_core::case::attachment`), written once under their SHA-256 in the
//! attachments directory (atomically: a temporary file renamed into place), then the row
//! and its audit entry are recorded. A crash in between leaves at most an unreferenced
//! file, never a row without its file. Reading one is audited like any look at a case
//! document.

use std::io::Write as _;
use std::path::PathBuf;

use frontline_core::authz::{self, Action};
use frontline_core::case::attachment::{self, Kind};
use frontline_core::org::Actor;
use frontline_store::{AttachmentRow, AuditDraft};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

/// Content-addressed files: `<dir>/<first two hex digits>/<sha256>`.
#[derive(Debug)]
pub struct BlobDir {
    dir: PathBuf,
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(format!("attachments: {e}"))
}

impl BlobDir {
    /// `None`: a fresh temporary directory (tests and tools that keep nothing).
    pub fn open(dir: Option<PathBuf>) -> Result<BlobDir> {
        let dir = dir.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("frontline-attachments-{}", Uuid::now_v7()))
        });
        std::fs::create_dir_all(&dir).map_err(io)?;
        Ok(BlobDir { dir })
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.dir.join(sha.get(..2).unwrap_or("00")).join(sha)
    }

    /// Stores `bytes` under their hash (once: the same content is kept once).
    pub(crate) fn put(&self, sha: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(sha);
        if path.exists() {
            return Ok(());
        }
        let parent = path
            .parent()
            .ok_or_else(|| AppError::Internal("attachments: no parent".into()))?;
        std::fs::create_dir_all(parent).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(io)?;
        tmp.write_all(bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// The bytes of `sha`, checked against their hash (a damaged file is an error).
    fn get(&self, sha: &str) -> Result<Vec<u8>> {
        let bytes = std::fs::read(self.path(sha)).map_err(io)?;
        if hex(&Sha256::digest(&bytes)) != sha {
            return Err(AppError::Internal(format!("attachment {sha} is damaged")));
        }
        Ok(bytes)
    }
}

pub(crate) fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// An attachment as the case page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub added_by_name: String,
    pub added_at: String,
    /// A photo (shown inline) rather than a document.
    pub image: bool,
}

pub(crate) fn view(a: &AttachmentRow) -> AttachmentView {
    AttachmentView {
        id: a.id,
        name: frontline_core::ident::mask_identifiers(&a.name).into_owned(),
        content_type: a.content_type.clone(),
        size_bytes: a.size_bytes,
        sha256: a.sha256.clone(),
        added_by_name: a.added_by_name.clone(),
        added_at: rfc3339_bj(a.added_at),
        image: Kind::from_mime(&a.content_type).is_some_and(Kind::is_image),
    }
}

impl App {
    /// Adds a file to a case. 404 (not in scope), 403 (not the case's handler), 409 (the
    /// case is closed), 422 `file` (empty, over 10 MB, not an accepted kind, or not the
    /// kind it claims).
    pub async fn attach_to_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        name: &str,
        declared_type: Option<&str>,
        bytes: &[u8],
    ) -> Result<AttachmentView> {
        let row = self.case(actor, case_id).await?;
        if !authz::allows(actor, Action::CaseHandle, &row.unit_path) {
            return Err(AppError::Forbidden);
        }
        if !row.status.is_open() {
            return Err(AppError::StateConflict(frontline_core::FieldError::new(
                "file",
                "case.closed",
                "已结案的案件不能再添加附件",
                "A closed case takes no more attachments",
            )));
        }
        let kind = attachment::check(bytes, declared_type).map_err(AppError::field)?;
        let sha = hex(&Sha256::digest(bytes));
        let blobs = self.attachments.clone();
        let (s, b) = (sha.clone(), bytes.to_vec());
        tokio::task::spawn_blocking(move || blobs.put(&s, &b))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let now = self.now();
        let a = AttachmentRow {
            id: Uuid::now_v7(),
            case_id,
            name: attachment::clean_name(name),
            content_type: kind.mime().into(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
            added_by: actor.officer_id,
            added_by_name: actor.display_name.clone(),
            added_at: now,
        };
        let audit = AuditDraft {
            at: now,
            actor_id: Some(actor.officer_id),
            actor: actor.username.clone(),
            action: "case.attachment.add".into(),
            object_type: "case".into(),
            object_id: case_id.to_string(),
            purpose: None,
            detail: serde_json::json!({
                "number": row.number, "attachment": a.id, "sha256": a.sha256,
                "size": a.size_bytes, "type": a.content_type,
            })
            .to_string(),
        };
        let stored = self.store.add_case_attachment(a, audit).await?;
        Ok(view(&stored))
    }

    /// One attachment's row and bytes for a reader of its case (audited); 404 outside it.
    pub async fn read_attachment(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(AttachmentView, Vec<u8>)> {
        let a = self
            .store
            .case_attachment(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let row = self.case(actor, a.case_id).await?;
        let blobs = self.attachments.clone();
        let sha = a.sha256.clone();
        let bytes = tokio::task::spawn_blocking(move || blobs.get(&sha))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "case.attachment.read".into(),
                object_type: "case".into(),
                object_id: row.id.to_string(),
                purpose: None,
                detail: serde_json::json!({ "number": row.number, "attachment": a.id }).to_string(),
            })
            .await?;
        Ok((view(&a), bytes))
    }
}

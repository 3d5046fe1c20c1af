//! A bureau's own discretion standards: list, upload (validated), activate.

use frontline_core::FieldError;
use frontline_core::authz::Action;
use frontline_core::error::Errors;
use frontline_core::org::Actor;
use frontline_core::penalty::{Engine, StandardError};
use frontline_core::request::Given;
use frontline_core::text;
use frontline_store::{AuditDraft, NewPenaltyStandard, PenaltyStandardRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::LoadedEngine;
use super::STANDARD_MAX_BYTES;
use super::StandardInUse;
use super::in_use;
use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

/// Why a standard was refused, naming its line and showing it.
pub fn standard_field_error(e: &StandardError, text: &str) -> FieldError {
    let shown = if e.line > 0 {
        text.lines()
            .nth(e.line - 1)
            .map(|l| {
                let l = l.trim();
                if l.chars().count() > 120 {
                    format!("{}…", l.chars().take(120).collect::<String>())
                } else {
                    l.to_string()
                }
            })
            .filter(|l| !l.is_empty())
    } else {
        None
    };
    let (at_zh, at_en) = if e.line > 0 {
        (format!("第 {} 行", e.line), format!("line {}", e.line))
    } else {
        ("文件".to_string(), "file".to_string())
    };
    let (tail_zh, tail_en) = match &shown {
        Some(l) => (format!("（该行：{l}）"), format!(" (the line: {l})")),
        None => (String::new(), String::new()),
    };
    FieldError::new(
        "text",
        "standard.invalid",
        format!("{at_zh}（{}）：{}{tail_zh}", e.entry, e.message),
        format!("{at_en} ({}): {}{tail_en}", e.entry, e.message),
    )
}

// Body of `POST /api/v1/penalty/standards`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
pub struct StandardUploadRequest {
    /// A name for this version (default: the standard's own `name_zh`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Given<String>,
    /// The standard file (TOML), as `data/penalty/standard-default.toml`.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub text: Given<String>,
}

impl StandardUploadRequest {
    /// Reads a JSON body; what is not an object reads as an empty request.
    pub fn read(v: serde_json::Value) -> StandardUploadRequest {
        frontline_core::request::read(v).unwrap_or_default()
    }

    /// The name (blank: the standard's own) and the text, or the one error the API has
    /// always answered for a body it cannot use.
    pub fn check(&self) -> std::result::Result<(&str, &str), FieldError> {
        match (&self.name, &self.text) {
            (Given::Value(_) | Given::Absent, Given::Value(text)) => {
                Ok((self.name.value().map_or("", String::as_str), text))
            }
            _ => Err(FieldError::new(
                "text",
                "required",
                "请提供 text（裁量基准 TOML 文本），name 可选",
                "Give text (the standard as TOML) and optionally name",
            )),
        }
    }
}

/// A stored standard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardView {
    pub id: Uuid,
    pub name: String,
    pub version: String,
    pub uploaded_by: String,
    /// RFC 3339, Beijing time.
    pub uploaded_at: String,
    /// Last activation (kept when another standard is activated later).
    pub activated_at: Option<String>,
    pub active: bool,
    /// Whether the engine holds this standard now.
    pub in_use: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardList {
    pub in_use: StandardInUse,
    /// Newest upload first; every version stays on record.
    pub items: Vec<StandardView>,
}

/// The result of an upload: the stored draft and a summary of what it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardUpload {
    pub standard: StandardView,
    pub situations: usize,
    pub circumstances: usize,
}

fn standard_view(r: &PenaltyStandardRow, using: Option<Uuid>) -> StandardView {
    StandardView {
        id: r.id,
        name: r.name.clone(),
        version: r.version.clone(),
        uploaded_by: r.uploaded_by_name.clone(),
        uploaded_at: rfc3339_bj(r.uploaded_at),
        activated_at: r.activated_at.map(rfc3339_bj),
        active: r.active,
        in_use: using == Some(r.id),
    }
}

impl App {
    pub async fn list_standards(&self, actor: &Actor) -> Result<StandardList> {
        crate::gate::require(actor, Action::PenaltyStandardManage)?;
        let loaded = self.penalty.fresh(&self.store).await?;
        let rows = self.store.list_penalty_standards().await?;
        Ok(StandardList {
            in_use: in_use(&loaded),
            items: rows
                .iter()
                .map(|r| standard_view(r, loaded.standard_id))
                .collect(),
        })
    }

    /// The upload over its request contract (the API's body).
    pub async fn upload_standard_request(
        &self,
        actor: &Actor,
        req: &StandardUploadRequest,
    ) -> Result<StandardUpload> {
        crate::gate::require(actor, Action::PenaltyStandardManage)?;
        let (name, text) = req.check().map_err(AppError::field)?;
        self.upload_standard(actor, name, text).await
    }

    /// Validates a standard against the catalog and stores it as an inactive draft.
    /// A refused standard changes nothing; the error names the line.
    pub async fn upload_standard(
        &self,
        actor: &Actor,
        name: &str,
        text: &str,
    ) -> Result<StandardUpload> {
        crate::gate::require(actor, Action::PenaltyStandardManage)?;
        let mut errs = Errors::default();
        let name = match text::line("name", name) {
            Ok(n) => n.unwrap_or_default(),
            Err(e) => {
                errs.push(e);
                String::new()
            }
        };
        if name.chars().count() > 100 {
            errs.push(FieldError::too_long("name", 100));
        }
        // The file is checked as a long text and kept as sent (its line numbers stay).
        let checked = text::block("text", text);
        if let Err(e) = &checked {
            errs.push(e.clone());
        } else if checked.is_ok_and(|t| t.is_none()) {
            errs.push(FieldError::new(
                "text",
                "required",
                "请粘贴或选择裁量基准文件（TOML）",
                "Paste or choose the standard file (TOML)",
            ));
        } else if text.len() > STANDARD_MAX_BYTES {
            errs.push(FieldError::new(
                "text",
                "too_large",
                "裁量基准文件不能超过 1 MB",
                "The standard may be at most 1 MB",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs.0));
        }
        let owned = text.to_string();
        let engine = tokio::task::spawn_blocking(move || Engine::with_standard(&owned))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let engine = match engine {
            Ok(e) => e,
            Err(frontline_core::penalty::LoadError::Standard(e)) => {
                return Err(AppError::field(standard_field_error(&e, text)));
            }
            Err(e) => return Err(AppError::Internal(e.to_string())),
        };
        let std = &engine.standard;
        let name = if name.is_empty() {
            std.name_zh.clone()
        } else {
            name
        };
        let id = Uuid::now_v7();
        let now = self.now();
        self.store
            .insert_penalty_standard(
                NewPenaltyStandard {
                    id,
                    name: name.clone(),
                    version: std.version.clone(),
                    text: text.to_string(),
                    uploaded_by: actor.officer_id,
                    uploaded_at: now,
                },
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "penalty.standard.upload".into(),
                    object_type: "penalty_standard".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({
                        "name": name,
                        "version": std.version,
                        "bytes": text.len(),
                        "situations": std.situations.len(),
                    })
                    .to_string(),
                },
            )
            .await?;
        let row = PenaltyStandardRow {
            id,
            name,
            version: std.version.clone(),
            uploaded_by: actor.officer_id,
            uploaded_by_name: actor.display_name.clone(),
            uploaded_at: now,
            activated_at: None,
            active: false,
        };
        Ok(StandardUpload {
            standard: standard_view(&row, self.penalty.current().standard_id),
            situations: std.situations.len(),
            circumstances: std.circumstances.len(),
        })
    }

    /// Makes a stored standard the one in use; the previous one stays on record.
    pub async fn activate_standard(&self, actor: &Actor, id: Uuid) -> Result<StandardView> {
        crate::gate::require(actor, Action::PenaltyStandardManage)?;
        let (row, text) = self
            .store
            .penalty_standard(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let engine = tokio::task::spawn_blocking(move || Engine::with_standard(&text))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| {
                AppError::field(FieldError::new(
                    "id",
                    "standard.no_longer_valid",
                    format!("该裁量基准已不能通过校验，不能启用：{e}"),
                    format!("This standard no longer validates and cannot be activated: {e}"),
                ))
            })?;
        let previous = self.penalty.current().standard_id;
        let now = self.now();
        let row = self
            .store
            .activate_penalty_standard(
                id,
                now,
                AuditDraft {
                    at: now,
                    actor_id: Some(actor.officer_id),
                    actor: actor.username.clone(),
                    action: "penalty.standard.activate".into(),
                    object_type: "penalty_standard".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({
                        "name": row.name,
                        "version": row.version,
                        "previous": previous,
                    })
                    .to_string(),
                },
            )
            .await?;
        self.penalty.replace(LoadedEngine {
            engine,
            standard_id: Some(id),
            load_error: None,
            failed_id: None,
        });
        Ok(standard_view(&row, Some(id)))
    }
}

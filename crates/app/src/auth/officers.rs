//! Officer accounts, created and changed by an operator on the server.

use frontline_core::FieldError;
use frontline_core::org::Role;
use frontline_core::text;
use frontline_store::{AuditDraft, OfficerRow};
use uuid::Uuid;

use super::check_password_rules;
use crate::{App, AppError, Result};

impl App {
    /// `frontline user add`: an operator on the server creates an account, which must
    /// choose its own password at its first sign-in.
    pub async fn add_officer(&self, by: &str, new: NewOfficer) -> Result<Uuid> {
        let mut errs = Vec::new();
        // A refused character leaves no username: `username.invalid` says what may be used.
        let username = text::line("username", &new.username)
            .ok()
            .flatten()
            .unwrap_or_default();
        let display_name = text::required_line("display_name", &new.display_name);
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            errs.push(FieldError::new(
                "username",
                "username.invalid",
                "用户名只能包含字母、数字、点、下划线和连字符（最长64位）",
                "Username may hold letters, digits, '.', '_' and '-' (at most 64)",
            ));
        }
        let unit = self.org.unit_by_code(&new.unit_code);
        if unit.is_none() {
            errs.push(FieldError::new(
                "unit",
                "unit.unknown",
                "单位不存在",
                "Unknown unit",
            ));
        }
        let mut roles = Vec::new();
        for r in &new.roles {
            match Role::parse(r) {
                Some(role) => roles.push(role),
                None => errs.push(FieldError::new(
                    "roles",
                    "role.unknown",
                    format!("角色不存在：{r}"),
                    format!("Unknown role: {r}"),
                )),
            }
        }
        if roles.is_empty() && errs.is_empty() {
            errs.push(FieldError::required("roles"));
        }
        if let Err(AppError::Validation(mut e)) =
            check_password_rules("password", &new.password, &username, self.config.demo)
        {
            errs.append(&mut e);
        }
        let display_name = display_name.map_err(|e| errs.push(e)).unwrap_or_default();
        let Some(unit) = unit.filter(|_| errs.is_empty()) else {
            return Err(AppError::Validation(errs));
        };
        if self.store.officer_by_username(&username).await?.is_some() {
            return Err(AppError::field(FieldError::new(
                "username",
                "username.taken",
                "用户名已存在",
                "Username already exists",
            )));
        }
        let now = self.now();
        let id = Uuid::now_v7();
        let hash = self.hash_password(&new.password).await?;
        self.store
            .insert_officer(
                OfficerRow {
                    id,
                    username: username.clone(),
                    display_name,
                    unit_id: unit.id,
                    roles: roles.clone(),
                    auxiliary: new.auxiliary,
                    badge_no: None,
                    password_hash: hash,
                    disabled: false,
                    created_at: now,
                    // The operator knows this password: the officer chooses their own.
                    must_change_password: true,
                    totp_enrolled: false,
                },
                AuditDraft {
                    at: now,
                    actor_id: None,
                    actor: by.to_string(),
                    action: "officer.create".into(),
                    object_type: "officer".into(),
                    object_id: id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": username, "unit": unit.code, "roles": Role::join(&roles) })
                        .to_string(),
                },
            )
            .await?;
        Ok(id)
    }

    /// `frontline user passwd` (the officer then chooses their own at next sign-in) /
    /// `user disable` / `user enable`.
    pub async fn update_officer(
        &self,
        by: &str,
        username: &str,
        password: Option<&str>,
        disabled: Option<bool>,
    ) -> Result<()> {
        let officer = self
            .store
            .officer_by_username(username)
            .await?
            .ok_or(AppError::NotFound)?;
        let hash = match password {
            Some(p) => {
                check_password_rules("password", p, username, self.config.demo)?;
                Some(self.hash_password(p).await?)
            }
            None => None,
        };
        let action = match (password.is_some(), disabled) {
            (_, Some(true)) => "officer.disable",
            (_, Some(false)) => "officer.enable",
            _ => "officer.password",
        };
        self.store
            .update_officer_auth(
                officer.id,
                hash,
                // A password an operator set is changed by the officer at next sign-in.
                password.map(|_| true),
                disabled,
                AuditDraft {
                    at: self.now(),
                    actor_id: None,
                    actor: by.to_string(),
                    action: action.into(),
                    object_type: "officer".into(),
                    object_id: officer.id.to_string(),
                    purpose: None,
                    detail: serde_json::json!({ "username": username }).to_string(),
                },
            )
            .await?;
        if let Ok(mut m) = self.auth.sessions.write() {
            m.retain(|_, (s, _)| s.actor.officer_id != officer.id);
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub roles: Vec<String>,
    pub auxiliary: bool,
    pub password: String,
}

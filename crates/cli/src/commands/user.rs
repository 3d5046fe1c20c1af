//! `frontline user …`: officer accounts, created and changed by an operator on the server.

use std::io::Read;

use anyhow::bail;
use clap::Subcommand;
use frontline_app::auth::NewOfficer;

use super::{DbArgs, app_error, open_app};

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// Display name, e.g. 张伟.
        #[arg(long)]
        name: String,
        /// Unit code, e.g. S01.
        #[arg(long)]
        unit: String,
        /// Comma-separated roles, e.g. desk_officer,case_officer.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        auxiliary: bool,
    },
    /// Set a new password (read from standard input).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Enable a disabled account.
    Enable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Remove an officer's second factor (a lost phone); audited. If a role requires
    /// one, the officer sets up a new one at the next sign-in.
    TotpReset {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!(
            "no password on standard input (e.g. `echo 'secret-pass' | frontline user passwd NAME`)"
        );
    }
    Ok(p)
}

fn operator() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    )
}

pub(crate) async fn run(cmd: UserCmd) -> anyhow::Result<()> {
    match cmd {
        UserCmd::Add {
            db,
            username,
            name,
            unit,
            roles,
            auxiliary,
        } => {
            let app = open_app(&db.config()).await?;
            let password = read_password()?;
            let id = app
                .add_officer(
                    &operator(),
                    NewOfficer {
                        username: username.clone(),
                        display_name: name,
                        unit_code: unit,
                        roles,
                        auxiliary,
                        password,
                    },
                )
                .await
                .map_err(app_error)?;
            println!(
                "created {username} ({id}); the officer chooses a new password at the first sign-in"
            );
        }
        UserCmd::Passwd { db, username } => {
            let app = open_app(&db.config()).await?;
            let password = read_password()?;
            app.update_officer(&operator(), &username, Some(&password), None)
                .await
                .map_err(app_error)?;
            println!(
                "password changed for {username}; the officer chooses a new one at the next sign-in"
            );
        }
        UserCmd::Disable { db, username } => {
            let app = open_app(&db.config()).await?;
            app.update_officer(&operator(), &username, None, Some(true))
                .await
                .map_err(app_error)?;
            println!("disabled {username}");
        }
        UserCmd::Enable { db, username } => {
            let app = open_app(&db.config()).await?;
            app.update_officer(&operator(), &username, None, Some(false))
                .await
                .map_err(app_error)?;
            println!("enabled {username}");
        }
        UserCmd::TotpReset { db, username } => {
            let app = open_app(&db.config()).await?;
            app.reset_totp(&operator(), &username)
                .await
                .map_err(app_error)?;
            println!("second factor removed for {username}; a running server notices within 60 s");
        }
    }
    Ok(())
}

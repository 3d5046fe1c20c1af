//! `frontline audit verify`: the app's chain check, run over the store without a full
//! application (no catalogs or calendars are loaded for it).

use std::process::ExitCode;

use clap::Subcommand;
use frontline_app::audit::verify_audit;
use frontline_store::{DbConfig, Store};

use super::{DbArgs, describe};

#[derive(Subcommand)]
pub(crate) enum AuditCmd {
    /// Check the audit chain; exit 0 when intact, 1 naming the first bad entry.
    Verify(DbArgs),
}

pub(crate) async fn run(cmd: AuditCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCmd::Verify(db) => verify(&db.config()).await,
    }
}

async fn verify(db: &DbConfig) -> anyhow::Result<ExitCode> {
    let store = Store::open(db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", describe(db)))?;
    let report = verify_audit(&store).await?;
    println!("{report}");
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

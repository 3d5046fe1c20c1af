//! `frontline stats rebuild`: counts every incident into the statistics rollups again.
//! An upgrade does this by itself at the first start; this is for an operator who has
//! reason to doubt the figures (a rebuild interrupted by a crash, a restored backup).
//! Run it with every server of this database stopped: writes made meanwhile would be
//! counted twice or not at all.

use clap::Subcommand;
use frontline_app::AppConfig;

use super::{DbArgs, app_error, describe, open_app_with};

#[derive(Subcommand)]
pub(crate) enum StatsCmd {
    /// Rebuild the statistics rollups from the incidents table.
    Rebuild(DbArgs),
}

pub(crate) async fn run(cmd: StatsCmd) -> anyhow::Result<()> {
    match cmd {
        StatsCmd::Rebuild(db) => {
            let cfg = db.config();
            let app = open_app_with(&cfg, AppConfig::default()).await?;
            println!("Database: {}", describe(&cfg));
            let started = std::time::Instant::now();
            let n = app.rebuild_statistics(true).await.map_err(app_error)?;
            println!(
                "Counted {} incidents into the rollups in {:.1} s.",
                n.unwrap_or(0),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

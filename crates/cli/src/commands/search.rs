//! `frontline search reindex`: rebuilds this instance's search index from the incidents
//! table (with a progress bar), then applies the change log written meanwhile. Run it
//! with the server of this data directory stopped: the index has one writer.

use clap::Subcommand;
use frontline_app::AppConfig;

use super::{DbArgs, app_error, describe, open_app_with};

#[derive(Subcommand)]
pub(crate) enum SearchCmd {
    /// Rebuild the search index of this data directory from the database.
    Reindex(DbArgs),
}

pub(crate) async fn run(cmd: SearchCmd) -> anyhow::Result<()> {
    match cmd {
        SearchCmd::Reindex(db) => reindex(db).await,
    }
}

async fn reindex(args: DbArgs) -> anyhow::Result<()> {
    let db = args.config();
    let dir = args.search_dir();
    let app = open_app_with(
        &db,
        AppConfig {
            search_dir: Some(dir.clone()),
            ..AppConfig::default()
        },
    )
    .await?;
    println!("Database: {}", describe(&db));
    println!("Index: {}", dir.display());
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} incidents ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let n = app.search_rebuild(&progress).await.map_err(app_error)?;
    bar.finish();
    let caught = app.search_catch_up().await.map_err(app_error)?;
    println!(
        "Indexed {n} incidents in {:.1} s; {caught} changes applied after; change log at {}.",
        started.elapsed().as_secs_f64(),
        app.search.mark()
    );
    Ok(())
}

//! `frontline demo`: loads the demo jurisdiction once, then serves it.

use clap::Args;
use frontline_app::demo::{DEMO_PASSWORD, DemoOutcome};

use super::serve::{Resolved, ServeArgs, serve};
use super::{app_error, describe, open_app_with};

#[derive(Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// How many incidents the demo holds (12 months' worth by default).
    #[arg(long, default_value_t = frontline_app::demo::plan::DEMO_INCIDENT_COUNT)]
    incidents: usize,
    /// Load and exit without serving.
    #[arg(long)]
    no_serve: bool,
}

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let DemoArgs {
        serve: args,
        incidents,
        no_serve,
    } = args;
    let Resolved {
        db,
        listen,
        mut app,
    } = args.resolve()?;
    // The demo's published password may be chosen here, and only here.
    app.demo = true;
    let app = open_app_with(&db, app).await?;
    println!("Database: {}", describe(&db));
    match app
        .load_demo(chrono::Utc::now(), incidents)
        .await
        .map_err(app_error)?
    {
        DemoOutcome::Loaded {
            units,
            officers,
            incidents,
        } => {
            println!(
                "Loaded the demo jurisdiction: {units} units, {officers} officers, {incidents} incidents."
            )
        }
        DemoOutcome::AlreadyLoaded => println!("Demo jurisdiction already loaded."),
    }
    // The demo's data is new: its search index is built before the first request.
    let started = std::time::Instant::now();
    app.search_catch_up().await.map_err(app_error)?;
    println!(
        "Search index: {} incidents in {:.1} s.",
        app.search.doc_count(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "Demo accounts (password `{DEMO_PASSWORD}`): admin, command, leader, legal, custodian; \
         s1.desk … s11.desk, s<k>.chief, s<k>.community, s<k>.investigator; street1 … street11, procuratorate, court."
    );
    if !no_serve {
        serve(app, listen).await?;
    }
    Ok(())
}

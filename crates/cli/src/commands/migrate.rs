//! `frontline migrate`: applies the migrations (opening the store does) and reports the
//! schema version. A store-level task with no use case above it.

use frontline_store::Store;

use super::{DbArgs, describe};

pub(crate) async fn run(db: DbArgs) -> anyhow::Result<()> {
    let db = db.config();
    let store = Store::open(&db).await?;
    println!(
        "{}: schema version {}",
        describe(&db),
        store.schema_version().await?
    );
    Ok(())
}

//! Full-text search over incidents' narratives and addresses.
//!
//! The database is the source of truth. Every write that changes what the index holds
//! of an incident leaves a row in the change log (`incident_changes`, by trigger, in the
//! writing transaction); each instance keeps its own tantivy index (under its data
//! directory) and applies the log after the mark stored in the index's last commit, so a
//! restart continues where it stopped and never rebuilds unless the index is missing or
//! of another version. `frontline search reindex` rebuilds it from the incidents table.
//! Terms are matched as substrings through character bigrams
//! ([`frontline_core::search`]); the page's rows are read from the database within the
//! actor's scope and checked against the filters and the terms again, so a lagging
//! index can miss a row for a moment but never shows one that does not match.

mod index;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use frontline_store::{IncidentChange, MAX_IDS_PER_READ};
pub(crate) use index::SearchFilter;
pub use index::SearchIndex;
use uuid::Uuid;

use crate::{App, Result};

/// Change-log rows read per round.
const BATCH: i64 = 2_000;
/// How often the indexer looks at the log when nothing woke it (other instances' writes).
const POLL: Duration = Duration::from_millis(500);
/// The shortest time between two rounds of the indexer.
const MIN_ROUND: Duration = Duration::from_millis(200);
/// Rows per step of a rebuild scan.
const SCAN: i64 = 5_000;
/// After a rebuild the log is applied again from this many changes before its top: on
/// PostgreSQL a write with a lower number may still have been committing while the
/// table was read.
const REBUILD_LOOKBACK: i64 = 10_000;

impl App {
    /// Wakes this instance's indexer (after a write here that changed an incident).
    pub(crate) fn wake_search(&self) {
        self.search.wake.notify_one();
    }

    /// Runs the indexer for as long as the server runs: rebuilds a missing index, then
    /// applies the change log whenever woken, and at least every 500 ms; at most one
    /// round (one commit) per 200 ms, so that a burst of writes costs few commits.
    pub async fn run_search_indexer(self) {
        loop {
            if let Err(e) = self.search_catch_up().await {
                tracing::warn!(error = %e, "search indexer round failed");
            }
            tokio::time::sleep(MIN_ROUND).await;
            let _ = tokio::time::timeout(POLL, self.search.wake.notified()).await;
        }
    }

    /// Applies the change log to the index until it is caught up (rebuilding first when
    /// the index holds no mark); answers how many changes were applied.
    pub async fn search_catch_up(&self) -> Result<usize> {
        if self.search.needs_rebuild() {
            self.search_rebuild(&|_, _| {}).await?;
        }
        let mut applied = 0usize;
        loop {
            let mark = self.search.mark();
            let rows = self.store.incident_changes_after(mark, BATCH).await?;
            let full = rows.len() as i64 == BATCH;
            let fresh: Vec<IncidentChange> = rows
                .iter()
                .copied()
                .filter(|c| !self.search.is_applied_beyond(c.seq))
                .collect();
            let seqs: Vec<i64> = rows.iter().map(|c| c.seq).collect();
            let mut ids: Vec<Uuid> = Vec::new();
            let mut seen = HashSet::new();
            for c in &fresh {
                if seen.insert(c.incident_id) {
                    ids.push(c.incident_id);
                }
            }
            let mut docs = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(MAX_IDS_PER_READ) {
                docs.extend(self.store.search_docs(chunk.to_vec()).await?);
            }
            let found: HashSet<Uuid> = docs.iter().map(|d| d.id).collect();
            let gone: Vec<Uuid> = ids.into_iter().filter(|i| !found.contains(i)).collect();
            let search = self.search.clone();
            let moved = tokio::task::spawn_blocking(move || search.apply(&docs, &gone, &seqs))
                .await
                .map_err(|e| crate::AppError::Internal(format!("search apply: {e}")))??;
            applied += fresh.len();
            if !(full && moved) {
                break;
            }
        }
        Ok(applied)
    }

    /// Rebuilds the index from the incidents table; `progress(done, total)` is called
    /// after each step. Answers how many incidents were indexed.
    pub async fn search_rebuild(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64> {
        let top = self.store.last_incident_change().await?;
        let total = self.store.count_incidents().await?.max(0) as u64;
        let search = self.search.clone();
        run_blocking(move || search.rebuild_start()).await?;
        let mut after = None;
        let mut done = 0u64;
        progress(0, total);
        loop {
            let docs = self.store.search_docs_scan(after, SCAN).await?;
            let Some(last) = docs.last() else { break };
            after = Some(last.id);
            done += docs.len() as u64;
            let search = self.search.clone();
            run_blocking(move || search.rebuild_add(&docs)).await?;
            progress(done, total.max(done));
        }
        let mark = (top - REBUILD_LOOKBACK).max(0);
        let search = self.search.clone();
        run_blocking(move || search.rebuild_finish(mark)).await?;
        Ok(done)
    }
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::AppError::Internal(format!("search task: {e}")))?
}

/// The index of an App: on disk under `dir`, or in memory.
pub(crate) fn open(dir: Option<&std::path::Path>) -> Result<Arc<SearchIndex>> {
    Ok(Arc::new(SearchIndex::open(dir)?))
}

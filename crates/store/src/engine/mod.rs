//! What each engine needs beneath the capabilities: connections, the group-commit
//! writer, migrations.

use std::sync::Arc;

use crate::{DbError, StoreError};

pub(crate) mod migrate;
pub(crate) mod pg;
pub(crate) mod sqlite;

/// The audit chain's head as the writer knows it inside one batch.
#[derive(Debug, Clone)]
pub(crate) struct ChainHead {
    pub(crate) seq: i64,
    pub(crate) hash: String,
}

/// The batch that starts with `first`: every job already waiting (`next` never waits),
/// up to `max`. A standalone job runs alone; one that arrives mid-batch is `held` for the
/// next batch. Both engines' writers batch this way.
pub(crate) fn gather<J>(
    first: J,
    max: usize,
    standalone: impl Fn(&J) -> bool,
    mut next: impl FnMut() -> Option<J>,
    held: &mut Option<J>,
) -> Vec<J> {
    let alone = standalone(&first);
    let mut batch = vec![first];
    while !alone && batch.len() < max {
        match next() {
            Some(j) if standalone(&j) => {
                *held = Some(j);
                break;
            }
            Some(j) => batch.push(j),
            None => break,
        }
    }
    batch
}

/// Why a batch did not commit; every request of the batch gets the same one.
type CommitError = Arc<dyn std::error::Error + Send + Sync>;

/// Answers a request whose batch did not commit.
type Finisher = Box<dyn FnOnce(std::result::Result<(), CommitError>) + Send>;

fn commit_error(message: &str) -> CommitError {
    Arc::new(DbError {
        message: message.to_string(),
        source: None,
    })
}

fn commit_failed(e: CommitError) -> StoreError {
    StoreError::db_with(e.to_string(), e)
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use crate::StoreError;

    #[test]
    fn driver_errors_stay_reachable_as_the_source() {
        let e = StoreError::from(rusqlite::Error::InvalidQuery);
        assert_eq!(
            e.to_string(),
            format!("database error: {}", rusqlite::Error::InvalidQuery)
        );
        let StoreError::Db(db) = &e else {
            panic!("not a Db error: {e:?}")
        };
        assert_eq!(db.message(), rusqlite::Error::InvalidQuery.to_string());
        assert!(db.source().is_some_and(|s| s.is::<rusqlite::Error>()));
    }

    #[test]
    fn a_failed_batch_names_its_cause() {
        let e = super::commit_failed(super::commit_error("the write batch was rolled back"));
        assert_eq!(
            e.to_string(),
            "database error: the write batch was rolled back"
        );
    }

    #[test]
    fn a_batch_takes_what_waits_and_leaves_a_standalone_job_for_the_next() {
        // Jobs are (id, standalone).
        let mut waiting = vec![(2, false), (3, false), (4, true), (5, false)].into_iter();
        let mut held = None;
        let b = super::gather((1, false), 10, |j| j.1, || waiting.next(), &mut held);
        assert_eq!(b, vec![(1, false), (2, false), (3, false)]);
        assert_eq!(held, Some((4, true)));
        // A standalone first job runs alone.
        let mut held2 = None;
        let b = super::gather((4, true), 10, |j| j.1, || waiting.next(), &mut held2);
        assert_eq!(b, vec![(4, true)]);
        assert_eq!(held2, None);
        // Never more than `max`.
        let mut many = (0..100).map(|i| (i, false));
        let b = super::gather((-1, false), 8, |j| j.1, || many.next(), &mut held2);
        assert_eq!(b.len(), 8);
    }
}

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
}

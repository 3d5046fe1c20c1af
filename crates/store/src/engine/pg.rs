//! PostgreSQL engine: a connection pool and one writer task with group commit. The
//! audit chain is ordered by locking its head row for the batch transaction.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Transaction,
};
use tokio::sync::mpsc;
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::{ChainHead, CommitError, Finisher, commit_error, commit_failed, migrate};
use crate::sql::Value;
use crate::{Result, StoreError};

/// Most requests one commit carries (as on SQLite).
pub(crate) const MAX_BATCH: usize = 256;

type JobFuture<'a> = Pin<Box<dyn Future<Output = (bool, Finisher)> + Send + 'a>>;
type JobFn =
    Box<dyn for<'a, 'b> FnOnce(&'a Transaction<'b>, &'a mut ChainHead) -> JobFuture<'a> + Send>;

/// What a write runs inside the batch transaction.
pub(crate) type WriteFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

struct Job {
    /// Runs alone, without a savepoint (bulk loads).
    standalone: bool,
    run: JobFn,
}

pub struct PgStore {
    pub(crate) pool: Pool,
    jobs: mpsc::UnboundedSender<Job>,
    /// For connections outside the pool (the board's `LISTEN`).
    config: tokio_postgres::Config,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if db.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
                return StoreError::Conflict(db.message().to_string());
            }
            let message = db.message().to_string();
            return StoreError::db_with(message, e);
        }
        StoreError::db_from(e)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::db_from(e)
    }
}

/// Bound arguments as PostgreSQL takes them (instants as `timestamptz`).
pub(crate) fn bind(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| match v {
            Value::Text(s) => s as &(dyn ToSql + Sync),
            Value::Time(t) => t as &(dyn ToSql + Sync),
        })
        .collect()
}

/// Locks the audit head for this transaction and reads it.
pub(crate) async fn lock_head(tx: &Transaction<'_>) -> Result<ChainHead> {
    let row = tx
        .query_one(
            "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    Ok(ChainHead {
        seq: row.try_get(0)?,
        hash: row.try_get(1)?,
    })
}

/// Writes the head the chain reached, inside the open transaction.
pub(crate) async fn store_head(
    c: &impl GenericClient,
    head: &ChainHead,
) -> std::result::Result<u64, tokio_postgres::Error> {
    c.execute(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&head.seq, &head.hash],
    )
    .await
}

/// Group commit on PostgreSQL: one task takes every waiting write, runs each in its own
/// savepoint inside one transaction that holds the audit head's row lock, and commits
/// once. One lock acquisition and one WAL flush serve the whole batch; with several
/// instances the head lock still orders the chain, batch by batch.
async fn writer_loop(pool: Pool, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(j) => j,
            None => match rx.recv().await {
                Some(j) => j,
                None => break,
            },
        };
        let standalone = first.standalone;
        let batch = super::gather(
            first,
            MAX_BATCH,
            |j| j.standalone,
            || rx.try_recv().ok(),
            &mut held,
        );
        // Dropping a job unanswered drops its reply channel: its caller gets an error.
        let mut client = match pool.get().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "no PostgreSQL connection for a write batch");
                continue;
            }
        };
        if let Err(e) = run_batch(&mut client, batch, standalone).await {
            tracing::error!(error = %e, "write batch failed");
        }
    }
}

async fn run_batch(
    client: &mut deadpool_postgres::Object,
    batch: Vec<Job>,
    standalone: bool,
) -> Result<()> {
    let tx = client.transaction().await?;
    let mut head = lock_head(&tx).await?;
    let start_seq = head.seq;
    let jobs = batch.len();
    let mut finishers = Vec::with_capacity(jobs);
    let mut failed_standalone = false;
    // Whether the savepoint "job" is open for the next job: closing one job's savepoint
    // and opening the next one's share a round trip.
    let mut open = false;
    // A savepoint statement failed: the transaction is aborted, and COMMIT on an aborted
    // transaction rolls back without an error, so the batch must be failed explicitly.
    let mut poisoned = false;
    for (i, job) in batch.into_iter().enumerate() {
        if standalone {
            let (ok, fin) = (job.run)(&tx, &mut head).await;
            failed_standalone = !ok;
            finishers.push(fin);
            continue;
        }
        if !open && let Err(e) = tx.batch_execute("SAVEPOINT job").await {
            tracing::error!(error = %e, "cannot open a savepoint");
            poisoned = true;
            continue;
        }
        let saved = head.clone();
        let (ok, fin) = (job.run)(&tx, &mut head).await;
        if !ok {
            head = saved;
        }
        let last = i + 1 == jobs;
        let end = match (ok, last) {
            (true, true) => "RELEASE SAVEPOINT job",
            (true, false) => "RELEASE SAVEPOINT job; SAVEPOINT job",
            (false, true) => "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job",
            (false, false) => "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job; SAVEPOINT job",
        };
        match tx.batch_execute(end).await {
            Ok(()) => open = !last,
            Err(e) => {
                tracing::error!(error = %e, "savepoint failed");
                poisoned = true;
                open = false;
            }
        }
        finishers.push(fin);
    }
    if failed_standalone {
        let _ = tx.rollback().await;
        for fin in finishers {
            fin(Ok(()));
        }
        return Ok(());
    }
    if poisoned {
        let _ = tx.rollback().await;
        let e = commit_error("the write batch was rolled back");
        for fin in finishers {
            fin(Err(e.clone()));
        }
        return Ok(());
    }
    let mut result: std::result::Result<(), CommitError> = Ok(());
    if head.seq != start_seq
        && let Err(e) = store_head(&tx, &head).await
    {
        result = Err(Arc::new(e));
    }
    if result.is_ok()
        && let Err(e) = tx.commit().await
    {
        result = Err(Arc::new(e));
    }
    for fin in finishers {
        fin(result.clone());
    }
    Ok(())
}

impl PgStore {
    pub(crate) async fn open(url: &str) -> Result<PgStore> {
        let cfg: tokio_postgres::Config = url
            .parse()
            .map_err(StoreError::db_from::<tokio_postgres::Error>)?;
        let mgr = Manager::from_config(
            cfg.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(32)
            .build()
            .map_err(StoreError::db_from)?;
        let (jobs, rx) = mpsc::unbounded_channel();
        let store = PgStore {
            pool: pool.clone(),
            jobs,
            config: cfg,
        };
        migrate::postgres(&store.pool).await?;
        tokio::spawn(writer_loop(pool, rx));
        Ok(store)
    }

    /// Runs `f` in the writer's next batch transaction (its own savepoint), resolving
    /// after the batch has committed.
    pub(crate) async fn write<T, F>(&self, standalone: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a, 'b> FnOnce(&'a Transaction<'b>, &'a mut ChainHead) -> WriteFuture<'a, T>
            + Send
            + 'static,
    {
        let (otx, orx) = tokio::sync::oneshot::channel::<Result<T>>();
        let run: JobFn = Box::new(move |tx, head| {
            Box::pin(async move {
                let r = f(tx, head).await;
                let ok = r.is_ok();
                let fin: Finisher = Box::new(move |commit| {
                    let _ = otx.send(match commit {
                        Ok(()) => r,
                        Err(e) => Err(commit_failed(e)),
                    });
                });
                (ok, fin)
            })
        });
        self.jobs
            .send(Job { standalone, run })
            .map_err(|_| StoreError::db("writer stopped"))?;
        orx.await
            .map_err(|_| StoreError::db("the write batch failed"))?
    }

    /// Opens a connection of its own, `LISTEN`s on `channel`, says so on `ready`, and
    /// forwards every notification's payload to `to` until the connection ends (its
    /// error) or `to` is closed (`Ok`). The caller reconnects.
    pub(crate) async fn listen(
        &self,
        channel: &str,
        ready: tokio::sync::oneshot::Sender<()>,
        to: mpsc::UnboundedSender<String>,
    ) -> Result<()> {
        let (client, mut conn) = self.config.connect(NoTls).await?;
        let (msgs, mut inbox) = mpsc::unbounded_channel();
        // The connection does its I/O only while polled: one task drives it and hands
        // the notifications over.
        let driver = tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                    Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) => {
                        if msgs.send(Ok(n.payload().to_string())).is_err() {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        let _ = msgs.send(Err(e));
                        return;
                    }
                    None => return,
                }
            }
        });
        let quoted = channel.replace('"', "");
        let listened = client.batch_execute(&format!("LISTEN \"{quoted}\"")).await;
        if let Err(e) = listened {
            driver.abort();
            return Err(e.into());
        }
        let _ = ready.send(());
        let result = loop {
            match inbox.recv().await {
                Some(Ok(payload)) => {
                    if to.send(payload).is_err() {
                        break Ok(());
                    }
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Err(StoreError::db("the LISTEN connection ended")),
            }
        };
        driver.abort();
        drop(client);
        result
    }

    pub(crate) async fn schema_version(&self) -> Result<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await?
        .try_get(0)?)
    }
}

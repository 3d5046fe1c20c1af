//! SQLite engine: one writer thread with group commit, a small pool of readers.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, ToSql, params};

use super::{ChainHead, CommitError, Finisher, commit_failed, migrate};
use crate::sql::Value;
use crate::{Result, StoreError, micros};

/// Most requests one commit carries; bounds the latency a request waits behind others.
pub(crate) const MAX_BATCH: usize = 512;
const READERS: usize = 4;
/// Prepared statements kept per connection. rusqlite keeps 16 by default, fewer than
/// the statements one transition's batch uses (update, timeline, statistics cells,
/// outbox, audit, the dispatcher's claim and delivery): the least recently used was
/// evicted and parsed again on every request (~13 % of the CPU at 64 clients).
const STATEMENT_CACHE: usize = 256;

type JobFn = Box<dyn FnOnce(&Connection, &mut ChainHead) -> (bool, Finisher) + Send>;

struct Job {
    /// Large jobs (bulk loads) run alone in their own transaction, without a savepoint:
    /// SQLite's sub-journal makes each statement inside a big savepoint cost time in
    /// proportion to what the savepoint has touched, which turns a bulk load quadratic.
    standalone: bool,
    run: JobFn,
}

pub struct SqliteStore {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(f, msg)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                StoreError::Conflict(msg.clone().unwrap_or_default())
            }
            _ => StoreError::db_from(e),
        }
    }
}

/// Instants are stored as microseconds since the epoch.
impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Value::Text(s) => s.to_sql(),
            Value::Time(t) => Ok(ToSqlOutput::from(micros(*t))),
        }
    }
}

fn configure(conn: &Connection) -> Result<()> {
    // WAL lets readers run beside the writer; synchronous=FULL makes every commit
    // durable against power loss, which group commit keeps affordable.
    // busy_timeout first: switching a new file to WAL must wait for another opener.
    conn.execute_batch("PRAGMA busy_timeout=10000;")?;
    // Switching the journal mode does not always go through the busy handler: when
    // another instance is creating or migrating a new file at that moment SQLite answers
    // "database is locked" at once. Retry for as long as the busy timeout would wait.
    let mut wait = Duration::from_millis(5);
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => break,
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy && Instant::now() < give_up =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(200));
            }
            Err(e) => return Err(e.into()),
        }
    }
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         PRAGMA foreign_keys=ON;
         PRAGMA cache_size=-16000;
         PRAGMA temp_store=MEMORY;",
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn load_head(conn: &Connection) -> Result<ChainHead> {
    let (seq, hash) = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    Ok(ChainHead { seq, hash })
}

/// Writes the head the chain reached, inside the open transaction.
pub(crate) fn store_head(conn: &Connection, head: &ChainHead) -> rusqlite::Result<usize> {
    conn.prepare_cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1")?
        .execute(params![head.seq, head.hash])
}

/// A statement the writer runs on every batch or job (`BEGIN`, savepoints, `COMMIT`),
/// parsed once.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn writer_loop(conn: Connection, rx: mpsc::Receiver<Job>, mut head: ChainHead) {
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(j) => j,
            None => match rx.recv() {
                Ok(j) => j,
                Err(_) => break,
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
        if let Err(e) = run(&conn, "BEGIN IMMEDIATE") {
            // Never run a job outside a transaction: dropping a job drops its reply
            // channel, and its caller gets an error.
            tracing::error!(error = %e, "cannot begin a write batch");
            continue;
        }
        // Another connection to this file (e.g. a CLI command beside the server) may
        // have appended since our last batch; under the write lock the stored head is
        // authoritative.
        match load_head(&conn) {
            Ok(h) => head = h,
            Err(e) => tracing::error!(error = %e, "cannot read the audit head"),
        }
        let start_head = head.clone();
        let mut finishers = Vec::with_capacity(batch.len());
        let mut failed_standalone = false;
        for job in batch {
            if standalone {
                let (ok, fin) = (job.run)(&conn, &mut head);
                failed_standalone = !ok;
                finishers.push(fin);
                continue;
            }
            if let Err(e) = run(&conn, "SAVEPOINT job") {
                tracing::error!(error = %e, "cannot open a savepoint");
                continue;
            }
            let saved = head.clone();
            let (ok, fin) = (job.run)(&conn, &mut head);
            let end = if ok {
                run(&conn, "RELEASE job")
            } else {
                head = saved;
                conn.execute_batch("ROLLBACK TO job; RELEASE job")
            };
            if let Err(e) = end {
                tracing::error!(error = %e, "savepoint failed");
            }
            finishers.push(fin);
        }
        if failed_standalone {
            // The job failed part-way: undo all of it; its caller already has its error.
            let _ = conn.execute_batch("ROLLBACK");
            head = start_head;
            for fin in finishers {
                fin(Ok(()));
            }
            continue;
        }
        let mut result: std::result::Result<(), CommitError> = Ok(());
        if head.seq != start_head.seq
            && let Err(e) = store_head(&conn, &head)
        {
            result = Err(Arc::new(e));
        }
        if result.is_ok()
            && let Err(e) = run(&conn, "COMMIT")
        {
            result = Err(Arc::new(e));
        }
        if result.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
            head = load_head(&conn).unwrap_or(start_head);
        }
        for fin in finishers {
            fin(result.clone());
        }
    }
}

impl SqliteStore {
    pub(crate) async fn open(path: &Path) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(&path))
            .await
            .map_err(StoreError::db_from)?
    }

    fn open_blocking(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::db_with(format!("{}: {e}", dir.display()), e))?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate::sqlite(&mut conn)?;
        let head = load_head(&conn)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.execute_batch("PRAGMA busy_timeout=10000; PRAGMA cache_size=-16000;")?;
            r.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            readers.push(Mutex::new(r));
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx, head))
            .map_err(StoreError::db_from)?;
        Ok(SqliteStore {
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Runs `f` inside the writer's current batch transaction (its own savepoint);
    /// resolves after the batch has committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut ChainHead) -> Result<T> + Send + 'static,
    {
        self.submit(false, f).await
    }

    /// Like `write`, but alone in its own transaction (for large jobs).
    pub(crate) async fn write_standalone<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut ChainHead) -> Result<T> + Send + 'static,
    {
        self.submit(true, f).await
    }

    async fn submit<T, F>(&self, standalone: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut ChainHead) -> Result<T> + Send + 'static,
    {
        let (otx, orx) = tokio::sync::oneshot::channel::<Result<T>>();
        let run: JobFn = Box::new(move |conn, head| {
            let r = f(conn, head);
            let ok = r.is_ok();
            let fin: Finisher = Box::new(move |commit| {
                let out = match commit {
                    Ok(()) => r,
                    Err(e) => Err(commit_failed(e)),
                };
                let _ = otx.send(out);
            });
            (ok, fin)
        });
        let job = Job { standalone, run };
        {
            let guard = self
                .jobs
                .lock()
                .map_err(|_| StoreError::db("writer lock poisoned"))?;
            let Some(tx) = guard.as_ref() else {
                return Err(StoreError::db("store is closed"));
            };
            tx.send(job).map_err(|_| StoreError::db("writer stopped"))?;
        }
        orx.await
            .map_err(|_| StoreError::db("writer dropped the request"))?
    }

    /// Runs a read on one of the reader connections, off the async runtime.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let first = start.checked_rem(readers.len()).unwrap_or(0);
            // Take a free reader if there is one; otherwise wait for our turn on one.
            let ring = readers.iter().cycle().skip(first).take(readers.len());
            for reader in ring {
                if let Ok(conn) = reader.try_lock() {
                    return f(&conn);
                }
            }
            let conn = readers
                .get(first)
                .ok_or_else(|| StoreError::db("no reader connection"))?
                .lock()
                .map_err(|_| StoreError::db("reader lock poisoned"))?;
            f(&conn)
        })
        .await
        .map_err(StoreError::db_from)?
    }

    pub(crate) async fn schema_version(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(version),0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    /// Stops the writer after the queued jobs have run.
    pub fn close(&self) {
        if let Ok(mut g) = self.jobs.lock() {
            g.take();
        }
        if let Ok(mut w) = self.writer.lock()
            && let Some(h) = w.take()
        {
            let _ = h.join();
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

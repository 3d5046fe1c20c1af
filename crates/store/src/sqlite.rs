//! SQLite engine: one writer thread with group commit, a small pool of readers.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use frontline_core::audit::{AuditRecord, GENESIS, chain_hash};
use frontline_core::incident::format_number;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use uuid::Uuid;

use crate::model::*;
use crate::{Result, StoreError};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_foundation.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_penalty_standards.sql"),
    ),
    (3, include_str!("../migrations/sqlite/0003_calendars.sql")),
    (
        4,
        include_str!("../migrations/sqlite/0004_incident_category_index.sql"),
    ),
];

/// Most requests one commit carries; bounds the latency a request waits behind others.
const MAX_BATCH: usize = 512;
const READERS: usize = 4;

/// The audit chain's head as the writer thread knows it.
#[derive(Debug, Clone)]
struct ChainHead {
    seq: i64,
    hash: String,
}

type Finisher = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
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
    readers: std::sync::Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
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
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    // The write lock is taken before the version is read, so that instances opening
    // a new file at once apply each migration once (as the advisory lock does on PG).
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (version, sql) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, micros(chrono::Utc::now())],
        )?;
        tracing::info!(version, "applied SQLite migration");
    }
    tx.commit()?;
    Ok(())
}

fn load_head(conn: &Connection) -> Result<ChainHead> {
    let (seq, hash) = conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    Ok(ChainHead { seq, hash })
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
        let mut batch = vec![first];
        while !standalone && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) if j.standalone => {
                    held = Some(j);
                    break;
                }
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
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
            if let Err(e) = conn.execute_batch("SAVEPOINT job") {
                tracing::error!(error = %e, "cannot open a savepoint");
                continue;
            }
            let saved = head.clone();
            let (ok, fin) = (job.run)(&conn, &mut head);
            let end = if ok {
                conn.execute_batch("RELEASE job")
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
        let mut result = Ok(());
        if head.seq != start_head.seq
            && let Err(e) = conn.execute(
                "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
                params![head.seq, head.hash],
            )
        {
            result = Err(e.to_string());
        }
        if result.is_ok()
            && let Err(e) = conn.execute_batch("COMMIT")
        {
            result = Err(e.to_string());
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

fn append_audit(conn: &Connection, head: &mut ChainHead, d: &AuditDraft) -> Result<i64> {
    let rec = d.record(head.seq + 1);
    let hash = chain_hash(&head.hash, &rec);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, object_type, object_id, purpose, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        rec.seq,
        micros(rec.at),
        rec.actor_id,
        rec.actor,
        rec.action,
        rec.object_type,
        rec.object_id,
        rec.purpose,
        rec.detail,
        head.hash,
        hash
    ])?;
    head.seq = rec.seq;
    head.hash = hash;
    Ok(rec.seq)
}

fn insert_incident(conn: &Connection, n: &NewIncident) -> Result<IncidentRow> {
    let year = n.year();
    let seq: i64 = conn
        .prepare_cached(
            "INSERT INTO number_counters (unit_id, kind, year, last) VALUES (?1, 'incident', ?2, 1)
             ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row(params![n.unit_id, year], |r| r.get(0))?;
    let number = format_number(&n.unit_code, year, seq);
    conn.prepare_cached(
        "INSERT INTO incidents (id, number, unit_id, unit_path, year, seq, reported_at, created_at, category,
             address, district_id, caller_name, caller_phone, caller_id_number, narrative, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        n.id,
        number,
        n.unit_id,
        n.unit_path,
        year,
        seq,
        micros(n.reported_at),
        micros(n.created_at),
        n.category,
        n.address,
        n.district_id,
        n.caller_name,
        n.caller_phone,
        n.caller_id_number,
        n.narrative,
        n.created_by
    ])?;
    Ok(n.stored_row(number, year, seq))
}

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        number: r.get(1)?,
        unit_id: r.get(2)?,
        unit_path: r.get(3)?,
        year: r.get(4)?,
        seq: r.get(5)?,
        reported_at: from_micros(r.get(6)?),
        created_at: from_micros(r.get(7)?),
        category: r.get(8)?,
        address: r.get(9)?,
        district_id: r.get(10)?,
        caller_name: r.get(11)?,
        caller_phone: r.get(12)?,
        caller_id_number: r.get(13)?,
        narrative: r.get(14)?,
        created_by: r.get(15)?,
    })
}

fn officer_from_row(r: &Row<'_>) -> rusqlite::Result<OfficerRow> {
    Ok(OfficerRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        unit_id: r.get(3)?,
        roles: r.get(4)?,
        auxiliary: r.get(5)?,
        badge_no: r.get(6)?,
        password_hash: r.get(7)?,
        disabled: r.get(8)?,
        created_at: from_micros(r.get(9)?),
    })
}

fn insert_officer(conn: &Connection, o: &OfficerRow) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO officers ({OFFICER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        o.id,
        o.username,
        o.display_name,
        o.unit_id,
        o.roles,
        o.auxiliary,
        o.badge_no,
        o.password_hash,
        o.disabled,
        micros(o.created_at)
    ])?;
    Ok(())
}

/// Builds the WHERE clause of an incident list; shared by the page and its count.
/// Above this many matching rows a page is read by walking the time index newest first
/// and filtering (a few rows per row shown); below it the selective index finds the rows
/// and they are sorted (at most this many). Either way a page costs milliseconds at
/// 1,000,000 incidents, where letting SQLite pick sorted a whole station (0.3–2 s).
const WALK_TIME_INDEX_ABOVE: i64 = 5_000;

/// How a list query should find its rows. SQLite has no statistics here (ANALYZE with a
/// sample limit misled it more than it helped), so the plan is steered by writing a term
/// as `+col`, which keeps SQLite from using an index for it.
#[derive(Clone, Copy, PartialEq)]
enum ListPlan {
    /// Counting: every term may use its index.
    Count,
    /// Few matches: find them through the most selective index and sort them; with a
    /// category, that is `incidents_category`, not the unit's whole history.
    SortMatches,
    /// Many matches: walk `incidents_time` newest first, filter, stop after the page.
    WalkTime,
}

/// The WHERE clause of a list for `plan`.
fn incident_where(
    f: &IncidentFilter,
    args: &mut Vec<Box<dyn ToSql + Send>>,
    plan: ListPlan,
) -> String {
    let unit_plus =
        plan == ListPlan::WalkTime || (plan == ListPlan::SortMatches && f.category.is_some());
    let u = if unit_plus { "+" } else { "" };
    let p = if plan == ListPlan::WalkTime { "+" } else { "" };
    let mut sql = String::from(" WHERE 1=1");
    let mut push = |cond: &str, v: Box<dyn ToSql + Send>, args: &mut Vec<Box<dyn ToSql + Send>>| {
        args.push(v);
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    for r in [&f.scope, &f.unit].into_iter().flatten() {
        if r.is_all() {
            continue;
        }
        push(
            &format!(" AND {u}unit_path >= ?"),
            Box::new(r.lower.clone()),
            args,
        );
        push(
            &format!(" AND {u}unit_path < ?"),
            Box::new(r.upper.clone()),
            args,
        );
    }
    if let Some(t) = f.from {
        push(" AND reported_at >= ?", Box::new(micros(t)), args);
    }
    if let Some(t) = f.to {
        push(" AND reported_at < ?", Box::new(micros(t)), args);
    }
    if let Some(c) = &f.category {
        if c.contains('.') {
            push(&format!(" AND {p}category = ?"), Box::new(c.clone()), args);
        } else {
            // Root code: every `root.*` leaf ('.' + 1 = '/').
            push(
                &format!(" AND {p}category >= ?"),
                Box::new(format!("{c}.")),
                args,
            );
            push(
                &format!(" AND {p}category < ?"),
                Box::new(format!("{c}/")),
                args,
            );
        }
    }
    sql
}

const PENALTY_STANDARD_COLS: &str = "p.id, p.name, p.version, p.uploaded_by, o.display_name, p.uploaded_at, \
     p.activated_at, p.active";

fn penalty_standard_from_row(r: &Row<'_>) -> rusqlite::Result<PenaltyStandardRow> {
    Ok(PenaltyStandardRow {
        id: r.get(0)?,
        name: r.get(1)?,
        version: r.get(2)?,
        uploaded_by: r.get(3)?,
        uploaded_by_name: r.get(4)?,
        uploaded_at: from_micros(r.get(5)?),
        activated_at: r.get::<_, Option<i64>>(6)?.map(from_micros),
        active: r.get(7)?,
    })
}

fn penalty_standard_where(
    c: &Connection,
    cond: &str,
    arg: Option<Uuid>,
) -> Result<Option<(PenaltyStandardRow, String)>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {PENALTY_STANDARD_COLS}, p.text FROM penalty_standards p \
         JOIN officers o ON o.id = p.uploaded_by WHERE {cond}"
    ))?;
    let map = |r: &Row<'_>| Ok((penalty_standard_from_row(r)?, r.get::<_, String>(8)?));
    Ok(match arg {
        Some(id) => st.query_row([id], map).optional()?,
        None => st.query_row([], map).optional()?,
    })
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(&path))
            .await
            .map_err(|e| StoreError::Db(e.to_string()))?
    }

    fn open_blocking(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Db(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        let head = load_head(&conn)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.execute_batch("PRAGMA busy_timeout=10000; PRAGMA cache_size=-16000;")?;
            readers.push(Mutex::new(r));
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx, head))
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(SqliteStore {
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: std::sync::Arc::new(readers),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Runs `f` inside the writer's current batch transaction (its own savepoint);
    /// resolves after the batch has committed.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut ChainHead) -> Result<T> + Send + 'static,
    {
        self.submit(false, f).await
    }

    /// Like `write`, but alone in its own transaction (for large jobs).
    async fn write_standalone<T, F>(&self, f: F) -> Result<T>
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
                    Err(e) => Err(StoreError::Db(e)),
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
                .map_err(|_| StoreError::Db("writer lock poisoned".into()))?;
            let Some(tx) = guard.as_ref() else {
                return Err(StoreError::Db("store is closed".into()));
            };
            tx.send(job)
                .map_err(|_| StoreError::Db("writer stopped".into()))?;
        }
        orx.await
            .map_err(|_| StoreError::Db("writer dropped the request".into()))?
    }

    /// Runs a read on one of the reader connections, off the async runtime.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            // Take a free reader if there is one; otherwise wait for our turn on one.
            for i in 0..readers.len() {
                if let Ok(conn) = readers[(start + i) % readers.len()].try_lock() {
                    return f(&conn);
                }
            }
            let conn = readers[start % readers.len()]
                .lock()
                .map_err(|_| StoreError::Db("reader lock poisoned".into()))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Db(e.to_string()))?
    }

    pub async fn schema_version(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(version),0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |c| {
            Ok(
                c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
        .await
    }

    pub async fn list_units(&self) -> Result<Vec<UnitRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, parent_id, kind, station_class, code, name, path FROM units ORDER BY path",
            )?;
            let rows = st.query_map([], |r| {
                Ok(UnitRow {
                    id: r.get(0)?,
                    parent_id: r.get(1)?,
                    kind: r.get(2)?,
                    station_class: r.get(3)?,
                    code: r.get(4)?,
                    name: r.get(5)?,
                    path: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn list_districts(&self) -> Result<Vec<DistrictRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, unit_id, code, name FROM districts ORDER BY unit_id, code",
            )?;
            let rows = st.query_map([], |r| {
                Ok(DistrictRow {
                    id: r.get(0)?,
                    unit_id: r.get(1)?,
                    code: r.get(2)?,
                    name: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()> {
        self.write_standalone(move |c, head| {
            for u in &load.units {
                c.prepare_cached(
                    "INSERT INTO units (id, parent_id, kind, station_class, code, name, path) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                )?
                .execute(params![u.id, u.parent_id, u.kind, u.station_class, u.code, u.name, u.path])?;
            }
            for d in &load.districts {
                c.prepare_cached("INSERT INTO districts (id, unit_id, code, name) VALUES (?1,?2,?3,?4)")?
                    .execute(params![d.id, d.unit_id, d.code, d.name])?;
            }
            for o in &load.officers {
                insert_officer(c, o)?;
            }
            for n in &load.incidents {
                insert_incident(c, n)?;
            }
            for (k, v) in &load.settings {
                c.prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
                    .execute(params![k, v])?;
            }
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let username = username.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_COLS} FROM officers WHERE username = ?1"
            ))?
            .query_row([username], officer_from_row)
            .optional()?)
        })
        .await
    }

    pub async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {OFFICER_COLS} FROM officers WHERE id = ?1"
            ))?
            .query_row([id], officer_from_row)
            .optional()?)
        })
        .await
    }

    pub async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            insert_officer(c, &o)?;
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn update_officer_auth(
        &self,
        id: Uuid,
        password_hash: Option<String>,
        disabled: Option<bool>,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            let n = c.execute(
                "UPDATE officers SET password_hash = COALESCE(?2, password_hash), disabled = COALESCE(?3, disabled) WHERE id = ?1",
                params![id, password_hash, disabled],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            if disabled == Some(true) {
                c.execute("DELETE FROM sessions WHERE officer_id = ?1", [id])?;
            }
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(
                "INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, expires_at) VALUES (?1,?2,?3,?4,?5)",
            )?
            .execute(params![s.token_hash, s.officer_id, s.csrf_token, micros(s.created_at), micros(s.expires_at)])?;
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let token_hash = token_hash.to_string();
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT token_hash, officer_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = ?1",
            )?
            .query_row([token_hash], |r| {
                Ok(SessionRow {
                    token_hash: r.get(0)?,
                    officer_id: r.get(1)?,
                    csrf_token: r.get(2)?,
                    created_at: from_micros(r.get(3)?),
                    expires_at: from_micros(r.get(4)?),
                })
            })
            .optional()?)
        })
        .await
    }

    pub async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(move |c, head| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn create_incident(&self, n: NewIncident, audit: AuditDraft) -> Result<IncidentRow> {
        self.write(move |c, head| {
            let row = insert_incident(c, &n)?;
            let mut audit = audit;
            audit.detail = serde_json::json!({ "number": row.number }).to_string();
            append_audit(c, head, &audit)?;
            Ok(row)
        })
        .await
    }

    pub async fn incident(&self, id: Uuid) -> Result<Option<IncidentRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = ?1"
            ))?
            .query_row([id], incident_from_row)
            .optional()?)
        })
        .await
    }

    pub async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage> {
        if f.scope.is_none() {
            return Ok(IncidentPage::default());
        }
        self.read(move |c| {
            let mut args: Vec<Box<dyn ToSql + Send>> = Vec::new();
            let wh = incident_where(&f, &mut args, ListPlan::Count);
            let refs: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref() as &dyn ToSql).collect();
            let total: i64 = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM incidents{wh}"))?
                .query_row(refs.as_slice(), |r| r.get(0))?;
            let plan = if total > WALK_TIME_INDEX_ABOVE {
                ListPlan::WalkTime
            } else {
                ListPlan::SortMatches
            };
            // The same terms in the same order, so the bound arguments still fit.
            let wh = incident_where(&f, &mut Vec::new(), plan);
            let dir = if f.oldest_first { "ASC" } else { "DESC" };
            let sql = format!(
                "SELECT {INCIDENT_COLS} FROM incidents{wh} ORDER BY reported_at {dir}, id {dir} LIMIT {} OFFSET {}",
                f.limit.clamp(1, MAX_ROWS_PER_QUERY),
                f.offset.max(0)
            );
            let mut st = c.prepare_cached(&sql)?;
            let items = st
                .query_map(refs.as_slice(), incident_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(IncidentPage { items, total })
        })
        .await
    }

    pub async fn count_incidents(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get(0))?))
            .await
    }

    pub async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(
                "INSERT INTO penalty_standards (id, name, version, text, uploaded_by, uploaded_at, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            )?
            .execute(params![
                s.id,
                s.name,
                s.version,
                s.text,
                s.uploaded_by,
                micros(s.uploaded_at)
            ])?;
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn activate_penalty_standard(
        &self,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow> {
        self.write(move |c, head| {
            let exists: Option<i64> = c
                .query_row("SELECT 1 FROM penalty_standards WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            c.execute(
                "UPDATE penalty_standards SET active = 0 WHERE active = 1 AND id <> ?1",
                [id],
            )?;
            c.execute(
                "UPDATE penalty_standards SET active = 1, activated_at = ?2 WHERE id = ?1",
                params![id, micros(at)],
            )?;
            append_audit(c, head, &audit)?;
            penalty_standard_where(c, "p.id = ?1", Some(id))?
                .map(|(row, _)| row)
                .ok_or(StoreError::NotFound)
        })
        .await
    }

    pub async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {PENALTY_STANDARD_COLS} FROM penalty_standards p \
                 JOIN officers o ON o.id = p.uploaded_by ORDER BY p.uploaded_at DESC, p.id DESC"
            ))?;
            let rows = st.query_map([], penalty_standard_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn penalty_standard(&self, id: Uuid) -> Result<Option<(PenaltyStandardRow, String)>> {
        self.read(move |c| penalty_standard_where(c, "p.id = ?1", Some(id)))
            .await
    }

    pub async fn active_penalty_standard(&self) -> Result<Option<(PenaltyStandardRow, String)>> {
        self.read(|c| penalty_standard_where(c, "p.active = 1", None))
            .await
    }

    pub async fn upsert_calendar(&self, cal: CalendarRow, audit: AuditDraft) -> Result<()> {
        self.write(move |c, head| {
            c.prepare_cached(
                "INSERT INTO calendars (year, text, uploaded_by, uploaded_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (year) DO UPDATE SET text = excluded.text,
                     uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
            )?
            .execute(params![
                cal.year,
                cal.text,
                cal.uploaded_by,
                micros(cal.uploaded_at)
            ])?;
            append_audit(c, head, &audit)?;
            Ok(())
        })
        .await
    }

    pub async fn list_calendars(&self) -> Result<Vec<CalendarRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT k.year, k.text, k.uploaded_by, o.display_name, k.uploaded_at \
                 FROM calendars k JOIN officers o ON o.id = k.uploaded_by ORDER BY k.year",
            )?;
            let rows = st.query_map([], |r| {
                Ok(CalendarRow {
                    year: r.get(0)?,
                    text: r.get(1)?,
                    uploaded_by: r.get(2)?,
                    uploaded_by_name: r.get(3)?,
                    uploaded_at: from_micros(r.get(4)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn append_audit(&self, audit: AuditDraft) -> Result<i64> {
        self.write(move |c, head| append_audit(c, head, &audit))
            .await
    }

    pub async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT seq, at, actor_id, actor, action, object_type, object_id, purpose, detail, prev_hash, hash
                 FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = st.query_map(params![after, limit], |r| {
                Ok(AuditRow {
                    record: AuditRecord {
                        seq: r.get(0)?,
                        at: from_micros(r.get(1)?),
                        actor_id: r.get(2)?,
                        actor: r.get(3)?,
                        action: r.get(4)?,
                        object_type: r.get(5)?,
                        object_id: r.get(6)?,
                        purpose: r.get(7)?,
                        detail: r.get(8)?,
                    },
                    prev_hash: r.get(9)?,
                    hash: r.get(10)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        self.read(|c| {
            let (seq, hash): (i64, String) =
                c.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok(if seq == 0 && hash == GENESIS {
                None
            } else {
                Some((seq, hash))
            })
        })
        .await
    }

    pub async fn bare_insert_loop(&self, rows: Vec<NewIncident>, batch: usize) -> Result<Duration> {
        // Same connection, pragmas and batch size as the live writer; no HTTP, no app.
        self.write_standalone(move |c, head| {
            // Measured inside the writer: commit per MAX_BATCH rows like a full batch.
            let start = Instant::now();
            c.execute_batch("COMMIT")?;
            for chunk in rows.chunks(batch.clamp(1, MAX_BATCH)) {
                c.execute_batch("BEGIN IMMEDIATE")?;
                for n in chunk {
                    insert_incident(c, n)?;
                    append_audit(c, head, &AuditDraft::for_bench(n))?;
                }
                c.execute(
                    "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
                    params![head.seq, head.hash],
                )?;
                c.execute_batch("COMMIT")?;
            }
            let took = start.elapsed();
            // Re-open a transaction for the writer's own commit.
            c.execute_batch("BEGIN IMMEDIATE")?;
            Ok(took)
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

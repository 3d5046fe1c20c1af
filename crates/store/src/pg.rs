//! PostgreSQL engine: a connection pool; each operation is one transaction. The audit
//! chain is ordered by locking its head row, taken last so that it is held only for
//! the insert of the entry and the commit.

use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use frontline_core::audit::{AuditRecord, GENESIS, chain_hash};
use frontline_core::incident::format_number;
use std::future::Future;
use std::pin::Pin;
use tokio_postgres::types::ToSql;

use deadpool_postgres::{GenericClient, Transaction};
use tokio::sync::mpsc;
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

use crate::model::*;
use crate::{Result, StoreError};

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../migrations/postgres/0002_penalty_standards.sql"),
    ),
    (3, include_str!("../migrations/postgres/0003_calendars.sql")),
    (
        4,
        include_str!("../migrations/postgres/0004_incident_category_index.sql"),
    ),
];
/// Serialises migrations when several instances start at once.
const MIGRATION_LOCK: i64 = 0x4652_4f4e_544c_494e;

/// Most requests one commit carries (as on SQLite).
const MAX_BATCH: usize = 256;

pub struct PgStore {
    pool: Pool,
    jobs: mpsc::UnboundedSender<Job>,
}

/// The audit chain's head inside one batch transaction (locked row, cached here).
#[derive(Debug, Clone)]
struct ChainHead {
    seq: i64,
    hash: String,
}

type Finisher = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
type JobFuture<'a> = Pin<Box<dyn Future<Output = (bool, Finisher)> + Send + 'a>>;
type JobFn =
    Box<dyn for<'a, 'b> FnOnce(&'a Transaction<'b>, &'a mut ChainHead) -> JobFuture<'a> + Send>;

struct Job {
    /// Runs alone, without a savepoint (bulk loads).
    standalone: bool,
    run: JobFn,
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
    let row = tx
        .query_one(
            "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?;
    let mut head = ChainHead {
        seq: row.get(0),
        hash: row.get(1),
    };
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
        for fin in finishers {
            fin(Err("the write batch was rolled back".into()));
        }
        return Ok(());
    }
    let mut result = Ok(());
    if head.seq != start_seq
        && let Err(e) = tx
            .execute(
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                &[&head.seq, &head.hash],
            )
            .await
    {
        result = Err(e.to_string());
    }
    if result.is_ok()
        && let Err(e) = tx.commit().await
    {
        result = Err(e.to_string());
    }
    for fin in finishers {
        fin(result.clone());
    }
    Ok(())
}

async fn append_audit(c: &impl GenericClient, head: &mut ChainHead, d: &AuditDraft) -> Result<i64> {
    let prev_hash = head.hash.clone();
    let rec = d.record(head.seq + 1);
    let hash = chain_hash(&prev_hash, &rec);
    // Cached prepared statements: one round trip per statement instead of two.
    let st = c
        .prepare_cached(
            "INSERT INTO audit_log (seq, at, actor_id, actor, action, object_type, object_id, purpose, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .await?;
    c.execute(
        &st,
        &[
            &rec.seq,
            &rec.at,
            &rec.actor_id,
            &rec.actor,
            &rec.action,
            &rec.object_type,
            &rec.object_id,
            &rec.purpose,
            &rec.detail,
            &prev_hash,
            &hash,
        ],
    )
    .await?;
    head.seq = rec.seq;
    head.hash = hash;
    Ok(rec.seq)
}

async fn insert_incident(c: &impl GenericClient, n: &NewIncident) -> Result<IncidentRow> {
    let (year, seq, number) = next_incident_number(c, n).await?;
    insert_incident_row(c, n, year, seq, number).await
}

/// Takes the unit-year's next incident number: (year, seq, number).
async fn next_incident_number(
    c: &impl GenericClient,
    n: &NewIncident,
) -> Result<(i32, i64, String)> {
    let year = n.year();
    let counter = c
        .prepare_cached(
            "INSERT INTO number_counters (unit_id, kind, year, last) VALUES ($1, 'incident', $2, 1)
             ON CONFLICT (unit_id, kind, year) DO UPDATE SET last = number_counters.last + 1 RETURNING last",
        )
        .await?;
    let seq: i64 = c.query_one(&counter, &[&n.unit_id, &year]).await?.get(0);
    Ok((year, seq, format_number(&n.unit_code, year, seq)))
}

async fn insert_incident_row(
    c: &impl GenericClient,
    n: &NewIncident,
    year: i32,
    seq: i64,
    number: String,
) -> Result<IncidentRow> {
    let reported_at = truncate_micros(n.reported_at);
    let created_at = truncate_micros(n.created_at);
    let insert = c
        .prepare_cached(
            "INSERT INTO incidents (id, number, unit_id, unit_path, year, seq, reported_at, created_at, category,
             address, district_id, caller_name, caller_phone, caller_id_number, narrative, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .await?;
    c.execute(
        &insert,
        &[
            &n.id,
            &number,
            &n.unit_id,
            &n.unit_path,
            &year,
            &seq,
            &reported_at,
            &created_at,
            &n.category,
            &n.address,
            &n.district_id,
            &n.caller_name,
            &n.caller_phone,
            &n.caller_id_number,
            &n.narrative,
            &n.created_by,
        ],
    )
    .await?;
    Ok(n.stored_row(number, year, seq))
}

fn incident_from_row(r: &Row) -> IncidentRow {
    IncidentRow {
        id: r.get(0),
        number: r.get(1),
        unit_id: r.get(2),
        unit_path: r.get(3),
        year: r.get(4),
        seq: r.get(5),
        reported_at: r.get(6),
        created_at: r.get(7),
        category: r.get(8),
        address: r.get(9),
        district_id: r.get(10),
        caller_name: r.get(11),
        caller_phone: r.get(12),
        caller_id_number: r.get(13),
        narrative: r.get(14),
        created_by: r.get(15),
    }
}

fn officer_from_row(r: &Row) -> OfficerRow {
    OfficerRow {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        unit_id: r.get(3),
        roles: r.get(4),
        auxiliary: r.get(5),
        badge_no: r.get(6),
        password_hash: r.get(7),
        disabled: r.get(8),
        created_at: r.get(9),
    }
}

async fn insert_officer(c: &impl GenericClient, o: &OfficerRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO officers ({OFFICER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ),
        &[
            &o.id,
            &o.username,
            &o.display_name,
            &o.unit_id,
            &o.roles,
            &o.auxiliary,
            &o.badge_no,
            &o.password_hash,
            &o.disabled,
            &truncate_micros(o.created_at),
        ],
    )
    .await?;
    Ok(())
}

type Args = Vec<Box<dyn ToSql + Sync + Send>>;

fn incident_where(f: &IncidentFilter, args: &mut Args) -> String {
    let mut sql = String::from(" WHERE 1=1");
    let mut push = |cond: &str, v: Box<dyn ToSql + Sync + Send>, args: &mut Args| {
        args.push(v);
        sql.push_str(&cond.replace('?', &format!("${}", args.len())));
    };
    for r in [&f.scope, &f.unit].into_iter().flatten() {
        if r.is_all() {
            continue;
        }
        push(" AND unit_path >= ?", Box::new(r.lower.clone()), args);
        push(" AND unit_path < ?", Box::new(r.upper.clone()), args);
    }
    if let Some(t) = f.from {
        push(" AND reported_at >= ?", Box::new(t), args);
    }
    if let Some(t) = f.to {
        push(" AND reported_at < ?", Box::new(t), args);
    }
    if let Some(c) = &f.category {
        if c.contains('.') {
            push(" AND category = ?", Box::new(c.clone()), args);
        } else {
            push(" AND category >= ?", Box::new(format!("{c}.")), args);
            push(" AND category < ?", Box::new(format!("{c}/")), args);
        }
    }
    sql
}

const PENALTY_STANDARD_COLS: &str = "p.id, p.name, p.version, p.uploaded_by, o.display_name, p.uploaded_at, \
     p.activated_at, p.active";

fn penalty_standard_from_row(r: &Row) -> PenaltyStandardRow {
    PenaltyStandardRow {
        id: r.get(0),
        name: r.get(1),
        version: r.get(2),
        uploaded_by: r.get(3),
        uploaded_by_name: r.get(4),
        uploaded_at: r.get(5),
        activated_at: r.get(6),
        active: r.get(7),
    }
}

async fn penalty_standard_where(
    c: &impl GenericClient,
    cond: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Option<(PenaltyStandardRow, String)>> {
    Ok(c.query_opt(
        &format!(
            "SELECT {PENALTY_STANDARD_COLS}, p.text FROM penalty_standards p \
             JOIN officers o ON o.id = p.uploaded_by WHERE {cond}"
        ),
        args,
    )
    .await?
    .map(|r| (penalty_standard_from_row(&r), r.get(8))))
}

impl PgStore {
    pub async fn open(url: &str) -> Result<PgStore> {
        let cfg: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Db(e.to_string()))?;
        let mgr = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(32)
            .build()
            .map_err(|e| StoreError::Db(e.to_string()))?;
        let (jobs, rx) = mpsc::unbounded_channel();
        let store = PgStore {
            pool: pool.clone(),
            jobs,
        };
        store.migrate().await?;
        tokio::spawn(writer_loop(pool, rx));
        Ok(store)
    }

    /// Runs `f` in the writer's next batch transaction (its own savepoint), resolving
    /// after the batch has committed.
    async fn write<T, F>(&self, standalone: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a, 'b> FnOnce(
                &'a Transaction<'b>,
                &'a mut ChainHead,
            ) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>
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
                        Err(e) => Err(StoreError::Db(e)),
                    });
                });
                (ok, fin)
            })
        });
        self.jobs
            .send(Job { standalone, run })
            .map_err(|_| StoreError::Db("writer stopped".into()))?;
        orx.await
            .map_err(|_| StoreError::Db("the write batch failed".into()))?
    }

    async fn migrate(&self) -> Result<()> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        // Checked first rather than CREATE … IF NOT EXISTS, which logs a notice each start.
        let exists: bool = tx
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .await?
            .get(0);
        if !exists {
            tx.batch_execute(
                "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
            )
            .await?;
        }
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await?
            .get(0);
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
                &[version],
            )
            .await?;
            tracing::info!(version, "applied PostgreSQL migration");
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn schema_version(&self) -> Result<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await?
        .get(0))
    }

    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let c = self.pool.get().await?;
        Ok(
            c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
                .await?
                .map(|r| r.get(0)),
        )
    }

    pub async fn list_units(&self) -> Result<Vec<UnitRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT id, parent_id, kind, station_class, code, name, path FROM units ORDER BY path",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| UnitRow {
                id: r.get(0),
                parent_id: r.get(1),
                kind: r.get(2),
                station_class: r.get(3),
                code: r.get(4),
                name: r.get(5),
                path: r.get(6),
            })
            .collect())
    }

    pub async fn list_districts(&self) -> Result<Vec<DistrictRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT id, unit_id, code, name FROM districts ORDER BY unit_id, code",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| DistrictRow {
                id: r.get(0),
                unit_id: r.get(1),
                code: r.get(2),
                name: r.get(3),
            })
            .collect())
    }

    pub async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()> {
        self.write(true, move |tx, head| {
            Box::pin(async move {
                for u in &load.units {
                    tx.execute(
                        "INSERT INTO units (id, parent_id, kind, station_class, code, name, path) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                        &[&u.id, &u.parent_id, &u.kind, &u.station_class, &u.code, &u.name, &u.path],
                    )
                    .await?;
                }
                for d in &load.districts {
                    tx.execute(
                        "INSERT INTO districts (id, unit_id, code, name) VALUES ($1,$2,$3,$4)",
                        &[&d.id, &d.unit_id, &d.code, &d.name],
                    )
                    .await?;
                }
                for o in &load.officers {
                    insert_officer(tx, o).await?;
                }
                for n in &load.incidents {
                    insert_incident(tx, n).await?;
                }
                for (k, v) in &load.settings {
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &[k, v],
                    )
                    .await?;
                }
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn officer_by_username(&self, username: &str) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        Ok(c.query_opt(
            &format!("SELECT {OFFICER_COLS} FROM officers WHERE username = $1"),
            &[&username],
        )
        .await?
        .map(|r| officer_from_row(&r)))
    }

    pub async fn officer_by_id(&self, id: Uuid) -> Result<Option<OfficerRow>> {
        let c = self.pool.get().await?;
        Ok(c.query_opt(
            &format!("SELECT {OFFICER_COLS} FROM officers WHERE id = $1"),
            &[&id],
        )
        .await?
        .map(|r| officer_from_row(&r)))
    }

    pub async fn insert_officer(&self, o: OfficerRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                insert_officer(tx, &o).await?;
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
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
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let n = tx
                    .execute(
                        "UPDATE officers SET password_hash = COALESCE($2, password_hash), disabled = COALESCE($3, disabled) WHERE id = $1",
                        &[&id, &password_hash, &disabled],
                    )
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if disabled == Some(true) {
                    tx.execute("DELETE FROM sessions WHERE officer_id = $1", &[&id]).await?;
                }
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn insert_session(&self, s: SessionRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)",
                    &[&s.token_hash, &s.officer_id, &s.csrf_token, &s.created_at, &s.expires_at],
                )
                .await?;
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let c = self.pool.get().await?;
        Ok(c.query_opt(
            "SELECT token_hash, officer_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = $1",
            &[&token_hash],
        )
        .await?
        .map(|r| SessionRow {
            token_hash: r.get(0),
            officer_id: r.get(1),
            csrf_token: r.get(2),
            created_at: r.get(3),
            expires_at: r.get(4),
        }))
    }

    pub async fn delete_session(&self, token_hash: &str, audit: AuditDraft) -> Result<()> {
        let token_hash = token_hash.to_string();
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
                    .await?;
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn create_incident(&self, n: NewIncident, audit: AuditDraft) -> Result<IncidentRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                let (year, seq, number) = next_incident_number(tx, &n).await?;
                let mut audit = audit;
                audit.detail = serde_json::json!({ "number": number }).to_string();
                // Sent together (tokio-postgres pipelines concurrent queries on one
                // connection): one round trip for both rows.
                let (row, entry) = tokio::join!(
                    insert_incident_row(tx, &n, year, seq, number),
                    append_audit(tx, head, &audit)
                );
                // The row's own error first: the audit insert after a failed row only
                // says that the transaction is aborted.
                let row = row?;
                entry?;
                Ok(row)
            })
        })
        .await
    }

    pub async fn incident(&self, id: Uuid) -> Result<Option<IncidentRow>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = $1"
            ))
            .await?;
        Ok(c.query_opt(&st, &[&id])
            .await?
            .map(|r| incident_from_row(&r)))
    }

    pub async fn list_incidents(&self, f: IncidentFilter) -> Result<IncidentPage> {
        if f.scope.is_none() {
            return Ok(IncidentPage::default());
        }
        let c = self.pool.get().await?;
        let mut args: Args = Vec::new();
        let wh = incident_where(&f, &mut args);
        let refs: Vec<&(dyn ToSql + Sync)> = args
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let total: i64 = c
            .query_one(&format!("SELECT COUNT(*) FROM incidents{wh}"), &refs)
            .await?
            .get(0);
        let dir = if f.oldest_first { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {INCIDENT_COLS} FROM incidents{wh} ORDER BY reported_at {dir}, id {dir} LIMIT {} OFFSET {}",
            f.limit.clamp(1, MAX_ROWS_PER_QUERY),
            f.offset.max(0)
        );
        let items = c
            .query(&sql, &refs)
            .await?
            .iter()
            .map(incident_from_row)
            .collect();
        Ok(IncidentPage { items, total })
    }

    pub async fn count_incidents(&self) -> Result<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one("SELECT COUNT(*) FROM incidents", &[])
            .await?
            .get(0))
    }

    pub async fn insert_penalty_standard(
        &self,
        s: NewPenaltyStandard,
        audit: AuditDraft,
    ) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO penalty_standards (id, name, version, text, uploaded_by, uploaded_at, active)
                     VALUES ($1, $2, $3, $4, $5, $6, FALSE)",
                    &[
                        &s.id,
                        &s.name,
                        &s.version,
                        &s.text,
                        &s.uploaded_by,
                        &truncate_micros(s.uploaded_at),
                    ],
                )
                .await?;
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn activate_penalty_standard(
        &self,
        id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
        audit: AuditDraft,
    ) -> Result<PenaltyStandardRow> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                // Lock the row, so that two activations at once apply one after the other.
                let exists = tx
                    .query_opt(
                        "SELECT 1 FROM penalty_standards WHERE id = $1 FOR UPDATE",
                        &[&id],
                    )
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                tx.execute(
                    "UPDATE penalty_standards SET active = FALSE WHERE active AND id <> $1",
                    &[&id],
                )
                .await?;
                tx.execute(
                    "UPDATE penalty_standards SET active = TRUE, activated_at = $2 WHERE id = $1",
                    &[&id, &truncate_micros(at)],
                )
                .await?;
                append_audit(tx, head, &audit).await?;
                penalty_standard_where(tx, "p.id = $1", &[&id])
                    .await?
                    .map(|(row, _)| row)
                    .ok_or(StoreError::NotFound)
            })
        })
        .await
    }

    pub async fn list_penalty_standards(&self) -> Result<Vec<PenaltyStandardRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT {PENALTY_STANDARD_COLS} FROM penalty_standards p \
                     JOIN officers o ON o.id = p.uploaded_by ORDER BY p.uploaded_at DESC, p.id DESC"
                ),
                &[],
            )
            .await?;
        Ok(rows.iter().map(penalty_standard_from_row).collect())
    }

    pub async fn penalty_standard(&self, id: Uuid) -> Result<Option<(PenaltyStandardRow, String)>> {
        let c = self.pool.get().await?;
        penalty_standard_where(&c, "p.id = $1", &[&id]).await
    }

    pub async fn active_penalty_standard(&self) -> Result<Option<(PenaltyStandardRow, String)>> {
        let c = self.pool.get().await?;
        penalty_standard_where(&c, "p.active", &[]).await
    }

    pub async fn upsert_calendar(&self, cal: CalendarRow, audit: AuditDraft) -> Result<()> {
        self.write(false, move |tx, head| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO calendars (year, text, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (year) DO UPDATE SET text = EXCLUDED.text,
                         uploaded_by = EXCLUDED.uploaded_by, uploaded_at = EXCLUDED.uploaded_at",
                    &[
                        &cal.year,
                        &cal.text,
                        &cal.uploaded_by,
                        &truncate_micros(cal.uploaded_at),
                    ],
                )
                .await?;
                append_audit(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn list_calendars(&self) -> Result<Vec<CalendarRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT k.year, k.text, k.uploaded_by, o.display_name, k.uploaded_at \
                 FROM calendars k JOIN officers o ON o.id = k.uploaded_by ORDER BY k.year",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| CalendarRow {
                year: r.get(0),
                text: r.get(1),
                uploaded_by: r.get(2),
                uploaded_by_name: r.get(3),
                uploaded_at: r.get(4),
            })
            .collect())
    }

    pub async fn append_audit(&self, audit: AuditDraft) -> Result<i64> {
        self.write(false, move |tx, head| {
            Box::pin(async move { append_audit(tx, head, &audit).await })
        })
        .await
    }

    pub async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT seq, at, actor_id, actor, action, object_type, object_id, purpose, detail, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditRow {
                record: AuditRecord {
                    seq: r.get(0),
                    at: r.get(1),
                    actor_id: r.get(2),
                    actor: r.get(3),
                    action: r.get(4),
                    object_type: r.get(5),
                    object_id: r.get(6),
                    purpose: r.get(7),
                    detail: r.get(8),
                },
                prev_hash: r.get(9),
                hash: r.get(10),
            })
            .collect())
    }

    pub async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let c = self.pool.get().await?;
        let r = c
            .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .await?;
        let (seq, hash): (i64, String) = (r.get(0), r.get(1));
        Ok(if seq == 0 && hash == GENESIS {
            None
        } else {
            Some((seq, hash))
        })
    }

    pub async fn bare_insert_loop(&self, rows: Vec<NewIncident>, batch: usize) -> Result<Duration> {
        // One thread, commits of MAX_BATCH rows as the writer's full batches, the head
        // locked per transaction as the live path does.
        let mut c = self.pool.get().await?;
        let start = Instant::now();
        for chunk in rows.chunks(batch.clamp(1, MAX_BATCH)) {
            let tx = c.transaction().await?;
            let r = tx
                .query_one(
                    "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
                    &[],
                )
                .await?;
            let mut head = ChainHead {
                seq: r.get(0),
                hash: r.get(1),
            };
            for n in chunk {
                insert_incident(&tx, n).await?;
                append_audit(&tx, &mut head, &AuditDraft::for_bench(n)).await?;
            }
            tx.execute(
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                &[&head.seq, &head.hash],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(start.elapsed())
    }
}

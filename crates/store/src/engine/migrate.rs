//! Schema migrations: one numbered pair per change under `migrations/{sqlite,postgres}/`.

use rusqlite::{Connection, params};

use crate::{Result, micros};

const SQLITE: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../../migrations/sqlite/0002_penalty_standards.sql"),
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_calendars.sql"),
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_incident_category_index.sql"),
    ),
    (
        5,
        include_str!("../../migrations/sqlite/0005_incident_lifecycle.sql"),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_sign_in_throttle.sql"),
    ),
    (7, include_str!("../../migrations/sqlite/0007_outbox.sql")),
    (8, include_str!("../../migrations/sqlite/0008_totp.sql")),
    (
        9,
        include_str!("../../migrations/sqlite/0009_incident_changes.sql"),
    ),
    (
        10,
        include_str!("../../migrations/sqlite/0010_callbacks_review.sql"),
    ),
    (
        11,
        include_str!("../../migrations/sqlite/0011_incident_statistics.sql"),
    ),
    (12, include_str!("../../migrations/sqlite/0012_cases.sql")),
    (
        13,
        include_str!("../../migrations/sqlite/0013_penalty_decisions.sql"),
    ),
    (
        14,
        include_str!("../../migrations/sqlite/0014_case_attachments.sql"),
    ),
];

const POSTGRES: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../../migrations/postgres/0002_penalty_standards.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_calendars.sql"),
    ),
    (
        4,
        include_str!("../../migrations/postgres/0004_incident_category_index.sql"),
    ),
    (
        5,
        include_str!("../../migrations/postgres/0005_incident_lifecycle.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_sign_in_throttle.sql"),
    ),
    (7, include_str!("../../migrations/postgres/0007_outbox.sql")),
    (8, include_str!("../../migrations/postgres/0008_totp.sql")),
    (
        9,
        include_str!("../../migrations/postgres/0009_incident_changes.sql"),
    ),
    (
        10,
        include_str!("../../migrations/postgres/0010_callbacks_review.sql"),
    ),
    (
        11,
        include_str!("../../migrations/postgres/0011_incident_statistics.sql"),
    ),
    (12, include_str!("../../migrations/postgres/0012_cases.sql")),
    (
        13,
        include_str!("../../migrations/postgres/0013_penalty_decisions.sql"),
    ),
    (
        14,
        include_str!("../../migrations/postgres/0014_case_attachments.sql"),
    ),
];

/// Serialises migrations when several instances start at once.
const MIGRATION_LOCK: i64 = 0x4652_4f4e_544c_494e;

pub(crate) fn sqlite(conn: &mut Connection) -> Result<()> {
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
    for (version, sql) in SQLITE {
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

pub(crate) async fn postgres(pool: &deadpool_postgres::Pool) -> Result<()> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    // Checked first rather than CREATE … IF NOT EXISTS, which logs a notice each start.
    let exists: bool = tx
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
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
        .try_get(0)?;
    for (version, sql) in POSTGRES {
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

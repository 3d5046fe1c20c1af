//! Test support: a fresh, isolated database per test on either engine.
//!
//! `FRONTLINE_TEST_DATABASE_URL=postgres://…` runs the suites on PostgreSQL (a new
//! database per test, created from that server); unset, they run on a SQLite file in
//! a temporary directory.

use std::path::Path;

use crate::DbConfig;

pub const PG_ENV: &str = "FRONTLINE_TEST_DATABASE_URL";

/// A database that exists for one test. Holds the temp dir (SQLite) alive.
pub struct TestDb {
    pub config: DbConfig,
    _dir: Option<TempDir>,
}

/// A directory removed on drop (a `tempfile::TempDir` under a readable name).
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> std::io::Result<TempDir> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("frontline-{tag}-"))
            .tempdir()?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

pub fn pg_url_from_env() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())
}

/// Creates a fresh database. Fails loudly when PostgreSQL was asked for and is not there.
pub async fn fresh() -> Result<TestDb, String> {
    match pg_url_from_env() {
        Some(base) => {
            let name = format!("frontline_test_{}", uuid::Uuid::now_v7().simple());
            let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
                .await
                .map_err(|e| format!("{PG_ENV}={base}: {e}"))?;
            tokio::spawn(conn);
            // CREATE DATABASE copies template1 and fails if another session holds it at
            // that moment (suites run in parallel on one server): retry a few times.
            let mut attempt = 0;
            loop {
                match client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .await
                {
                    Ok(()) => break,
                    Err(e) if attempt < 5 => {
                        attempt += 1;
                        tracing::warn!(error = %e, attempt, "CREATE DATABASE failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                    }
                    Err(e) => return Err(format!("create database: {e}")),
                }
            }
            let url = with_database(&base, &name);
            Ok(TestDb {
                config: DbConfig::Postgres { url },
                _dir: None,
            })
        }
        None => {
            let dir = TempDir::new("test").map_err(|e| e.to_string())?;
            Ok(TestDb {
                config: DbConfig::Sqlite {
                    path: dir.path().join("frontline.db"),
                },
                _dir: Some(dir),
            })
        }
    }
}

/// Replaces the database name in a postgres URL (`postgres://h/db?x` → `postgres://h/name?x`).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let (scheme, rest) = base.split_at(scheme_end);
    match rest.split_once('/') {
        Some((host, _)) => format!("{scheme}{host}/{name}{query}"),
        None => format!("{base}/{name}{query}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_dir_is_removed_on_drop() {
        let dir = TempDir::new("unit").unwrap();
        let p = dir.path().to_path_buf();
        assert!(p.is_dir());
        drop(dir);
        assert!(!p.exists());
    }

    #[test]
    fn with_database_replaces_only_the_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }
}

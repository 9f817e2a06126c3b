//! Throwaway registers for tests, on either backend, so that every store and API test
//! can run against SQLite and PostgreSQL.
//!
//! * SQLite: a file in a temporary directory.
//! * PostgreSQL: a fresh database on the server `ARMTRACE_TEST_POSTGRES_URL` names
//!   (e.g. `postgres://postgres@127.0.0.1:5432/test`), created for the test and dropped
//!   when the [`TestRegister`] is dropped. Without that variable PostgreSQL tests print
//!   that they were skipped.
//!
//! Suites written against [`TestRegister::from_env`] run on the backend
//! `ARMTRACE_TEST_BACKEND` names (`sqlite`, the default, or `postgres`): CI runs them
//! once each way.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::error::Result;
use crate::store::Store;

/// The variable naming the PostgreSQL server tests may create databases on.
pub const POSTGRES_URL_VAR: &str = "ARMTRACE_TEST_POSTGRES_URL";
/// The variable choosing the backend of suites that run on one (`sqlite` or `postgres`).
pub const BACKEND_VAR: &str = "ARMTRACE_TEST_BACKEND";

/// Which database a test register lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

impl TestBackend {
    /// Both backends, SQLite first.
    pub const ALL: [TestBackend; 2] = [TestBackend::Sqlite, TestBackend::Postgres];

    /// The backend `ARMTRACE_TEST_BACKEND` names (SQLite when unset).
    pub fn from_env() -> TestBackend {
        match std::env::var(BACKEND_VAR).as_deref() {
            Ok("postgres") | Ok("postgresql") => TestBackend::Postgres,
            _ => TestBackend::Sqlite,
        }
    }
}

/// A register that exists for one test.
pub struct TestRegister {
    /// What to pass to [`Store::open`] or `armtrace --db`.
    pub location: String,
    pub backend: TestBackend,
    /// Holds the SQLite file, or the PostgreSQL register's evidence files and key.
    dir: tempfile::TempDir,
    /// (server URL, database) to drop afterwards.
    database: Option<(String, String)>,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The URL of `database` on the server `url` names.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].rfind('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

impl TestRegister {
    /// A register on `backend`, or `None` (having printed why) when the backend is
    /// PostgreSQL and no server is configured.
    pub async fn new(backend: TestBackend, test: &str) -> Option<TestRegister> {
        match backend {
            TestBackend::Sqlite => Some(TestRegister::sqlite()),
            TestBackend::Postgres => TestRegister::postgres(test).await,
        }
    }

    /// A register on the backend `ARMTRACE_TEST_BACKEND` names.
    pub async fn from_env(test: &str) -> Option<TestRegister> {
        TestRegister::new(TestBackend::from_env(), test).await
    }

    /// A SQLite register in a new temporary directory.
    pub fn sqlite() -> TestRegister {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let location = dir.path().join("register.db").display().to_string();
        TestRegister {
            location,
            backend: TestBackend::Sqlite,
            dir,
            database: None,
        }
    }

    /// A new, empty PostgreSQL database, or `None` when `ARMTRACE_TEST_POSTGRES_URL` is unset.
    pub async fn postgres(test: &str) -> Option<TestRegister> {
        let Ok(server) = std::env::var(POSTGRES_URL_VAR) else {
            eprintln!("skipped on PostgreSQL ({test}): set {POSTGRES_URL_VAR} to run it");
            return None;
        };
        let database = format!(
            "armtrace_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            jiff::Timestamp::now().as_millisecond() % 1_000_000
        );
        let mut conn = sqlx::PgConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={server} does not connect: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut conn)
            .await
            .expect("a test database is created");
        let _ = conn.close().await;
        Some(TestRegister {
            location: with_database(&server, &database),
            backend: TestBackend::Postgres,
            dir: tempfile::tempdir().expect("a temporary directory"),
            database: Some((server, database)),
        })
    }

    /// Opens the register (evidence files and the signing key in the test's directory).
    pub async fn open(&self) -> Result<Store> {
        let store = Store::open(&self.location).await?;
        Ok(match self.backend {
            TestBackend::Sqlite => store,
            TestBackend::Postgres => store.with_files_dir(self.dir.path()),
        })
    }

    /// The test's own directory (beside the SQLite file; evidence files of PostgreSQL).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the test's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for TestRegister {
    fn drop(&mut self) {
        let Some((server, database)) = self.database.take() else {
            return;
        };
        // Drop may run inside a runtime: the database is dropped from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                Ok::<_, sqlx::Error>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop a test database: {e}");
        }
    }
}

impl Store {
    /// Breaks the register under a running application, for tests of how failures are
    /// answered: the items table is renamed away, so every query of items fails in the
    /// database (not in the request).
    pub async fn break_items_table_for_tests(&self) -> Result<()> {
        sqlx::query("ALTER TABLE items RENAME TO items_taken_away_by_a_test")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_are_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}

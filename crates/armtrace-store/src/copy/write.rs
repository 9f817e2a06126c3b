//! The writing half of a copy: one transaction on the target, opened (and the target
//! checked empty) before anything is read, committed after every row and file is in
//! place. Dropping a [`Target`] before [`Target::commit`] rolls everything back.
//!
//! SQLite: a rusqlite connection in `BEGIN IMMEDIATE` (the one write lock, so no other
//! writer can slip in between the check and the commit), prepared inserts bound value by
//! value, each batch on a blocking thread. PostgreSQL: the native driver, every copied
//! table locked against other writers (`SHARE ROW EXCLUSIVE`: readers go on), each
//! table's rows streamed through one `COPY … FROM STDIN` kept open by a task of its own
//! (`pg_copy`), identity sequences moved past the copied ids at the end.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Postgres;

use super::{ColumnType, SnapshotFacts, TABLES, TablePlan, Value, quote};
use crate::error::{Result, StoreError};
use crate::import::postgres::push_copy_text;
use crate::pg_copy::{CHUNK_BYTES, CopyStream};
use crate::store::{Backend, Store, redact_password};

/// The target register inside the copy's transaction.
pub(crate) enum Target {
    Sqlite(SqliteTarget),
    Postgres(PgTarget),
}

impl Target {
    /// Begins the transaction, locks out other writers and checks that `to` is empty.
    pub async fn open(to: &Store, plan: Arc<Vec<TablePlan>>) -> Result<Target> {
        let location = redact_password(to.location());
        match &to.backend {
            Backend::Sqlite { file } => {
                let mut target = SqliteTarget {
                    conn: Some(open_sqlite(file)?),
                    plan,
                };
                let held = target
                    .run(|conn, _| {
                        let count = |sql: &str| -> Result<i64> {
                            conn.query_row(sql, [], |r| r.get(0)).map_err(sqlite_error)
                        };
                        held_by_target(count)
                    })
                    .await?;
                refuse_unless_empty(&location, &held)?;
                Ok(Target::Sqlite(target))
            }
            Backend::Postgres { pool } => {
                let mut tx = pool.begin().await?;
                let tables: Vec<String> = TABLES
                    .iter()
                    .map(|t| t.name)
                    .chain(["sessions", "audit_head", "register_version"])
                    .map(quote)
                    .collect();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                    tables.join(", ")
                )))
                .execute(&mut *tx)
                .await?;
                let mut held = Vec::new();
                for (what, sql) in target_holdings() {
                    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .fetch_one(&mut *tx)
                        .await?;
                    held.push((what, n));
                }
                refuse_unless_empty(&location, &held)?;
                Ok(Target::Postgres(PgTarget {
                    tx: Some(tx),
                    copying: None,
                    plan,
                    buffer: String::new(),
                    buffered: None,
                }))
            }
        }
    }

    /// Writes a batch of rows of table `table` (an index into the plan).
    pub async fn rows(&mut self, table: usize, rows: Vec<Vec<Value>>) -> Result<()> {
        match self {
            Target::Sqlite(t) => t.rows(table, rows).await,
            Target::Postgres(t) => t.rows(table, rows).await,
        }
    }

    /// Sets the audit head to the source's and moves the register version forward (and,
    /// on PostgreSQL, the identity sequences); returns the new register version.
    pub async fn finish(&mut self, facts: &SnapshotFacts) -> Result<i64> {
        match self {
            Target::Sqlite(t) => t.finish(facts).await,
            Target::Postgres(t) => t.finish(facts).await,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Target::Sqlite(mut t) => {
                t.run(|conn, _| conn.execute_batch("COMMIT").map_err(sqlite_error))
                    .await
            }
            Target::Postgres(mut t) => {
                t.end_copy().await?;
                Ok(t.tx.take().ok_or_else(lost)?.commit().await?)
            }
        }
    }
}

/// How a target whose audit head moved past an empty log is described.
const AUDIT_HEAD_AT: &str = "an audit head at entry";

/// What the target may not hold, each with the query that counts it.
fn target_holdings() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = TABLES
        .iter()
        .map(|t| t.name)
        .chain(["sessions"])
        .map(|t| {
            let what = match t {
                "trace_requests" => "trace requests",
                "item_grants" => "item grants",
                "api_tokens" => "API tokens",
                "evidence_files" => "evidence files",
                "item_evidence" => "evidence attachments",
                "audit_log" => "audit entries",
                other => other,
            };
            (
                what.to_owned(),
                format!("SELECT COUNT(*) FROM {}", quote(t)),
            )
        })
        .collect();
    out.push((
        AUDIT_HEAD_AT.into(),
        "SELECT COALESCE(MAX(seq), 0) FROM audit_head".into(),
    ));
    out
}

fn held_by_target(count: impl Fn(&str) -> Result<i64>) -> Result<Vec<(String, i64)>> {
    target_holdings()
        .into_iter()
        .map(|(what, sql)| Ok((what, count(&sql)?)))
        .collect()
}

/// Refuses a target that holds anything, naming what it holds.
fn refuse_unless_empty(location: &str, held: &[(String, i64)]) -> Result<()> {
    let entries = held
        .iter()
        .any(|(what, n)| what == "audit entries" && *n > 0);
    let held: Vec<String> = held
        .iter()
        // The head says no more than the entries do, unless they are gone.
        .filter(|(what, n)| *n > 0 && !(entries && what == AUDIT_HEAD_AT))
        .map(|(what, n)| format!("{what}: {n}"))
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    Err(StoreError::Input(format!(
        "the target register {location} is not empty (it holds {}); migrate-store copies into an \
         empty register only, and nothing was written. Give --to a new SQLite file, or a new \
         PostgreSQL database (createdb NAME), or drop and recreate this one",
        held.join(", ")
    )))
}

fn lost() -> StoreError {
    StoreError::Failed("the target register's transaction was lost after a failed COPY".into())
}

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Failed(format!("cannot write the target register: {e}"))
}

fn open_sqlite(file: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(file).map_err(sqlite_error)?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(sqlite_error)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -524288;
         PRAGMA temp_store = MEMORY;
         BEGIN IMMEDIATE;",
    )
    .map_err(sqlite_error)?;
    Ok(conn)
}

pub(crate) struct SqliteTarget {
    /// Taken while a blocking thread works on it; `None` after a thread panicked.
    conn: Option<rusqlite::Connection>,
    plan: Arc<Vec<TablePlan>>,
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl SqliteTarget {
    /// Runs `work` on the connection on a blocking thread.
    async fn run<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&rusqlite::Connection, &[TablePlan]) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.take().ok_or_else(|| {
            StoreError::Failed("the target register's connection was lost mid-copy".into())
        })?;
        let plan = self.plan.clone();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = work(&conn, &plan);
            (conn, result)
        })
        .await
        .expect("writing the target register does not panic");
        self.conn = Some(conn);
        result
    }

    async fn rows(&mut self, table: usize, rows: Vec<Vec<Value>>) -> Result<()> {
        self.run(move |conn, plan| {
            let p = &plan[table];
            let placeholders = (1..=p.columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut insert = conn
                .prepare_cached(&format!(
                    "INSERT INTO {} ({}) VALUES ({placeholders})",
                    quote(p.spec.name),
                    p.column_list()
                ))
                .map_err(sqlite_error)?;
            for row in &rows {
                insert
                    .execute(rusqlite::params_from_iter(row.iter()))
                    .map_err(|e| {
                        StoreError::Failed(format!(
                            "cannot write {} into the target register: {e}",
                            p.row_name(row)
                        ))
                    })?;
            }
            Ok(())
        })
        .await
    }

    async fn finish(&mut self, facts: &SnapshotFacts) -> Result<i64> {
        let facts = facts.clone();
        self.run(move |conn, _| {
            let updated = conn
                .execute(
                    "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
                    rusqlite::params![facts.head.seq, facts.head.hash],
                )
                .map_err(sqlite_error)?;
            if updated != 1 {
                return Err(StoreError::Corrupt(
                    "the target's audit head record (table audit_head) is missing".into(),
                ));
            }
            conn.query_row(
                "UPDATE register_version SET version = MAX(version + 1, ?1) WHERE id = 1 RETURNING version",
                [facts.register_version],
                |r| r.get(0),
            )
            .map_err(sqlite_error)
        })
        .await
    }
}

pub(crate) struct PgTarget {
    /// The copy's transaction, unless `copying` holds it.
    tx: Option<sqlx::Transaction<'static, Postgres>>,
    /// The open `COPY` of a table (its index in the plan) while its rows arrive.
    copying: Option<(usize, CopyStream)>,
    plan: Arc<Vec<TablePlan>>,
    /// COPY text not yet handed over, all of table `buffered`.
    buffer: String,
    buffered: Option<usize>,
}

impl PgTarget {
    async fn rows(&mut self, table: usize, rows: Vec<Vec<Value>>) -> Result<()> {
        if self.buffered != Some(table) {
            self.end_copy().await?;
            self.buffered = Some(table);
        }
        for row in &rows {
            encode_row(&mut self.buffer, &self.plan[table], row)?;
            if self.buffer.len() >= CHUNK_BYTES {
                self.hand_over().await?;
            }
        }
        Ok(())
    }

    /// Hands the buffered rows to the table's COPY, opening it on first use.
    async fn hand_over(&mut self) -> Result<()> {
        let Some(table) = self.buffered else {
            return Ok(());
        };
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.buffer).into_bytes();
        let stream = match &mut self.copying {
            Some((_, stream)) => stream,
            None => {
                let p = &self.plan[table];
                let statement = format!(
                    "COPY {} ({}) FROM STDIN",
                    quote(p.spec.name),
                    p.column_list()
                );
                let tx = self.tx.take().ok_or_else(lost)?;
                &mut self
                    .copying
                    .insert((table, CopyStream::start(tx, statement)))
                    .1
            }
        };
        stream.send(chunk).await;
        Ok(())
    }

    /// Sends what is buffered and waits for the open COPY to finish.
    async fn end_copy(&mut self) -> Result<()> {
        self.hand_over().await?;
        if let Some((table, stream)) = self.copying.take() {
            let (tx, _) = stream.finish().await.map_err(|e| {
                StoreError::Failed(format!(
                    "cannot write table {} into the target register: {e}",
                    self.plan[table].spec.name
                ))
            })?;
            self.tx = Some(tx);
        }
        Ok(())
    }

    /// The transaction, with no COPY open.
    async fn tx(&mut self) -> Result<&mut sqlx::Transaction<'static, Postgres>> {
        self.end_copy().await?;
        self.tx.as_mut().ok_or_else(lost)
    }

    async fn finish(&mut self, facts: &SnapshotFacts) -> Result<i64> {
        let tx = self.tx().await?;
        let updated = sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(facts.head.seq)
            .bind(&facts.head.hash)
            .execute(&mut **tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Corrupt(
                "the target's audit head record (table audit_head) is missing".into(),
            ));
        }
        for spec in TABLES.iter().filter(|t| t.identity) {
            // Ids were copied as they were: the next one generated must come after them.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), MAX(id)) FROM {0} HAVING MAX(id) IS NOT NULL",
                spec.name
            )))
            .execute(&mut **tx)
            .await?;
        }
        let (version,): (i64,) = sqlx::query_as(
            "UPDATE register_version SET version = GREATEST(version + 1, $1) WHERE id = 1 RETURNING version",
        )
        .bind(facts.register_version)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(crate::changes::CHANNEL)
            .bind(version.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(version)
    }
}

/// Appends one row in COPY's text format, checking that PostgreSQL's column can hold
/// each value exactly.
fn encode_row(out: &mut String, plan: &TablePlan, row: &[Value]) -> Result<()> {
    for (i, (value, column_type)) in row.iter().zip(&plan.target_types).enumerate() {
        if i > 0 {
            out.push('\t');
        }
        let fits = match (value, column_type) {
            (Value::Null, _) => {
                out.push_str("\\N");
                true
            }
            (Value::Int(v), ColumnType::Integer) => {
                let _ = write!(out, "{v}");
                true
            }
            // Every integer up to 2^53 is exactly a double.
            (Value::Int(v), ColumnType::Real) if v.unsigned_abs() <= 1 << 53 => {
                let _ = write!(out, "{v}");
                true
            }
            (Value::Real(v), ColumnType::Real) => {
                push_real(out, *v);
                true
            }
            (Value::Text(t), ColumnType::Text) if !t.contains('\0') => {
                push_copy_text(out, t);
                true
            }
            _ => false,
        };
        if !fits {
            let why = match value {
                Value::Text(t) if t.contains('\0') => {
                    "which contains a NUL character that PostgreSQL text cannot hold".to_owned()
                }
                _ => format!("which a PostgreSQL {column_type} column cannot hold"),
            };
            return Err(StoreError::Input(format!(
                "cannot copy {} to PostgreSQL: column {} holds {} {why}. \
                 The source register was changed outside armtrace: run `armtrace audit verify` \
                 on it and correct the row. Nothing was written",
                plan.row_name(row),
                plan.columns[i],
                value.describe()
            )));
        }
    }
    out.push('\n');
    Ok(())
}

/// A double as text PostgreSQL reads back to the same bits: Rust writes the shortest
/// decimal that round-trips, and PostgreSQL's input is correctly rounded.
fn push_real(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        let _ = write!(out, "{v}");
    }
}

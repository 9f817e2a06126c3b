//! The reading half of a copy: the source register in one consistent snapshot, its
//! facts first (row counts, audit head, register version), then every table of the
//! plan in order, in batches of [`BATCH_ROWS`] sent to the writer.
//!
//! SQLite: a read-only rusqlite connection on a blocking thread, inside one read
//! transaction (in WAL mode a reader keeps the snapshot of its first read until it
//! ends, whatever writers do meanwhile). PostgreSQL: the native driver in one
//! `REPEATABLE READ, READ ONLY` transaction. Either way the reader stops quietly when
//! the writer has gone (it failed and rolled back).

use std::path::Path;
use std::sync::Arc;

use armtrace_core::audit::ChainHead;
use futures_util::StreamExt;
use sqlx::postgres::PgRow;
use sqlx::{Column, PgPool, Row, TypeInfo};
use tokio::sync::mpsc;

use super::{BATCH_ROWS, SnapshotFacts, TablePlan, Value, quote};
use crate::error::{Result, StoreError};
use crate::store::{Backend, Store};

/// What the reader sends, in this order: the snapshot's facts, the rows, done.
pub(crate) enum Read {
    Snapshot(SnapshotFacts),
    Rows { table: usize, rows: Vec<Vec<Value>> },
    Done,
}

/// Starts reading `from`; the receiver gets the snapshot, then batches, then `Done`, or
/// the error that stopped the reader.
pub(crate) fn start(
    from: &Store,
    plan: Arc<Vec<TablePlan>>,
    ahead: usize,
) -> mpsc::Receiver<Result<Read>> {
    let (tx, rx) = mpsc::channel(ahead);
    match &from.backend {
        Backend::Sqlite { file } => {
            let file = file.clone();
            tokio::task::spawn_blocking(move || {
                if let Err(e) = read_sqlite(&file, &plan, &tx) {
                    let _ = tx.blocking_send(Err(e));
                }
            });
        }
        Backend::Postgres { pool } => {
            let pool = pool.clone();
            tokio::spawn(async move {
                if let Err(e) = read_postgres(&pool, &plan, &tx).await {
                    let _ = tx.send(Err(e)).await;
                }
            });
        }
    }
    rx
}

fn missing_head() -> StoreError {
    StoreError::Corrupt(
        "the source's audit head record (table audit_head) is missing; run `armtrace audit verify` on it"
            .into(),
    )
}

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Failed(format!("cannot read the source register: {e}"))
}

/// Reads the SQLite file; returns early (without error) when the writer has gone.
fn read_sqlite(file: &Path, plan: &[TablePlan], out: &mpsc::Sender<Result<Read>>) -> Result<()> {
    use rusqlite::OptionalExtension;
    let conn = crate::bulk::open_read_only(file)?;
    conn.execute_batch("BEGIN").map_err(sqlite_error)?;
    let count = |table: &str| -> Result<u64> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {}", quote(table)), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as u64)
        .map_err(sqlite_error)
    };
    let counts = plan
        .iter()
        .map(|p| count(p.spec.name))
        .collect::<Result<Vec<_>>>()?;
    let sessions = count("sessions")?;
    let head = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok(ChainHead {
                seq: r.get(0)?,
                hash: r.get(1)?,
            })
        })
        .optional()
        .map_err(sqlite_error)?
        .ok_or_else(missing_head)?;
    let register_version = conn
        .query_row(
            "SELECT version FROM register_version WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(sqlite_error)?
        .unwrap_or(0);
    let facts = SnapshotFacts {
        counts,
        sessions,
        head,
        register_version,
    };
    if out.blocking_send(Ok(Read::Snapshot(facts))).is_err() {
        return Ok(());
    }
    for (table, p) in plan.iter().enumerate() {
        let mut stmt = conn.prepare(&p.select()).map_err(sqlite_error)?;
        let mut rows = stmt.query([]).map_err(sqlite_error)?;
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        while let Some(row) = rows.next().map_err(sqlite_error)? {
            let mut values = Vec::with_capacity(p.columns.len());
            for i in 0..p.columns.len() {
                values.push(sqlite_value(p, row, i)?);
            }
            batch.push(values);
            if batch.len() == BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                if out
                    .blocking_send(Ok(Read::Rows { table, rows: full }))
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        if !batch.is_empty()
            && out
                .blocking_send(Ok(Read::Rows { table, rows: batch }))
                .is_err()
        {
            return Ok(());
        }
    }
    let _ = out.blocking_send(Ok(Read::Done));
    Ok(())
}

/// Column `i` of a SQLite row as the value SQLite stored.
fn sqlite_value(plan: &TablePlan, row: &rusqlite::Row<'_>, i: usize) -> Result<Value> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(i).map_err(sqlite_error)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Int(v),
        ValueRef::Real(v) => Value::Real(v),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => Value::Text(s.to_owned()),
            Err(_) => {
                let key = plan
                    .key_at
                    .iter()
                    .map(|&k| {
                        let v = row.get_ref(k).ok().and_then(crate::bulk::canonical_text);
                        format!("{} {}", plan.columns[k], v.unwrap_or_default())
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(StoreError::Corrupt(format!(
                    "{} row {key}, column {}: the text is not UTF-8, which armtrace never writes",
                    plan.spec.name, plan.columns[i]
                )));
            }
        },
    })
}

/// Reads the PostgreSQL database; returns early (without error) when the writer has gone.
async fn read_postgres(
    pool: &PgPool,
    plan: &[TablePlan],
    out: &mpsc::Sender<Result<Read>>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let mut counts = Vec::with_capacity(plan.len());
    for p in plan {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quote(p.spec.name)
        )))
        .fetch_one(&mut *tx)
        .await?;
        counts.push(n as u64);
    }
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&mut *tx)
        .await?;
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(missing_head)?;
    let register_version: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM register_version WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
    let facts = SnapshotFacts {
        counts,
        sessions: sessions as u64,
        head: ChainHead { seq, hash },
        register_version: register_version.map_or(0, |(v,)| v),
    };
    if out.send(Ok(Read::Snapshot(facts))).await.is_err() {
        return Ok(());
    }
    for (table, p) in plan.iter().enumerate() {
        let select = p.select();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(select.as_str())).fetch(&mut *tx);
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        while let Some(row) = rows.next().await {
            let row = row?;
            let values = (0..p.columns.len())
                .map(|i| postgres_value(p, &row, i))
                .collect::<Result<Vec<_>>>()?;
            batch.push(values);
            if batch.len() == BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                if out
                    .send(Ok(Read::Rows { table, rows: full }))
                    .await
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        if !batch.is_empty()
            && out
                .send(Ok(Read::Rows { table, rows: batch }))
                .await
                .is_err()
        {
            return Ok(());
        }
    }
    drop(tx);
    let _ = out.send(Ok(Read::Done)).await;
    Ok(())
}

/// Column `i` of a PostgreSQL row as a [`Value`] (binary protocol: reals arrive exact).
fn postgres_value(plan: &TablePlan, row: &PgRow, i: usize) -> Result<Value> {
    Ok(match row.column(i).type_info().name() {
        "INT8" => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::Int),
        "INT4" => row
            .try_get::<Option<i32>, _>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        "INT2" => row
            .try_get::<Option<i16>, _>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        "FLOAT8" => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::Real),
        "FLOAT4" => row
            .try_get::<Option<f32>, _>(i)?
            .map_or(Value::Null, |v| Value::Real(v.into())),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::Text),
        "BYTEA" => row
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Value::Null, Value::Blob),
        other => {
            return Err(StoreError::Unsupported(format!(
                "table {}, column {} is of type {other}, which armtrace's schema does not use; \
                 it was changed outside armtrace",
                plan.spec.name, plan.columns[i]
            )));
        }
    })
}

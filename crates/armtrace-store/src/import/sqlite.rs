//! The SQLite side of the import writer: one dedicated connection, one `BEGIN
//! IMMEDIATE` transaction, prepared statements bound value by value.
//!
//! Bulk writes go through rusqlite on the register file rather than through the sqlx
//! pool: sqlx's SQLite driver copies every bound value into an owned buffer and hands
//! each statement to a worker thread, which measured as the largest cost of a
//! million-row import. rusqlite shares sqlx's bundled SQLite library, so both see the
//! same database; the connection is dropped (rolling back) unless the import commits.
//! The import's audit entry is appended in the same transaction, just before it commits.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{ImportSummary, Sink};
use crate::audit::append_blocking;
use crate::error::{Result, StoreError};
use crate::record::Record;
use crate::store::now;

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Failed(format!("cannot write the register: {e}"))
}

pub(crate) struct SqliteSink {
    conn: rusqlite::Connection,
    actor: String,
    at: String,
    import_id: Option<i64>,
    /// Statement texts, built once per import (a sink serves one record kind).
    insert_sql: String,
    update_sql: String,
}

impl SqliteSink {
    pub fn open(file: &Path, actor: &str) -> Result<SqliteSink> {
        let conn = rusqlite::Connection::open(file).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(db)?;
        // A 512 MiB page cache (filled only as pages are touched) keeps a million-row
        // import from spilling half-written pages into the WAL mid-transaction, which
        // measured as a third of the import's time with the default cache.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA cache_size = -524288;
             PRAGMA temp_store = MEMORY;
             BEGIN IMMEDIATE;",
        )
        .map_err(db)?;
        Ok(SqliteSink {
            conn,
            actor: actor.to_owned(),
            at: now(),
            import_id: None,
            insert_sql: String::new(),
            update_sql: String::new(),
        })
    }

    /// The `imports` row this import's writes point at, created on first write.
    fn import_id<R: Record>(&mut self) -> Result<i64> {
        if let Some(id) = self.import_id {
            return Ok(id);
        }
        self.conn
            .execute(
                "INSERT INTO imports (kind, source_name, source_sha256, format, actor, started_at, finished_at,
                                      inserted, updated, unchanged, rejected)
                 VALUES (?1, '', '', '', ?2, ?3, ?3, 0, 0, 0, 0)",
                (R::TABLE, &self.actor, &self.at),
            )
            .map_err(db)?;
        let id = self.conn.last_insert_rowid();
        self.import_id = Some(id);
        Ok(id)
    }
}

impl<R: Record> Sink<R> for SqliteSink {
    async fn existing(&mut self) -> Result<FxHashMap<String, (i64, i64, i64)>> {
        let sql = format!(
            "SELECT {}, id, content_hash, revision FROM {}",
            R::KEY,
            R::TABLE
        );
        let mut stmt = self.conn.prepare(&sql).map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let mut map = FxHashMap::default();
        while let Some(row) = rows.next().map_err(db)? {
            map.insert(
                row.get(0).map_err(db)?,
                (
                    row.get(1).map_err(db)?,
                    row.get(2).map_err(db)?,
                    row.get(3).map_err(db)?,
                ),
            );
        }
        Ok(map)
    }

    async fn hidden(&mut self, clearance: &armtrace_core::Clearance) -> Result<FxHashSet<String>> {
        let mut out = FxHashSet::default();
        if R::TABLE != "items" {
            return Ok(out);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT ref, id, confidentiality FROM items WHERE confidentiality <> 'public'")
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let level: String = row.get(2).map_err(db)?;
            let level = level
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("confidentiality {level:?}")))?;
            if !clearance.allows(level, row.get(1).map_err(db)?) {
                out.insert(row.get(0).map_err(db)?);
            }
        }
        Ok(out)
    }

    async fn insert(&mut self, record: &R, hash: i64) -> Result<()> {
        let import_id = self.import_id::<R>()?;
        let n = R::FIELDS.len();
        if self.insert_sql.is_empty() {
            let mut sql = format!(
                "INSERT INTO {} ({}, content_hash, revision, created_at, updated_at, import_id) VALUES (",
                R::TABLE,
                R::FIELDS.join(", ")
            );
            for i in 1..=n + 5 {
                let _ = write!(sql, "{}?{i}", if i == 1 { "" } else { ", " });
            }
            sql.push(')');
            self.insert_sql = sql;
        }
        let mut stmt = self.conn.prepare_cached(&self.insert_sql).map_err(db)?;
        for (i, v) in record.values().iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v).map_err(db)?;
        }
        stmt.raw_bind_parameter(n + 1, hash).map_err(db)?;
        stmt.raw_bind_parameter(n + 2, 1i64).map_err(db)?;
        stmt.raw_bind_parameter(n + 3, &self.at).map_err(db)?;
        stmt.raw_bind_parameter(n + 4, &self.at).map_err(db)?;
        stmt.raw_bind_parameter(n + 5, import_id).map_err(db)?;
        stmt.raw_execute().map_err(db)?;
        Ok(())
    }

    async fn update(&mut self, id: i64, revision: i64, record: &R, hash: i64) -> Result<()> {
        let import_id = self.import_id::<R>()?;
        let select = format!(
            "SELECT {} FROM {} WHERE id = ?1",
            R::FIELDS.join(", "),
            R::TABLE
        );
        let previous: serde_json::Map<String, serde_json::Value> = self
            .conn
            .query_row(&select, [id], |row| {
                let mut map = serde_json::Map::new();
                for (i, field) in R::FIELDS.iter().enumerate() {
                    if let Some(v) = crate::bulk::canonical_text(row.get_ref(i)?) {
                        map.insert((*field).to_owned(), serde_json::Value::String(v));
                    }
                }
                Ok(map)
            })
            .map_err(db)?;
        self.conn
            .execute(
                "INSERT INTO revisions (entity, entity_id, revision, changed_at, actor, import_id, action, previous)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'update', ?7)",
                (
                    R::ENTITY,
                    id,
                    revision + 1,
                    &self.at,
                    &self.actor,
                    import_id,
                    serde_json::Value::Object(previous).to_string(),
                ),
            )
            .map_err(db)?;
        let n = R::FIELDS.len();
        if self.update_sql.is_empty() {
            let mut sql = format!("UPDATE {} SET ", R::TABLE);
            for (i, f) in R::FIELDS.iter().enumerate() {
                let _ = write!(sql, "{f} = ?{}, ", i + 1);
            }
            let _ = write!(
                sql,
                "content_hash = ?{}, revision = ?{}, updated_at = ?{}, import_id = ?{} WHERE id = ?{}",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5
            );
            self.update_sql = sql;
        }
        let mut stmt = self.conn.prepare_cached(&self.update_sql).map_err(db)?;
        for (i, v) in record.values().iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v).map_err(db)?;
        }
        stmt.raw_bind_parameter(n + 1, hash).map_err(db)?;
        stmt.raw_bind_parameter(n + 2, revision + 1).map_err(db)?;
        stmt.raw_bind_parameter(n + 3, &self.at).map_err(db)?;
        stmt.raw_bind_parameter(n + 4, import_id).map_err(db)?;
        stmt.raw_bind_parameter(n + 5, id).map_err(db)?;
        stmt.raw_execute().map_err(db)?;
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        // Rows are written as they come, inside the one transaction.
        Ok(())
    }

    async fn commit(self, summary: &ImportSummary<'_>) -> Result<()> {
        let r = summary.report;
        if let Some(id) = self.import_id {
            // One audit entry per committed import, in its transaction.
            let event = summary.audit_event(&self.actor, R::TABLE, id);
            append_blocking(&self.conn, &event)?;
            self.conn
                .execute(
                    "UPDATE imports SET source_name = ?1, source_sha256 = ?2, format = ?3, finished_at = ?4,
                     inserted = ?5, updated = ?6, unchanged = ?7, rejected = ?8 WHERE id = ?9",
                    (
                        &summary.source_name,
                        &summary.source_sha256,
                        summary.format,
                        now(),
                        r.inserted as i64,
                        r.updated as i64,
                        r.unchanged as i64,
                        r.rejected as i64,
                        id,
                    ),
                )
                .map_err(db)?;
        }
        self.conn
            .execute_batch("UPDATE register_version SET version = version + 1 WHERE id = 1; COMMIT")
            .map_err(db)?;
        Ok(())
    }
}

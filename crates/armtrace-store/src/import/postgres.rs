//! The PostgreSQL side of the import writer: one transaction, new records streamed
//! through one `COPY … FROM STDIN` kept open by a task of its own (`pg_copy`: the server
//! stores rows while the writer checks and encodes the next ones), changed records
//! staged with `COPY` and applied with one `UPDATE … FROM` per batch, their previous
//! values kept as revisions (also sent with `COPY`). Row-by-row statements would cost a
//! network round trip per row.
//!
//! The table being imported into is locked against other writers (`SHARE ROW
//! EXCLUSIVE`: reads go on) for the whole import, so the keys and hashes read at the
//! start stay true until the commit, as SQLite's `BEGIN IMMEDIATE` guarantees there.
//! The import's audit entry, the import log row and the register version are written in
//! the same transaction, and `NOTIFY armtrace_register` tells other servers on commit.

use std::fmt::Write;

use futures_util::StreamExt;
use rustc_hash::{FxHashMap, FxHashSet};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row};

use super::{ImportSummary, Sink};
use crate::bulk::BulkRow;
use crate::error::{Result, StoreError};
use crate::pg_copy::{CHUNK_BYTES, CopyStream};
use crate::record::{Record, SqlValue};
use crate::store::now;

/// Changed records per staged batch.
const UPDATE_BATCH: usize = 5_000;

pub(crate) struct PgSink {
    /// The import's transaction, unless `inserting` holds it.
    tx: Option<sqlx::Transaction<'static, Postgres>>,
    /// The COPY new records are streamed through, while there are some.
    inserting: Option<CopyStream>,
    actor: String,
    at: String,
    import_id: Option<i64>,
    table: &'static str,
    entity: &'static str,
    key: &'static str,
    fields: &'static [&'static str],
    /// COPY text of new records not yet handed to `inserting`.
    inserts: String,
    /// COPY text of changed records (`id`, fields, bookkeeping) not yet applied.
    updates: String,
    updated_ids: Vec<(i64, i64)>,
    staging: bool,
}

/// Appends one value in COPY's text format (`\N` for NULL; backslash escapes).
pub(crate) fn push_copy_text(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn push_copy_value(out: &mut String, value: &SqlValue<'_>) {
    match value {
        SqlValue::Null => out.push_str("\\N"),
        SqlValue::Text(s) => push_copy_text(out, s),
        SqlValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        SqlValue::Real(f) => {
            let _ = write!(out, "{f}");
        }
        SqlValue::Date(d) => {
            let _ = write!(out, "{d}");
        }
        SqlValue::Years(_) | SqlValue::Words(_) => match value.list_text() {
            Some(t) => push_copy_text(out, &t),
            None => out.push_str("\\N"),
        },
    }
}

fn push_row(out: &mut String, values: &[SqlValue<'_>]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        push_copy_value(out, v);
    }
    out.push('\n');
}

fn lost() -> StoreError {
    StoreError::Failed("the import's transaction was lost after a failed COPY".into())
}

/// The transaction when no COPY holds it (see [`PgSink::tx`]), borrowing only that field.
fn ready<'a>(
    tx: &'a mut Option<sqlx::Transaction<'static, Postgres>>,
) -> Result<&'a mut sqlx::Transaction<'static, Postgres>> {
    tx.as_mut().ok_or_else(lost)
}

impl PgSink {
    pub async fn open<R: Record>(pool: &PgPool, actor: &str) -> Result<PgSink> {
        let mut tx = pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
            R::TABLE
        )))
        .execute(&mut *tx)
        .await?;
        Ok(PgSink {
            tx: Some(tx),
            inserting: None,
            actor: actor.to_owned(),
            at: now(),
            import_id: None,
            table: R::TABLE,
            entity: R::ENTITY,
            key: R::KEY,
            fields: R::FIELDS,
            inserts: String::new(),
            updates: String::new(),
            updated_ids: Vec::new(),
            staging: false,
        })
    }

    /// The transaction, once the COPY of new records (if one is open) has finished.
    async fn tx(&mut self) -> Result<&mut sqlx::Transaction<'static, Postgres>> {
        if let Some(stream) = self.inserting.take() {
            let (tx, _) = stream.finish().await?;
            self.tx = Some(tx);
        }
        ready(&mut self.tx)
    }

    /// The `imports` row this import's writes point at, created on first write.
    async fn import_id(&mut self) -> Result<i64> {
        if let Some(id) = self.import_id {
            return Ok(id);
        }
        self.tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO imports (kind, source_name, source_sha256, format, actor, started_at, finished_at,
                                  inserted, updated, unchanged, rejected)
             VALUES ($1, '', '', '', $2, $3, $3, 0, 0, 0, 0) RETURNING id",
        )
        .bind(self.table)
        .bind(&self.actor)
        .bind(&self.at)
        .fetch_one(&mut **ready(&mut self.tx)?)
        .await?;
        self.import_id = Some(id);
        Ok(id)
    }

    async fn copy(&mut self, statement: &str, data: &str) -> Result<()> {
        let mut copy = self.tx().await?.copy_in_raw(statement).await?;
        if let Err(e) = copy.send(data.as_bytes()).await {
            let _ = copy.abort(e.to_string()).await;
            return Err(e.into());
        }
        copy.finish().await?;
        Ok(())
    }

    /// Hands the encoded new records to the open COPY (opening it on first use).
    async fn send_inserts(&mut self) -> Result<()> {
        if self.inserts.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.inserts).into_bytes();
        let stream = match self.inserting.as_mut() {
            Some(stream) => stream,
            None => {
                let statement = format!(
                    "COPY {} ({}, content_hash, revision, created_at, updated_at, import_id) FROM STDIN",
                    self.table,
                    self.fields.join(", ")
                );
                self.tx().await?;
                let tx = self.tx.take().ok_or_else(lost)?;
                self.inserting.insert(CopyStream::start(tx, statement))
            }
        };
        stream.send(chunk).await;
        Ok(())
    }

    /// Keeps the previous values of the staged records as revisions, then applies them.
    async fn apply_updates(&mut self) -> Result<()> {
        if self.updated_ids.is_empty() {
            return Ok(());
        }
        let import_id = self.import_id().await?;
        self.tx().await?;
        let ids: Vec<i64> = self.updated_ids.iter().map(|(id, _)| *id).collect();
        let revision_of: FxHashMap<i64, i64> = self.updated_ids.iter().copied().collect();
        let select = format!(
            "SELECT id, {} FROM {} WHERE id = ANY($1)",
            self.fields.join(", "),
            self.table
        );
        let mut revisions = String::new();
        {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(&ids)
                .fetch(&mut **ready(&mut self.tx)?);
            while let Some(row) = rows.next().await {
                let row: PgRow = row?;
                let id: i64 = row.try_get(0)?;
                let mut previous = serde_json::Map::new();
                for (i, field) in self.fields.iter().enumerate() {
                    let value = BulkRow::canonical(&row, i + 1).map_err(|_| {
                        StoreError::Corrupt(format!("{} {id} column {field}", self.entity))
                    })?;
                    if let Some(v) = value {
                        previous.insert((*field).to_owned(), serde_json::Value::String(v));
                    }
                }
                let previous = serde_json::Value::Object(previous).to_string();
                let revision = revision_of.get(&id).copied().unwrap_or_default();
                push_row(
                    &mut revisions,
                    &[
                        SqlValue::Text(self.entity),
                        SqlValue::Int(id),
                        SqlValue::Int(revision),
                        SqlValue::Text(&self.at),
                        SqlValue::Text(&self.actor),
                        SqlValue::Int(import_id),
                        SqlValue::Text("update"),
                        SqlValue::Text(&previous),
                    ],
                );
            }
        }
        self.copy(
            "COPY revisions (entity, entity_id, revision, changed_at, actor, import_id, action, previous) FROM STDIN",
            &revisions,
        )
        .await?;
        if !self.staging {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TEMP TABLE armtrace_staging ON COMMIT DROP AS
                 SELECT id, {}, content_hash, revision, updated_at, import_id FROM {} WITH NO DATA",
                self.fields.join(", "),
                self.table
            )))
            .execute(&mut **ready(&mut self.tx)?)
            .await?;
            self.staging = true;
        } else {
            sqlx::query("TRUNCATE armtrace_staging")
                .execute(&mut **ready(&mut self.tx)?)
                .await?;
        }
        let data = std::mem::take(&mut self.updates);
        self.copy("COPY armtrace_staging FROM STDIN", &data).await?;
        let mut set = String::new();
        for f in self
            .fields
            .iter()
            .chain(&["content_hash", "revision", "updated_at", "import_id"])
        {
            if !set.is_empty() {
                set.push_str(", ");
            }
            let _ = write!(set, "{f} = s.{f}");
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} t SET {set} FROM armtrace_staging s WHERE t.id = s.id",
            self.table
        )))
        .execute(&mut **ready(&mut self.tx)?)
        .await?;
        self.updated_ids.clear();
        Ok(())
    }
}

impl<R: Record> Sink<R> for PgSink {
    async fn existing(&mut self) -> Result<FxHashMap<String, (i64, i64, i64)>> {
        let sql = format!(
            "SELECT {}, id, content_hash, revision FROM {}",
            self.key, self.table
        );
        let mut map = FxHashMap::default();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **self.tx().await?);
        while let Some(row) = rows.next().await {
            let row = row?;
            map.insert(
                row.try_get(0)?,
                (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?),
            );
        }
        Ok(map)
    }

    async fn hidden(&mut self, clearance: &armtrace_core::Clearance) -> Result<FxHashSet<String>> {
        let mut out = FxHashSet::default();
        if self.table != "items" {
            return Ok(out);
        }
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT ref, id, confidentiality FROM items WHERE confidentiality <> 'public'",
        )
        .fetch_all(&mut **self.tx().await?)
        .await?;
        for (reference, id, level) in rows {
            let level = level
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("confidentiality {level:?}")))?;
            if !clearance.allows(level, id) {
                out.insert(reference);
            }
        }
        Ok(out)
    }

    async fn insert(&mut self, record: &R, hash: i64) -> Result<()> {
        let import_id = self.import_id().await?;
        let mut values = record.values();
        values.extend([
            SqlValue::Int(hash),
            SqlValue::Int(1),
            SqlValue::Text(&self.at),
            SqlValue::Text(&self.at),
            SqlValue::Int(import_id),
        ]);
        push_row(&mut self.inserts, &values);
        drop(values);
        if self.inserts.len() >= CHUNK_BYTES {
            self.send_inserts().await?;
        }
        Ok(())
    }

    async fn update(&mut self, id: i64, revision: i64, record: &R, hash: i64) -> Result<()> {
        let import_id = self.import_id().await?;
        let mut values = vec![SqlValue::Int(id)];
        values.extend(record.values());
        values.extend([
            SqlValue::Int(hash),
            SqlValue::Int(revision + 1),
            SqlValue::Text(&self.at),
            SqlValue::Int(import_id),
        ]);
        push_row(&mut self.updates, &values);
        drop(values);
        self.updated_ids.push((id, revision + 1));
        if self.updated_ids.len() >= UPDATE_BATCH {
            self.send_inserts().await?;
            self.apply_updates().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        // New records go to the open COPY without waiting for the server; changed ones
        // wait for a full batch (applying them needs the transaction, ending the COPY).
        self.send_inserts().await
    }

    async fn commit(mut self, summary: &ImportSummary<'_>) -> Result<()> {
        self.send_inserts().await?;
        self.apply_updates().await?;
        self.tx().await?;
        let mut tx = self.tx.take().ok_or_else(lost)?;
        let r = summary.report;
        if let Some(id) = self.import_id {
            let event = summary.audit_event(&self.actor, self.table, id);
            crate::audit::append_pg(&mut tx, &event).await?;
            sqlx::query(
                "UPDATE imports SET source_name = $1, source_sha256 = $2, format = $3, finished_at = $4,
                 inserted = $5, updated = $6, unchanged = $7, rejected = $8 WHERE id = $9",
            )
            .bind(&summary.source_name)
            .bind(&summary.source_sha256)
            .bind(summary.format)
            .bind(now())
            .bind(r.inserted as i64)
            .bind(r.updated as i64)
            .bind(r.unchanged as i64)
            .bind(r.rejected as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        crate::changes::bump_pg(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

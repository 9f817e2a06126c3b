//! Importing records from files: validated, atomic, idempotent, with revisions.
//!
//! The pipeline has two halves running at once. A reader thread turns the file into
//! canonical rows and parses each into a domain record (an [`Item`](armtrace_core::Item)
//! or a [`Transfer`](armtrace_core::Transfer)); the writer compares each record with the
//! register by key and content hash and writes new and changed ones inside one
//! transaction. The transaction commits only when the whole file was read and either no
//! row was invalid or `skip_invalid` was asked for, so an interrupted or rejected import
//! leaves the register exactly as it was. Re-importing an unchanged file writes nothing.

mod source;

use std::collections::HashMap;
use std::path::Path;

use armtrace_core::RowError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

pub use source::{Format, Mapping};
use source::{CanonicalRow, Source};

use crate::error::{Result, StoreError};
use crate::record::{self, Record};
use crate::store::{Store, now};

/// How an import should behave.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    pub mapping: Option<Mapping>,
    /// Validate and report only.
    pub dry_run: bool,
    /// Write the valid rows and report the others, instead of writing nothing.
    pub skip_invalid: bool,
    /// Leave out columns that are neither canonical nor mapped, instead of failing.
    pub ignore_unknown: bool,
    /// Who is importing (recorded with the import and every revision).
    pub actor: String,
}

impl ImportOptions {
    pub fn new(format: Format, actor: impl Into<String>) -> Self {
        ImportOptions {
            format,
            mapping: None,
            dry_run: false,
            skip_invalid: false,
            ignore_unknown: false,
            actor: actor.into(),
        }
    }
}

/// The outcome of an import; its JSON form is part of the CLI contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// True when the file was written (or, in a dry run, would be).
    pub fn accepted(&self, skip_invalid: bool) -> bool {
        self.rejected == 0 || skip_invalid
    }
}

/// Progress of a running import, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct ImportProgress {
    pub bytes_read: u64,
    pub total_bytes: u64,
    pub rows: u64,
}

/// At most this many row errors are listed; `rejected` still counts every bad row.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// Records per multi-row INSERT; keeps the bound parameters under SQLite's limit.
const INSERT_BATCH: usize = 500;
/// Parsed rows per message from the reader thread.
const READ_BATCH: usize = 2000;

type Parsed<R> = (u64, Result<R, Vec<armtrace_core::FieldError>>);

enum Message<R> {
    /// Parsed rows and the input bytes consumed up to the last of them.
    Rows(Vec<Parsed<R>>, u64),
    Unreadable(RowError),
}

/// The required columns of each record kind.
fn required<R: Record>() -> &'static [&'static str] {
    match R::TABLE {
        "items" => &["ref", "category"],
        _ => &["transfer_ref"],
    }
}

impl Store {
    /// Imports a file of records of kind `R`.
    pub async fn import_file<R: Record>(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        let source = Source::open(
            path,
            options.format,
            R::FIELDS,
            required::<R>(),
            options.mapping.as_ref(),
            options.ignore_unknown,
        )?;
        let column_names = source.plan.display_name.clone();
        let total_bytes = source.total_bytes;
        let digest = file_sha256(path)?;

        let (tx_rows, mut rx_rows) = tokio::sync::mpsc::channel::<Message<R>>(4);
        let reader = std::thread::spawn(move || read_and_parse::<R>(source, tx_rows));

        let existing = self.existing_keys::<R>().await?;
        let mut writer = Writer::<R>::new(self.pool.begin().await?, options, existing);
        let mut rows = 0u64;
        let mut bytes_read = 0u64;
        while let Some(message) = rx_rows.recv().await {
            match message {
                Message::Unreadable(e) => writer.reject(e),
                Message::Rows(batch, bytes) => {
                    rows += batch.len() as u64;
                    bytes_read = bytes;
                    writer.take(batch, &column_names).await?;
                }
            }
            progress(ImportProgress { bytes_read, total_bytes, rows });
        }
        reader.join().expect("the import reader thread does not panic");
        progress(ImportProgress { bytes_read: total_bytes, total_bytes, rows });
        writer
            .finish(path, &digest, options.format.as_str())
            .await
    }

    /// Key → (id, content hash, revision) of every record of kind `R`.
    async fn existing_keys<R: Record>(&self) -> Result<HashMap<String, (i64, i64, i64)>> {
        let sql = format!("SELECT id, {}, content_hash, revision FROM {}", R::KEY, R::TABLE);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        let mut map = HashMap::with_capacity(rows.len());
        for row in rows {
            map.insert(row.try_get(1)?, (row.try_get(0)?, row.try_get(2)?, row.try_get(3)?));
        }
        Ok(map)
    }
}

fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Read { path: path.to_owned(), source })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|source| StoreError::Read { path: path.to_owned(), source })?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// The reader half: parse rows in batches and hand them to the writer, in file order.
/// Stops early when the writer has gone away (it failed).
fn read_and_parse<R: Record>(source: Source, out: tokio::sync::mpsc::Sender<Message<R>>) {
    let mut batch = Vec::with_capacity(READ_BATCH);
    let mut bytes = 0;
    for (row, consumed) in source {
        bytes = consumed;
        match row {
            CanonicalRow::Values { row, record } => {
                let values: Vec<&str> = record.iter().collect();
                batch.push((row, R::parse(&values)));
                if batch.len() == READ_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                    if out.blocking_send(Message::Rows(full, bytes)).is_err() {
                        return;
                    }
                }
            }
            CanonicalRow::Unreadable(e) => {
                let earlier = std::mem::take(&mut batch);
                if out.blocking_send(Message::Rows(earlier, bytes)).is_err()
                    || out.blocking_send(Message::Unreadable(e)).is_err()
                {
                    return;
                }
            }
        }
    }
    let _ = out.blocking_send(Message::Rows(batch, bytes));
}

/// The writer half: classifies records and writes them in one transaction.
struct Writer<'o, R: Record> {
    tx: Transaction<'static, Sqlite>,
    options: &'o ImportOptions,
    existing: HashMap<String, (i64, i64, i64)>,
    /// Key → first row it appeared on in this file.
    seen: HashMap<String, u64>,
    pending: Vec<(R, i64)>,
    report: ImportReport,
    import_id: Option<i64>,
    started_at: String,
}

impl<'o, R: Record> Writer<'o, R> {
    fn new(tx: Transaction<'static, Sqlite>, options: &'o ImportOptions, existing: HashMap<String, (i64, i64, i64)>) -> Self {
        Writer {
            tx,
            options,
            existing,
            seen: HashMap::new(),
            pending: Vec::with_capacity(INSERT_BATCH),
            report: ImportReport::default(),
            import_id: None,
            started_at: now(),
        }
    }

    /// Writes happen only while the import can still succeed.
    fn writing(&self) -> bool {
        !self.options.dry_run && (self.report.rejected == 0 || self.options.skip_invalid)
    }

    fn reject(&mut self, error: RowError) {
        self.report.rejected += 1;
        self.push_error(error);
    }

    fn push_error(&mut self, error: RowError) {
        if self.report.errors.len() < MAX_LISTED_ERRORS {
            self.report.errors.push(error);
        }
    }

    async fn take(&mut self, batch: Vec<Parsed<R>>, column_names: &[String]) -> Result<()> {
        for (row, parsed) in batch {
            let record = match parsed {
                Ok(r) => r,
                Err(field_errors) => {
                    self.report.rejected += 1;
                    for fe in field_errors {
                        let column = R::FIELDS
                            .iter()
                            .position(|f| *f == fe.field)
                            .map_or(fe.field.to_owned(), |i| column_names[i].clone());
                        self.push_error(RowError { row, column, value: fe.value, message: fe.message });
                    }
                    continue;
                }
            };
            if let Some(first) = self.seen.get(record.key()) {
                let error = RowError {
                    row,
                    column: column_names[0].clone(),
                    value: record.key().to_owned(),
                    message: format!("appears again: row {first} has the same {}, which must be unique", R::KEY),
                };
                self.reject(error);
                continue;
            }
            self.seen.insert(record.key().to_owned(), row);
            let hash = record.content_hash();
            match self.existing.get(record.key()).copied() {
                Some((_, old_hash, _)) if old_hash == hash => self.report.unchanged += 1,
                Some((id, _, revision)) => {
                    self.report.updated += 1;
                    if self.writing() {
                        self.update(id, revision, record, hash).await?;
                    }
                }
                None => {
                    self.report.inserted += 1;
                    if self.writing() {
                        self.pending.push((record, hash));
                        if self.pending.len() == INSERT_BATCH {
                            self.flush().await?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The `imports` row this import's writes point at, created on first write.
    async fn import_id(&mut self) -> Result<i64> {
        if let Some(id) = self.import_id {
            return Ok(id);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO imports (kind, source_name, source_sha256, format, actor, started_at, finished_at, inserted, updated, unchanged, rejected)
             VALUES ($1, '', '', '', $2, $3, $3, 0, 0, 0, 0) RETURNING id",
        )
        .bind(R::TABLE)
        .bind(&self.options.actor)
        .bind(&self.started_at)
        .fetch_one(&mut *self.tx)
        .await?;
        self.import_id = Some(id);
        Ok(id)
    }

    async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let import_id = self.import_id().await?;
        let at = self.started_at.clone();
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO {} ({}, content_hash, revision, created_at, updated_at, import_id) ",
            R::TABLE,
            R::columns().join(", ")
        ));
        q.push_values(self.pending.drain(..), |mut b, (record, hash)| {
            record.push_binds(&mut b);
            b.push_bind(hash).push_bind(1i64).push_bind(at.clone()).push_bind(at.clone()).push_bind(import_id);
        });
        q.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn update(&mut self, id: i64, revision: i64, record: R, hash: i64) -> Result<()> {
        let import_id = self.import_id().await?;
        let previous_row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {} WHERE id = $1", R::TABLE)))
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        let previous = record::to_json(&R::from_row(&previous_row)?);
        sqlx::query(
            "INSERT INTO revisions (entity, entity_id, revision, changed_at, actor, import_id, action, previous)
             VALUES ($1, $2, $3, $4, $5, $6, 'update', $7)",
        )
        .bind(R::ENTITY)
        .bind(id)
        .bind(revision + 1)
        .bind(&self.started_at)
        .bind(&self.options.actor)
        .bind(import_id)
        .bind(previous.to_string())
        .execute(&mut *self.tx)
        .await?;
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "UPDATE {} SET ({}, content_hash, revision, updated_at, import_id) = (",
            R::TABLE,
            R::columns().join(", ")
        ));
        {
            let mut b = q.separated(", ");
            record.push_binds(&mut b);
            b.push_bind(hash).push_bind(revision + 1).push_bind(self.started_at.clone()).push_bind(import_id);
        }
        q.push(") WHERE id = ").push_bind(id);
        q.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn finish(mut self, path: &Path, digest: &str, format: &str) -> Result<ImportReport> {
        if self.report.rejected > 0 && !self.options.skip_invalid {
            // All or nothing: nothing was (or will be) written.
            self.report.inserted = 0;
            self.report.updated = 0;
            self.report.unchanged = 0;
            self.tx.rollback().await?;
            return Ok(self.report);
        }
        if self.options.dry_run {
            self.tx.rollback().await?;
            return Ok(self.report);
        }
        self.flush().await?;
        if let Some(id) = self.import_id {
            let r = &self.report;
            sqlx::query(
                "UPDATE imports SET source_name = $1, source_sha256 = $2, format = $3, finished_at = $4,
                 inserted = $5, updated = $6, unchanged = $7, rejected = $8 WHERE id = $9",
            )
            .bind(path.display().to_string())
            .bind(digest)
            .bind(format)
            .bind(now())
            .bind(r.inserted as i64)
            .bind(r.updated as i64)
            .bind(r.unchanged as i64)
            .bind(r.rejected as i64)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
            self.tx.commit().await?;
        } else {
            // Nothing new: leave the register (and its import log) untouched.
            self.tx.rollback().await?;
        }
        Ok(self.report)
    }
}

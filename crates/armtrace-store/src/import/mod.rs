//! Importing records from files: validated, atomic, idempotent, with revisions.
//!
//! The pipeline has two halves running at once on two threads. The reader turns the
//! file into rows and parses each into a domain record (an
//! [`Item`](armtrace_core::Item) or a [`Transfer`](armtrace_core::Transfer)) with its
//! content hash. The writer compares each record with the register by key and hash and
//! writes new and changed ones inside one transaction. The transaction commits only when
//! the whole file was read and either no row was invalid or `skip_invalid` was asked
//! for, so an interrupted or rejected import leaves the register exactly as it was.
//! Re-importing an unchanged file writes nothing, not even an entry in the import log.
//!
//! The writer is the same on both backends; what it writes with differs (`Sink`): on
//! SQLite a rusqlite connection in one `BEGIN IMMEDIATE` transaction (`sqlite`), on
//! PostgreSQL batches sent with `COPY` in one transaction (`postgres`).

mod input;
pub(crate) mod postgres;
mod source;
mod sqlite;

use std::path::Path;

use armtrace_core::{FieldError, RowError};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sha2::Digest;

pub use input::ImportInput;
pub use source::{Format, Mapping};
use source::{Source, SourceRow};

use crate::audit::AuditEvent;
use crate::error::{Result, StoreError};
use crate::record::Record;
use crate::store::{Backend, Store};

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
    /// The importer's clearance: rows whose key belongs to an item they may not see are
    /// rejected, never written ([`Clearance::full`](armtrace_core::Clearance::full): the
    /// command line, which may change anything).
    pub clearance: armtrace_core::Clearance,
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
            clearance: armtrace_core::Clearance::full(),
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
    /// Valid records whose markings or model suggest a value for an empty field
    /// (`armtrace items suggest` lists them). Not part of the JSON contract.
    #[serde(skip)]
    pub suggestions: u64,
    /// Rows refused because their key belongs to a record the importer may not change
    /// (a real import only: a dry run counts them as new). Not part of the JSON contract.
    #[serde(skip)]
    pub unavailable: u64,
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

/// Parsed rows per message from the reader thread.
const READ_BATCH: usize = 2000;

/// A parsed row: its number and the record with its content hash and whether reference
/// data has a suggestion for it, or its problems.
type Parsed<R> = (u64, Result<(R, i64, bool), Vec<FieldError>>);

enum Message<R> {
    /// Parsed rows and the input bytes consumed up to the last of them.
    Rows(Vec<Parsed<R>>, u64),
    Unreadable(RowError),
    /// The whole input was read: its SHA-256.
    Done {
        sha256: String,
    },
}

/// What the writer does to the register, one backend's way. Writes may be buffered
/// until [`Sink::flush`] or [`Sink::commit`]; nothing is visible to others before the
/// commit, and a sink dropped without committing leaves the register as it was.
pub(crate) trait Sink<R: Record> {
    /// Key → (id, content hash, revision) of every stored record.
    async fn existing(&mut self) -> Result<FxHashMap<String, (i64, i64, i64)>>;
    /// Keys of stored records this clearance may not see (items only: other records
    /// have no confidentiality).
    async fn hidden(&mut self, clearance: &armtrace_core::Clearance) -> Result<FxHashSet<String>>;
    async fn insert(&mut self, record: &R, hash: i64) -> Result<()>;
    /// Replaces record `id`, keeping its previous values as a revision.
    async fn update(&mut self, id: i64, revision: i64, record: &R, hash: i64) -> Result<()>;
    /// Writes what is buffered (called after every batch of rows).
    async fn flush(&mut self) -> Result<()>;
    /// Records the import in the log, bumps the register version and makes everything
    /// durable.
    async fn commit(self, summary: &ImportSummary) -> Result<()>;
}

/// What the import log keeps about one import.
pub(crate) struct ImportSummary<'a> {
    pub source_name: String,
    pub source_sha256: String,
    pub format: &'a str,
    pub report: &'a ImportReport,
}

impl ImportSummary<'_> {
    /// The one audit entry of a committed import (`import.items`, `import.transfers`):
    /// the file's base name and digest, and the counts; never the rows.
    pub fn audit_event(&self, actor: &str, table: &str, import_id: i64) -> AuditEvent {
        let file_name = Path::new(&self.source_name).file_name().map_or_else(
            || self.source_name.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
        let r = self.report;
        AuditEvent::new(actor, format!("import.{table}"))
            .on("import", import_id.to_string())
            .with_detail(serde_json::json!({
                "import_id": import_id,
                "source_name": file_name,
                "source_sha256": self.source_sha256,
                "format": self.format,
                "inserted": r.inserted,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected": r.rejected,
            }))
    }
}

impl Store {
    /// Imports a file of records of kind `R` (see [`Store::import`]).
    pub async fn import_file<R: Record>(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        self.import::<R>(ImportInput::file(path), options, progress)
            .await
    }

    /// Imports records of kind `R` from an input in `options.format`: a file, an upload
    /// or any reader, read once (hashed as it is parsed).
    pub async fn import<R: Record>(
        &self,
        input: ImportInput,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        let name = input.name().to_owned();
        let source = Source::open(
            input,
            options.format,
            R::FIELDS,
            R::REQUIRED,
            options.mapping.as_ref(),
            options.ignore_unknown,
        )?;
        let column_names = source.plan.display_name.clone();
        let total_bytes = source.total_bytes;
        let (to_writer, from_reader) = tokio::sync::mpsc::channel::<Message<R>>(4);
        // The reader blocks on the input: it runs on its own thread.
        std::thread::spawn(move || read_and_parse::<R>(source, to_writer));
        self.run_import(
            from_reader,
            column_names,
            total_bytes,
            &name,
            options,
            progress,
        )
        .await
    }

    /// Imports records already made (the demo's), as one import named `name`: the same
    /// checks of keys, the same revisions and audit entry as a file of them, without
    /// writing and re-reading a file. The import's digest is that of the canonical CSV
    /// the records would be written as.
    pub async fn import_records<R: Record>(
        &self,
        name: &str,
        records: impl Iterator<Item = R> + Send + 'static,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        let (to_writer, from_reader) = tokio::sync::mpsc::channel::<Message<R>>(4);
        std::thread::spawn(move || hash_records::<R>(records, to_writer));
        let column_names = R::FIELDS.iter().map(|f| (*f).to_owned()).collect();
        self.run_import(from_reader, column_names, 0, name, options, progress)
            .await
    }

    async fn run_import<R: Record>(
        &self,
        from_reader: tokio::sync::mpsc::Receiver<Message<R>>,
        column_names: Vec<String>,
        total_bytes: u64,
        name: &str,
        options: &ImportOptions,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport> {
        let run = Run {
            from_reader,
            column_names,
            total_bytes,
            name,
            options,
            progress,
        };
        let report = match &self.backend {
            Backend::Sqlite { file } => {
                run.write(sqlite::SqliteSink::open(file, &options.actor)?)
                    .await?
            }
            Backend::Postgres { pool } => {
                run.write(postgres::PgSink::open::<R>(pool, &options.actor).await?)
                    .await?
            }
        };
        if report.unavailable > 0 {
            // Whether or not the import committed: someone tried to write records they
            // may not see, and an admin should be able to tell.
            let event = AuditEvent::new(&options.actor, format!("import.{}.refused", R::TABLE))
                .with_detail(serde_json::json!({
                    "source_name": Path::new(name).file_name().map_or_else(
                        || name.to_owned(),
                        |n| n.to_string_lossy().into_owned()
                    ),
                    "unavailable_keys": report.unavailable,
                }));
            self.audit_append(event).await?;
        }
        Ok(report)
    }
}

/// One import's writer side, whichever the sink.
struct Run<'a, R: Record> {
    from_reader: tokio::sync::mpsc::Receiver<Message<R>>,
    column_names: Vec<String>,
    total_bytes: u64,
    /// The input's name, recorded with the import.
    name: &'a str,
    options: &'a ImportOptions,
    progress: &'a (dyn Fn(ImportProgress) + Send + Sync),
}

impl<R: Record> Run<'_, R> {
    async fn write<S: Sink<R>>(mut self, sink: S) -> Result<ImportReport> {
        let mut writer = Writer::<R, S>::new(sink, self.options).await?;
        let mut rows = 0u64;
        let mut bytes = 0u64;
        let mut sha256 = None;
        while let Some(message) = self.from_reader.recv().await {
            match message {
                Message::Unreadable(e) => writer.reject(e),
                Message::Rows(batch, bytes_read) => {
                    rows += batch.len() as u64;
                    bytes = bytes_read;
                    writer.take(batch, &self.column_names).await?;
                    (self.progress)(ImportProgress {
                        bytes_read,
                        total_bytes: self.total_bytes.max(bytes_read),
                        rows,
                    });
                }
                Message::Done { sha256: digest } => sha256 = Some(digest),
            }
        }
        let total = self.total_bytes.max(bytes);
        (self.progress)(ImportProgress {
            bytes_read: total,
            total_bytes: total,
            rows,
        });
        let sha256 = sha256.ok_or_else(|| {
            StoreError::Input(format!(
                "{} could not be read to its end: nothing was written",
                self.name
            ))
        })?;
        writer
            .finish(self.name, &sha256, self.options.format.as_str())
            .await
    }
}

/// The reader half for records already made: hash each (content and, for the import's
/// digest, its canonical CSV row) and hand them to the writer in batches.
fn hash_records<R: Record>(
    records: impl Iterator<Item = R>,
    out: tokio::sync::mpsc::Sender<Message<R>>,
) {
    let mut csv = csv::Writer::from_writer(input::HashingWriter::default());
    let reference_year = jiff::Zoned::now().year();
    let mut batch = Vec::with_capacity(READ_BATCH);
    let mut row = 0u64;
    // Writing into a hasher cannot fail.
    let _ = csv.write_record(R::FIELDS);
    for record in records {
        row += 1;
        let _ = csv.write_record(record.to_strings());
        let hash = record.content_hash();
        let suggested = record.has_suggestion(reference_year);
        batch.push((row, Ok((record, hash, suggested))));
        if batch.len() == READ_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
            if out.blocking_send(Message::Rows(full, 0)).is_err() {
                return;
            }
        }
    }
    if out.blocking_send(Message::Rows(batch, 0)).is_ok() {
        let hasher = csv.into_inner().map(|w| w.0).unwrap_or_default();
        let sha256 = format!("{:x}", hasher.finalize());
        let _ = out.blocking_send(Message::Done { sha256 });
    }
}

/// The reader half: parse rows in batches and hand them to the writer, in file order.
/// Stops early when the writer has gone away (it failed).
fn read_and_parse<R: Record>(source: Source, out: tokio::sync::mpsc::Sender<Message<R>>) {
    let plan = source.plan.clone();
    let digest = source.digest.clone();
    let reference_year = jiff::Zoned::now().year();
    let mut batch = Vec::with_capacity(READ_BATCH);
    let mut bytes = 0;
    for (row, consumed) in source {
        bytes = consumed;
        match row {
            SourceRow::Values { row, record } => {
                let parsed = R::parse(&plan.values(&record)).map(|r| {
                    let hash = r.content_hash();
                    let suggested = r.has_suggestion(reference_year);
                    (r, hash, suggested)
                });
                batch.push((row, parsed));
                if batch.len() == READ_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                    if out.blocking_send(Message::Rows(full, bytes)).is_err() {
                        return;
                    }
                }
            }
            SourceRow::Unreadable(e) => {
                let earlier = std::mem::take(&mut batch);
                if out.blocking_send(Message::Rows(earlier, bytes)).is_err()
                    || out.blocking_send(Message::Unreadable(e)).is_err()
                {
                    return;
                }
            }
        }
    }
    if out.blocking_send(Message::Rows(batch, bytes)).is_ok() {
        let sha256 = digest.sha256();
        let _ = out.blocking_send(Message::Done { sha256 });
    }
}

/// The writer half: classifies records by key and hash and hands writes to the sink.
struct Writer<'o, R: Record, S: Sink<R>> {
    sink: S,
    options: &'o ImportOptions,
    existing: FxHashMap<String, (i64, i64, i64)>,
    /// Keys the importer may not change (records they may not see).
    hidden: FxHashSet<String>,
    /// Key → first row it appeared on in this file.
    seen: FxHashMap<String, u64>,
    report: ImportReport,
    _record: std::marker::PhantomData<R>,
}

impl<'o, R: Record, S: Sink<R>> Writer<'o, R, S> {
    async fn new(mut sink: S, options: &'o ImportOptions) -> Result<Self> {
        let existing = sink.existing().await?;
        let hidden = if options.clearance.sees_everything() {
            FxHashSet::default()
        } else {
            sink.hidden(&options.clearance).await?
        };
        Ok(Writer {
            sink,
            options,
            existing,
            hidden,
            seen: FxHashMap::default(),
            report: ImportReport::default(),
            _record: std::marker::PhantomData,
        })
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
            let (record, hash, suggested) = match parsed {
                Ok(r) => r,
                Err(field_errors) => {
                    self.report.rejected += 1;
                    for fe in field_errors {
                        let column = R::FIELDS
                            .iter()
                            .position(|f| *f == fe.field)
                            .map_or(fe.field.to_owned(), |i| column_names[i].clone());
                        self.push_error(RowError {
                            row,
                            column,
                            value: fe.value,
                            message: fe.message,
                        });
                    }
                    continue;
                }
            };
            if let Some(first) = self.seen.get(record.key()) {
                let error = RowError {
                    row,
                    column: column_names[0].clone(),
                    value: record.key().to_owned(),
                    message: format!(
                        "appears again: row {first} has the same {}, which must be unique",
                        R::KEY
                    ),
                };
                self.reject(error);
                continue;
            }
            self.seen.insert(record.key().to_owned(), row);
            if self.hidden.contains(record.key()) {
                if self.options.dry_run {
                    // A dry run answers for a ref the importer may not see exactly as
                    // for one that is absent: it would not tell hidden records apart.
                    self.report.suggestions += u64::from(suggested);
                    self.report.inserted += 1;
                    continue;
                }
                // Writing is refused (the record is not the importer's), and the attempt
                // is recorded in the audit log whatever becomes of the import.
                self.report.unavailable += 1;
                let error = RowError {
                    row,
                    column: column_names[0].clone(),
                    value: record.key().to_owned(),
                    message: format!(
                        "is not available to you: the {} belongs to a record you may not change; give the row another {}, or ask someone cleared for that record to import it",
                        R::KEY,
                        R::KEY
                    ),
                };
                self.reject(error);
                continue;
            }
            self.report.suggestions += u64::from(suggested);
            match self.existing.get(record.key()).copied() {
                Some((_, old_hash, _)) if old_hash == hash => self.report.unchanged += 1,
                Some((id, _, revision)) => {
                    self.report.updated += 1;
                    if self.writing() {
                        self.sink.update(id, revision, &record, hash).await?;
                    }
                }
                None => {
                    self.report.inserted += 1;
                    if self.writing() {
                        self.sink.insert(&record, hash).await?;
                    }
                }
            }
        }
        if self.writing() {
            self.sink.flush().await?;
        }
        Ok(())
    }

    async fn finish(mut self, name: &str, sha256: &str, format: &str) -> Result<ImportReport> {
        if self.report.rejected > 0 && !self.options.skip_invalid {
            // All or nothing: nothing was written; dropping the sink rolls back.
            self.report.inserted = 0;
            self.report.updated = 0;
            self.report.unchanged = 0;
            return Ok(self.report);
        }
        if self.options.dry_run || self.report.inserted + self.report.updated == 0 {
            // Nothing new: leave the register (and its import log) untouched.
            return Ok(self.report);
        }
        let summary = ImportSummary {
            source_name: name.to_owned(),
            source_sha256: sha256.to_owned(),
            format,
            report: &self.report,
        };
        self.sink.commit(&summary).await?;
        Ok(self.report)
    }
}

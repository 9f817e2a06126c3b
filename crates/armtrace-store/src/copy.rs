//! Copying a whole register from one store to another (`armtrace migrate-store`):
//! SQLite to PostgreSQL, back again, or between two registers of the same kind.
//!
//! The copy is faithful: every row of every table keeps its id and every column its
//! value (texts exact, integers exact, reals bit for bit), so the audit log arrives with
//! the same entries, hashes and head, and `audit verify` gives the same answer on both
//! sides. Nothing is appended to the target's log: an entry saying "migrated" would move
//! the head, and "the same log" would no longer be checkable by comparing heads.
//!
//! * The source is read in one consistent snapshot (SQLite: one read transaction on a
//!   read-only connection; PostgreSQL: `REPEATABLE READ, READ ONLY`) and streamed table
//!   by table in batches (`read`), so a million items never sit in memory at once.
//! * The target is written in one transaction (`write`), parents before children;
//!   nothing is visible until the whole register is there, and a failure leaves the
//!   target as it was. It must be empty (no records, accounts or audit entries): the
//!   copy refuses anything else and says what the target holds.
//! * PostgreSQL targets receive rows with `COPY … FROM STDIN` and have their identity
//!   sequences moved past the copied ids, so the next import gets fresh ones.
//! * Evidence files are copied by content into the target's evidence root before the
//!   transaction commits (a file already there with the right hash is kept).
//!
//! Browser sessions are left behind: they are short-lived secrets tied to a cookie in
//! one browser, and a move between databases is a good moment for users to sign in
//! again. API tokens, passwords and grants are copied, so scripts keep working.
//!
//! Values move as what they are stored as ([`Value`]: null, integer, real, text or
//! bytes). A value PostgreSQL's typed column cannot hold exactly (text in an integer
//! column of an edited SQLite file, say) stops the copy with the table, row and column.

mod read;
#[cfg(test)]
mod tests;
mod write;

use std::path::Path;

use armtrace_core::audit::{ChainHead, is_sha256_hex};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::store::{Backend, Dialect, Store, redact_password};

/// One stored value, as the source database holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    /// What the value is, for messages (long texts shortened).
    fn describe(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Int(i) => format!("the integer {i}"),
            Value::Real(f) => format!("the real number {f}"),
            Value::Text(t) if t.chars().count() > 40 => {
                format!("the text {:?}…", t.chars().take(40).collect::<String>())
            }
            Value::Text(t) => format!("the text {t:?}"),
            Value::Blob(b) => format!("{} bytes of binary data", b.len()),
        }
    }
}

/// A table the copy moves, with the columns that identify and order its rows.
#[derive(Debug)]
pub(crate) struct TableSpec {
    pub name: &'static str,
    pub key: &'static [&'static str],
    /// Its `id` is an identity column on PostgreSQL (a sequence to move on).
    pub identity: bool,
}

const fn table(name: &'static str, key: &'static [&'static str], identity: bool) -> TableSpec {
    TableSpec {
        name,
        key,
        identity,
    }
}

/// Every table copied, each after the tables its rows point at.
pub(crate) const TABLES: [TableSpec; 11] = [
    table("imports", &["id"], true),
    table("items", &["id"], true),
    table("transfers", &["id"], true),
    table("revisions", &["id"], true),
    table("trace_requests", &["id"], true),
    table("users", &["id"], true),
    table("item_grants", &["user_id", "item_id"], false),
    table("api_tokens", &["id"], true),
    table("evidence_files", &["sha256"], false),
    table("item_evidence", &["id"], true),
    table("audit_log", &["seq"], false),
];

/// Tables that exist in every register but are not copied row by row, and why.
const NOT_COPIED: [(&str, &str); 4] = [
    (
        "sessions",
        "browser sessions are short-lived; users sign in again",
    ),
    (
        "audit_head",
        "one row, set to the source's head after the log is copied",
    ),
    (
        "register_version",
        "one counter, moved forward so servers on the target reload",
    ),
    ("_sqlx_migrations", "each register's own migration history"),
];

/// The type a target column holds, for checking values before PostgreSQL refuses them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnType {
    Integer,
    Real,
    Text,
    /// A PostgreSQL type armtrace's schema does not use.
    Other(String),
    /// SQLite columns hold any value as it is.
    Any,
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnType::Integer => f.write_str("bigint"),
            ColumnType::Real => f.write_str("double precision"),
            ColumnType::Text => f.write_str("text"),
            ColumnType::Other(name) => f.write_str(name),
            ColumnType::Any => f.write_str("any value"),
        }
    }
}

/// How one table is read and written: its columns in the source's order, with the
/// target's type of each.
#[derive(Debug)]
pub(crate) struct TablePlan {
    pub spec: &'static TableSpec,
    pub columns: Vec<String>,
    pub target_types: Vec<ColumnType>,
    /// Positions of the key columns in `columns`.
    pub key_at: Vec<usize>,
}

impl TablePlan {
    /// `"id", "ref", …`: the column list of a statement.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `SELECT <columns> FROM <table> ORDER BY <key>`.
    pub fn select(&self) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.column_list(),
            quote(self.spec.name),
            self.spec
                .key
                .iter()
                .map(|k| quote(k))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// How a row is named in messages: `items row id 17`.
    pub fn row_name(&self, row: &[Value]) -> String {
        let key = self
            .key_at
            .iter()
            .map(|&i| {
                let value = match &row[i] {
                    Value::Int(v) => v.to_string(),
                    Value::Text(t) => t.clone(),
                    other => other.describe(),
                };
                format!("{} {value}", self.columns[i])
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!("{} row {key}", self.spec.name)
    }
}

/// An identifier in double quotes (both dialects).
pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// What the source's snapshot holds besides the rows, read before them.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotFacts {
    /// Rows of each table of the plan, in plan order.
    pub counts: Vec<u64>,
    pub sessions: u64,
    pub head: ChainHead,
    pub register_version: i64,
}

/// How far a copy has come, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct CopyProgress {
    /// The table being copied.
    pub table: &'static str,
    /// Rows copied so far, over all tables.
    pub rows: u64,
    /// Rows to copy, over all tables.
    pub total_rows: u64,
}

/// Rows copied of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
}

/// What happened to the evidence files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvidenceCopy {
    /// Files the source's `evidence_files` lists.
    pub files: u64,
    /// Files written into the target's evidence root.
    pub copied: u64,
    /// Files already in the target's evidence root with the right hash.
    pub already_present: u64,
    pub bytes_copied: u64,
    /// Files missing or altered in the source (copied as found, so that `audit verify`
    /// reports them on the target as it does on the source).
    pub problems: Vec<String>,
}

/// The outcome of a copy; its JSON form is `armtrace migrate-store --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    /// Rows copied, per table, in the order they were copied.
    pub tables: Vec<TableCopy>,
    /// Browser sessions in the source, not copied.
    pub sessions_left_behind: u64,
    pub evidence: EvidenceCopy,
    /// The source's audit head in the snapshot that was copied.
    pub source_head: ChainHead,
    /// The target's audit head after the copy committed: the same.
    pub target_head: ChainHead,
    /// The target's register version after the copy.
    pub register_version: i64,
}

impl CopyReport {
    /// Rows copied over all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Rows per batch between the reader and the writer.
pub(crate) const BATCH_ROWS: usize = 1000;

/// Batches read ahead of the writer.
const READ_AHEAD: usize = 8;

/// Copies every record, account, revision, audit entry and evidence file of `from` into
/// `to`, which must be empty, in one transaction on `to`. See the module documentation.
pub async fn copy_register(
    from: &Store,
    to: &Store,
    progress: &(dyn Fn(CopyProgress) + Send + Sync),
) -> Result<CopyReport> {
    refuse_same_register(from, to)?;
    let plan = std::sync::Arc::new(plan(from, to).await?);
    let mut target = write::Target::open(to, plan.clone()).await?;
    let mut reader = read::start(from, plan.clone(), READ_AHEAD);

    let facts = match reader.recv().await {
        Some(Ok(read::Read::Snapshot(facts))) => facts,
        Some(Err(e)) => return Err(e),
        _ => return Err(reader_stopped()),
    };
    let total_rows: u64 = facts.counts.iter().sum();
    let mut copied = vec![0u64; plan.len()];
    let mut evidence_hashes = Vec::new();
    let mut rows_so_far = 0u64;
    loop {
        match reader.recv().await {
            Some(Ok(read::Read::Rows { table, rows })) => {
                let spec = plan[table].spec;
                if spec.name == "evidence_files" {
                    let at = plan[table].columns.iter().position(|c| c == "sha256");
                    evidence_hashes.extend(rows.iter().filter_map(
                        |row| match at.map(|i| &row[i]) {
                            Some(Value::Text(sha256)) => Some(sha256.clone()),
                            _ => None,
                        },
                    ));
                }
                copied[table] += rows.len() as u64;
                rows_so_far += rows.len() as u64;
                target.rows(table, rows).await?;
                progress(CopyProgress {
                    table: spec.name,
                    rows: rows_so_far,
                    total_rows,
                });
            }
            Some(Ok(read::Read::Done)) => break,
            Some(Ok(read::Read::Snapshot(_))) | None => return Err(reader_stopped()),
            Some(Err(e)) => return Err(e),
        }
    }
    let register_version = target.finish(&facts).await?;

    // Files go into place before the rows naming them commit (as `add_evidence` does):
    // a failed commit leaves at most unreferenced files, which a retry reuses.
    let (from_root, to_root) = (
        from.evidence_root().to_owned(),
        to.evidence_root().to_owned(),
    );
    let evidence = tokio::task::spawn_blocking(move || {
        copy_evidence_files(&from_root, &to_root, &evidence_hashes)
    })
    .await
    .expect("copying evidence files does not panic")?;
    target.commit().await?;

    let target_head = to.audit_head().await?;
    if target_head != facts.head {
        return Err(StoreError::Corrupt(format!(
            "the copy committed but the target's audit head is entry {} {} instead of the source's {} {}",
            target_head.seq, target_head.hash, facts.head.seq, facts.head.hash
        )));
    }
    Ok(CopyReport {
        tables: plan
            .iter()
            .zip(copied)
            .map(|(p, rows)| TableCopy {
                table: p.spec.name.to_owned(),
                rows,
            })
            .collect(),
        sessions_left_behind: facts.sessions,
        evidence,
        source_head: facts.head,
        target_head,
        register_version,
    })
}

fn reader_stopped() -> StoreError {
    StoreError::Failed(
        "reading the source register stopped before its end; nothing was written to the target"
            .into(),
    )
}

/// A register cannot be copied onto itself.
fn refuse_same_register(from: &Store, to: &Store) -> Result<()> {
    let same = match (&from.backend, &to.backend) {
        (Backend::Postgres { .. }, Backend::Postgres { .. }) => from.location() == to.location(),
        (Backend::Sqlite { file: a }, Backend::Sqlite { file: b }) => {
            let (a, b) = (std::fs::canonicalize(a), std::fs::canonicalize(b));
            matches!((a, b), (Ok(a), Ok(b)) if a == b)
        }
        _ => false,
    };
    if same {
        return Err(StoreError::Input(format!(
            "--from and --to both name the register {}: give a new file or database as --to",
            redact_password(from.location())
        )));
    }
    Ok(())
}

/// Tables of a register, as its database lists them.
async fn tables_of(store: &Store) -> Result<Vec<String>> {
    let sql = match store.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&store.pool).await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Columns of a table in their order, with their declared types.
async fn columns_of(store: &Store, table: &str) -> Result<Vec<(String, String)>> {
    let sql = match store.dialect() {
        Dialect::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    Ok(sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&store.pool)
        .await?)
}

/// The tables to copy with their columns, after checking that both registers have the
/// same tables and columns and no table this copy does not know.
async fn plan(from: &Store, to: &Store) -> Result<Vec<TablePlan>> {
    for (store, side) in [(from, "source"), (to, "target")] {
        for name in tables_of(store).await? {
            let known =
                TABLES.iter().any(|t| t.name == name) || NOT_COPIED.iter().any(|(t, _)| *t == name);
            if !known {
                return Err(StoreError::Unsupported(format!(
                    "the {side} register has a table {name:?} this armtrace does not know how to copy; \
                     use the armtrace version that created it"
                )));
            }
        }
    }
    let mut plan = Vec::with_capacity(TABLES.len());
    for spec in &TABLES {
        let source = columns_of(from, spec.name).await?;
        let target = columns_of(to, spec.name).await?;
        let mut only_source: Vec<&str> = Vec::new();
        let mut target_types = Vec::with_capacity(source.len());
        for (column, _) in &source {
            match target.iter().find(|(c, _)| c == column) {
                Some((_, declared)) => target_types.push(match to.dialect() {
                    Dialect::Sqlite => ColumnType::Any,
                    Dialect::Postgres => pg_column_type(declared),
                }),
                None => only_source.push(column),
            }
        }
        let only_target: Vec<&str> = target
            .iter()
            .filter(|(c, _)| !source.iter().any(|(s, _)| s == c))
            .map(|(c, _)| c.as_str())
            .collect();
        if source.is_empty() || !only_source.is_empty() || !only_target.is_empty() {
            return Err(StoreError::Unsupported(format!(
                "the two registers' {} tables differ (columns only in the source: {}; only in the target: {}); \
                 open both with the same armtrace version, which brings both schemas up to date",
                spec.name,
                list_or_none(&only_source),
                list_or_none(&only_target)
            )));
        }
        let columns: Vec<String> = source.into_iter().map(|(c, _)| c).collect();
        let key_at = spec
            .key
            .iter()
            .map(|k| {
                columns.iter().position(|c| c == k).ok_or_else(|| {
                    StoreError::Unsupported(format!(
                        "table {} has no column {k}; it was changed outside armtrace",
                        spec.name
                    ))
                })
            })
            .collect::<Result<_>>()?;
        plan.push(TablePlan {
            spec,
            columns,
            target_types,
            key_at,
        });
    }
    Ok(plan)
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// A PostgreSQL column's type from `information_schema.columns.data_type`.
fn pg_column_type(declared: &str) -> ColumnType {
    match declared {
        "bigint" | "integer" | "smallint" => ColumnType::Integer,
        "double precision" | "real" => ColumnType::Real,
        "text" | "character varying" => ColumnType::Text,
        other => ColumnType::Other(other.to_owned()),
    }
}

/// Copies the files named by `hashes` from one evidence root to another, skipping files
/// already there with the right hash. Files missing or altered in the source are
/// reported (and altered ones copied as found, so the target tells the same story).
fn copy_evidence_files(from: &Path, to: &Path, hashes: &[String]) -> Result<EvidenceCopy> {
    use crate::evidence::{hash_file, stored_path, write_atomically};
    let mut report = EvidenceCopy {
        files: hashes.len() as u64,
        ..EvidenceCopy::default()
    };
    for sha256 in hashes {
        if !is_sha256_hex(sha256) {
            report.problems.push(format!(
                "the source's evidence_files row {sha256:?} does not name a SHA-256; no file was copied for it"
            ));
            continue;
        }
        let target = stored_path(to, sha256);
        if matches!(hash_file(&target), Ok((found, _)) if &found == sha256) {
            report.already_present += 1;
            continue;
        }
        let source = stored_path(from, sha256);
        let bytes = match std::fs::read(&source) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.problems.push(format!(
                    "evidence file {sha256} is missing in the source ({}); the target lacks it too",
                    source.display()
                ));
                continue;
            }
            Err(source_error) => {
                return Err(StoreError::Read {
                    path: source,
                    source: source_error,
                });
            }
        };
        let found = armtrace_core::audit::sha256_hex(&bytes);
        if &found != sha256 {
            report.problems.push(format!(
                "evidence file {sha256} was altered in the source ({} hashes to {found}); copied as found",
                source.display()
            ));
        }
        write_atomically(&target, &bytes, true)?;
        report.copied += 1;
        report.bytes_copied += bytes.len() as u64;
    }
    Ok(report)
}

//! One consistent view of the audit log and the evidence list, for checking and
//! exporting: the same checks run over either backend's snapshot.
//!
//! SQLite: a read-only connection inside one read transaction, streaming the log. A
//! value is reported with the type SQLite stored, so a number written over a text
//! column is caught as an alteration.
//!
//! PostgreSQL: one `REPEATABLE READ, READ ONLY` transaction reads the head, the log and
//! the evidence list into memory (the columns are typed, so only their text can change).

use std::collections::HashMap;
use std::path::Path;

use futures_util::StreamExt;
use sqlx::{PgPool, Row};

use crate::error::{Result, StoreError};
use crate::store::{Backend, Store};

/// One column of a stored entry, as read.
#[derive(Debug, Clone)]
pub(crate) enum Stored {
    Null,
    Text(String),
    /// Not text (a number or a blob written over a text column), or not UTF-8.
    Other(String),
}

/// A row of `audit_log`: `seq`, then `at, actor, action, entity, entity_ref, detail,
/// prev_hash, hash` at indexes 1..=8.
#[derive(Debug, Clone)]
pub(crate) struct StoredEntry {
    pub seq: i64,
    pub columns: Vec<Stored>,
}

impl StoredEntry {
    /// Column `i` (1..=8) as text; anything armtrace would not have written is an
    /// alteration of this entry.
    pub fn text(
        &self,
        i: usize,
        name: &str,
    ) -> std::result::Result<Option<String>, armtrace_core::audit::ChainBreak> {
        match self.columns.get(i - 1) {
            Some(Stored::Text(t)) => Ok(Some(t.clone())),
            Some(Stored::Null) | None => Ok(None),
            Some(Stored::Other(what)) => Err(super::altered(
                self.seq,
                format!("its {name} holds {what}, not text"),
            )),
        }
    }
}

/// `(sha256, size)` of every `evidence_files` row, and the hashes attachments name that
/// have no such row.
pub(crate) type EvidenceList = (Vec<(String, Option<i64>)>, Vec<String>);

/// What the checks read.
pub(crate) trait AuditSnapshot: Send {
    /// The recorded head (`audit_head`), if its row exists.
    fn head(&mut self) -> Result<Option<(i64, String)>>;
    /// Every entry in `seq` order, until `each` returns false.
    fn entries(&mut self, each: &mut dyn FnMut(StoredEntry) -> bool) -> Result<()>;
    /// The first entry with this hash.
    fn seq_of_hash(&mut self, hash: &str) -> Result<Option<i64>>;
    /// The evidence list (see [`EvidenceList`]).
    fn evidence(&mut self) -> Result<EvidenceList>;
}

const SELECT_ORPHANS: &str = "SELECT DISTINCT ie.sha256 FROM item_evidence ie
     LEFT JOIN evidence_files ef ON ef.sha256 = ie.sha256
     WHERE ef.sha256 IS NULL ORDER BY ie.sha256";
const SELECT_FILES: &str = "SELECT sha256, size FROM evidence_files ORDER BY sha256";

impl Store {
    /// A snapshot of the audit log and evidence list.
    pub(crate) async fn audit_snapshot(&self) -> Result<Box<dyn AuditSnapshot>> {
        Ok(match &self.backend {
            Backend::Sqlite { file } => Box::new(SqliteSnapshot::open(file)?),
            Backend::Postgres { pool } => Box::new(PgSnapshot::load(pool).await?),
        })
    }
}

struct SqliteSnapshot {
    conn: rusqlite::Connection,
}

fn read(e: rusqlite::Error) -> StoreError {
    StoreError::Failed(format!("cannot read the audit log: {e}"))
}

impl SqliteSnapshot {
    fn open(file: &Path) -> Result<SqliteSnapshot> {
        let conn = crate::bulk::open_read_only(file)?;
        conn.execute_batch("BEGIN").map_err(read)?;
        Ok(SqliteSnapshot { conn })
    }
}

fn sqlite_stored(v: rusqlite::types::ValueRef<'_>) -> Stored {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Stored::Null,
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => Stored::Text(s.to_owned()),
            Err(_) => Stored::Other("bytes that are not UTF-8 text".into()),
        },
        other => Stored::Other(format!("a {:?} value", other.data_type())),
    }
}

impl AuditSnapshot for SqliteSnapshot {
    fn head(&mut self) -> Result<Option<(i64, String)>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(super::SELECT_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| StoreError::Failed(format!("cannot read the audit head: {e}")))
    }

    fn entries(&mut self, each: &mut dyn FnMut(StoredEntry) -> bool) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{} ORDER BY seq", super::SELECT_ENTRIES))
            .map_err(read)?;
        let mut rows = stmt.query([]).map_err(read)?;
        while let Some(row) = rows.next().map_err(read)? {
            let seq: i64 = row.get(0).map_err(read)?;
            let mut columns = Vec::with_capacity(8);
            for i in 1..=8 {
                columns.push(sqlite_stored(row.get_ref(i).map_err(read)?));
            }
            if !each(StoredEntry { seq, columns }) {
                break;
            }
        }
        Ok(())
    }

    fn seq_of_hash(&mut self, hash: &str) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT seq FROM audit_log WHERE hash = ?1 ORDER BY seq LIMIT 1",
                [hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(read)
    }

    fn evidence(&mut self) -> Result<EvidenceList> {
        let mut files = Vec::new();
        let mut stmt = self.conn.prepare(SELECT_FILES).map_err(read)?;
        let mut rows = stmt.query([]).map_err(read)?;
        while let Some(row) = rows.next().map_err(read)? {
            files.push((row.get(0).map_err(read)?, row.get(1).ok()));
        }
        let mut orphans = Vec::new();
        let mut stmt = self.conn.prepare(SELECT_ORPHANS).map_err(read)?;
        let mut rows = stmt.query([]).map_err(read)?;
        while let Some(row) = rows.next().map_err(read)? {
            orphans.push(row.get(0).map_err(read)?);
        }
        Ok((files, orphans))
    }
}

struct PgSnapshot {
    head: Option<(i64, String)>,
    entries: Vec<StoredEntry>,
    first_seq_of_hash: HashMap<String, i64>,
    files: Vec<(String, Option<i64>)>,
    orphans: Vec<String>,
}

impl PgSnapshot {
    async fn load(pool: &PgPool) -> Result<PgSnapshot> {
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let head: Option<(i64, String)> = sqlx::query_as(super::SELECT_HEAD)
            .fetch_optional(&mut *tx)
            .await?;
        let mut entries = Vec::new();
        let mut first_seq_of_hash = HashMap::new();
        {
            let sql = format!("{} ORDER BY seq", super::SELECT_ENTRIES);
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
            while let Some(row) = rows.next().await {
                let row = row?;
                let seq: i64 = row.try_get(0)?;
                let columns = (1..=8)
                    .map(|i| {
                        row.try_get::<Option<String>, _>(i)
                            .map(|v| v.map_or(Stored::Null, Stored::Text))
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                if let Some(Stored::Text(hash)) = columns.get(7) {
                    first_seq_of_hash.entry(hash.clone()).or_insert(seq);
                }
                entries.push(StoredEntry { seq, columns });
            }
        }
        let files: Vec<(String, Option<i64>)> =
            sqlx::query_as(SELECT_FILES).fetch_all(&mut *tx).await?;
        let orphans: Vec<(String,)> = sqlx::query_as(SELECT_ORPHANS).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(PgSnapshot {
            head,
            entries,
            first_seq_of_hash,
            files,
            orphans: orphans.into_iter().map(|(h,)| h).collect(),
        })
    }
}

impl AuditSnapshot for PgSnapshot {
    fn head(&mut self) -> Result<Option<(i64, String)>> {
        Ok(self.head.clone())
    }

    fn entries(&mut self, each: &mut dyn FnMut(StoredEntry) -> bool) -> Result<()> {
        for entry in std::mem::take(&mut self.entries) {
            if !each(entry) {
                break;
            }
        }
        Ok(())
    }

    fn seq_of_hash(&mut self, hash: &str) -> Result<Option<i64>> {
        Ok(self.first_seq_of_hash.get(hash).copied())
    }

    fn evidence(&mut self) -> Result<EvidenceList> {
        Ok((
            std::mem::take(&mut self.files),
            std::mem::take(&mut self.orphans),
        ))
    }
}

//! The audit log on disk: appending an entry inside the transaction of the write it
//! describes, checking the chain (and the evidence files), listing and exporting it.
//!
//! The entry model and the hashing rule are `armtrace_core::audit`; here they meet the
//! tables `audit_log` (the entries, `detail` as canonical JSON text) and `audit_head`
//! (one row: the newest entry's `seq` and `hash`, rewritten with every append, so that
//! removing the newest entries is caught).
//!
//! Appending reads the head and writes the entry and the new head in the caller's
//! transaction, so a write that rolls back leaves no entry, and an entry is never
//! written without its write. SQLite allows one writer at a time, and `seq` is the
//! primary key: two writers cannot fork the chain (the second would fail, not branch).
//! Callers open their transactions with `BEGIN IMMEDIATE` so the second one waits
//! instead.
//!
//! Checking reads one consistent snapshot of the log (`snapshot`): on SQLite it streams
//! the log on a read-only connection inside one read transaction, holding one entry at a
//! time; on PostgreSQL it reads the log in a repeatable-read transaction.
//!
//! On PostgreSQL, where writers do not queue for the whole database, every append locks
//! the head row (`SELECT … FOR UPDATE`) until its transaction ends.

use std::io::Write;
use std::path::{Path, PathBuf};

use armtrace_core::audit::canonical::canonical_json;
use armtrace_core::audit::export::{ExportHead, parse_hex, public_key_hex, sign_head};
use armtrace_core::audit::{AuditEntry, BreakKind, ChainBreak, ChainHead, ChainVerifier};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::evidence::{FileProblem, check_evidence_files};
use snapshot::{AuditSnapshot, StoredEntry};

mod snapshot;
use crate::store::{Store, now};

/// A write to record: who did what to which record. The time, number and hashes are
/// added when it is appended.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub actor: String,
    /// `<thing>.<verb>`: `import.items`, `trace_request.update`, `evidence.add`,
    /// `user.create`, `session.login`.
    pub action: String,
    pub entity: Option<String>,
    pub entity_ref: Option<String>,
    /// Digests, counts and statuses; not confidential content (exports carry it).
    pub detail: Value,
}

impl AuditEvent {
    /// An event with no entity and an empty detail object; see [`AuditEvent::on`] and
    /// [`AuditEvent::with_detail`].
    pub fn new(actor: impl Into<String>, action: impl Into<String>) -> AuditEvent {
        AuditEvent {
            actor: actor.into(),
            action: action.into(),
            entity: None,
            entity_ref: None,
            detail: Value::Object(serde_json::Map::new()),
        }
    }

    /// The record the event is about: its kind and business key.
    pub fn on(mut self, entity: impl Into<String>, entity_ref: impl Into<String>) -> AuditEvent {
        self.entity = Some(entity.into());
        self.entity_ref = Some(entity_ref.into());
        self
    }

    pub fn with_detail(mut self, detail: Value) -> AuditEvent {
        self.detail = detail;
        self
    }
}

const SELECT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
pub(crate) const SELECT_HEAD_FOR_UPDATE: &str =
    "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
const INSERT_ENTRY: &str =
    "INSERT INTO audit_log (seq, at, actor, action, entity, entity_ref, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const UPDATE_HEAD: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";
const SELECT_ENTRIES: &str =
    "SELECT seq, at, actor, action, entity, entity_ref, detail, prev_hash, hash FROM audit_log";

fn missing_head() -> StoreError {
    StoreError::Corrupt(
        "the audit head record (table audit_head) is missing; run `armtrace audit verify`".into(),
    )
}

fn next_entry((seq, hash): (i64, String), event: &AuditEvent) -> AuditEntry {
    AuditEntry::new(
        seq + 1,
        &hash,
        &now(),
        &event.actor,
        &event.action,
        event.entity.as_deref(),
        event.entity_ref.as_deref(),
        event.detail.clone(),
    )
}

/// The body of an append on an sqlx connection of either driver (the statements are the
/// same; only the connection type differs).
macro_rules! append_on {
    ($conn:expr, $select:expr, $event:expr) => {{
        let conn = $conn;
        let head: Option<(i64, String)> =
            sqlx::query_as($select).fetch_optional(&mut *conn).await?;
        let entry = next_entry(head.ok_or_else(missing_head)?, $event);
        sqlx::query(INSERT_ENTRY)
            .bind(entry.seq)
            .bind(&entry.at)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.entity)
            .bind(&entry.entity_ref)
            .bind(canonical_json(&entry.detail))
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .execute(&mut *conn)
            .await?;
        sqlx::query(UPDATE_HEAD)
            .bind(entry.seq)
            .bind(&entry.hash)
            .execute(&mut *conn)
            .await?;
        Ok(entry)
    }};
}

/// Appends `event` inside the caller's write transaction (see [`Store::begin_write`]).
/// On PostgreSQL the head row is locked until the transaction ends, so concurrent
/// writers append one after the other.
pub async fn append_in(conn: &mut sqlx::AnyConnection, event: &AuditEvent) -> Result<AuditEntry> {
    let select = if conn.backend_name() == "PostgreSQL" {
        SELECT_HEAD_FOR_UPDATE
    } else {
        SELECT_HEAD
    };
    append_on!(conn, select, event)
}

/// Appends `event` inside a native PostgreSQL transaction (the import's), locking the
/// head row until it ends.
pub(crate) async fn append_pg(
    conn: &mut sqlx::PgConnection,
    event: &AuditEvent,
) -> Result<AuditEntry> {
    append_on!(conn, SELECT_HEAD_FOR_UPDATE, event)
}

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::Input(format!("cannot write the register's audit log: {e}"))
}

/// Appends `event` inside an open rusqlite transaction (the import's `BEGIN
/// IMMEDIATE`; a `&rusqlite::Transaction` derefs to the connection).
pub(crate) fn append_blocking(
    conn: &rusqlite::Connection,
    event: &AuditEvent,
) -> Result<AuditEntry> {
    use rusqlite::OptionalExtension;
    let head = conn
        .query_row(SELECT_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(sql)?;
    let entry = next_entry(head.ok_or_else(missing_head)?, event);
    conn.execute(
        INSERT_ENTRY,
        rusqlite::params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_ref,
            canonical_json(&entry.detail),
            entry.prev_hash,
            entry.hash,
        ],
    )
    .map_err(sql)?;
    conn.execute(UPDATE_HEAD, rusqlite::params![entry.seq, entry.hash])
        .map_err(sql)?;
    Ok(entry)
}

/// The outcome of `audit verify`: the chain, the head and every evidence file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditVerification {
    /// The chain and every evidence file are as armtrace wrote them.
    pub intact: bool,
    /// Entries checked and found in order (all of them when the chain is intact).
    pub entries: u64,
    /// The verified head, when the chain is intact.
    pub head: Option<ChainHead>,
    /// The first place the chain breaks.
    #[serde(rename = "break")]
    pub chain_break: Option<ChainBreak>,
    /// Evidence files re-hashed on disk.
    pub files_checked: u64,
    /// Every evidence file that is missing or no longer has its hash.
    pub file_problems: Vec<FileProblem>,
}

fn altered(seq: i64, what: impl std::fmt::Display) -> ChainBreak {
    ChainBreak::new(
        seq,
        BreakKind::Altered,
        format!("entry {seq} was altered: {what}"),
    )
}

fn required(
    value: Option<String>,
    name: &str,
    seq: i64,
) -> std::result::Result<String, ChainBreak> {
    value.ok_or_else(|| altered(seq, format!("its {name} is empty (NULL)")))
}

/// Decodes a `SELECT_ENTRIES` row; anything armtrace would not have written is an
/// alteration of that entry.
fn decode_row(row: &StoredEntry) -> std::result::Result<AuditEntry, ChainBreak> {
    let seq = row.seq;
    let text = |i, name| row.text(i, name);
    let detail_text = required(text(6, "detail")?, "detail", seq)?;
    let detail: Value = serde_json::from_str(&detail_text)
        .map_err(|e| altered(seq, format!("its detail is not JSON ({e})")))?;
    if canonical_json(&detail) != detail_text {
        return Err(altered(
            seq,
            "its detail was rewritten (it is not in the canonical form armtrace writes)",
        ));
    }
    Ok(AuditEntry {
        seq,
        at: required(text(1, "at")?, "at", seq)?,
        actor: required(text(2, "actor")?, "actor", seq)?,
        action: required(text(3, "action")?, "action", seq)?,
        entity: text(4, "entity")?,
        entity_ref: text(5, "entity_ref")?,
        detail,
        prev_hash: required(text(7, "prev_hash")?, "prev_hash", seq)?,
        hash: required(text(8, "hash")?, "hash", seq)?,
    })
}

/// Walks the whole log in `seq` order, handing each verified entry to `each`; returns
/// the verifier and the number of entries, or the first break (refined by looking up
/// the predecessor an out-of-place entry names).
fn walk_chain(
    snapshot: &mut dyn AuditSnapshot,
    mut each: impl FnMut(&AuditEntry) -> Result<()>,
) -> Result<(ChainVerifier, u64, Option<ChainBreak>)> {
    let mut verifier = ChainVerifier::new();
    let mut count = 0u64;
    let mut found = None;
    let mut failure = None;
    snapshot.entries(&mut |row| {
        let checked = match verifier.check_seq(row.seq) {
            Ok(()) => decode_row(&row).and_then(|entry| verifier.push(&entry).map(|()| entry)),
            // Numbered before its place: if it decodes, `push` also says which
            // predecessor it names, so where it belongs can be looked up.
            Err(b) if b.kind == BreakKind::Reordered => Err(decode_row(&row)
                .ok()
                .and_then(|entry| verifier.push(&entry).err())
                .unwrap_or(b)),
            Err(b) => Err(b),
        };
        match checked {
            Ok(entry) => {
                count += 1;
                if let Err(e) = each(&entry) {
                    failure = Some(e);
                    return false;
                }
                true
            }
            Err(b) => {
                found = Some(b);
                false
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    let found = match found {
        Some(b) if b.names_predecessor.is_some() => {
            let at = snapshot.seq_of_hash(b.names_predecessor.as_deref().unwrap_or_default())?;
            Some(b.with_predecessor_at(at))
        }
        other => other,
    };
    Ok((verifier, count, found))
}

/// The recorded head, or a break saying it is gone.
fn recorded_head(
    snapshot: &mut dyn AuditSnapshot,
) -> Result<std::result::Result<(i64, String), String>> {
    Ok(snapshot.head()?.ok_or_else(|| {
        "the audit head record (table audit_head) was deleted: the log cannot show that \
         its newest entries are all there"
            .to_owned()
    }))
}

/// Checks the chain against the recorded head on a snapshot of the register.
fn check_chain(
    snapshot: &mut dyn AuditSnapshot,
    each: impl FnMut(&AuditEntry) -> Result<()>,
) -> Result<(u64, std::result::Result<ChainHead, ChainBreak>)> {
    let head = recorded_head(snapshot)?;
    let (verifier, count, found) = walk_chain(snapshot, each)?;
    if let Some(b) = found {
        return Ok((count, Err(b)));
    }
    let outcome = match head {
        Ok((seq, hash)) => verifier.finish(Some((seq, &hash))),
        Err(message) => Err(ChainBreak::new(
            verifier.head().seq,
            BreakKind::Altered,
            message,
        )),
    };
    Ok((count, outcome))
}

impl Store {
    /// Appends one entry in its own `BEGIN IMMEDIATE` transaction (for events that are
    /// not part of another write, such as a login).
    pub async fn audit_append(&self, event: AuditEvent) -> Result<AuditEntry> {
        let mut tx = self.begin_write().await?;
        let entry = append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// The head as recorded in `audit_head` (not checked).
    pub async fn audit_head(&self) -> Result<ChainHead> {
        let (seq, hash): (i64, String) = sqlx::query_as(SELECT_HEAD)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(missing_head)?;
        Ok(ChainHead { seq, hash })
    }

    /// Entries after `after_seq`, oldest first, at most `limit` (for paging through the
    /// log: pass the last `seq` seen).
    pub async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_ENTRIES} WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get(0)?;
                let detail: String = row.try_get(6)?;
                let detail = serde_json::from_str(&detail).map_err(|e| {
                    StoreError::Corrupt(format!("audit entry {seq}'s detail is not JSON: {e}"))
                })?;
                Ok(AuditEntry {
                    seq,
                    at: row.try_get(1)?,
                    actor: row.try_get(2)?,
                    action: row.try_get(3)?,
                    entity: row.try_get(4)?,
                    entity_ref: row.try_get(5)?,
                    detail,
                    prev_hash: row.try_get(7)?,
                    hash: row.try_get(8)?,
                })
            })
            .collect()
    }

    /// Recomputes the whole chain against the recorded head and re-hashes every stored
    /// evidence file. Streams the log; never holds more than one entry.
    pub async fn audit_verify(&self) -> Result<AuditVerification> {
        let root = self.evidence_root().to_owned();
        let mut snapshot = self.audit_snapshot().await?;
        tokio::task::spawn_blocking(move || {
            let snapshot = snapshot.as_mut();
            let (entries, chain) = check_chain(snapshot, |_| Ok(()))?;
            let (files, orphans) = snapshot.evidence()?;
            let (files_checked, file_problems) = check_evidence_files(files, orphans, &root);
            let (head, chain_break) = match chain {
                Ok(head) => (Some(head), None),
                Err(b) => (None, Some(b)),
            };
            Ok(AuditVerification {
                intact: chain_break.is_none() && file_problems.is_empty(),
                entries,
                head,
                chain_break,
                files_checked,
                file_problems,
            })
        })
        .await
        .expect("audit verification does not panic")
    }

    /// Writes the log as JSON Lines (see `armtrace_core::audit::export`) with its head,
    /// signed when `signing_key` (an Ed25519 secret key) is given. The chain is checked
    /// while it is written; a broken chain is an error and no head is written or signed.
    pub async fn audit_export(
        &self,
        mut out: Box<dyn Write + Send>,
        signing_key: Option<[u8; 32]>,
    ) -> Result<ExportHead> {
        let mut snapshot = self.audit_snapshot().await?;
        tokio::task::spawn_blocking(move || {
            let write = |e: std::io::Error| {
                StoreError::Input(format!("cannot write the audit export: {e}"))
            };
            let (_, chain) = check_chain(snapshot.as_mut(), |entry| {
                serde_json::to_writer(&mut out, entry)
                    .map_err(|e| write(std::io::Error::other(e)))?;
                out.write_all(b"\n").map_err(write)
            })?;
            let head = chain.map_err(|b| {
                StoreError::Input(format!(
                    "the audit log is broken ({b}); nothing was signed. Run `armtrace audit verify`"
                ))
            })?;
            let mut record = ExportHead::new(&head, &now());
            if let Some(key) = signing_key {
                record.signature = Some(sign_head(&key, head.seq, &head.hash));
            }
            serde_json::to_writer(&mut out, &serde_json::json!({ "head": record }))
                .map_err(|e| write(std::io::Error::other(e)))?;
            out.write_all(b"\n").map_err(write)?;
            out.flush().map_err(write)?;
            Ok(record)
        })
        .await
        .expect("audit export does not panic")
    }

    /// Where this installation's signing key is kept: beside the register, as
    /// `<register file>.audit-key` (`./armtrace-<database>.audit-key` for PostgreSQL).
    pub fn audit_key_path(&self) -> PathBuf {
        let mut path = self.local_base.clone().into_os_string();
        path.push(".audit-key");
        PathBuf::from(path)
    }
}

/// The installation's Ed25519 key, which signs exported heads.
pub struct AuditKey {
    secret: [u8; 32],
    pub path: PathBuf,
    /// True when this call created the key.
    pub created: bool,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("path", &self.path)
            .field("public_key", &self.public_key_hex())
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The public key, 64 hex digits: what a publisher hands out with an export.
    pub fn public_key_hex(&self) -> String {
        public_key_hex(&self.secret)
    }

    /// Reads the key file (64 hex digits). On Unix the file must be readable by its
    /// owner only.
    pub fn load(path: &Path) -> Result<AuditKey> {
        let read_err = |source| StoreError::Read {
            path: path.to_owned(),
            source,
        };
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(read_err)?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(StoreError::Input(format!(
                    "the audit key {} can be read by other users (mode {:o}); run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                )));
            }
        }
        let secret = parse_hex::<32>("the audit key", &text)
            .map_err(|m| StoreError::Input(format!("{}: {m}", path.display())))?;
        Ok(AuditKey {
            secret,
            path: path.to_owned(),
            created: false,
        })
    }

    /// Reads the key file, creating it (mode 0600, from the operating system's random
    /// source) when there is none.
    pub fn load_or_create(path: &Path) -> Result<AuditKey> {
        if path.exists() {
            return AuditKey::load(path);
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| {
            StoreError::Input(format!("no random source to create the audit key: {e}"))
        })?;
        let write_err = |e: std::io::Error| {
            StoreError::Input(format!(
                "cannot write the audit key {}: {e}",
                path.display()
            ))
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(write_err)?;
        writeln!(file, "{}", armtrace_core::audit::export::hex(&secret)).map_err(write_err)?;
        file.sync_all().map_err(write_err)?;
        Ok(AuditKey {
            secret,
            path: path.to_owned(),
            created: true,
        })
    }
}

#[cfg(test)]
mod tests;

//! Evidence files (photos, documents) attached to items, stored by content.
//!
//! A file is kept once per distinct content, named by the SHA-256 of its bytes, under
//! the evidence root (by default `<register file>.evidence/`):
//!
//! ```text
//! <root>/sha256/<first 2 hex digits>/<64 hex digits>     the file, read-only
//! <root>/thumbnails/<max px>/<first 2>/<64 hex>.jpg      derived thumbnails (a cache)
//! ```
//!
//! The file is written to a temporary name beside its final one, synced and renamed
//! into place *before* the rows that name it commit, so a committed row never points at
//! a half-written file; a failed commit leaves at most an unreferenced file, which the
//! next upload of the same bytes reuses. Adding a file appends an `evidence.add` entry
//! to the audit log in the same transaction as its rows, and `audit verify` re-hashes
//! every stored file.
//!
//! Thumbnails are derived from audited originals and are not audited themselves: they
//! can be deleted at any time and are made again on request.
//!
//! Every SHA-256 argument is checked to be 64 lowercase hex digits before it becomes
//! part of a path, so no argument can point outside the root.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use armtrace_core::audit::{is_sha256_hex, sha256_hex};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{AuditEvent, append_in};
use crate::error::{Result, StoreError};
use crate::store::{Store, now};

/// The largest evidence file accepted, in bytes (50 MiB).
pub const MAX_EVIDENCE_BYTES: usize = 50 * 1024 * 1024;

/// The media type of every thumbnail.
pub const THUMBNAIL_MEDIA_TYPE: &str = "image/jpeg";

/// The largest thumbnail edge, in pixels.
pub const MAX_THUMBNAIL_PX: u32 = 2048;

/// Images larger than this on either edge are not decoded for thumbnails.
const MAX_DECODED_EDGE: u32 = 20_000;

/// One evidence file as attached to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub item_id: i64,
    pub item_ref: String,
    /// The name it was added under (without directories).
    pub file_name: String,
    pub caption: Option<String>,
    pub added_at: String,
    pub added_by: String,
}

/// A stored evidence file that is not what its row says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    pub sha256: String,
    pub path: String,
    pub kind: FileProblemKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileProblemKind {
    /// The file (or the row it needs) is gone.
    Missing,
    /// Its bytes or its size no longer match.
    Altered,
    /// It exists but cannot be read.
    Unreadable,
}

/// Checks a SHA-256 argument: 64 hex digits (either case), returned in lowercase.
pub fn parse_sha256(text: &str) -> Result<String> {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("sha256:").unwrap_or(&lower).to_owned();
    if is_sha256_hex(&lower) {
        Ok(lower)
    } else {
        Err(StoreError::Input(format!(
            "{text:?} is not a SHA-256: give 64 hex digits (optionally prefixed sha256:)"
        )))
    }
}

/// Where a file with this (checked) hash lives under `root`.
pub(crate) fn stored_path(root: &Path, sha256: &str) -> PathBuf {
    debug_assert!(is_sha256_hex(sha256));
    root.join("sha256").join(&sha256[..2]).join(sha256)
}

fn thumbnail_path(root: &Path, sha256: &str, max_px: u32) -> PathBuf {
    debug_assert!(is_sha256_hex(sha256));
    root.join("thumbnails")
        .join(max_px.to_string())
        .join(&sha256[..2])
        .join(format!("{sha256}.jpg"))
}

/// The name a file is listed under: its last path component, without control
/// characters, at most 255 bytes.
fn clean_file_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if base.is_empty() || base == "." || base == ".." {
        return Err(StoreError::Input(format!(
            "file name {name:?} is empty: give the file's name, such as photo-01.jpg"
        )));
    }
    if base.chars().any(char::is_control) {
        return Err(StoreError::Input(format!(
            "file name {name:?} contains control characters"
        )));
    }
    if base.len() > 255 {
        return Err(StoreError::Input(format!(
            "file name {name:?} is longer than 255 bytes"
        )));
    }
    Ok(base.to_owned())
}

/// A media type as given (`image/jpeg`), checked and lowercased.
fn clean_media_type(given: &str) -> Result<String> {
    let lower = given.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match lower.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) && lower.len() <= 127 => Ok(lower),
        _ => Err(StoreError::Input(format!(
            "media type {given:?} is not of the form type/subtype, such as image/jpeg or application/pdf"
        ))),
    }
}

/// The media type the first bytes announce, for the common evidence formats.
fn sniff_media_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        [b'%', b'P', b'D', b'F', b'-', ..] => "application/pdf",
        [b'P', b'K', 0x03, 0x04, ..] => "application/zip",
        _ => "application/octet-stream",
    }
}

fn io_err(what: &str, path: &Path) -> impl Fn(std::io::Error) -> StoreError {
    let message = format!("cannot {what} {}", path.display());
    move |e| StoreError::Failed(format!("{message}: {e}"))
}

/// SHA-256 (hex) and length of a file's bytes, read in chunks.
pub(crate) fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, made
/// read-only and renamed into place; then the directory is synced.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], read_only: bool) -> Result<()> {
    let dir = path.parent().expect("stored paths have a directory");
    std::fs::create_dir_all(dir).map_err(io_err("create", dir))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err("write in", dir))?;
    tmp.write_all(bytes).map_err(io_err("write", tmp.path()))?;
    tmp.as_file()
        .sync_all()
        .map_err(io_err("sync", tmp.path()))?;
    if read_only {
        let mut permissions = tmp
            .as_file()
            .metadata()
            .map_err(io_err("read", tmp.path()))?
            .permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(tmp.path(), permissions).map_err(io_err("protect", tmp.path()))?;
    }
    tmp.persist(path)
        .map_err(|e| io_err("store", path)(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Stores `bytes` under its hash unless an intact copy is already there.
fn store_content(root: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let path = stored_path(root, sha256);
    if path.exists() {
        let (found, _) = hash_file(&path).map_err(io_err("read", &path))?;
        if found == sha256 {
            return Ok(());
        }
        return Err(StoreError::Corrupt(format!(
            "the stored copy {} no longer has its hash (it hashes to {found}); run `armtrace audit verify`",
            path.display()
        )));
    }
    write_atomically(&path, bytes, true)
}

/// Re-hashes every file `evidence_files` lists (and checks that every attachment has
/// its row). Returns how many files were checked and what is wrong.
pub(crate) fn check_evidence_files(
    files: Vec<(String, Option<i64>)>,
    orphans: Vec<String>,
    root: &Path,
) -> (u64, Vec<FileProblem>) {
    let mut problems = Vec::new();
    let mut checked = 0u64;
    for (sha256, size) in files {
        let size = size.unwrap_or(-1);
        checked += 1;
        let problem = |kind, path: &Path, message: String| FileProblem {
            sha256: sha256.clone(),
            path: path.display().to_string(),
            kind,
            message,
        };
        if !is_sha256_hex(&sha256) {
            problems.push(problem(
                FileProblemKind::Altered,
                root,
                format!("the evidence_files row names {sha256:?}, which is not a SHA-256: the row was edited"),
            ));
            continue;
        }
        let path = stored_path(root, &sha256);
        match hash_file(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push(problem(
                FileProblemKind::Missing,
                &path,
                format!("evidence file {sha256} is missing: {} was deleted or moved", path.display()),
            )),
            Err(e) => problems.push(problem(
                FileProblemKind::Unreadable,
                &path,
                format!("evidence file {sha256} cannot be read ({e})"),
            )),
            Ok((found, _)) if found != sha256 => problems.push(problem(
                FileProblemKind::Altered,
                &path,
                format!(
                    "evidence file {sha256} was altered: {} now hashes to {found}",
                    path.display()
                ),
            )),
            Ok((_, actual)) if actual as i64 != size => problems.push(problem(
                FileProblemKind::Altered,
                &path,
                format!(
                    "evidence file {sha256} is intact but its row records {size} bytes, not {actual}: the row was edited"
                ),
            )),
            Ok(_) => {}
        }
    }
    for sha256 in orphans {
        problems.push(FileProblem {
            path: root.display().to_string(),
            message: format!(
                "items name evidence file {sha256}, but it has no evidence_files row: the row was deleted"
            ),
            sha256,
            kind: FileProblemKind::Missing,
        });
    }
    (checked, problems)
}

const SELECT_EVIDENCE: &str =
    "SELECT ie.sha256, ef.size, ef.media_type, ie.item_id, i.ref, ie.file_name,
            ie.caption, ie.added_at, ie.added_by
     FROM item_evidence ie
     JOIN evidence_files ef ON ef.sha256 = ie.sha256
     JOIN items i ON i.id = ie.item_id";

fn evidence_from_row(row: &sqlx::any::AnyRow) -> Result<EvidenceFile> {
    let size: i64 = row.try_get(1)?;
    Ok(EvidenceFile {
        sha256: row.try_get(0)?,
        size: size as u64,
        media_type: row.try_get(2)?,
        item_id: row.try_get(3)?,
        item_ref: row.try_get(4)?,
        file_name: row.try_get(5)?,
        caption: row.try_get(6)?,
        added_at: row.try_get(7)?,
        added_by: row.try_get(8)?,
    })
}

impl Store {
    /// The directory evidence files are stored under.
    pub fn evidence_root(&self) -> &Path {
        &self.evidence_root
    }

    /// Keeps evidence files (`<dir>/evidence`) and the signing key (`<dir>/armtrace.audit-key`)
    /// in `dir`: how a PostgreSQL register is told where its files live.
    pub fn with_files_dir(mut self, dir: impl Into<PathBuf>) -> Store {
        let dir = dir.into();
        self.evidence_root = dir.join("evidence");
        self.local_base = dir.join("armtrace");
        self
    }

    /// Stores evidence under `root` instead of beside the register file.
    pub fn with_evidence_root(mut self, root: impl Into<PathBuf>) -> Store {
        self.evidence_root = root.into();
        self
    }

    /// The stored file with this hash, if the hash is well-formed and the file exists.
    pub fn evidence_path(&self, sha256: &str) -> Option<PathBuf> {
        let sha256 = parse_sha256(sha256).ok()?;
        let path = stored_path(&self.evidence_root, &sha256);
        path.is_file().then_some(path)
    }

    /// Adds an evidence file to the item `item_ref` (see [`Store::add_evidence_with_caption`]).
    pub async fn add_evidence(
        &self,
        item_ref: &str,
        file_name: &str,
        media_type: Option<&str>,
        bytes: &[u8],
        actor: &str,
    ) -> Result<EvidenceFile> {
        self.add_evidence_with_caption(item_ref, file_name, media_type, None, bytes, actor)
            .await
    }

    /// Adds an evidence file to the item `item_ref`: stores the bytes under their
    /// SHA-256 (once, however many items share them), links them to the item, and
    /// appends an `evidence.add` audit entry, all or nothing. Adding the same bytes to
    /// the same item again changes nothing and returns the existing attachment.
    /// `media_type` is guessed from the first bytes when not given.
    pub async fn add_evidence_with_caption(
        &self,
        item_ref: &str,
        file_name: &str,
        media_type: Option<&str>,
        caption: Option<&str>,
        bytes: &[u8],
        actor: &str,
    ) -> Result<EvidenceFile> {
        if !crate::store::storable(item_ref) {
            return Err(StoreError::NotFound {
                kind: "item",
                reference: item_ref.to_owned(),
            });
        }
        let file_name = clean_file_name(file_name)?;
        if !crate::store::storable(&file_name)
            || caption.is_some_and(|c| !crate::store::storable(c))
        {
            return Err(StoreError::Input(
                "the file name or caption holds a NUL character: leave it out".into(),
            ));
        }
        if bytes.is_empty() {
            return Err(StoreError::Input(format!(
                "{file_name} is empty: there is nothing to keep as evidence"
            )));
        }
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Input(format!(
                "{file_name} is {:.1} MiB; evidence files are limited to {} MiB (reduce the photo's resolution or split the document)",
                bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_EVIDENCE_BYTES / (1024 * 1024)
            )));
        }
        let media_type = match media_type {
            Some(m) => clean_media_type(m)?,
            None => sniff_media_type(bytes).to_owned(),
        };
        let caption = caption.map(str::trim).filter(|c| !c.is_empty());
        let (item_id,): (i64,) = sqlx::query_as("SELECT id FROM items WHERE ref = $1")
            .bind(item_ref)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "item",
                reference: item_ref.to_owned(),
            })?;

        let root = self.evidence_root.clone();
        let owned = bytes.to_vec();
        let sha256 = tokio::task::spawn_blocking(move || {
            let sha256 = sha256_hex(&owned);
            store_content(&root, &sha256, &owned).map(|()| sha256)
        })
        .await
        .expect("storing evidence does not panic")?;

        let mut tx = self.begin_write().await?;
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_EVIDENCE} WHERE ie.item_id = $1 AND ie.sha256 = $2"
        )))
        .bind(item_id)
        .bind(&sha256)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            return evidence_from_row(&row);
        }
        let at = now();
        sqlx::query(
            "INSERT INTO evidence_files (sha256, size, media_type, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(bytes.len() as i64)
        .bind(&media_type)
        .bind(&at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO item_evidence (item_id, sha256, file_name, caption, added_at, added_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(item_id)
        .bind(&sha256)
        .bind(&file_name)
        .bind(caption)
        .bind(&at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        // The stored media type wins when the same bytes were added before.
        let (stored_type,): (String,) =
            sqlx::query_as("SELECT media_type FROM evidence_files WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_one(&mut *tx)
                .await?;
        // The caption is free text and stays out of the log (exports leave the
        // installation); the file is committed to by its hash.
        let event = AuditEvent::new(actor, "evidence.add")
            .on("item", item_ref)
            .with_detail(json!({
                "sha256": sha256,
                "size": bytes.len(),
                "media_type": stored_type,
                "file_name": file_name,
            }));
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(EvidenceFile {
            sha256,
            size: bytes.len() as u64,
            media_type: stored_type,
            item_id,
            item_ref: item_ref.to_owned(),
            file_name,
            caption: caption.map(str::to_owned),
            added_at: at,
            added_by: actor.to_owned(),
        })
    }

    /// The evidence files attached to an item, in the order they were added.
    pub async fn evidence_for_item(&self, item_id: i64) -> Result<Vec<EvidenceFile>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_EVIDENCE} WHERE ie.item_id = $1 ORDER BY ie.added_at, ie.id"
        )))
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(evidence_from_row).collect()
    }

    /// The stored media type of an evidence file, if the register holds it.
    pub async fn evidence_media_type(&self, sha256: &str) -> Result<Option<String>> {
        let sha256 = parse_sha256(sha256)?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT media_type FROM evidence_files WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(m,)| m))
    }

    /// A JPEG ([`THUMBNAIL_MEDIA_TYPE`]) no larger than `max_px` on either edge, for a
    /// JPEG or PNG evidence file; `None` for other files (documents) or images that
    /// cannot be decoded. Made once per size and kept as a file under the evidence root.
    pub async fn evidence_thumbnail(&self, sha256: &str, max_px: u32) -> Result<Option<Vec<u8>>> {
        let sha256 = parse_sha256(sha256)?;
        if !(1..=MAX_THUMBNAIL_PX).contains(&max_px) {
            return Err(StoreError::Input(format!(
                "thumbnail size {max_px} is not between 1 and {MAX_THUMBNAIL_PX} pixels"
            )));
        }
        let media_type =
            self.evidence_media_type(&sha256)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "evidence file",
                    reference: sha256.clone(),
                })?;
        if media_type != "image/jpeg" && media_type != "image/png" {
            return Ok(None);
        }
        let root = self.evidence_root.clone();
        tokio::task::spawn_blocking(move || make_thumbnail(&root, &sha256, max_px))
            .await
            .expect("thumbnails do not panic")
    }
}

/// Reads a cached thumbnail or makes (and caches) one.
fn make_thumbnail(root: &Path, sha256: &str, max_px: u32) -> Result<Option<Vec<u8>>> {
    let cached = thumbnail_path(root, sha256, max_px);
    if let Ok(bytes) = std::fs::read(&cached) {
        return Ok(Some(bytes));
    }
    let original = stored_path(root, sha256);
    let bytes = std::fs::read(&original).map_err(io_err("read", &original))?;
    let mut reader =
        match image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format() {
            Ok(r) => r,
            Err(_) => return Ok(None),
        };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODED_EDGE);
    limits.max_image_height = Some(MAX_DECODED_EDGE);
    reader.limits(limits);
    let Ok(decoded) = reader.decode() else {
        return Ok(None);
    };
    let fitted = if decoded.width() > max_px || decoded.height() > max_px {
        decoded.thumbnail(max_px, max_px)
    } else {
        decoded
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&fitted.to_rgb8())
        .map_err(|e| StoreError::Failed(format!("cannot encode a thumbnail of {sha256}: {e}")))?;
    write_atomically(&cached, &out, false)?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests;

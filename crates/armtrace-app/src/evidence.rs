//! Evidence files (photos, documents) as a viewer may reach them: only through an item
//! the viewer may see, so an item's confidentiality covers its photos; who added a file
//! is shown to signed-in viewers only. Adding a file is a write, recorded in the audit
//! log by the store in the same transaction.

use armtrace_store::evidence::{EvidenceFile, MAX_EVIDENCE_BYTES, parse_sha256};
use serde::Serialize;

use crate::actor::{Desk, View};
use crate::error::{AppError, AppResult};

/// Thumbnail edge in pixels.
pub const THUMBNAIL_PX: u32 = 320;

/// An evidence file as a viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceEntry {
    /// The item it is attached to.
    pub item_ref: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub file_name: String,
    pub caption: Option<String>,
    pub added_at: String,
    /// Who added it (signed-in viewers only).
    pub added_by: Option<String>,
    /// Whether it is a photo a thumbnail can be made of (JPEG or PNG).
    pub is_photo: bool,
}

/// A file to send: its bytes and how to label them.
#[derive(Debug, Clone)]
pub struct EvidenceDownload {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub file_name: String,
    /// A photo is shown inline; anything else is downloaded as opaque bytes.
    pub inline: bool,
}

fn is_photo(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png")
}

impl View<'_> {
    fn entry(&self, f: &EvidenceFile) -> EvidenceEntry {
        EvidenceEntry {
            item_ref: f.item_ref.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
            media_type: f.media_type.clone(),
            file_name: f.file_name.clone(),
            caption: f.caption.clone(),
            added_at: f.added_at.clone(),
            added_by: (!self.clearance.is_public()).then(|| f.added_by.clone()),
            is_photo: is_photo(&f.media_type),
        }
    }

    /// The evidence files of an item the viewer may see.
    pub async fn evidence(&self, reference: &str) -> AppResult<Vec<EvidenceEntry>> {
        let item = self.item(reference).await?;
        let files = self.register.store().evidence_for_item(item.id).await?;
        Ok(files.iter().map(|f| self.entry(f)).collect())
    }

    /// One attachment of an item the viewer may see.
    async fn attachment(&self, reference: &str, sha256: &str) -> AppResult<EvidenceFile> {
        let item = self.item(reference).await?;
        let wanted =
            parse_sha256(sha256).map_err(|e| AppError::bad_parameter("sha256", sha256, e))?;
        self.register
            .store()
            .evidence_for_item(item.id)
            .await?
            .into_iter()
            .find(|f| f.sha256 == wanted)
            .ok_or_else(|| AppError::not_found("evidence file", format!("{reference}/{wanted}")))
    }

    /// The bytes of an attachment.
    pub async fn evidence_file(
        &self,
        reference: &str,
        sha256: &str,
    ) -> AppResult<EvidenceDownload> {
        let file = self.attachment(reference, sha256).await?;
        let path = self
            .register
            .store()
            .evidence_path(&file.sha256)
            .ok_or_else(|| missing(&file))?;
        let bytes = tokio::fs::read(&path).await.map_err(|e| {
            AppError::internal(format!("cannot read evidence file {}: {e}", file.sha256))
        })?;
        let inline = is_photo(&file.media_type);
        Ok(EvidenceDownload {
            bytes,
            media_type: if inline {
                file.media_type.clone()
            } else {
                "application/octet-stream".to_owned()
            },
            file_name: file.file_name,
            inline,
        })
    }

    /// A JPEG thumbnail of a photo attachment.
    pub async fn evidence_thumbnail(&self, reference: &str, sha256: &str) -> AppResult<Vec<u8>> {
        let file = self.attachment(reference, sha256).await?;
        let store = self.register.store();
        store
            .evidence_path(&file.sha256)
            .ok_or_else(|| missing(&file))?;
        store
            .evidence_thumbnail(&file.sha256, THUMBNAIL_PX)
            .await?
            .ok_or_else(|| {
                AppError::Unavailable(format!(
                    "{} is not a photo armtrace can make a thumbnail of (it is {}; thumbnails are made of JPEG and PNG photos)",
                    file.file_name, file.media_type
                ))
            })
    }

    /// Where an attachment's bytes are stored (the command line prints it).
    pub async fn evidence_location(&self, sha256: &str) -> AppResult<Option<std::path::PathBuf>> {
        Ok(self.register.store().evidence_path(sha256))
    }
}

/// A stored file that is gone: the register's fault, not the request's.
fn missing(file: &EvidenceFile) -> AppError {
    AppError::internal(format!(
        "evidence file {} ({}) is missing from the store: run `armtrace audit verify` and restore it from a backup",
        file.sha256, file.file_name
    ))
}

impl Desk<'_> {
    /// Attaches a file to an item the actor may see (recorded in the audit log). The
    /// same file attached again is the same answer.
    pub async fn add_evidence(
        &self,
        reference: &str,
        file_name: &str,
        media_type: Option<&str>,
        caption: Option<&str>,
        bytes: &[u8],
    ) -> AppResult<EvidenceEntry> {
        self.writer("add evidence")?;
        let view = self.view();
        let item = view.item(reference).await?;
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(AppError::TooLarge(format!(
                "the file is larger than {} MiB",
                MAX_EVIDENCE_BYTES >> 20
            )));
        }
        let caption = caption.map(str::trim).filter(|c| !c.is_empty());
        let file = self
            .register
            .store()
            .add_evidence_with_caption(
                &item.item.reference,
                file_name,
                media_type,
                caption,
                bytes,
                &self.actor.name,
            )
            .await?;
        Ok(view.entry(&file))
    }
}

/// The largest evidence file accepted, in bytes.
pub const MAX_BYTES: usize = MAX_EVIDENCE_BYTES;

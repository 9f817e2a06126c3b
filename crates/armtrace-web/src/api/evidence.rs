//! Evidence files (photos, documents) of an item: list, upload, download, thumbnails.
//!
//! Files are content-addressed by SHA-256 in the store and recorded in the audit log.
//! A file is reached through an item the viewer may see, so the item's confidentiality
//! covers its photos too.

use armtrace_store::evidence::{EvidenceFile, MAX_EVIDENCE_BYTES, THUMBNAIL_MEDIA_TYPE};
use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::items::visible_item;
use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Thumbnail edge in pixels.
pub const THUMBNAIL_PX: u32 = 320;

/// An evidence file as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Evidence {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub file_name: String,
    pub caption: Option<String>,
    pub added_at: String,
    /// Who added it (signed-in viewers only).
    pub added_by: Option<String>,
    /// Where to download it.
    pub url: String,
    /// A JPEG thumbnail for photos (JPEG or PNG), else null.
    pub thumbnail_url: Option<String>,
}

pub fn url_ref(reference: &str) -> String {
    // Refs may hold any character; percent-encode the path segment.
    reference
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The evidence of an item for a viewer.
pub fn evidence_json(files: &[EvidenceFile], viewer: &Viewer, reference: &str) -> Vec<Evidence> {
    files
        .iter()
        .map(|f| {
            let base = format!("/api/items/{}/evidence/{}", url_ref(reference), f.sha256);
            let photo = matches!(f.media_type.as_str(), "image/jpeg" | "image/png");
            Evidence {
                sha256: f.sha256.clone(),
                size: f.size,
                media_type: f.media_type.clone(),
                file_name: f.file_name.clone(),
                caption: f.caption.clone(),
                added_at: f.added_at.clone(),
                added_by: (!viewer.is_anonymous()).then(|| f.added_by.clone()),
                thumbnail_url: photo.then(|| format!("{base}/thumbnail")),
                url: base,
            }
        })
        .collect()
}

#[utoipa::path(
    get, path = "/api/items/{ref}/evidence", tag = "items",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The item's evidence files", body = Vec<Evidence>),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn item_evidence(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<Vec<Evidence>>> {
    let stored = visible_item(&state, &viewer, &reference).await?;
    let files = state.store.evidence_for_item(stored.id).await?;
    Ok(Json(evidence_json(&files, &viewer, &reference)))
}

/// The multipart form of an evidence upload (documentation).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// The photo or document.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What it shows.
    caption: Option<String>,
}

/// Reads an evidence upload: the file, its name, caption and the form's CSRF field.
pub async fn read_evidence_upload(
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(String, Vec<u8>, Option<String>, Option<String>)> {
    let mut form = form.map_err(|e| {
        ApiError::bad_request(format!(
            "send the file as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let (mut name, mut bytes, mut caption, mut csrf) = (None, None, None, None);
    let too_large = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                format!("the file is larger than {} MiB", MAX_EVIDENCE_BYTES >> 20),
            )
        } else {
            ApiError::new(status, format!("cannot read the upload: {}", e.body_text()))
        }
    };
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        match field.name().unwrap_or("") {
            "file" => {
                name = Some(field.file_name().unwrap_or("evidence").to_owned());
                bytes = Some(field.bytes().await.map_err(too_large)?.to_vec());
            }
            "caption" => caption = Some(field.text().await.map_err(too_large)?),
            "csrf" => csrf = Some(field.text().await.map_err(too_large)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field {other:?}: send file and caption"
                )));
            }
        }
    }
    let (Some(name), Some(bytes)) = (name, bytes) else {
        return Err(ApiError::bad_request(
            "no file in the upload: send it in the form field `file`",
        ));
    };
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the file is larger than {} MiB", MAX_EVIDENCE_BYTES >> 20),
        ));
    }
    let caption = caption
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    Ok((name, bytes, caption, csrf))
}

#[utoipa::path(
    post, path = "/api/items/{ref}/evidence", tag = "items",
    params(("ref" = String, Path, description = "The item's ref")),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 201, description = "Stored (or already attached: the same answer)", body = Evidence),
        (status = 400, description = "A malformed or empty upload", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not add evidence", body = crate::error::ErrorBody),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
        (status = 413, description = "The file is too large", body = crate::error::ErrorBody),
    )
)]
pub async fn upload_evidence(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Evidence>)> {
    viewer.require(Access::Write, "add evidence")?;
    let stored = visible_item(&state, &viewer, &reference).await?;
    let (name, bytes, caption, _) = read_evidence_upload(form).await?;
    let file = state
        .store
        .add_evidence_with_caption(
            &stored.item.reference,
            &name,
            None,
            caption.as_deref(),
            &bytes,
            &viewer.actor(),
        )
        .await?;
    let mut json = evidence_json(std::slice::from_ref(&file), &viewer, &reference);
    Ok((StatusCode::CREATED, Json(json.remove(0))))
}

/// The attachment `sha256` of a visible item, or 404.
async fn attachment(
    state: &AppState,
    viewer: &Viewer,
    reference: &str,
    sha256: &str,
) -> ApiResult<EvidenceFile> {
    let stored = visible_item(state, viewer, reference).await?;
    let wanted = armtrace_store::evidence::parse_sha256(sha256)
        .map_err(|e| ApiError::bad_request(format!("parameter sha256: {e}")))?;
    state
        .store
        .evidence_for_item(stored.id)
        .await?
        .into_iter()
        .find(|f| f.sha256 == wanted)
        .ok_or_else(|| {
            ApiError::not_found(format!("item {reference:?} has no evidence file {wanted}"))
        })
}

/// Where an attachment's bytes are; a 500 naming the file when they are gone (the
/// register says it exists, so the store was changed outside armtrace).
fn stored_file(state: &AppState, file: &EvidenceFile) -> ApiResult<std::path::PathBuf> {
    state
        .store
        .evidence_path(&file.sha256)
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            ApiError::internal(format!(
                "evidence file {} ({}) is missing from the store: run `armtrace audit verify` and restore it from a backup",
                file.sha256, file.file_name
            ))
        })
}

#[utoipa::path(
    get, path = "/api/items/{ref}/evidence/{sha256}", tag = "items",
    params(
        ("ref" = String, Path, description = "The item's ref"),
        ("sha256" = String, Path, description = "The file's SHA-256 (64 hex digits)"),
    ),
    responses(
        (status = 200, description = "The file as stored: a JPEG or PNG photo as itself (shown inline), anything else as `application/octet-stream` (downloaded)", content(
            (Vec<u8> = "application/octet-stream"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
        )),
        (status = 400, description = "A malformed hash", body = crate::error::ErrorBody),
        (status = 404, description = "No such item or file (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn evidence_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((reference, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = attachment(&state, &viewer, &reference, &sha256).await?;
    let path = stored_file(&state, &file)?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        ApiError::internal(format!("cannot read evidence file {}: {e}", file.sha256))
    })?;
    let inline = matches!(file.media_type.as_str(), "image/jpeg" | "image/png");
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        file.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                if inline {
                    file.media_type.clone()
                } else {
                    "application/octet-stream".into()
                },
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                "private, max-age=86400, immutable".into(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[utoipa::path(
    get, path = "/api/items/{ref}/evidence/{sha256}/thumbnail", tag = "items",
    params(
        ("ref" = String, Path, description = "The item's ref"),
        ("sha256" = String, Path, description = "The file's SHA-256 (64 hex digits)"),
    ),
    responses(
        (status = 200, description = "A JPEG thumbnail of a photo", content_type = "image/jpeg"),
        (status = 400, description = "A malformed hash", body = crate::error::ErrorBody),
        (status = 404, description = "No such item or file, or the file is not a photo", body = crate::error::ErrorBody),
    )
)]
pub async fn evidence_thumbnail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((reference, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = attachment(&state, &viewer, &reference, &sha256).await?;
    stored_file(&state, &file)?;
    let thumb = state
        .store
        .evidence_thumbnail(&file.sha256, THUMBNAIL_PX)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "{} is not a photo armtrace can make a thumbnail of",
                file.file_name
            ))
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, THUMBNAIL_MEDIA_TYPE),
            (header::CACHE_CONTROL, "private, max-age=86400, immutable"),
        ],
        thumb,
    )
        .into_response())
}

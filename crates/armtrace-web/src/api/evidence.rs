//! Evidence files (photos, documents) of an item: list, upload, download, thumbnails.
//!
//! Files are content-addressed by SHA-256 in the store and recorded in the audit log.
//! A file is reached through an item the viewer may see, so the item's confidentiality
//! covers its photos too.

use armtrace_app::{EvidenceEntry, MAX_EVIDENCE_BYTES};
use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The media type of every thumbnail.
const THUMBNAIL_MEDIA_TYPE: &str = "image/jpeg";

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

/// The evidence of an item as the API shows it, with where to fetch each file.
pub fn evidence_json(files: &[EvidenceEntry], reference: &str) -> Vec<Evidence> {
    files
        .iter()
        .map(|f| {
            let base = format!("/api/items/{}/evidence/{}", url_ref(reference), f.sha256);
            Evidence {
                sha256: f.sha256.clone(),
                size: f.size,
                media_type: f.media_type.clone(),
                file_name: f.file_name.clone(),
                caption: f.caption.clone(),
                added_at: f.added_at.clone(),
                added_by: f.added_by.clone(),
                thumbnail_url: f.is_photo.then(|| format!("{base}/thumbnail")),
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
    let files = viewer.view(&state).evidence(&reference).await?;
    Ok(Json(evidence_json(&files, &reference)))
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
    let desk = viewer.desk(&state)?;
    // The item first: a hidden or absent item answers 404 before any upload is read.
    desk.view().item(&reference).await?;
    let (name, bytes, caption, _) = read_evidence_upload(form).await?;
    let file = desk
        .add_evidence(&reference, &name, None, caption.as_deref(), &bytes)
        .await?;
    let mut json = evidence_json(std::slice::from_ref(&file), &reference);
    Ok((StatusCode::CREATED, Json(json.remove(0))))
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
    let file = viewer
        .view(&state)
        .evidence_file(&reference, &sha256)
        .await?;
    let disposition = format!(
        "{}; filename=\"{}\"",
        if file.inline { "inline" } else { "attachment" },
        file.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                "private, max-age=86400, immutable".into(),
            ),
        ],
        Body::from(file.bytes),
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
    let thumb = viewer
        .view(&state)
        .evidence_thumbnail(&reference, &sha256)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, THUMBNAIL_MEDIA_TYPE),
            (header::CACHE_CONTROL, "private, max-age=86400, immutable"),
        ],
        thumb,
    )
        .into_response())
}

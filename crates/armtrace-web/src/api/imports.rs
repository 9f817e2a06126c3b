//! `/api/imports`: upload a file of items or transfers and follow the import's progress
//! (JSON or server-sent events). The import is the CLI's: atomic, idempotent, every row
//! checked, all-or-nothing unless `skip_invalid`.

use std::convert::Infallible;
use std::time::Duration;

use armtrace_app::types::{Format, ImportInput};
use armtrace_app::{ImportJob, ImportKind as Kind, ImportRequest, ImportState};
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::watch;
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What an uploaded file holds.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ImportKind {
    Items,
    Transfers,
}

/// How an uploaded file is read, when its name does not say (or says wrongly).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ImportFormat {
    Csv,
    Jsonl,
    Xlsx,
    /// An export of the SIPRI Arms Transfers Database's trade register (transfers only).
    Sipri,
}

/// The multipart form of an upload (documentation of `POST /api/imports`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// What the file holds.
    kind: ImportKind,
    /// The file: CSV (canonical header), JSON Lines or XLSX, or a SIPRI export.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// How to read the file; by default from its name's extension (never `sipri`).
    format: Option<ImportFormat>,
    /// `true`: validate and report, write nothing.
    dry_run: Option<bool>,
    /// `true`: write the valid rows and report the others.
    skip_invalid: Option<bool>,
    /// `true`: leave out unknown columns instead of failing.
    ignore_unknown: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartParams {
    /// `true`: answer when the import has finished (200 or 422) instead of at once (202).
    #[param(value_type = Option<bool>)]
    pub wait: Option<String>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            format!(
                "the upload is larger than {} MiB: split the file, or import it with `armtrace import` on the server",
                crate::MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    } else {
        ApiError::new(status, format!("cannot read the upload: {}", e.body_text()))
    }
}

fn truthy(v: &str) -> Result<bool, ApiError> {
    match v.trim() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" | "" | "null" => Ok(false),
        other => Err(ApiError::bad_request(format!(
            "{other:?} is not true or false"
        ))),
    }
}

/// What an upload asked for.
pub struct Upload {
    pub kind: String,
    pub file_name: String,
    /// The format asked for, else the file name's.
    pub format: Option<Format>,
    pub bytes: Vec<u8>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub ignore_unknown: bool,
    /// The CSRF field of a form post.
    pub csrf: Option<String>,
}

/// Reads the multipart upload.
pub async fn read_upload(mut form: Multipart) -> ApiResult<Upload> {
    let mut upload = Upload {
        kind: String::new(),
        file_name: String::new(),
        format: None,
        bytes: Vec::new(),
        dry_run: false,
        skip_invalid: false,
        ignore_unknown: false,
        csrf: None,
    };
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or("upload.csv").to_owned();
                upload.bytes = field.bytes().await.map_err(multipart_error)?.to_vec();
                has_file = true;
            }
            other => {
                let text = field.text().await.map_err(multipart_error)?;
                match other {
                    "kind" => upload.kind = text.trim().to_owned(),
                    "format" if matches!(text.trim(), "" | "null") => upload.format = None,
                    "format" => {
                        upload.format = Some(text.parse().map_err(|e: String| {
                            ApiError::bad_request(format!("form field format: {e}"))
                        })?)
                    }
                    "dry_run" => upload.dry_run = truthy(&text)?,
                    "skip_invalid" => upload.skip_invalid = truthy(&text)?,
                    "ignore_unknown" => upload.ignore_unknown = truthy(&text)?,
                    "csrf" => upload.csrf = Some(text),
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "unknown form field {other:?}: send kind, file, format, dry_run, skip_invalid, ignore_unknown"
                        )));
                    }
                }
            }
        }
    }
    if !has_file {
        return Err(ApiError::bad_request(
            "no file in the upload: send it in the form field `file`",
        ));
    }
    if !matches!(upload.kind.as_str(), "items" | "transfers") {
        return Err(ApiError::bad_request(format!(
            "form field kind={:?}: use items or transfers",
            upload.kind
        )));
    }
    Ok(upload)
}

/// Starts an import of an upload; returns a receiver of its progress.
pub fn start(
    state: &AppState,
    viewer: &Viewer,
    upload: Upload,
) -> ApiResult<watch::Receiver<ImportJob>> {
    let kind: Kind = upload.kind.parse()?;
    // Only the base name of the client's file name is kept, and only as a name: it is
    // never a path on this server.
    let file_name = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .unwrap_or("upload")
        .to_owned();
    let mut request = ImportRequest::new(kind, ImportInput::bytes(file_name, upload.bytes));
    request.format = upload.format;
    request.dry_run = upload.dry_run;
    request.skip_invalid = upload.skip_invalid;
    request.ignore_unknown = upload.ignore_unknown;
    Ok(viewer.desk(state)?.start_import(request)?)
}

/// The answer for an import's status: 200 done, 422 failed, 202 running.
pub fn status_response(status: ImportJob) -> Response {
    let code = match status.state {
        ImportState::Done => StatusCode::OK,
        ImportState::Failed => StatusCode::UNPROCESSABLE_ENTITY,
        ImportState::Running => StatusCode::ACCEPTED,
    };
    (code, Json(status)).into_response()
}

#[utoipa::path(
    post, path = "/api/imports", tag = "imports",
    params(StartParams),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Finished (with wait=true or a quick file)", body = ImportJob),
        (status = 202, description = "Started: follow /api/imports/{id} or /api/imports/{id}/events", body = ImportJob),
        (status = 400, description = "A malformed upload", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
        (status = 413, description = "The upload is too large", body = crate::error::ErrorBody),
        (status = 422, description = "The file could not be imported (unreadable, bad header, invalid rows): nothing was written", body = ImportJob),
    )
)]
pub async fn start_import(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<StartParams>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    viewer.require(Access::Write, "import files")?;
    let form = form.map_err(|e| {
        ApiError::bad_request(format!(
            "send the file as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let upload = read_upload(form).await?;
    let wait = params
        .wait
        .as_deref()
        .map(truthy)
        .transpose()?
        .unwrap_or(false);
    let mut rx = start(&state, &viewer, upload)?;
    let finished = |s: &ImportJob| s.state != ImportState::Running;
    if wait {
        let _ = rx.wait_for(finished).await;
    } else {
        // Quick files (and files that fail at once) answer with their result.
        let _ = tokio::time::timeout(Duration::from_millis(250), rx.wait_for(finished)).await;
    }
    let status = rx.borrow().clone();
    Ok(status_response(status))
}

#[utoipa::path(
    get, path = "/api/imports", tag = "imports",
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Imports started from the web since the server started, newest first", body = Vec<ImportJob>),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
    )
)]
pub async fn list_imports(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<ImportJob>>> {
    viewer.require(Access::Write, "see imports")?;
    Ok(Json(viewer.desk(&state)?.import_jobs()?))
}

#[utoipa::path(
    get, path = "/api/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "The import's id")),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Finished: `state` is done, or failed (nothing was written; see `error` and `report`)", body = ImportJob),
        (status = 202, description = "Running", body = ImportJob),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
        (status = 404, description = "No such import", body = crate::error::ErrorBody),
    )
)]
pub async fn get_import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    viewer.require(Access::Write, "see imports")?;
    let status = viewer.desk(&state)?.import_job(&id)?.borrow().clone();
    // Reading a status succeeds whatever the import's outcome: 200 once finished (done
    // or failed, see `state`), 202 while running.
    let code = if status.state == ImportState::Running {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(status)).into_response())
}

#[utoipa::path(
    get, path = "/api/imports/{id}/events", tag = "imports",
    params(("id" = String, Path, description = "The import's id")),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Server-sent events: one JSON ImportStatus per change, ending when the import has finished", content_type = "text/event-stream"),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
        (status = 404, description = "No such import", body = crate::error::ErrorBody),
    )
)]
pub async fn import_events(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    viewer.require(Access::Write, "see imports")?;
    let rx = viewer.desk(&state)?.import_job(&id)?;
    let stream =
        futures_util::stream::unfold((rx, true, false), |(mut rx, first, done)| async move {
            if done {
                return None;
            }
            if !first && rx.changed().await.is_err() {
                // The import task is gone: send the last state once more and stop.
                let last = rx.borrow().clone();
                let event = Event::default()
                    .json_data(&last)
                    .expect("status serialises");
                return Some((Ok(event), (rx, false, true)));
            }
            let status = rx.borrow_and_update().clone();
            let finished = status.state != ImportState::Running;
            let event = Event::default()
                .json_data(&status)
                .expect("status serialises");
            Some((Ok(event), (rx, false, finished)))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

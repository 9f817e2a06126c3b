//! `/api/imports`: upload a file of items or transfers and follow the import's progress
//! (JSON or server-sent events). The import is the CLI's: atomic, idempotent, every row
//! checked, all-or-nothing unless `skip_invalid`.

use std::convert::Infallible;
use std::time::Duration;

use armtrace_core::{Item, Transfer};
use armtrace_store::import::{Format, ImportOptions, ImportProgress, ImportReport};
use armtrace_store::record::Record;
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
use crate::state::{AppState, ImportStatus};

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

/// Starts an import of an upload; returns its id and a receiver of its progress.
pub fn start(
    state: &AppState,
    viewer: &Viewer,
    upload: Upload,
) -> ApiResult<watch::Receiver<ImportStatus>> {
    // Keep only the last path component of the client's file name.
    let file_name = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("upload")
        .to_owned();
    let format = upload
        .format
        .or_else(|| Format::from_path(std::path::Path::new(&file_name)));
    let unreadable = match format {
        None => Some(format!(
            "cannot tell the format of {file_name:?} from its name: upload a .csv, .jsonl or .xlsx file, or say which with the form field format"
        )),
        Some(Format::Sipri) if upload.kind == "items" => Some(
            "format=sipri reads the SIPRI Arms Transfers Database, which holds transfers: send kind=transfers".to_owned(),
        ),
        Some(_) => None,
    };
    let (Some(format), None) = (format, &unreadable) else {
        // Nothing can be read from it: a failed import (422), like an unreadable file.
        let tx = state.imports.start(|id| ImportStatus {
            id,
            kind: upload.kind.clone(),
            file_name: file_name.clone(),
            state: "failed".into(),
            dry_run: upload.dry_run,
            rows: 0,
            bytes_read: 0,
            total_bytes: upload.bytes.len() as u64,
            report: None,
            error: unreadable.clone(),
            started_by: viewer.actor(),
            started_at: jiff::Timestamp::now().to_string(),
        });
        return Ok(tx.subscribe());
    };
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join(&file_name);
    std::fs::write(&path, &upload.bytes).map_err(ApiError::internal)?;
    let mut options = ImportOptions::new(format, viewer.actor());
    options.dry_run = upload.dry_run;
    options.skip_invalid = upload.skip_invalid;
    options.ignore_unknown = upload.ignore_unknown;
    options.clearance = Some(viewer.clearance.clone());
    let total_bytes = upload.bytes.len() as u64;
    let tx = state.imports.start(|id| ImportStatus {
        id,
        kind: upload.kind.clone(),
        file_name: file_name.clone(),
        state: "running".into(),
        dry_run: upload.dry_run,
        rows: 0,
        bytes_read: 0,
        total_bytes,
        report: None,
        error: None,
        started_by: viewer.actor(),
        started_at: jiff::Timestamp::now().to_string(),
    });
    let rx = tx.subscribe();
    let state = state.clone();
    let kind = upload.kind;
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _dir = dir; // removed when the import is over
        let progress = |p: ImportProgress| {
            tx.send_modify(|s| {
                s.rows = p.rows;
                s.bytes_read = p.bytes_read;
            });
        };
        let result = handle.block_on(async {
            if kind == "items" {
                run::<Item>(&state, &path, &options, &progress).await
            } else {
                run::<Transfer>(&state, &path, &options, &progress).await
            }
        });
        let wrote = matches!(&result, Ok(r) if !options.dry_run && r.accepted(options.skip_invalid) && r.inserted + r.updated > 0);
        if wrote && let Err(e) = handle.block_on(state.load()) {
            tracing::error!("cannot reload the search index after an import: {e}");
        }
        tx.send_modify(|s| match result {
            Ok(report) => {
                let accepted = report.accepted(options.skip_invalid);
                s.state = if accepted { "done" } else { "failed" }.into();
                if !accepted {
                    s.error = Some(format!(
                        "{} row{} invalid, so nothing was written: fix them (see the report) or import with skip_invalid",
                        report.rejected,
                        if report.rejected == 1 { " is" } else { "s are" }
                    ));
                }
                s.report = Some(serde_json::to_value(&report).expect("reports serialise"));
            }
            Err(e) => {
                s.state = "failed".into();
                s.error = Some(e.to_string());
            }
        });
    });
    Ok(rx)
}

async fn run<R: Record>(
    state: &AppState,
    path: &std::path::Path,
    options: &ImportOptions,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<ImportReport, armtrace_store::StoreError> {
    state.store.import_file::<R>(path, options, progress).await
}

/// The answer for an import's status: 200 done, 422 failed, 202 running.
pub fn status_response(status: ImportStatus) -> Response {
    let code = match status.state.as_str() {
        "done" => StatusCode::OK,
        "failed" => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::ACCEPTED,
    };
    (code, Json(status)).into_response()
}

#[utoipa::path(
    post, path = "/api/imports", tag = "imports",
    params(StartParams),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Finished (with wait=true or a quick file)", body = ImportStatus),
        (status = 202, description = "Started: follow /api/imports/{id} or /api/imports/{id}/events", body = ImportStatus),
        (status = 400, description = "A malformed upload", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
        (status = 413, description = "The upload is too large", body = crate::error::ErrorBody),
        (status = 422, description = "The file could not be imported (unreadable, bad header, invalid rows): nothing was written", body = ImportStatus),
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
    let finished = |s: &ImportStatus| s.state != "running";
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
        (status = 200, description = "Imports started from the web since the server started, newest first", body = Vec<ImportStatus>),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not import", body = crate::error::ErrorBody),
    )
)]
pub async fn list_imports(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<ImportStatus>>> {
    viewer.require(Access::Write, "see imports")?;
    Ok(Json(visible_imports(&state, &viewer)))
}

/// The imports a viewer may follow: their own, or all for admins (reports name rows
/// and values of files others uploaded).
pub fn visible_imports(state: &AppState, viewer: &Viewer) -> Vec<ImportStatus> {
    let mut all = state.imports.list();
    if !viewer.role().is_some_and(|r| r.is_admin()) {
        let me = viewer.actor();
        all.retain(|s| s.started_by == me);
    }
    all
}

/// One import the viewer may follow, or 404.
pub fn find(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> ApiResult<watch::Receiver<ImportStatus>> {
    let admin = viewer.role().is_some_and(|r| r.is_admin());
    id.parse::<u64>()
        .ok()
        .and_then(|id| state.imports.watch(id))
        .filter(|rx| admin || rx.borrow().started_by == viewer.actor())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no import {id:?} of yours since the server started"
            ))
        })
}

#[utoipa::path(
    get, path = "/api/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "The import's id")),
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "Finished: `state` is done, or failed (nothing was written; see `error` and `report`)", body = ImportStatus),
        (status = 202, description = "Running", body = ImportStatus),
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
    let status = find(&state, &viewer, &id)?.borrow().clone();
    // Reading a status succeeds whatever the import's outcome: 200 once finished (done
    // or failed, see `state`), 202 while running.
    let code = if status.state == "running" {
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
    let rx = find(&state, &viewer, &id)?;
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
            let finished = status.state != "running";
            let event = Event::default()
                .json_data(&status)
                .expect("status serialises");
            Some((Ok(event), (rx, false, finished)))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

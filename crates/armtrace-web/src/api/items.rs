//! `/api/items`: lists with filters, one item with its history, and exports.

use armtrace_app::types::ExportFormat;
use armtrace_app::{ItemDetail as AppItemDetail, ItemRecord};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::schema;
use super::{ApiQuery, ItemFilterParams, number_param};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest page of `/api/items`.
pub const MAX_PAGE: u64 = 10_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page (default 50, at most 10000).
    #[param(schema_with = schema::page_limit)]
    pub limit: Option<String>,
    /// Items to skip.
    #[param(schema_with = schema::offset)]
    pub offset: Option<String>,
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    /// Items matching the filters that you may see.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    /// Items in ref order, with the canonical fields (fields you may not see are null).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

/// An item as the API shows it: canonical fields and revision bookkeeping (fields the
/// viewer may not see are null).
pub fn item_json(record: &ItemRecord) -> Value {
    serde_json::to_value(record).expect("items serialise")
}

#[utoipa::path(
    get, path = "/api/items", tag = "items",
    params(ItemFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of items", body = ItemPage),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn list_items(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<ItemPage>> {
    let query = filters.parse()?;
    let limit = number_param("limit", &page.limit, 50, MAX_PAGE)?;
    let offset = number_param("offset", &page.offset, 0, i64::MAX as u64)?;
    let page = viewer
        .view(&state)
        .items(&query, offset, Some(limit))
        .await?;
    Ok(Json(ItemPage {
        total: page.total,
        limit,
        offset,
        items: page.items.iter().map(item_json).collect(),
    }))
}

/// One item with what is known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetail {
    #[schema(value_type = Object)]
    pub item: Value,
    /// Past states (signed-in users only; empty for the public).
    #[schema(value_type = Vec<Object>)]
    pub revisions: Vec<Value>,
    /// What the markings or model suggest (never applied automatically).
    #[schema(value_type = Option<Object>)]
    pub identification: Option<Value>,
}

#[utoipa::path(
    get, path = "/api/items/{ref}", tag = "items",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn get_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<ItemDetail>> {
    let detail: AppItemDetail = viewer.view(&state).item_detail(&reference).await?;
    Ok(Json(ItemDetail {
        item: item_json(&detail.item),
        revisions: detail
            .revisions
            .iter()
            .map(|r| serde_json::to_value(r).expect("revisions serialise"))
            .collect(),
        identification: detail
            .identification
            .map(|s| serde_json::to_value(s).expect("suggestions serialise")),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// csv (canonical, re-importable), jsonl or geojson.
    #[param(schema_with = schema::export_format)]
    pub format: Option<String>,
}

#[utoipa::path(
    get, path = "/api/export/items", tag = "items",
    params(ExportParams, ItemFilterParams),
    responses(
        (status = 200, description = "The matching items in the requested format", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
            (serde_json::Value = "application/geo+json")
        )),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn export_items(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<ExportParams>,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
) -> ApiResult<Response> {
    let query = filters.parse()?;
    let format: ExportFormat = params
        .format
        .as_deref()
        .unwrap_or("csv")
        .parse()
        .map_err(|e: String| ApiError::bad_request(format!("parameter format: {e}")))?;
    let (content_type, extension) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Jsonl => ("application/x-ndjson", "jsonl"),
        ExportFormat::GeoJson => ("application/geo+json", "geojson"),
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Result<Vec<u8>, std::io::Error>>();
    let register = state.register.clone();
    let clearance = viewer.clearance.clone();
    tokio::spawn(async move {
        let mut out = ChannelWriter {
            buf: Vec::with_capacity(CHUNK),
            tx: tx.clone(),
        };
        let view = register.for_viewer(&clearance);
        if let Err(e) = view.export_items(&query, format, &mut out).await {
            // The answer has begun: the client sees a cut stream; the log says why.
            let e = ApiError::from(e);
            let _ = tx.send(Err(std::io::Error::other(e.message)));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"armtrace-items.{extension}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

const CHUNK: usize = 64 * 1024;

/// Sends what an export writes to the response body in 64 KiB chunks.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::UnboundedSender<Result<Vec<u8>, std::io::Error>>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            self.tx.send(Ok(chunk)).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away")
            })?;
        }
        Ok(())
    }
}

//! `/api/transfers`: documented transfers (licences, deliveries, trace responses). They
//! are never public: signed-in users only.

use armtrace_app::TransferPage;
use armtrace_core::Transfer;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, number_param};
use crate::auth::{Access, Viewer};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferParams {
    /// Part of the supplier, recipient, end user, model or reference (case-insensitive).
    pub q: Option<String>,
    /// Transfers per page (default 100, at most 10000).
    #[param(schema_with = schema::transfer_limit)]
    pub limit: Option<String>,
    #[param(schema_with = schema::offset)]
    pub offset: Option<String>,
}

#[utoipa::path(
    get, path = "/api/transfers", tag = "transfers",
    params(TransferParams),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of transfers", body = TransferPage),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
    )
)]
pub async fn list_transfers(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<TransferParams>,
) -> ApiResult<Json<TransferPage>> {
    viewer.require(Access::SignedIn, "read transfers")?;
    let limit = number_param("limit", &p.limit, 100, 10_000)?;
    let offset = number_param("offset", &p.offset, 0, i64::MAX as u64)?;
    let mut page = viewer
        .view(&state)
        .transfers(p.q.as_deref(), None, offset, limit.max(1))
        .await?;
    page.limit = limit;
    if limit == 0 {
        page.transfers.clear();
    }
    Ok(Json(page))
}

#[utoipa::path(
    get, path = "/api/transfers/{ref}", tag = "transfers",
    params(("ref" = String, Path, description = "The transfer's reference")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The transfer", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 404, description = "No such transfer", body = crate::error::ErrorBody),
    )
)]
pub async fn get_transfer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<Transfer>> {
    viewer.require(Access::SignedIn, "read transfers")?;
    Ok(Json(viewer.view(&state).transfer(&reference).await?))
}

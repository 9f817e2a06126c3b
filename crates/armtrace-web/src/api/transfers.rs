//! `/api/transfers`: documented transfers (licences, deliveries, trace responses). They
//! are never public: signed-in users only.

use armtrace_core::Transfer;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema;
use super::{ApiQuery, number_param};
use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
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

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferPage {
    pub total: usize,
    pub limit: u64,
    pub offset: u64,
    /// Transfers with the canonical transfer fields, by delivery date.
    #[schema(value_type = Vec<Object>)]
    pub transfers: Vec<Transfer>,
}

/// Whether a transfer matches a free-text query.
pub fn transfer_matches(t: &Transfer, q: &str) -> bool {
    let q = q.to_lowercase();
    [
        Some(t.transfer_ref.as_str()),
        t.supplier.as_deref(),
        t.recipient.as_deref(),
        t.end_user.as_deref(),
        t.model.as_deref(),
        t.manufacturer.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|s| s.to_lowercase().contains(&q))
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
    let mut all = state.store.transfers().await?;
    if let Some(q) = p.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        all.retain(|t| transfer_matches(t, q));
    }
    let total = all.len();
    let transfers = all
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(Json(TransferPage {
        total,
        limit,
        offset,
        transfers,
    }))
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
    match state.store.transfer(&reference).await {
        Ok(t) => Ok(Json(t)),
        Err(armtrace_store::StoreError::NotFound { .. }) => Err(ApiError::not_found(format!(
            "transfer {reference:?} is not in the register"
        ))),
        Err(e) => Err(e.into()),
    }
}

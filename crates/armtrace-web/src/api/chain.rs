//! Supply-chain routes: links (serial runs and shared lots), one item's chain of custody,
//! and diversions.
//!
//! Everything is computed over what the viewer may see. Transfers (licences, deliveries,
//! trace responses) are never public, so an anonymous visitor's custody chains hold
//! manufacture and recovery only and their diversion list is empty.

use armtrace_app::ItemLinks;
use armtrace_core::custody::{self, DiversionReport};
use armtrace_core::link::{self, Links};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, ItemFilterParams, number_param};
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/items/{ref}/links", tag = "supply chain",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The item's serial run and lot, with where each member was found", body = ItemLinks),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn item_links(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<ItemLinks>> {
    Ok(Json(viewer.view(&state).item_links(&reference).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkParams {
    /// Largest difference between consecutive serial numbers of one run (default 50).
    #[param(schema_with = schema::gap)]
    pub gap: Option<String>,
}

#[utoipa::path(
    get, path = "/api/links", tag = "supply chain",
    params(ItemFilterParams, LinkParams),
    responses(
        (status = 200, description = "Serial runs and lot clusters, as `armtrace link --json`: `{runs:[…], lots:[…]}`", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn links(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
    ApiQuery(params): ApiQuery<LinkParams>,
) -> ApiResult<Json<Links>> {
    let query = filters.parse()?;
    let gap = number_param("gap", &params.gap, link::DEFAULT_GAP, 1_000_000)?;
    Ok(Json(viewer.view(&state).links(&query, gap).await?))
}

#[utoipa::path(
    get, path = "/api/items/{ref}/custody", tag = "supply chain",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The chain of custody with the evidence for each step, as `armtrace custody --json`", body = serde_json::Value),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn custody(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<custody::CustodyChain>> {
    Ok(Json(viewer.view(&state).custody(&reference).await?))
}

#[utoipa::path(
    get, path = "/api/diversions", tag = "supply chain",
    params(ItemFilterParams),
    responses(
        (status = 200, description = "Time from the last documented delivery to recovery, in ref order, as `armtrace diversion --json`: `{items:[{ref, transfer_ref, end_user, delivered_on, recovered_on, days, chain_length}]}`", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn diversions(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
) -> ApiResult<Json<DiversionReport>> {
    let query = filters.parse()?;
    Ok(Json(viewer.view(&state).diversions(&query).await?))
}

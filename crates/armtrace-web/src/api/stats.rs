//! `/api/stats` (the CLI's `armtrace stats` JSON over what the viewer may see) and
//! `/api/diversions/summary` (the time-to-diversion distribution).
//!
//! Statistics run on the in-memory [`ItemColumns`](armtrace_core::analytics::ItemColumns)
//! the server holds (rebuilt after each import); the viewer's clearance removes hidden
//! rows before anything is counted, totals included.

use armtrace_core::analytics::{DiversionSummary, StatField, StatsResult};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, ItemFilterParams};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// A field to group by (repeat for a cross-tab, at most 3): any item field, or
    /// `decade`, `recovered_year`, `recovered_month`.
    #[serde(default)]
    #[param(schema_with = schema::stat_fields, required = true)]
    pub by: Vec<String>,
    /// `FIELD=VALUE` (repeatable; values of one field are alternatives). Also
    /// `recovered_from_date=YYYY[-MM]` and `recovered_to_date=YYYY[-MM]` as bounds.
    #[serde(default, rename = "where")]
    #[param(schema_with = schema::stat_filters)]
    pub wheres: Vec<String>,
    /// `quantity`: sum quantities instead of counting items.
    #[param(schema_with = schema::weight)]
    pub weight: Option<String>,
}

impl StatsParams {
    /// The parameters as the application reads them.
    pub fn to_app(&self) -> armtrace_app::StatsParams {
        armtrace_app::StatsParams {
            by: self.by.clone(),
            wheres: self.wheres.clone(),
            weight: self.weight.clone(),
        }
    }
}

#[utoipa::path(
    get, path = "/api/stats", tag = "analytics",
    params(StatsParams),
    responses(
        (status = 200, description = "`{\"total\":N,\"groups\":[{\"key\":{\"FIELD\":value,…},\"count\":N,\"share\":x}]}`, as `armtrace stats --json`, over the items you may see", body = serde_json::Value),
        (status = 400, description = "An unknown field or a malformed filter", body = crate::error::ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> ApiResult<Json<StatsResult>> {
    if params.by.is_empty() {
        return Err(ApiError::bad_request(format!(
            "parameter by is missing: group by one of {}",
            StatField::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let Some(query) = params.to_app().parse()? else {
        return Ok(Json(StatsResult {
            total: 0,
            groups: Vec::new(),
        }));
    };
    Ok(Json(viewer.view(&state).stats(&query).await?))
}

/// Statistics filters of the diversion summary (the dashboard's, as `/api/stats` takes
/// them).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// `FIELD=VALUE` (repeatable; values of one field are alternatives), as in
    /// `/api/stats`.
    #[serde(default, rename = "where")]
    #[param(schema_with = schema::stat_filters)]
    pub wheres: Vec<String>,
}

#[utoipa::path(
    get, path = "/api/diversions/summary", tag = "analytics",
    params(ItemFilterParams, SummaryParams),
    responses(
        (status = 200, description = "Days from the last documented delivery to recovery: `overall` (count, min, quartiles, max; null when none), `histogram` (fixed bins), `by_end_user`, `by_recovered_from`. Empty for the public (transfers are not public).", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn diversion_summary(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
    ApiQuery(params): ApiQuery<SummaryParams>,
) -> ApiResult<Json<DiversionSummary>> {
    let query = filters.parse()?;
    let Some(wheres) = armtrace_app::parse_wheres(&params.wheres)? else {
        return Ok(Json(armtrace_core::analytics::diversion_summary(&[])));
    };
    Ok(Json(
        viewer
            .view(&state)
            .diversion_summary(&query, &wheres)
            .await?,
    ))
}

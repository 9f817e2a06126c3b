//! `/api/map/points`: recovery locations as GeoJSON for the map.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, ItemFilterParams, number_param};
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::state::AppState;

/// Default and largest number of points in one answer.
pub const MAX_POINTS: u64 = 100_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PointParams {
    /// At most this many points (default and maximum 100000).
    #[param(schema_with = schema::map_limit)]
    pub limit: Option<String>,
}

#[utoipa::path(
    get, path = "/api/map/points", tag = "items",
    params(ItemFilterParams, PointParams),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection of recovery points with `total` (matching items with coordinates) and `truncated`", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn points(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
    ApiQuery(params): ApiQuery<PointParams>,
) -> ApiResult<Json<Value>> {
    let query = filters.parse()?;
    let limit = number_param("limit", &params.limit, MAX_POINTS, MAX_POINTS)?.max(1);
    let (points, total) = viewer.view(&state).points(&query, limit).await?;
    let features: Vec<Value> = points
        .iter()
        .filter_map(|p| {
            let (lat, lon) = (p.latitude?, p.longitude?);
            Some(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "ref": p.reference,
                    "category": p.category,
                    "model": p.model,
                    "serial_number": p.serial_number,
                    "recovered_on": p.recovered_on.map(|d| d.to_string()),
                    "recovered_place": p.recovered_place,
                    "recovered_country": p.recovered_country.map(|c| c.as_str().to_owned()),
                }
            }))
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "total": total,
        "truncated": (features.len() as u64) < total,
        "features": features,
    })))
}

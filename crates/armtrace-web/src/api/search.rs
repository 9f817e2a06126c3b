//! `/api/search`: the CLI's serial search, with the same semantics and JSON, over the
//! items the viewer may see.

use armtrace_core::search::{RankFilters, SerialQuery};
use armtrace_core::{Category, CountryCode};
use armtrace_store::search::{SearchRequest, SearchResult};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, number_param};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The serial as read: `?` for one unreadable character, `*` for any run.
    #[param(schema_with = schema::serial_query, required = true)]
    #[serde(default)]
    pub q: String,
    /// Edits tolerated (0–3); default by length: 0 up to 4 characters, 1 for 5–8, 2 for 9+.
    #[param(schema_with = schema::max_edits)]
    pub max_edits: Option<String>,
    /// At most this many matches (default 20; 0 = all).
    #[param(schema_with = schema::search_limit)]
    pub limit: Option<String>,
    /// Rank items of this model first.
    pub model: Option<String>,
    /// Rank items of this manufacturer first.
    pub manufacturer: Option<String>,
    /// Only this category.
    #[param(schema_with = schema::category)]
    pub category: Option<String>,
    /// Only items made in this country.
    #[param(schema_with = schema::country)]
    pub country: Option<String>,
}

/// Runs a search for a viewer (shared by the API and the search page).
pub async fn run_search(
    state: &AppState,
    viewer: &Viewer,
    p: &SearchParams,
) -> ApiResult<SearchResult> {
    let q = p.q.trim();
    if q.is_empty() {
        return Err(ApiError::bad_request(
            "parameter q is missing: give the serial as read, e.g. q=AB12%3F%3F78",
        ));
    }
    let max_edits = match p
        .max_edits
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(s.parse::<u8>().ok().filter(|n| *n <= 3).ok_or_else(|| {
            ApiError::bad_request(format!("parameter max_edits={s:?}: use 0, 1, 2 or 3"))
        })?),
    };
    let query = SerialQuery::parse(q, max_edits)
        .map_err(|e| ApiError::bad_request(format!("parameter q={q:?}: {e}")))?;
    let limit = number_param("limit", &p.limit, 20, u32::MAX as u64)? as usize;
    let category = p
        .category
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Category>()
                .map_err(|e| ApiError::bad_request(format!("parameter category={s:?}: {e}")))
        })
        .transpose()?;
    let country = p
        .country
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            CountryCode::parse(s)
                .map_err(|e| ApiError::bad_request(format!("parameter country={s:?}: {e}")))
        })
        .transpose()?;
    let filters = RankFilters {
        model: p.model.as_deref().filter(|s| !s.trim().is_empty()),
        manufacturer: p.manufacturer.as_deref().filter(|s| !s.trim().is_empty()),
    };
    let index = state.index();
    let clearance = (!viewer.clearance.sees_everything()).then_some(&viewer.clearance);
    Ok(state
        .store
        .search(
            &index,
            &SearchRequest {
                query: &query,
                filters: &filters,
                category,
                country,
                limit,
                clearance,
            },
        )
        .await?)
}

#[utoipa::path(
    get, path = "/api/search", tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Ranked matches: `{query, normalised, max_edits, total, matches:[{ref, serial_number, …, distance, as_written, filter_fit, why}]}`", body = serde_json::Value),
        (status = 400, description = "A missing or malformed query", body = crate::error::ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResult>> {
    Ok(Json(run_search(&state, &viewer, &params).await?))
}

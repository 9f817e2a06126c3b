//! `/api/search`: the CLI's serial search, with the same semantics and JSON, over the
//! items the viewer may see.

use armtrace_app::SearchResult;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiQuery;
use super::schema;
use crate::auth::Viewer;
use crate::error::ApiResult;
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
    let request = armtrace_app::SearchParams {
        q: p.q.clone(),
        max_edits: p.max_edits.clone(),
        limit: p.limit.clone(),
        model: p.model.clone(),
        manufacturer: p.manufacturer.clone(),
        category: p.category.clone(),
        country: p.country.clone(),
    }
    .parse()?;
    Ok(viewer.view(state).search(&request).await?)
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

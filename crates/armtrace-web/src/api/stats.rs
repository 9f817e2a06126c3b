//! `/api/stats` (the CLI's `armtrace stats` JSON over what the viewer may see) and
//! `/api/diversions/summary` (the time-to-diversion distribution).
//!
//! Statistics run on the in-memory [`ItemColumns`](armtrace_core::analytics::ItemColumns)
//! the server holds (rebuilt after each import); the viewer's clearance removes hidden
//! rows before anything is counted, totals included.

use armtrace_core::PartialDate;
use armtrace_core::analytics::{
    self, DiversionFact, DiversionSummary, StatField, StatsQuery, StatsResult,
};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

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
    pub by: Vec<String>,
    /// `FIELD=VALUE` (repeatable; values of one field are alternatives). Also
    /// `recovered_from_date=YYYY[-MM]` and `recovered_to_date=YYYY[-MM]` as bounds.
    #[serde(default, rename = "where")]
    pub wheres: Vec<String>,
    /// `quantity`: sum quantities instead of counting items.
    pub weight: Option<String>,
}

/// Earliest and latest years a date range can expand to.
const FIRST_YEAR: i16 = 1900;

/// Expands date bounds into alternatives of `recovered_year` (whole years) or
/// `recovered_month` (month bounds): an item counts only when its whole recorded date lies
/// in the range, as in item lists.
fn date_range(from: Option<PartialDate>, to: Option<PartialDate>) -> Result<Vec<String>, ApiError> {
    if from.is_none() && to.is_none() {
        return Ok(Vec::new());
    }
    let by_month = [from, to].iter().flatten().any(|d| d.month().is_some());
    if [from, to].iter().flatten().any(|d| d.day().is_some()) {
        return Err(ApiError::bad_request(
            "statistics filter recovery dates by year or month (YYYY or YYYY-MM), not by day",
        ));
    }
    let last = crate::pages::this_year() + 1;
    let (fy, fm) = from.map_or((FIRST_YEAR, 1), |d| (d.year(), d.month().unwrap_or(1)));
    let (ty, tm) = to.map_or((last, 12), |d| (d.year(), d.month().unwrap_or(12)));
    let mut out = Vec::new();
    if by_month {
        let (mut y, mut m) = (fy, fm);
        while (y, m) <= (ty, tm) {
            out.push(format!("recovered_month={y:04}-{m:02}"));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
    } else {
        out.extend((fy..=ty).map(|y| format!("recovered_year={y}")));
    }
    if out.is_empty() {
        // An empty range selects nothing: a month that cannot exist.
        out.push("recovered_month=0000-01".into());
    }
    Ok(out)
}

/// Parses the query, turning date bounds into filters.
pub fn parse_query(p: &StatsParams) -> ApiResult<StatsQuery> {
    let mut wheres = Vec::new();
    let (mut from, mut to) = (None, None);
    for w in &p.wheres {
        let (field, value) = w.split_once('=').unwrap_or((w.as_str(), ""));
        let date = |v: &str| {
            v.trim()
                .parse::<PartialDate>()
                .map(Some)
                .map_err(|e| ApiError::bad_request(format!("parameter where={w:?}: {e}")))
        };
        match field.trim() {
            "recovered_from_date" => from = date(value)?,
            "recovered_to_date" => to = date(value)?,
            _ => wheres.push(w.clone()),
        }
    }
    wheres.extend(date_range(from, to)?);
    StatsQuery::parse(&p.by, &wheres, p.weight.as_deref())
        .map_err(|e| ApiError::bad_request(e.to_string()))
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
    let query = parse_query(&params)?;
    if viewer.clearance.is_public() {
        let touches =
            |f: &StatField| armtrace_core::access::NEVER_PUBLIC_ITEM_FIELDS.contains(&f.name());
        if let Some(f) = query
            .by
            .iter()
            .chain(query.filters.iter().map(|w| &w.field))
            .find(|f| touches(f))
        {
            return Err(ApiError::bad_request(format!(
                "{} is not part of the public view: sign in to group or filter by it",
                f.name()
            )));
        }
    }
    let columns = state.columns();
    let clearance = viewer.clearance.clone();
    let result =
        tokio::task::spawn_blocking(move || analytics::stats(&columns, &query, &clearance))
            .await
            .map_err(ApiError::internal)?;
    Ok(Json(result))
}

#[utoipa::path(
    get, path = "/api/diversions/summary", tag = "analytics",
    params(ItemFilterParams),
    responses(
        (status = 200, description = "Days from the last documented delivery to recovery: `overall` (count, min, quartiles, max; null when none), `histogram` (fixed bins), `by_end_user`, `by_recovered_from`. Empty for the public (transfers are not public).", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn diversion_summary(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
) -> ApiResult<Json<DiversionSummary>> {
    let filter = filters.to_filter(&viewer.clearance)?;
    let diversions = super::chain::diversions_for(&state, &viewer, &filter).await?;
    let refs: Vec<String> = diversions.iter().map(|d| d.reference.clone()).collect();
    let holders = state.store.recovered_from_of(&refs).await?;
    let facts: Vec<DiversionFact> = diversions
        .iter()
        .map(|d| DiversionFact::new(d, holders.get(&d.reference).and_then(|h| h.as_deref())))
        .collect();
    Ok(Json(analytics::diversion_summary(&facts)))
}

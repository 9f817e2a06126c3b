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

/// Earliest and latest years a date range can expand to.
const FIRST_YEAR: i16 = 1900;

/// Expands date bounds into alternatives (none at all for an empty range, which the
/// caller answers with an empty result) of `recovered_year` (whole years) or
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
    Ok(out)
}

/// Parses the query, turning date bounds into filters; `None` when the date range is
/// empty (nothing can match).
pub fn parse_query(p: &StatsParams) -> ApiResult<Option<StatsQuery>> {
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
            // An empty bound is no bound (browsers send empty form fields).
            "recovered_from_date" | "recovered_to_date" if value.trim().is_empty() => {}
            "recovered_from_date" => from = date(value)?,
            "recovered_to_date" => to = date(value)?,
            _ => wheres.push(w.clone()),
        }
    }
    let range = date_range(from, to)?;
    if range.is_empty() && (from.is_some() || to.is_some()) {
        return Ok(None);
    }
    wheres.extend(range);
    StatsQuery::parse(
        &p.by,
        &wheres,
        p.weight.as_deref().filter(|w| !w.trim().is_empty()),
    )
    .map(Some)
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
    let Some(mut query) = parse_query(&params)? else {
        return Ok(Json(StatsResult {
            total: 0,
            groups: Vec::new(),
        }));
    };
    // Fields that are never public are null for the public, as in item lists: grouping
    // by one gives a single null group, filtering on a value other than null matches
    // nothing.
    let mut hidden_by = Vec::new();
    if viewer.clearance.is_public() {
        let never =
            |f: &StatField| armtrace_core::access::NEVER_PUBLIC_ITEM_FIELDS.contains(&f.name());
        let mut nothing = false;
        query.filters.retain(|w| {
            if never(&w.field) {
                nothing |= !w.selects_null();
                false
            } else {
                true
            }
        });
        hidden_by = query.by.iter().copied().filter(|f| never(f)).collect();
        query.by.retain(|f| !never(f));
        if nothing {
            return Ok(Json(StatsResult {
                total: 0,
                groups: Vec::new(),
            }));
        }
    }
    let columns = state.columns();
    let clearance = viewer.clearance.clone();
    let mut result = tokio::task::spawn_blocking(move || {
        if query.by.is_empty() {
            // Only never-public fields were asked for: count everything, one group.
            let mut all = query.clone();
            all.by = vec![StatField::Category];
            let total = analytics::stats(&columns, &all, &clearance).total;
            StatsResult {
                total,
                groups: Vec::new(),
            }
        } else {
            analytics::stats(&columns, &query, &clearance)
        }
    })
    .await
    .map_err(ApiError::internal)?;
    if !hidden_by.is_empty() {
        if result.groups.is_empty() && result.total > 0 {
            result.groups.push(analytics::StatsGroup {
                key: serde_json::Map::new(),
                count: result.total,
                share: 1.0,
            });
        }
        for g in &mut result.groups {
            for f in &hidden_by {
                g.key.insert(f.name().to_owned(), serde_json::Value::Null);
            }
        }
    }
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

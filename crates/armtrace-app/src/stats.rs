//! Statistics for a viewer: the cross-tabulations of `armtrace stats`, over the cached
//! statistics columns, with the viewer's clearance applied once, here.
//!
//! Rows the viewer may not see are left out of every count, totals included. Fields
//! that are never public (`notes`, `documented_by`) are null for the public, as in item
//! lists: grouping by one gives a single null group, and filtering on a value other than
//! null matches nothing.

use armtrace_core::PartialDate;
use armtrace_core::access::NEVER_PUBLIC_ITEM_FIELDS;
use armtrace_core::analytics::{self, StatField, StatFilter, StatsGroup, StatsQuery, StatsResult};
use serde::Deserialize;

use crate::actor::View;
use crate::clock::this_year;
use crate::error::{AppError, AppResult};

/// A statistic as the front ends receive it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StatsParams {
    /// Fields to group by (one to [`analytics::MAX_BY`]).
    #[serde(default)]
    pub by: Vec<String>,
    /// `FIELD=VALUE` filters; values of one field are alternatives. Also
    /// `recovered_from_date=YYYY[-MM]` and `recovered_to_date=YYYY[-MM]` as bounds.
    #[serde(default, rename = "where")]
    pub wheres: Vec<String>,
    /// `quantity`: sum quantities instead of counting items.
    pub weight: Option<String>,
}

/// Earliest year a date range expands to.
const FIRST_YEAR: i16 = 1900;

/// Expands date bounds into alternatives of `recovered_year` (whole years) or
/// `recovered_month` (month bounds): an item counts only when its whole recorded date
/// lies in the range, as in item lists. `None` for an empty range.
fn date_range(
    from: Option<PartialDate>,
    to: Option<PartialDate>,
) -> AppResult<Option<Vec<String>>> {
    if from.is_none() && to.is_none() {
        return Ok(Some(Vec::new()));
    }
    let by_month = [from, to].iter().flatten().any(|d| d.month().is_some());
    if [from, to].iter().flatten().any(|d| d.day().is_some()) {
        return Err(AppError::BadRequest(
            "statistics filter recovery dates by year or month (YYYY or YYYY-MM), not by day"
                .to_owned(),
        ));
    }
    let last = this_year() + 1;
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
    Ok((!out.is_empty()).then_some(out))
}

/// Statistics filters (`FIELD=VALUE`) with the date bounds `recovered_from_date` and
/// `recovered_to_date` expanded into recovery years or months; `None` when the range is
/// empty (nothing can match).
pub fn expand_wheres(given: &[String]) -> AppResult<Option<Vec<String>>> {
    let mut wheres = Vec::new();
    let (mut from, mut to) = (None, None);
    for w in given {
        let (field, value) = w.split_once('=').unwrap_or((w.as_str(), ""));
        let date = |v: &str| {
            v.trim()
                .parse::<PartialDate>()
                .map(Some)
                .map_err(|e| AppError::bad_parameter("where", w, e))
        };
        match field.trim() {
            // An empty bound is no bound (browsers send empty form fields).
            "recovered_from_date" | "recovered_to_date" if value.trim().is_empty() => {}
            "recovered_from_date" => from = date(value)?,
            "recovered_to_date" => to = date(value)?,
            _ => wheres.push(w.clone()),
        }
    }
    let Some(range) = date_range(from, to)? else {
        return Ok(None);
    };
    wheres.extend(range);
    Ok(Some(wheres))
}

/// Parsed statistics filters (see [`expand_wheres`]); `None` when nothing can match.
pub fn parse_wheres(given: &[String]) -> AppResult<Option<Vec<StatFilter>>> {
    let Some(wheres) = expand_wheres(given)? else {
        return Ok(None);
    };
    analytics::parse_filters(&wheres)
        .map(Some)
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

impl StatsParams {
    /// The query, with date bounds turned into filters; `None` when the date range is
    /// empty (nothing can match).
    pub fn parse(&self) -> AppResult<Option<StatsQuery>> {
        let Some(wheres) = expand_wheres(&self.wheres)? else {
            return Ok(None);
        };
        let weight = self.weight.as_deref().filter(|w| !w.trim().is_empty());
        StatsQuery::parse(&self.by, &wheres, weight)
            .map(Some)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

impl View<'_> {
    /// A statistic over the items this viewer may see.
    pub async fn stats(&self, query: &StatsQuery) -> AppResult<StatsResult> {
        let mut query = query.clone();
        let mut hidden_by = Vec::new();
        if self.clearance.is_public() {
            let never = |f: &StatField| NEVER_PUBLIC_ITEM_FIELDS.contains(&f.name());
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
                return Ok(StatsResult {
                    total: 0,
                    groups: Vec::new(),
                });
            }
        }
        let columns = self.register.columns().await?;
        let clearance = self.clearance.clone();
        let threads = self.register.threads();
        let mut result = tokio::task::spawn_blocking(move || {
            if query.by.is_empty() {
                // Only never-public fields were asked for: count everything, one group.
                let mut all = query.clone();
                all.by = vec![StatField::Category];
                let total = analytics::stats(&columns, &all, &clearance, threads).total;
                StatsResult {
                    total,
                    groups: Vec::new(),
                }
            } else {
                analytics::stats(&columns, &query, &clearance, threads)
            }
        })
        .await
        .map_err(AppError::internal)?;
        if !hidden_by.is_empty() {
            if result.groups.is_empty() && result.total > 0 {
                result.groups.push(StatsGroup {
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
        Ok(result)
    }

    /// How many items this viewer may see in all (from the cached columns, not a count
    /// over the table).
    pub async fn visible_total(&self) -> AppResult<u64> {
        let columns = self.register.columns().await?;
        let all = StatsQuery::parse(&["category".to_owned()], &[], None)
            .expect("category is a statistics field");
        Ok(analytics::stats(&columns, &all, &self.clearance, 1).total)
    }
}

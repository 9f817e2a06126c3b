//! The figures of a findings report for a selection, and whether the data are real or
//! synthetic.
//!
//! [`report_figures`] computes every figure from [`ItemColumns`] (so a test can check
//! each one by hand); the application adds the time-to-diversion summary and the chains
//! of the fastest diversions, which need the transfers, and lays the report out
//! (`armtrace-app::render::report`).
//!
//! The headline figures, as the issue states them:
//! 1. the share of weapons by producing country;
//! 2. the share of ammunition, against that of weapons, made in the most recent decade;
//! 3. the origins of ammunition by country of recovery;
//! 4. the fastest diversions, with their chains of custody.

use serde::Serialize;

use super::columns::ItemColumns;
use super::query::{StatField, StatFilter, StatsQuery, Weight};
use super::stats::{StatsResult, select_rows, stats};
use crate::access::Clearance;
use crate::item::Category;

/// How many of the selected items are synthetic (see [`super::is_synthetic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DataStatus {
    pub items: u64,
    pub synthetic: u64,
}

impl DataStatus {
    /// `synthetic`, `real` or `mixed` (`empty` for no items).
    pub fn kind(&self) -> &'static str {
        match (self.items, self.synthetic) {
            (0, _) => "empty",
            (n, s) if s == n => "synthetic",
            (_, 0) => "real",
            _ => "mixed",
        }
    }
}

/// Items of one category with a year of manufacture in the most recent decade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct YearShare {
    /// Items made in the decade.
    pub in_decade: u64,
    /// Items with a known year of manufacture (the denominator).
    pub with_year: u64,
    /// Items without a year (left out of the share).
    pub without_year: u64,
    /// `in_decade / with_year`; 0 when no item has a year.
    pub share: f64,
}

/// Headline 2: how recently ammunition was made, next to weapons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentDecade {
    /// The decade of the latest year of manufacture of any weapon or ammunition item of
    /// the selection (`"2010s"`).
    pub decade: String,
    pub ammunition: YearShare,
    pub weapons: YearShare,
}

/// Every figure of a findings report, computed from the columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFigures {
    pub status: DataStatus,
    /// Items by category.
    pub categories: StatsResult,
    /// Headline 1: weapons by `country_of_manufacture`.
    pub weapons_by_country: StatsResult,
    /// Weapons and ammunition by `category` and `decade`.
    pub decades: StatsResult,
    /// Headline 2 (`None` when no weapon or ammunition item has a year).
    pub recent_decade: Option<RecentDecade>,
    /// Headline 3: ammunition by `recovered_country` and `country_of_manufacture`.
    pub ammunition_origins: StatsResult,
    /// Items by `recovered_month`.
    pub recoveries_by_month: StatsResult,
}

/// The groups of `by` among items of `category` (with the selection's filters), shares
/// taken within that category. A `--where category=…` of the selection still applies.
fn within(
    columns: &ItemColumns,
    category: Category,
    by: &[StatField],
    filters: &[StatFilter],
    clearance: &Clearance,
) -> StatsResult {
    let mut fields = vec![StatField::Category];
    fields.extend_from_slice(by);
    let query = StatsQuery {
        by: fields,
        filters: filters.to_vec(),
        weight: Weight::Items,
    };
    let all = stats(columns, &query, clearance, 1);
    let mut groups: Vec<_> = all
        .groups
        .into_iter()
        .filter(|g| g.value(StatField::Category).as_str() == Some(category.as_str()))
        .collect();
    let total: u64 = groups.iter().map(|g| g.count).sum();
    for g in &mut groups {
        g.key = std::mem::take(&mut g.key)
            .into_iter()
            .filter(|(k, _)| k != StatField::Category.name())
            .collect();
        g.share = if total == 0 {
            0.0
        } else {
            g.count as f64 / total as f64
        };
    }
    StatsResult { total, groups }
}

fn year_share(decades: &StatsResult, decade: &str) -> YearShare {
    let mut share = YearShare {
        in_decade: 0,
        with_year: 0,
        without_year: 0,
        share: 0.0,
    };
    for g in &decades.groups {
        match g.value(StatField::Decade).as_str() {
            None => share.without_year += g.count,
            Some(d) => {
                share.with_year += g.count;
                if d == decade {
                    share.in_decade += g.count;
                }
            }
        }
    }
    if share.with_year > 0 {
        share.share = share.in_decade as f64 / share.with_year as f64;
    }
    share
}

/// Computes the figures of a report on the items `filters` select and `clearance` shows.
pub fn report_figures(
    columns: &ItemColumns,
    filters: &[StatFilter],
    clearance: &Clearance,
) -> ReportFigures {
    let rows = select_rows(columns, filters, clearance);
    let status = DataStatus {
        items: rows.len() as u64,
        synthetic: rows.iter().filter(|&&r| columns.is_synthetic(r)).count() as u64,
    };
    let query = |by: Vec<StatField>| StatsQuery {
        by,
        filters: filters.to_vec(),
        weight: Weight::Items,
    };
    let categories = stats(columns, &query(vec![StatField::Category]), clearance, 1);
    let weapons_by_country = within(
        columns,
        Category::Weapon,
        &[StatField::CountryOfManufacture],
        filters,
        clearance,
    );
    let mut decades = stats(
        columns,
        &query(vec![StatField::Category, StatField::Decade]),
        clearance,
        1,
    );
    decades.groups.retain(|g| {
        matches!(
            g.value(StatField::Category).as_str(),
            Some("weapon" | "ammunition")
        )
    });
    decades.total = decades.groups.iter().map(|g| g.count).sum();
    for g in &mut decades.groups {
        g.share = g.count as f64 / decades.total as f64;
    }
    let weapon_decades = within(
        columns,
        Category::Weapon,
        &[StatField::Decade],
        filters,
        clearance,
    );
    let ammunition_decades = within(
        columns,
        Category::Ammunition,
        &[StatField::Decade],
        filters,
        clearance,
    );
    // Decades are "1990s"-style strings of four digits, so text order is time order.
    let latest = weapon_decades
        .groups
        .iter()
        .chain(&ammunition_decades.groups)
        .filter_map(|g| g.value(StatField::Decade).as_str())
        .max()
        .map(str::to_owned);
    let recent_decade = latest.map(|decade| RecentDecade {
        ammunition: year_share(&ammunition_decades, &decade),
        weapons: year_share(&weapon_decades, &decade),
        decade,
    });
    let ammunition_origins = within(
        columns,
        Category::Ammunition,
        &[StatField::RecoveredCountry, StatField::CountryOfManufacture],
        filters,
        clearance,
    );
    let recoveries_by_month = stats(
        columns,
        &query(vec![StatField::RecoveredMonth]),
        clearance,
        1,
    );
    ReportFigures {
        status,
        categories,
        weapons_by_country,
        decades,
        recent_decade,
        ammunition_origins,
        recoveries_by_month,
    }
}

//! Analytics: the cross-tabulations published findings are made of (who made the
//! weapons and ammunition, when, where and from whom they were recovered, how fast they
//! were diverted), as tables, charts and a printable findings report.
//!
//! * [`ItemColumns`] holds the register as dictionary-encoded columns; the store builds
//!   it once ([`ItemColumns::builder`]) and every statistic scans it.
//! * [`StatsQuery`] is what `armtrace stats --by … --where … --weight …` asks, parsed
//!   with errors that list what is allowed; [`stats`] answers it as a [`StatsResult`],
//!   the contract JSON, counting only what the viewer's [`Clearance`](crate::Clearance) allows.
//! * [`transfer_stats`] answers `armtrace transfers stats`: documented transfers grouped
//!   by supplier, recipient, category, year…, weighed in TIV or numbers delivered, with
//!   shares (how SIPRI's published figures are reproduced from its raw register).
//! * [`diversion_summary`] describes the time to diversion (quartiles, histogram, per
//!   end user and per holder) from [`custody::diversions`](crate::custody::diversions).
//! * [`report_figures`] computes the headline figures of a findings report.
//!
//! Nothing here reads a file or a clock, and nothing here writes for people: the store
//! loads the columns, the application (`armtrace-app::render`) draws the charts and
//! lays out the report, the front ends print and serve them.
//!
//! ```
//! use armtrace_core::analytics::{ItemColumns, StatsQuery, stats};
//! use armtrace_core::{Category, Clearance, Confidentiality, Item};
//!
//! let rifle = Item {
//!     reference: "R-1".into(), category: Category::Weapon, item_type: None, model: None,
//!     calibre: None, manufacturer: None, country_of_manufacture: None,
//!     year_of_manufacture: Some(1994), serial_number: None, lot_number: None,
//!     markings: None, quantity: None, recovered_on: None, recovered_country: None,
//!     recovered_place: None, latitude: None, longitude: None, recovered_from: None,
//!     documented_by: None, confidentiality: Confidentiality::Public, notes: None,
//! };
//! let columns = ItemColumns::from_items([&rifle]);
//! let query = StatsQuery::parse(&["decade".into()], &[], None).unwrap();
//! let result = stats(&columns, &query, &Clearance::full(), 1);
//! assert_eq!(serde_json::to_string(&result).unwrap(),
//!     r#"{"total":1,"groups":[{"key":{"decade":"1990s"},"count":1,"share":1.0}]}"#);
//! ```

mod columns;
mod diversion;
mod query;
mod report;
mod stats;
#[cfg(test)]
mod tests;
mod transfers;

pub use columns::{ItemColumns, ItemColumnsBuilder, ItemRow, Key, is_synthetic};
pub use diversion::{
    BIN_EDGES, Bin, Distribution, DiversionFact, DiversionSummary, GroupDistribution,
    diversion_summary, histogram, quantile,
};
pub use query::{
    MAX_BY, StatField, StatFilter, StatsQuery, StatsQueryError, Weight, parse_filters, parse_weight,
};
pub use report::{DataStatus, RecentDecade, ReportFigures, YearShare, report_figures};
pub use stats::{StatsGroup, StatsResult, select_rows, stats};
pub use transfers::{
    TransferField, TransferGroup, TransferStats, TransferStatsError, TransferStatsQuery,
    TransferWeight, transfer_stats,
};

use crate::country::CountryCode;

/// A key value for people: countries by name with their code (`China (CN)`), missing
/// values as `(missing)`, everything else as written.
pub fn display_label(field: StatField, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(missing)".to_owned(),
        serde_json::Value::String(s)
            if matches!(
                field,
                StatField::CountryOfManufacture | StatField::RecoveredCountry
            ) =>
        {
            match CountryCode::parse(s) {
                Ok(c) => format!("{} ({s})", c.name()),
                Err(_) => s.clone(),
            }
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

//! The item filters shared by `items list`, `export items` and (later) statistics.

use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};
use armtrace_store::items::ItemFilter;
use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this category (weapon, ammunition, ied_component, chemical_precursor, other).
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Model contains this text (case-insensitive).
    #[arg(long)]
    model: Option<String>,
    /// Manufacturer contains this text (case-insensitive).
    #[arg(long)]
    manufacturer: Option<String>,
    /// Country of manufacture (code or name).
    #[arg(long, value_parser = parse_country)]
    country: Option<CountryCode>,
    /// Country of recovery (code or name).
    #[arg(long, value_parser = parse_country)]
    recovered_country: Option<CountryCode>,
    /// Only this confidentiality level (public, restricted, confidential).
    #[arg(long, value_parser = parse_confidentiality)]
    confidentiality: Option<Confidentiality>,
    /// Recovered on or after (YYYY, YYYY-MM or YYYY-MM-DD); a partial recovery date counts
    /// only when all of it is in range.
    #[arg(long, value_parser = parse_date)]
    recovered_after: Option<PartialDate>,
    /// Recovered on or before (YYYY, YYYY-MM or YYYY-MM-DD); same rule.
    #[arg(long, value_parser = parse_date)]
    recovered_before: Option<PartialDate>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> ItemFilter {
        ItemFilter {
            category: self.category,
            model: self.model.clone(),
            manufacturer: self.manufacturer.clone(),
            country_of_manufacture: self.country,
            recovered_country: self.recovered_country,
            confidentiality: self.confidentiality,
            recovered_from_date: self.recovered_after,
            recovered_to_date: self.recovered_before,
            clearance: None,
        }
    }
}

pub fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

pub fn parse_confidentiality(s: &str) -> Result<Confidentiality, String> {
    s.parse()
}

pub fn parse_country(s: &str) -> Result<CountryCode, String> {
    CountryCode::parse(s).map_err(|e| format!("{s:?} {e}"))
}

pub fn parse_date(s: &str) -> Result<PartialDate, String> {
    s.parse().map_err(|e| format!("{s:?} {e}"))
}

//! Parameters as the front ends receive them (text, from a URL or a command line) and
//! as the application uses them (domain values), parsed here once so that the same bad
//! value gets the same message whichever front end it came through.
//!
//! The rules: a value is trimmed; an empty value (as browsers send for empty form
//! fields) is no value; countries are read by code, name or alias; dates are `YYYY`,
//! `YYYY-MM` or `YYYY-MM-DD`.

use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};
use armtrace_store::items::ItemFilter;
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// The item filters of lists, exports, the map, links and diversions, as text.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ItemParams {
    /// weapon, ammunition, ied_component, chemical_precursor or other.
    pub category: Option<String>,
    /// Part of the model designation (case-insensitive).
    pub model: Option<String>,
    /// Part of the manufacturer's name (case-insensitive).
    pub manufacturer: Option<String>,
    /// Country of manufacture: code or name.
    pub country_of_manufacture: Option<String>,
    /// Country of recovery: code or name.
    pub recovered_country: Option<String>,
    /// public, restricted or confidential.
    pub confidentiality: Option<String>,
    /// Recovered on or after this date.
    pub recovered_from_date: Option<String>,
    /// Recovered on or before this date.
    pub recovered_to_date: Option<String>,
}

/// Which items a question is about: the parsed [`ItemParams`]. Empty fields do not
/// filter. Who is asking is not part of it: the [`View`](crate::View) adds that.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ItemQuery {
    pub category: Option<Category>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub recovered_country: Option<CountryCode>,
    pub confidentiality: Option<Confidentiality>,
    /// Recovered on or after the first day of this date; a partial recovery date counts
    /// only when all of it is in range.
    pub recovered_from_date: Option<PartialDate>,
    /// Recovered on or before the last day of this date (same rule).
    pub recovered_to_date: Option<PartialDate>,
}

/// A value trimmed; empty is none.
pub(crate) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a country parameter.
pub(crate) fn country(name: &str, value: &Option<String>) -> AppResult<Option<CountryCode>> {
    given(value)
        .map(|s| CountryCode::parse(s).map_err(|e| AppError::bad_parameter(name, s, e)))
        .transpose()
}

/// Parses a date parameter.
pub(crate) fn date(name: &str, value: &Option<String>) -> AppResult<Option<PartialDate>> {
    given(value)
        .map(|s| {
            s.parse::<PartialDate>()
                .map_err(|e| AppError::bad_parameter(name, s, e))
        })
        .transpose()
}

/// Parses a category parameter.
pub(crate) fn category(name: &str, value: &Option<String>) -> AppResult<Option<Category>> {
    given(value)
        .map(|s| {
            s.parse::<Category>()
                .map_err(|e| AppError::bad_parameter(name, s, e))
        })
        .transpose()
}

impl ItemParams {
    /// The filters as domain values; the first bad one is named.
    pub fn parse(&self) -> AppResult<ItemQuery> {
        Ok(ItemQuery {
            category: category("category", &self.category)?,
            model: given(&self.model).map(str::to_owned),
            manufacturer: given(&self.manufacturer).map(str::to_owned),
            country_of_manufacture: country(
                "country_of_manufacture",
                &self.country_of_manufacture,
            )?,
            recovered_country: country("recovered_country", &self.recovered_country)?,
            confidentiality: given(&self.confidentiality)
                .map(|s| {
                    s.parse::<Confidentiality>()
                        .map_err(|e| AppError::bad_parameter("confidentiality", s, e))
                })
                .transpose()?,
            recovered_from_date: date("recovered_from_date", &self.recovered_from_date)?,
            recovered_to_date: date("recovered_to_date", &self.recovered_to_date)?,
        })
    }
}

impl ItemQuery {
    /// The store's filter for a viewer with this clearance.
    pub(crate) fn filter(&self, clearance: &armtrace_core::Clearance) -> ItemFilter {
        ItemFilter {
            category: self.category,
            model: self.model.clone(),
            manufacturer: self.manufacturer.clone(),
            country_of_manufacture: self.country_of_manufacture,
            recovered_country: self.recovered_country,
            confidentiality: self.confidentiality,
            recovered_from_date: self.recovered_from_date,
            recovered_to_date: self.recovered_to_date,
            clearance: clearance.clone(),
        }
    }
}

/// Parses a whole-number parameter with a default and a maximum, naming it when bad.
pub fn parse_count(name: &str, value: &Option<String>, default: u64, max: u64) -> AppResult<u64> {
    match value.as_deref().map(str::trim) {
        None => Ok(default),
        Some("") => Err(AppError::bad_parameter(
            name,
            "",
            format!("empty: give a whole number, or leave it out for {default}"),
        )),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            Ok(_) => Err(AppError::bad_parameter(
                name,
                s,
                format!("at most {max} is allowed"),
            )),
            Err(_) => Err(AppError::bad_parameter(name, s, "not a whole number ≥ 0")),
        },
    }
}

//! The item filter flags shared by `items list`, `export items`, `link` and `diversion`:
//! read as text and parsed by the application, so a bad value gets the message the API
//! gives for it.

use armtrace_app::{AppError, ItemParams, ItemQuery};
use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this category (weapon, ammunition, ied_component, chemical_precursor, other).
    #[arg(long)]
    category: Option<String>,
    /// Model contains this text (case-insensitive).
    #[arg(long)]
    model: Option<String>,
    /// Manufacturer contains this text (case-insensitive).
    #[arg(long)]
    manufacturer: Option<String>,
    /// Country of manufacture (code or name).
    #[arg(long)]
    country: Option<String>,
    /// Country of recovery (code or name).
    #[arg(long)]
    recovered_country: Option<String>,
    /// Only this confidentiality level (public, restricted, confidential).
    #[arg(long)]
    confidentiality: Option<String>,
    /// Recovered on or after (YYYY, YYYY-MM or YYYY-MM-DD); a partial recovery date counts
    /// only when all of it is in range.
    #[arg(long)]
    recovered_after: Option<String>,
    /// Recovered on or before (YYYY, YYYY-MM or YYYY-MM-DD); same rule.
    #[arg(long)]
    recovered_before: Option<String>,
}

impl FilterArgs {
    /// The filters as the application reads them; a bad value names its flag.
    pub fn parse(&self) -> anyhow::Result<ItemQuery> {
        let params = ItemParams {
            category: self.category.clone(),
            model: self.model.clone(),
            manufacturer: self.manufacturer.clone(),
            country_of_manufacture: self.country.clone(),
            recovered_country: self.recovered_country.clone(),
            confidentiality: self.confidentiality.clone(),
            recovered_from_date: self.recovered_after.clone(),
            recovered_to_date: self.recovered_before.clone(),
        };
        params.parse().map_err(|e| match e {
            AppError::BadParameter {
                name,
                value,
                reason,
            } => anyhow::anyhow!("--{} {value:?}: {reason}", flag(&name)),
            other => other.into(),
        })
    }
}

/// The flag of an item filter parameter.
fn flag(parameter: &str) -> String {
    match parameter {
        "country_of_manufacture" => "country".to_owned(),
        "recovered_from_date" => "recovered-after".to_owned(),
        "recovered_to_date" => "recovered-before".to_owned(),
        other => other.replace('_', "-"),
    }
}

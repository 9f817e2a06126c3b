//! `armtrace search QUERY`: find the items whose serial could be the one read, ranked.

use std::process::ExitCode;

use armtrace_app::SearchParams;
use clap::Args;

use super::{cell, print_json};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The serial as read; `?` stands for one unreadable character, `*` for any run
    /// (e.g. "AB12??78", "*4567*"). Misread look-alikes (O/0, I/1, S/5, B/8, Z/2) match.
    query: String,
    /// Edits tolerated (insertions, deletions, substitutions, adjacent swaps; at most 3).
    /// Default: 0 for up to 4 characters, 1 for 5–8, 2 for 9 or more; 0 with wildcards.
    #[arg(long)]
    max_edits: Option<String>,
    /// At most this many matches (0 = all).
    #[arg(long, default_value = "20")]
    limit: String,
    /// Rank items of this model first (does not exclude others: models are often misidentified).
    #[arg(long)]
    model: Option<String>,
    /// Rank items of this manufacturer first (does not exclude others).
    #[arg(long)]
    manufacturer: Option<String>,
    /// Only this category.
    #[arg(long)]
    category: Option<String>,
    /// Only items made in this country (code or name).
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let request = SearchParams {
        q: args.query.clone(),
        max_edits: args.max_edits.clone(),
        limit: Some(args.limit.clone()),
        model: args.model.clone(),
        manufacturer: args.manufacturer.clone(),
        category: args.category.clone(),
        country: args.country.clone(),
    }
    .parse()?;
    let register = super::open(db).await?;
    let result = super::view(&register).search(&request).await?;
    register.close().await;
    if args.json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} match{} for {:?} (normalised {}, up to {} edit{})",
        result.total,
        if result.total == 1 { "" } else { "es" },
        result.query,
        result.normalised,
        result.max_edits,
        if result.max_edits == 1 { "" } else { "s" }
    );
    for m in &result.matches {
        println!(
            "{:<16} {:<18} {:<16} {:<11} {:<12} {}",
            cell(Some(&m.facts.reference), 16),
            cell(Some(&m.facts.serial_number), 18),
            cell(m.facts.model.as_deref(), 16),
            m.facts
                .recovered_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            cell(m.facts.recovered_place.as_deref(), 12),
            m.why
        );
    }
    if result.matches.len() < result.total {
        println!(
            "(first {} shown; --limit 0 lists all)",
            result.matches.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

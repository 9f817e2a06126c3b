//! `armtrace search QUERY`: find the items whose serial could be the one read, ranked.

use std::process::ExitCode;

use anyhow::Context;
use armtrace_core::search::{RankFilters, SerialQuery};
use armtrace_core::{Category, CountryCode};
use armtrace_store::search::{SearchRequest, build_index};
use clap::Args;

use super::filter::{parse_category, parse_country};
use super::{cell, print_json};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The serial as read; `?` stands for one unreadable character, `*` for any run
    /// (e.g. "AB12??78", "*4567*"). Misread look-alikes (O/0, I/1, S/5, B/8, Z/2) match.
    query: String,
    /// Edits tolerated (insertions, deletions, substitutions, adjacent swaps; at most 3).
    /// Default: 0 for up to 4 characters, 1 for 5–8, 2 for 9 or more; 0 with wildcards.
    #[arg(long)]
    max_edits: Option<u8>,
    /// At most this many matches (0 = all).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Rank items of this model first (does not exclude others: models are often misidentified).
    #[arg(long)]
    model: Option<String>,
    /// Rank items of this manufacturer first (does not exclude others).
    #[arg(long)]
    manufacturer: Option<String>,
    /// Only this category.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Only items made in this country (code or name).
    #[arg(long, value_parser = parse_country)]
    country: Option<CountryCode>,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let query =
        SerialQuery::parse(&args.query, args.max_edits).context("cannot search for that")?;
    let store = super::open(db).await?;
    let index = build_index(&store).await?;
    let filters = RankFilters {
        model: args.model.as_deref(),
        manufacturer: args.manufacturer.as_deref(),
    };
    let result = store
        .search(
            &index,
            &SearchRequest {
                query: &query,
                filters: &filters,
                category: args.category,
                country: args.country,
                limit: args.limit,
                clearance: None,
            },
        )
        .await?;
    store.close().await;
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

//! `armtrace search QUERY`: find the items whose serial could be the one read, ranked.

use std::process::ExitCode;

use anyhow::Context;
use armtrace_core::search::{RankFilters, SerialIndex, SerialQuery, rank};
use armtrace_core::serial::normalise;
use armtrace_core::{Category, CountryCode};
use armtrace_store::Store;
use armtrace_store::search::SearchFacts;
use clap::Args;
use serde::Serialize;

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

/// One match in the contract's JSON shape.
#[derive(Debug, Serialize)]
pub struct SearchMatch {
    #[serde(flatten)]
    pub facts: SearchFacts,
    pub distance: u8,
    /// The serial is recorded exactly as typed.
    pub as_written: bool,
    /// 0–4: how well model and manufacturer fit the ranking filters.
    pub filter_fit: u8,
    /// Why it matched, in words.
    pub why: String,
}

/// The whole answer: `{"query","normalised","max_edits","total","matches":[…]}`.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub normalised: String,
    pub max_edits: u8,
    /// Matches before the limit.
    pub total: usize,
    pub matches: Vec<SearchMatch>,
}

fn why(query: &SerialQuery, m: &SearchMatch) -> String {
    if m.as_written {
        "serial exactly as written".to_owned()
    } else if m.distance == 0 && query.has_wildcards() {
        format!("serial fits the pattern {}", query.normalised())
    } else if m.distance == 0 {
        format!(
            "same serial once look-alike characters are folded: {:?} and {:?} both read {}",
            query.raw(),
            m.facts.serial_number,
            query.normalised()
        )
    } else {
        format!(
            "{} edit{} from the query ({} vs {})",
            m.distance,
            if m.distance == 1 { "" } else { "s" },
            normalise(&m.facts.serial_number),
            query.normalised()
        )
    }
}

/// Builds the index from the register (ids as `u32`).
pub async fn build_index(store: &Store) -> anyhow::Result<SerialIndex> {
    let serials = store.item_serials().await?;
    let entries = serials.into_iter().map(|(id, serial)| {
        (
            u32::try_from(id).expect("item ids fit in 32 bits"),
            normalise(&serial),
        )
    });
    Ok(SerialIndex::build(entries))
}

/// Runs a search against an index and the register.
pub async fn search(
    store: &Store,
    index: &SerialIndex,
    query: &SerialQuery,
    filters: &RankFilters<'_>,
    category: Option<Category>,
    country: Option<CountryCode>,
    limit: usize,
) -> anyhow::Result<SearchResult> {
    let found = index.search(query);
    let ids: Vec<i64> = found.iter().map(|m| i64::from(m.id)).collect();
    let facts = store.search_facts(&ids).await?;
    let keep = |f: &SearchFacts| {
        category.is_none_or(|c| f.category == c)
            && country.is_none_or(|c| f.country_of_manufacture == Some(c))
    };
    let ranked = rank(query, &found, filters, |id| {
        facts
            .get(&i64::from(id))
            .filter(|f| keep(f))
            .map(|f| armtrace_core::search::ItemFacts {
                serial: &f.serial_number,
                model: f.model.as_deref(),
                manufacturer: f.manufacturer.as_deref(),
            })
    });
    let total = ranked.len();
    let take = if limit == 0 { total } else { limit.min(total) };
    let matches = ranked[..take]
        .iter()
        .map(|r| {
            let mut m = SearchMatch {
                facts: facts[&i64::from(r.id)].clone(),
                distance: r.distance,
                as_written: r.as_written,
                filter_fit: r.filter_fit,
                why: String::new(),
            };
            m.why = why(query, &m);
            m
        })
        .collect();
    Ok(SearchResult {
        query: query.raw().to_owned(),
        normalised: query.normalised().to_owned(),
        max_edits: query.max_edits(),
        total,
        matches,
    })
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
    let result = search(
        &store,
        &index,
        &query,
        &filters,
        args.category,
        args.country,
        args.limit,
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

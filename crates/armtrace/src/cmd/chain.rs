//! `armtrace link`, `armtrace diversion`, `armtrace custody REF`: the supply chain.

use std::process::ExitCode;

use armtrace_app::render::custody_account;
use armtrace_core::link::{self, DEFAULT_GAP};
use clap::Args;

use super::filter::FilterArgs;
use super::{cell, print_json};

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// Largest difference between consecutive serial numbers of one run.
    #[arg(long, default_value_t = DEFAULT_GAP)]
    gap: u64,
    #[command(flatten)]
    filter: FilterArgs,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct DiversionArgs {
    #[command(flatten)]
    filter: FilterArgs,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct CustodyArgs {
    /// The item's reference.
    reference: String,
    #[arg(long)]
    json: bool,
}

fn places(spread: &link::Spread) -> String {
    let names: Vec<String> = spread
        .sites
        .iter()
        .map(|s| {
            let place = s.place.clone().unwrap_or_default();
            match s.country {
                Some(c) if place.is_empty() => c.to_string(),
                Some(c) => format!("{place} ({c})"),
                None => place,
            }
        })
        .collect();
    names.join(", ")
}

fn span(spread: &link::Spread) -> String {
    match (spread.first_recovered, spread.last_recovered) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    }
}

pub async fn link(db: &str, args: LinkArgs) -> anyhow::Result<ExitCode> {
    let query = args.filter.parse()?;
    let register = super::open(db).await?;
    let view = super::view(&register);
    let links = view.links(&query, args.gap).await?;
    let items = view.count_items(&query).await?;
    register.close().await;
    if args.json {
        print_json(&links)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} serial runs (gap ≤ {}) and {} lot clusters among {} items",
        links.runs.len(),
        args.gap,
        links.lots.len(),
        items
    );
    for run in links.runs.iter().take(20) {
        println!(
            "run  {:>4} × {} / {}: {}–{}; recovered at {}; {}",
            run.count,
            run.model.as_deref().unwrap_or("?"),
            run.manufacturer.as_deref().unwrap_or("?"),
            run.first_serial,
            run.last_serial,
            places(&run.spread),
            span(&run.spread)
        );
    }
    for lot in links.lots.iter().take(20) {
        println!(
            "lot  {:>4} × {} {} lot {}{}: recovered at {}; {}",
            lot.count,
            lot.manufacturer.as_deref().unwrap_or("?"),
            lot.calibre.as_deref().unwrap_or(""),
            lot.lot,
            lot.year.map(|y| format!(" ({y})")).unwrap_or_default(),
            places(&lot.spread),
            span(&lot.spread)
        );
    }
    if links.runs.len() > 20 || links.lots.len() > 20 {
        println!("(the largest 20 of each are shown; --json prints all)");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn diversion(db: &str, args: DiversionArgs) -> anyhow::Result<ExitCode> {
    let query = args.filter.parse()?;
    let register = super::open(db).await?;
    let report = super::view(&register).diversions(&query).await?;
    register.close().await;
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:<16} {:<34} {:<11} {:<11} {:>6} {:>5}",
        "REF", "TRANSFER", "END USER", "DELIVERED", "RECOVERED", "DAYS", "HOPS"
    );
    let mut sorted: Vec<_> = report.items.iter().collect();
    sorted.sort_by_key(|d| (d.days, d.reference.clone()));
    for d in &sorted {
        println!(
            "{:<16} {:<16} {:<34} {:<11} {:<11} {:>6} {:>5}",
            cell(Some(&d.reference), 16),
            cell(Some(&d.transfer_ref), 16),
            cell(d.end_user.as_deref(), 34),
            d.delivered_on,
            d.recovered_on,
            d.days,
            d.chain_length
        );
    }
    println!(
        "{} items with a documented diversion (fastest first)",
        sorted.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn custody(db: &str, args: CustodyArgs) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let chain = super::view(&register).custody(&args.reference).await?;
    register.close().await;
    if args.json {
        print_json(&chain)?;
    } else {
        print!("{}", custody_account::render_text(&chain));
    }
    Ok(ExitCode::SUCCESS)
}

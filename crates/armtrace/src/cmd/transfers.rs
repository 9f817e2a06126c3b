//! `armtrace transfers list|stats|candidates`: documented transfers as a listing, as
//! statistics (SIPRI's figures from its raw register), and as supply-line hypotheses for
//! one recovered item.
//!
//! Every listing shows where a transfer is known from (`source`) and how sure it is
//! (`confidence`), so register-level knowledge and item-level evidence are never
//! confused. The figures and rankings come from `armtrace_core::analytics::transfer_stats`
//! and `armtrace_core::candidates`; this module loads transfers and prints.

use std::process::ExitCode;

use armtrace_core::analytics::{TransferField, TransferStats, TransferStatsQuery};
use armtrace_core::candidates::{Candidate, RankGroup};
use armtrace_core::{CountryCode, Transfer, TransferSource};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{cell, print_json};

#[derive(Subcommand, Debug)]
pub enum TransfersCommand {
    /// List documented transfers (by delivery date), with their source and confidence.
    ///
    /// `--json` prints `{"transfers":[{…every transfer field…}]}`.
    List(ListArgs),
    /// Group deliveries by one to three fields, weighed in trend-indicator values (TIV) or
    /// numbers delivered, with each group's share: SIPRI's published figures from its raw
    /// register.
    ///
    /// A transfer counts in its delivery years; one with several years (the classic SIPRI
    /// export) has its TIV and quantity split evenly over them. Transfers never delivered
    /// are left out. `--json` prints
    /// `{"weight":"tiv","from":2020,"to":2024,"total":…,"count":N,"groups":[{"key":{"FIELD":value},"count":N,"weight":…,"share":…}]}`
    /// (groups by weight, largest first; countries as codes, `null` for none).
    Stats(StatsArgs),
    /// Supply-line hypotheses for a recovered item: the documented transfers of its model
    /// delivered on or before its recovery, to the recovery country first, then its land
    /// neighbours, then elsewhere; then exact designations before designator, name and
    /// variant matches, nearer deliveries and higher confidence first. Each says why.
    ///
    /// `--json` prints `{"item":{"ref","model","recovered_on","recovered_country","recovered_place"},
    /// "candidates":[{"transfer_ref","supplier","supplier_country","recipient","recipient_country",
    /// "designation","delivered","quantity","tiv","source","confidence","rank_group","reasons":[…]}]}`
    /// with `rank_group` one of recovery_country, neighbour, elsewhere.
    Candidates(CandidatesArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only transfers from this source: investigator, trace_response, licence or sipri.
    #[arg(long)]
    source: Option<TransferSource>,
    /// At most this many transfers (0 = all).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Group by this field (repeat for a cross-tab, at most 3): supplier_country,
    /// recipient_country, supplier, recipient, armament_category, designation, status,
    /// source, confidence, year (of delivery).
    #[arg(long, value_name = "FIELD", required = true)]
    by: Vec<String>,
    /// tiv (sum of TIV delivered) or quantity (sum of numbers delivered). Default: tiv
    /// when any selected transfer has a TIV, else quantity.
    #[arg(long, value_name = "tiv|quantity")]
    weight: Option<String>,
    /// First delivery year counted.
    #[arg(long, value_name = "YEAR")]
    from: Option<i64>,
    /// Last delivery year counted.
    #[arg(long, value_name = "YEAR")]
    to: Option<i64>,
    /// Print the contract JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct CandidatesArgs {
    /// The recovered item's reference.
    reference: String,
    /// At most this many candidates (0 = all).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print the contract JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, command: TransfersCommand) -> anyhow::Result<ExitCode> {
    match command {
        TransfersCommand::List(args) => list(db, args).await,
        TransfersCommand::Stats(args) => stats(db, args).await,
        TransfersCommand::Candidates(args) => candidates(db, args).await,
    }
}

/// `Iraq (IQ)` for a state, the name as written otherwise.
fn party(name: Option<&str>, code: Option<CountryCode>) -> String {
    match (name, code) {
        (Some(n), Some(c)) => format!("{n} ({c})"),
        (Some(n), None) => n.to_owned(),
        (None, Some(c)) => format!("{} ({c})", c.name()),
        (None, None) => "?".to_owned(),
    }
}

/// `sipri/low`: where a transfer is known from and how sure it is.
fn provenance(source: TransferSource, confidence: armtrace_core::Confidence) -> String {
    format!("{source}/{confidence}")
}

async fn list(db: &str, args: ListArgs) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let view = super::view(&register);
    let page = view
        .transfers(None, args.source, 0, args.limit as u64)
        .await?;
    register.close().await;
    let total = page.total;
    let transfers = page.transfers;
    let sipri = transfers.iter().any(|t| t.source == TransferSource::Sipri);
    if args.json {
        print_json(&json!({ "transfers": transfers }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<22} {:<26} {:<26} {:<22} {:>7} {:<10} {:<20}",
        "REF", "SUPPLIER", "RECIPIENT", "MODEL", "QTY", "DELIVERED", "SOURCE/CONFIDENCE"
    );
    for t in &transfers {
        println!(
            "{:<22} {:<26} {:<26} {:<22} {:>7} {:<10} {:<20}",
            cell(Some(&t.transfer_ref), 22),
            cell(Some(&party(t.supplier.as_deref(), t.supplier_country)), 26),
            cell(
                Some(&party(t.recipient.as_deref(), t.recipient_country)),
                26
            ),
            cell(t.model.as_deref(), 22),
            t.quantity.map(|q| q.to_string()).unwrap_or_default(),
            delivered(t),
            provenance(t.source, t.confidence)
        );
    }
    println!(
        "{} of {total} transfer{}",
        transfers.len(),
        if total == 1 { "" } else { "s" }
    );
    cite_sipri(sipri);
    Ok(ExitCode::SUCCESS)
}

/// `2012`, or `1979–1990` for several delivery years.
fn delivered(t: &Transfer) -> String {
    let years = t.years_delivered();
    match (t.delivered_on, years.first(), years.last()) {
        (_, Some(a), Some(b)) if years.len() > 1 => format!("{a}–{b}"),
        (Some(d), _, _) => d.to_string(),
        _ => String::new(),
    }
}

/// SIPRI asks to be cited wherever its figures are shown.
fn cite_sipri(any_from_sipri: bool) {
    if any_from_sipri {
        println!(
            "SIPRI figures: SIPRI Arms Transfers Database, https://www.sipri.org/databases/armstransfers (TIV: trend-indicator values, a volume measure, not money)"
        );
    }
}

async fn stats(db: &str, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let query = TransferStatsQuery::parse(&args.by, args.weight.as_deref(), args.from, args.to)?;
    let register = super::open(db).await?;
    let view = super::view(&register);
    let result = view.transfer_stats(&query).await?;
    let sipri = view.has_sipri_transfers().await?;
    register.close().await;
    if args.json {
        print_json(&result)?;
    } else {
        print_stats(&query, &result);
        cite_sipri(sipri);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stats(query: &TransferStatsQuery, result: &TransferStats) {
    let label = |f: TransferField, g: &armtrace_core::analytics::TransferGroup| {
        f.label(g.key.get(f.name()).unwrap_or(&serde_json::Value::Null))
    };
    let widths: Vec<usize> = query
        .by
        .iter()
        .map(|f| {
            result
                .groups
                .iter()
                .map(|g| label(*f, g).chars().count())
                .chain([f.name().len()])
                .max()
                .unwrap_or(8)
                .min(40)
        })
        .collect();
    let mut header = String::new();
    for (f, w) in query.by.iter().zip(&widths) {
        header.push_str(&format!("{:<w$}  ", f.name().to_uppercase()));
    }
    let unit = result.weight.name().to_uppercase();
    println!("{header}{unit:>14} {:>9} {:>7}", "TRANSFERS", "SHARE");
    for g in &result.groups {
        let mut line = String::new();
        for (f, w) in query.by.iter().zip(&widths) {
            line.push_str(&format!("{:<w$}  ", cell(Some(&label(*f, g)), *w)));
        }
        println!(
            "{line}{:>14.1} {:>9} {:>6.1}%",
            g.weight,
            g.count,
            g.share * 100.0
        );
    }
    let years = match (result.from, result.to) {
        (Some(a), Some(b)) => format!(", delivered {a}–{b}"),
        (Some(a), None) => format!(", delivered from {a}"),
        (None, Some(b)) => format!(", delivered up to {b}"),
        (None, None) => String::new(),
    };
    println!(
        "{} groups; total {:.1} {} over {} transfers{years}",
        result.groups.len(),
        result.total,
        result.weight.name(),
        result.count
    );
}

async fn candidates(db: &str, args: CandidatesArgs) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let view = super::view(&register);
    let mut found = view.supply_candidates(&args.reference).await?;
    let sipri = view.has_sipri_transfers().await?;
    register.close().await;
    let total = found.candidates.len();
    if args.limit > 0 {
        found.candidates.truncate(args.limit);
    }
    if args.json {
        print_json(&found)?;
        return Ok(ExitCode::SUCCESS);
    }
    let i = &found.item;
    let mut about = format!("{}: {}", i.reference, i.model);
    match (i.recovered_on, i.recovered_country) {
        (Some(d), Some(c)) => about.push_str(&format!(", recovered {d} in {} ({c})", c.name())),
        (Some(d), None) => about.push_str(&format!(", recovered {d}")),
        (None, Some(c)) => about.push_str(&format!(", recovered in {} ({c})", c.name())),
        (None, None) => {}
    }
    println!("{about}");
    if total == 0 {
        println!(
            "No documented transfer of this model was delivered before the recovery. Import the SIPRI register (`armtrace import transfers FILE --format sipri`) or licences to find supply lines."
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{total} candidate transfer{}{}:",
        if total == 1 { "" } else { "s" },
        if found.candidates.len() < total {
            format!(
                " (the first {} shown; --limit 0 for all)",
                found.candidates.len()
            )
        } else {
            String::new()
        }
    );
    for (n, c) in found.candidates.iter().enumerate() {
        print_candidate(n + 1, c);
    }
    cite_sipri(sipri);
    Ok(ExitCode::SUCCESS)
}

fn print_candidate(n: usize, c: &Candidate) {
    let group = match c.rank_group {
        RankGroup::RecoveryCountry => "recovery country",
        RankGroup::Neighbour => "neighbour",
        RankGroup::Elsewhere => "elsewhere",
    };
    let mut figures = Vec::new();
    if let Some(q) = c.quantity {
        figures.push(format!("{q} delivered"));
    }
    if let Some(tiv) = c.tiv {
        figures.push(format!("TIV {tiv}"));
    }
    println!(
        "{n:>3}. [{group}] {} {} → {}: {} {}{} ({})",
        c.transfer_ref,
        party(c.supplier.as_deref(), c.supplier_country),
        party(c.recipient.as_deref(), c.recipient_country),
        c.designation.as_deref().unwrap_or("?"),
        c.delivered.map(|d| d.to_string()).unwrap_or_default(),
        if figures.is_empty() {
            String::new()
        } else {
            format!(", {}", figures.join(", "))
        },
        provenance(c.source, c.confidence)
    );
    for reason in &c.reasons {
        println!("       - {reason}");
    }
}

//! `armtrace identify "MARKING"`: what a headstamp or a marking most likely means.

use std::process::ExitCode;

use armtrace_core::identify::identify;
use clap::Args;

use super::print_json;

#[derive(Args, Debug)]
pub struct IdentifyArgs {
    /// The marking as read, e.g. "539 82" or "Type 56".
    marking: String,
    #[arg(long)]
    json: bool,
}

/// The current year, for reading two-digit headstamp years.
pub fn this_year() -> i16 {
    jiff::Zoned::now().year()
}

pub fn run(args: IdentifyArgs) -> anyhow::Result<ExitCode> {
    let readings = identify(&args.marking, this_year());
    if args.json {
        print_json(&serde_json::json!({ "marking": args.marking, "identifications": readings }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if readings.is_empty() {
        println!(
            "nothing in {:?} matches the headstamp or model tables (data/headstamps.csv, data/models.csv)",
            args.marking
        );
        return Ok(ExitCode::SUCCESS);
    }
    for r in &readings {
        println!(
            "{:>3.0}%  {} {:?}: {}{}{}{}",
            r.confidence * 100.0,
            match r.kind {
                armtrace_core::identify::Kind::Headstamp => "headstamp",
                armtrace_core::identify::Kind::Model => "model",
            },
            r.matched,
            r.manufacturer.as_deref().unwrap_or("unknown maker"),
            r.country
                .map(|c| format!(", {}", c.name()))
                .unwrap_or_default(),
            r.year.map(|y| format!(", made {y}")).unwrap_or_default(),
            r.calibre
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
        );
        for reason in &r.reasons {
            println!("       - {reason}");
        }
        println!("       source: {}", r.source);
    }
    Ok(ExitCode::SUCCESS)
}

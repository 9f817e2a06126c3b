//! `armtrace demo`: build the synthetic demo investigation, or write it as CSV files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use armtrace_app::Register;
use armtrace_app::types::redact_password;
use clap::Args;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many items to generate.
    #[arg(long, default_value_t = 5000)]
    pub items: u64,
    /// Seed: the same seed and size always give the same register.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write items.csv and transfers.csv into this folder instead of importing them.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

pub async fn run(db: &str, args: DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.out_dir {
        armtrace_app::write_demo_files(dir, args.items, args.seed)
            .with_context(|| format!("cannot write the demo files into {}", dir.display()))?;
        println!(
            "wrote {} synthetic items and their transfers to {}",
            args.items,
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let register = super::open(db).await?;
    build(&register, db, args.items, args.seed).await?;
    tour(&register, db).await?;
    register.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Builds (or brings up to date) the demo register without the tour.
pub async fn build(register: &Register, db: &str, count: u64, seed: u64) -> anyhow::Result<()> {
    let report = super::desk(register).build_demo(count, seed).await?;
    let db = redact_password(db);
    println!(
        "demo register {db}: {} synthetic items ({} new), {} transfers ({} new). All records are SYNTHETIC.",
        report.counts.items,
        report.items.inserted,
        report.counts.transfers,
        report.transfers.inserted
    );
    Ok(())
}

/// A short guided look at what the register shows, printed after the demo is built.
async fn tour(register: &Register, db: &str) -> anyhow::Result<()> {
    use armtrace_app::ItemQuery;
    use armtrace_app::render::custody_account;
    use armtrace_core::link;

    let view = super::view(register);
    let all = ItemQuery::default();
    let links = view.links(&all, link::DEFAULT_GAP).await?;
    let mut diversions = view.diversions(&all).await?.items;
    diversions.sort_by_key(|d| (d.days, d.reference.clone()));
    println!();
    println!(
        "Linking: {} serial runs (items of one shipment, consecutive serials) and {} shared lots.",
        links.runs.len(),
        links.lots.len()
    );
    if let Some(run) = links.runs.first() {
        println!(
            "  largest run: {} × {}, serials {}–{}, recovered at {} sites",
            run.count,
            run.model.as_deref().unwrap_or("?"),
            run.first_serial,
            run.last_serial,
            run.spread.sites.len()
        );
    }
    println!(
        "Diversion: {} items trace to a documented delivery; the fastest went from delivery to recovery in {} days.",
        diversions.len(),
        diversions.first().map_or(0, |d| d.days)
    );
    // The account shown is the quickest diverted anti-tank missile (the public-findings
    // case), or the quickest diversion of all when the register has none.
    let konkurs = ItemQuery {
        model: Some("9M113".to_owned()),
        ..ItemQuery::default()
    };
    let missiles: std::collections::HashSet<String> = view
        .items(&konkurs, 0, None)
        .await?
        .items
        .into_iter()
        .map(|r| r.item.reference)
        .collect();
    let shown = diversions.iter().find(|d| missiles.contains(&d.reference));
    if let Some(fastest) = shown.or(diversions.first()) {
        let chain = view.custody(&fastest.reference).await?;
        println!();
        print!("{}", custody_account::render_text(&chain));
        println!();
        println!("Next:");
        let db = redact_password(db);
        println!("  armtrace --db {db} items list --model konkurs");
        println!("  armtrace --db {db} custody {}", fastest.reference);
        println!("  armtrace --db {db} diversion | head");
        println!("  armtrace --db {db} link --json > links.json");
        println!("  armtrace identify \"539 82\"");
        println!("  armtrace --db {db} export items --format geojson --out items.geojson");
    }
    Ok(())
}

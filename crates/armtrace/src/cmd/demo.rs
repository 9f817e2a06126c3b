//! `armtrace demo`: build the synthetic demo investigation, or write it as CSV files.

use std::path::PathBuf;
use std::process::ExitCode;

use armtrace_core::{Item, Transfer};
use armtrace_store::demo_files::{write_items_csv, write_transfers_csv};
use clap::Args;

use super::import::{ImportArgs, import};

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
        std::fs::create_dir_all(dir)?;
        write_items_csv(&dir.join("items.csv"), args.items, args.seed)?;
        write_transfers_csv(&dir.join("transfers.csv"), args.items, args.seed)?;
        println!(
            "wrote {} synthetic items and their transfers to {}",
            args.items,
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    build(db, args.items, args.seed).await?;
    tour(db).await?;
    Ok(ExitCode::SUCCESS)
}

/// Builds (or brings up to date) the demo register without the tour.
pub async fn build(db: &str, count: u64, seed: u64) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let items_csv = tmp.path().join("demo-items.csv");
    let transfers_csv = tmp.path().join("demo-transfers.csv");
    write_items_csv(&items_csv, count, seed)?;
    write_transfers_csv(&transfers_csv, count, seed)?;
    let store = super::open(db).await?;
    let items = import::<Item>(&store, &ImportArgs::for_file(items_csv)).await?;
    let transfers = import::<Transfer>(&store, &ImportArgs::for_file(transfers_csv)).await?;
    let counts = store.counts().await?;
    store.close().await;
    anyhow::ensure!(
        items.rejected == 0 && transfers.rejected == 0,
        "the demo generator produced invalid rows: {:?}",
        items
            .errors
            .iter()
            .chain(&transfers.errors)
            .take(3)
            .collect::<Vec<_>>()
    );
    let db = armtrace_store::store::redact_password(db);
    println!(
        "demo register {db}: {} synthetic items ({} new), {} transfers ({} new). All records are SYNTHETIC.",
        counts.items, items.inserted, counts.transfers, transfers.inserted
    );
    Ok(())
}

/// A short guided look at what the register shows, printed after the demo is built.
async fn tour(db: &str) -> anyhow::Result<()> {
    use armtrace_core::custody::{self, TransferIndex};
    use armtrace_core::link::{self, LinkEntry};
    use armtrace_store::items::ItemFilter;

    let store = super::open(db).await?;
    let rows = store.link_rows(&ItemFilter::default()).await?;
    let transfers = store.transfers().await?;
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    let links = link::link(&entries, link::DEFAULT_GAP);
    let index = TransferIndex::new(&transfers);
    let mut diversions = custody::diversions(&entries, &index);
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
    let is_missile = |reference: &str| {
        rows.binary_search_by(|r| r.reference.as_str().cmp(reference))
            .is_ok_and(|i| {
                rows[i]
                    .model
                    .as_deref()
                    .is_some_and(|m| m.starts_with("9M113"))
            })
    };
    let shown = diversions
        .iter()
        .find(|d| is_missile(&d.reference))
        .or(diversions.first());
    if let Some(fastest) = shown {
        let item = store.item(&fastest.reference).await?.item;
        println!();
        print!(
            "{}",
            custody::render_text(&custody::custody_chain(&item, &index))
        );
        println!();
        println!("Next:");
        let db = armtrace_store::store::redact_password(db);
        println!("  armtrace --db {db} items list --model konkurs");
        println!("  armtrace --db {db} custody {}", fastest.reference);
        println!("  armtrace --db {db} diversion | head");
        println!("  armtrace --db {db} link --json > links.json");
        println!("  armtrace identify \"539 82\"");
        println!("  armtrace --db {db} export items --format geojson --out items.geojson");
    }
    store.close().await;
    Ok(())
}

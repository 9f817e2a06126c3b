//! `armtrace-bench chain`: the time of `armtrace link` and `armtrace diversion` on a demo
//! register, loading the link projections and the transfers included.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use armtrace_core::custody::{self, TransferIndex};
use armtrace_core::link::{self, LinkEntry};
use armtrace_core::{Item, Transfer};
use armtrace_store::Store;
use armtrace_store::demo_files::{write_items_csv, write_transfers_csv};
use armtrace_store::import::{Format, ImportOptions};
use armtrace_store::items::ItemFilter;
use clap::Args;

#[derive(Args, Debug)]
pub struct ChainBenchArgs {
    /// Demo items in the register.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    /// Seed of the demo generator: the same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(args: ChainBenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let db = tmp.path().join("chain.db");
    let items_csv = tmp.path().join("items.csv");
    let transfers_csv = tmp.path().join("transfers.csv");
    write_items_csv(&items_csv, args.items, args.seed)?;
    write_transfers_csv(&transfers_csv, args.items, args.seed)?;
    let store = Store::open(db.to_str().context("temp path is UTF-8")?).await?;
    store
        .import_file::<Item>(
            &items_csv,
            &ImportOptions::new(Format::Csv, "bench"),
            &|_| {},
        )
        .await?;
    store
        .import_file::<Transfer>(
            &transfers_csv,
            &ImportOptions::new(Format::Csv, "bench"),
            &|_| {},
        )
        .await?;

    let t = Instant::now();
    let rows = store.link_rows(&ItemFilter::everything()).await?;
    let load = t.elapsed();
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    let t = Instant::now();
    let links = link::link(&entries, link::DEFAULT_GAP);
    let linking = t.elapsed();
    let t = Instant::now();
    let transfers = store.transfers().await?;
    let index = TransferIndex::new(transfers.as_slice());
    let diversions = custody::diversions(&entries, &index);
    let diverting = t.elapsed();
    store.close().await;
    println!("{} demo items, {} transfers", args.items, transfers.len());
    println!(
        "load link projections from the register   {:>8.3} s",
        load.as_secs_f64()
    );
    println!(
        "link: {} runs, {} lots                     {:>8.3} s",
        links.runs.len(),
        links.lots.len(),
        linking.as_secs_f64()
    );
    println!(
        "diversion: {} items (transfers loaded)     {:>8.3} s",
        diversions.len(),
        diverting.as_secs_f64()
    );
    println!(
        "link + diversion end to end                 {:>8.3} s",
        (load + linking + diverting).as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

//! `armtrace bench …`: benchmarks that print numbers next to a baseline measured in the
//! same run. Run them from a release build (`cargo run --release -- bench import`).

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use armtrace_core::Item;
use armtrace_store::Store;
use armtrace_store::import::{Format, ImportOptions};
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Item import throughput against the sqlite3 shell's `.import` of the same CSV.
    Import(ImportBenchArgs),
    /// Serial search latency: the index, a brute-force scan and SQLite, same data.
    Search(super::bench_search::SearchBenchArgs),
    /// Time of `link` and `diversion` on a demo register, loading included.
    Chain(ChainBenchArgs),
    /// Group-by latency: the in-memory columns against SQLite's GROUP BY, same data.
    Stats(super::bench_stats::StatsBenchArgs),
    /// Import time of a SIPRI export (the 25k-row trade register) into a fresh register,
    /// against parsing alone and importing the same transfers as canonical CSV.
    Sipri(super::bench_sipri::SipriBenchArgs),
    /// Import throughput into PostgreSQL against PostgreSQL's own COPY of the same CSV.
    Postgres(super::bench_postgres::PostgresBenchArgs),
}

#[derive(Args, Debug)]
pub struct ChainBenchArgs {
    /// Demo items in the register.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args, Debug)]
pub struct ImportBenchArgs {
    /// Demo items in the CSV.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs of each contender (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Path of the sqlite3 shell.
    #[arg(long, default_value = "sqlite3")]
    sqlite3: String,
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; benchmark a release build (cargo run --release -- bench …)"
        );
    }
    match command {
        BenchCommand::Import(args) => import(args).await,
        BenchCommand::Search(args) => {
            super::bench_search::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Chain(args) => chain(args).await,
        BenchCommand::Stats(args) => super::bench_stats::run(args).await,
        BenchCommand::Sipri(args) => super::bench_sipri::run(args).await,
        BenchCommand::Postgres(args) => super::bench_postgres::run(args).await,
    }
}

async fn chain(args: ChainBenchArgs) -> anyhow::Result<ExitCode> {
    use armtrace_core::Transfer;
    use armtrace_core::custody::{self, TransferIndex};
    use armtrace_core::link::{self, LinkEntry};
    use armtrace_store::items::ItemFilter;

    let tmp = tempfile::tempdir()?;
    let db = tmp.path().join("chain.db");
    let items_csv = tmp.path().join("items.csv");
    let transfers_csv = tmp.path().join("transfers.csv");
    super::demo::write_items_csv(&items_csv, args.items, args.seed)?;
    super::demo::write_transfers_csv(&transfers_csv, args.items, args.seed)?;
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

async fn import(args: ImportBenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let csv = tmp.path().join("items.csv");
    let t = Instant::now();
    super::demo::write_items_csv(&csv, args.items, args.seed)?;
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "generated {} demo items ({:.1} MB CSV) in {:.2} s",
        args.items,
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let mut ours = Vec::new();
    let mut again = Vec::new();
    let mut shell = Vec::new();
    for run in 0..args.runs {
        // armtrace: validate, normalise, hash and insert into a fresh register.
        let db = tmp.path().join(format!("armtrace-{run}.db"));
        let store = Store::open(db.to_str().context("temp path is UTF-8")?).await?;
        let options = ImportOptions::new(Format::Csv, "bench");
        let t = Instant::now();
        let report = store.import_file::<Item>(&csv, &options, &|_| {}).await?;
        ours.push(t.elapsed());
        anyhow::ensure!(
            report.inserted == args.items,
            "import inserted {} of {}",
            report.inserted,
            args.items
        );
        // Re-import: every row unchanged.
        let t = Instant::now();
        let report = store.import_file::<Item>(&csv, &options, &|_| {}).await?;
        again.push(t.elapsed());
        anyhow::ensure!(report.unchanged == args.items, "re-import changed rows");
        store.close().await;

        // sqlite3 shell: raw `.import` into a table of TEXT columns, no checks at all,
        // with the same page size, journal and sync settings as armtrace's register.
        let shell_db = tmp.path().join(format!("shell-{run}.db"));
        let script = format!(
            "PRAGMA page_size=16384;\nPRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n.mode csv\n.import '{}' items\n",
            csv.display()
        );
        let t = Instant::now();
        let status = Command::new(&args.sqlite3)
            .arg(&shell_db)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("piped")
                    .write_all(script.as_bytes())?;
                child.wait()
            });
        match status {
            Ok(s) if s.success() => shell.push(t.elapsed()),
            Ok(s) => anyhow::bail!("{} failed: {s}", args.sqlite3),
            Err(e) => {
                eprintln!(
                    "{} is not available ({e}); install the sqlite3 package for the baseline",
                    args.sqlite3
                );
            }
        }
    }
    let report = |name: &str, times: &mut Vec<Duration>| -> Option<f64> {
        if times.is_empty() {
            return None;
        }
        times.sort();
        let median = times[times.len() / 2].as_secs_f64();
        println!(
            "{name:<44} median {median:>7.3} s  {:>10.0} rows/s  (runs: {})",
            args.items as f64 / median,
            times
                .iter()
                .map(|d| format!("{:.3}", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Some(median)
    };
    let a = report("armtrace import (validate, normalise, insert)", &mut ours);
    report("armtrace re-import (all rows unchanged)", &mut again);
    let s = report("sqlite3 .import (raw text, no validation)", &mut shell);
    if let (Some(a), Some(s)) = (a, s) {
        println!("armtrace / sqlite3 .import time ratio: {:.2}x", a / s);
    }
    Ok(ExitCode::SUCCESS)
}

//! `armtrace-bench import`: item import throughput of a demo CSV into a fresh SQLite
//! register, and its re-import, next to the sqlite3 shell's `.import` of the same file
//! (raw text, no checks) with the register's page size, journal and sync settings.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use armtrace_core::Item;
use armtrace_store::Store;
use armtrace_store::demo_files::write_items_csv;
use armtrace_store::import::{Format, ImportOptions};
use clap::Args;

#[derive(Args, Debug)]
pub struct ImportBenchArgs {
    /// Demo items in the CSV.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    /// Seed of the demo generator: the same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs of each contender (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Path of the sqlite3 shell.
    #[arg(long, default_value = "sqlite3")]
    sqlite3: String,
}

pub async fn run(args: ImportBenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let csv = tmp.path().join("items.csv");
    let t = Instant::now();
    write_items_csv(&csv, args.items, args.seed)?;
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

//! `armtrace-bench sipri`: how long importing a SIPRI export takes, next to what it is
//! made of, all measured in the same run on the same transfers:
//!
//! * parsing alone (detect the layout, decode, turn lines into canonical fields and
//!   check them as transfers; no register);
//! * the SIPRI import into a fresh SQLite register (parse, hash, insert, commit);
//! * re-importing the same export (every row unchanged, nothing written);
//! * the baseline: the same transfers written as canonical CSV beforehand and imported
//!   into another fresh register (the import pipeline without the SIPRI reader).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use armtrace_core::{TRANSFER_FIELDS, Transfer, sipri};
use armtrace_store::Store;
use armtrace_store::import::{Format, ImportOptions};
use clap::Args;

#[derive(Args, Debug)]
pub struct SipriBenchArgs {
    /// The SIPRI export to import (default: the 2026 trade register in
    /// ../shared/data/sipri/, from the current directory or the source tree).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Timed runs of each contender (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

const DEFAULT_EXPORT: &str = "shared/data/sipri/trade-register-2026-02.csv";

fn default_file() -> anyhow::Result<PathBuf> {
    let candidates = [
        PathBuf::from("..").join(DEFAULT_EXPORT),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../..")
            .join(DEFAULT_EXPORT),
    ];
    for c in &candidates {
        if c.is_file() {
            return Ok(c.clone());
        }
    }
    bail!(
        "no SIPRI export found at {}: pass --file PATH",
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    )
}

pub async fn run(args: SipriBenchArgs) -> anyhow::Result<ExitCode> {
    let file = match args.file {
        Some(f) => f,
        None => default_file()?,
    };
    let runs = args.runs.max(1);
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;

    let mut parse = Vec::new();
    let mut rows = 0;
    let mut style = None;
    let mut transfers: Vec<Transfer> = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let export =
            sipri::parse_export(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let (parsed, errors) = export.transfers();
        parse.push(t.elapsed());
        ensure!(
            errors.is_empty(),
            "{} has {} problem lines, the first: {}",
            file.display(),
            errors.len(),
            errors[0]
        );
        rows = parsed.len() as u64;
        transfers = parsed.into_iter().map(|(_, t)| t).collect();
        style = Some(export.style);
    }

    if let Some(style) = style {
        println!(
            "{}: {style} export, {rows} transfers, {:.1} MB",
            file.display(),
            bytes.len() as f64 / 1e6
        );
    }

    let tmp = tempfile::tempdir()?;
    let canonical = tmp.path().join("transfers.csv");
    {
        let mut w = csv::Writer::from_path(&canonical)?;
        w.write_record(TRANSFER_FIELDS)?;
        for t in &transfers {
            w.write_record(t.to_strings())?;
        }
        w.flush()?;
    }

    let mut sipri_import = Vec::new();
    let mut reimport = Vec::new();
    let mut csv_import = Vec::new();
    for run in 0..runs {
        let db = tmp.path().join(format!("sipri-{run}.db"));
        let store = Store::open(db.to_str().context("temp path is UTF-8")?).await?;
        let options = ImportOptions::new(Format::Sipri, "bench");
        let t = Instant::now();
        let report = store
            .import_file::<Transfer>(&file, &options, &|_| {})
            .await?;
        sipri_import.push(t.elapsed());
        ensure!(
            report.inserted == rows,
            "the SIPRI import inserted {} of {rows}",
            report.inserted
        );
        let t = Instant::now();
        let report = store
            .import_file::<Transfer>(&file, &options, &|_| {})
            .await?;
        reimport.push(t.elapsed());
        ensure!(report.unchanged == rows, "the re-import changed rows");
        store.close().await;

        let db = tmp.path().join(format!("csv-{run}.db"));
        let store = Store::open(db.to_str().context("temp path is UTF-8")?).await?;
        let t = Instant::now();
        let report = store
            .import_file::<Transfer>(
                &canonical,
                &ImportOptions::new(Format::Csv, "bench"),
                &|_| {},
            )
            .await?;
        csv_import.push(t.elapsed());
        ensure!(
            report.inserted == rows,
            "the canonical CSV import inserted {} of {rows}",
            report.inserted
        );
        store.close().await;
    }

    let report = |name: &str, times: &mut Vec<Duration>| -> f64 {
        times.sort();
        let median = times[times.len() / 2].as_secs_f64();
        println!(
            "{name:<48} median {median:>7.3} s  {:>9.0} rows/s  (runs: {})",
            rows as f64 / median,
            times
                .iter()
                .map(|d| format!("{:.3}", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        median
    };
    report("parse alone (layout, decode, fields, checks)", &mut parse);
    let ours = report("SIPRI import into a fresh register", &mut sipri_import);
    report("SIPRI re-import (all rows unchanged)", &mut reimport);
    let base = report("baseline: same transfers as canonical CSV", &mut csv_import);
    println!(
        "SIPRI import / canonical CSV import time ratio: {:.2}x",
        ours / base
    );
    Ok(ExitCode::SUCCESS)
}

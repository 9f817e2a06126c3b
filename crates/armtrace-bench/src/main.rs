//! `armtrace-bench`: armtrace measured against baselines, each printed next to a
//! baseline timed in the same run on the same data (SQLite's shell and indexes,
//! PostgreSQL's `COPY`, a brute-force scan). No benchmark asserts a time.
//!
//! Run from a release build: `cargo run --release -p armtrace-bench -- search`. The
//! benchmarks call the core and the store directly; they are never shipped in the
//! `armtrace` binary, and their baselines' database drivers stay out of it.

mod chain;
mod import;
mod postgres;
mod search;
mod sipri;
mod stats;

/// mimalloc, as in the `armtrace` binary, so imports are measured with the allocator
/// they ship with (glibc's malloc frees slowly across the reader and writer threads).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Measure armtrace against baselines (use a release build).
#[derive(Parser, Debug)]
#[command(name = "armtrace-bench", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Benchmark,
}

#[derive(Subcommand, Debug)]
enum Benchmark {
    /// Item import throughput against the sqlite3 shell's `.import` of the same CSV.
    Import(import::ImportBenchArgs),
    /// Serial search latency: the index, a brute-force scan and SQLite, same data.
    Search(search::SearchBenchArgs),
    /// Time of `link` and `diversion` on a demo register, loading included.
    Chain(chain::ChainBenchArgs),
    /// Group-by latency: the in-memory columns against SQLite's GROUP BY, same data.
    Stats(stats::StatsBenchArgs),
    /// Import time of a SIPRI export (the 25k-row trade register) into a fresh register,
    /// against parsing alone and importing the same transfers as canonical CSV.
    Sipri(sipri::SipriBenchArgs),
    /// Import throughput into PostgreSQL against PostgreSQL's own COPY of the same CSV.
    Postgres(postgres::PostgresBenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; benchmark a release build (cargo run --release -p armtrace-bench -- …)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(benchmark: Benchmark) -> anyhow::Result<ExitCode> {
    match benchmark {
        Benchmark::Import(args) => import::run(args).await,
        Benchmark::Search(args) => {
            search::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
        Benchmark::Chain(args) => chain::run(args).await,
        Benchmark::Stats(args) => stats::run(args).await,
        Benchmark::Sipri(args) => sipri::run(args).await,
        Benchmark::Postgres(args) => postgres::run(args).await,
    }
}

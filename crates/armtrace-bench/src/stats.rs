//! `armtrace-bench stats`: group-by latency of the in-memory columns
//! (`armtrace_core::analytics`) next to SQLite's `GROUP BY` on the same register, in one
//! run, for a one-field group-by and a two-field cross-tab with a filter. Both answers
//! are checked to agree before any time is printed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use armtrace_core::Clearance;
use armtrace_core::Item;
use armtrace_core::analytics::{self, StatsQuery, StatsResult};
use armtrace_store::Store;
use armtrace_store::demo_files::write_items_csv;
use armtrace_store::import::{Format, ImportOptions};
use clap::Args;

#[derive(Args, Debug)]
pub struct StatsBenchArgs {
    /// Demo items in the register.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    /// Seed of the demo generator: the same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the demo register at this path and reuse it when it exists (a 10M-item
    /// register takes minutes to build).
    #[arg(long)]
    register: Option<PathBuf>,
    /// Timed runs of each in-memory query.
    #[arg(long, default_value_t = 31)]
    runs: usize,
    /// Timed runs of each SQLite query.
    #[arg(long, default_value_t = 5)]
    sqlite_runs: usize,
}

/// A benchmark query: the armtrace arguments and the same question in SQL.
struct Case {
    name: &'static str,
    by: &'static [&'static str],
    wheres: &'static [&'static str],
    sql: &'static str,
}

const CASES: [Case; 2] = [
    Case {
        name: "one field: --by country_of_manufacture",
        by: &["country_of_manufacture"],
        wheres: &[],
        sql: "SELECT country_of_manufacture, COUNT(*) FROM items GROUP BY country_of_manufacture",
    },
    Case {
        name: "two fields + filter: --by recovered_country --by country_of_manufacture --where category=ammunition",
        by: &["recovered_country", "country_of_manufacture"],
        wheres: &["category=ammunition"],
        sql: "SELECT recovered_country, country_of_manufacture, COUNT(*) FROM items
              WHERE category = 'ammunition' GROUP BY recovered_country, country_of_manufacture",
    },
];

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Our answer as (key values, count), for comparison with SQLite's.
fn as_rows(result: &StatsResult) -> BTreeMap<Vec<Option<String>>, u64> {
    result
        .groups
        .iter()
        .map(|g| {
            let key = g
                .key
                .values()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            (key, g.count)
        })
        .collect()
}

fn sqlite_rows(
    conn: &rusqlite::Connection,
    sql: &str,
    fields: usize,
) -> anyhow::Result<BTreeMap<Vec<Option<String>>, u64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let key = (0..fields)
            .map(|i| r.get::<_, Option<String>>(i))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(key, r.get::<_, i64>(fields)? as u64);
    }
    Ok(out)
}

async fn build(path: &std::path::Path, items: u64, seed: u64) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let csv = tmp.path().join("items.csv");
    let t = Instant::now();
    write_items_csv(&csv, items, seed)?;
    let store = Store::open(path.to_str().context("the register path is UTF-8")?).await?;
    let report = store
        .import_file::<Item>(&csv, &ImportOptions::new(Format::Csv, "bench"), &|_| {})
        .await?;
    store.close().await;
    anyhow::ensure!(
        report.inserted == items,
        "the demo import inserted {} rows",
        report.inserted
    );
    println!(
        "built a {items}-item demo register in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn run(args: StatsBenchArgs) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let path = args
        .register
        .clone()
        .unwrap_or_else(|| tmp.path().join("stats.db"));
    if !path.exists() {
        build(&path, args.items, args.seed).await?;
    }
    let location = path.to_str().context("the register path is UTF-8")?;
    let store = Store::open(location).await?;
    let items = store.counts().await?.items;
    let t = Instant::now();
    let columns = store.item_columns().await?;
    let load = t.elapsed();
    store.close().await;
    println!(
        "{items} items; columns loaded from the register in {:.2} s; {:.1} bytes/row in memory ({:.0} MB)",
        load.as_secs_f64(),
        columns.heap_bytes() as f64 / columns.len().max(1) as f64,
        columns.heap_bytes() as f64 / 1e6
    );
    let conn = rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The same page cache as the register's own connections.
    conn.execute_batch("PRAGMA cache_size = -65536;")?;
    let clearance = Clearance::full();
    println!(
        "{:<44} {:>10} {:>10} {:>12} {:>12} {:>9}",
        "query", "ours p50", "ours p90", "SQLite p50", "SQLite p90", "speed-up"
    );
    for case in &CASES {
        let by: Vec<String> = case.by.iter().map(|s| s.to_string()).collect();
        let wheres: Vec<String> = case.wheres.iter().map(|s| s.to_string()).collect();
        let query = StatsQuery::parse(&by, &wheres, None)?;
        let ours = analytics::stats(&columns, &query, &clearance, 2);
        let theirs = sqlite_rows(&conn, case.sql, by.len())?;
        anyhow::ensure!(
            as_rows(&ours) == theirs,
            "armtrace and SQLite disagree on {}",
            case.name
        );
        let mut times = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let t = Instant::now();
            let r = analytics::stats(&columns, &query, &clearance, 2);
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
        let mut sqlite = Vec::with_capacity(args.sqlite_runs);
        for _ in 0..args.sqlite_runs {
            let t = Instant::now();
            let r = sqlite_rows(&conn, case.sql, by.len())?;
            sqlite.push(t.elapsed());
            std::hint::black_box(r);
        }
        times.sort();
        sqlite.sort();
        let (p50, p90) = (percentile(&times, 0.5), percentile(&times, 0.9));
        let (s50, s90) = (percentile(&sqlite, 0.5), percentile(&sqlite, 0.9));
        println!("{}", case.name);
        println!(
            "{:<44} {:>8.2}ms {:>8.2}ms {:>10.1}ms {:>10.1}ms {:>8.0}x",
            format!("  {} groups, total {}", ours.groups.len(), ours.total),
            ms(p50),
            ms(p90),
            ms(s50),
            ms(s90),
            s50.as_secs_f64() / p50.as_secs_f64()
        );
    }
    println!(
        "(runs: {} in memory, {} SQLite; answers checked equal; {} threads available)",
        args.runs,
        args.sqlite_runs,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(ExitCode::SUCCESS)
}

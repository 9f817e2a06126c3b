//! `armtrace-bench postgres --url URL`: item import throughput into PostgreSQL next to
//! PostgreSQL's own `COPY` of the same file, in the same run.
//!
//! The demo items CSV is written once. Each run then times, each into a fresh database
//! (created on the server `--url` names and dropped afterwards) or a fresh file:
//!
//! * `COPY items (…) FROM STDIN (FORMAT csv, HEADER)`: the baseline. The same `items`
//!   table (armtrace's migrations, with its keys and indexes), the file's bytes sent as
//!   they are: no validation, no hashing, no audit entry. The columns the CSV does not
//!   carry (content hash, revision, timestamps) get constant defaults.
//! * the same `COPY` with every row naming an import, as armtrace's rows do: the server
//!   then checks the foreign key `items.import_id` row by row, which is part of what any
//!   import into this schema costs.
//! * `armtrace import items` into PostgreSQL: parsing and validation, the content hash,
//!   `COPY` of the validated rows, the import log and the audit entry, one transaction.
//! * the same import into SQLite, for comparison;
//! * `migrate-store` of the imported register, SQLite to PostgreSQL and back.
//!
//! The median of `--runs` runs is printed with rows per second and the ratio of its
//! time to the `COPY` baseline's.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use armtrace_core::{ITEM_FIELDS, Item};
use armtrace_store::Store;
use armtrace_store::copy::copy_register;
use armtrace_store::demo_files::write_items_csv;
use armtrace_store::import::{Format, ImportOptions};
use armtrace_store::store::{is_postgres, redact_password};
use clap::Args;
use sqlx::Connection;

#[derive(Args, Debug)]
pub struct PostgresBenchArgs {
    /// A PostgreSQL server to create (and drop) throwaway databases on, named by the URL
    /// of any database there, e.g. postgres://postgres@127.0.0.1:5432/postgres. The
    /// user must be allowed to create databases.
    #[arg(long)]
    url: String,
    /// Demo items in the CSV.
    #[arg(long, default_value_t = 200_000)]
    items: u64,
    /// Seed of the demo generator: the same seed and size give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs of each contender (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// The URL of `database` on the server `url` names (its query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let server = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{database}?{q}"),
        None => format!("{server}/{database}"),
    }
}

/// A database that exists for one timed run.
struct Scratch {
    server: String,
    name: String,
    url: String,
}

impl Scratch {
    async fn create(server: &str, label: &str) -> anyhow::Result<Scratch> {
        let name = format!("armtrace_bench_{}_{label}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(server)
            .await
            .with_context(|| format!("cannot connect to {}", redact_password(server)))?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .context("cannot create a scratch database: the --url user needs CREATEDB")?;
        conn.close().await?;
        Ok(Scratch {
            server: server.to_owned(),
            url: with_database(server, &name),
            name,
        })
    }

    async fn drop(self) -> anyhow::Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.server).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}

/// The baseline: the file's bytes into the register's `items` table with `COPY`. With
/// `naming_import`, every row also names one `imports` row, as armtrace's rows do, so
/// the server checks that foreign key for each.
async fn raw_copy(url: &str, csv: &Path, naming_import: bool) -> anyhow::Result<Duration> {
    let store = Store::open(url).await?;
    store.close().await;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    // Timestamps as long as armtrace's, so the rows are as wide.
    sqlx::query(
        "ALTER TABLE items ALTER COLUMN content_hash SET DEFAULT 0,
                          ALTER COLUMN revision SET DEFAULT 1,
                          ALTER COLUMN created_at SET DEFAULT '2026-01-01T00:00:00.000000000Z',
                          ALTER COLUMN updated_at SET DEFAULT '2026-01-01T00:00:00.000000000Z'",
    )
    .execute(&mut conn)
    .await?;
    if naming_import {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO imports (kind, source_name, source_sha256, format, actor, started_at,
                                  finished_at, inserted, updated, unchanged, rejected)
             VALUES ('items', 'bench', '', 'csv', 'bench', '', '', 0, 0, 0, 0) RETURNING id",
        )
        .fetch_one(&mut conn)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE items ALTER COLUMN import_id SET DEFAULT {id}"
        )))
        .execute(&mut conn)
        .await?;
    }
    let statement = format!(
        "COPY items ({}) FROM STDIN (FORMAT csv, HEADER true)",
        ITEM_FIELDS
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut file =
        std::fs::File::open(csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let mut chunk = vec![0u8; 1 << 20];
    let t = Instant::now();
    let mut copy = conn.copy_in_raw(&statement).await?;
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        copy.send(&chunk[..n]).await?;
    }
    let rows = copy.finish().await?;
    let elapsed = t.elapsed();
    conn.close().await?;
    anyhow::ensure!(rows > 0, "COPY wrote no rows");
    Ok(elapsed)
}

/// `armtrace import items` of the file into the register at `location`.
async fn import(location: &str, csv: &Path, items: u64) -> anyhow::Result<(Duration, Store)> {
    let store = Store::open(location).await?;
    let options = ImportOptions::new(Format::Csv, "bench");
    let t = Instant::now();
    let report = store.import_file::<Item>(csv, &options, &|_| {}).await?;
    let elapsed = t.elapsed();
    anyhow::ensure!(
        report.inserted == items,
        "the import into {} inserted {} of {items} rows",
        if is_postgres(location) {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        report.inserted
    );
    Ok((elapsed, store))
}

/// One contender's times and how it is named in the table.
struct Contender {
    name: &'static str,
    times: Vec<Duration>,
}

impl Contender {
    fn new(name: &'static str) -> Contender {
        Contender {
            name,
            times: Vec::new(),
        }
    }

    fn median(&self) -> Option<f64> {
        let mut times = self.times.clone();
        times.sort();
        times.get(times.len() / 2).map(Duration::as_secs_f64)
    }
}

pub async fn run(args: PostgresBenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        is_postgres(&args.url),
        "--url {} is not a postgres:// URL",
        args.url
    );
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    let tmp = tempfile::tempdir()?;
    let csv = tmp.path().join("items.csv");
    let t = Instant::now();
    write_items_csv(&csv, args.items, args.seed)?;
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "generated {} demo items ({:.1} MB CSV) in {:.2} s; server {}",
        args.items,
        size as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        redact_password(&args.url)
    );

    let mut baseline = Contender::new("COPY items FROM STDIN (csv, no checks)");
    let mut baseline_fk = Contender::new("  the same, rows naming their import (FK)");
    let mut pg_import = Contender::new("armtrace import items → PostgreSQL");
    let mut sqlite_import = Contender::new("armtrace import items → SQLite");
    let mut to_pg = Contender::new("migrate-store SQLite → PostgreSQL");
    let mut to_sqlite = Contender::new("migrate-store PostgreSQL → SQLite");
    for run in 0..args.runs {
        let scratch = Scratch::create(&args.url, &format!("copy{run}")).await?;
        baseline
            .times
            .push(raw_copy(&scratch.url, &csv, false).await?);
        scratch.drop().await?;
        let scratch = Scratch::create(&args.url, &format!("copyfk{run}")).await?;
        baseline_fk
            .times
            .push(raw_copy(&scratch.url, &csv, true).await?);
        scratch.drop().await?;

        let scratch = Scratch::create(&args.url, &format!("import{run}")).await?;
        let (elapsed, store) = import(&scratch.url, &csv, args.items).await?;
        pg_import.times.push(elapsed);
        store.close().await;
        scratch.drop().await?;

        let file = tmp.path().join(format!("import{run}.db"));
        let file = file.to_str().context("temporary paths are UTF-8")?;
        let (elapsed, sqlite) = import(file, &csv, args.items).await?;
        sqlite_import.times.push(elapsed);

        // The register just imported, copied whole (its import log and audit entry too).
        let scratch = Scratch::create(&args.url, &format!("migrate{run}")).await?;
        let pg = Store::open(&scratch.url)
            .await?
            .with_files_dir(tmp.path().join(format!("files{run}")));
        let t = Instant::now();
        copy_register(&sqlite, &pg, &|_| {}).await?;
        to_pg.times.push(t.elapsed());
        let back = tmp.path().join(format!("back{run}.db"));
        let back = Store::open(back.to_str().context("temporary paths are UTF-8")?).await?;
        let t = Instant::now();
        copy_register(&pg, &back, &|_| {}).await?;
        to_sqlite.times.push(t.elapsed());
        for store in [sqlite, pg, back] {
            store.close().await;
        }
        scratch.drop().await?;
    }

    println!(
        "\n{:<44} {:>9} {:>11} {:>8}   runs (s)",
        format!("median of {} runs", args.runs),
        "time",
        "rows/s",
        "× COPY"
    );
    let copy_median = baseline.median();
    for c in [
        &baseline,
        &baseline_fk,
        &pg_import,
        &sqlite_import,
        &to_pg,
        &to_sqlite,
    ] {
        let Some(median) = c.median() else { continue };
        let ratio = copy_median.map_or(String::new(), |b| format!("{:.2}", median / b));
        println!(
            "{:<44} {:>7.3} s {:>11.0} {:>8}   {}",
            c.name,
            median,
            args.items as f64 / median,
            ratio,
            c.times
                .iter()
                .map(|d| format!("{:.3}", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "(migrate-store rows/s counts items only; it also copies the import log and audit entry)"
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn scratch_databases_are_named_in_the_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(
            with_database("postgresql://h/db?sslmode=disable", "x"),
            "postgresql://h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}

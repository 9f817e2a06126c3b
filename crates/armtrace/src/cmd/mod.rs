//! One module per command family. Each parses its arguments with clap, calls the store
//! or the core, and prints either text for people or the documented JSON.

pub mod accounts;
pub mod audit;
pub mod chain;
pub mod demo;
pub mod evidence;
pub mod export;
pub mod filter;
pub mod identify;
pub mod import;
pub mod items;
pub mod migrate_store;
pub mod search;
pub mod serve;
pub mod stats;
pub mod trace;
pub mod transfers;

use std::process::ExitCode;

use anyhow::Context;
use armtrace_store::Store;

/// Opens the register named by `--db`. A PostgreSQL register keeps its evidence files
/// and signing key in `ARMTRACE_FILES` when that is set (servers sharing the database
/// should share that directory), else beside the working directory.
pub async fn open(db: &str) -> anyhow::Result<Store> {
    let store = Store::open(db).await.with_context(|| {
        format!(
            "cannot open the register {:?}",
            armtrace_store::store::redact_password(db)
        )
    })?;
    Ok(match std::env::var_os("ARMTRACE_FILES") {
        Some(dir) if armtrace_store::store::is_postgres(db) => store.with_files_dir(dir),
        _ => store,
    })
}

/// `armtrace init`
pub async fn init(db: &str) -> anyhow::Result<ExitCode> {
    let store = open(db).await?;
    let counts = store.counts().await?;
    println!(
        "register {} is ready: {} items, {} transfers",
        armtrace_store::store::redact_password(db),
        counts.items,
        counts.transfers
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Who is acting, for imports and revisions: `$ARMTRACE_ACTOR`, else the login name.
pub fn actor() -> String {
    std::env::var("ARMTRACE_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".to_owned())
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let out = std::io::stdout();
    let mut out = out.lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    use std::io::Write;
    writeln!(out)?;
    Ok(())
}

/// Shortens text for a table cell.
pub fn cell(s: Option<&str>, width: usize) -> String {
    let s = s.unwrap_or("");
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

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
use armtrace_app::types::redact_password;
use armtrace_app::{Actor, Desk, Register, View, Warmth};
use armtrace_core::Clearance;

/// Opens the register named by `--db` for a command that runs once (its caches are built
/// when first needed). A PostgreSQL register keeps its evidence files and signing key in
/// `ARMTRACE_FILES` when that is set (servers sharing the database should share that
/// directory), else beside the working directory.
pub async fn open(db: &str) -> anyhow::Result<Register> {
    open_with(db, Warmth::Lazy).await
}

/// Opens the register named by `--db` with caches built as `warmth` says.
pub async fn open_with(db: &str, warmth: Warmth) -> anyhow::Result<Register> {
    let files = std::env::var_os("ARMTRACE_FILES").map(std::path::PathBuf::from);
    Register::open(db, files, warmth)
        .await
        .with_context(|| format!("cannot open the register {:?}", redact_password(db)))
}

/// The command line sees everything: it works on the register directly.
pub fn view(register: &Register) -> View<'_> {
    register.for_viewer(&Clearance::full())
}

/// The command line writes as `cli:$ARMTRACE_ACTOR` (else `cli:$USER`).
pub fn desk(register: &Register) -> Desk<'_> {
    register.for_actor(&Actor::command_line())
}

/// `armtrace init`
pub async fn init(db: &str) -> anyhow::Result<ExitCode> {
    let register = open(db).await?;
    let counts = register.counts().await?;
    println!(
        "register {} is ready: {} items, {} transfers",
        redact_password(db),
        counts.items,
        counts.transfers
    );
    register.close().await;
    Ok(ExitCode::SUCCESS)
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

//! `armtrace import items|transfers FILE`: validated, atomic, idempotent imports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use armtrace_app::types::{
    Format, ImportInput, ImportProgress, ImportReport, MAX_LISTED_ERRORS, Mapping,
};
use armtrace_app::{ImportKind, ImportRequest, Register};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import documented items (canonical CSV header, or any header with --mapping).
    Items(ImportArgs),
    /// Import documented transfers (export licences, deliveries, trace responses), or the
    /// SIPRI Arms Transfers Database's trade register with `--format sipri` (either export
    /// layout, detected from its header; problems are reported by the file's line).
    Transfers(ImportArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// File format: csv, jsonl, xlsx, or sipri (an export of the SIPRI Arms Transfers
    /// Database, transfers only); guessed from the extension when left out (never sipri).
    #[arg(long)]
    pub format: Option<Format>,
    /// TOML file renaming your columns to canonical fields.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Validate and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the valid rows and report the others (default: write nothing if any row is invalid).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Leave out columns that are neither canonical nor mapped.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl ImportArgs {
    /// The import these flags ask for.
    pub fn request(&self, kind: ImportKind) -> anyhow::Result<ImportRequest> {
        if !self.file.exists() {
            bail!("{} does not exist", self.file.display());
        }
        let mut request = ImportRequest::new(kind, ImportInput::file(&self.file));
        request.format = self.format;
        request.mapping = self.mapping.as_deref().map(Mapping::load).transpose()?;
        request.dry_run = self.dry_run;
        request.skip_invalid = self.skip_invalid;
        request.ignore_unknown = self.ignore_unknown;
        Ok(request)
    }
}

pub async fn run(db: &str, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let (kind, args) = match command {
        ImportCommand::Items(args) => (ImportKind::Items, args),
        ImportCommand::Transfers(args) => (ImportKind::Transfers, args),
    };
    if kind == ImportKind::Items && args.format == Some(Format::Sipri) {
        bail!(
            "--format sipri reads the SIPRI Arms Transfers Database, which holds transfers, not items: use `armtrace import transfers {} --format sipri`",
            args.file.display()
        );
    }
    if args.format.is_none() && Format::from_path(&args.file).is_none() {
        bail!(
            "cannot tell the format of {} from its name: pass --format csv, jsonl, xlsx or sipri",
            args.file.display()
        );
    }
    let register = super::open(db).await?;
    let report = import(&register, kind, &args).await?;
    register.close().await;
    if args.json {
        super::print_json(&report)?;
    } else {
        print_report(&report, &args);
    }
    Ok(if report.accepted(args.skip_invalid) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Imports a file with a progress bar on a terminal.
async fn import(
    register: &Register,
    kind: ImportKind,
    args: &ImportArgs,
) -> anyhow::Result<ImportReport> {
    let request = args.request(kind)?;
    let bar = progress_bar(&args.file);
    let on_progress = |p: ImportProgress| {
        bar.set_length(p.total_bytes);
        bar.set_position(p.bytes_read);
        bar.set_message(format!("{} rows", p.rows));
    };
    let report = super::desk(register)
        .import(request, &on_progress)
        .await
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    bar.finish_and_clear();
    Ok(report)
}

fn progress_bar(file: &Path) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!(
        "importing {}",
        file.file_name().unwrap_or_default().to_string_lossy()
    ));
    bar
}

fn print_report(report: &ImportReport, args: &ImportArgs) {
    for e in &report.errors {
        if args.format == Some(Format::Sipri) {
            // A SIPRI export's rows are numbered by its lines (preamble included).
            eprintln!("line{}", e.to_string().trim_start_matches("row"));
        } else {
            eprintln!("{e}");
        }
    }
    if report.errors.len() as u64 >= MAX_LISTED_ERRORS as u64 {
        eprintln!("(only the first {MAX_LISTED_ERRORS} problems are listed)");
    }
    let verb = if args.dry_run { "would be " } else { "" };
    if !report.accepted(args.skip_invalid) {
        println!(
            "nothing was imported: {} invalid row{}. Fix them, or pass --skip-invalid to import the valid rows only.",
            report.rejected,
            if report.rejected == 1 { "" } else { "s" }
        );
        return;
    }
    println!(
        "{}inserted {}, {verb}updated {}, unchanged {}, rejected {}",
        if args.dry_run {
            "dry run: would be "
        } else {
            ""
        },
        report.inserted,
        report.updated,
        report.unchanged,
        report.rejected
    );
    if !args.dry_run && report.inserted == 0 && report.updated == 0 {
        println!("the register already holds this file: nothing changed");
    }
    if report.suggestions > 0 {
        println!(
            "{} item{} leave manufacturer, country or year empty where the markings or model suggest one: see `armtrace items suggest`",
            report.suggestions,
            if report.suggestions == 1 { "" } else { "s" }
        );
    }
}

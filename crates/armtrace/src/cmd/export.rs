//! `armtrace export items`: CSV (re-importable), JSON Lines, GeoJSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use armtrace_app::types::ExportFormat;
use clap::{Args, Subcommand};

use super::filter::FilterArgs;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Export items.
    Items(ExportItemsArgs),
}

#[derive(Args, Debug)]
pub struct ExportItemsArgs {
    /// csv (canonical header, re-importable), jsonl or geojson.
    #[arg(long)]
    format: ExportFormat,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    filter: FilterArgs,
}

pub async fn run(db: &str, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Items(args) = command;
    let query = args.filter.parse()?;
    let register = super::open(db).await?;
    let view = super::view(&register);
    let summary = match &args.out {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let summary = {
                let mut out = std::io::BufWriter::new(tmp.as_file_mut());
                let s = view.export_items(&query, args.format, &mut out).await?;
                out.flush()?;
                s
            };
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            summary
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout());
            view.export_items(&query, args.format, &mut out).await?
        }
    };
    register.close().await;
    if let Some(path) = &args.out {
        eprintln!("wrote {} items to {}", summary.written, path.display());
    }
    if summary.without_coordinates > 0 {
        eprintln!(
            "{} item{} without coordinates {} not in the GeoJSON",
            summary.without_coordinates,
            if summary.without_coordinates == 1 {
                ""
            } else {
                "s"
            },
            if summary.without_coordinates == 1 {
                "is"
            } else {
                "are"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

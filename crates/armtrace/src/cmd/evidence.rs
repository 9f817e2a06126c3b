//! `armtrace evidence add|list`: photos and documents attached to items, stored by the
//! SHA-256 of their bytes and re-hashed by `armtrace audit verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use armtrace_app::{EvidenceEntry, MAX_EVIDENCE_BYTES, View};
use clap::Subcommand;
use serde_json::json;

use super::{cell, print_json};

#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// Attach a photo or document to an item (recorded in the audit log).
    Add {
        /// The item's ref.
        reference: String,
        /// The file to attach.
        file: PathBuf,
        /// What the file shows.
        #[arg(long)]
        caption: Option<String>,
        /// Media type (image/jpeg, application/pdf, ...); guessed from the content when left out.
        #[arg(long)]
        media_type: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the evidence files attached to an item.
    List {
        /// The item's ref.
        reference: String,
        #[arg(long)]
        json: bool,
    },
}

/// An evidence file with where it is stored, for printing.
async fn with_path(view: &View<'_>, e: &EvidenceEntry) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(e)?;
    v["path"] = json!(view.evidence_location(&e.sha256).await?);
    Ok(v)
}

pub async fn run(db: &str, command: EvidenceCommand) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let desk = super::desk(&register);
    let view = desk.view();
    match command {
        EvidenceCommand::Add {
            reference,
            file,
            caption,
            media_type,
            json,
        } => {
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .len();
            if size > MAX_EVIDENCE_BYTES as u64 {
                bail!(
                    "{} is {:.1} MiB; evidence files are limited to {} MiB",
                    file.display(),
                    size as f64 / (1024.0 * 1024.0),
                    MAX_EVIDENCE_BYTES / (1024 * 1024)
                );
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let added = desk
                .add_evidence(
                    &reference,
                    &name,
                    media_type.as_deref(),
                    caption.as_deref(),
                    &bytes,
                )
                .await?;
            if json {
                print_json(&with_path(&view, &added).await?)?;
            } else {
                println!(
                    "attached {} to {} as sha256 {} ({}, {} bytes)",
                    added.file_name, added.item_ref, added.sha256, added.media_type, added.size
                );
                if let Some(path) = view.evidence_location(&added.sha256).await? {
                    println!("stored at {}", path.display());
                }
            }
        }
        EvidenceCommand::List { reference, json } => {
            let files = view.evidence(&reference).await?;
            if json {
                let mut list = Vec::new();
                for e in &files {
                    list.push(with_path(&view, e).await?);
                }
                print_json(&json!({ "evidence": list }))?;
            } else {
                println!(
                    "{:<16} {:>10} {:<18} {:<20} {:<14} {:<24} CAPTION",
                    "SHA256", "BYTES", "TYPE", "ADDED", "BY", "FILE"
                );
                for e in &files {
                    println!(
                        "{:<16} {:>10} {:<18} {:<20} {:<14} {:<24} {}",
                        &e.sha256[..16],
                        e.size,
                        cell(Some(&e.media_type), 18),
                        cell(Some(&e.added_at), 20),
                        cell(e.added_by.as_deref(), 14),
                        cell(Some(&e.file_name), 24),
                        e.caption.as_deref().unwrap_or("")
                    );
                }
                if files.is_empty() {
                    println!(
                        "{reference} has no evidence files: add one with `armtrace evidence add {reference} FILE`"
                    );
                }
            }
        }
    }
    register.close().await;
    Ok(ExitCode::SUCCESS)
}

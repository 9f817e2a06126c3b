//! `armtrace trace new|list|show|send|acknowledge|answer|close`: trace requests to
//! manufacturers and states, following the International Tracing Instrument.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use armtrace_app::types::ImportInput;
use armtrace_app::{NewTrace, TraceStep};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{cell, print_json};

#[derive(Subcommand, Debug)]
pub enum TraceCommand {
    /// Draft a trace request for an item, the serial run it belongs to, or its lot.
    New(NewArgs),
    /// List trace requests with their status (overdue is computed from the due date).
    List {
        /// Only requests with this status (draft, sent, acknowledged, answered, closed, overdue).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one request; --html writes the printable request.
    Show {
        reference: String,
        /// Write the printable request (HTML; print to PDF from a browser) to this file.
        #[arg(long)]
        html: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Mark a request as sent (it must hold what the ITI asks for).
    Send {
        reference: String,
        /// When a reply is due (YYYY-MM-DD).
        #[arg(long)]
        due: Option<String>,
    },
    /// Record that the addressee acknowledged the request.
    Acknowledge { reference: String },
    /// Record the answer; --transfers imports the transfers it documents.
    Answer {
        reference: String,
        /// The answer as received.
        #[arg(long)]
        text: String,
        /// A transfers CSV (canonical header) with the deliveries the answer documents.
        #[arg(long)]
        transfers: Option<PathBuf>,
    },
    /// Close a request.
    Close { reference: String },
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The item to trace.
    #[arg(long, group = "subject", required = true)]
    item: Option<String>,
    /// Trace the whole serial run this item belongs to.
    #[arg(long, group = "subject")]
    run_of: Option<String>,
    /// Trace the whole lot this item belongs to.
    #[arg(long, group = "subject")]
    lot_of: Option<String>,
    /// Addressee: the manufacturer or state asked.
    #[arg(long)]
    to: String,
    /// manufacturer or state.
    #[arg(long, default_value = "manufacturer")]
    to_kind: String,
    #[arg(long)]
    to_country: Option<String>,
    /// Who is asking (organisation and contact).
    #[arg(long, default_value = "")]
    requesting_party: String,
    /// Why the items are considered illicit, and the legal basis.
    #[arg(long, default_value = "")]
    reason: String,
    /// What the information will be used for.
    #[arg(long)]
    intended_use: Option<String>,
    /// When a reply is due.
    #[arg(long)]
    due: Option<String>,
    /// Evidence file hashes (sha256:…), repeatable.
    #[arg(long)]
    photo: Vec<String>,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, command: TraceCommand) -> anyhow::Result<ExitCode> {
    let register = super::open(db).await?;
    let desk = super::desk(&register);
    let view = desk.view();
    let step = |text: Option<String>, due_on: Option<String>| TraceStep {
        on: None,
        text,
        due_on,
    };
    let code = match command {
        TraceCommand::New(args) => {
            let (reference, subject) = match (&args.item, &args.run_of, &args.lot_of) {
                (Some(r), _, _) => (r.clone(), "item"),
                (_, Some(r), _) => (r.clone(), "run"),
                (_, _, Some(r)) => (r.clone(), "lot"),
                _ => anyhow::bail!("name the subject with --item, --run-of or --lot-of"),
            };
            let new = NewTrace {
                reference,
                subject: Some(subject.to_owned()),
                to: args.to.clone(),
                to_kind: Some(args.to_kind.clone()),
                to_country: args.to_country.clone(),
                requesting_party: Some(args.requesting_party.clone()),
                reason: Some(args.reason.clone()),
                intended_use: args.intended_use.clone(),
                due_on: args.due.clone(),
                photos: args.photo.clone(),
            };
            let request = desk.draft_trace(&new).await?.request;
            if args.json {
                print_json(&request)?;
            } else {
                println!(
                    "drafted {} to {} about {} item{}",
                    request.reference,
                    request.addressee.name,
                    request.particulars.len(),
                    if request.particulars.len() == 1 {
                        ""
                    } else {
                        "s"
                    }
                );
                let missing = request.missing_for_sending();
                if !missing.is_empty() {
                    println!("before it can be sent it needs: {}", missing.join(", "));
                }
            }
            ExitCode::SUCCESS
        }
        TraceCommand::List { status, json } => {
            let list = view.trace_requests(None, status.as_deref()).await?;
            if json {
                print_json(&json!({ "requests": list.requests }))?;
            } else {
                println!(
                    "{:<14} {:<13} {:<30} {:>5} {:<11} {:<11}",
                    "REF", "STATUS", "ADDRESSEE", "ITEMS", "SENT", "DUE"
                );
                for v in &list.requests {
                    let r = &v.request;
                    let status = if v.overdue {
                        format!("{} OVERDUE", r.status)
                    } else {
                        r.status.to_string()
                    };
                    println!(
                        "{:<14} {:<13} {:<30} {:>5} {:<11} {:<11}",
                        r.reference,
                        status,
                        cell(Some(&r.addressee.name), 30),
                        r.particulars.len(),
                        r.sent_on.map(|d| d.to_string()).unwrap_or_default(),
                        r.due_on.map(|d| d.to_string()).unwrap_or_default()
                    );
                }
            }
            ExitCode::SUCCESS
        }
        TraceCommand::Show {
            reference,
            html,
            json,
        } => {
            let found = view.trace_request(&reference).await?;
            if let Some(path) = html {
                std::fs::write(&path, view.printable_trace(&reference).await?)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote the printable request to {}", path.display());
            }
            if json {
                print_json(&found)?;
            } else {
                let request = &found.request;
                println!(
                    "{} ({}) to {}",
                    request.reference, request.status, request.addressee.name
                );
                println!("requesting party: {}", request.requesting_party);
                println!("reason: {}", request.reason);
                for p in &request.particulars {
                    println!(
                        "  {} {} {} serial {} lot {} markings {}",
                        p.reference,
                        p.model.as_deref().unwrap_or(""),
                        p.calibre.as_deref().unwrap_or(""),
                        p.serial_number.as_deref().unwrap_or("-"),
                        p.lot_number.as_deref().unwrap_or("-"),
                        p.markings.as_deref().unwrap_or("-")
                    );
                }
                if let Some(a) = &request.answer {
                    println!("answer: {a}");
                }
            }
            ExitCode::SUCCESS
        }
        TraceCommand::Send { reference, due } => {
            let request = desk
                .advance_trace(&reference, "send", &step(None, due))
                .await?
                .request;
            println!(
                "{reference} is sent{}",
                request
                    .due_on
                    .map(|d| format!("; reply due {d}"))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        TraceCommand::Acknowledge { reference } => {
            desk.advance_trace(&reference, "acknowledge", &step(None, None))
                .await?;
            println!("{reference} is acknowledged");
            ExitCode::SUCCESS
        }
        TraceCommand::Close { reference } => {
            desk.advance_trace(&reference, "close", &step(None, None))
                .await?;
            println!("{reference} is closed");
            ExitCode::SUCCESS
        }
        TraceCommand::Answer {
            reference,
            text,
            transfers,
        } => {
            match transfers {
                Some(file) => {
                    let (_, report) = desk
                        .answer_with_transfers(&reference, &text, ImportInput::file(&file))
                        .await?;
                    println!(
                        "recorded {} new and {} updated transfers",
                        report.inserted, report.updated
                    );
                }
                None => {
                    desk.advance_trace(&reference, "answer", &step(Some(text), None))
                        .await?;
                }
            }
            println!("{reference} is answered");
            ExitCode::SUCCESS
        }
    };
    register.close().await;
    Ok(code)
}

//! `armtrace trace new|list|show|send|acknowledge|answer|close`: trace requests to
//! manufacturers and states, following the International Tracing Instrument.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use armtrace_core::link::{self, LinkEntry};
use armtrace_core::trace::{
    Addressee, AddresseeKind, TraceRequest, TraceStatus, TraceSubject, render_html,
};
use armtrace_core::{CountryCode, PartialDate, Transfer};
use armtrace_store::Store;
use armtrace_store::items::ItemFilter;
use clap::{Args, Subcommand};
use serde_json::json;

use super::filter::{parse_country, parse_date};
use super::import::{ImportArgs, import};
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
        #[arg(long, value_parser = parse_date)]
        due: Option<PartialDate>,
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
    #[arg(long, value_parser = parse_country)]
    to_country: Option<CountryCode>,
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
    #[arg(long, value_parser = parse_date)]
    due: Option<PartialDate>,
    /// Evidence file hashes (sha256:…), repeatable.
    #[arg(long)]
    photo: Vec<String>,
    #[arg(long)]
    json: bool,
}

fn today() -> PartialDate {
    let now = jiff::Zoned::now();
    PartialDate::ymd(now.year(), now.month() as u8, now.day() as u8).expect("today is a date")
}

async fn subject(store: &Store, args: &NewArgs) -> anyhow::Result<TraceSubject> {
    if let Some(r) = &args.item {
        store.item(r).await?;
        return Ok(TraceSubject::Item {
            reference: r.clone(),
        });
    }
    let (member, by_run) = match (&args.run_of, &args.lot_of) {
        (Some(r), _) => (r, true),
        (_, Some(r)) => (r, false),
        _ => bail!("name the subject with --item, --run-of or --lot-of"),
    };
    store.item(member).await?;
    let rows = store.link_rows(&ItemFilter::default()).await?;
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    if by_run {
        let runs = link::link_runs(&entries, link::DEFAULT_GAP);
        let run = runs
            .iter()
            .find(|r| r.refs.contains(member))
            .with_context(|| {
                format!("{member} is not in a serial run; trace it alone with --item")
            })?;
        Ok(TraceSubject::from(run))
    } else {
        let lots = link::lot_clusters(&entries);
        let lot = lots
            .iter()
            .find(|l| l.refs.contains(member))
            .with_context(|| {
                format!("{member} shares its lot with no other item; trace it alone with --item")
            })?;
        Ok(TraceSubject::from(lot))
    }
}

pub async fn run(db: &str, command: TraceCommand) -> anyhow::Result<ExitCode> {
    let store = super::open(db).await?;
    let actor = super::actor();
    let code = match command {
        TraceCommand::New(args) => {
            let subject = subject(&store, &args).await?;
            let mut items = Vec::new();
            for r in subject.refs() {
                items.push(store.item(r).await?.item);
            }
            let kind = match args.to_kind.as_str() {
                "manufacturer" => AddresseeKind::Manufacturer,
                "state" => AddresseeKind::State,
                other => bail!("--to-kind {other:?}: use manufacturer or state"),
            };
            let reference = store.next_trace_ref(today().year()).await?;
            let addressee = Addressee {
                kind,
                name: args.to.clone(),
                country: args.to_country,
            };
            let mut request = TraceRequest::draft(reference, subject, addressee, &items, today());
            request.requesting_party = args.requesting_party.clone();
            request.reason = args.reason.clone();
            request.intended_use = args.intended_use.clone();
            request.due_on = args.due;
            request.photos = args.photo.clone();
            store.insert_trace_request(&request, &actor).await?;
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
            let today = today();
            let mut requests = store.trace_requests().await?;
            if let Some(s) = &status {
                if s == "overdue" {
                    requests.retain(|r| r.is_overdue(today));
                } else {
                    let wanted: TraceStatus = s
                        .parse()
                        .map_err(|e| anyhow::anyhow!("--status {s:?} {e}, overdue"))?;
                    requests.retain(|r| r.status == wanted);
                }
            }
            if json {
                let list: Vec<_> = requests
                    .iter()
                    .map(|r| {
                        let mut v = serde_json::to_value(r).expect("requests serialise");
                        v["overdue"] = json!(r.is_overdue(today));
                        v
                    })
                    .collect();
                print_json(&json!({ "requests": list }))?;
            } else {
                println!(
                    "{:<14} {:<13} {:<30} {:>5} {:<11} {:<11}",
                    "REF", "STATUS", "ADDRESSEE", "ITEMS", "SENT", "DUE"
                );
                for r in &requests {
                    let status = if r.is_overdue(today) {
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
            let request = store.trace_request(&reference).await?;
            if let Some(path) = html {
                std::fs::write(&path, render_html(&request))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote the printable request to {}", path.display());
            }
            if json {
                let mut v = serde_json::to_value(&request)?;
                v["overdue"] = json!(request.is_overdue(today()));
                print_json(&v)?;
            } else {
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
            let mut request = store.trace_request(&reference).await?;
            if due.is_some() {
                request.due_on = due;
            }
            request.advance(TraceStatus::Sent, today())?;
            store.update_trace_request(&request, &actor).await?;
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
            let mut request = store.trace_request(&reference).await?;
            request.advance(TraceStatus::Acknowledged, today())?;
            store.update_trace_request(&request, &actor).await?;
            println!("{reference} is acknowledged");
            ExitCode::SUCCESS
        }
        TraceCommand::Close { reference } => {
            let mut request = store.trace_request(&reference).await?;
            request.advance(TraceStatus::Closed, today())?;
            store.update_trace_request(&request, &actor).await?;
            println!("{reference} is closed");
            ExitCode::SUCCESS
        }
        TraceCommand::Answer {
            reference,
            text,
            transfers,
        } => {
            let mut request = store.trace_request(&reference).await?;
            // Check the move first, so a refused answer imports nothing.
            let mut probe = request.clone();
            probe.record_answer(text.clone(), today())?;
            let mut answer = text;
            if let Some(file) = transfers {
                let args = ImportArgs::for_file(file.clone());
                let report = import::<Transfer>(&store, &args).await?;
                if report.rejected > 0 {
                    for e in &report.errors {
                        eprintln!("{e}");
                    }
                    bail!("the answer's transfers file has invalid rows; nothing was recorded");
                }
                answer.push_str(&format!(
                    "\n\n[armtrace] Transfers recorded from this answer ({}): {} new, {} updated.",
                    file.display(),
                    report.inserted,
                    report.updated
                ));
                println!(
                    "recorded {} new and {} updated transfers",
                    report.inserted, report.updated
                );
            }
            request.record_answer(answer, today())?;
            store.update_trace_request(&request, &actor).await?;
            println!("{reference} is answered");
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}

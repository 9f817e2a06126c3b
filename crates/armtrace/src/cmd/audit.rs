//! `armtrace audit verify|export|key|log`: the tamper-evident audit log.
//!
//! `verify` exits 0 when the chain and every evidence file are intact and 2 when they
//! are not (1 stays for errors such as an unreadable register), naming the first
//! altered, removed or reordered entry and every bad file. `verify --export FILE` checks
//! an exported log without any register, as an outside party would.

use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use armtrace_app::types::{AuditKey, AuditVerification};
use armtrace_core::audit::export::ExportVerifier;
use clap::{Args, Subcommand};
use serde_json::json;

use super::{cell, print_json};

/// The exit status of a check that found tampering.
const TAMPERED: u8 = 2;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the audit chain and re-hash every evidence file (exit 2 when tampered).
    Verify(VerifyArgs),
    /// Write the log and its head hash as JSON Lines for an outside party.
    Export {
        /// The file to write (replaced only when the export succeeds).
        #[arg(long)]
        out: PathBuf,
        /// Sign the head with this installation's Ed25519 key (created if there is none).
        #[arg(long)]
        sign: bool,
    },
    /// Create (the first time) and show this installation's signing key.
    Key {
        #[arg(long)]
        json: bool,
    },
    /// The newest entries of the log.
    Log {
        /// How many entries, newest last.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Check this exported log (from `audit export`) instead of the register.
    #[arg(long)]
    export: Option<PathBuf>,
    /// With --export: the publisher's public key (64 hex digits) the head must be signed by.
    #[arg(long, requires = "export")]
    public_key: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn run(db: &str, command: AuditCommand) -> anyhow::Result<ExitCode> {
    if let AuditCommand::Verify(VerifyArgs {
        export: Some(file),
        public_key,
        json,
    }) = &command
    {
        // An outside party has the file and perhaps a key, but no register.
        return verify_export(file, public_key.as_deref(), *json);
    }
    let register = super::open(db).await?;
    let desk = super::desk(&register);
    let code = match command {
        AuditCommand::Verify(args) => {
            let verification = desk.audit_verify().await?;
            report(&verification, args.json)?;
            if verification.intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(TAMPERED)
            }
        }
        AuditCommand::Export { out, sign } => {
            let key = if sign {
                let key = desk.audit_key()?;
                if key.created {
                    eprintln!(
                        "created the installation key {} (public key {})",
                        key.path.display(),
                        key.public_key_hex()
                    );
                }
                Some(key)
            } else {
                None
            };
            let dir = match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            };
            let tmp = tempfile::NamedTempFile::new_in(&dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let writer = BufWriter::new(tmp.as_file().try_clone()?);
            let head = desk.audit_export(Box::new(writer), key.as_ref()).await?;
            tmp.persist(&out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} entries to {}; head hash {}",
                head.entries,
                out.display(),
                head.hash
            );
            if let Some(key) = &key {
                println!(
                    "signed by {}: give recipients this public key to check it with \
                     `armtrace audit verify --export FILE --public-key KEY`",
                    key.public_key_hex()
                );
            }
            ExitCode::SUCCESS
        }
        AuditCommand::Key { json } => {
            let key: AuditKey = desk.audit_key()?;
            if json {
                print_json(&json!({
                    "public_key": key.public_key_hex(),
                    "key_file": key.path,
                    "created": key.created,
                }))?;
            } else {
                println!("public key: {}", key.public_key_hex());
                println!(
                    "key file:   {} ({}; keep it private and backed up)",
                    key.path.display(),
                    if key.created {
                        "created now"
                    } else {
                        "existing"
                    }
                );
            }
            ExitCode::SUCCESS
        }
        AuditCommand::Log { limit, json } => {
            let head = desk.audit_head().await?;
            let after = (head.seq - i64::from(limit)).max(0);
            let entries = desk.audit_entries(after, limit).await?;
            if json {
                print_json(&json!({ "head": head, "entries": entries }))?;
            } else {
                println!(
                    "{:>6} {:<20} {:<16} {:<22} {:<26} DETAIL",
                    "SEQ", "AT", "ACTOR", "ACTION", "ON"
                );
                for e in &entries {
                    let on = match (&e.entity, &e.entity_ref) {
                        (Some(kind), Some(r)) => format!("{kind} {r}"),
                        (Some(kind), None) => kind.clone(),
                        (None, Some(r)) => r.clone(),
                        (None, None) => String::new(),
                    };
                    println!(
                        "{:>6} {:<20} {:<16} {:<22} {:<26} {}",
                        e.seq,
                        cell(Some(&e.at), 20),
                        cell(Some(&e.actor), 16),
                        cell(Some(&e.action), 22),
                        cell(Some(&on), 26),
                        cell(Some(&e.detail.to_string()), 60)
                    );
                }
                println!("head: entry {} {}", head.seq, head.hash);
            }
            ExitCode::SUCCESS
        }
    };
    register.close().await;
    Ok(code)
}

fn report(v: &AuditVerification, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(v);
    }
    if v.intact {
        let head = v.head.as_ref().expect("an intact chain has a head");
        println!(
            "audit log intact: {} entries, head {}, {} evidence file{} checked",
            v.entries,
            head.hash,
            v.files_checked,
            if v.files_checked == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    if let Some(b) = &v.chain_break {
        println!("audit log TAMPERED: {b}");
        println!("({} entries before it are intact)", v.entries);
    } else {
        let head = v.head.as_ref().expect("an intact chain has a head");
        println!(
            "audit log intact: {} entries, head {}",
            v.entries, head.hash
        );
    }
    for p in &v.file_problems {
        println!("evidence file TAMPERED: {}", p.message);
    }
    println!(
        "{} evidence file{} checked, {} bad",
        v.files_checked,
        if v.files_checked == 1 { "" } else { "s" },
        v.file_problems.len()
    );
    Ok(())
}

fn verify_export(file: &Path, public_key: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let reader = BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let mut verifier = ExportVerifier::new();
    let mut outcome = Ok(());
    for line in reader.lines() {
        let line = line.with_context(|| format!("cannot read {}", file.display()))?;
        if let Err(problem) = verifier.push_line(&line) {
            outcome = Err(problem);
            break;
        }
    }
    let outcome = outcome.and_then(|()| verifier.finish(public_key));
    match outcome {
        Ok(v) => {
            if json {
                print_json(&json!({ "intact": true, "verification": v }))?;
            } else {
                println!(
                    "export intact: {} entries, head {}",
                    v.head.seq, v.head.hash
                );
                match (&v.signed_by, v.key_checked) {
                    (Some(k), true) => println!("signed by the given key {k}"),
                    (Some(k), false) => println!(
                        "signed by {k} (the key written in the file: pass --public-key with the publisher's key to check who signed)"
                    ),
                    (None, _) => println!("not signed"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            if json {
                print_json(&json!({ "intact": false, "problem": problem.to_string() }))?;
            } else {
                println!("export TAMPERED: {problem}");
            }
            Ok(ExitCode::from(TAMPERED))
        }
    }
}

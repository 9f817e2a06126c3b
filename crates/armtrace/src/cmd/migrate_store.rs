//! `armtrace migrate-store --from LOCATION --to LOCATION`: copies a whole register
//! (records, revisions, accounts, trace requests, the audit log and evidence files)
//! into an empty one, SQLite to PostgreSQL or back (the application asks the store, `armtrace_store::copy`).
//!
//! Both registers are opened first, which brings both schemas up to date. After the
//! copy the target's audit log is verified (chain and files), so the summary can say
//! that the target holds the same log with the same head. Exit status: 0 when the copy
//! committed and the target verifies, 2 when it committed but the target does not
//! verify (the source is then checked too, to say whether it was already so), 1 when
//! nothing was copied.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use armtrace_app::Register;
use armtrace_app::types::{
    AuditVerification, CopyProgress, CopyReport, is_postgres, redact_password,
};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::print_json;

/// The exit status when the copy committed but the target's audit log does not verify.
const NOT_INTACT: u8 = 2;

#[derive(Args, Debug)]
pub struct MigrateStoreArgs {
    /// The register to copy: a SQLite file or a postgres:// URL.
    #[arg(long)]
    from: String,
    /// The empty register to copy into: a new SQLite file, or the postgres:// URL of an
    /// empty database (createdb NAME first).
    #[arg(long)]
    to: String,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Summary<'a> {
    from: String,
    to: String,
    seconds: f64,
    #[serde(flatten)]
    copy: &'a CopyReport,
    /// Where the target keeps its evidence files.
    evidence_root: &'a Path,
    /// `audit verify` on the target, after the copy.
    target_verification: &'a AuditVerification,
}

pub async fn run(args: MigrateStoreArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (from_name, to_name) = (redact_password(&args.from), redact_password(&args.to));
    // A new SQLite file made for this copy is removed again if the copy fails.
    let new_file = (!is_postgres(&args.to) && !args.to.starts_with("sqlite:"))
        .then(|| PathBuf::from(&args.to))
        .filter(|p| !p.exists());
    if !is_postgres(&args.from) {
        // Opening creates a missing file: a mistyped --from would copy an empty register.
        let file = args
            .from
            .strip_prefix("sqlite:")
            .map_or(args.from.as_str(), |rest| {
                rest.trim_start_matches("//")
                    .split('?')
                    .next()
                    .unwrap_or(rest)
            });
        anyhow::ensure!(
            Path::new(file).is_file(),
            "the source register {file} does not exist: give --from the path of an existing register file"
        );
    }
    let from = super::open(&args.from)
        .await
        .with_context(|| format!("cannot open the source register {from_name}"))?;
    let to = super::open(&args.to)
        .await
        .with_context(|| format!("cannot open the target register {to_name}"))?;
    let new_root = (!to.evidence_root().exists()).then(|| to.evidence_root().to_owned());

    let bar = progress_bar();
    let on_progress = |p: CopyProgress| {
        bar.set_length(p.total_rows);
        bar.set_position(p.rows);
        bar.set_message(p.table);
    };
    let copied = from.copy_into(&to, &on_progress).await;
    bar.finish_and_clear();
    let report = match copied {
        Ok(report) => report,
        Err(e) => {
            to.close().await;
            from.close().await;
            remove_new_target(new_file.as_deref(), new_root.as_deref());
            return Err(e).with_context(|| format!("cannot copy {from_name} to {to_name}"));
        }
    };
    let verification = super::desk(&to).audit_verify().await?;
    let seconds = started.elapsed().as_secs_f64();

    if args.json {
        print_json(&Summary {
            from: from_name.clone(),
            to: to_name.clone(),
            seconds,
            copy: &report,
            evidence_root: to.evidence_root(),
            target_verification: &verification,
        })?;
    } else {
        print_summary(&from_name, &to_name, seconds, &report, &to, &verification);
        let (from_key, to_key) = (from.audit_key_path(), to.audit_key_path());
        if from_key.exists() && !to_key.exists() {
            println!(
                "the audit signing key stays at {}: copy it to {} (mode 0600) to sign the target's exports with the same public key",
                from_key.display(),
                to_key.display()
            );
        }
    }
    let code = if verification.intact {
        ExitCode::SUCCESS
    } else {
        let source = super::desk(&from).audit_verify().await?;
        eprintln!(
            "the target's audit log does not verify ({}); {}. Run `armtrace --db … audit verify` on each for details",
            describe_problem(&verification),
            if source.intact {
                "the source verifies, so the copy went wrong: do not use the target"
            } else {
                "the source does not verify either: the copy is faithful to it"
            }
        );
        ExitCode::from(NOT_INTACT)
    };
    from.close().await;
    to.close().await;
    Ok(code)
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("copying [{bar:30}] {pos}/{len} rows, now {msg} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// Removes a target file (and its write-ahead log and evidence folder) this command
/// created for a copy that failed.
fn remove_new_target(file: Option<&Path>, evidence_root: Option<&Path>) {
    if let Some(file) = file {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = file.as_os_str().to_owned();
            path.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(path));
        }
    }
    if let Some(root) = evidence_root {
        let _ = std::fs::remove_dir_all(root);
    }
}

fn describe_problem(v: &AuditVerification) -> String {
    match (&v.chain_break, v.file_problems.first()) {
        (Some(b), _) => b.to_string(),
        (None, Some(p)) => p.message.clone(),
        (None, None) => "no details".into(),
    }
}

fn print_summary(
    from: &str,
    to_name: &str,
    seconds: f64,
    report: &CopyReport,
    to: &Register,
    verification: &AuditVerification,
) {
    println!(
        "copied {from} to {to_name} in {seconds:.2} s: {} rows in one transaction",
        report.total_rows()
    );
    for t in &report.tables {
        println!("  {:<16} {:>10}", t.table, t.rows);
    }
    if report.sessions_left_behind > 0 {
        println!(
            "  {} browser session{} left behind: users sign in again",
            report.sessions_left_behind,
            if report.sessions_left_behind == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    let e = &report.evidence;
    println!(
        "evidence files: {} ({} copied, {} already there, {} bytes) into {}",
        e.files,
        e.copied,
        e.already_present,
        e.bytes_copied,
        to.evidence_root().display()
    );
    for problem in &e.problems {
        println!("  {problem}");
    }
    println!(
        "audit head: entry {} {} in the source's snapshot and in the target",
        report.target_head.seq, report.target_head.hash
    );
    println!(
        "audit verify on the target: {} ({} entries, {} evidence file{} re-hashed)",
        if verification.intact {
            "intact"
        } else {
            "NOT INTACT"
        },
        verification.entries,
        verification.files_checked,
        if verification.files_checked == 1 {
            ""
        } else {
            "s"
        }
    );
}

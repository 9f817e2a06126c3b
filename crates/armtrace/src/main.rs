//! The `armtrace` command: a thin layer of argument parsing and printing over the core
//! and the store. Every query command prints a readable table by default and the
//! documented JSON with `--json`.

mod cmd;

/// mimalloc instead of the system allocator: imports allocate field strings on the reader
/// thread and free them on the writer thread, which glibc's malloc handles slowly
/// (measured: most of a million-row re-import was spent in free and consolidation).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// armtrace: trace conflict weapons from the point of recovery back to the factory.
#[derive(Parser, Debug)]
#[command(name = "armtrace", version, about, long_about = None)]
pub struct Cli {
    /// The register: a SQLite file path, or a PostgreSQL URL (postgres://user@host/db;
    /// its evidence files and signing key go to $ARMTRACE_FILES, default ./armtrace-<db>.*).
    #[arg(
        long,
        global = true,
        env = "ARMTRACE_DB",
        default_value = "./armtrace.db"
    )]
    db: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create an empty register (or bring an existing one up to date).
    Init,
    /// Import items or transfers from a file.
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// List and show documented items.
    #[command(subcommand)]
    Items(cmd::items::ItemsCommand),
    /// Documented transfers: list them, their statistics (SIPRI's figures from its raw
    /// register), and supply-line candidates for a recovered item.
    #[command(subcommand)]
    Transfers(cmd::transfers::TransfersCommand),
    /// Export the register for other tools.
    #[command(subcommand)]
    Export(cmd::export::ExportCommand),
    /// Find items by a serial as read: partial, misread or with filed-off characters.
    Search(cmd::search::SearchArgs),
    /// Link items into serial runs and lot clusters (same shipment, same lot).
    Link(cmd::chain::LinkArgs),
    /// Time from the last documented delivery to recovery, for every traceable item.
    Diversion(cmd::chain::DiversionArgs),
    /// One item's chain of custody, with the evidence for each step.
    Custody(cmd::chain::CustodyArgs),
    /// Trace requests to manufacturers and states.
    #[command(subcommand)]
    Trace(cmd::trace::TraceCommand),
    /// What a headstamp or marking most likely means (factory, country, year).
    Identify(cmd::identify::IdentifyArgs),
    /// Cross-tabulate items: counts and shares by one to three fields, or the
    /// time-to-diversion distribution.
    Stats(cmd::stats::StatsArgs),
    /// Draw a chart as SVG or PNG: bars, stacked, diversion-histogram or recoveries.
    Chart(cmd::stats::ChartArgs),
    /// Write a findings report (HTML, or PDF through headless Chromium) for a selection.
    Report(cmd::stats::ReportArgs),
    /// Build the synthetic demo investigation into the register.
    Demo(cmd::demo::DemoArgs),
    /// Serve the web application and its API (http://127.0.0.1:8080/ by default).
    Serve(cmd::serve::ServeArgs),
    /// Users of the web application and their roles and grants.
    #[command(subcommand)]
    User(cmd::accounts::UserCommand),
    /// API tokens (`Authorization: Bearer …`).
    #[command(subcommand)]
    Token(cmd::accounts::TokenCommand),
    /// The tamper-evident audit log: verify it, export and sign it, list it.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// Photos and documents attached to items, stored by their SHA-256.
    #[command(subcommand)]
    Evidence(cmd::evidence::EvidenceCommand),
    /// Copy a whole register into an empty one: SQLite to PostgreSQL or back.
    MigrateStore(cmd::migrate_store::MigrateStoreArgs),
}

fn main() -> ExitCode {
    // Die quietly when the reader of our output goes away (`armtrace link | head`), as
    // command-line tools do, instead of panicking on a broken pipe.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ARMTRACE_LOG")
                .unwrap_or_else(|_| "warn,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init => cmd::init(&cli.db).await,
        Command::Import(c) => cmd::import::run(&cli.db, c).await,
        Command::Items(c) => cmd::items::run(&cli.db, c).await,
        Command::Transfers(c) => cmd::transfers::run(&cli.db, c).await,
        Command::Export(c) => cmd::export::run(&cli.db, c).await,
        Command::Search(a) => cmd::search::run(&cli.db, a).await,
        Command::Link(a) => cmd::chain::link(&cli.db, a).await,
        Command::Diversion(a) => cmd::chain::diversion(&cli.db, a).await,
        Command::Custody(a) => cmd::chain::custody(&cli.db, a).await,
        Command::Trace(c) => cmd::trace::run(&cli.db, c).await,
        Command::Identify(a) => cmd::identify::run(a),
        Command::Stats(a) => cmd::stats::stats(&cli.db, a).await,
        Command::Chart(a) => cmd::stats::chart(&cli.db, a).await,
        Command::Report(a) => cmd::stats::report(&cli.db, a).await,
        Command::Demo(a) => cmd::demo::run(&cli.db, a).await,
        Command::Serve(a) => cmd::serve::run(&cli.db, a).await,
        Command::User(c) => cmd::accounts::user(&cli.db, c).await,
        Command::Token(c) => cmd::accounts::token(&cli.db, c).await,
        Command::Audit(c) => cmd::audit::run(&cli.db, c).await,
        Command::Evidence(c) => cmd::evidence::run(&cli.db, c).await,
        Command::MigrateStore(a) => cmd::migrate_store::run(a).await,
    }
}

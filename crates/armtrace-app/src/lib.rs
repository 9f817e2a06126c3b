//! The armtrace application layer: what the command line and the web application ask of
//! the register, answered as plain data whatever the client (in the sense of
//! rust-analyzer's `ide` crate: the right API between the front ends and the analysis
//! below them).
//!
//! ```no_run
//! # async fn run() -> armtrace_app::AppResult<()> {
//! use armtrace_app::{Register, Warmth, ItemParams};
//! use armtrace_core::Clearance;
//!
//! let register = Register::open("armtrace.db", None, Warmth::Lazy).await?;
//! let public = register.for_viewer(&Clearance::public());
//! let page = public.items(&ItemParams::default().parse()?, 0, Some(50)).await?;
//! println!("{} public items", page.total);
//! # Ok(()) }
//! ```
//!
//! * [`Register`] holds the store and the caches built from it (serial index, statistics
//!   columns, transfer index) with the register version they describe.
//! * [`Register::for_viewer`] is the only way to read: every method of the [`View`] it
//!   returns applies the viewer's [`Clearance`](armtrace_core::Clearance) (items, lists,
//!   exports, search, links, custody, diversions, statistics with the never-public
//!   fields, transfers, trace requests, evidence, audit).
//! * [`Register::for_actor`] is the only way to write: the [`Desk`] it returns checks
//!   the actor's role and appends every write's audit entry (imports, trace requests,
//!   evidence, accounts).
//! * Parameters are parsed here once ([`ItemParams`], [`SearchParams`], …), so the
//!   same bad value gets the same message from the command line and the API.
//! * [`render`] is the one home of documents made from results: match explanations,
//!   the printable trace request, the custody account, charts and findings reports.
//!
//! What this crate must not do: speak HTTP or parse command lines, or print. Nothing
//! above it decides who may see what; nothing below it knows who is asking beyond the
//! clearance it is handed.

mod accounts;
mod actor;
mod audit;
pub mod clock;
mod demo;
mod error;
mod evidence;
mod imports;
mod items;
mod migrate;
mod params;
mod register;
pub mod render;
mod reports;
mod search;
mod stats;
mod supply;
mod trace;
mod transfers;

pub use accounts::{
    ClearanceSummary, LOGIN_ATTEMPTS, LOGIN_WINDOW, SignIn, SignInRefusal, UserEntry,
    canonical_name, describe_clearance, generate_password,
};
pub use actor::{Actor, Desk, View};
pub use armtrace_store::accounts::SESSION_HOURS;
pub use demo::{DemoReport, write_demo_files};
pub use error::{AppError, AppResult};
pub use evidence::{EvidenceDownload, EvidenceEntry, MAX_BYTES as MAX_EVIDENCE_BYTES};
pub use imports::{ImportJob, ImportKind, ImportRequest, ImportState};
pub use items::{ItemDetail, ItemPage, ItemRecord};
pub use params::{ItemParams, ItemQuery, parse_count};
pub use register::{Register, Warmth};
pub use reports::{ChartKind, ChartRequest};
pub use search::{SearchMatch, SearchParams, SearchRequest, SearchResult};
pub use stats::{StatsParams, expand_wheres, parse_wheres};
pub use supply::{ItemLinks, LotLinks, Member, RunLinks};
pub use trace::{ACTIONS, NewTrace, TraceList, TraceStep, TraceView, next_actions};
pub use transfers::TransferPage;

/// Types of the layers below that cross this API unchanged.
pub mod types {
    pub use armtrace_store::accounts::{ApiToken, User};
    pub use armtrace_store::audit::{AuditKey, AuditVerification};
    pub use armtrace_store::copy::{CopyProgress, CopyReport};
    pub use armtrace_store::export::ExportFormat;
    pub use armtrace_store::import::{
        Format, ImportInput, ImportOptions, ImportProgress, ImportReport, MAX_LISTED_ERRORS,
        Mapping,
    };
    pub use armtrace_store::items::Revision;
    pub use armtrace_store::map::ItemPoint;
    pub use armtrace_store::store::{RegisterCounts, is_postgres, redact_password};
}

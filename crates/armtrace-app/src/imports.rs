//! Imports of items and transfers by an actor: read from any input (a file, an upload,
//! a reader), atomic, idempotent, checked row by row, audited; run at once (the command
//! line) or as a job whose progress can be followed (the web).
//!
//! Jobs are kept in memory for the running server, the last [`KEPT_IMPORTS`]; their ids
//! are random, so nobody can list others' imports by counting, and an actor sees only
//! the jobs they started (admins see all: reports name rows and values of others'
//! files).

use std::sync::Mutex;

use armtrace_core::{Item, Transfer};
use armtrace_store::import::{
    Format, ImportInput, ImportOptions, ImportProgress, ImportReport, Mapping,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::actor::Desk;
use crate::error::{AppError, AppResult};

/// What a file holds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Items,
    Transfers,
}

impl std::str::FromStr for ImportKind {
    type Err = AppError;
    fn from_str(s: &str) -> AppResult<ImportKind> {
        match s.trim() {
            "items" => Ok(ImportKind::Items),
            "transfers" => Ok(ImportKind::Transfers),
            other => Err(AppError::bad_parameter(
                "kind",
                other,
                "use items or transfers",
            )),
        }
    }
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Items => "items",
            ImportKind::Transfers => "transfers",
        }
    }
}

/// An import to run.
#[derive(Debug)]
pub struct ImportRequest {
    pub kind: ImportKind,
    pub input: ImportInput,
    /// How to read it; by default from the input's name.
    pub format: Option<Format>,
    pub mapping: Option<Mapping>,
    /// Validate and report, write nothing.
    pub dry_run: bool,
    /// Write the valid rows and report the others.
    pub skip_invalid: bool,
    /// Leave out unknown columns instead of failing.
    pub ignore_unknown: bool,
}

impl ImportRequest {
    /// An import of `input` with the defaults: all or nothing, every column known.
    pub fn new(kind: ImportKind, input: ImportInput) -> ImportRequest {
        ImportRequest {
            kind,
            input,
            format: None,
            mapping: None,
            dry_run: false,
            skip_invalid: false,
            ignore_unknown: false,
        }
    }

    /// The format to read the input in, or why there is none.
    fn resolve_format(&self) -> AppResult<Format> {
        let name = self.input.name();
        let format = self
            .format
            .or_else(|| Format::from_path(std::path::Path::new(name)))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "cannot tell the format of {name:?} from its name: give a .csv, .jsonl or .xlsx file, or say which format it is (csv, jsonl, xlsx or sipri)"
                ))
            })?;
        if format == Format::Sipri && self.kind == ImportKind::Items {
            return Err(AppError::BadRequest(
                "the sipri format reads the SIPRI Arms Transfers Database, which holds transfers, not items: import it as transfers".to_owned(),
            ));
        }
        Ok(format)
    }
}

/// The state of an import job.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Running,
    /// Committed, or a dry run that finished.
    Done,
    /// Nothing was written: see `error` and `report`.
    Failed,
}

/// An import job and its progress.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportJob {
    /// Random, so that ids cannot be guessed.
    pub id: u64,
    pub kind: ImportKind,
    pub file_name: String,
    pub state: ImportState,
    pub dry_run: bool,
    /// Data rows read so far.
    pub rows: u64,
    pub bytes_read: u64,
    pub total_bytes: u64,
    /// The import report once finished: the command line's `--json` report.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub report: Option<ImportReport>,
    /// Why the import failed as a whole (unreadable file, unknown columns, …).
    pub error: Option<String>,
    pub started_by: String,
    pub started_at: String,
}

/// Finished imports kept for their reports.
pub const KEPT_IMPORTS: usize = 100;

/// The import jobs of a running server, newest last.
#[derive(Default)]
pub(crate) struct ImportJobs {
    jobs: Mutex<Vec<(u64, watch::Receiver<ImportJob>)>>,
}

/// A random job id that JavaScript can hold exactly (below 2^53).
fn job_id() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    (u64::from_le_bytes(bytes) & ((1 << 53) - 1)).max(1)
}

impl ImportJobs {
    fn start(&self, job: ImportJob) -> watch::Sender<ImportJob> {
        let id = job.id;
        let (tx, rx) = watch::channel(job);
        let mut jobs = self.jobs.lock().expect("imports lock");
        jobs.push((id, rx));
        if jobs.len() > KEPT_IMPORTS {
            let excess = jobs.len() - KEPT_IMPORTS;
            jobs.drain(..excess);
        }
        tx
    }
}

impl Desk<'_> {
    /// Whether the actor may follow a job: their own, or any for admins.
    fn follows(&self, job: &ImportJob) -> bool {
        self.actor.role.is_admin() || job.started_by == self.actor.name
    }

    fn options(&self, request: &ImportRequest, format: Format) -> ImportOptions {
        let mut options = ImportOptions::new(format, self.actor.name.clone());
        options.mapping = request.mapping.clone();
        options.dry_run = request.dry_run;
        options.skip_invalid = request.skip_invalid;
        options.ignore_unknown = request.ignore_unknown;
        options.clearance = self.actor.clearance.clone();
        options
    }

    /// Runs an import now; `progress` hears of each batch.
    pub async fn import(
        &self,
        request: ImportRequest,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> AppResult<ImportReport> {
        self.writer("import files")?;
        let format = request.resolve_format()?;
        let options = self.options(&request, format);
        let store = self.register.store();
        let report = match request.kind {
            ImportKind::Items => {
                store
                    .import::<Item>(request.input, &options, progress)
                    .await?
            }
            ImportKind::Transfers => {
                store
                    .import::<Transfer>(request.input, &options, progress)
                    .await?
            }
        };
        if wrote(&report, &options) {
            self.register.after_write().await;
        }
        Ok(report)
    }

    /// Starts an import as a job and returns a receiver of its progress. An input that
    /// cannot be read at all is a job that has failed (like an unreadable file).
    pub fn start_import(&self, request: ImportRequest) -> AppResult<watch::Receiver<ImportJob>> {
        self.writer("import files")?;
        let format = request.resolve_format();
        let job = ImportJob {
            id: job_id(),
            kind: request.kind,
            file_name: request.input.name().to_owned(),
            state: ImportState::Running,
            dry_run: request.dry_run,
            rows: 0,
            bytes_read: 0,
            total_bytes: 0,
            report: None,
            error: None,
            started_by: self.actor.name.clone(),
            started_at: jiff::Timestamp::now().to_string(),
        };
        let format = match format {
            Ok(f) => f,
            Err(e) => {
                let failed = ImportJob {
                    state: ImportState::Failed,
                    error: Some(e.to_string()),
                    ..job
                };
                return Ok(self.register.imports.start(failed).subscribe());
            }
        };
        let tx = self.register.imports.start(job);
        let rx = tx.subscribe();
        let options = self.options(&request, format);
        let register = self.register.shared();
        let kind = request.kind;
        let input = request.input;
        tokio::spawn(async move {
            let progress = |p: ImportProgress| {
                tx.send_modify(|s| {
                    s.rows = p.rows;
                    s.bytes_read = p.bytes_read;
                    s.total_bytes = p.total_bytes;
                });
            };
            let store = register.store();
            let result = match kind {
                ImportKind::Items => store.import::<Item>(input, &options, &progress).await,
                ImportKind::Transfers => store.import::<Transfer>(input, &options, &progress).await,
            };
            if matches!(&result, Ok(r) if wrote(r, &options)) {
                register.after_write().await;
            }
            tx.send_modify(|s| match result {
                Ok(report) => {
                    let accepted = report.accepted(options.skip_invalid);
                    s.state = if accepted {
                        ImportState::Done
                    } else {
                        ImportState::Failed
                    };
                    if !accepted {
                        s.error = Some(format!(
                            "{} row{} invalid, so nothing was written: fix them (see the report) or import with skip_invalid",
                            report.rejected,
                            if report.rejected == 1 { " is" } else { "s are" }
                        ));
                    }
                    s.report = Some(report);
                }
                Err(e) => {
                    s.state = ImportState::Failed;
                    s.error = Some(AppError::from(e).to_string());
                }
            });
        });
        Ok(rx)
    }

    /// The jobs the actor may follow, newest first.
    pub fn import_jobs(&self) -> AppResult<Vec<ImportJob>> {
        self.writer("see imports")?;
        let jobs = self.register.imports.jobs.lock().expect("imports lock");
        Ok(jobs
            .iter()
            .rev()
            .map(|(_, rx)| rx.borrow().clone())
            .filter(|job| self.follows(job))
            .collect())
    }

    /// One job the actor may follow (absent otherwise: the same answer).
    pub fn import_job(&self, id: &str) -> AppResult<watch::Receiver<ImportJob>> {
        self.writer("see imports")?;
        let jobs = self.register.imports.jobs.lock().expect("imports lock");
        id.trim()
            .parse::<u64>()
            .ok()
            .and_then(|id| jobs.iter().find(|(i, _)| *i == id))
            .map(|(_, rx)| rx.clone())
            .filter(|rx| self.follows(&rx.borrow()))
            .ok_or_else(|| AppError::not_found("import", id))
    }
}

/// Whether an import changed the register.
fn wrote(report: &ImportReport, options: &ImportOptions) -> bool {
    !options.dry_run
        && report.accepted(options.skip_invalid)
        && report.inserted + report.updated > 0
}

//! What every request shares: the register, the in-memory search index and statistics
//! columns (rebuilt after each import, here or by another process sharing the register:
//! see [`AppState::follow_changes`]), the templates, the login limiter and the running
//! imports.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use armtrace_core::analytics::ItemColumns;
use armtrace_core::search::SerialIndex;
use armtrace_store::Store;
use armtrace_store::search::build_index;
use serde::Serialize;
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::templates::Templates;

/// How the server was started.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Mark session cookies `Secure` (set when the site is served over HTTPS, directly or
    /// behind a proxy).
    pub secure_cookies: bool,
}

/// The shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub options: ServeOptions,
    pub templates: Templates,
    index: RwLock<Arc<SerialIndex>>,
    columns: RwLock<Arc<ItemColumns>>,
    ready: AtomicBool,
    synthetic: AtomicBool,
    /// The register version the index and columns were built from.
    loaded_version: AtomicI64,
    /// Held while loading, so two reloads never interleave.
    loading: tokio::sync::Mutex<()>,
    pub logins: LoginLimiter,
    pub imports: Imports,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.location())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over an open register. Call [`AppState::load`] before answering searches
    /// (`serve` does it in the background; tests await it).
    pub fn new(store: Store, options: ServeOptions) -> anyhow::Result<AppState> {
        Ok(AppState(Arc::new(Inner {
            store,
            options,
            templates: Templates::load()?,
            index: RwLock::new(Arc::new(SerialIndex::build(std::iter::empty()))),
            columns: RwLock::new(Arc::new(ItemColumns::builder().finish())),
            ready: AtomicBool::new(false),
            synthetic: AtomicBool::new(false),
            loaded_version: AtomicI64::new(-1),
            loading: tokio::sync::Mutex::new(()),
            logins: LoginLimiter::default(),
            imports: Imports::default(),
        })))
    }

    /// Builds the search index and the statistics columns from the register and marks
    /// the server ready.
    pub async fn load(&self) -> anyhow::Result<()> {
        let _loading = self.loading.lock().await;
        // Read before building: a write committed meanwhile makes the version newer than
        // what was loaded, and the next check reloads again.
        let version = self.store.register_version().await?;
        let index = build_index(&self.store).await?;
        *self.index.write().expect("index lock") = Arc::new(index);
        let columns = self.store.item_columns().await?;
        // The same rule as reports use (`analytics::is_synthetic`), read off the columns.
        let synthetic = (0..columns.len()).any(|row| columns.is_synthetic(row));
        *self.columns.write().expect("columns lock") = Arc::new(columns);
        self.synthetic.store(synthetic, Ordering::Relaxed);
        self.loaded_version.store(version, Ordering::Release);
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// The register version the search index and columns were built from.
    pub fn loaded_version(&self) -> i64 {
        self.loaded_version.load(Ordering::Acquire)
    }

    /// Reloads whenever the register changes under this server (another `armtrace
    /// serve` sharing the PostgreSQL database, or a command-line import): at once on
    /// PostgreSQL (LISTEN/NOTIFY), within `poll` otherwise. Runs until the process ends.
    pub async fn follow_changes(&self, poll: Duration) -> anyhow::Result<()> {
        let mut versions = self.store.watch_versions(poll).await?;
        loop {
            let version = *versions.borrow_and_update();
            if self.is_ready() && version != self.loaded_version() {
                tracing::info!(version, "the register changed: reloading the search index");
                if let Err(e) = self.load().await {
                    tracing::error!("cannot reload the register: {e}");
                }
            }
            if versions.changed().await.is_err() {
                return Ok(());
            }
        }
    }

    /// The current search index.
    pub fn index(&self) -> Arc<SerialIndex> {
        self.index.read().expect("index lock").clone()
    }

    /// The current statistics columns.
    pub fn columns(&self) -> Arc<ItemColumns> {
        self.columns.read().expect("columns lock").clone()
    }

    /// Whether the register is loaded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the register holds the synthetic demo data (shown as a banner).
    pub fn is_synthetic(&self) -> bool {
        self.synthetic.load(Ordering::Relaxed)
    }
}

/// Failed sign-ins per client address and per user name, in a sliding window.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// Failed sign-ins allowed per key in [`LOGIN_WINDOW`].
pub const LOGIN_ATTEMPTS: usize = 5;
/// The window of the login limiter.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    /// `Err(seconds to wait)` when any of the keys has used up its attempts.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        let mut wait = 0;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
                if times.len() >= LOGIN_ATTEMPTS {
                    let oldest = times[0];
                    wait = wait.max((LOGIN_WINDOW - now.duration_since(oldest)).as_secs() + 1);
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records a failed attempt against every key.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        for key in keys {
            map.entry(key.clone()).or_default().push(now);
        }
    }

    /// Clears the keys after a successful sign-in.
    pub fn succeed(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("limiter lock");
        for key in keys {
            map.remove(key);
        }
    }
}

/// The state of an import started from the web.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportStatus {
    pub id: u64,
    /// `items` or `transfers`.
    pub kind: String,
    pub file_name: String,
    /// `running`, `done` (committed or dry run finished) or `failed`.
    pub state: String,
    pub dry_run: bool,
    /// Data rows read so far.
    pub rows: u64,
    pub bytes_read: u64,
    pub total_bytes: u64,
    /// The import report once finished: the CLI's `--json` report.
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
    /// Why the import failed as a whole (unreadable file, unknown columns, …).
    pub error: Option<String>,
    pub started_by: String,
    pub started_at: String,
}

/// Imports started from the web, newest last.
#[derive(Default)]
pub struct Imports {
    next: AtomicU64,
    jobs: Mutex<Vec<(u64, watch::Receiver<ImportStatus>)>>,
}

/// Finished imports kept for their reports.
const KEPT_IMPORTS: usize = 100;

impl Imports {
    /// Registers a new import; the sender publishes its progress.
    pub fn start(&self, make: impl FnOnce(u64) -> ImportStatus) -> watch::Sender<ImportStatus> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = watch::channel(make(id));
        let mut jobs = self.jobs.lock().expect("imports lock");
        jobs.push((id, rx));
        if jobs.len() > KEPT_IMPORTS {
            let excess = jobs.len() - KEPT_IMPORTS;
            jobs.drain(..excess);
        }
        tx
    }

    pub fn watch(&self, id: u64) -> Option<watch::Receiver<ImportStatus>> {
        let jobs = self.jobs.lock().expect("imports lock");
        jobs.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, rx)| rx.clone())
    }

    pub fn list(&self) -> Vec<ImportStatus> {
        let jobs = self.jobs.lock().expect("imports lock");
        jobs.iter()
            .rev()
            .map(|(_, rx)| rx.borrow().clone())
            .collect()
    }
}

//! The register as the application holds it: the store, and what is built from it and
//! kept in memory (the serial index, the statistics columns and the transfer index),
//! together with the register version they were built from.
//!
//! A server keeps them warm: [`Register::refresh`] builds all three before it answers
//! and again whenever the version moves ([`Register::follow_changes`]: after its own
//! imports, and when another process sharing the register writes). A command builds
//! each only when it first needs it, so `items show` never loads a search index.
//!
//! Reading goes through [`Register::for_viewer`], writing through
//! [`Register::for_actor`]; this module only holds and refreshes the caches.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use armtrace_core::analytics::ItemColumns;
use armtrace_core::custody::TransferIndex;
use armtrace_core::search::SerialIndex;
use armtrace_store::Store;
use tokio::sync::OnceCell;

use crate::accounts::LoginLimiter;
use crate::error::{AppError, AppResult};
use crate::imports::ImportJobs;

/// How a register is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warmth {
    /// Build every cache before answering and rebuild it when the register changes
    /// (a server).
    Warm,
    /// Build each cache on first use (a command that runs once).
    Lazy,
}

/// The caches of one register version.
struct Caches {
    version: i64,
    index: OnceCell<Arc<SerialIndex>>,
    columns: OnceCell<Arc<ItemColumns>>,
    transfers: OnceCell<Arc<TransferIndex>>,
}

impl Caches {
    fn new(version: i64) -> Caches {
        Caches {
            version,
            index: OnceCell::new(),
            columns: OnceCell::new(),
            transfers: OnceCell::new(),
        }
    }
}

/// An open register with its caches. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Register(Arc<Inner>);

/// What a [`Register`] shares.
pub struct Inner {
    store: Store,
    warmth: Warmth,
    caches: RwLock<Arc<Caches>>,
    /// A warm register has built its caches at least once.
    ready: AtomicBool,
    /// Whether the register holds synthetic records (read off the columns).
    synthetic: AtomicBool,
    loaded_version: AtomicI64,
    /// Held while refreshing, so two refreshes never interleave.
    refreshing: tokio::sync::Mutex<()>,
    /// Threads the core may use for one large computation (statistics, batch search).
    threads: usize,
    pub(crate) imports: ImportJobs,
    pub(crate) logins: LoginLimiter,
}

impl std::ops::Deref for Register {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("location", &self.location())
            .finish_non_exhaustive()
    }
}

impl Register {
    /// Opens (and migrates) the register at `location`: a SQLite path or a PostgreSQL
    /// URL. A PostgreSQL register keeps its evidence files and signing key in
    /// `files_dir` when given.
    pub async fn open(
        location: &str,
        files_dir: Option<std::path::PathBuf>,
        warmth: Warmth,
    ) -> AppResult<Register> {
        let store = Store::open(location).await.map_err(open_error(location))?;
        let store = match files_dir {
            Some(dir) if armtrace_store::store::is_postgres(location) => store.with_files_dir(dir),
            _ => store,
        };
        Ok(Register::over(store, warmth))
    }

    /// A register over an open store.
    pub fn over(store: Store, warmth: Warmth) -> Register {
        Register(Arc::new(Inner {
            store,
            warmth,
            caches: RwLock::new(Arc::new(Caches::new(-1))),
            ready: AtomicBool::new(false),
            synthetic: AtomicBool::new(false),
            loaded_version: AtomicI64::new(-1),
            refreshing: tokio::sync::Mutex::new(()),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            imports: ImportJobs::default(),
            logins: LoginLimiter::default(),
        }))
    }

    /// Another handle on the same register (for work that outlives a request).
    pub(crate) fn shared(&self) -> Register {
        self.clone()
    }

    /// The store, for this crate's modules.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Where the register lives, with any password hidden.
    pub fn location(&self) -> String {
        armtrace_store::store::redact_password(self.store.location())
    }

    /// Threads the core may use for one computation.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Closes the connections (on SQLite, checkpointing the write-ahead log).
    pub async fn close(self) {
        self.0.store.clone().close().await;
    }

    /// Rebuilds the caches from the register as it is now (a warm register builds all of
    /// them before this returns; a lazy one drops them to be rebuilt on use).
    pub async fn refresh(&self) -> AppResult<()> {
        let _refreshing = self.refreshing.lock().await;
        // Read before building: a write committed meanwhile makes the version newer than
        // what was loaded, and the next check refreshes again.
        let version = self.store.register_version().await?;
        let caches = Arc::new(Caches::new(version));
        if self.warmth == Warmth::Warm {
            let index = build_index(&self.store, self.threads).await?;
            let _ = caches.index.set(Arc::new(index));
            let columns = self.load_columns().await?;
            let _ = caches.columns.set(columns);
            let transfers = Arc::new(TransferIndex::new(self.store.transfers().await?));
            let _ = caches.transfers.set(transfers);
        }
        *self.caches.write().expect("caches lock") = caches;
        self.loaded_version.store(version, Ordering::Release);
        if self.warmth == Warmth::Warm {
            self.ready.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Refreshes whenever the register changes under this process (another server
    /// sharing the database, or a command-line import): at once on PostgreSQL
    /// (LISTEN/NOTIFY), within `poll` otherwise. Runs until the process ends.
    pub async fn follow_changes(&self, poll: Duration) -> AppResult<()> {
        let mut versions = self.store.watch_versions(poll).await?;
        loop {
            let version = *versions.borrow_and_update();
            if self.is_ready() && version != self.loaded_version() {
                tracing::info!(version, "the register changed: rebuilding its caches");
                if let Err(e) = self.refresh().await {
                    tracing::error!("cannot rebuild the caches of the register: {e}");
                }
            }
            if versions.changed().await.is_err() {
                return Ok(());
            }
        }
    }

    /// The register version the caches were built from (-1 before the first refresh).
    pub fn loaded_version(&self) -> i64 {
        self.loaded_version.load(Ordering::Acquire)
    }

    /// Whether a warm register has built its caches.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the register holds synthetic (demo or test) records, so that everything
    /// made from it says so. Known once the statistics columns are built.
    pub fn is_synthetic(&self) -> bool {
        self.synthetic.load(Ordering::Relaxed)
    }

    fn current(&self) -> Arc<Caches> {
        self.caches.read().expect("caches lock").clone()
    }

    /// The serial index of the current version.
    pub(crate) async fn index(&self) -> AppResult<Arc<SerialIndex>> {
        let caches = self.current();
        caches
            .index
            .get_or_try_init(|| async {
                Ok(Arc::new(build_index(&self.store, self.threads).await?))
            })
            .await
            .cloned()
    }

    /// The statistics columns of the current version.
    pub(crate) async fn columns(&self) -> AppResult<Arc<ItemColumns>> {
        let caches = self.current();
        caches
            .columns
            .get_or_try_init(|| self.load_columns())
            .await
            .cloned()
    }

    /// The transfers and their coverage index, of the current version.
    pub(crate) async fn transfer_index(&self) -> AppResult<Arc<TransferIndex>> {
        let caches = self.current();
        caches
            .transfers
            .get_or_try_init(|| async {
                Ok(Arc::new(TransferIndex::new(self.store.transfers().await?)))
            })
            .await
            .cloned()
    }

    async fn load_columns(&self) -> AppResult<Arc<ItemColumns>> {
        let columns = self.store.item_columns().await?;
        // The same rule as reports use (`analytics::is_synthetic`), read off the columns.
        let synthetic = (0..columns.len()).any(|row| columns.is_synthetic(row));
        self.synthetic.store(synthetic, Ordering::Relaxed);
        Ok(Arc::new(columns))
    }

    /// After a write by this process: a warm register rebuilds at once (its searches
    /// must find what was just imported), a lazy one drops its caches.
    pub(crate) async fn after_write(&self) {
        if let Err(e) = self.refresh().await {
            tracing::error!("cannot rebuild the caches after a write: {e}");
        }
    }

    /// The version the caches describe, for tests and logs.
    pub fn cached_version(&self) -> i64 {
        self.current().version
    }
}

/// Builds the serial index from every serial in the register (ids as `u32`).
async fn build_index(store: &Store, threads: usize) -> AppResult<SerialIndex> {
    Ok(armtrace_store::search::build_index(store, threads).await?)
}

/// Opening failures name the register and say what to check.
fn open_error(location: &str) -> impl FnOnce(armtrace_store::StoreError) -> AppError {
    let shown = armtrace_store::store::redact_password(location);
    move |e| match e {
        armtrace_store::StoreError::Input(m) => AppError::BadRequest(m),
        other => AppError::BadRequest(format!("cannot open the register {shown}: {other}")),
    }
}

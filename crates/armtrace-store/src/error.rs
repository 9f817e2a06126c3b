//! The store's error type: what went wrong, phrased so the user knows what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("could not apply the database migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The request's fault: input that cannot be taken as a whole (bad header, unknown
    /// columns, unreadable format), or a value the register does not accept (a short
    /// password, a taken name). The message says what to change.
    #[error("{0}")]
    Input(String),

    /// The register's own failure, not the request's: a disk or file the store writes,
    /// a connection or a task that stopped. The message is for the operator's log.
    #[error("{0}")]
    Failed(String),

    #[error("{kind} {reference:?} is not in the register")]
    NotFound {
        kind: &'static str,
        reference: String,
    },

    #[error(
        "the register holds a value it cannot read back ({0}); was it edited outside armtrace?"
    )]
    Corrupt(String),

    #[error("{0}")]
    Unsupported(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

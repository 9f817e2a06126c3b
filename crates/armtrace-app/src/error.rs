//! What can go wrong when a front end asks the application for something, in two kinds:
//! the request's fault (a bad parameter, a record that is absent or hidden, a step that
//! is not allowed: the message says what to do) and the application's own failure (the
//! database or a disk failed: the message is generic and carries an id that the log
//! holds with the detail, so no internal text reaches a client).
//!
//! Front ends map each variant to their own form once: the web to a status code and a
//! JSON body or page, the command line to a message and an exit code.

use armtrace_store::StoreError;

/// An error of the application layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A parameter or field that cannot be read: its name, the value and why.
    #[error("parameter {name}={value:?}: {reason}")]
    BadParameter {
        name: String,
        value: String,
        reason: String,
    },
    /// A request that cannot be carried out as given (a missing parameter, a malformed
    /// upload, input that cannot be imported as a whole).
    #[error("{0}")]
    BadRequest(String),
    /// Absent, or not the viewer's to see: the same answer for both, so that hidden
    /// records cannot be probed.
    #[error("{kind} {reference:?} is not in the register")]
    NotFound {
        kind: &'static str,
        reference: String,
    },
    /// There is no such thing to give, for a reason the message says (a thumbnail of a
    /// file that is not a photo).
    #[error("{0}")]
    Unavailable(String),
    /// Only signed-in users may do this.
    #[error("sign in first to {0}")]
    SignInRequired(String),
    /// The viewer's role may not do this.
    #[error("your role may not {0}; ask an admin for a role that may")]
    Forbidden(String),
    /// The step clashes with the record's state (a closed request sent again, an edit
    /// of a changed revision).
    #[error("{0}")]
    Conflict(String),
    /// The input is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// The application failed (database, disk, another process): not the request's
    /// fault. The detail is in the server log under `id`.
    #[error("the register failed to answer (error {id}); the server log holds the detail")]
    Internal { id: String },
}

/// Results of the application layer.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_parameter(
        name: impl Into<String>,
        value: impl Into<String>,
        reason: impl std::fmt::Display,
    ) -> AppError {
        AppError::BadParameter {
            name: name.into(),
            value: value.into(),
            reason: reason.to_string(),
        }
    }

    pub fn not_found(kind: &'static str, reference: impl Into<String>) -> AppError {
        AppError::NotFound {
            kind,
            reference: reference.into(),
        }
    }

    /// The application's own failure: logs the detail under a fresh id and keeps only
    /// the id for the client.
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        let id = error_id();
        tracing::error!(error_id = %id, "{detail}");
        AppError::Internal { id }
    }

    /// Whether this is the application's failure rather than the request's.
    pub fn is_internal(&self) -> bool {
        matches!(self, AppError::Internal { .. })
    }
}

/// A short random id tying a client's error to the log line with its detail.
fn error_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // No random source: the time is unique enough to find the log line.
        let nanos = jiff::Timestamp::now().as_nanosecond() as u64;
        bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
    }
    hex::encode(bytes)
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound { kind, reference } => AppError::NotFound { kind, reference },
            StoreError::Input(message) => AppError::BadRequest(message),
            other => AppError::internal(other),
        }
    }
}

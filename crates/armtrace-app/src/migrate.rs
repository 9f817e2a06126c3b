//! Moving a whole register into an empty one, SQLite to PostgreSQL or back
//! (`armtrace migrate-store`): records, revisions, accounts, trace requests, the audit
//! log and evidence files, ids and values exactly as stored.

use armtrace_store::copy::{CopyProgress, CopyReport, copy_register};

use crate::error::AppResult;
use crate::register::Register;

impl Register {
    /// Copies this register into `target`, which must be empty; one transaction on the
    /// target, so it is all there or not at all.
    pub async fn copy_into(
        &self,
        target: &Register,
        progress: &(dyn Fn(CopyProgress) + Send + Sync),
    ) -> AppResult<CopyReport> {
        Ok(copy_register(self.store(), target.store(), progress).await?)
    }

    /// Where this installation's audit signing key is kept.
    pub fn audit_key_path(&self) -> std::path::PathBuf {
        self.store().audit_key_path()
    }

    /// Where this register keeps its evidence files.
    pub fn evidence_root(&self) -> &std::path::Path {
        self.store().evidence_root()
    }

    /// How many items, transfers and revisions the register holds.
    pub async fn counts(&self) -> AppResult<armtrace_store::store::RegisterCounts> {
        Ok(self.store().counts().await?)
    }
}

//! The tamper-evident audit log, for admins (and the command line): its entries and
//! head, a verification of the chain and the evidence files, a signed export, and the
//! installation's signing key. Every other write appends its entry where it is made.

use armtrace_core::audit::export::ExportHead;
use armtrace_core::audit::{AuditEntry, ChainHead};
use armtrace_store::audit::{AuditKey, AuditVerification};

use crate::actor::Desk;
use crate::error::{AppError, AppResult};

impl Desk<'_> {
    /// Entries after sequence number `after`, at most `limit`, in sequence order.
    pub async fn audit_entries(&self, after: i64, limit: u32) -> AppResult<Vec<AuditEntry>> {
        self.admin("read the audit log")?;
        Ok(self.register.store().audit_entries(after, limit).await?)
    }

    /// The newest entry's number and hash.
    pub async fn audit_head(&self) -> AppResult<ChainHead> {
        self.admin("read the audit log")?;
        Ok(self.register.store().audit_head().await?)
    }

    /// Recomputes the chain and re-hashes every evidence file.
    pub async fn audit_verify(&self) -> AppResult<AuditVerification> {
        self.admin("verify the audit log")?;
        Ok(self.register.store().audit_verify().await?)
    }

    /// This installation's signing key (created on first use, mode 0600).
    pub fn audit_key(&self) -> AppResult<AuditKey> {
        self.admin("use the audit key")?;
        AuditKey::load_or_create(&self.register.store().audit_key_path()).map_err(AppError::from)
    }

    /// Writes the log and its head as JSON Lines to `out`, signed with `key` if given.
    pub async fn audit_export(
        &self,
        out: Box<dyn std::io::Write + Send>,
        key: Option<&AuditKey>,
    ) -> AppResult<ExportHead> {
        self.admin("export the audit log")?;
        Ok(self
            .register
            .store()
            .audit_export(out, key.map(|k| *k.secret()))
            .await?)
    }
}

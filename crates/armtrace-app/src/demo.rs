//! The synthetic demo register: built into a register as one import of items and one of
//! transfers (records made by `armtrace_core::demo`, imported as they are, never through
//! a temporary file), or written out as canonical CSV files.

use std::path::Path;

use armtrace_core::demo;
use armtrace_store::demo_files::{write_items_csv, write_transfers_csv};
use armtrace_store::import::{Format, ImportOptions, ImportReport};
use armtrace_store::store::RegisterCounts;

use crate::actor::Desk;
use crate::error::{AppError, AppResult};

/// What building the demo did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub items: ImportReport,
    pub transfers: ImportReport,
    /// The register's records afterwards.
    pub counts: RegisterCounts,
}

impl Desk<'_> {
    /// Builds (or brings up to date) the demo register of `count` items from `seed`:
    /// the same size and seed always give the same register.
    pub async fn build_demo(&self, count: u64, seed: u64) -> AppResult<DemoReport> {
        self.writer("import files")?;
        let store = self.register.store();
        let mut options = ImportOptions::new(Format::Csv, self.actor.name.clone());
        options.clearance = self.actor.clearance.clone();
        let items = store
            .import_records(
                "demo-items.csv",
                demo::items(count, seed),
                &options,
                &|_| {},
            )
            .await?;
        let transfers = store
            .import_records(
                "demo-transfers.csv",
                demo::transfers(count, seed).into_iter(),
                &options,
                &|_| {},
            )
            .await?;
        if items.rejected > 0 || transfers.rejected > 0 {
            return Err(AppError::internal(format!(
                "the demo generator produced invalid rows: {:?}",
                items
                    .errors
                    .iter()
                    .chain(&transfers.errors)
                    .take(3)
                    .collect::<Vec<_>>()
            )));
        }
        self.register.after_write().await;
        Ok(DemoReport {
            items,
            transfers,
            counts: store.counts().await?,
        })
    }
}

/// Writes the demo's items and transfers as canonical CSV (`items.csv`,
/// `transfers.csv`) into `dir`.
pub fn write_demo_files(dir: &Path, count: u64, seed: u64) -> AppResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::BadRequest(format!("cannot create the folder {}: {e}", dir.display()))
    })?;
    write_items_csv(&dir.join("items.csv"), count, seed)?;
    write_transfers_csv(&dir.join("transfers.csv"), count, seed)?;
    Ok(())
}

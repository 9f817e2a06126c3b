//! Persistence for armtrace: the register on disk, and the file formats it is filled from
//! and exported to.
//!
//! * [`Store`] opens a register (a SQLite file by default, or a PostgreSQL database:
//!   the same code and the same migration versions for both), runs migrations on open,
//!   and reads and writes items, transfers, imports and revisions.
//! * [`changes`] tells a process that another one changed the register.
//! * [`copy`] copies a whole register between backends (`armtrace migrate-store`).
//! * [`import`] turns a CSV, JSON Lines or XLSX file into validated records and writes
//!   them atomically and idempotently, keeping a revision of every changed record.
//! * [`demo_files`] writes the synthetic demo register as CSV files to import.
//! * [`export`] writes items as CSV (re-importable), JSON Lines or GeoJSON.
//! * [`audit`] appends every write to a hash-chained log and checks it; [`evidence`]
//!   keeps photos and documents by the SHA-256 of their bytes.
//!
//! This crate knows nothing about HTTP or terminals: progress is reported through a
//! callback, errors are typed ([`StoreError`]) and the binary turns them into messages.

pub mod accounts;
pub mod audit;
mod bulk;
pub mod chain;
pub mod changes;
pub mod copy;
pub mod demo_files;
pub mod error;
pub mod evidence;
pub mod export;
pub mod import;
pub mod items;
pub mod map;
mod pg_copy;
pub mod record;
pub mod search;
pub mod statement;
pub mod stats;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod trace;
pub mod transfers;

pub use error::StoreError;
pub use store::Store;

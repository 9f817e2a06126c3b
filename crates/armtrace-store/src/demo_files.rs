//! The synthetic demo register (`armtrace_core::demo`) written as canonical CSV files,
//! ready to import: what `armtrace demo` imports, what `armtrace demo --out-dir` leaves
//! on disk, and what the benchmarks (`armtrace-bench`) measure imports with.
//!
//! The rows are generated, never read from a register; the files re-import to the same
//! demo register for the same size and seed.

use std::path::Path;

use armtrace_core::{ITEM_FIELDS, TRANSFER_FIELDS, demo};

use crate::error::{Result, StoreError};

/// Writes `count` demo items of `seed` to `path` as CSV with the canonical header.
pub fn write_items_csv(path: &Path, count: u64, seed: u64) -> Result<()> {
    write_csv(
        path,
        &ITEM_FIELDS,
        demo::items(count, seed).map(|item| item.to_strings()),
    )
}

/// Writes the transfers that go with `count` demo items of `seed` to `path` as CSV with
/// the canonical header.
pub fn write_transfers_csv(path: &Path, count: u64, seed: u64) -> Result<()> {
    write_csv(
        path,
        &TRANSFER_FIELDS,
        demo::transfers(count, seed)
            .into_iter()
            .map(|transfer| transfer.to_strings()),
    )
}

/// One CSV file, created or truncated. Its rows are buffered in large blocks: a
/// ten-million-item demo file is gigabytes.
fn write_csv<const N: usize>(
    path: &Path,
    header: &[&str],
    records: impl Iterator<Item = [String; N]>,
) -> Result<()> {
    let failed = |source: std::io::Error| StoreError::Write {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::create(path).map_err(failed)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    w.write_record(header).map_err(|e| failed(e.into()))?;
    for record in records {
        w.write_record(&record).map_err(|e| failed(e.into()))?;
    }
    w.flush().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_hold_the_demo_register_row_for_row() {
        let dir = tempfile::tempdir().unwrap();
        let items = dir.path().join("items.csv");
        let transfers = dir.path().join("transfers.csv");
        write_items_csv(&items, 40, 3).unwrap();
        write_transfers_csv(&transfers, 40, 3).unwrap();

        let mut r = csv::Reader::from_path(&items).unwrap();
        assert_eq!(r.headers().unwrap(), ITEM_FIELDS.as_slice());
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|row| row.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let expected: Vec<Vec<String>> = demo::items(40, 3)
            .map(|i| i.to_strings().to_vec())
            .collect();
        assert_eq!(rows, expected);

        let mut r = csv::Reader::from_path(&transfers).unwrap();
        assert_eq!(r.headers().unwrap(), TRANSFER_FIELDS.as_slice());
        assert_eq!(r.records().count(), demo::transfers(40, 3).len());
    }

    #[test]
    fn a_file_that_cannot_be_created_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("items.csv");
        let e = write_items_csv(&path, 1, 1).unwrap_err();
        assert!(
            matches!(&e, StoreError::Write { path: p, .. } if *p == path),
            "{e}"
        );
        assert!(e.to_string().contains("missing-folder"), "{e}");
    }
}

//! The PostgreSQL sink against the SQLite one: the same files (new records in many COPY
//! chunks, changed records in more than one staged batch, both in one file) leave the
//! two registers exporting the same bytes, with the same revisions and a verifying
//! audit log. The items are the synthetic demo's. Runs on PostgreSQL when
//! `ARMTRACE_TEST_POSTGRES_URL` is set.

use armtrace_core::{ITEM_FIELDS, Item};

use super::{CHUNK_BYTES, UPDATE_BATCH};
use crate::export::ExportFormat;
use crate::import::{Format, ImportOptions};
use crate::items::ItemFilter;
use crate::testing::{TestBackend, TestRegister};

/// Demo items 1..=`count`, every `changed`-th (from the first) with new notes.
fn write_items(path: &std::path::Path, count: u64, changed: Option<usize>) {
    let notes = ITEM_FIELDS.iter().position(|f| *f == "notes").unwrap();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(ITEM_FIELDS).unwrap();
    for (n, item) in armtrace_core::demo::items(count, 3).enumerate() {
        let mut row = item.to_strings();
        if changed.is_some_and(|every| n % every == 0) {
            row[notes] = format!("SYNTHETIC, seen again ({n})\twith \\ and a\nnew line");
        }
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_imports_what_sqlite_imports() {
    const FIRST: u64 = 12_000;
    const SECOND: u64 = 15_000;
    let mut exports = Vec::new();
    for backend in TestBackend::ALL {
        let Some(register) =
            TestRegister::new(backend, "postgres_imports_what_sqlite_imports").await
        else {
            continue;
        };
        let store = register.open().await.unwrap();
        let csv = register.path("items.csv");
        let options = ImportOptions::new(Format::Csv, "test");
        write_items(&csv, FIRST, None);
        assert!(std::fs::metadata(&csv).unwrap().len() > 4 * CHUNK_BYTES as u64);
        let report = store
            .import_file::<Item>(&csv, &options, &|_| {})
            .await
            .unwrap();
        assert_eq!(report.inserted, FIRST);
        // Every other old item changed (more than one staged batch) and 3,000 new ones.
        write_items(&csv, SECOND, Some(2));
        let report = store
            .import_file::<Item>(&csv, &options, &|_| {})
            .await
            .unwrap();
        let changed = FIRST.div_ceil(2);
        assert!(changed as usize > UPDATE_BATCH);
        assert_eq!(
            (report.inserted, report.updated, report.unchanged),
            (SECOND - FIRST, changed, FIRST - changed)
        );
        let counts = store.counts().await.unwrap();
        assert_eq!((counts.items, counts.revisions), (SECOND, changed));
        let first = store.item("DEMO-00000001").await.unwrap();
        let revisions = store.item_revisions(first.id).await.unwrap();
        assert_eq!((first.revision, revisions.len()), (2, 1));
        assert!(store.audit_verify().await.unwrap().intact);
        let mut out = Vec::new();
        store
            .export_items(&ItemFilter::everything(), ExportFormat::Csv, &mut out)
            .await
            .unwrap();
        exports.push((backend, out));
    }
    if let [(_, sqlite), (_, postgres)] = exports.as_slice() {
        assert!(
            sqlite == postgres,
            "the two registers export different items"
        );
    }
}

//! Copies between the backends: every table arrives value for value (reals bit for
//! bit), the audit log keeps its head and verifies, accounts keep working, PostgreSQL's
//! sequences continue after the copied ids, and a target that holds anything is refused
//! and left as it was. The registers are synthetic (the demo generator and made-up
//! accounts). PostgreSQL parts run when `ARMTRACE_TEST_POSTGRES_URL` is set.

use std::sync::Arc;

use armtrace_core::{ITEM_FIELDS, Item, Role, TRANSFER_FIELDS, Transfer};

use super::*;
use crate::import::{Format, ImportOptions};
use crate::testing::{TestBackend, TestRegister};

/// A stored value in a form that compares reals by their bits.
#[derive(Debug, PartialEq)]
enum Exact {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<&Value> for Exact {
    fn from(v: &Value) -> Exact {
        match v {
            Value::Null => Exact::Null,
            Value::Int(i) => Exact::Int(*i),
            Value::Real(f) => Exact::Real(f.to_bits()),
            Value::Text(t) => Exact::Text(t.clone()),
            Value::Blob(b) => Exact::Blob(b.clone()),
        }
    }
}

/// Every copied table of a register, row by row, through the copy's own reader.
async fn dump(store: &Store) -> Vec<(&'static str, Vec<Vec<Exact>>)> {
    let plan = Arc::new(plan(store, store).await.unwrap());
    let mut reader = read::start(store, plan.clone(), 4);
    let mut tables: Vec<(&'static str, Vec<Vec<Exact>>)> =
        plan.iter().map(|p| (p.spec.name, Vec::new())).collect();
    while let Some(message) = reader.recv().await {
        match message.unwrap() {
            read::Read::Snapshot(_) => {}
            read::Read::Rows { table, rows } => tables[table]
                .1
                .extend(rows.iter().map(|r| r.iter().map(Exact::from).collect())),
            read::Read::Done => return tables,
        }
    }
    panic!("the reader stopped without finishing");
}

fn write_csv<const N: usize>(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = [String; N]>,
) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// The token of the `analyst` account made by [`fill`].
struct Filled {
    token: String,
}

/// Fills a register with something of every kind: demo items and transfers, a
/// re-import that changes some (revisions), users with a password, a token, a grant and
/// a session, an evidence file, and values that test exactness (reals that do not
/// round-trip through short decimals, text with tabs, newlines, backslashes and
/// non-ASCII).
async fn fill(register: &TestRegister, store: &Store) -> Filled {
    let items_csv = register.path("items.csv");
    write_csv(
        &items_csv,
        &ITEM_FIELDS,
        armtrace_core::demo::items(300, 7).map(|i| i.to_strings()),
    );
    let transfers_csv = register.path("transfers.csv");
    write_csv(
        &transfers_csv,
        &TRANSFER_FIELDS,
        armtrace_core::demo::transfers(300, 7)
            .iter()
            .map(Transfer::to_strings),
    );
    let options = ImportOptions::new(Format::Csv, "test:copy");
    store
        .import_file::<Item>(&items_csv, &options, &|_| {})
        .await
        .unwrap();
    store
        .import_file::<Transfer>(&transfers_csv, &options, &|_| {})
        .await
        .unwrap();
    // Change every tenth item's notes: revisions.
    let notes = ITEM_FIELDS.iter().position(|f| *f == "notes").unwrap();
    write_csv(
        &items_csv,
        &ITEM_FIELDS,
        armtrace_core::demo::items(300, 7)
            .enumerate()
            .map(|(n, i)| {
                let mut row = i.to_strings();
                if n % 10 == 0 {
                    row[notes] = format!("SYNTHETIC, corrected {n}");
                }
                row
            }),
    );
    let report = store
        .import_file::<Item>(&items_csv, &options, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.updated, 30);

    store
        .create_user("ada", Role::Admin, Some("correct horse battery"), "test")
        .await
        .unwrap();
    store
        .create_user("ana", Role::Analyst, None, "test")
        .await
        .unwrap();
    let (_, token) = store
        .create_token("ana", Some("scripts"), "test")
        .await
        .unwrap();
    let reference = store
        .items(&crate::items::ItemFilter::everything(), 1, 0)
        .await
        .unwrap()[0]
        .item
        .reference
        .clone();
    store.grant_item("ana", &reference, "ada").await.unwrap();
    let ada = store.user("ada").await.unwrap();
    store.create_session(&ada).await.unwrap();
    store
        .add_evidence(
            &reference,
            "photo.jpg",
            Some("image/jpeg"),
            b"synthetic photo bytes",
            "ada",
        )
        .await
        .unwrap();

    sqlx::query(
        "UPDATE items SET latitude = $1, longitude = $2, notes = $3 WHERE id = (SELECT MIN(id) FROM items)",
    )
    .bind(0.1f64 + 0.2f64)
    .bind(-33.123_456_789_012_35f64)
    .bind("SYNTHETIC\ttab\nnew line \\ backslash \\N not null, ünïcödé ☂")
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE transfers SET tiv_unit = $1, tiv_order = $2 WHERE id = (SELECT MIN(id) FROM transfers)")
        .bind(1e-300f64)
        .bind(123_456_789.123_456_79f64)
        .execute(&store.pool)
        .await
        .unwrap();
    Filled { token }
}

/// Asserts that `to` holds what `from` holds, and that its log verifies with the same head.
async fn assert_same(from: &Store, to: &Store, report: &CopyReport) {
    let (source, target) = (dump(from).await, dump(to).await);
    for ((name, a), (_, b)) in source.iter().zip(&target) {
        assert_eq!(a.len(), b.len(), "{name}: row counts differ");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x, y, "{name}: a row differs");
        }
    }
    let copied: u64 = source.iter().map(|(_, rows)| rows.len() as u64).sum();
    assert_eq!(report.total_rows(), copied);
    let (vs, vt) = (
        from.audit_verify().await.unwrap(),
        to.audit_verify().await.unwrap(),
    );
    assert!(vs.intact && vt.intact, "{vs:?}\n{vt:?}");
    assert_eq!(vs.head, vt.head);
    assert_eq!(vt.head.as_ref(), Some(&report.target_head));
    assert_eq!(report.source_head, report.target_head);
    assert_eq!(vt.files_checked, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_travels_to_postgres_and_back_unchanged() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    let filled = fill(&first, &source).await;
    let Some(middle) =
        TestRegister::postgres("a_register_travels_to_postgres_and_back_unchanged").await
    else {
        // Without a server, SQLite to SQLite still has to be faithful.
        let last = TestRegister::sqlite();
        let target = last.open().await.unwrap();
        let report = copy_register(&source, &target, &|_| {}).await.unwrap();
        assert_same(&source, &target, &report).await;
        return;
    };
    let pg = middle.open().await.unwrap();
    let report = copy_register(&source, &pg, &|_| {}).await.unwrap();
    assert_same(&source, &pg, &report).await;
    assert_eq!(report.sessions_left_behind, 1);
    assert_eq!((report.evidence.files, report.evidence.copied), (1, 1));

    let last = TestRegister::sqlite();
    let back = last.open().await.unwrap();
    let report = copy_register(&pg, &back, &|_| {}).await.unwrap();
    assert_same(&pg, &back, &report).await;
    assert_same(&source, &back, &report).await;
    assert_eq!(report.sessions_left_behind, 0);

    for store in [&pg, &back] {
        let user = store
            .token_user(&filled.token)
            .await
            .unwrap()
            .expect("the token still works");
        assert_eq!(user.name, "ana");
        let clearance = store.clearance(&user).await.unwrap();
        assert_eq!(
            store.granted_refs(user.id).await.unwrap().len(),
            1,
            "{clearance:?}"
        );
        assert!(
            store
                .check_password("ada", "correct horse battery")
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ids_continue_after_the_copied_ones() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    fill(&first, &source).await;
    let Some(target) = TestRegister::postgres("postgres_ids_continue_after_the_copied_ones").await
    else {
        return;
    };
    let pg = target.open().await.unwrap();
    copy_register(&source, &pg, &|_| {}).await.unwrap();
    let before = pg.counts().await.unwrap();
    let csv = target.path("more.csv");
    write_csv(
        &csv,
        &ITEM_FIELDS,
        armtrace_core::demo::items(20, 99).map(|i| {
            let mut row = i.to_strings();
            row[0] = format!("{}-NEW", row[0]);
            row
        }),
    );
    let report = pg
        .import_file::<Item>(&csv, &ImportOptions::new(Format::Csv, "test"), &|_| {})
        .await
        .unwrap();
    assert_eq!(report.inserted, 20);
    assert_eq!(pg.counts().await.unwrap().items, before.items + 20);
    pg.create_user("newcomer", Role::Viewer, None, "test")
        .await
        .unwrap();
    pg.create_token("newcomer", None, "test").await.unwrap();
    assert!(pg.audit_verify().await.unwrap().intact);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_holds_anything_is_refused_and_left_alone() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    fill(&first, &source).await;
    for backend in TestBackend::ALL {
        let Some(register) =
            TestRegister::new(backend, "a_target_that_holds_anything_is_refused").await
        else {
            continue;
        };
        let target = register.open().await.unwrap();
        target
            .create_user("already-here", Role::Viewer, None, "test")
            .await
            .unwrap();
        let head = target.audit_head().await.unwrap();
        let error = copy_register(&source, &target, &|_| {})
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("is not empty") && error.contains("users: 1"),
            "{error}"
        );
        assert!(error.contains("audit entries: 1"), "{error}");
        assert_eq!(target.audit_head().await.unwrap(), head);
        assert_eq!(target.counts().await.unwrap().items, 0);
        assert_eq!(target.users().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_register_is_not_copied_onto_itself() {
    let register = TestRegister::sqlite();
    let a = register.open().await.unwrap();
    let b = Store::open(&format!("sqlite://{}", register.location))
        .await
        .unwrap();
    let error = copy_register(&a, &b, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("both name the register"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_postgres_cannot_hold_is_named_and_nothing_is_written() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    fill(&first, &source).await;
    // An edit outside armtrace: SQLite keeps text in an integer column.
    sqlx::query("UPDATE items SET year_of_manufacture = 'about 1980' WHERE id = 5")
        .execute(&source.pool)
        .await
        .unwrap();
    let Some(register) = TestRegister::postgres("a_value_postgres_cannot_hold_is_named").await
    else {
        return;
    };
    let target = register.open().await.unwrap();
    let error = copy_register(&source, &target, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("items row id 5")
            && error.contains("column year_of_manufacture")
            && error.contains("\"about 1980\""),
        "{error}"
    );
    assert_eq!(target.counts().await.unwrap().items, 0);
    assert_eq!(target.audit_head().await.unwrap(), ChainHead::genesis());
    // The rolled-back copy leaves the target ready for a clean one.
    sqlx::query("UPDATE items SET year_of_manufacture = 1980 WHERE id = 5")
        .execute(&source.pool)
        .await
        .unwrap();
    let report = copy_register(&source, &target, &|_| {}).await.unwrap();
    assert_eq!(report.evidence.copied, 1);
    assert!(target.audit_verify().await.unwrap().intact);
}

#[tokio::test]
async fn every_table_of_a_register_is_copied_or_left_out_on_purpose() {
    for backend in TestBackend::ALL {
        let Some(register) = TestRegister::new(backend, "every_table_is_known").await else {
            continue;
        };
        let store = register.open().await.unwrap();
        for name in tables_of(&store).await.unwrap() {
            assert!(
                TABLES.iter().any(|t| t.name == name) || NOT_COPIED.iter().any(|(t, _)| *t == name),
                "table {name} is neither copied nor listed in NOT_COPIED"
            );
        }
    }
}

#[tokio::test]
async fn missing_evidence_files_are_reported_not_invented() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    fill(&first, &source).await;
    let sha256 = armtrace_core::audit::sha256_hex(b"synthetic photo bytes");
    let stored = crate::evidence::stored_path(source.evidence_root(), &sha256);
    let mut permissions = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&stored, permissions).unwrap();
    std::fs::remove_file(&stored).unwrap();
    let last = TestRegister::sqlite();
    let target = last.open().await.unwrap();
    let report = copy_register(&source, &target, &|_| {}).await.unwrap();
    assert_eq!(report.evidence.copied, 0);
    assert!(
        report.evidence.problems[0].contains("missing in the source"),
        "{report:?}"
    );
    let verified = target.audit_verify().await.unwrap();
    assert!(
        !verified.intact && verified.chain_break.is_none(),
        "{verified:?}"
    );
}

#[tokio::test]
async fn evidence_files_already_in_place_are_kept() {
    let first = TestRegister::sqlite();
    let source = first.open().await.unwrap();
    fill(&first, &source).await;
    let (a, b) = (TestRegister::sqlite(), TestRegister::sqlite());
    let once = a.open().await.unwrap();
    assert_eq!(
        copy_register(&source, &once, &|_| {})
            .await
            .unwrap()
            .evidence
            .copied,
        1
    );
    // A second register sharing the first one's evidence root finds the file there.
    let twice = b
        .open()
        .await
        .unwrap()
        .with_evidence_root(once.evidence_root());
    let evidence = copy_register(&source, &twice, &|_| {})
        .await
        .unwrap()
        .evidence;
    assert_eq!((evidence.copied, evidence.already_present), (0, 1));
    assert!(twice.audit_verify().await.unwrap().intact);
}

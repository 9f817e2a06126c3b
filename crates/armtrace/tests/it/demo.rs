//! `armtrace demo`: the synthetic investigation is deterministic (same seed, same
//! register; another seed, another register), every record says it is synthetic, and its
//! files import through the ordinary `import items` and `import transfers` commands.

use crate::support::{FULL_TRANSFER_HEADER, HEADER, Register, TRANSFER_HEADER, read_csv};

fn demo_register(items: u64, seed: u64) -> Register {
    let reg = Register::new();
    let out = reg.ok(&[
        "demo",
        "--items",
        &items.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    assert!(
        out.contains("SYNTHETIC"),
        "the demo says it is synthetic: {out}"
    );
    reg
}

#[test]
fn the_same_seed_gives_the_same_register_and_another_seed_another() {
    let a = demo_register(300, 7);
    let b = demo_register(300, 7);
    let c = demo_register(300, 8);
    let export = a.export("csv");
    assert_eq!(export, b.export("csv"));
    assert_eq!(a.export("jsonl"), b.export("jsonl"));
    assert_ne!(export, c.export("csv"));
    let refs = |r: &Register| r.refs(&[]);
    assert_eq!(
        refs(&a),
        refs(&c),
        "seeds change the contents, not the refs"
    );

    // The files of --out-dir are byte-identical too, and import to the same register.
    let first = a.demo_files(300, 7, "one");
    let second = a.demo_files(300, 7, "two");
    for name in ["items.csv", "transfers.csv"] {
        assert_eq!(
            std::fs::read(first.join(name)).unwrap(),
            std::fs::read(second.join(name)).unwrap(),
            "{name}"
        );
    }
    let fresh = Register::new();
    fresh.import_ok(&first.join("items.csv"), &[]);
    assert_eq!(fresh.export("csv"), export);
    assert_eq!(
        a.import_ok(&first.join("items.csv"), &[]).counts(),
        [0, 0, 300, 0]
    );
}

#[test]
fn every_demo_item_is_labelled_synthetic() {
    let reg = demo_register(250, 1);
    let items = reg.items();
    assert_eq!(items.len(), 250);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["ref"], format!("DEMO-{:08}", i + 1));
        let notes = item["notes"].as_str().unwrap_or_default();
        assert!(notes.contains("SYNTHETIC"), "{item}");
    }
    let categories: std::collections::BTreeSet<_> = items
        .iter()
        .map(|i| i["category"].as_str().unwrap())
        .collect();
    assert!(categories.len() >= 3, "a varied register: {categories:?}");
    let out = reg.ok(&["init"]);
    assert!(out.contains("250 items"), "{out}");
    assert!(
        !out.contains(" 0 transfers"),
        "the demo documents transfers: {out}"
    );
}

#[test]
fn demo_files_have_canonical_headers_and_import() {
    let reg = Register::new();
    let dir = reg.demo_files(400, 5, "demo");
    let items = std::fs::read_to_string(dir.join("items.csv")).unwrap();
    let (header, rows) = read_csv(&items);
    assert_eq!(header, HEADER);
    assert_eq!(rows.len(), 400);

    let transfers = std::fs::read_to_string(dir.join("transfers.csv")).unwrap();
    assert_eq!(transfers.lines().next(), Some(FULL_TRANSFER_HEADER));
    let (_, transfer_rows) = read_csv(&transfers);
    assert!(!transfer_rows.is_empty());

    let n = transfer_rows.len() as u64;
    let report = reg
        .import_kind("transfers", &dir.join("transfers.csv"), &[])
        .1;
    assert_eq!(report.counts(), [n, 0, 0, 0]);
    let (output, report) = reg.import_kind("transfers", &dir.join("transfers.csv"), &[]);
    assert!(output.status.success());
    assert_eq!(
        report.counts(),
        [0, 0, n, 0],
        "transfers are idempotent too"
    );
    assert_eq!(reg.import_ok(&dir.join("items.csv"), &[]).inserted, 400);
    let out = reg.ok(&["init"]);
    assert!(out.contains(&format!("400 items, {n} transfers")), "{out}");
}

#[test]
fn transfer_errors_name_row_column_and_value() {
    let reg = Register::new();
    let text = format!(
        "{TRANSFER_HEADER}\nT-1,Factory,China,Army,Iraq,,Type 56,7.62x39mm,Factory 66,100,200,,1985,100,2014-01,2014-03-02,licence 1\nT-2,Factory,Narnia,Army,Iraq,,,,,,,,,,,2014-13-01,\n"
    );
    let file = reg.write("transfers.csv", text);
    let (output, report) = reg.import_kind("transfers", &file, &[]);
    assert!(!output.status.success());
    assert_eq!(report.rejected, 1);
    let got: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "supplier_country", "Narnia"),
            (2, "delivered_on", "2014-13-01")
        ]
    );
    assert!(reg.ok(&["init"]).contains("0 transfers"));
    let (output, report) = reg.import_kind("transfers", &file, &["--skip-invalid"]);
    assert!(output.status.success());
    assert_eq!(report.counts(), [1, 0, 0, 1]);
}

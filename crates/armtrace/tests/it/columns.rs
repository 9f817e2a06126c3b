//! Whole-file problems of the header: a file without a `ref` column, or with columns
//! that are neither canonical nor mapped, is refused before any row is read, with a
//! message naming the columns and saying what to do (`--mapping`, `--ignore-unknown`).

use crate::support::{Register, csv_text, stderr, stdout};

#[test]
fn a_file_without_a_ref_column_is_refused_as_a_whole() {
    let reg = Register::new();
    let file = reg.write("items.csv", "category,model\nweapon,AKM\nweapon,RPK\n");
    let out = reg.fails(&["import", "items", file.to_str().unwrap(), "--json"]);
    let err = stderr(&out);
    assert!(err.contains("no ref column"), "stderr: {err}");
    assert!(
        !stdout(&out).contains("\"inserted\""),
        "no row report for a whole-file error"
    );
    assert_eq!(reg.count(), 0);
    // The same with --skip-invalid: a whole-file problem is not a row to skip.
    reg.fails(&["import", "items", file.to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(reg.count(), 0);
    // `category` is required as a column too.
    let file = reg.write("no-category.csv", "ref,model\nA-1,AKM\n");
    let err = stderr(&reg.fails(&["import", "items", file.to_str().unwrap()]));
    assert!(err.contains("no category column"), "stderr: {err}");
    assert_eq!(reg.count(), 0);
}

#[test]
fn an_unknown_column_is_an_error_unless_ignored_or_mapped() {
    let reg = Register::new();
    let mut header: Vec<&str> = vec!["ref", "category", "Serial No.", "model"];
    let rows = vec![
        vec![
            "A-1".to_owned(),
            "weapon".to_owned(),
            "56-1234".to_owned(),
            "Type 56".to_owned(),
        ],
        vec![
            "A-2".to_owned(),
            "weapon".to_owned(),
            "".to_owned(),
            "AKM".to_owned(),
        ],
    ];
    let file = reg.write("items.csv", csv_text(&header, &rows));
    let out = reg.fails(&["import", "items", file.to_str().unwrap(), "--json"]);
    let err = stderr(&out);
    assert!(
        err.contains("\"Serial No.\""),
        "the error names the column: {err}"
    );
    assert!(
        err.contains("--mapping") && err.contains("--ignore-unknown"),
        "and says what to do: {err}"
    );
    assert_eq!(reg.count(), 0);

    let report = reg.import_ok(&file, &["--ignore-unknown"]);
    assert_eq!(report.counts(), [2, 0, 0, 0]);
    assert_eq!(reg.show("A-1")["serial_number"], serde_json::Value::Null);

    let mapping = reg.write(
        "mapping.toml",
        "[columns]\n\"Serial No.\" = \"serial_number\"\n",
    );
    let report = reg.import_ok(&file, &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(
        report.counts(),
        [0, 1, 1, 0],
        "the mapped serial updates A-1 only"
    );
    assert_eq!(reg.show("A-1")["serial_number"], "56-1234");

    // Two unknown columns are both named.
    header.push("Photo link");
    let rows: Vec<_> = rows
        .into_iter()
        .map(|mut r| {
            r.push("x".into());
            r
        })
        .collect();
    let file = reg.write("two.csv", csv_text(&header, &rows));
    let err = stderr(&reg.fails(&["import", "items", file.to_str().unwrap()]));
    assert!(
        err.contains("\"Serial No.\"") && err.contains("\"Photo link\""),
        "{err}"
    );
}

//! Importing items: all-or-nothing by default, `--skip-invalid` to keep the valid rows,
//! idempotence by `ref`, and the normalisation of what is stored (countries as alpha-2 in
//! every accepted spelling, partial dates, default confidentiality).

use crate::support::{Register, canonical_csv, field, read_csv, row, stderr, stdout};

#[test]
fn one_bad_row_among_ten_thousand_writes_nothing_unless_skipped() {
    let reg = Register::new();
    let demo = reg.demo_files(10_000, 3, "demo");
    let (header, mut rows) = read_csv(&std::fs::read_to_string(demo.join("items.csv")).unwrap());
    assert_eq!(
        header,
        crate::support::HEADER,
        "demo items.csv has the canonical header"
    );
    assert_eq!(rows.len(), 10_000);

    // A previous state: the first 100 rows.
    let first = reg.write("first.csv", canonical_csv(&rows[..100]));
    assert_eq!(reg.import_ok(&first, &[]).counts(), [100, 0, 0, 0]);
    let before = reg.export("csv");

    let bad_ref = rows[7776][0].clone();
    rows[7776][1] = "spaceship".to_owned();
    let file = reg.write("bad.csv", canonical_csv(&rows));
    let report = reg.import_refused(&file, &[]);
    assert_eq!(report.counts(), [0, 0, 0, 1]);
    let e = report.single_error();
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (7777, "category", "spaceship")
    );
    assert_eq!(reg.count(), 100, "nothing of the refused file was written");
    assert_eq!(
        reg.export("csv"),
        before,
        "the register is exactly as it was"
    );

    let report = reg.import_ok(&file, &["--skip-invalid"]);
    assert_eq!(report.counts(), [9_899, 0, 100, 1]);
    assert_eq!(report.single_error().row, 7777);
    assert_eq!(reg.count(), 9_999);
    let out = reg.fails(&["items", "show", &bad_ref]);
    assert!(stderr(&out).contains(&bad_ref), "{}", stderr(&out));
    reg.show(&rows[7775][0]);
    reg.show(&rows[7777][0]);
}

#[test]
fn a_bad_date_deep_in_the_file_is_reported_like_any_other() {
    let reg = Register::new();
    let rows: Vec<_> = (1..=3000)
        .map(|i| {
            let date = if i == 2500 {
                "2016-02-30".to_owned()
            } else {
                format!("20{:02}-0{}", 10 + i % 9, 1 + i % 9)
            };
            row(&[
                ("ref", &format!("R-{i:05}")),
                ("category", "ammunition"),
                ("recovered_on", &date),
            ])
        })
        .collect();
    let file = reg.write("items.csv", canonical_csv(&rows));
    let report = reg.import_refused(&file, &[]);
    let e = report.single_error();
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2500, "recovered_on", "2016-02-30")
    );
    assert_eq!(reg.count(), 0);
}

#[test]
fn skip_invalid_keeps_the_first_of_duplicate_refs() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        canonical_csv(&[
            row(&[("ref", "A-1"), ("category", "weapon"), ("model", "first")]),
            row(&[("ref", "A-2"), ("category", "weapon")]),
            row(&[("ref", "A-1"), ("category", "weapon"), ("model", "second")]),
        ]),
    );
    let report = reg.import_ok(&file, &["--skip-invalid"]);
    assert_eq!(report.counts(), [2, 0, 0, 1]);
    assert_eq!(report.single_error().row, 3);
    assert_eq!(field(&reg.show("A-1"), "model"), Some("first"));
}

#[test]
fn reimporting_the_same_file_changes_nothing_and_says_so() {
    let reg = Register::new();
    let rows: Vec<_> = (1..=25)
        .map(|i| row(&[("ref", &format!("A-{i}")), ("category", "weapon")]))
        .collect();
    let file = reg.write("items.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &[]).counts(), [25, 0, 0, 0]);
    let before = reg.export("csv");
    let shown = reg.show("A-7");
    assert_eq!(reg.import_ok(&file, &[]).counts(), [0, 0, 25, 0]);

    let out = reg.ok(&["import", "items", file.to_str().unwrap()]);
    assert!(out.contains("unchanged 25"), "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(reg.export("csv"), before);
    let again = reg.show("A-7");
    assert_eq!(again["revision"], 1);
    assert_eq!(
        again["updated_at"], shown["updated_at"],
        "an unchanged item is not touched"
    );
    assert_eq!(again["revisions"], serde_json::json!([]));
}

#[test]
fn countries_are_stored_as_alpha_2_whatever_the_spelling() {
    let cases = [
        ("IQ", "IQ"),
        ("iq", "IQ"),
        ("IRQ", "IQ"),
        ("Iraq", "IQ"),
        ("USA", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Russia", "RU"),
        ("RUS", "RU"),
        ("Syria", "SY"),
        ("Syrian Arab Republic", "SY"),
        ("Iran", "IR"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Soviet Union", "SU"),
        ("USSR", "SU"),
        ("Yugoslavia", "YU"),
        ("Czechoslovakia", "CS"),
        ("East Germany", "DD"),
        ("  belgium ", "BE"),
    ];
    let reg = Register::new();
    let rows: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, (input, _))| {
            row(&[
                ("ref", &format!("C-{i:02}")),
                ("category", "weapon"),
                ("country_of_manufacture", input),
                ("recovered_country", input),
            ])
        })
        .collect();
    let file = reg.write("items.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &[]).inserted, cases.len() as u64);
    let items = reg.items();
    assert_eq!(items.len(), cases.len());
    for (item, (input, code)) in items.iter().zip(cases) {
        assert_eq!(
            field(item, "country_of_manufacture"),
            Some(code),
            "{input:?}"
        );
        assert_eq!(field(item, "recovered_country"), Some(code), "{input:?}");
    }
    // The export writes the codes, not the spellings.
    let (_, exported) = read_csv(&reg.export("csv"));
    assert!(
        exported
            .iter()
            .zip(cases)
            .all(|(r, (_, code))| r[6] == code && r[13] == code)
    );
}

#[test]
fn dates_confidentiality_and_category_are_normalised() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        canonical_csv(&[
            row(&[
                ("ref", "D-1"),
                ("category", "Weapon"),
                ("recovered_on", "2016"),
            ]),
            row(&[
                ("ref", "D-2"),
                ("category", "ammunition"),
                ("recovered_on", "2016-07"),
                ("confidentiality", "PUBLIC"),
            ]),
            row(&[
                ("ref", "D-3"),
                ("category", "ied_component"),
                ("recovered_on", "2016-07-14"),
                ("confidentiality", "confidential"),
            ]),
            row(&[
                ("ref", "D-4"),
                ("category", "chemical_precursor"),
                ("recovered_on", " 2000-02-29 "),
                ("confidentiality", "restricted"),
            ]),
            row(&[
                ("ref", " D-5 "),
                ("category", "other"),
                ("model", "  spaced  "),
            ]),
        ]),
    );
    assert_eq!(reg.import_ok(&file, &[]).counts(), [5, 0, 0, 0]);
    let got: Vec<_> = reg
        .items()
        .iter()
        .map(|i| {
            (
                field(i, "ref").unwrap().to_owned(),
                field(i, "category").unwrap().to_owned(),
                field(i, "recovered_on").map(str::to_owned),
                field(i, "confidentiality").unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("D-1", "weapon", Some("2016"), "restricted"),
        ("D-2", "ammunition", Some("2016-07"), "public"),
        ("D-3", "ied_component", Some("2016-07-14"), "confidential"),
        (
            "D-4",
            "chemical_precursor",
            Some("2000-02-29"),
            "restricted",
        ),
        ("D-5", "other", None, "restricted"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(r, c, d, l)| {
            (
                (*r).to_owned(),
                (*c).to_owned(),
                d.map(str::to_owned),
                (*l).to_owned(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        field(&reg.show("D-5"), "model"),
        Some("spaced"),
        "text is trimmed"
    );
}

#[test]
fn an_accepted_file_exits_zero_and_a_refused_one_does_not() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        canonical_csv(&[row(&[("ref", "A-1"), ("category", "weapon")])]),
    );
    let out = reg.ok(&["import", "items", file.to_str().unwrap()]);
    assert!(out.contains("inserted 1"), "{out}");
    let bad = reg.write(
        "bad.csv",
        canonical_csv(&[row(&[("ref", "A-2"), ("category", "x")])]),
    );
    reg.fails(&["import", "items", bad.to_str().unwrap()]);
    let out = reg.ok(&["import", "items", bad.to_str().unwrap(), "--skip-invalid"]);
    assert!(out.contains("rejected 1"), "{out}");
    let out = reg.fails(&["import", "items", reg.path("missing.csv").to_str().unwrap()]);
    assert!(stderr(&out).contains("missing.csv"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert_eq!(reg.count(), 1);
}

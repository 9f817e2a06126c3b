//! Row errors: every rejected row is reported with its row number (1 = first data row),
//! the column as named in the file, the offending value and a reason that says what
//! would be accepted. A file with any invalid row writes nothing.

use crate::support::{Register, Report, RowError, canonical_csv, row, stderr, stdout};

/// Imports canonical rows into a fresh register, expecting the file to be refused and
/// nothing to be written.
fn refused(rows: &[Vec<String>]) -> Report {
    let reg = Register::new();
    let file = reg.write("items.csv", canonical_csv(rows));
    let report = reg.import_refused(&file, &[]);
    assert_eq!(
        report.counts()[..3],
        [0, 0, 0],
        "a refused file reports no writes: {report:?}"
    );
    assert_eq!(reg.count(), 0, "a refused file writes nothing");
    report
}

fn good(reference: &str) -> Vec<String> {
    row(&[("ref", reference), ("category", "weapon"), ("model", "AKM")])
}

/// Asserts one error's location and value, and that its message contains every `needle`.
fn assert_error(e: &RowError, row: u64, column: &str, value: &str, needles: &[&str]) {
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (row, column, value),
        "{e:?}"
    );
    for n in needles {
        assert!(
            e.message.contains(n),
            "message {:?} does not mention {n:?}",
            e.message
        );
    }
}

#[test]
fn unknown_category_lists_the_allowed_values() {
    let report = refused(&[
        good("A-1"),
        row(&[("ref", "A-2"), ("category", "spaceship")]),
        good("A-3"),
    ]);
    assert_eq!(report.rejected, 1);
    let allowed = [
        "weapon",
        "ammunition",
        "ied_component",
        "chemical_precursor",
        "other",
    ];
    assert_error(report.single_error(), 2, "category", "spaceship", &allowed);
}

#[test]
fn missing_category_and_missing_ref_are_errors() {
    let report = refused(&[
        row(&[("ref", "A-1")]),
        row(&[("category", "weapon"), ("model", "AKM")]),
    ]);
    assert_eq!(report.rejected, 2);
    assert_eq!(report.errors.len(), 2, "{:#?}", report.errors);
    assert_error(
        &report.errors[0],
        1,
        "category",
        "",
        &["required", "weapon"],
    );
    assert_error(&report.errors[1], 2, "ref", "", &["required"]);
}

#[test]
fn unknown_country_is_named() {
    let report = refused(&[
        good("A-1"),
        row(&[
            ("ref", "A-2"),
            ("category", "weapon"),
            ("recovered_country", "Narnia"),
        ]),
    ]);
    assert_error(
        report.single_error(),
        2,
        "recovered_country",
        "Narnia",
        &["country"],
    );
    let report = refused(&[row(&[
        ("ref", "A-1"),
        ("category", "other"),
        ("country_of_manufacture", "Atlantis"),
    ])]);
    assert_error(
        report.single_error(),
        1,
        "country_of_manufacture",
        "Atlantis",
        &["country"],
    );
}

#[test]
fn bad_dates_are_named() {
    let bad = [
        "14/07/2016",
        "2016-13",
        "2015-02-29",
        "2016-04-31",
        "16",
        "2016-7-14",
        "July 2016",
    ];
    let rows: Vec<_> = bad
        .iter()
        .enumerate()
        .map(|(i, d)| {
            row(&[
                ("ref", &format!("D-{i}")),
                ("category", "weapon"),
                ("recovered_on", d),
            ])
        })
        .collect();
    let report = refused(&rows);
    assert_eq!(report.rejected, bad.len() as u64);
    assert_eq!(report.errors.len(), bad.len(), "{:#?}", report.errors);
    for (i, (e, d)) in report.errors.iter().zip(bad).enumerate() {
        assert_error(e, i as u64 + 1, "recovered_on", d, &["YYYY-MM-DD"]);
    }
}

/// A date followed by more text is not a date; keeping its first part silently loses
/// what the investigator wrote ("2016 or 2017" is not 2016).
#[test]
fn text_after_a_date_is_an_error_not_dropped() {
    let bad = [
        "2016 or 2017",
        "2016-07-14 to 2016-07-20",
        "2016T99",
        "2016-07 (approx.)",
    ];
    let rows: Vec<_> = bad
        .iter()
        .enumerate()
        .map(|(i, d)| {
            row(&[
                ("ref", &format!("D-{i}")),
                ("category", "weapon"),
                ("recovered_on", d),
            ])
        })
        .collect();
    let report = refused(&rows);
    assert_eq!(report.errors.len(), bad.len(), "{:#?}", report.errors);
    for (i, (e, d)) in report.errors.iter().zip(bad).enumerate() {
        assert_error(e, i as u64 + 1, "recovered_on", d, &["YYYY-MM-DD"]);
    }
}

#[test]
fn bad_years_are_named() {
    let bad = ["19x5", "1700", "2200", "85", "1985.5"];
    let rows: Vec<_> = bad
        .iter()
        .enumerate()
        .map(|(i, y)| {
            row(&[
                ("ref", &format!("Y-{i}")),
                ("category", "weapon"),
                ("year_of_manufacture", y),
            ])
        })
        .collect();
    let report = refused(&rows);
    assert_eq!(report.errors.len(), bad.len(), "{:#?}", report.errors);
    for (i, (e, y)) in report.errors.iter().zip(bad).enumerate() {
        assert_error(e, i as u64 + 1, "year_of_manufacture", y, &["year"]);
    }
}

#[test]
fn a_coordinate_needs_its_pair() {
    let report = refused(&[
        good("A-1"),
        row(&[
            ("ref", "A-2"),
            ("category", "weapon"),
            ("latitude", "36.34"),
        ]),
        row(&[
            ("ref", "A-3"),
            ("category", "weapon"),
            ("longitude", "43.13"),
        ]),
    ]);
    assert_eq!(report.rejected, 2);
    assert_eq!(report.errors.len(), 2, "{:#?}", report.errors);
    assert_error(&report.errors[0], 2, "longitude", "", &["latitude"]);
    assert_error(&report.errors[1], 3, "latitude", "", &["longitude"]);
}

#[test]
fn out_of_range_values_are_named() {
    let report = refused(&[row(&[
        ("ref", "A-1"),
        ("category", "weapon"),
        ("latitude", "95"),
        ("longitude", "-181"),
        ("quantity", "0"),
        ("confidentiality", "secret"),
    ])]);
    let columns: Vec<_> = report.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(
        columns,
        ["quantity", "latitude", "longitude", "confidentiality"],
        "{:#?}",
        report.errors
    );
    assert_error(&report.errors[1], 1, "latitude", "95", &["90"]);
    assert_error(&report.errors[2], 1, "longitude", "-181", &["180"]);
    assert_error(
        &report.errors[3],
        1,
        "confidentiality",
        "secret",
        &["public", "restricted", "confidential"],
    );
    assert_eq!(report.rejected, 1, "one row, however many problems");
}

#[test]
fn every_problem_of_a_row_is_reported_at_once() {
    let report = refused(&[row(&[
        ("ref", "A-1"),
        ("category", "spaceship"),
        ("country_of_manufacture", "Narnia"),
        ("year_of_manufacture", "19x5"),
        ("recovered_on", "31/12/2016"),
    ])]);
    let got: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "category", "spaceship"),
            (1, "country_of_manufacture", "Narnia"),
            (1, "year_of_manufacture", "19x5"),
            (1, "recovered_on", "31/12/2016"),
        ]
    );
}

#[test]
fn a_duplicate_ref_names_the_earlier_row() {
    let report = refused(&[good("A-1"), good("A-2"), good("A-3"), good(" A-2 ")]);
    assert_eq!(report.rejected, 1);
    let e = report.single_error();
    assert_error(e, 4, "ref", "A-2", &["row 2"]);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_named() {
    let reg = Register::new();
    let mut text = canonical_csv(&[good("A-1"), good("A-2")]);
    text.push_str("A-3,weapon,rifle\n");
    text.push_str(&format!("A-4,weapon{}\n", ",".repeat(20)));
    let file = reg.write("items.csv", text);
    let report = reg.import_refused(&file, &[]);
    assert_eq!(report.rejected, 2);
    assert_eq!(report.errors.len(), 2, "{:#?}", report.errors);
    // A whole-row problem: the row and the reason, with the field counts.
    assert_eq!(report.errors[0].row, 3);
    assert!(
        report.errors[0].message.contains("3 fields"),
        "{:?}",
        report.errors[0]
    );
    assert!(
        report.errors[0].message.contains("21"),
        "{:?}",
        report.errors[0]
    );
    assert_eq!(report.errors[1].row, 4);
    assert!(
        report.errors[1].message.contains("22 fields"),
        "{:?}",
        report.errors[1]
    );
    assert_eq!(reg.count(), 0);
}

#[test]
fn rows_are_counted_as_records_not_lines() {
    let multi_line = row(&[
        ("ref", "A-1"),
        ("category", "weapon"),
        ("notes", "line one\nline two, \"quoted\"\nline three"),
    ]);
    let report = refused(&[
        multi_line,
        good("A-2"),
        row(&[("ref", "A-3"), ("category", "tank")]),
    ]);
    assert_error(report.single_error(), 3, "category", "tank", &["weapon"]);
}

#[test]
fn the_text_report_names_row_column_value_and_reason() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        canonical_csv(&[
            good("A-1"),
            row(&[("ref", "A-2"), ("category", "spaceship")]),
        ]),
    );
    let out = reg.fails(&["import", "items", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        err.contains("row 2, column category: \"spaceship\" is not one of weapon, ammunition, ied_component, chemical_precursor, other"),
        "stderr: {err}"
    );
    assert!(
        stdout(&out).contains("nothing was imported"),
        "stdout: {}",
        stdout(&out)
    );
    assert_eq!(reg.count(), 0);
}

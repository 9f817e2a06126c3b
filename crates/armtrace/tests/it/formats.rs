//! Input formats: a CSV with the user's own headers and a mapping file, JSON Lines and
//! XLSX (with a real date cell and numeric cells) all give the same items as the
//! canonical CSV of the same records.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

use crate::support::{HEADER, Register, canonical_csv, csv_text, row, stderr};

/// The reference records, in canonical CSV form (sorted by ref).
fn reference_rows() -> Vec<Vec<String>> {
    vec![
        row(&[
            ("ref", "X-1"),
            ("category", "weapon"),
            ("item_type", "assault rifle"),
            ("model", "Type 56-1"),
            ("calibre", "7.62x39mm"),
            ("manufacturer", "State Factory 66"),
            ("country_of_manufacture", "China"),
            ("year_of_manufacture", "1985"),
            ("serial_number", "56-1234567"),
            ("quantity", "1"),
            ("recovered_on", "2016-07-14"),
            ("recovered_country", "Iraq"),
            ("recovered_place", "Mosul, east bank"),
            ("latitude", "36.34"),
            ("longitude", "43.13"),
            ("recovered_from", "Islamic State forces"),
            ("documented_by", "Field team 1"),
            ("confidentiality", "public"),
            ("notes", "Stock \"cut\", 2 rounds\nin magazine; Ünïcödé ✓"),
        ]),
        row(&[
            ("ref", "X-2"),
            ("category", "ammunition"),
            ("calibre", "5.45x39mm"),
            ("manufacturer", "Tula Cartridge Works"),
            ("country_of_manufacture", "USSR"),
            ("year_of_manufacture", "1982"),
            ("lot_number", "52-82"),
            ("markings", "60 82"),
            ("quantity", "120"),
            ("recovered_on", "2017-03"),
            ("recovered_country", "Syria"),
            ("latitude", "-0.5"),
            ("longitude", "-78.25"),
        ]),
        row(&[("ref", "X-3"), ("category", "other")]),
    ]
}

/// The items the reference rows give when imported as canonical CSV.
fn reference_items() -> Vec<Value> {
    let reg = Register::new();
    let file = reg.write("items.csv", canonical_csv(&reference_rows()));
    assert_eq!(reg.import_ok(&file, &[]).inserted, 3);
    let items = reg.items();
    assert_eq!(items[0]["country_of_manufacture"], "CN");
    assert_eq!(items[1]["recovered_on"], "2017-03");
    items
}

/// The user's own column names, in the canonical order, plus one to leave out.
const USER_HEADER: [&str; 22] = [
    "Reference",
    "Kind",
    "Type",
    "Model",
    "Calibre",
    "Maker",
    "Made in",
    "Year",
    "Serial No.",
    "Lot",
    "Marks",
    "Qty",
    "Date found",
    "Found in",
    "Place",
    "Lat",
    "Lon",
    "Found with",
    "Documented by",
    "Level",
    "Notes",
    "Photo link",
];

/// A mapping of every user column; `ignore` is a top-level key, so it comes before the
/// `[columns]` table (after it, TOML would read it as a column named "ignore").
fn mapping_toml() -> String {
    let mut toml =
        String::from("ignore = [\"Photo link\"]\n# user column = canonical field\n[columns]\n");
    for (user, canonical) in USER_HEADER.iter().zip(HEADER) {
        toml.push_str(&format!("{user:?} = {canonical:?}\n"));
    }
    toml
}

#[test]
fn a_mapping_file_renames_the_users_columns() {
    let reg = Register::new();
    let rows: Vec<_> = reference_rows()
        .into_iter()
        .map(|mut r| {
            r.push("https://example.invalid/photo.jpg".to_owned());
            r
        })
        .collect();
    let file = reg.write("field-sheet.csv", csv_text(&USER_HEADER, &rows));
    let mapping = reg.write("mapping.toml", mapping_toml());
    let mapping = mapping.to_str().unwrap();

    // Without the mapping, the user's columns are unknown.
    let err = stderr(&reg.fails(&["import", "items", file.to_str().unwrap()]));
    assert!(err.contains("\"Reference\""), "{err}");

    assert_eq!(
        reg.import_ok(&file, &["--mapping", mapping]).counts(),
        [3, 0, 0, 0]
    );
    assert_eq!(reg.items(), reference_items());

    // Errors name the column as the user's file does.
    let mut bad = rows.clone();
    bad[1][12] = "March 2017".to_owned();
    let bad_file = reg.write("bad.csv", csv_text(&USER_HEADER, &bad));
    let report = reg.import_refused(&bad_file, &["--mapping", mapping]);
    let e = report.single_error();
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "Date found", "March 2017")
    );
}

/// The layout that `Mapping`'s documentation and the mapping-file error message show:
/// `ignore = […]` written after `[columns]`.
#[test]
fn the_documented_mapping_layout_is_accepted() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        "Reference,Kind,Serial No.,Photo link\nA-1,weapon,56-1234,x.jpg\n",
    );
    let mapping = reg.write(
        "mapping.toml",
        "[columns]\n\"Reference\" = \"ref\"\n\"Kind\" = \"category\"\n\"Serial No.\" = \"serial_number\"\n# columns to leave out\nignore = [\"Photo link\"]\n",
    );
    let report = reg.import_ok(&file, &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(report.counts(), [1, 0, 0, 0]);
    assert_eq!(reg.show("A-1")["serial_number"], "56-1234");
}

#[test]
fn a_mapping_to_an_unknown_field_is_refused() {
    let reg = Register::new();
    let file = reg.write("items.csv", "Reference,Kind\nA-1,weapon\n");
    let mapping = reg.write(
        "mapping.toml",
        "[columns]\nReference = \"ref\"\nKind = \"kind_of_thing\"\n",
    );
    let out = reg.fails(&[
        "import",
        "items",
        file.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(stderr(&out).contains("kind_of_thing"), "{}", stderr(&out));
    assert_eq!(reg.count(), 0);
}

fn reference_jsonl() -> String {
    let objects = [
        json!({
            "notes": "Stock \"cut\", 2 rounds\nin magazine; Ünïcödé ✓",
            "ref": "X-1", "category": "weapon", "item_type": "assault rifle", "model": "Type 56-1",
            "calibre": "7.62x39mm", "manufacturer": "State Factory 66", "country_of_manufacture": "CHN",
            "year_of_manufacture": 1985, "serial_number": "56-1234567", "quantity": 1,
            "recovered_on": "2016-07-14", "recovered_country": "IQ", "recovered_place": "Mosul, east bank",
            "latitude": 36.34, "longitude": 43.13, "recovered_from": "Islamic State forces",
            "documented_by": "Field team 1", "confidentiality": "public",
        }),
        json!({
            "ref": "X-2", "category": "ammunition", "calibre": "5.45x39mm",
            "manufacturer": "Tula Cartridge Works", "country_of_manufacture": "Soviet Union",
            "year_of_manufacture": "1982", "lot_number": "52-82", "markings": "60 82", "quantity": 120,
            "recovered_on": "2017-03", "recovered_country": "SYR", "latitude": -0.5, "longitude": -78.25,
            "notes": null, "model": null,
        }),
        json!({"category": "other", "ref": "X-3"}),
    ];
    let mut text = String::new();
    for o in objects {
        text.push_str(&o.to_string());
        text.push('\n');
    }
    text
}

#[test]
fn json_lines_give_the_same_items_as_csv() {
    let reg = Register::new();
    let file = reg.write("items.jsonl", reference_jsonl());
    assert_eq!(reg.import_ok(&file, &[]).counts(), [3, 0, 0, 0]);
    assert_eq!(reg.items(), reference_items());
    // The same lines under another name, with the format given.
    let other = reg.write("items.txt", reference_jsonl());
    assert_eq!(
        reg.import_ok(&other, &["--format", "jsonl"]).counts(),
        [0, 0, 3, 0]
    );
}

#[test]
fn json_lines_report_unknown_keys_and_bad_values() {
    let reg = Register::new();
    let text = "{\"ref\":\"J-1\",\"category\":\"weapon\",\"colour\":\"green\"}\n{\"ref\":\"J-2\",\"category\":\"weapon\",\"year_of_manufacture\":1700}\n";
    let file = reg.write("items.jsonl", text);
    let report = reg.import_refused(&file, &[]);
    assert_eq!(report.rejected, 2);
    assert_eq!(
        (report.errors[0].row, report.errors[0].column.as_str()),
        (1, "colour")
    );
    let e = &report.errors[1];
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "year_of_manufacture", "1700")
    );
    assert_eq!(reg.count(), 0);
    let report = reg.import_ok(
        &reg.write("ok.jsonl", &text[..text.find('\n').unwrap() + 1]),
        &["--ignore-unknown"],
    );
    assert_eq!(report.counts(), [1, 0, 0, 0]);
}

/// Writes the reference records as a workbook: dates as date cells, numbers as numbers.
fn write_reference_xlsx(path: &std::path::Path) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (col, name) in HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for (r, values) in reference_rows().iter().enumerate() {
        let r = r as u32 + 1;
        for (col, value) in values.iter().enumerate() {
            let c = col as u16;
            match (HEADER[col], value.as_str()) {
                (_, "") => {}
                ("recovered_on", "2016-07-14") => {
                    let date = ExcelDateTime::from_ymd(2016, 7, 14).unwrap();
                    sheet
                        .write_datetime_with_format(r, c, &date, &date_format)
                        .unwrap();
                }
                ("year_of_manufacture" | "quantity" | "latitude" | "longitude", number) => {
                    sheet
                        .write_number(r, c, number.parse::<f64>().unwrap())
                        .unwrap();
                }
                (_, text) => {
                    sheet.write_string(r, c, text).unwrap();
                }
            }
        }
    }
    workbook.save(path).unwrap();
}

#[test]
fn a_workbook_gives_the_same_items_as_csv() {
    let reg = Register::new();
    let file = reg.path("field-sheet.xlsx");
    write_reference_xlsx(&file);
    assert_eq!(reg.import_ok(&file, &[]).counts(), [3, 0, 0, 0]);
    let items = reg.items();
    assert_eq!(
        items[0]["recovered_on"], "2016-07-14",
        "the date cell is read as a date"
    );
    assert_eq!(
        items[0]["year_of_manufacture"], 1985,
        "the numeric year is a year"
    );
    assert_eq!(items, reference_items());
    // Re-importing the workbook changes nothing; the CSV of the same records neither.
    assert_eq!(reg.import_ok(&file, &[]).counts(), [0, 0, 3, 0]);
    let csv = reg.write("items.csv", canonical_csv(&reference_rows()));
    assert_eq!(reg.import_ok(&csv, &[]).counts(), [0, 0, 3, 0]);
}

/// A blank line in a CSV is skipped; a blank row in a workbook is skipped too.
#[test]
fn an_empty_spreadsheet_row_is_skipped_like_a_blank_csv_line() {
    let reg = Register::new();
    let csv = reg.write("items.csv", "ref,category\nA-1,weapon\n\nA-2,weapon\n");
    assert_eq!(reg.import_ok(&csv, &["--dry-run"]).counts(), [2, 0, 0, 0]);
    let file = reg.path("gap.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, values) in [
        (0, ["ref", "category"]),
        (1, ["A-1", "weapon"]),
        (3, ["A-2", "weapon"]),
    ] {
        for (c, v) in values.iter().enumerate() {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
    }
    workbook.save(&file).unwrap();
    assert_eq!(reg.import_ok(&file, &[]).counts(), [2, 0, 0, 0]);
}

/// Rows count data records from 1, so a blank line is not a row.
#[test]
fn json_lines_rows_count_records_not_lines() {
    let reg = Register::new();
    let file = reg.write(
        "items.jsonl",
        "{\"ref\":\"A-1\",\"category\":\"weapon\"}\n\n{\"ref\":\"A-2\",\"category\":\"tank\"}\n",
    );
    let report = reg.import_refused(&file, &[]);
    assert_eq!(report.single_error().row, 2);
}

#[test]
fn an_unknown_extension_needs_a_format() {
    let reg = Register::new();
    let file = reg.write("items.dat", canonical_csv(&reference_rows()));
    let err = stderr(&reg.fails(&["import", "items", file.to_str().unwrap()]));
    assert!(err.contains("--format"), "{err}");
    assert_eq!(reg.import_ok(&file, &["--format", "csv"]).inserted, 3);
}

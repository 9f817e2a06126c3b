//! The two layouts on small hand-made exports (values invented, shaped like SIPRI's).

use super::*;
use crate::transfer::{Confidence, TransferSource};

const NEW_HEADER: &str = "SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production;";

const CLASSIC_HEADER: &str = "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons";

fn new_export(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(
        "Transfers of major conventional arms from All countries  to All countries . Deals with deliveries made for the year range '1995' to '2025';\r\n;\r\nSource: SIPRI Arms Transfers Database (c) SIPRI.;\r\n",
    );
    text.push_str(NEW_HEADER);
    text.push_str("\r\n");
    for r in rows {
        text.push_str(r);
        text.push_str(";\r\n");
    }
    text.into_bytes()
}

fn classic_export(rows: &[&[u8]]) -> Vec<u8> {
    let mut bytes = b"Transfers of major conventional arms.\nSource: SIPRI.\n\n".to_vec();
    bytes.extend_from_slice(CLASSIC_HEADER.as_bytes());
    bytes.push(b'\n');
    for r in rows {
        bytes.extend_from_slice(r);
        bytes.push(b'\n');
    }
    bytes
}

fn only_row(export: &SipriExport) -> &SipriRow {
    assert_eq!(export.lines.len(), 1, "{:#?}", export.lines);
    export.lines[0].as_ref().expect("the line is a row")
}

#[test]
fn new_export_one_transfer_per_deal_and_year() {
    let bytes = new_export(&[
        "55238,Albania,Burkina Faso,PM-43 120mm,mortar,Artillery,2011,Yes,12,No,2011,No,Second hand,0.25,0.1,1.2,No",
        "60840,Algeria,Western Sahara,BTR-60PB,armoured personnel carrier,Armoured vehicles,2016,Yes,3,Yes,2017,Yes,Second hand,0.25,0.1,0.3,Yes",
    ]);
    let export = parse_export(&bytes).unwrap();
    assert_eq!(export.style, ExportStyle::New);
    assert_eq!(export.header_line, 4);
    let rows: Vec<&SipriRow> = export.lines.iter().map(|l| l.as_ref().unwrap()).collect();
    assert_eq!(rows[0].line, 5);
    assert_eq!(rows[1].line, 6);
    let r = rows[0];
    assert_eq!(r.get("transfer_ref"), "SIPRI-55238-2011");
    assert_eq!(r.get("source_record"), "55238");
    assert_eq!(r.get("supplier"), "Albania");
    assert_eq!(r.get("supplier_country"), "AL");
    assert_eq!(r.get("recipient_country"), "BF");
    assert_eq!(r.get("model"), "PM-43 120mm");
    assert_eq!(r.get("armament_category"), "Artillery");
    assert_eq!(r.get("authorised_on"), "2011");
    assert_eq!(r.get("quantity"), "12");
    assert_eq!(r.get("delivered_on"), "2011");
    assert_eq!(r.get("delivery_years"), "");
    assert_eq!(r.get("tiv_unit"), "0.1");
    assert_eq!(r.get("tiv_delivered"), "1.2");
    assert_eq!(r.get("estimates"), "authorised_on");
    assert_eq!(r.get("confidence"), "medium");
    assert_eq!(r.get("source"), "sipri");
    assert_eq!(r.get("status"), "Second hand");
    assert_eq!(
        r.get("note"),
        "SIPRI TIV per unit of a new weapon of this kind: 0.25"
    );
    // The last field is "Yes", not "Yes;": the line's `;` is not part of the CSV.
    let r = rows[1];
    assert_eq!(r.get("estimates"), "quantity;authorised_on;delivered_on");
    assert_eq!(r.get("confidence"), "low");
    assert_eq!(r.get("recipient_country"), "EH");
    assert!(
        r.get("note")
            .ends_with("local production (made in the recipient country)")
    );

    let (transfers, errors) = export.transfers();
    assert!(errors.is_empty(), "{errors:?}");
    let t = &transfers[1].1;
    assert_eq!(t.source, TransferSource::Sipri);
    assert_eq!(t.confidence, Confidence::Low);
    assert_eq!(t.quantity, Some(3));
    assert_eq!(t.tiv_delivered, Some(0.3));
    assert_eq!(
        t.estimates,
        ["quantity", "authorised_on", "delivered_on"].map(String::from)
    );
}

#[test]
fn classic_export_latin1_flags_and_several_years() {
    let bytes = classic_export(&[
        b"C\xf4te d'Ivoire,T\xfcrkiye,2019,?,10,,Kirpi,APC,10,?,2020; 2021,New,\"Comment with a, comma\",0.5,5,5",
        b"Afghanistan,Soviet Union,1979,?,6000,?,Malyutka,anti-tank missile,6000,,1979; 1980; 1981,New,,0.01,60,60",
        b"Houthi rebels (Yemen)*,Iran,2015,?,,,Qasef-1,UAV,0,,,New,,0.1,,0",
    ]);
    let export = parse_export(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(export.style, ExportStyle::Classic);
    let rows: Vec<&SipriRow> = export
        .lines
        .iter()
        .map(|l| l.as_ref().unwrap_or_else(|e| panic!("{e:?}")))
        .collect();
    let r = rows[0];
    assert_eq!(r.line, 5);
    assert_eq!(r.get("recipient"), "Côte d'Ivoire");
    assert_eq!(r.get("recipient_country"), "CI");
    assert_eq!(r.get("supplier"), "Türkiye");
    assert_eq!(r.get("supplier_country"), "TR");
    assert_eq!(r.get("note"), "Comment with a, comma");
    assert_eq!(r.get("delivered_on"), "2020");
    assert_eq!(r.get("delivery_years"), "2020;2021");
    assert_eq!(r.get("estimates"), "quantity;authorised_on");
    assert_eq!(r.get("confidence"), "low");
    assert_eq!(r.get("number_ordered"), "10");
    assert!(r.get("transfer_ref").starts_with("SIPRI-C-"));
    assert_eq!(r.get("transfer_ref").len(), "SIPRI-C-".len() + 16);
    let r = rows[1];
    assert_eq!(r.get("supplier_country"), "SU");
    assert_eq!(r.get("estimates"), "authorised_on;number_ordered");
    assert_eq!(r.get("confidence"), "medium");
    assert_eq!(r.get("tiv_unit"), "0.01");
    assert_eq!(r.get("tiv_order"), "60");
    assert_eq!(r.get("tiv_delivered"), "60");
    let r = rows[2];
    assert_eq!(r.get("recipient"), "Houthi rebels (Yemen)*");
    assert_eq!(
        r.get("recipient_country"),
        "",
        "a non-state group has no code"
    );
    assert_eq!(r.get("quantity"), "", "0 delivered is no quantity");
    assert_eq!(r.get("delivered_on"), "");
    let (transfers, errors) = export.transfers();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(transfers[1].1.delivery_years, vec![1979, 1980, 1981]);
}

#[test]
fn classic_references_are_stable_and_duplicates_numbered() {
    let row = b"Chad,France,1990,,4,,VAB,APC,4,,1991,New,,0.3,1.2,1.2".as_slice();
    let other = b"Chad,France,1990,,5,,VAB,APC,5,,1991,New,,0.3,1.5,1.5".as_slice();
    let first = parse_export(&classic_export(&[row, other, row])).unwrap();
    let refs: Vec<&str> = first
        .lines
        .iter()
        .map(|l| l.as_ref().unwrap().get("transfer_ref"))
        .collect();
    assert_ne!(
        refs[0], refs[1],
        "a different number ordered is another deal"
    );
    assert_eq!(refs[2], format!("{}-2", refs[0]));
    // The same deal in another export, among other rows, keeps its reference.
    let later = parse_export(&classic_export(&[other, row])).unwrap();
    assert_eq!(
        later.lines[1].as_ref().unwrap().get("transfer_ref"),
        refs[0]
    );
    assert_eq!(
        later.lines[0].as_ref().unwrap().get("transfer_ref"),
        refs[1]
    );
}

#[test]
fn a_record_broken_over_two_lines_is_joined() {
    let export = parse_export(&classic_export(&[
        b"Thailand,Ukraine,2008,,14,,BTR-3,APC,13,,2010; 2012,New,Part of a deal; delivery delayed\r",
        b",0.25,3.5,3.25",
        b"Chad,France,1990,,4,,VAB,APC,4,,1991,New,,0.3,1.2,1.2",
    ]))
    .unwrap();
    assert_eq!(export.lines.len(), 2);
    let r = export.lines[0].as_ref().unwrap();
    assert_eq!(r.line, 5);
    assert_eq!(r.get("note"), "Part of a deal; delivery delayed");
    assert_eq!(r.get("tiv_delivered"), "3.25");
    assert_eq!(export.lines[1].as_ref().unwrap().line, 7);
}

#[test]
fn a_quoted_line_break_stays_in_its_field_and_lines_stay_right() {
    let bytes = new_export(&[
        "1,France,India,Rafale,\"FGA\r\naircraft\",Aircraft,2016,No,12,No,2020,No,New,50,50,600,No",
        "2,France,India,Rafale,FGA aircraft,Aircraft,2016,No,12,No,2021,No,New,50,50,600,No",
    ]);
    let export = parse_export(&bytes).unwrap();
    let rows: Vec<&SipriRow> = export.lines.iter().map(|l| l.as_ref().unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].line, rows[0].get("description")),
        (5, "FGA\naircraft")
    );
    assert_eq!(rows[1].line, 7);
}

#[test]
fn bad_lines_are_reported_by_line_with_every_problem() {
    let bytes = new_export(&[
        "1,France,India,Rafale,FGA aircraft,Aircraft,2016,No,12,No,2020,No,New,50,50,600,No",
        "2,France,Narnia,Rafale,FGA aircraft,Aircraft,2016,No,12,No,20x0,Maybe,New,50,50,600,No",
        "3,France,India,Rafale,FGA aircraft,Aircraft,2016,No,12,No,2021,No,New,50,50,600",
        "4,France,India,Rafale,FGA aircraft,Aircraft,2016,No,many,No,2022,No,New,50,50,600,No",
    ]);
    let export = parse_export(&bytes).unwrap();
    let errors = export.lines[1].as_ref().unwrap_err();
    let found: Vec<(u64, &str, &str)> = errors
        .iter()
        .map(|e| (e.line, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (6, "Delivery year", "20x0"),
            (6, "Recipient", "Narnia"),
            (6, "Delivery year is estimate", "Maybe"),
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "line 6, column Delivery year: \"20x0\" is not a year between 1800 and 2100"
    );
    let width = &export.lines[2].as_ref().unwrap_err()[0];
    assert_eq!(width.line, 7);
    assert!(
        width
            .message
            .contains("has 16 fields where the header has 17")
    );
    // Values the transfer rules check are reported by them, under SIPRI's column name.
    let (transfers, errors) = export.transfers();
    assert_eq!(transfers.len(), 1);
    let last = errors.last().unwrap();
    assert_eq!(
        (last.line, last.column.as_str(), last.value.as_str()),
        (8, "Numbers delivered", "many")
    );
}

#[test]
fn utf8_exports_and_files_that_are_not_exports() {
    let bytes = "\u{feff}SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production;\n\n7,Türkiye,Côte d'Ivoire,Kirpi,APC,Armoured vehicles,2019,No,5,No,2020,No,New,0.5,0.5,2.5,No;\n";
    let export = parse_export(bytes.as_bytes()).unwrap();
    let r = only_row(&export);
    assert_eq!(r.line, 3, "the blank line counts as a line, not a record");
    assert_eq!(r.get("supplier"), "Türkiye");
    assert_eq!(r.get("recipient_country"), "CI");

    assert_eq!(
        parse_export(b"transfer_ref,supplier\nT-1,x\n").unwrap_err(),
        SipriError::NoHeader
    );
    let e =
        parse_export(b"SIPRI AT Database ID,Supplier,Recipient;\n1,France,India;\n").unwrap_err();
    assert!(
        matches!(e, SipriError::MissingColumn { line: 1, .. }),
        "{e}"
    );
    let e = parse_export(
        b"Recipient,Supplier,Year of order,Number ordered, ,Weapon designation,Number delivered\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("after Year of order"), "{e}");
}

#[test]
fn column_names_follow_the_layout() {
    let names = ExportStyle::Classic.column_names();
    assert_eq!(names[field_index("delivered_on")], "Year(s) of delivery");
    assert_eq!(names[field_index("end_user")], "end_user");
    let names = ExportStyle::New.column_names();
    assert_eq!(names[field_index("tiv_delivered")], "TIV delivery values");
}

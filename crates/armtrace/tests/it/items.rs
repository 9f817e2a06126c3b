//! Reading the register back: `items list` filters, paging and JSON shape, `items show`
//! with its revision history after an update, and `--dry-run`, which reports what an
//! import would do and writes nothing.

use serde_json::{Value, json};

use crate::support::{ACTOR, HEADER, Register, canonical_csv, field, row, stderr};

fn five(model_of_a3: &str) -> Vec<Vec<String>> {
    (1..=5)
        .map(|i| {
            let model = if i == 3 { model_of_a3 } else { "AKM" };
            let r = format!("A-{i}");
            row(&[
                ("ref", &r),
                ("category", "weapon"),
                ("model", model),
                ("recovered_country", "Iraq"),
                ("year_of_manufacture", "1975"),
            ])
        })
        .collect()
}

#[test]
fn a_changed_row_updates_the_item_and_keeps_a_revision() {
    let reg = Register::new();
    let file = reg.write("v1.csv", canonical_csv(&five("AKM")));
    assert_eq!(reg.import_ok(&file, &[]).counts(), [5, 0, 0, 0]);
    let v1 = reg.show("A-3");
    assert_eq!(v1["revision"], 1);
    assert_eq!(v1["revisions"], json!([]));

    let file = reg.write("v2.csv", canonical_csv(&five("AKMS")));
    assert_eq!(reg.import_ok(&file, &[]).counts(), [0, 1, 4, 0]);
    let v2 = reg.show("A-3");
    assert_eq!(field(&v2, "model"), Some("AKMS"));
    assert_eq!(v2["revision"], 2);
    let revisions = v2["revisions"].as_array().expect("revisions is an array");
    assert_eq!(revisions.len(), 1, "{revisions:#?}");
    let r = &revisions[0];
    assert_eq!(r["revision"], 2);
    assert_eq!(r["action"], "update");
    assert_eq!(r["actor"], format!("cli:{ACTOR}"));
    let changed_at = r["changed_at"].as_str().expect("changed_at is text");
    assert!(
        changed_at.len() >= 20 && changed_at.contains('T'),
        "changed_at {changed_at:?} is an RFC 3339 time"
    );
    assert_eq!(
        r["previous"],
        json!({"ref": "A-3", "category": "weapon", "model": "AKM", "year_of_manufacture": "1975",
               "recovered_country": "IQ", "confidentiality": "restricted"}),
        "previous holds the replaced non-empty canonical values"
    );
    assert_eq!(
        reg.show("A-2")["revision"],
        1,
        "unchanged items keep their revision"
    );

    // A second change: the model is cleared and a serial added.
    let mut rows = five("");
    rows[2][8] = "KT-1234".to_owned();
    let file = reg.write("v3.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &[]).counts(), [0, 1, 4, 0]);
    let v3 = reg.show("A-3");
    assert_eq!(v3["model"], Value::Null);
    assert_eq!(field(&v3, "serial_number"), Some("KT-1234"));
    assert_eq!(v3["revision"], 3);
    let revisions = v3["revisions"].as_array().unwrap();
    let numbers: Vec<_> = revisions
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2], "newest first");
    assert_eq!(revisions[0]["previous"]["model"], "AKMS");
    assert!(
        revisions[0]["previous"].get("serial_number").is_none(),
        "empty values are left out"
    );
    assert_eq!(
        revisions[1],
        r.clone(),
        "older revisions are kept as they were"
    );

    let text = reg.ok(&["items", "show", "A-3"]);
    assert!(
        text.contains("KT-1234") && text.contains("revision 2") && text.contains("AKMS"),
        "{text}"
    );
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let reg = Register::new();
    let file = reg.write("v1.csv", canonical_csv(&five("AKM")));
    assert_eq!(reg.import_ok(&file, &["--dry-run"]).counts(), [5, 0, 0, 0]);
    assert_eq!(reg.count(), 0, "a dry run writes nothing");
    let out = reg.ok(&["import", "items", file.to_str().unwrap(), "--dry-run"]);
    assert!(out.contains("dry run") && out.contains('5'), "{out}");
    assert_eq!(reg.count(), 0);

    reg.import_ok(&file, &[]);
    let before = reg.export("csv");
    let mut rows = five("AKMS");
    rows.push(row(&[("ref", "A-6"), ("category", "ammunition")]));
    let file = reg.write("v2.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &["--dry-run"]).counts(), [1, 1, 4, 0]);
    assert_eq!(reg.export("csv"), before);
    assert_eq!(reg.show("A-3")["revisions"], json!([]));
    assert!(!reg.run(&["items", "show", "A-6"]).status.success());

    rows.push(row(&[("ref", "A-7"), ("category", "tank")]));
    let file = reg.write("v3.csv", canonical_csv(&rows));
    let report = reg.import_refused(&file, &["--dry-run"]);
    assert_eq!((report.rejected, report.single_error().row), (1, 7));
    assert_eq!(
        reg.import_ok(&file, &["--dry-run", "--skip-invalid"])
            .counts(),
        [1, 1, 4, 1]
    );
    assert_eq!(reg.export("csv"), before, "no dry run wrote anything");
}

fn filter_register() -> Register {
    let reg = Register::new();
    let rows = [
        row(&[
            ("ref", "F-01"),
            ("category", "weapon"),
            ("model", "AKM"),
            ("manufacturer", "Izhmash"),
            ("country_of_manufacture", "USSR"),
            ("recovered_country", "IQ"),
            ("recovered_on", "2015-12-31"),
            ("confidentiality", "public"),
        ]),
        row(&[
            ("ref", "F-02"),
            ("category", "weapon"),
            ("model", "Type 56-1"),
            ("manufacturer", "State Factory 66"),
            ("country_of_manufacture", "China"),
            ("recovered_country", "Syria"),
            ("recovered_on", "2016-07-14"),
            ("latitude", "36.2"),
            ("longitude", "37.1"),
        ]),
        row(&[
            ("ref", "F-03"),
            ("category", "ammunition"),
            ("calibre", "7.62x39mm"),
            ("manufacturer", "State Factory 661"),
            ("country_of_manufacture", "CN"),
            ("recovered_country", "Iraq"),
            ("recovered_on", "2016-08"),
            ("confidentiality", "confidential"),
            ("quantity", "40"),
        ]),
        row(&[
            ("ref", "F-04"),
            ("category", "ied_component"),
            ("model", "RC receiver"),
            ("recovered_country", "SY"),
            ("recovered_on", "2017"),
        ]),
        row(&[
            ("ref", "F-05"),
            ("category", "weapon"),
            ("model", "akms"),
            ("manufacturer", "Tula Arms Plant"),
            ("country_of_manufacture", "Russia"),
            ("recovered_country", "SYR"),
            ("recovered_on", "2016-07"),
            ("confidentiality", "public"),
        ]),
        row(&[("ref", "F-06"), ("category", "chemical_precursor")]),
        row(&[
            ("ref", "F-07"),
            ("category", "weapon"),
            ("model", "M16A4"),
            ("manufacturer", "Colt's Manufacturing"),
            ("country_of_manufacture", "USA"),
            ("recovered_country", "Iraq"),
            ("recovered_on", "2016-07-01"),
        ]),
    ];
    let file = reg.write("items.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &[]).inserted, 7);
    reg
}

#[test]
fn list_filters_select_the_documented_items() {
    let reg = filter_register();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &["F-01", "F-02", "F-03", "F-04", "F-05", "F-06", "F-07"],
        ),
        (&["--category", "weapon"], &["F-01", "F-02", "F-05", "F-07"]),
        (&["--category", "chemical_precursor"], &["F-06"]),
        (&["--model", "akm"], &["F-01", "F-05"]),
        (&["--model", "TYPE 56"], &["F-02"]),
        (&["--manufacturer", "factory 66"], &["F-02", "F-03"]),
        (&["--manufacturer", "colt's"], &["F-07"]),
        (&["--country", "China"], &["F-02", "F-03"]),
        (&["--country", "CHN"], &["F-02", "F-03"]),
        (&["--country", "Soviet Union"], &["F-01"]),
        (&["--recovered-country", "SY"], &["F-02", "F-04", "F-05"]),
        (&["--recovered-country", "Iraq"], &["F-01", "F-03", "F-07"]),
        (&["--confidentiality", "public"], &["F-01", "F-05"]),
        (
            &["--confidentiality", "restricted"],
            &["F-02", "F-04", "F-06", "F-07"],
        ),
        (&["--recovered-after", "2016-08"], &["F-03", "F-04"]),
        (&["--recovered-before", "2015"], &["F-01"]),
        (
            &["--recovered-before", "2016-07"],
            &["F-01", "F-02", "F-05", "F-07"],
        ),
        (
            &[
                "--recovered-after",
                "2016-07-02",
                "--recovered-before",
                "2016-12-31",
            ],
            &["F-02", "F-03"],
        ),
        (
            &[
                "--category",
                "weapon",
                "--recovered-country",
                "Syria",
                "--confidentiality",
                "public",
            ],
            &["F-05"],
        ),
        (&["--category", "other"], &[]),
    ];
    for (args, expected) in cases {
        assert_eq!(reg.refs(args), *expected, "items list {args:?}");
    }
    for bad in [
        ["--category", "tank"],
        ["--country", "Narnia"],
        ["--recovered-after", "07/2016"],
    ] {
        let out = reg.fails(&["items", "list", bad[0], bad[1]]);
        assert!(stderr(&out).contains(bad[1]), "{}", stderr(&out));
    }
}

#[test]
fn list_json_has_the_canonical_shape() {
    let reg = filter_register();
    let items = reg.items();
    for item in &items {
        let keys: Vec<_> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, HEADER, "canonical field names, in canonical order");
    }
    let f03 = &items[2];
    assert_eq!(
        *f03,
        json!({
            "ref": "F-03", "category": "ammunition", "item_type": null, "model": null,
            "calibre": "7.62x39mm", "manufacturer": "State Factory 661", "country_of_manufacture": "CN",
            "year_of_manufacture": null, "serial_number": null, "lot_number": null, "markings": null,
            "quantity": 40, "recovered_on": "2016-08", "recovered_country": "IQ", "recovered_place": null,
            "latitude": null, "longitude": null, "recovered_from": null, "documented_by": null,
            "confidentiality": "confidential", "notes": null,
        })
    );
    assert_eq!(items[1]["latitude"], 36.2);
    assert_eq!(items[1]["longitude"], 37.1);
    let shown = reg.show("F-03");
    for key in HEADER {
        assert_eq!(
            shown[key], f03[key],
            "items show agrees with items list on {key}"
        );
    }
}

#[test]
fn limit_zero_lists_everything_and_offset_pages() {
    let reg = Register::new();
    let rows: Vec<_> = (1..=120)
        .map(|i| row(&[("ref", &format!("P-{i:03}")), ("category", "other")]))
        .collect();
    reg.import_ok(&reg.write("items.csv", canonical_csv(&rows)), &[]);
    let refs = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["items", "list", "--json"];
        all.extend_from_slice(args);
        reg.list_raw(&all)
            .iter()
            .map(|i| i["ref"].as_str().unwrap().to_owned())
            .collect()
    };
    let every: Vec<_> = (1..=120).map(|i| format!("P-{i:03}")).collect();
    assert_eq!(refs(&["--limit", "0"]), every);
    assert!(
        refs(&[]).len() < 120,
        "without --limit the listing is bounded"
    );
    assert_eq!(refs(&["--limit", "10", "--offset", "5"]), every[5..15]);
    assert_eq!(refs(&["--limit", "0", "--offset", "115"]), every[115..]);
    assert_eq!(
        refs(&["--limit", "5", "--offset", "200"]),
        Vec::<String>::new()
    );
    let text = reg.ok(&["items", "list", "--limit", "10"]);
    assert!(
        text.contains("P-001") && !text.contains("P-011") && text.contains("10 of 120"),
        "{text}"
    );
}

#[test]
fn show_of_an_unknown_ref_fails_and_names_it() {
    let reg = filter_register();
    let out = reg.fails(&["items", "show", "NO-SUCH-REF"]);
    assert!(stderr(&out).contains("NO-SUCH-REF"), "{}", stderr(&out));
    let out = reg.fails(&["items", "show", "NO-SUCH-REF", "--json"]);
    assert!(stderr(&out).contains("NO-SUCH-REF"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no JSON for a missing item");
    let text = reg.ok(&["items", "show", "F-02"]);
    assert!(
        text.contains("Type 56-1") && text.contains("China"),
        "{text}"
    );
}

//! `armtrace stats`, `chart` and `report` through the CLI, on a small hand-built
//! register whose figures are known: the contract JSON exactly, the errors, and the
//! files written (SVG, PNG, HTML; PDF only says what it needs when Chromium is absent).

use serde_json::{Value, json};

use crate::support::{Register, TRANSFER_HEADER, canonical_csv, row, stderr};

/// Five items (synthetic test data):
///
/// | ref | category | made in | year | qty | recovered | in | from |
/// |---|---|---|---|---|---|---|---|
/// | W-1 | weapon | China | 1994 | – | 2015-03-01 | Syria | Islamic State forces |
/// | W-2 | weapon | CN | 1987 | – | 2015-04 | IQ | islamic state FORCES |
/// | W-3 | weapon | – | – | – | – | Iraq | – |
/// | A-1 | ammunition | SU | 1980 | 400 | 2015-03-20 | SY | – |
/// | A-2 | ammunition | CN | 2012 | – | 2016 | IQ | – |
///
/// One transfer covers W-1 (serial KA100 of 9M113 Konkurs), delivered 2015-01-01:
/// a 59-day diversion to the 17th Division.
fn register() -> Register {
    let reg = Register::new();
    let rows = vec![
        row(&[
            ("ref", "W-1"),
            ("category", "weapon"),
            ("model", "9M113 Konkurs"),
            ("manufacturer", "KBP"),
            ("serial_number", "KA100"),
            ("country_of_manufacture", "China"),
            ("year_of_manufacture", "1994"),
            ("recovered_on", "2015-03-01"),
            ("recovered_country", "Syria"),
            ("recovered_from", "Islamic State forces"),
            ("notes", "SYNTHETIC test record"),
        ]),
        row(&[
            ("ref", "W-2"),
            ("category", "weapon"),
            ("country_of_manufacture", "CN"),
            ("year_of_manufacture", "1987"),
            ("recovered_on", "2015-04"),
            ("recovered_country", "IQ"),
            ("recovered_from", "islamic state FORCES"),
            ("notes", "SYNTHETIC test record"),
        ]),
        row(&[
            ("ref", "W-3"),
            ("category", "weapon"),
            ("recovered_country", "Iraq"),
            ("notes", "SYNTHETIC test record"),
        ]),
        row(&[
            ("ref", "A-1"),
            ("category", "ammunition"),
            ("country_of_manufacture", "SU"),
            ("year_of_manufacture", "1980"),
            ("quantity", "400"),
            ("recovered_on", "2015-03-20"),
            ("recovered_country", "SY"),
            ("notes", "SYNTHETIC test record"),
        ]),
        row(&[
            ("ref", "A-2"),
            ("category", "ammunition"),
            ("country_of_manufacture", "CN"),
            ("year_of_manufacture", "2012"),
            ("recovered_on", "2016"),
            ("recovered_country", "IQ"),
            ("notes", "SYNTHETIC test record"),
        ]),
    ];
    let items = reg.write("items.csv", canonical_csv(&rows));
    reg.import_ok(&items, &[]);
    let transfers = format!(
        "{TRANSFER_HEADER}\n\
         T-1,Ministry of Defence,Syria,17th Division,Syria,17th Division,9M113 Konkurs,,KBP,KA100,KA200,,,,2014-12-20,2015-01-01,Voucher V-1\n"
    );
    let file = reg.write("transfers.csv", transfers);
    let (out, _) = reg.import_kind("transfers", &file, &[]);
    assert!(out.status.success(), "{}", crate::support::describe(&out));
    reg
}

fn json(reg: &Register, args: &[&str]) -> Value {
    serde_json::from_str(&reg.ok(args)).expect("JSON output")
}

#[test]
fn stats_json_is_the_contract() {
    let reg = register();
    assert_eq!(
        json(&reg, &["stats", "--by", "country_of_manufacture", "--json"]),
        json!({"total": 5, "groups": [
            {"key": {"country_of_manufacture": "CN"}, "count": 3, "share": 0.6},
            {"key": {"country_of_manufacture": "SU"}, "count": 1, "share": 0.2},
            {"key": {"country_of_manufacture": null}, "count": 1, "share": 0.2},
        ]})
    );
    // Two fields, a filter by country name, pieces: W-2 1 + W-3 1 + A-2 1 in Iraq.
    assert_eq!(
        json(
            &reg,
            &[
                "stats",
                "--by",
                "category",
                "--by",
                "decade",
                "--where",
                "recovered_country=Iraq",
                "--weight",
                "quantity",
                "--json"
            ]
        ),
        json!({"total": 3, "groups": [
            {"key": {"category": "ammunition", "decade": "2010s"}, "count": 1, "share": 1.0 / 3.0},
            {"key": {"category": "weapon", "decade": "1980s"}, "count": 1, "share": 1.0 / 3.0},
            {"key": {"category": "weapon", "decade": null}, "count": 1, "share": 1.0 / 3.0},
        ]})
    );
    // Derived dates: W-2's month is known, A-2's is not.
    assert_eq!(
        json(
            &reg,
            &[
                "stats",
                "--by",
                "recovered_month",
                "--where",
                "category=weapon",
                "--json"
            ]
        ),
        json!({"total": 3, "groups": [
            {"key": {"recovered_month": "2015-03"}, "count": 1, "share": 1.0 / 3.0},
            {"key": {"recovered_month": "2015-04"}, "count": 1, "share": 1.0 / 3.0},
            {"key": {"recovered_month": null}, "count": 1, "share": 1.0 / 3.0},
        ]})
    );
    // Folded text: both spellings of one holder are one group.
    assert_eq!(
        json(
            &reg,
            &[
                "stats",
                "--by",
                "recovered_from",
                "--where",
                "recovered_from=null",
                "--json"
            ]
        )["total"],
        3
    );
    let holders = json(&reg, &["stats", "--by", "recovered_from", "--json"]);
    assert_eq!(
        holders["groups"],
        json!([
            {"key": {"recovered_from": null}, "count": 3, "share": 0.6},
            {"key": {"recovered_from": "Islamic State forces"}, "count": 2, "share": 0.4},
        ])
    );
    // The table for people.
    let table = reg.ok(&["stats", "--by", "category"]);
    assert!(
        table.contains("weapon") && table.contains("60.0%"),
        "{table}"
    );
    assert!(table.contains("2 groups, total 5 items"), "{table}");
}

#[test]
fn stats_errors_name_the_field_value_and_choices() {
    let reg = register();
    let e = stderr(&reg.fails(&["stats", "--by", "colour"]));
    assert!(
        e.contains("unknown field \"colour\": use one of category, item_type"),
        "{e}"
    );
    let e = stderr(&reg.fails(&["stats", "--by", "category", "--where", "recovered_country"]));
    assert!(e.contains("has no '='"), "{e}");
    let e = stderr(&reg.fails(&[
        "stats",
        "--by",
        "category",
        "--where",
        "country_of_manufacture=Narnia",
    ]));
    assert!(e.contains("\"Narnia\" is not a known country"), "{e}");
    let e = stderr(&reg.fails(&["stats", "--by", "category", "--where", "category=tank"]));
    assert!(
        e.contains("\"tank\" is not one of weapon, ammunition"),
        "{e}"
    );
    let e = stderr(&reg.fails(&["stats", "--by", "category", "--weight", "rounds"]));
    assert!(e.contains("the only weight is quantity"), "{e}");
}

#[test]
fn stats_diversion_summarises_time_to_diversion() {
    let reg = register();
    let s = json(&reg, &["stats", "--diversion", "--json"]);
    assert_eq!(
        s["overall"],
        json!({"count": 1, "min": 59, "q1": 59.0, "median": 59.0, "q3": 59.0, "max": 59})
    );
    assert_eq!(s["histogram"][1]["label"], "1–3 months");
    assert_eq!(s["histogram"][1]["count"], 1);
    assert_eq!(s["by_end_user"][0]["name"], "17th Division");
    assert_eq!(s["by_recovered_from"][0]["name"], "Islamic State forces");
    // A selection without W-1 has none.
    let none = json(
        &reg,
        &[
            "stats",
            "--diversion",
            "--where",
            "category=ammunition",
            "--json",
        ],
    );
    assert_eq!(none["overall"], Value::Null);
}

#[test]
fn charts_are_written_as_svg_and_png() {
    let reg = register();
    let svg = reg.path("bars.svg");
    reg.ok(&[
        "chart",
        "bars",
        "--by",
        "country_of_manufacture",
        "--out",
        svg.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("China (CN)") && text.contains("60.0% (3)"));
    assert!(text.contains("SYNTHETIC demonstration data"), "{text}");
    let png = reg.path("stacked.png");
    reg.ok(&[
        "chart",
        "stacked",
        "--by",
        "recovered_country",
        "--by",
        "category",
        "--out",
        png.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    for kind in ["recoveries", "diversion-histogram"] {
        let out = reg.path(&format!("{kind}.svg"));
        reg.ok(&["chart", kind, "--out", out.to_str().unwrap()]);
        assert!(std::fs::read_to_string(&out).unwrap().ends_with("</svg>"));
    }
    let e = stderr(&reg.fails(&["chart", "stacked", "--by", "category", "--out", "x.svg"]));
    assert!(
        e.contains("chart stacked takes 2 --by fields, not 1"),
        "{e}"
    );
    let e = stderr(&reg.fails(&["chart", "bars", "--by", "category", "--out", "x.jpg"]));
    assert!(e.contains("name the file .svg or .png"), "{e}");
}

#[test]
fn report_html_has_headlines_methods_and_status() {
    let reg = register();
    let out = reg.path("report.html");
    reg.ok(&["report", "--out", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Data status: SYNTHETIC"));
    // 2 of 3 weapons made in China; the 2010s: 1 of 2 ammunition, 0 of 2 weapons with a year.
    assert!(
        html.contains(
            "<b class=\"figure\">66.7%</b> of weapons were produced in <b>China (CN)</b> (2 of 3)"
        ),
        "{html}"
    );
    assert!(html.contains("<b class=\"figure\">50.0%</b> of ammunition was made in the 2010s"));
    assert!(html.contains("<b class=\"figure\">59 days</b>"));
    assert!(html.contains("T-1 (delivered 2015-01-01): Ministry of Defence → 17th Division"));
    assert!(html.contains("Methods"));
    let e = reg
        .command()
        .args(["report", "--out", "r.pdf"])
        .env("PATH", "")
        .env_remove("ARMTRACE_CHROMIUM")
        .output()
        .unwrap();
    assert!(!e.status.success());
    assert!(
        stderr(&e).contains("a PDF report needs headless Chromium"),
        "{}",
        stderr(&e)
    );
}

//! The SIPRI Arms Transfers Database through the command line, on the hand-made exports
//! in `tests/data/sipri/` (synthetic, shaped like SIPRI's): `import transfers --format
//! sipri` (both layouts, idempotent, problems by line), `transfers list`, `transfers
//! stats` and `transfers candidates`.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Register, canonical_csv, row, stderr, stdout};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sipri")
        .join(name)
}

/// `transfers list --json --limit 0`: every transfer, by delivery date then reference.
fn transfers(reg: &Register) -> Vec<Value> {
    let out = reg.ok(&["transfers", "list", "--json", "--limit", "0"]);
    let v: Value = serde_json::from_str(&out).expect("transfers list --json prints JSON");
    v["transfers"]
        .as_array()
        .expect("a transfers array")
        .clone()
}

fn by_ref<'a>(all: &'a [Value], reference: &str) -> &'a Value {
    all.iter()
        .find(|t| t["transfer_ref"] == reference)
        .unwrap_or_else(|| panic!("no transfer {reference}"))
}

fn json(reg: &Register, args: &[&str]) -> Value {
    serde_json::from_str(&reg.ok(args)).expect("the command prints JSON")
}

/// A register holding both synthetic exports.
fn register_with_exports() -> Register {
    let reg = Register::new();
    for (file, rows) in [("new-export.csv", 11), ("classic-export.csv", 10)] {
        let (out, report) = reg.import_kind("transfers", &data(file), &["--format", "sipri"]);
        assert!(out.status.success(), "{}", crate::support::describe(&out));
        assert_eq!(report.counts(), [rows, 0, 0, 0], "{file}");
    }
    reg
}

#[test]
fn both_layouts_import_twice_into_the_same_register() {
    let reg = register_with_exports();
    let before = transfers(&reg);
    assert_eq!(before.len(), 21);
    for (file, rows) in [("new-export.csv", 11), ("classic-export.csv", 10)] {
        let (_, report) = reg.import_kind("transfers", &data(file), &["--format", "sipri"]);
        assert_eq!(
            report.counts(),
            [0, 0, rows, 0],
            "{file} again changes nothing"
        );
    }
    assert_eq!(transfers(&reg), before, "the register is exactly as it was");
    let text = reg.ok(&[
        "import",
        "transfers",
        data("new-export.csv").to_str().unwrap(),
        "--format",
        "sipri",
    ]);
    assert!(text.contains("nothing changed"), "{text}");

    // The new export: one transfer per deal and year, flags as estimates.
    let t = by_ref(&before, "SIPRI-900002-2012");
    assert_eq!(t["source"], "sipri");
    assert_eq!(t["confidence"], "low");
    assert_eq!(t["source_record"], "900002");
    assert_eq!(t["recipient_country"], "SY");
    assert_eq!(t["armament_category"], "Missiles");
    assert_eq!(t["tiv_delivered"], 4.0);
    assert_eq!(t["tiv_unit"], 0.02);
    assert_eq!(
        t["estimates"],
        serde_json::json!(["quantity", "authorised_on", "delivered_on"])
    );
    assert_eq!(by_ref(&before, "SIPRI-900001-2009")["confidence"], "medium");
    let houthis = by_ref(&before, "SIPRI-900005-2016");
    assert_eq!(houthis["recipient"], "Houthi rebels (Yemen)*");
    assert_eq!(houthis["recipient_country"], Value::Null);
    let local = by_ref(&before, "SIPRI-900004-2013");
    assert!(
        local["note"].as_str().unwrap().contains("local production"),
        "{local}"
    );
    assert_eq!(
        by_ref(&before, "SIPRI-900008-2013")["supplier_country"],
        Value::Null
    );
    assert_eq!(by_ref(&before, "SIPRI-900009-2020")["recipient"], "NATO**");

    // The classic export: Latin-1, `?` columns, several years, former states.
    let classic: Vec<&Value> = before
        .iter()
        .filter(|t| t["transfer_ref"].as_str().unwrap().starts_with("SIPRI-C-"))
        .collect();
    assert_eq!(classic.len(), 10);
    let find = |model: &str| -> Vec<&Value> {
        classic
            .iter()
            .copied()
            .filter(|t| t["model"] == model)
            .collect()
    };
    let kirpi = find("Kirpi")[0];
    assert_eq!(kirpi["recipient"], "Côte d'Ivoire");
    assert_eq!(kirpi["recipient_country"], "CI");
    assert_eq!(kirpi["supplier"], "Türkiye");
    assert_eq!(kirpi["delivery_years"], serde_json::json!([2020, 2021]));
    assert_eq!(kirpi["delivered_on"], "2020");
    assert_eq!(kirpi["estimates"], serde_json::json!(["quantity"]));
    assert_eq!(kirpi["confidence"], "low");
    let malyutka = find("Malyutka")[0];
    assert_eq!(malyutka["supplier_country"], "SU");
    assert_eq!(malyutka["number_ordered"], 600);
    assert_eq!(malyutka["tiv_order"], 6.0);
    assert_eq!(
        malyutka["estimates"],
        serde_json::json!(["authorised_on", "number_ordered"])
    );
    assert_eq!(find("M-84")[0]["supplier_country"], "YU");
    assert_eq!(find("BTR-152")[0]["supplier_country"], "DD");
    assert_eq!(find("Wing Loong")[0]["recipient_country"], Value::Null);
    let global_hawk = find("RQ-4 Global Hawk")[0];
    assert_eq!(global_hawk["quantity"], Value::Null, "0 delivered");
    assert_eq!(global_hawk["delivered_on"], Value::Null);
    let btr3 = find("BTR-3")[0];
    assert_eq!(btr3["note"], "Part of an invented deal; delivery delayed");
    assert_eq!(btr3["tiv_delivered"], 3.25);
    // An exact duplicate row is a second deal with the same six values, numbered.
    let ot64: Vec<&str> = find("OT-64")
        .iter()
        .map(|t| t["transfer_ref"].as_str().unwrap())
        .collect();
    assert_eq!(ot64.len(), 2);
    assert!(
        ot64.contains(&format!("{}-2", ot64.iter().min_by_key(|r| r.len()).unwrap()).as_str()),
        "{ot64:?}"
    );
    assert!(classic.iter().all(|t| t["source"] == "sipri"));
}

#[test]
fn a_malformed_line_is_reported_by_its_line_and_nothing_is_written() {
    let reg = Register::new();
    let file = data("classic-bad-year.csv");
    let (out, report) = reg.import_kind("transfers", &file, &["--format", "sipri"]);
    assert!(!out.status.success());
    assert_eq!(report.counts(), [0, 0, 0, 1]);
    let e = report.single_error();
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (5, "Year(s) of delivery", "198O")
    );
    assert!(e.message.contains("is not a year"), "{}", e.message);
    assert!(transfers(&reg).is_empty());

    let out = reg.fails(&[
        "import",
        "transfers",
        file.to_str().unwrap(),
        "--format",
        "sipri",
    ]);
    assert!(
        stderr(&out).contains("line 5, column Year(s) of delivery: \"198O\" is not a year"),
        "{}",
        stderr(&out)
    );
    let (_, report) = reg.import_kind("transfers", &file, &["--format", "sipri", "--skip-invalid"]);
    assert_eq!(report.counts(), [2, 0, 0, 1]);
}

#[test]
fn the_sipri_format_is_for_transfers_and_must_be_asked_for() {
    let reg = Register::new();
    let file = data("new-export.csv");
    let out = reg.fails(&[
        "import",
        "items",
        file.to_str().unwrap(),
        "--format",
        "sipri",
    ]);
    assert!(
        stderr(&out).contains("armtrace import transfers"),
        "{}",
        stderr(&out)
    );
    let out = reg.fails(&["import", "transfers", file.to_str().unwrap()]);
    assert!(stderr(&out).contains("--format sipri"), "{}", stderr(&out));
    let not_sipri = reg.write("plain.csv", "transfer_ref,supplier\nT-1,x\n");
    let out = reg.fails(&[
        "import",
        "transfers",
        not_sipri.to_str().unwrap(),
        "--format",
        "sipri",
    ]);
    assert!(
        stderr(&out).contains("no SIPRI header line"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stats_weigh_deliveries_in_tiv_with_shares() {
    let reg = register_with_exports();
    let s = json(
        &reg,
        &[
            "transfers",
            "stats",
            "--by",
            "supplier_country",
            "--from",
            "2009",
            "--to",
            "2013",
            "--json",
        ],
    );
    let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["count", "from", "groups", "to", "total", "weight"]);
    assert_eq!(s["weight"], "tiv");
    assert_eq!(
        (s["from"].as_i64(), s["to"].as_i64()),
        (Some(2009), Some(2013))
    );
    // New export 2009–2013: Russia 2 + 2 + 4 + 20, US 1120, France 7.2, unknown 2;
    // classic: Thailand's BTR-3 (2010 and 2012, 3.25 in all) and Iran's Shahed-129 (2012, 5).
    let groups: Vec<(Value, u64, f64)> = s["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let mut k: Vec<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
            k.sort_unstable();
            assert_eq!(k, ["count", "key", "share", "weight"]);
            (
                g["key"]["supplier_country"].clone(),
                g["count"].as_u64().unwrap(),
                g["weight"].as_f64().unwrap(),
            )
        })
        .collect();
    let expect = [
        ("US", 1, 1120.0),
        ("RU", 4, 28.0),
        ("FR", 1, 7.2),
        ("IR", 1, 5.0),
        ("UA", 1, 3.25),
    ];
    for (i, (code, count, weight)) in expect.iter().enumerate() {
        assert_eq!(groups[i].0, *code, "{groups:?}");
        assert_eq!(groups[i].1, *count, "{code}");
        assert!((groups[i].2 - weight).abs() < 1e-9, "{code}: {groups:?}");
    }
    assert_eq!(groups[5].0, Value::Null, "unknown supplier(s) has no code");
    let total = s["total"].as_f64().unwrap();
    assert!((total - (1120.0 + 28.0 + 7.2 + 5.0 + 3.25 + 2.0)).abs() < 1e-9);
    let shares: f64 = s["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9);

    let text = reg.ok(&[
        "transfers",
        "stats",
        "--by",
        "supplier_country",
        "--by",
        "year",
    ]);
    assert!(text.contains("United States (US)"), "{text}");
    assert!(text.contains("SIPRI Arms Transfers Database"), "{text}");
    let q = json(
        &reg,
        &[
            "transfers",
            "stats",
            "--by",
            "source",
            "--weight",
            "quantity",
            "--json",
        ],
    );
    assert_eq!(q["weight"], "quantity");
    let out = reg.fails(&["transfers", "stats", "--by", "colour"]);
    assert!(
        stderr(&out).contains("supplier_country"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn candidates_rank_the_recovery_country_then_neighbours_then_the_rest() {
    let reg = register_with_exports();
    let items = reg.write(
        "items.csv",
        canonical_csv(&[
            row(&[
                ("ref", "IQ-ATGM-1"),
                ("category", "weapon"),
                ("model", "9M113 Konkurs"),
                ("recovered_on", "2015-03-02"),
                ("recovered_country", "IQ"),
            ]),
            row(&[
                ("ref", "YE-UAV-1"),
                ("category", "weapon"),
                ("model", "Qasef 1"),
                ("recovered_on", "2018"),
                ("recovered_country", "Yemen"),
            ]),
            row(&[("ref", "NO-MODEL"), ("category", "weapon")]),
        ]),
    );
    reg.import_ok(&items, &[]);
    let c = json(&reg, &["transfers", "candidates", "IQ-ATGM-1", "--json"]);
    assert_eq!(c["item"]["ref"], "IQ-ATGM-1");
    assert_eq!(c["item"]["recovered_country"], "IQ");
    let found: Vec<(&str, &str)> = c["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["transfer_ref"].as_str().unwrap(),
                c["rank_group"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("SIPRI-900001-2010", "recovery_country"),
            ("SIPRI-900001-2009", "recovery_country"),
            ("SIPRI-900002-2012", "neighbour"),
            ("SIPRI-900004-2013", "elsewhere"),
        ],
        "delivered to Iraq in 2016, after the recovery, is not a candidate"
    );
    let first = &c["candidates"][0];
    assert_eq!(first["designation"], "9M113 Konkurs");
    assert_eq!(first["delivered"], "2010");
    assert_eq!(first["quantity"], 100);
    assert_eq!(first["tiv"], 2.0);
    assert_eq!(first["source"], "sipri");
    assert_eq!(first["confidence"], "low");
    let reasons: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "same designation 9M113 Konkurs",
            "delivered to Iraq (recovery country) in 2010, 5 years before recovery",
            "SIPRI register-level (a deal, not these items), low confidence: estimated quantity",
        ]
    );
    assert_eq!(
        c["candidates"][2]["reasons"][1],
        "delivered to Syria, a neighbour of Iraq (recovery country) in 2012, 3 years before recovery"
    );

    let c = json(&reg, &["transfers", "candidates", "YE-UAV-1", "--json"]);
    assert_eq!(c["candidates"][0]["transfer_ref"], "SIPRI-900005-2016");
    assert_eq!(c["candidates"][0]["rank_group"], "recovery_country");

    let text = reg.ok(&["transfers", "candidates", "IQ-ATGM-1", "--limit", "2"]);
    assert!(
        text.contains("4 candidate transfers (the first 2 shown"),
        "{text}"
    );
    assert!(
        text.contains("[recovery country] SIPRI-900001-2010"),
        "{text}"
    );
    let out = reg.fails(&["transfers", "candidates", "NO-MODEL"]);
    assert!(stderr(&out).contains("has no model"), "{}", stderr(&out));
}

#[test]
fn listings_say_where_each_transfer_is_known_from() {
    let reg = register_with_exports();
    let text = reg.ok(&["transfers", "list", "--source", "sipri", "--limit", "3"]);
    assert!(text.contains("SOURCE/CONFIDENCE"), "{text}");
    assert!(text.contains("sipri/"), "{text}");
    assert!(text.contains("3 of 21 transfers"), "{text}");
    let out = reg.run(&["transfers", "list", "--source", "rumour"]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
}

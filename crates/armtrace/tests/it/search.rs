//! `armtrace search` and `armtrace identify` through the CLI: the JSON contract, the
//! ranking (as written, then normalised-exact, then by distance), misread characters,
//! wildcards, filters and errors.

use serde_json::Value;

use crate::support::{Register, canonical_csv, row};

fn register() -> Register {
    let reg = Register::new();
    let item = |r: &'static str, serial: &'static str, model: &'static str, cat: &'static str| {
        row(&[
            ("ref", r),
            ("category", cat),
            ("model", model),
            ("serial_number", serial),
            ("country_of_manufacture", "SU"),
        ])
    };
    let rows = vec![
        item("S-1", "AB1207", "AKM", "weapon"),
        item("S-2", "A8-I2O7", "AKM", "weapon"), // the same serial, misread
        item("S-3", "AB1208", "Type 56", "weapon"), // one substitution away
        item("S-4", "AB2107", "AKM", "weapon"),  // one adjacent swap away
        item("S-5", "XY9999", "AKM", "weapon"),
        item("S-6", "AB1207", "", "other"),
    ];
    let file = reg.write("items.csv", canonical_csv(&rows));
    reg.import_ok(&file, &[]);
    reg
}

fn search(reg: &Register, args: &[&str]) -> Value {
    let mut full = vec!["search"];
    full.extend_from_slice(args);
    full.push("--json");
    serde_json::from_str(&reg.ok(&full)).expect("JSON output")
}

fn refs(v: &Value) -> Vec<&str> {
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ref"].as_str().unwrap())
        .collect()
}

#[test]
fn ranks_as_written_then_normalised_then_distance() {
    let reg = register();
    let v = search(&reg, &["AB1207", "--max-edits", "1"]);
    assert_eq!(v["query"], "AB1207");
    assert_eq!(v["normalised"], "A81207");
    assert_eq!(refs(&v), ["S-1", "S-6", "S-2", "S-3", "S-4"]);
    let distances: Vec<i64> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["distance"].as_i64().unwrap())
        .collect();
    assert_eq!(distances, [0, 0, 0, 1, 1]);
    assert_eq!(v["matches"][0]["serial_number"], "AB1207");
}

#[test]
fn wildcards_filters_limits_and_errors() {
    let reg = register();
    // Equally good matches keep register order.
    assert_eq!(
        refs(&search(&reg, &["AB12??"])),
        ["S-1", "S-2", "S-3", "S-6"]
    );
    assert_eq!(refs(&search(&reg, &["*07"])), ["S-1", "S-2", "S-4", "S-6"]);
    // The default budget for six characters is one edit.
    assert_eq!(search(&reg, &["AB1207"])["max_edits"], 1);
    // Category filters; model ranks (filter fit) without excluding.
    assert_eq!(
        refs(&search(
            &reg,
            &["AB1207", "--max-edits", "0", "--category", "other"]
        )),
        ["S-6"]
    );
    let ranked = search(&reg, &["AB1208", "--max-edits", "1", "--model", "Type 56"]);
    assert_eq!(refs(&ranked)[0], "S-3");
    let limited = search(&reg, &["AB1207", "--limit", "2"]);
    assert_eq!(
        (limited["total"].as_u64(), refs(&limited).len()),
        (Some(5), 2)
    );
    assert_eq!(refs(&search(&reg, &["AB1207", "--limit", "0"])).len(), 5);
    let out = reg.fails(&["search", "--", "--"]);
    assert!(!crate::support::stderr(&out).is_empty());
}

#[test]
fn identify_reads_a_headstamp() {
    let reg = Register::new();
    let v: Value = serde_json::from_str(&reg.ok(&["identify", "539 82", "--json"])).unwrap();
    let first = &v["identifications"][0];
    assert_eq!(first["kind"], "headstamp");
    assert_eq!(first["country"], "SU");
    assert_eq!(first["year"], 1982);
    assert!(!first["source"].as_str().unwrap().is_empty());
}

#[test]
fn import_suggests_but_never_overwrites() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        "ref,category,model,markings,manufacturer\nX-1,ammunition,,539 82,\nX-2,ammunition,,539 82,Someone else\nX-3,other,,,\n",
    );
    let out = reg.run(&["import", "items", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        crate::support::stdout(&out).contains("items suggest"),
        "{}",
        crate::support::describe(&out)
    );
    // Nothing was filled in.
    assert_eq!(reg.show("X-1")["manufacturer"], Value::Null);
    let v: Value = serde_json::from_str(&reg.ok(&["items", "suggest", "--json"])).unwrap();
    let list = v["suggestions"].as_array().unwrap();
    let x1 = list
        .iter()
        .find(|s| s["ref"] == "X-1")
        .expect("X-1 has a suggestion");
    assert_eq!(x1["manufacturer"], "Tula Cartridge Works");
    assert_eq!(x1["country"], "SU");
    assert_eq!(x1["year"], 1982);
    // X-2 keeps its manufacturer: only the empty fields are suggested.
    let x2 = list
        .iter()
        .find(|s| s["ref"] == "X-2")
        .expect("X-2 has a suggestion");
    assert_eq!(x2["manufacturer"], Value::Null);
    assert!(list.iter().all(|s| s["ref"] != "X-3"));
}

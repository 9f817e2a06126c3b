//! `export items`: CSV with the canonical header that re-imports to the same register,
//! JSON Lines with the listing's item objects, and GeoJSON points for the items that
//! have coordinates.

use serde_json::{Value, json};

use crate::support::{HEADER, Register, canonical_csv, read_csv, row, stderr};

fn register_with_places() -> Register {
    let reg = Register::new();
    let rows = [
        row(&[
            ("ref", "G-1"),
            ("category", "weapon"),
            ("model", "AKM"),
            ("latitude", "36.34"),
            ("longitude", "43.13"),
            ("recovered_country", "Iraq"),
        ]),
        row(&[
            ("ref", "G-2"),
            ("category", "ammunition"),
            ("notes", "no place, \"unknown\"\nsecond line"),
        ]),
        row(&[
            ("ref", "G-3"),
            ("category", "weapon"),
            ("latitude", "-33.9"),
            ("longitude", "-70.5"),
            ("recovered_on", "2016-07"),
        ]),
        row(&[
            ("ref", "G-4"),
            ("category", "other"),
            ("latitude", "0"),
            ("longitude", "0"),
        ]),
    ];
    let file = reg.write("items.csv", canonical_csv(&rows));
    assert_eq!(reg.import_ok(&file, &[]).inserted, 4);
    reg
}

#[test]
fn geojson_is_a_feature_collection_of_points() {
    let reg = register_with_places();
    let out = reg.run(&["export", "items", "--format", "geojson"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("1 item without coordinates is not in the GeoJSON"),
        "{}",
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("GeoJSON is JSON");
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().expect("features is an array");
    let refs: Vec<_> = features
        .iter()
        .map(|f| f["properties"]["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["G-1", "G-3", "G-4"], "only items with coordinates");
    let expected = [[43.13, 36.34], [-70.5, -33.9], [0.0, 0.0]];
    for (f, lon_lat) in features.iter().zip(expected) {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let c: Vec<f64> = f["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(c, lon_lat, "coordinates are [longitude, latitude]");
    }
    assert_eq!(features[0]["properties"]["model"], "AKM");
    assert_eq!(features[0]["properties"]["recovered_country"], "IQ");

    let empty = Register::new();
    let doc: Value = serde_json::from_str(&empty.export("geojson")).unwrap();
    assert_eq!(doc, json!({"type": "FeatureCollection", "features": []}));
}

#[test]
fn csv_export_to_a_file_reimports_unchanged() {
    let reg = register_with_places();
    let out = reg.path("export.csv");
    let msg = reg.run(&[
        "export",
        "items",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(msg.status.success());
    assert!(stderr(&msg).contains("wrote 4 items"), "{}", stderr(&msg));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text, reg.export("csv"), "--out writes what stdout gets");
    let (header, rows) = read_csv(&text);
    assert_eq!(header, HEADER);
    assert_eq!(rows.len(), 4);

    assert_eq!(
        reg.import_ok(&out, &[]).counts(),
        [0, 0, 4, 0],
        "the same register re-imports unchanged"
    );
    let fresh = Register::new();
    assert_eq!(fresh.import_ok(&out, &[]).counts(), [4, 0, 0, 0]);
    assert_eq!(fresh.export("csv"), text);
    assert_eq!(fresh.items(), reg.items());
}

/// `-0` is a valid coordinate; the register must give back a CSV that re-imports unchanged.
#[test]
fn negative_zero_coordinates_reimport_unchanged() {
    let reg = Register::new();
    let file = reg.write(
        "items.csv",
        canonical_csv(&[row(&[
            ("ref", "Z-1"),
            ("category", "other"),
            ("latitude", "-0"),
            ("longitude", "-0.0"),
        ])]),
    );
    assert_eq!(reg.import_ok(&file, &[]).counts(), [1, 0, 0, 0]);
    let export = reg.write("export.csv", reg.export("csv"));
    assert_eq!(reg.import_ok(&export, &[]).counts(), [0, 0, 1, 0]);
    assert_eq!(reg.show("Z-1")["revisions"], json!([]));
}

#[test]
fn csv_export_takes_the_list_filters() {
    let reg = register_with_places();
    let (_, rows) =
        read_csv(&reg.ok(&["export", "items", "--format", "csv", "--category", "weapon"]));
    let refs: Vec<_> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(refs, ["G-1", "G-3"]);
    let (_, rows) = read_csv(&reg.ok(&[
        "export",
        "items",
        "--format",
        "csv",
        "--recovered-country",
        "IQ",
    ]));
    assert_eq!(rows.len(), 1);
}

#[test]
fn jsonl_export_has_one_listed_item_per_line() {
    let reg = register_with_places();
    let text = reg.export("jsonl");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines, reg.items());
    assert_eq!(lines[1]["notes"], "no place, \"unknown\"\nsecond line");
}

#[test]
fn an_unknown_export_format_is_refused() {
    let reg = register_with_places();
    let out = reg.fails(&["export", "items", "--format", "shapefile"]);
    assert!(stderr(&out).contains("shapefile"), "{}", stderr(&out));
}

//! Round trips: a 40,000-row import is idempotent, and (property test) any small valid
//! register survives import → CSV export → import elsewhere → CSV export byte for byte,
//! with its JSON Lines export matching a simple reference normalisation of the input.
//!
//! The reference model here is written independently of armtrace-core on purpose: it
//! spells out what the contract says is stored (trimmed text, alpha-2 countries,
//! canonical categories, `restricted` by default), so a change in the core that breaks
//! the contract fails here.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::support::{HEADER, Register, csv_text, read_csv};

#[test]
fn importing_forty_thousand_rows_twice_gives_the_same_register() {
    let reg = Register::new();
    let file = reg.demo_files(40_000, 11, "demo").join("items.csv");
    assert_eq!(reg.import_ok(&file, &[]).counts(), [40_000, 0, 0, 0]);
    let first = reg.export("csv");
    assert_eq!(read_csv(&first).1.len(), 40_000);

    let again = reg.import_ok(&file, &[]);
    assert_eq!(again.counts(), [0, 0, 40_000, 0]);
    assert!(again.errors.is_empty());
    assert_eq!(
        reg.export("csv"),
        first,
        "the second import changed the register"
    );
    // The demo file is canonical already, so the export gives it back byte for byte.
    assert_eq!(first, std::fs::read_to_string(&file).unwrap());
}

/// Countries as a user may write them, with the alpha-2 code the register must store.
const COUNTRIES: [(&str, &str); 26] = [
    ("IQ", "IQ"),
    ("irq", "IQ"),
    ("Iraq", "IQ"),
    ("SY", "SY"),
    ("Syria", "SY"),
    ("USA", "US"),
    ("United States", "US"),
    ("UK", "GB"),
    ("Russia", "RU"),
    ("Iran", "IR"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("Soviet Union", "SU"),
    ("USSR", "SU"),
    ("Yugoslavia", "YU"),
    ("Czechoslovakia", "CS"),
    ("East Germany", "DD"),
    ("CHN", "CN"),
    ("China", "CN"),
    ("Belgium", "BE"),
    ("bel", "BE"),
    ("Ukraine", "UA"),
    ("ISR", "IL"),
    ("Bulgaria", "BG"),
    ("Romania", "RO"),
    ("Serbia", "RS"),
];

const CATEGORIES: [(&str, &str); 8] = [
    ("weapon", "weapon"),
    ("Weapon", "weapon"),
    ("AMMUNITION", "ammunition"),
    ("ied_component", "ied_component"),
    ("IED component", "ied_component"),
    ("chemical_precursor", "chemical_precursor"),
    ("chemical-precursor", "chemical_precursor"),
    ("other", "other"),
];

const LEVELS: [(&str, &str); 4] = [
    ("", "restricted"),
    ("public", "public"),
    ("Restricted", "restricted"),
    ("CONFIDENTIAL", "confidential"),
];

/// Free text with what breaks naive CSV: commas, quotes, newlines, tabs, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;\"'\n\r\té漢字😀Ωж-]{0,16}"
}

fn optional_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), text()]
}

fn coordinate(limit: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        -limit..=limit,
        (-(limit as i64) * 10_000..=(limit as i64) * 10_000).prop_map(|n| n as f64 / 10_000.0),
    ]
}

fn partial_date() -> impl Strategy<Value = String> {
    (
        1800i32..=2100,
        proptest::option::of((1u32..=12, proptest::option::of(1u32..=28))),
    )
        .prop_map(|(y, md)| match md {
            None => format!("{y}"),
            Some((m, None)) => format!("{y}-{m:02}"),
            Some((m, Some(d))) => format!("{y}-{m:02}-{d:02}"),
        })
}

/// One generated item: its input row and the stored values the contract promises.
#[derive(Debug, Clone)]
struct Generated {
    input: Vec<String>,
    stored: Vec<String>,
}

fn country() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        Just((String::new(), String::new())),
        proptest::sample::select(&COUNTRIES[..]).prop_map(|(i, c)| (i.to_owned(), c.to_owned())),
    ]
}

fn item(index: usize) -> impl Strategy<Value = Generated> {
    let texts = proptest::collection::vec(optional_text(), 11);
    let numbers = (
        proptest::option::of(1800i32..=2100),
        proptest::option::of(1u32..=1_000_000),
        proptest::option::of(partial_date()),
        proptest::option::of((coordinate(90.0), coordinate(180.0))),
    );
    let choices = (
        "[A-Za-z0-9 ,\"'é漢-]{0,8}",
        proptest::sample::select(&CATEGORIES[..]),
        country(),
        country(),
        proptest::sample::select(&LEVELS[..]),
    );
    (texts, numbers, choices).prop_map(
        move |(texts, (year, quantity, date, place), (suffix, category, made, found, level))| {
            let reference = format!("R{index}-{suffix}");
            let o = |v: Option<String>| v.unwrap_or_default();
            let (lat, lon) = match place {
                Some((lat, lon)) => (lat.to_string(), lon.to_string()),
                None => (String::new(), String::new()),
            };
            // Field order: ref, category, item_type, model, calibre, manufacturer, country,
            // year, serial, lot, markings, quantity, recovered_on, recovered_country, place,
            // latitude, longitude, recovered_from, documented_by, confidentiality, notes.
            let mut input = vec![reference, category.0.to_owned()];
            input.extend(texts[0..4].iter().cloned());
            input.push(made.0);
            input.push(o(year.map(|y| y.to_string())));
            input.extend(texts[4..7].iter().cloned());
            input.push(o(quantity.map(|q| q.to_string())));
            input.push(o(date));
            input.push(found.0);
            input.push(texts[7].clone());
            input.extend([lat, lon]);
            input.extend(texts[8..10].iter().cloned());
            input.push(level.0.to_owned());
            input.push(texts[10].clone());
            assert_eq!(input.len(), HEADER.len());

            let mut stored: Vec<String> = input.iter().map(|v| v.trim().to_owned()).collect();
            stored[1] = category.1.to_owned();
            stored[6] = made.1;
            stored[13] = found.1;
            stored[19] = level.1.to_owned();
            Generated { input, stored }
        },
    )
}

fn register() -> impl Strategy<Value = (Vec<Generated>, Vec<usize>)> {
    (1usize..=30)
        .prop_flat_map(|n| (0..n).map(item).collect::<Vec<_>>())
        .prop_flat_map(|items| {
            (
                Just(items),
                Just((0..HEADER.len()).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
}

/// The JSON the listing and the JSON Lines export must give for stored values.
fn expected_json(stored: &[String]) -> Value {
    let mut object = Map::new();
    for (name, value) in HEADER.iter().zip(stored) {
        let v = match (*name, value.as_str()) {
            (_, "") => Value::Null,
            ("year_of_manufacture" | "quantity", n) => json!(n.parse::<u64>().unwrap()),
            ("latitude" | "longitude", x) => json!(x.parse::<f64>().unwrap()),
            (_, s) => json!(s),
        };
        object.insert((*name).to_owned(), v);
    }
    Value::Object(object)
}

/// Equal items; coordinates may differ by a rounding step of the JSON float parser.
fn same_item(got: &Value, want: &Value) -> Result<(), TestCaseError> {
    let (g, w) = (got.as_object().unwrap(), want.as_object().unwrap());
    prop_assert_eq!(g.keys().collect::<Vec<_>>(), w.keys().collect::<Vec<_>>());
    for (k, wv) in w {
        match (&g[k], wv) {
            (Value::Number(a), Value::Number(b)) if k == "latitude" || k == "longitude" => {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                prop_assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{}: {} vs {}",
                    k,
                    a,
                    b
                );
            }
            (gv, wv) => prop_assert_eq!(gv, wv, "field {}", k),
        }
    }
    Ok(())
}

proptest! {
    // Each case imports and exports through the real binary: 24 by default, more when
    // PROPTEST_CASES asks.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
    ))]

    #[test]
    fn csv_round_trip_is_byte_identical((items, order) in register()) {
        let n = items.len() as u64;
        let header: Vec<&str> = order.iter().map(|&i| HEADER[i]).collect();
        let rows: Vec<Vec<String>> = items.iter().map(|g| order.iter().map(|&i| g.input[i].clone()).collect()).collect();
        let a = Register::new();
        let file = a.write("input.csv", csv_text(&header, &rows));
        prop_assert_eq!(a.import_ok(&file, &[]).counts(), [n, 0, 0, 0]);

        let first = a.export("csv");
        let mut expected: Vec<Vec<String>> = items.iter().map(|g| g.stored.clone()).collect();
        expected.sort_by(|x, y| x[0].as_bytes().cmp(y[0].as_bytes()));
        let (exported_header, exported) = read_csv(&first);
        prop_assert_eq!(exported_header, HEADER.to_vec());
        prop_assert_eq!(&exported, &expected);

        let b = Register::new();
        let exported_file = b.write("export.csv", &first);
        prop_assert_eq!(b.import_ok(&exported_file, &[]).counts(), [n, 0, 0, 0]);
        prop_assert_eq!(b.export("csv"), first.clone());
        prop_assert_eq!(a.import_ok(&exported_file, &[]).counts(), [0, 0, n, 0]);

        let lines: Vec<Value> = a.export("jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(lines.len(), expected.len());
        for (got, stored) in lines.iter().zip(&expected) {
            same_item(got, &expected_json(stored))?;
        }
        prop_assert_eq!(&b.items(), &lines, "items list --json gives the JSON Lines objects");
    }
}

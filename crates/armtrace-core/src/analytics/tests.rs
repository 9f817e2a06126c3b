//! Every figure computed by hand on a small register (eight items, listed in
//! [`register`]), then checked against the functions.

use serde_json::json;

use super::*;
use crate::access::Clearance;
use crate::item::{Confidentiality, Item};

fn columns() -> ItemColumns {
    ItemColumns::from_items(&crate::fixtures::eight_items())
}

fn run(by: &[&str], wheres: &[&str], weight: Option<&str>, clearance: &Clearance) -> StatsResult {
    let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
    let wheres: Vec<String> = wheres.iter().map(|s| s.to_string()).collect();
    let query = StatsQuery::parse(&by, &wheres, weight).unwrap();
    stats(&columns(), &query, clearance, 2)
}

fn full(by: &[&str], wheres: &[&str]) -> StatsResult {
    run(by, wheres, None, &Clearance::full())
}

/// `(key values…, count)` of each group, in order.
fn counts(result: &StatsResult) -> Vec<(Vec<serde_json::Value>, u64)> {
    result
        .groups
        .iter()
        .map(|g| (g.key.values().cloned().collect(), g.count))
        .collect()
}

#[test]
fn one_field_json_is_the_contract_with_null_as_its_own_group() {
    let r = full(&["country_of_manufacture"], &[]);
    // CN: W1 W2 A1 A3; SU: W3 A2; TR: I1; missing: W4. TR before null at equal counts.
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"total": 8, "groups": [
            {"key": {"country_of_manufacture": "CN"}, "count": 4, "share": 0.5},
            {"key": {"country_of_manufacture": "SU"}, "count": 2, "share": 0.25},
            {"key": {"country_of_manufacture": "TR"}, "count": 1, "share": 0.125},
            {"key": {"country_of_manufacture": null}, "count": 1, "share": 0.125},
        ]})
    );
}

#[test]
fn weight_quantity_sums_pieces_and_a_missing_quantity_counts_one() {
    // ammunition 400 + 100 + 1; weapons 4 × 1; IED 1.
    let r = run(&["category"], &[], Some("quantity"), &Clearance::full());
    assert_eq!(r.total, 506);
    assert_eq!(
        counts(&r),
        [
            (vec![json!("ammunition")], 501),
            (vec![json!("weapon")], 4),
            (vec![json!("ied_component")], 1)
        ]
    );
    assert!((r.groups[0].share - 501.0 / 506.0).abs() < 1e-12);
}

#[test]
fn derived_fields_decade_recovered_year_and_month() {
    assert_eq!(
        counts(&full(&["decade"], &[])),
        [
            (vec![json!("2010s")], 3),
            (vec![json!("1980s")], 2),
            (vec![json!("1970s")], 1),
            (vec![json!("1990s")], 1),
            (vec![json!(null)], 1),
        ]
    );
    assert_eq!(
        counts(&full(&["recovered_year"], &[])),
        [
            (vec![json!(2016)], 6),
            (vec![json!(2017)], 1),
            (vec![json!(null)], 1)
        ]
    );
    // W4's date is a year alone: no month. A3 has no date.
    assert_eq!(
        counts(&full(&["recovered_month"], &[])),
        [
            (vec![json!("2016-07")], 4),
            (vec![json!(null)], 2),
            (vec![json!("2016-08")], 1),
            (vec![json!("2016-09")], 1),
        ]
    );
}

#[test]
fn two_field_cross_tab_orders_by_count_then_key() {
    let r = full(&["category", "recovered_country"], &[]);
    assert_eq!(
        counts(&r),
        [
            (vec![json!("weapon"), json!("IQ")], 3),
            (vec![json!("ammunition"), json!("IQ")], 1),
            (vec![json!("ammunition"), json!("SY")], 1),
            (vec![json!("ammunition"), json!(null)], 1),
            (vec![json!("ied_component"), json!("IQ")], 1),
            (vec![json!("weapon"), json!("SY")], 1),
        ]
    );
    assert_eq!(r.total, 8);
}

#[test]
fn filters_read_values_like_the_cli_and_combine() {
    // Different fields: all must hold. Iraq by name.
    let r = full(
        &["country_of_manufacture"],
        &["category=weapon", "recovered_country=Iraq"],
    );
    assert_eq!(r.total, 3);
    assert_eq!(
        counts(&r),
        [
            (vec![json!("CN")], 1),
            (vec![json!("SU")], 1),
            (vec![json!(null)], 1)
        ]
    );
    // One field twice: alternatives.
    assert_eq!(
        full(&["category"], &["category=weapon", "category=Ammunition"]).total,
        7
    );
    // Missing values: `null` or empty.
    assert_eq!(
        full(&["category"], &["country_of_manufacture=null"]).total,
        1
    );
    assert_eq!(full(&["category"], &["recovered_country="]).total, 1);
    // Text is compared folded; groups merge folded spellings under the first one.
    assert_eq!(
        full(&["category"], &["recovered_from=ISLAMIC state forces"]).total,
        2
    );
    assert_eq!(
        counts(&full(&["manufacturer"], &[])),
        [(vec![json!(null)], 6), (vec![json!("Norinco")], 2)]
    );
    // Two derived fields of one column: both must hold.
    assert_eq!(
        full(
            &["category"],
            &["recovered_year=2016", "recovered_month=2016-07"]
        )
        .total,
        4
    );
    assert_eq!(full(&["category"], &["decade=1980s"]).total, 2);
    assert_eq!(full(&["category"], &["decade=1980"]).total, 2);
    assert_eq!(full(&["category"], &["recovered_on=2016-08"]).total, 1);
    // A filter that matches nothing: an empty answer, share 0 nowhere to divide.
    let none = full(&["category"], &["country_of_manufacture=US"]);
    assert_eq!((none.total, none.groups.len()), (0, 0));
}

#[test]
fn hidden_rows_are_missing_from_groups_and_total() {
    // Anonymous: W1, W4, A1, A3, I1.
    let public = run(&["category"], &[], None, &Clearance::public());
    assert_eq!(public.total, 5);
    assert_eq!(
        counts(&public),
        [
            (vec![json!("ammunition")], 2),
            (vec![json!("weapon")], 2),
            (vec![json!("ied_component")], 1)
        ]
    );
    assert_eq!(public.groups[0].share, 0.4);
    let viewer = Clearance::for_role(crate::Role::Viewer, false, vec![]);
    assert_eq!(run(&["category"], &[], None, &viewer).total, 7);
    // W3 (id 3) granted one by one.
    let granted = Clearance::for_role(crate::Role::Viewer, false, vec![3]);
    assert_eq!(run(&["category"], &[], None, &granted).total, 8);
    // Weighted totals hide too: public pieces are 1 + 1 + 400 + 1 + 1.
    assert_eq!(
        run(&["category"], &[], Some("quantity"), &Clearance::public()).total,
        404
    );
    // The selection behind reports applies the same rule.
    assert_eq!(
        select_rows(&columns(), &[], &Clearance::public()),
        [0, 3, 4, 6, 7]
    );
}

#[test]
fn query_errors_say_what_is_allowed() {
    let parse = |by: &[&str], wheres: &[&str], weight: Option<&str>| {
        let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
        let wheres: Vec<String> = wheres.iter().map(|s| s.to_string()).collect();
        StatsQuery::parse(&by, &wheres, weight)
            .unwrap_err()
            .to_string()
    };
    let e = parse(&["colour"], &[], None);
    assert!(
        e.starts_with("unknown field \"colour\": use one of category, item_type"),
        "{e}"
    );
    assert!(e.contains("decade, recovered_year, recovered_month"), "{e}");
    let e = parse(&["serial_number"], &[], None);
    assert!(
        e.starts_with("field serial_number identifies a single item"),
        "{e}"
    );
    let e = parse(&["category"], &["category"], None);
    assert!(e.contains("has no '=': write FIELD=VALUE"), "{e}");
    assert_eq!(
        parse(&["category"], &["recovered_country=Narnia"], None),
        "--where recovered_country=\"Narnia\": \"Narnia\" is not a known country: use an ISO 3166-1 code (IQ or IRQ), an English name (Iraq) or a former state (Soviet Union)"
    );
    assert_eq!(
        parse(&["category"], &["category=spaceship"], None),
        "--where category=\"spaceship\": \"spaceship\" is not one of weapon, ammunition, ied_component, chemical_precursor, other"
    );
    assert!(parse(&["category"], &["decade=1995"], None).contains("write it as 1990s"));
    assert!(parse(&["category"], &["recovered_month=2016"], None).contains("use YYYY-MM"));
    assert!(parse(&["category"], &[], Some("mass")).contains("the only weight is quantity"));
    assert!(parse(&[], &[], None).starts_with("give at least one --by FIELD"));
    assert_eq!(
        parse(&["model", "model"], &[], None),
        "--by model is given twice"
    );
    assert!(parse(&["a", "b", "c", "d"], &[], None).contains("at most 3"));
}

#[test]
fn columns_decode_back_to_the_items_values() {
    let c = columns();
    assert_eq!(c.len(), 8);
    assert_eq!(
        c.key(2, StatField::RecoveredOn),
        Key::Text("2016-08".into())
    );
    assert_eq!(c.key(2, StatField::RecoveredYear), Key::Int(2016));
    assert_eq!(c.key(3, StatField::RecoveredMonth), Key::Null);
    assert_eq!(c.key(0, StatField::Decade), Key::Text("1990s".into()));
    assert_eq!(
        c.key(1, StatField::RecoveredFrom),
        Key::Text("Islamic State forces".into())
    );
    assert_eq!(c.confidentiality(2), Confidentiality::Confidential);
    assert_eq!(c.row_of(5), Some(4));
    assert!(c.is_synthetic(7) && !c.is_synthetic(0));
    assert!(is_synthetic("DEMO-00000001", None));
    assert!(!is_synthetic("IQ-1", Some("synthetic? no: lower case")));
}

#[test]
fn codes_widen_past_255_and_65535_values() {
    let items: Vec<Item> = (0..70_000)
        .map(|i| {
            let mut it = crate::fixtures::eight_items()[0].clone();
            it.reference = format!("X{i}");
            it.recovered_from = Some(format!("holder {}", i % 300));
            it.manufacturer = Some(format!("maker {i}"));
            it
        })
        .collect();
    let c = ItemColumns::from_items(&items);
    let r = full_on(&c, &["recovered_from"], &["recovered_from=HOLDER 299"]);
    assert_eq!(r.total, 70_000 / 300);
    let r = full_on(&c, &["manufacturer"], &["manufacturer=maker 69999"]);
    assert_eq!(counts(&r), [(vec![json!("maker 69999")], 1)]);
    assert_eq!(full_on(&c, &["manufacturer"], &[]).groups.len(), 70_000);
}

fn full_on(c: &ItemColumns, by: &[&str], wheres: &[&str]) -> StatsResult {
    let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
    let wheres: Vec<String> = wheres.iter().map(|s| s.to_string()).collect();
    stats(
        c,
        &StatsQuery::parse(&by, &wheres, None).unwrap(),
        &Clearance::full(),
        2,
    )
}

#[test]
fn parallel_scan_counts_like_a_plain_loop() {
    // Enough rows to split between threads, a clearance that needs per-row grants.
    let base = crate::fixtures::eight_items();
    let items: Vec<Item> = (0..600_000).map(|i| base[i % 8].clone()).collect();
    let c = ItemColumns::from_items(&items);
    let clearance = Clearance::for_role(crate::Role::Viewer, false, vec![3, 11, 599_995]);
    let query = StatsQuery::parse(
        &["category".into(), "decade".into()],
        &["recovered_year=2016".into()],
        Some("quantity"),
    )
    .unwrap();
    let r = stats(&c, &query, &clearance, 2);
    let mut expected: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for (row, item) in items.iter().enumerate() {
        let id = row as i64 + 1;
        let visible = clearance.allows(item.confidentiality, id);
        if visible && item.recovered_on.map(|d| d.year()) == Some(2016) {
            let decade = item
                .year_of_manufacture
                .map_or("null".into(), |y| format!("{}s", y / 10 * 10));
            *expected
                .entry((item.category.to_string(), decade))
                .or_default() += item.pieces();
        }
    }
    let got: std::collections::BTreeMap<(String, String), u64> = r
        .groups
        .iter()
        .map(|g| {
            (
                (
                    g.label(StatField::Category),
                    g.value(StatField::Decade)
                        .as_str()
                        .unwrap_or("null")
                        .to_owned(),
                ),
                g.count,
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(r.total, expected.values().sum::<u64>());
}

#[test]
fn quartiles_are_type_7() {
    let d = Distribution::of(&[40, 10, 30, 20]).unwrap();
    assert_eq!(
        (d.min, d.q1, d.median, d.q3, d.max),
        (10, 17.5, 25.0, 32.5, 40)
    );
    let d = Distribution::of(&[5, 1, 3, 2, 4]).unwrap();
    assert_eq!((d.q1, d.median, d.q3), (2.0, 3.0, 4.0));
    let d = Distribution::of(&[59]).unwrap();
    assert_eq!(
        (d.min, d.q1, d.median, d.q3, d.max),
        (59, 59.0, 59.0, 59.0, 59)
    );
    assert!(Distribution::of(&[]).is_none());
}

#[test]
fn histogram_bins_hold_lower_edge_up_to_the_next() {
    let bins = histogram(&[0, 29, 30, 59, 90, 91, 400, 1825, 1826, 5000]);
    let got: Vec<(&str, u64)> = bins.iter().map(|b| (b.label.as_str(), b.count)).collect();
    assert_eq!(
        got,
        [
            ("< 1 month", 2),
            ("1–3 months", 3),
            ("3–6 months", 1),
            ("6–12 months", 0),
            ("1–2 years", 1),
            ("2–3 years", 0),
            ("3–5 years", 1),
            ("5+ years", 2),
        ]
    );
    assert_eq!((bins[7].from, bins[7].to), (1826, None));
}

#[test]
fn diversion_summary_by_end_user_and_holder() {
    let fact = |r: &str, days, end_user: Option<&str>, from: Option<&str>| DiversionFact {
        reference: r.into(),
        days,
        end_user: end_user.map(Into::into),
        recovered_from: from.map(Into::into),
    };
    let s = diversion_summary(&[
        fact("a", 59, Some("17th Division"), Some("IS")),
        fact("b", 400, Some("17th Division"), None),
        fact("c", 100, Some("2nd Division"), Some("IS")),
        fact("d", 1000, None, Some("IS")),
    ]);
    let o = s.overall.unwrap();
    // Sorted 59, 100, 400, 1000: h = 0.75, 1.5, 2.25.
    assert_eq!(
        (o.count, o.min, o.q1, o.median, o.q3, o.max),
        (4, 59, 89.75, 250.0, 550.0, 1000)
    );
    let users: Vec<(Option<&str>, u64, f64)> = s
        .by_end_user
        .iter()
        .map(|g| {
            (
                g.name.as_deref(),
                g.distribution.count,
                g.distribution.median,
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            (Some("17th Division"), 2, 229.5),
            (Some("2nd Division"), 1, 100.0),
            (None, 1, 1000.0)
        ]
    );
    let holders: Vec<(Option<&str>, u64)> = s
        .by_recovered_from
        .iter()
        .map(|g| (g.name.as_deref(), g.distribution.count))
        .collect();
    assert_eq!(holders, [(Some("IS"), 3), (None, 1)]);
    assert_eq!(s.histogram.iter().map(|b| b.count).sum::<u64>(), 4);
}

#[test]
fn report_headline_figures_by_hand() {
    let f = report_figures(&columns(), &[], &Clearance::full());
    assert_eq!(
        f.status,
        DataStatus {
            items: 8,
            synthetic: 1
        }
    );
    assert_eq!(f.status.kind(), "mixed");
    // Headline 1: weapons W1 W2 (CN), W3 (SU), W4 (missing).
    assert_eq!(
        serde_json::to_value(&f.weapons_by_country).unwrap(),
        json!({"total": 4, "groups": [
            {"key": {"country_of_manufacture": "CN"}, "count": 2, "share": 0.5},
            {"key": {"country_of_manufacture": "SU"}, "count": 1, "share": 0.25},
            {"key": {"country_of_manufacture": null}, "count": 1, "share": 0.25},
        ]})
    );
    // Headline 2: the latest year among weapons and ammunition is 2015 (A3): the 2010s.
    // Ammunition: A1 (2012), A3 (2015) of A1 A2 A3. Weapons: none of W1 W2 W3; W4 has no year.
    let r = f.recent_decade.unwrap();
    assert_eq!(r.decade, "2010s");
    assert_eq!(
        (
            r.ammunition.in_decade,
            r.ammunition.with_year,
            r.ammunition.without_year
        ),
        (2, 3, 0)
    );
    assert!((r.ammunition.share - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        (
            r.weapons.in_decade,
            r.weapons.with_year,
            r.weapons.without_year,
            r.weapons.share
        ),
        (0, 3, 1, 0.0)
    );
    // Headline 3: ammunition by recovery country × origin.
    assert_eq!(
        counts(&f.ammunition_origins),
        [
            (vec![json!("IQ"), json!("CN")], 1),
            (vec![json!("SY"), json!("SU")], 1),
            (vec![json!(null), json!("CN")], 1),
        ]
    );
    assert_eq!(f.recoveries_by_month.total, 8);
    // A selection narrows every figure, and `category=weapon` leaves no ammunition.
    let weapons_only = [StatFilter::parse("category=weapon").unwrap()];
    let f = report_figures(&columns(), &weapons_only, &Clearance::full());
    assert_eq!(f.ammunition_origins.total, 0);
    assert_eq!(f.weapons_by_country.total, 4);
    let r = f.recent_decade.unwrap();
    assert_eq!(
        (r.decade.as_str(), r.weapons.in_decade, r.weapons.with_year),
        ("1990s", 1, 3)
    );
    // Anonymous viewers: W1, W4 weapons; A1, A3 ammunition.
    let f = report_figures(&columns(), &[], &Clearance::public());
    assert_eq!(
        f.status,
        DataStatus {
            items: 5,
            synthetic: 1
        }
    );
    assert_eq!(f.weapons_by_country.total, 2);
}

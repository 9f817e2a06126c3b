//! Every figure computed by hand on a small register (eight items, listed in
//! [`register`]), then checked against the functions.

use serde_json::json;

use super::*;
use crate::access::Clearance;
use crate::item::{Category, Confidentiality, Item};
use crate::{CountryCode, PartialDate};

struct Spec {
    reference: &'static str,
    category: Category,
    made_in: Option<&'static str>,
    year: Option<i16>,
    quantity: Option<u32>,
    recovered_on: Option<&'static str>,
    recovered_in: Option<&'static str>,
    from: Option<&'static str>,
    manufacturer: Option<&'static str>,
    level: Confidentiality,
}

fn item(s: Spec) -> Item {
    Item {
        reference: s.reference.into(),
        category: s.category,
        item_type: None,
        model: None,
        calibre: None,
        manufacturer: s.manufacturer.map(Into::into),
        country_of_manufacture: s.made_in.map(|c| CountryCode::parse(c).unwrap()),
        year_of_manufacture: s.year,
        serial_number: None,
        lot_number: None,
        markings: None,
        quantity: s.quantity,
        recovered_on: s.recovered_on.map(|d| d.parse::<PartialDate>().unwrap()),
        recovered_country: s.recovered_in.map(|c| CountryCode::parse(c).unwrap()),
        recovered_place: None,
        latitude: None,
        longitude: None,
        recovered_from: s.from.map(Into::into),
        documented_by: None,
        confidentiality: s.level,
        notes: (s.reference == "I1").then(|| "SYNTHETIC test record".to_owned()),
    }
}

/// | id | ref | category | made in | year | qty | recovered | in | from | level |
/// |---|---|---|---|---|---|---|---|---|---|
/// | 1 | W1 | weapon | CN | 1994 | – | 2016-07-14 | IQ | Islamic State forces | public |
/// | 2 | W2 | weapon | CN | 1987 | – | 2016-07-20 | SY | islamic  state FORCES | restricted |
/// | 3 | W3 | weapon | SU | 1975 | – | 2016-08 | IQ | – | confidential |
/// | 4 | W4 | weapon | – | – | – | 2017 | IQ | – | public |
/// | 5 | A1 | ammunition | CN | 2012 | 400 | 2016-07-01 | IQ | – | public |
/// | 6 | A2 | ammunition | SU | 1980 | 100 | 2016-09-09 | SY | – | restricted |
/// | 7 | A3 | ammunition | CN | 2015 | – | – | – | – | public |
/// | 8 | I1 | ied_component | TR | 2014 | – | 2016-07-14 | IQ | – | public (notes SYNTHETIC) |
fn register() -> Vec<Item> {
    use Category::*;
    use Confidentiality::*;
    let base = |reference, category| Spec {
        reference,
        category,
        made_in: None,
        year: None,
        quantity: None,
        recovered_on: None,
        recovered_in: None,
        from: None,
        manufacturer: None,
        level: Public,
    };
    vec![
        item(Spec {
            made_in: Some("China"),
            year: Some(1994),
            recovered_on: Some("2016-07-14"),
            recovered_in: Some("IQ"),
            from: Some("Islamic State forces"),
            manufacturer: Some("Norinco"),
            ..base("W1", Weapon)
        }),
        item(Spec {
            made_in: Some("CN"),
            year: Some(1987),
            recovered_on: Some("2016-07-20"),
            recovered_in: Some("SY"),
            from: Some("islamic  state FORCES"),
            manufacturer: Some("NORINCO"),
            level: Restricted,
            ..base("W2", Weapon)
        }),
        item(Spec {
            made_in: Some("SU"),
            year: Some(1975),
            recovered_on: Some("2016-08"),
            recovered_in: Some("IQ"),
            level: Confidential,
            ..base("W3", Weapon)
        }),
        item(Spec {
            recovered_on: Some("2017"),
            recovered_in: Some("IQ"),
            ..base("W4", Weapon)
        }),
        item(Spec {
            made_in: Some("CN"),
            year: Some(2012),
            quantity: Some(400),
            recovered_on: Some("2016-07-01"),
            recovered_in: Some("IQ"),
            ..base("A1", Ammunition)
        }),
        item(Spec {
            made_in: Some("SU"),
            year: Some(1980),
            quantity: Some(100),
            recovered_on: Some("2016-09-09"),
            recovered_in: Some("SY"),
            level: Restricted,
            ..base("A2", Ammunition)
        }),
        item(Spec {
            made_in: Some("CN"),
            year: Some(2015),
            ..base("A3", Ammunition)
        }),
        item(Spec {
            made_in: Some("TR"),
            year: Some(2014),
            recovered_on: Some("2016-07-14"),
            recovered_in: Some("IQ"),
            ..base("I1", IedComponent)
        }),
    ]
}

fn columns() -> ItemColumns {
    ItemColumns::from_items(&register())
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
            let mut it = register()[0].clone();
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
    let base = register();
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

fn report_input(filters: Vec<StatFilter>) -> ReportInput {
    ReportInput {
        title: "Findings <test>".into(),
        register: "r.db".into(),
        generated_on: "2024-05-01".into(),
        figures: report_figures(&columns(), &filters, &Clearance::full()),
        filters,
        diversion: diversion_summary(&[DiversionFact {
            reference: "W1".into(),
            days: 59,
            end_user: Some("17th Division".into()),
            recovered_from: Some("Islamic State forces".into()),
        }]),
        fastest: Vec::new(),
    }
}

#[test]
fn report_states_figures_methods_and_status_and_escapes_text() {
    let html = render_report_html(&report_input(vec![
        StatFilter::parse("model=<script>").unwrap(),
    ]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>Findings &lt;test&gt;</title>"));
    assert!(html.contains("model=&lt;script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("Data status: this selection has no items."));
    assert!(html.contains("<h2 class=\"page-break\">Methods</h2>"));
    assert!(html.contains("Hyndman and Fan type 7"));
    // With no filter, the headline numbers appear as computed above.
    let html = render_report_html(&report_input(Vec::new()));
    assert!(html.contains("Data status: MIXED. 1 of 8 items"));
    assert!(
        html.contains(
            "<b class=\"figure\">50.0%</b> of weapons were produced in <b>China (CN)</b> (2 of 4)"
        ),
        "{html}"
    );
    assert!(html.contains("<b class=\"figure\">66.7%</b> of ammunition was made in the 2010s"));
    assert!(html.contains("against <b class=\"figure\">0.0%</b> of weapons"));
    assert!(html.contains("recovered in Iraq (IQ): 100.0% made in China (CN)"));
    assert!(html.contains("minimum 59, first quartile 59.0, median 59.0"));
}

#[test]
fn charts_are_self_contained_svg_with_escaped_labels() {
    let text = chart::ChartText {
        title: "Items by <country>".into(),
        subtitle: "All items".into(),
        caption: "Source: test. SYNTHETIC".into(),
    };
    let r = full(&["country_of_manufacture"], &[]);
    let rows = chart::bar_rows(&r, StatField::CountryOfManufacture, 2);
    let labels: Vec<(&str, u64)> = rows.iter().map(|r| (r.label.as_str(), r.count)).collect();
    assert_eq!(
        labels,
        [
            ("China (CN)", 4),
            ("Soviet Union (SU)", 2),
            ("Other (2 groups)", 2)
        ]
    );
    let svg = chart::bar_chart(&text, &rows, "Share (%)");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains("Items by &lt;country&gt;") && svg.contains("Source: test. SYNTHETIC"));
    assert!(svg.contains("50.0% (4)"));
    let (legend, bars) = chart::stacked_rows(
        &full(&["recovered_country", "category"], &[]),
        StatField::RecoveredCountry,
        StatField::Category,
        5,
        2,
    );
    assert_eq!(legend, ["weapon", "ammunition", "Other"]);
    assert_eq!(bars[0].label, "Iraq (IQ)");
    assert_eq!(
        (bars[0].total, bars[0].segments.clone()),
        (5, vec![3, 1, 1])
    );
    assert!(chart::stacked_bars(&text, &legend, &bars).contains("n = 5"));
    let (series, unknown) = chart::monthly_series(&full(&["recovered_month"], &[]));
    assert_eq!(
        series,
        [
            ("2016-07".to_owned(), 4),
            ("2016-08".to_owned(), 1),
            ("2016-09".to_owned(), 1)
        ]
    );
    assert_eq!(unknown, 2);
    assert!(chart::time_series(&text, &series).contains("2016-07"));
    assert!(chart::histogram_chart(&text, &histogram(&[])).contains("No item in this selection"));
}

//! Linking: which recovered items belong together because they came off the same
//! production line (serial runs) or out of the same production lot (lot clusters).
//!
//! A *serial run* is a set of items of one model and one manufacturer whose serials share
//! a prefix and whose numbers follow one another with gaps of at most `gap` (default
//! [`DEFAULT_GAP`]). Rifles numbered AB1203, AB1211 and AB1240 recovered in three towns
//! most likely left the factory, and probably a depot, together. A *lot cluster* is a set
//! of items (usually ammunition) with the same manufacturer, calibre, lot number and year.
//!
//! Rules, written down once here:
//! * serials and lot numbers are compared in their linking form, [`SerialKey`] (uppercase
//!   `A–Z0–9`, no confusable folding: linking must not invent matches that a misreading
//!   would explain);
//! * models, manufacturers and calibres are compared with [`fold`];
//! * a missing model, manufacturer or calibre is a value of its own: an item without a
//!   recorded manufacturer links only with others without one, never with a named
//!   manufacturer. Registers often leave the manufacturer blank when only a factory code
//!   was seen, and dropping those items would hide real runs; the output names the
//!   missing value (`null`), so a reader can weigh such a run accordingly.
//!
//! Linking is a sort and a sweep, `O(n log n)`: a million items link in under two seconds
//! on one core (release build, demo register).
//! This module computes; it does not load, store or print anything, and it does not
//! decide provenance (that is [`crate::custody`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::Item;
use crate::serial::SerialKey;
use crate::text::fold;

mod spread;

use spread::spread;
pub use spread::{Site, Spread};

/// The largest difference between consecutive serial numbers of one run, unless the
/// caller asks for another.
pub const DEFAULT_GAP: u64 = 50;

/// What linking needs to know about an item: a borrowed projection of [`Item`], so that
/// the store can fill it from a narrow query instead of loading whole items.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkEntry<'a> {
    pub reference: &'a str,
    pub model: Option<&'a str>,
    pub manufacturer: Option<&'a str>,
    pub calibre: Option<&'a str>,
    pub serial: Option<&'a str>,
    pub lot: Option<&'a str>,
    pub year: Option<i16>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_country: Option<CountryCode>,
    pub recovered_place: Option<&'a str>,
}

impl<'a> From<&'a Item> for LinkEntry<'a> {
    fn from(item: &'a Item) -> Self {
        LinkEntry {
            reference: &item.reference,
            model: item.model.as_deref(),
            manufacturer: item.manufacturer.as_deref(),
            calibre: item.calibre.as_deref(),
            serial: item.serial_number.as_deref(),
            lot: item.lot_number.as_deref(),
            year: item.year_of_manufacture,
            recovered_on: item.recovered_on,
            recovered_country: item.recovered_country,
            recovered_place: item.recovered_place.as_deref(),
        }
    }
}

/// Items of one model and manufacturer with near-consecutive serials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// Member references in serial order.
    pub refs: Vec<String>,
    /// As the first member spells it; `None` when the members have none.
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    /// The shared serial prefix (linking form; may be empty).
    pub prefix: String,
    /// Lowest and highest serial, linking form.
    pub first_serial: String,
    pub last_serial: String,
    pub count: usize,
    #[serde(flatten)]
    pub spread: Spread,
}

/// Items of one manufacturer, calibre, lot and year of manufacture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotCluster {
    /// Member references in reference order.
    pub refs: Vec<String>,
    pub manufacturer: Option<String>,
    pub calibre: Option<String>,
    /// The lot number in linking form.
    pub lot: String,
    pub year: Option<i16>,
    pub count: usize,
    #[serde(flatten)]
    pub spread: Spread,
}

/// Everything linking finds: the JSON the CLI prints (`{"runs":[…],"lots":[…]}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Links {
    pub runs: Vec<Run>,
    pub lots: Vec<LotCluster>,
}

/// Serial runs and lot clusters of a register.
pub fn link(items: &[LinkEntry], gap: u64) -> Links {
    Links {
        runs: link_runs(items, gap),
        lots: lot_clusters(items),
    }
}

/// Ids of folded values, so that sorting compares integers and each distinct spelling is
/// folded once. Ids depend on input order; nothing reported depends on ids.
#[derive(Default)]
struct Folded<'a> {
    by_raw: HashMap<&'a str, u32>,
    by_folded: HashMap<String, u32>,
}

impl<'a> Folded<'a> {
    /// A missing value folds like an empty one: a value of its own.
    fn id(&mut self, raw: Option<&'a str>) -> u32 {
        let raw = raw.unwrap_or("");
        if let Some(&id) = self.by_raw.get(raw) {
            return id;
        }
        let next = self.by_folded.len() as u32;
        let id = *self.by_folded.entry(fold(raw)).or_insert(next);
        self.by_raw.insert(raw, id);
        id
    }
}

/// An item prepared for the run sweep.
struct SerialMember<'e, 'a> {
    model: u32,
    manufacturer: u32,
    key: SerialKey,
    prefix_len: usize,
    number: u64,
    entry: &'e LinkEntry<'a>,
}

impl SerialMember<'_, '_> {
    fn prefix(&self) -> &str {
        &self.key.as_str()[..self.prefix_len]
    }

    fn same_group(&self, other: &Self) -> bool {
        self.model == other.model
            && self.manufacturer == other.manufacturer
            && self.prefix() == other.prefix()
    }
}

/// Serial runs of two or more items, largest first, then by first reference.
///
/// Items whose serial has no trailing number (or none at all) are not linked.
pub fn link_runs(items: &[LinkEntry], gap: u64) -> Vec<Run> {
    let mut folded = Folded::default();
    let mut members: Vec<SerialMember> = items
        .iter()
        .filter_map(|entry| {
            let key = SerialKey::new(entry.serial?)?;
            let (prefix, number) = key.split()?;
            let prefix_len = prefix.len();
            Some(SerialMember {
                model: folded.id(entry.model),
                manufacturer: folded.id(entry.manufacturer),
                key,
                prefix_len,
                number,
                entry,
            })
        })
        .collect();
    members.sort_by(|a, b| {
        (a.model, a.manufacturer)
            .cmp(&(b.model, b.manufacturer))
            .then_with(|| a.prefix().cmp(b.prefix()))
            .then_with(|| a.number.cmp(&b.number))
            .then_with(|| a.entry.reference.cmp(b.entry.reference))
    });

    let mut runs = Vec::new();
    let mut start = 0;
    for end in 1..=members.len() {
        let breaks = end == members.len() || {
            let (prev, next) = (&members[end - 1], &members[end]);
            !prev.same_group(next) || next.number - prev.number > gap
        };
        if breaks {
            if end - start >= 2 {
                runs.push(make_run(&members[start..end]));
            }
            start = end;
        }
    }
    runs.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.refs.cmp(&b.refs)));
    runs
}

fn make_run(members: &[SerialMember]) -> Run {
    let first = &members[0];
    let last = &members[members.len() - 1];
    Run {
        refs: members
            .iter()
            .map(|m| m.entry.reference.to_owned())
            .collect(),
        model: first.entry.model.map(str::to_owned),
        manufacturer: first.entry.manufacturer.map(str::to_owned),
        prefix: first.prefix().to_owned(),
        first_serial: first.key.as_str().to_owned(),
        last_serial: last.key.as_str().to_owned(),
        count: members.len(),
        spread: spread(members.iter().map(|m| m.entry)),
    }
}

/// An item prepared for lot grouping. Field order is the grouping order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct LotKey {
    manufacturer: u32,
    calibre: u32,
    lot: SerialKey,
    year: Option<i16>,
}

/// Lot clusters of two or more items, largest first, then by first reference.
///
/// Items without a lot number (or whose lot number has no letter or digit) are not
/// clustered.
pub fn lot_clusters(items: &[LinkEntry]) -> Vec<LotCluster> {
    let mut folded = Folded::default();
    let mut members: Vec<(LotKey, &LinkEntry)> = items
        .iter()
        .filter_map(|entry| {
            let lot = SerialKey::new(entry.lot?)?;
            let key = LotKey {
                manufacturer: folded.id(entry.manufacturer),
                calibre: folded.id(entry.calibre),
                lot,
                year: entry.year,
            };
            Some((key, entry))
        })
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.reference.cmp(b.1.reference)));

    let mut clusters: Vec<LotCluster> = members
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|group| group.len() >= 2)
        .map(|group| {
            let (key, first) = &group[0];
            LotCluster {
                refs: group.iter().map(|(_, e)| e.reference.to_owned()).collect(),
                manufacturer: first.manufacturer.map(str::to_owned),
                calibre: first.calibre.map(str::to_owned),
                lot: key.lot.as_str().to_owned(),
                year: key.year,
                count: group.len(),
                spread: spread(group.iter().map(|(_, e)| *e)),
            }
        })
        .collect();
    clusters.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.refs.cmp(&b.refs)));
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn gun<'a>(reference: &'a str, serial: &'a str) -> LinkEntry<'a> {
        LinkEntry {
            reference,
            model: Some("AK-47"),
            manufacturer: Some("Factory 26"),
            serial: Some(serial),
            ..LinkEntry::default()
        }
    }

    fn refs(run: &Run) -> Vec<&str> {
        run.refs.iter().map(String::as_str).collect()
    }

    #[test]
    fn gap_of_exactly_fifty_links_and_fifty_one_does_not() {
        let items = [gun("a", "AB100"), gun("b", "AB150"), gun("c", "AB201")];
        let runs = link_runs(&items, DEFAULT_GAP);
        assert_eq!(runs.len(), 1);
        assert_eq!(refs(&runs[0]), ["a", "b"]);
        assert_eq!(runs[0].first_serial, "AB100");
        assert_eq!(runs[0].last_serial, "AB150");
        assert_eq!(runs[0].prefix, "AB");
        // A wider gap joins the third; a gap of zero joins only equal numbers.
        assert_eq!(link_runs(&items, 51)[0].count, 3);
        assert!(link_runs(&items, 0).is_empty());
    }

    #[test]
    fn runs_chain_through_intermediate_members() {
        // 100 and 190 are 90 apart but both within 50 of 145.
        let items = [
            gun("far", "AB190"),
            gun("near", "AB100"),
            gun("mid", "AB-145"),
        ];
        let runs = link_runs(&items, 50);
        assert_eq!(refs(&runs[0]), ["near", "mid", "far"]);
    }

    #[test]
    fn prefix_model_and_manufacturer_separate_runs() {
        let mut other_model = gun("m", "AB101");
        other_model.model = Some("AKM");
        let mut other_maker = gun("f", "AB102");
        other_maker.manufacturer = Some("Izhmash");
        let items = [
            gun("a", "AB100"),
            gun("p", "AC101"),
            other_model,
            other_maker,
            gun("n", "AB"),     // no trailing number: not linked
            gun("o", "ABO101"), // O is a letter in the linking form: prefix ABO
        ];
        assert!(link_runs(&items, 50).is_empty());
    }

    #[test]
    fn model_and_manufacturer_fold_case_and_space() {
        let mut b = gun("b", "ab 120");
        b.model = Some("  ak-47 ");
        b.manufacturer = Some("FACTORY   26");
        let runs = link_runs(&[gun("a", "AB100"), b], 50);
        assert_eq!(refs(&runs[0]), ["a", "b"]);
        // The first member's spelling is reported.
        assert_eq!(runs[0].model.as_deref(), Some("AK-47"));
    }

    #[test]
    fn missing_manufacturer_is_a_value_of_its_own() {
        let mut x = gun("x", "AB101");
        x.manufacturer = None;
        let mut y = gun("y", "AB102");
        y.manufacturer = None;
        let runs = link_runs(&[gun("a", "AB100"), x, y], 50);
        assert_eq!(runs.len(), 1);
        assert_eq!(refs(&runs[0]), ["x", "y"]);
        assert_eq!(runs[0].manufacturer, None);
    }

    #[test]
    fn runs_are_ordered_by_size_then_first_ref() {
        let items = [
            gun("z1", "C1"),
            gun("z2", "C2"),
            gun("b1", "B1"),
            gun("b2", "B2"),
            gun("y1", "A1"),
            gun("y2", "A2"),
            gun("y3", "A3"),
        ];
        let runs = link_runs(&items, 50);
        let firsts: Vec<_> = runs.iter().map(|r| r.refs[0].as_str()).collect();
        assert_eq!(firsts, ["y1", "b1", "z1"]);
        let mut reversed = items;
        reversed.reverse();
        assert_eq!(link_runs(&reversed, 50), runs);
    }

    fn round<'a>(reference: &'a str, lot: &'a str, year: Option<i16>) -> LinkEntry<'a> {
        LinkEntry {
            reference,
            manufacturer: Some("Factory 10"),
            calibre: Some("7.62x39mm"),
            lot: Some(lot),
            year,
            ..LinkEntry::default()
        }
    }

    #[test]
    fn lot_clusters_need_manufacturer_calibre_lot_and_year() {
        let mut folded = round("c", "17 83", Some(1983));
        folded.manufacturer = Some(" factory  10");
        folded.calibre = Some("7.62X39MM");
        let mut other_calibre = round("d", "17-83", Some(1983));
        other_calibre.calibre = Some("7.62x54mmR");
        let mut no_lot = round("e", "", Some(1983));
        no_lot.lot = None;
        let items = [
            round("b", "17-83", Some(1983)),
            round("a", "1783", Some(1983)),
            folded,
            other_calibre,
            no_lot,
            round("f", "17-83", Some(1984)),
            round("g", "17-83", None),
            round("h", "17/83", None),
            round("i", "--", None), // no letter or digit: no lot
            round("j", "/", None),
        ];
        let lots = lot_clusters(&items);
        assert_eq!(lots.len(), 2);
        assert_eq!(lots[0].refs, ["a", "b", "c"]);
        assert_eq!(lots[0].lot, "1783");
        assert_eq!(lots[0].year, Some(1983));
        assert_eq!(lots[0].manufacturer.as_deref(), Some("Factory 10"));
        // A missing year is a value of its own.
        assert_eq!(lots[1].refs, ["g", "h"]);
        assert_eq!(lots[1].year, None);
    }

    #[test]
    fn link_json_has_runs_and_lots() {
        let items = [
            gun("a", "AB1"),
            gun("b", "AB2"),
            round("c", "L1", None),
            round("d", "L1", None),
        ];
        let json = serde_json::to_value(link(&items, 50)).unwrap();
        assert_eq!(json["runs"][0]["refs"], serde_json::json!(["a", "b"]));
        assert_eq!(json["runs"][0]["count"], 2);
        assert_eq!(json["runs"][0]["sites"], serde_json::json!([]));
        assert_eq!(json["runs"][0]["first_recovered"], serde_json::Value::Null);
        assert_eq!(json["lots"][0]["refs"], serde_json::json!(["c", "d"]));
        assert_eq!(json["lots"][0]["lot"], "L1");
    }

    /// The reference: every pair within `gap` in the same group is joined; the runs are
    /// the connected components with two or more members.
    fn brute_force_runs(items: &[LinkEntry], gap: u64) -> BTreeSet<Vec<String>> {
        let keyed: Vec<_> = items
            .iter()
            .filter_map(|e| {
                let key = SerialKey::new(e.serial?)?;
                let number = key.number()?;
                let group = (
                    fold(e.model.unwrap_or("")),
                    fold(e.manufacturer.unwrap_or("")),
                    key.prefix().to_owned(),
                );
                Some((group, number, e.reference.to_owned()))
            })
            .collect();
        let mut component: Vec<usize> = (0..keyed.len()).collect();
        fn root(c: &[usize], mut i: usize) -> usize {
            while c[i] != i {
                i = c[i];
            }
            i
        }
        for i in 0..keyed.len() {
            for j in 0..i {
                if keyed[i].0 == keyed[j].0 && keyed[i].1.abs_diff(keyed[j].1) <= gap {
                    let (a, b) = (root(&component, i), root(&component, j));
                    component[a] = b;
                }
            }
        }
        let mut groups: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
        for (i, (_, _, reference)) in keyed.iter().enumerate() {
            let r = root(&component, i);
            groups.entry(r).or_default().push(reference.clone());
        }
        groups
            .into_values()
            .filter(|g| g.len() >= 2)
            .map(|mut g| {
                g.sort();
                g
            })
            .collect()
    }

    proptest! {
        #[test]
        fn link_runs_matches_the_pairwise_reference(
            rows in proptest::collection::vec(
                (0usize..3, 0usize..3, 0usize..4, proptest::option::of(0u64..400)),
                0..40,
            ),
            gap in 0u64..60,
        ) {
            const MODELS: [Option<&str>; 3] = [Some("AK-47"), Some(" ak-47"), None];
            const MAKERS: [Option<&str>; 3] = [Some("Factory 26"), Some("Izhmash"), None];
            const PREFIXES: [&str; 4] = ["AB", "ab-", "", "X9Y"];
            let texts: Vec<(String, String)> = rows
                .iter()
                .enumerate()
                .map(|(i, (_, _, p, n))| {
                    let serial = n.map_or_else(|| format!("{}Z", PREFIXES[*p]), |n| format!("{}{n}", PREFIXES[*p]));
                    (format!("R{i:02}"), serial)
                })
                .collect();
            let items: Vec<LinkEntry> = rows
                .iter()
                .zip(&texts)
                .map(|((m, f, _, _), (r, s))| LinkEntry {
                    reference: r,
                    model: MODELS[*m],
                    manufacturer: MAKERS[*f],
                    serial: Some(s),
                    ..LinkEntry::default()
                })
                .collect();
            let runs = link_runs(&items, gap);
            let got: BTreeSet<Vec<String>> = runs
                .iter()
                .map(|r| {
                    let mut refs = r.refs.clone();
                    refs.sort();
                    refs
                })
                .collect();
            prop_assert_eq!(got.len(), runs.len());
            prop_assert_eq!(got, brute_force_runs(&items, gap));
            for w in runs.windows(2) {
                prop_assert!(w[0].count > w[1].count || (w[0].count == w[1].count && w[0].refs < w[1].refs));
            }
        }
    }
}

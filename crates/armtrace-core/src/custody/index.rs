//! Which documented transfers cover an item, and the evidence for each.
//!
//! A transfer covers an item when
//! * **by serial**: the transfer names a model and a serial range, the item's model is
//!   the same (compared with [`fold`]), and the item's serial has the range's prefix and a
//!   number between the range's ends, both included. A transfer that names no model
//!   covers nothing by serial: a bare range such as `100–900` would otherwise claim
//!   every model that happens to be numbered alike;
//! * **by lot**: the transfer names a manufacturer and a lot, the item has the same
//!   manufacturer (folded) and lot (linking form, [`SerialKey`]), and, where the transfer
//!   gives a year of manufacture or a calibre, the item has the same one. An item whose
//!   year or calibre is unknown is not covered by a transfer that states one: the match
//!   would be unproven. A lot without a manufacturer is not indexed: lot numbers repeat
//!   across factories.
//!
//! When one transfer covers an item both ways, the serial evidence (the more specific)
//! is reported. The index never scans every transfer for an item: ranges are grouped by
//! (prefix, folded model) and sorted, lots are hashed.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::link::LinkEntry;
use crate::serial::SerialKey;
use crate::text::fold;
use crate::transfer::Transfer;

/// Why a transfer covers an item, in terms an investigator can check against the
/// documents. Values are as the records spell them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Coverage {
    /// The item's serial lies in the transfer's range for the same model.
    Serial {
        serial: String,
        from: String,
        to: String,
        model: String,
    },
    /// The item belongs to a lot the transfer names.
    Lot {
        lot: String,
        manufacturer: String,
        year: Option<i16>,
        calibre: Option<String>,
    },
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coverage::Serial {
                serial,
                from,
                to,
                model,
            } => {
                write!(f, "serial {serial} lies in {from}–{to} of model {model}")
            }
            Coverage::Lot {
                lot,
                manufacturer,
                year,
                calibre,
            } => {
                write!(f, "lot {lot} of manufacturer {manufacturer}")?;
                if let Some(y) = year {
                    write!(f, ", year {y}")?;
                }
                if let Some(c) = calibre {
                    write!(f, ", calibre {c}")?;
                }
                Ok(())
            }
        }
    }
}

/// How a transfer covers an item, without the evidence text (the hot path of
/// [`super::diversions`] needs no strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Basis {
    Serial,
    Lot,
}

/// One serial range of one transfer.
struct Span {
    from: u64,
    to: u64,
    transfer: usize,
}

/// The ranges of one (prefix, model), sorted by `from`, with `reach[i]` the highest `to`
/// among the first `i + 1`: scanning down from the last range that starts at or below a
/// number can stop as soon as nothing earlier reaches it.
struct Spans {
    spans: Vec<Span>,
    reach: Vec<u64>,
}

impl Spans {
    fn containing(&self, number: u64, mut found: impl FnMut(usize)) {
        let end = self.spans.partition_point(|s| s.from <= number);
        for i in (0..end).rev() {
            if self.reach[i] < number {
                break;
            }
            if self.spans[i].to >= number {
                found(self.spans[i].transfer);
            }
        }
    }
}

/// A transfer that names a lot, with what must also match.
struct LotTransfer {
    transfer: usize,
    year: Option<i16>,
    calibre: Option<String>,
}

/// Transfers indexed for coverage queries. Built once per register version and kept
/// (the application caches it), holding the transfers it refers to by position.
pub struct TransferIndex {
    transfers: Arc<[Transfer]>,
    /// `rank[i]`: the position of transfer `i` in delivery order.
    rank: Vec<usize>,
    ranges: HashMap<(String, String), Spans>,
    lots: HashMap<(String, SerialKey), Vec<LotTransfer>>,
}

impl TransferIndex {
    /// Indexes `transfers`. Delivery order is by `delivered_on` (by `authorised_on` when
    /// the delivery date is missing; undated transfers last), then by `transfer_ref`.
    pub fn new(transfers: impl Into<Arc<[Transfer]>>) -> Self {
        let transfers: Arc<[Transfer]> = transfers.into();
        let mut order: Vec<usize> = (0..transfers.len()).collect();
        order.sort_by_key(|&i| {
            let t = &transfers[i];
            let date = t.delivered_on.or(t.authorised_on);
            (date.is_none(), date, &t.transfer_ref, i)
        });
        let mut rank = vec![0; transfers.len()];
        for (position, &i) in order.iter().enumerate() {
            rank[i] = position;
        }

        let mut raw_ranges: HashMap<(String, String), Vec<Span>> = HashMap::new();
        let mut lots: HashMap<(String, SerialKey), Vec<LotTransfer>> = HashMap::new();
        for (i, t) in transfers.iter().enumerate() {
            if let Some((prefix, from, to)) = range_of(t) {
                let model = fold(t.model.as_deref().unwrap_or(""));
                if !model.is_empty() {
                    let span = Span {
                        from,
                        to,
                        transfer: i,
                    };
                    raw_ranges.entry((prefix, model)).or_default().push(span);
                }
            }
            let manufacturer = fold(t.manufacturer.as_deref().unwrap_or(""));
            let lot = t.lot_number.as_deref().and_then(SerialKey::new);
            if let (false, Some(lot)) = (manufacturer.is_empty(), lot) {
                lots.entry((manufacturer, lot))
                    .or_default()
                    .push(LotTransfer {
                        transfer: i,
                        year: t.year_of_manufacture,
                        calibre: t.calibre.as_deref().map(fold),
                    });
            }
        }
        let ranges = raw_ranges
            .into_iter()
            .map(|(key, mut spans)| {
                spans.sort_by_key(|s| (s.from, s.to, s.transfer));
                let reach = spans
                    .iter()
                    .scan(0, |high, s| {
                        *high = s.to.max(*high);
                        Some(*high)
                    })
                    .collect();
                (key, Spans { spans, reach })
            })
            .collect();
        TransferIndex {
            transfers,
            rank,
            ranges,
            lots,
        }
    }

    /// The indexed transfers, in the order given to [`TransferIndex::new`].
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// The transfers covering `item` (positions in [`TransferIndex::transfers`]), in
    /// delivery order, each with its evidence.
    pub fn covering(&self, item: &LinkEntry) -> Vec<(usize, Coverage)> {
        self.covering_basis(item)
            .into_iter()
            .map(|(i, basis)| (i, self.evidence(i, basis, item)))
            .collect()
    }

    /// [`TransferIndex::covering`] without the evidence.
    pub(crate) fn covering_basis(&self, item: &LinkEntry) -> Vec<(usize, Basis)> {
        let mut hits = Vec::new();
        if let (Some(model), Some(serial)) = (item.model, item.serial)
            && let Some(key) = SerialKey::new(serial)
            && let Some((prefix, number)) = key.split()
            && let Some(spans) = self.ranges.get(&(prefix.to_owned(), fold(model)))
        {
            spans.containing(number, |t| hits.push((t, Basis::Serial)));
        }
        if let (Some(manufacturer), Some(lot)) = (item.manufacturer, item.lot)
            && let Some(lot) = SerialKey::new(lot)
            && let Some(candidates) = self.lots.get(&(fold(manufacturer), lot))
        {
            let calibre = item.calibre.map(fold);
            for c in candidates {
                let year_ok = c.year.is_none_or(|y| item.year == Some(y));
                let calibre_ok = c.calibre.is_none() || c.calibre == calibre;
                if year_ok && calibre_ok && !hits.iter().any(|&(t, _)| t == c.transfer) {
                    hits.push((c.transfer, Basis::Lot));
                }
            }
        }
        hits.sort_by_key(|&(t, _)| self.rank[t]);
        hits
    }

    fn evidence(&self, i: usize, basis: Basis, item: &LinkEntry) -> Coverage {
        let t = &self.transfers[i];
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match basis {
            Basis::Serial => Coverage::Serial {
                serial: item.serial.unwrap_or_default().to_owned(),
                from: text(&t.serial_from),
                to: text(&t.serial_to),
                model: text(&t.model),
            },
            Basis::Lot => Coverage::Lot {
                lot: text(&t.lot_number),
                manufacturer: text(&t.manufacturer),
                year: t.year_of_manufacture,
                calibre: t.calibre.clone(),
            },
        }
    }
}

/// A transfer's serial range as (prefix, from, to). `None` when it has none or when it is
/// malformed (ends without numbers, different prefixes, reversed): [`Transfer::parse`]
/// rejects those, but a hand-built transfer might not have been parsed.
fn range_of(t: &Transfer) -> Option<(String, u64, u64)> {
    let from = SerialKey::new(t.serial_from.as_deref()?)?;
    let to = SerialKey::new(t.serial_to.as_deref()?)?;
    let (prefix, low) = from.split()?;
    let (to_prefix, high) = to.split()?;
    (prefix == to_prefix && low <= high).then(|| (prefix.to_owned(), low, high))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{ranged, transfer};
    use proptest::prelude::*;

    fn lotted(reference: &str, year: Option<i16>, calibre: Option<&str>) -> Transfer {
        Transfer {
            manufacturer: Some("Factory 10".to_owned()),
            lot_number: Some("17-83".to_owned()),
            year_of_manufacture: year,
            calibre: calibre.map(str::to_owned),
            ..transfer(reference)
        }
    }

    fn rifle(serial: &str) -> LinkEntry<'_> {
        LinkEntry {
            reference: "R",
            model: Some("AK-47"),
            serial: Some(serial),
            ..LinkEntry::default()
        }
    }

    fn cartridge(year: Option<i16>, calibre: Option<&str>) -> LinkEntry<'_> {
        LinkEntry {
            reference: "C",
            manufacturer: Some("FACTORY  10"),
            lot: Some("1783"),
            year,
            calibre,
            ..LinkEntry::default()
        }
    }

    fn covered(index: &TransferIndex, item: &LinkEntry) -> Vec<String> {
        let ts = index.transfers();
        index
            .covering(item)
            .into_iter()
            .map(|(i, _)| ts[i].transfer_ref.clone())
            .collect()
    }

    #[test]
    fn serial_ranges_are_inclusive_at_both_ends() {
        let ts = [ranged("T", "AK-47", "AB1000", "AB-1999")];
        let index = TransferIndex::new(ts.clone());
        for (serial, expected) in [
            ("AB0999", false),
            ("AB1000", true),
            ("ab 1500", true),
            ("AB1999", true),
            ("AB2000", false),
        ] {
            assert_eq!(
                !index.covering(&rifle(serial)).is_empty(),
                expected,
                "{serial}"
            );
        }
        let (_, evidence) = &index.covering(&rifle("AB1234"))[0];
        assert_eq!(
            evidence.to_string(),
            "serial AB1234 lies in AB1000–AB-1999 of model AK-47"
        );
    }

    #[test]
    fn prefix_and_model_must_match_and_the_transfer_must_name_a_model() {
        let mut anonymous = ranged("no-model", "x", "AB1000", "AB1999");
        anonymous.model = None;
        let ts = [
            ranged("akm", "AKM", "AB1000", "AB1999"),
            ranged("ac", "AK-47", "AC1000", "AC1999"),
            anonymous,
        ];
        let index = TransferIndex::new(ts.clone());
        assert!(index.covering(&rifle("AB1500")).is_empty());
        let mut no_model = rifle("AB1500");
        no_model.model = None;
        assert!(index.covering(&no_model).is_empty());
        // Folding: case and spaces do not matter.
        let mut folded = rifle("AC1500");
        folded.model = Some(" ak-47  ");
        assert_eq!(covered(&index, &folded), ["ac"]);
    }

    #[test]
    fn lot_coverage_checks_year_and_calibre_only_where_the_transfer_gives_them() {
        let ts = [
            lotted("plain", None, None),
            lotted("y1983", Some(1983), None),
            lotted("y1984", Some(1984), None),
            lotted("cal", None, Some("7.62X39mm")),
            lotted("cal54", None, Some("7.62x54mmR")),
        ];
        let index = TransferIndex::new(ts.clone());
        let all = |v: Vec<String>| {
            let mut v = v;
            v.sort();
            v
        };
        assert_eq!(
            all(covered(&index, &cartridge(Some(1983), Some("7.62x39mm")))),
            ["cal", "plain", "y1983"]
        );
        // Unknown year or calibre: only transfers that state neither can cover it.
        assert_eq!(all(covered(&index, &cartridge(None, None))), ["plain"]);
        let mut other_maker = cartridge(Some(1983), None);
        other_maker.manufacturer = Some("Factory 11");
        assert!(index.covering(&other_maker).is_empty());
        let mut other_lot = cartridge(Some(1983), None);
        other_lot.lot = Some("17-84");
        assert!(index.covering(&other_lot).is_empty());
        let evidence = &index.covering(&cartridge(Some(1983), None))[1].1;
        assert_eq!(
            evidence.to_string(),
            "lot 17-83 of manufacturer Factory 10, year 1983"
        );
    }

    #[test]
    fn a_lot_without_manufacturer_covers_nothing() {
        let mut t = lotted("T", None, None);
        t.manufacturer = None;
        let ts = [t];
        assert!(
            TransferIndex::new(ts.clone())
                .covering(&cartridge(None, None))
                .is_empty()
        );
    }

    #[test]
    fn serial_evidence_wins_when_a_transfer_covers_both_ways() {
        let mut t = lotted("T", None, None);
        (t.model, t.serial_from, t.serial_to) =
            (Some("AK-47".into()), Some("A1".into()), Some("A9".into()));
        let ts = [t];
        let index = TransferIndex::new(ts.clone());
        let mut item = cartridge(None, None);
        (item.model, item.serial) = (Some("ak-47"), Some("A5"));
        let found = index.covering(&item);
        assert_eq!(found.len(), 1);
        assert!(matches!(found[0].1, Coverage::Serial { .. }));
    }

    #[test]
    fn covering_is_in_delivery_order() {
        let d = |s: &str| Some(s.parse().unwrap());
        let mut late = ranged("a-late", "AK-47", "AB1", "AB9");
        late.delivered_on = d("2015-06-01");
        let mut early = ranged("b-early", "AK-47", "AB1", "AB9");
        early.delivered_on = d("2014-01-01");
        let mut authorised = ranged("c-authorised", "AK-47", "AB1", "AB9");
        authorised.authorised_on = d("2014-05");
        let undated = ranged("d-undated", "AK-47", "AB1", "AB9");
        let ts = [undated, late, authorised, early];
        let index = TransferIndex::new(ts.clone());
        assert_eq!(
            covered(&index, &rifle("AB5")),
            ["b-early", "c-authorised", "a-late", "d-undated"]
        );
    }

    /// The rules restated as a plain scan over every transfer.
    fn brute_force(ts: &[Transfer], item: &LinkEntry) -> Vec<usize> {
        let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => !fold(a).is_empty() && fold(a) == fold(b),
            _ => false,
        };
        let key = |s: Option<&str>| s.and_then(SerialKey::new);
        let mut hits: Vec<usize> = (0..ts.len())
            .filter(|&i| {
                let t = &ts[i];
                let by_serial = same(t.model.as_deref(), item.model)
                    && match (
                        key(t.serial_from.as_deref()),
                        key(t.serial_to.as_deref()),
                        key(item.serial),
                    ) {
                        (Some(f), Some(to), Some(s)) => match (f.split(), to.split(), s.split()) {
                            (Some((fp, fnum)), Some((tp, tnum)), Some((sp, snum))) => {
                                fp == sp && tp == sp && fnum <= snum && snum <= tnum
                            }
                            _ => false,
                        },
                        _ => false,
                    };
                let by_lot = same(t.manufacturer.as_deref(), item.manufacturer)
                    && key(t.lot_number.as_deref()).is_some()
                    && key(t.lot_number.as_deref()) == key(item.lot)
                    && t.year_of_manufacture.is_none_or(|y| item.year == Some(y))
                    && t.calibre
                        .as_deref()
                        .is_none_or(|c| item.calibre.is_some_and(|i| fold(i) == fold(c)));
                by_serial || by_lot
            })
            .collect();
        hits.sort();
        hits
    }

    proptest! {
        #[test]
        fn index_agrees_with_a_full_scan(
            ranges in proptest::collection::vec((0usize..3, 0usize..2, 0u64..100, 0u64..40, 0usize..3, proptest::option::of(1980i16..1983)), 0..30),
            probes in proptest::collection::vec((0usize..3, 0usize..2, 0u64..150, 0usize..3, proptest::option::of(1980i16..1983)), 1..20),
        ) {
            const MODELS: [&str; 3] = ["AK-47", "akm", "PKM"];
            const PREFIXES: [&str; 2] = ["AB", ""];
            const LOTS: [&str; 3] = ["1", "2", "L-1"];
            let ts: Vec<Transfer> = ranges
                .iter()
                .enumerate()
                .map(|(i, &(m, p, from, len, lot, year))| Transfer {
                    manufacturer: Some(MODELS[(m + 1) % 3].to_owned()),
                    lot_number: Some(LOTS[lot].to_owned()),
                    year_of_manufacture: year,
                    ..ranged(&format!("T{i}"), MODELS[m], &format!("{}{from}", PREFIXES[p]), &format!("{}{}", PREFIXES[p], from + len))
                })
                .collect();
            let index = TransferIndex::new(ts.clone());
            let serials: Vec<String> = probes.iter().map(|&(_, p, n, _, _)| format!("{}{n}", PREFIXES[p])).collect();
            for (&(m, _, _, lot, year), serial) in probes.iter().zip(&serials) {
                let item = LinkEntry {
                    reference: "X",
                    model: Some(MODELS[m]),
                    manufacturer: Some(MODELS[(m + 1) % 3]),
                    serial: Some(serial),
                    lot: Some(LOTS[lot]),
                    year,
                    ..LinkEntry::default()
                };
                let mut got: Vec<usize> = index.covering(&item).into_iter().map(|(i, _)| i).collect();
                got.sort();
                prop_assert_eq!(got, brute_force(&ts, &item));
            }
        }
    }
}

//! The order in which matches are shown to an investigator.
//!
//! The index answers "which serials are close enough"; ranking answers "which of those
//! is most likely the weapon in front of me", using facts the index does not hold (the
//! serial as written, model, manufacturer). The caller supplies those facts through a
//! lookup function, so this module stays pure: no store, no I/O, and it does not filter
//! anything out except ids the lookup no longer knows.

use std::cmp::Reverse;

use super::IndexMatch;
use super::query::SerialQuery;
use crate::text::fold;

/// Model and manufacturer the investigator believes the item has. They rank matches
/// that fit higher; they never exclude a match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RankFilters<'a> {
    pub model: Option<&'a str>,
    pub manufacturer: Option<&'a str>,
}

/// What ranking needs to know about one matched item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts<'a> {
    /// The serial as recorded, before normalisation.
    pub serial: &'a str,
    pub model: Option<&'a str>,
    pub manufacturer: Option<&'a str>,
}

/// A match in ranked position, with the reasons for its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedMatch {
    pub id: u32,
    /// Edits between the normalised query and the normalised serial.
    pub distance: u8,
    /// The recorded serial equals the query as typed, ignoring ASCII case and
    /// surrounding whitespace.
    pub as_written: bool,
    /// How well model and manufacturer fit the filters: per filter given, 2 when the
    /// folded texts are equal, 1 when the folded filter occurs inside the folded value,
    /// 0 otherwise (so 0–4).
    pub filter_fit: u8,
}

/// Orders index matches for display: serial exactly as written first, then by edit
/// distance (0 = equal after normalisation), then by filter fit (best first), then by
/// id, so the order is deterministic. `facts` looks up an id's recorded serial, model
/// and manufacturer; ids for which it returns `None` (deleted since the search) are
/// dropped.
///
/// ```
/// use armtrace_core::search::{rank, IndexMatch, ItemFacts, RankFilters, SerialQuery};
///
/// let query = SerialQuery::parse("AK-1974-012345", None).unwrap();
/// let matches = [IndexMatch { id: 1, distance: 0 }, IndexMatch { id: 2, distance: 0 }];
/// let serials = ["", "AK 1974 O12345", "ak-1974-012345 "];
/// let ranked = rank(&query, &matches, &RankFilters::default(), |id| {
///     Some(ItemFacts { serial: serials[id as usize], model: None, manufacturer: None })
/// });
/// assert_eq!(ranked[0].id, 2); // as written
/// assert!(ranked[0].as_written && !ranked[1].as_written);
/// ```
pub fn rank<'a>(
    query: &SerialQuery,
    matches: &[IndexMatch],
    filters: &RankFilters<'_>,
    mut facts: impl FnMut(u32) -> Option<ItemFacts<'a>>,
) -> Vec<RankedMatch> {
    let written = query.raw().trim();
    let model = filters.model.map(fold).filter(|f| !f.is_empty());
    let manufacturer = filters.manufacturer.map(fold).filter(|f| !f.is_empty());
    let mut ranked: Vec<RankedMatch> = matches
        .iter()
        .filter_map(|m| {
            let item = facts(m.id)?;
            Some(RankedMatch {
                id: m.id,
                distance: m.distance,
                as_written: item.serial.trim().eq_ignore_ascii_case(written),
                filter_fit: fit(model.as_deref(), item.model)
                    + fit(manufacturer.as_deref(), item.manufacturer),
            })
        })
        .collect();
    ranked.sort_unstable_by_key(|r| (!r.as_written, r.distance, Reverse(r.filter_fit), r.id));
    ranked
}

/// 2 for folded equality, 1 for a folded substring, 0 otherwise or when either is absent.
fn fit(folded_filter: Option<&str>, value: Option<&str>) -> u8 {
    let (Some(filter), Some(value)) = (folded_filter, value) else {
        return 0;
    };
    let value = fold(value);
    if value == filter {
        2
    } else if value.contains(filter) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item {
        serial: &'static str,
        model: Option<&'static str>,
        manufacturer: Option<&'static str>,
    }

    const ITEMS: [Item; 7] = [
        Item {
            serial: "AK-1974-012345",
            model: Some("AKM"),
            manufacturer: None,
        },
        Item {
            serial: "AK 1974 O12345",
            model: Some("AK-47"),
            manufacturer: Some("Izhmash"),
        },
        Item {
            serial: "AK1974012345",
            model: None,
            manufacturer: None,
        },
        Item {
            serial: "AK1974012354",
            model: Some("ak-47"),
            manufacturer: Some("IZHMASH Plant"),
        },
        Item {
            serial: "AK1974012354",
            model: Some("AKM"),
            manufacturer: None,
        },
        Item {
            serial: "AK1974012346",
            model: Some("AK-47"),
            manufacturer: Some("Izhmash"),
        },
        Item {
            serial: "ak-1974-012345",
            model: None,
            manufacturer: None,
        },
    ];

    fn ranked(filters: RankFilters<'_>, matches: &[IndexMatch]) -> Vec<(u32, bool, u8, u8)> {
        let query = SerialQuery::parse(" AK-1974-012345", None).unwrap();
        rank(&query, matches, &filters, |id| {
            let item = ITEMS.get(id as usize)?;
            Some(ItemFacts {
                serial: item.serial,
                model: item.model,
                manufacturer: item.manufacturer,
            })
        })
        .into_iter()
        .map(|r| (r.id, r.as_written, r.distance, r.filter_fit))
        .collect()
    }

    fn m(id: u32, distance: u8) -> IndexMatch {
        IndexMatch { id, distance }
    }

    #[test]
    fn written_then_distance_then_fit_then_id() {
        let matches = [
            m(5, 1),
            m(4, 1),
            m(3, 1),
            m(2, 0),
            m(1, 0),
            m(0, 0),
            m(6, 0),
        ];
        let filters = RankFilters {
            model: Some(" AK-47 "),
            manufacturer: Some("izhmash"),
        };
        assert_eq!(
            ranked(filters, &matches),
            vec![
                (0, true, 0, 0),
                (6, true, 0, 0),
                (1, false, 0, 4), // model and maker equal when folded
                (2, false, 0, 0),
                (5, false, 1, 4),
                (3, false, 1, 3), // maker only contains the filter
                (4, false, 1, 0),
            ]
        );
    }

    #[test]
    fn without_filters_ties_fall_back_to_id() {
        let matches = [m(5, 1), m(3, 1), m(4, 1), m(2, 0), m(1, 0)];
        let ids: Vec<u32> = ranked(RankFilters::default(), &matches)
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn ids_unknown_to_the_lookup_are_dropped() {
        let ranked = ranked(RankFilters::default(), &[m(99, 0), m(2, 0)]);
        assert_eq!(ranked, vec![(2, false, 0, 0)]);
    }

    #[test]
    fn blank_filters_fit_nothing() {
        let filters = RankFilters {
            model: Some("  "),
            manufacturer: None,
        };
        assert!(
            ranked(filters, &[m(1, 0), m(3, 1)])
                .iter()
                .all(|r| r.3 == 0)
        );
    }
}

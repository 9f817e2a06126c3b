//! Which countries share a land border, from `data/borders.csv` (Natural Earth's
//! 1:50m outlines via world-atlas; regenerate with `data/tools/make_borders.py`).
//!
//! Weapons cross land borders more easily than seas: a recovered item's documented
//! supply lines are looked for in the recovery country first and in its neighbours
//! next. Former states (`SU`, `YU`, `CS`, `DD`) have no outline in today's map and so
//! no neighbours here.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::country::CountryCode;

const TABLE_CSV: &str = include_str!("../../../data/borders.csv");

static NEIGHBOURS: LazyLock<HashMap<CountryCode, Vec<CountryCode>>> = LazyLock::new(|| {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(TABLE_CSV.as_bytes());
    let mut map: HashMap<CountryCode, Vec<CountryCode>> = HashMap::new();
    for record in reader.records() {
        let record = record.expect("data/borders.csv is valid CSV");
        let code = |s: &str| {
            CountryCode::parse(s)
                .unwrap_or_else(|_| panic!("data/borders.csv: {s:?} is not in data/countries.csv"))
        };
        let (a, b) = (code(&record[0]), code(&record[1]));
        map.entry(a).or_default().push(b);
        map.entry(b).or_default().push(a);
    }
    for list in map.values_mut() {
        list.sort();
    }
    map
});

/// The countries sharing a land border with `country`, by code (empty for islands and
/// former states).
pub fn neighbours(country: CountryCode) -> &'static [CountryCode] {
    NEIGHBOURS.get(&country).map_or(&[], Vec::as_slice)
}

/// Whether two countries share a land border.
pub fn are_neighbours(a: CountryCode, b: CountryCode) -> bool {
    neighbours(a).binary_search(&b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(of: &str) -> Vec<&'static str> {
        let mut v: Vec<&str> = neighbours(CountryCode::parse(of).unwrap())
            .iter()
            .map(|c| c.country().code.as_str())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn land_neighbours_of_known_countries() {
        assert_eq!(codes("IQ"), ["IR", "JO", "KW", "SA", "SY", "TR"]);
        assert_eq!(codes("SY"), ["IL", "IQ", "JO", "LB", "TR"]);
        assert_eq!(codes("UA"), ["BY", "HU", "MD", "PL", "RO", "RU", "SK"]);
        assert_eq!(codes("YE"), ["OM", "SA"]);
        assert!(codes("IS").is_empty(), "an island has no land neighbours");
        assert!(codes("SU").is_empty(), "a former state has no outline");
    }

    #[test]
    fn borders_are_symmetric() {
        for (a, list) in NEIGHBOURS.iter() {
            for b in list {
                assert!(are_neighbours(*b, *a), "{a} {b}");
                assert_ne!(a, b);
            }
        }
        assert!(are_neighbours(
            CountryCode::parse("Libya").unwrap(),
            CountryCode::parse("Sudan").unwrap()
        ));
        assert!(!are_neighbours(
            CountryCode::parse("France").unwrap(),
            CountryCode::parse("United Kingdom").unwrap()
        ));
    }
}

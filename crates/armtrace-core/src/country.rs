//! Countries as ISO 3166-1 alpha-2 codes, read from whatever a user or a register wrote.
//!
//! The table is `data/countries.csv` (ISO 3166-1 and ISO 3166-3 via Debian's iso-codes,
//! plus hand-added English aliases), compiled into the binary. Lookup accepts alpha-2,
//! alpha-3, the English short name and any alias, ignoring case, spaces and punctuation.
//! Former states keep their former codes: Soviet Union `SU`, Yugoslavia `YU`,
//! Czechoslovakia `CS`, East Germany `DD`.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const TABLE_CSV: &str = include_str!("../../../data/countries.csv");

/// One row of the country table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: CountryCode,
    pub alpha3: String,
    pub name: String,
    /// A state that no longer exists (its ISO 3166-3 code).
    pub former: bool,
    pub aliases: Vec<String>,
}

/// An ISO 3166-1 alpha-2 code (or a former state's ISO 3166-3 alpha-2 code) known to the table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

struct Table {
    countries: Vec<Country>,
    by_key: HashMap<String, usize>,
    by_code: HashMap<[u8; 2], usize>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(TABLE_CSV.as_bytes());
    let mut countries = Vec::new();
    for record in reader.records() {
        let record = record.expect("data/countries.csv is valid CSV");
        let a2 = record[0].as_bytes();
        let code = CountryCode([a2[0], a2[1]]);
        countries.push(Country {
            code,
            alpha3: record[1].to_owned(),
            name: record[2].to_owned(),
            former: &record[3] == "1",
            aliases: record[4]
                .split('|')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    let mut by_key = HashMap::new();
    let mut by_code = HashMap::new();
    // Names and aliases first, then codes, so that a code always wins over an alias
    // that happens to spell the same (e.g. the alias "CAR" vs a hypothetical code).
    for (i, c) in countries.iter().enumerate() {
        by_key.insert(key(&c.name), i);
        for alias in &c.aliases {
            by_key.entry(key(alias)).or_insert(i);
        }
    }
    for (i, c) in countries.iter().enumerate() {
        by_key.insert(key(c.code.as_str()), i);
        by_key.insert(key(&c.alpha3), i);
        by_code.insert(c.code.0, i);
    }
    Table {
        countries,
        by_key,
        by_code,
    }
});

/// Lookup key: lowercase letters and digits only.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The error for a country nobody knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "is not a known country: use an ISO 3166-1 code (IQ or IRQ), an English name (Iraq) or a former state (Soviet Union)"
)]
pub struct UnknownCountry;

impl CountryCode {
    /// Reads a code, an English name or an alias.
    pub fn parse(input: &str) -> Result<CountryCode, UnknownCountry> {
        lookup(input).map(|c| c.code).ok_or(UnknownCountry)
    }

    pub fn as_str(&self) -> &str {
        // Both bytes come from the ASCII table.
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }

    /// The table row for this code.
    pub fn country(&self) -> &'static Country {
        &TABLE.countries[TABLE.by_code[&self.0]]
    }

    pub fn name(&self) -> &'static str {
        &self.country().name
    }
}

/// Finds a country by code, name or alias.
pub fn lookup(input: &str) -> Option<&'static Country> {
    // Fast path for the common case, a clean alpha-2 code such as "IQ".
    let b = input.as_bytes();
    if b.len() == 2
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && let Some(&i) = TABLE.by_code.get(&[b[0], b[1]])
    {
        return Some(&TABLE.countries[i]);
    }
    let k = key(input);
    if k.is_empty() {
        return None;
    }
    TABLE.by_key.get(&k).map(|&i| &TABLE.countries[i])
}

/// Every country in the table, current and former.
pub fn all() -> &'static [Country] {
    &TABLE.countries
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl std::str::FromStr for CountryCode {
    type Err = UnknownCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::parse(s)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s).map_err(|e| serde::de::Error::custom(format!("{s:?} {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &str {
        CountryCode::parse(s)
            .map(|c| c.country().code.as_str())
            .unwrap_or("??")
    }

    #[test]
    fn codes_names_and_aliases() {
        for (input, expected) in [
            ("IQ", "IQ"),
            ("irq", "IQ"),
            ("Iraq", "IQ"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("United States", "US"),
            ("UK", "GB"),
            ("Russia", "RU"),
            ("Syria", "SY"),
            ("Syrian Arab Republic", "SY"),
            ("Iran", "IR"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Soviet Union", "SU"),
            ("USSR", "SU"),
            ("Yugoslavia", "YU"),
            ("Czechoslovakia", "CS"),
            ("East Germany", "DD"),
            ("Viet Nam", "VN"),
            ("Czechia", "CZ"),
            ("  north   korea ", "KP"),
        ] {
            assert_eq!(code(input), expected, "{input}");
        }
    }

    #[test]
    fn unknown_and_empty_are_rejected() {
        assert!(CountryCode::parse("Narnia").is_err());
        assert!(CountryCode::parse("").is_err());
        assert!(CountryCode::parse(" - ").is_err());
    }

    #[test]
    fn table_is_consistent() {
        assert!(all().len() > 250);
        for c in all() {
            assert_eq!(CountryCode::parse(c.code.as_str()).unwrap(), c.code);
            assert_eq!(
                CountryCode::parse(&c.alpha3).unwrap(),
                c.code,
                "{}",
                c.alpha3
            );
        }
        assert_eq!(CountryCode::parse("SU").unwrap().name(), "Soviet Union");
    }
}

//! Where and when the members of a run or a lot cluster were recovered: the spread that
//! makes a link worth reporting (one rifle batch in three towns, or two provinces).
//!
//! Summarises only; which items belong together is decided in the parent module.

use serde::Serialize;

use super::LinkEntry;
use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::text::fold;

/// Where and when the members of a run or a cluster were recovered.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Spread {
    /// Distinct recovery sites, by country then place (places compared with [`fold`]).
    pub sites: Vec<Site>,
    /// Distinct recovery countries, by code.
    pub countries: Vec<CountryCode>,
    /// Earliest and latest recovery date. Partial dates order before the full dates they
    /// contain (see [`PartialDate`]), so `2016-07` comes before `2016-07-14`.
    pub first_recovered: Option<PartialDate>,
    pub last_recovered: Option<PartialDate>,
}

/// One recovery site: a place, a country, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub place: Option<String>,
    pub country: Option<CountryCode>,
}

pub(super) fn spread<'e, 'a: 'e>(entries: impl Iterator<Item = &'e LinkEntry<'a>>) -> Spread {
    let mut raw_sites: Vec<(Option<CountryCode>, Option<&str>)> = Vec::new();
    let mut countries = Vec::new();
    let mut first_recovered: Option<PartialDate> = None;
    let mut last_recovered: Option<PartialDate> = None;
    for e in entries {
        if e.recovered_place.is_some() || e.recovered_country.is_some() {
            raw_sites.push((e.recovered_country, e.recovered_place));
        }
        countries.extend(e.recovered_country);
        if let Some(d) = e.recovered_on {
            first_recovered = Some(first_recovered.map_or(d, |f| f.min(d)));
            last_recovered = Some(last_recovered.map_or(d, |l| l.max(d)));
        }
    }
    raw_sites.sort_unstable();
    raw_sites.dedup();
    // Fold the distinct spellings only; sorting on the spelling too makes the kept one
    // independent of input order.
    let mut sites: Vec<(Option<CountryCode>, String, Option<&str>)> = raw_sites
        .into_iter()
        .map(|(country, place)| (country, fold(place.unwrap_or("")), place))
        .collect();
    sites.sort();
    sites.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    countries.sort_unstable();
    countries.dedup();
    Spread {
        sites: sites
            .into_iter()
            .map(|(country, _, place)| Site {
                place: place.map(str::to_owned),
                country,
            })
            .collect(),
        countries,
        first_recovered,
        last_recovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_collects_sites_countries_and_dates() {
        let iq = CountryCode::parse("IQ").unwrap();
        let sy = CountryCode::parse("SY").unwrap();
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        let mut a = LinkEntry::default();
        (a.recovered_place, a.recovered_country, a.recovered_on) =
            (Some("Mosul"), Some(iq), Some(d("2016-07-14")));
        let mut b = LinkEntry::default();
        (b.recovered_place, b.recovered_country, b.recovered_on) =
            (Some("MOSUL "), Some(iq), Some(d("2015")));
        let mut c = LinkEntry::default();
        (c.recovered_country, c.recovered_on) = (Some(sy), Some(d("2017-01")));
        let spread = spread([a, b, c, LinkEntry::default()].iter());
        assert_eq!(spread.countries, [iq, sy]);
        assert_eq!(spread.sites.len(), 2);
        assert_eq!(spread.sites[0].place.as_deref(), Some("MOSUL "));
        assert_eq!(
            spread.sites[1],
            Site {
                place: None,
                country: Some(sy)
            }
        );
        assert_eq!(spread.first_recovered, Some(d("2015")));
        assert_eq!(spread.last_recovered, Some(d("2017-01")));
    }
}

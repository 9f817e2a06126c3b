//! Small records for tests, shared by this crate's tests and (with the `fixtures`
//! feature) the tests of crates above it: a rifle and its two-hop chain of transfers,
//! and a trace request about it. Values are synthetic.

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::{Category, Confidentiality, ITEM_FIELDS, Item, RawItem};
use crate::trace::{Addressee, AddresseeKind, TraceRequest, TraceSubject};
use crate::transfer::Transfer;

/// A date from its text.
pub fn date(s: &str) -> PartialDate {
    s.parse().unwrap()
}

/// A country from its code or name.
pub fn country(s: &str) -> Option<CountryCode> {
    Some(CountryCode::parse(s).unwrap())
}

/// A transfer with only a reference; tests fill in what they need.
pub fn transfer(reference: &str) -> Transfer {
    Transfer {
        transfer_ref: reference.to_owned(),
        ..Transfer::default()
    }
}

/// A transfer of a serial range of one model.
pub fn ranged(reference: &str, model: &str, from: &str, to: &str) -> Transfer {
    Transfer {
        model: Some(model.to_owned()),
        serial_from: Some(from.to_owned()),
        serial_to: Some(to.to_owned()),
        ..transfer(reference)
    }
}

/// An AK-47 made by Factory 26 in Bulgaria in 1983, recovered in Mosul.
pub fn rifle(reference: &str, serial: &str, recovered_on: Option<&str>) -> Item {
    Item {
        reference: reference.to_owned(),
        category: Category::Weapon,
        item_type: Some("assault rifle".into()),
        model: Some("AK-47".into()),
        calibre: Some("7.62x39mm".into()),
        manufacturer: Some("Factory 26".into()),
        country_of_manufacture: country("BG"),
        year_of_manufacture: Some(1983),
        serial_number: Some(serial.into()),
        lot_number: None,
        markings: None,
        quantity: None,
        recovered_on: recovered_on.map(date),
        recovered_country: country("IQ"),
        recovered_place: Some("Mosul".into()),
        latitude: None,
        longitude: None,
        recovered_from: Some("Islamic State forces".into()),
        documented_by: None,
        confidentiality: Confidentiality::Public,
        notes: None,
    }
}

/// Bulgaria → Iraq (2014-01-10), then Iraqi MoD → 5th Division (2015-01-01).
pub fn two_hops() -> Vec<Transfer> {
    let mut export = ranged("L-123", "AK-47", "AB1000", "AB1999");
    export.supplier_country = country("BG");
    export.recipient = Some("Ministry of Defence".into());
    export.recipient_country = country("IQ");
    export.delivered_on = Some(date("2014-01-10"));
    export.document = Some("licence L-123".into());
    let mut issue = ranged("MOD-7", "ak-47", "AB1200", "AB1299");
    issue.supplier = Some("Ministry of Defence".into());
    issue.supplier_country = country("IQ");
    issue.recipient = Some("Iraqi Army 5th Division".into());
    issue.recipient_country = country("IQ");
    issue.delivered_on = Some(date("2015-01-01"));
    vec![issue, export]
}

/// The item a trace request is about: an AK-47 of serial AB1234 made in Bulgaria.
pub fn traced_item() -> Item {
    let mut raw = RawItem::default();
    for (field, value) in [
        ("ref", "IQ-1"),
        ("category", "weapon"),
        ("item_type", "assault rifle"),
        ("model", "AK-47"),
        ("calibre", "7.62x39mm"),
        ("country_of_manufacture", "BG"),
        ("serial_number", "AB1234"),
    ] {
        raw.values[ITEM_FIELDS.iter().position(|f| *f == field).unwrap()] = value;
    }
    Item::parse(&raw).unwrap()
}

/// A drafted request to Bulgaria's foreign ministry about [`traced_item`].
pub fn trace_request() -> TraceRequest {
    let mut r = TraceRequest::draft(
        "TR-1",
        TraceSubject::Item {
            reference: "IQ-1".into(),
        },
        Addressee {
            kind: AddresseeKind::State,
            name: "Ministry of Foreign Affairs".into(),
            country: CountryCode::parse("BG").ok(),
        },
        &[traced_item()],
        date("2016-01-05"),
    );
    r.requesting_party = "Investigation team".into();
    r.reason = "Recovered from an armed group in breach of an arms embargo.".into();
    r
}

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

/// The small register the statistics are computed by hand on:
///
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
pub fn eight_items() -> Vec<Item> {
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

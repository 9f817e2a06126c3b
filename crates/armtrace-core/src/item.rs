//! The documented item: one weapon, round, IED component or precursor container (or one
//! homogeneous batch of them, with a quantity) as an investigator recorded it.
//!
//! A raw record (a CSV row, a JSON object, a spreadsheet row) becomes an [`Item`] through
//! [`Item::parse`], which checks every field and returns every problem at once. Once you
//! hold an `Item` it is valid: countries are ISO codes, dates are real dates, coordinates
//! are on the globe.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::{PartialDate, YEARS};
use crate::field::FieldError;
use crate::serial;
use crate::text::non_empty;

/// The canonical item fields, in the order of the canonical CSV header.
pub const ITEM_FIELDS: [&str; 21] = [
    "ref",
    "category",
    "item_type",
    "model",
    "calibre",
    "manufacturer",
    "country_of_manufacture",
    "year_of_manufacture",
    "serial_number",
    "lot_number",
    "markings",
    "quantity",
    "recovered_on",
    "recovered_country",
    "recovered_place",
    "latitude",
    "longitude",
    "recovered_from",
    "documented_by",
    "confidentiality",
    "notes",
];

/// Longest accepted `ref`.
pub const MAX_REF_LEN: usize = 100;
/// Longest accepted short text field (model, place, ...).
pub const MAX_TEXT_LEN: usize = 2_000;
/// Longest accepted long text field (markings, notes).
pub const MAX_LONG_TEXT_LEN: usize = 20_000;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted values, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            /// Case-insensitive; spaces and hyphens count as underscores.
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted: String = s
                    .trim()
                    .chars()
                    .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
                    .collect();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| format!("is not one of {}", Self::choices()))
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// What kind of thing was documented.
    Category {
        Weapon = "weapon",
        Ammunition = "ammunition",
        IedComponent = "ied_component",
        ChemicalPrecursor = "chemical_precursor",
        Other = "other",
    }
}

string_enum! {
    /// Who may see an item. Ordered from least to most protected.
    Confidentiality {
        Public = "public",
        Restricted = "restricted",
        Confidential = "confidential",
    }
}

// Written by hand because the enum comes from `string_enum!`, which cannot mark a default variant.
#[allow(clippy::derivable_impls)]
impl Default for Confidentiality {
    fn default() -> Self {
        Confidentiality::Restricted
    }
}

/// A valid documented item. Field names and order follow [`ITEM_FIELDS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    #[serde(rename = "ref")]
    pub reference: String,
    pub category: Category,
    pub item_type: Option<String>,
    pub model: Option<String>,
    pub calibre: Option<String>,
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub year_of_manufacture: Option<i16>,
    pub serial_number: Option<String>,
    pub lot_number: Option<String>,
    pub markings: Option<String>,
    pub quantity: Option<u32>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_country: Option<CountryCode>,
    pub recovered_place: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub recovered_from: Option<String>,
    pub documented_by: Option<String>,
    pub confidentiality: Confidentiality,
    pub notes: Option<String>,
}

/// A record as read from a file: one string per canonical field, empty when absent.
#[derive(Debug, Clone, Default)]
pub struct RawItem<'a> {
    pub values: [&'a str; 21],
}

impl<'a> RawItem<'a> {
    pub fn get(&self, field: &str) -> &'a str {
        ITEM_FIELDS
            .iter()
            .position(|f| *f == field)
            .map_or("", |i| self.values[i])
    }
}

/// Collects field errors while a record is parsed.
pub(crate) struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Checker { errors: Vec::new() }
    }

    pub fn fail(&mut self, field: &'static str, value: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, value, message));
    }

    pub fn text(&mut self, field: &'static str, raw: &str, max: usize) -> Option<String> {
        let v = non_empty(raw)?;
        // Byte length bounds the character count, so most values skip the count.
        if v.len() > max && v.chars().count() > max {
            self.fail(field, v, format!("is longer than {max} characters"));
            return None;
        }
        let plain_ascii = v.bytes().all(|b| (0x20..0x7f).contains(&b));
        if !plain_ascii
            && v.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            self.fail(field, v, "contains control characters");
            return None;
        }
        Some(v.to_owned())
    }

    pub fn country(&mut self, field: &'static str, raw: &str) -> Option<CountryCode> {
        let v = non_empty(raw)?;
        match CountryCode::parse(v) {
            Ok(c) => Some(c),
            Err(e) => {
                self.fail(field, v, e.to_string());
                None
            }
        }
    }

    pub fn year(&mut self, field: &'static str, raw: &str) -> Option<i16> {
        let v = non_empty(raw)?;
        match v.parse::<i16>() {
            Ok(y) if YEARS.contains(&y) => Some(y),
            _ => {
                self.fail(
                    field,
                    v,
                    format!(
                        "is not a year between {} and {}",
                        YEARS.start(),
                        YEARS.end()
                    ),
                );
                None
            }
        }
    }

    pub fn quantity(&mut self, field: &'static str, raw: &str) -> Option<u32> {
        let v = non_empty(raw)?;
        match v.parse::<u32>() {
            Ok(q) if q >= 1 => Some(q),
            _ => {
                self.fail(field, v, "is not a whole number of at least 1");
                None
            }
        }
    }

    pub fn date(&mut self, field: &'static str, raw: &str) -> Option<PartialDate> {
        let v = non_empty(raw)?;
        match v.parse::<PartialDate>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.fail(field, v, e.to_string());
                None
            }
        }
    }

    pub fn choice<T: FromStr<Err = String>>(
        &mut self,
        field: &'static str,
        raw: &str,
    ) -> Option<T> {
        let v = non_empty(raw)?;
        match v.parse::<T>() {
            Ok(c) => Some(c),
            Err(e) => {
                self.fail(field, v, e);
                None
            }
        }
    }

    /// A non-negative decimal amount (a trend-indicator value, a price).
    pub fn amount(&mut self, field: &'static str, raw: &str) -> Option<f64> {
        let v = non_empty(raw)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Some(x + 0.0),
            _ => {
                self.fail(field, v, "is not a non-negative decimal number");
                None
            }
        }
    }

    pub fn coordinate(&mut self, field: &'static str, raw: &str, limit: f64) -> Option<f64> {
        let v = non_empty(raw)?;
        match v.parse::<f64>() {
            // `+ 0.0` turns -0 into 0: the register stores one zero, so the hash must too.
            Ok(x) if x.is_finite() && x.abs() <= limit => Some(x + 0.0),
            _ => {
                self.fail(
                    field,
                    v,
                    format!("is not a decimal degree between -{limit} and {limit}"),
                );
                None
            }
        }
    }
}

impl Item {
    /// Checks and converts a raw record, returning every problem found.
    pub fn parse(raw: &RawItem) -> Result<Item, Vec<FieldError>> {
        let v = &raw.values;
        let mut c = Checker::new();
        let reference = match non_empty(v[0]) {
            None => {
                c.fail(
                    "ref",
                    "",
                    "is required: every item needs a unique reference",
                );
                String::new()
            }
            Some(r) if r.chars().count() > MAX_REF_LEN => {
                c.fail("ref", r, format!("is longer than {MAX_REF_LEN} characters"));
                String::new()
            }
            Some(r) if r.chars().any(char::is_control) => {
                c.fail("ref", r, "contains control characters");
                String::new()
            }
            Some(r) => r.to_owned(),
        };
        let category = match non_empty(v[1]) {
            None => {
                c.fail(
                    "category",
                    "",
                    format!("is required: one of {}", Category::choices()),
                );
                None
            }
            Some(_) => c.choice::<Category>("category", v[1]),
        };
        let item_type = c.text("item_type", v[2], MAX_TEXT_LEN);
        let model = c.text("model", v[3], MAX_TEXT_LEN);
        let calibre = c.text("calibre", v[4], MAX_TEXT_LEN);
        let manufacturer = c.text("manufacturer", v[5], MAX_TEXT_LEN);
        let country_of_manufacture = c.country("country_of_manufacture", v[6]);
        let year_of_manufacture = c.year("year_of_manufacture", v[7]);
        let serial_number = c.text("serial_number", v[8], MAX_TEXT_LEN);
        let lot_number = c.text("lot_number", v[9], MAX_TEXT_LEN);
        let markings = c.text("markings", v[10], MAX_LONG_TEXT_LEN);
        let quantity = c.quantity("quantity", v[11]);
        let recovered_on = c.date("recovered_on", v[12]);
        let recovered_country = c.country("recovered_country", v[13]);
        let recovered_place = c.text("recovered_place", v[14], MAX_TEXT_LEN);
        let latitude = c.coordinate("latitude", v[15], 90.0);
        let longitude = c.coordinate("longitude", v[16], 180.0);
        match (non_empty(v[15]), non_empty(v[16])) {
            (Some(_), None) => c.fail("longitude", "", "is required when latitude is given"),
            (None, Some(_)) => c.fail("latitude", "", "is required when longitude is given"),
            _ => {}
        }
        let recovered_from = c.text("recovered_from", v[17], MAX_TEXT_LEN);
        let documented_by = c.text("documented_by", v[18], MAX_TEXT_LEN);
        let confidentiality = c
            .choice::<Confidentiality>("confidentiality", v[19])
            .unwrap_or_default();
        let notes = c.text("notes", v[20], MAX_LONG_TEXT_LEN);

        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        Ok(Item {
            reference,
            category: category.expect("checked above"),
            item_type,
            model,
            calibre,
            manufacturer,
            country_of_manufacture,
            year_of_manufacture,
            serial_number,
            lot_number,
            markings,
            quantity,
            recovered_on,
            recovered_country,
            recovered_place,
            latitude,
            longitude,
            recovered_from,
            documented_by,
            confidentiality,
            notes,
        })
    }

    /// The item's fields as canonical strings, in [`ITEM_FIELDS`] order; empty for `None`.
    /// `Item::parse` of these strings gives the item back.
    pub fn to_strings(&self) -> [String; 21] {
        fn o<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map_or_else(String::new, T::to_string)
        }
        [
            self.reference.clone(),
            self.category.to_string(),
            o(&self.item_type),
            o(&self.model),
            o(&self.calibre),
            o(&self.manufacturer),
            o(&self.country_of_manufacture),
            o(&self.year_of_manufacture),
            o(&self.serial_number),
            o(&self.lot_number),
            o(&self.markings),
            o(&self.quantity),
            o(&self.recovered_on),
            o(&self.recovered_country),
            o(&self.recovered_place),
            o(&self.latitude),
            o(&self.longitude),
            o(&self.recovered_from),
            o(&self.documented_by),
            self.confidentiality.to_string(),
            o(&self.notes),
        ]
    }

    /// The serial in search form (see [`serial::normalise`]); empty when there is none.
    pub fn serial_normalised(&self) -> String {
        self.serial_number
            .as_deref()
            .map(serial::normalise)
            .unwrap_or_default()
    }

    /// How many physical pieces this record stands for (1 when not given).
    pub fn pieces(&self) -> u64 {
        u64::from(self.quantity.unwrap_or(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn raw<'a>(pairs: &[(&str, &'a str)]) -> RawItem<'a> {
        let mut r = RawItem::default();
        for (k, v) in pairs {
            let i = ITEM_FIELDS.iter().position(|f| f == k).unwrap();
            r.values[i] = v;
        }
        r
    }

    #[test]
    fn minimal_item() {
        let item = Item::parse(&raw(&[("ref", " A-1 "), ("category", "Weapon")])).unwrap();
        assert_eq!(item.reference, "A-1");
        assert_eq!(item.category, Category::Weapon);
        assert_eq!(item.confidentiality, Confidentiality::Restricted);
        assert_eq!(item.model, None);
    }

    #[test]
    fn every_error_is_reported() {
        let errors = Item::parse(&raw(&[
            ("ref", "X"),
            ("category", "spaceship"),
            ("country_of_manufacture", "Narnia"),
            ("year_of_manufacture", "19x5"),
            ("recovered_on", "31/12/2016"),
            ("latitude", "95"),
            ("quantity", "0"),
        ]))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "category",
                "country_of_manufacture",
                "year_of_manufacture",
                "quantity",
                "recovered_on",
                "latitude",
                "longitude"
            ]
        );
        assert_eq!(
            errors[0].message,
            "is not one of weapon, ammunition, ied_component, chemical_precursor, other"
        );
    }

    #[test]
    fn category_spellings() {
        assert_eq!("IED component".parse(), Ok(Category::IedComponent));
        assert_eq!(
            "chemical-precursor".parse(),
            Ok(Category::ChemicalPrecursor)
        );
    }

    prop_compose! {
        fn arb_text()(s in "[ -~]{0,12}") -> String { s }
    }

    proptest! {
        /// `to_strings` then `parse` is the identity on valid items.
        #[test]
        fn strings_round_trip(
            r in "[A-Za-z0-9-]{1,20}",
            cat in 0usize..5,
            model in arb_text(),
            year in proptest::option::of(1800i16..2100),
            lat in proptest::option::of(-90.0f64..90.0),
            lon in -180.0f64..180.0,
            day in 0i64..20000,
            q in proptest::option::of(1u32..5000),
            country in 0usize..50,
        ) {
            let countries = crate::country::all();
            let mut strings: [String; 21] = Default::default();
            strings[0] = r;
            strings[1] = Category::ALL[cat].to_string();
            strings[3] = model;
            strings[6] = countries[country].code.to_string();
            strings[7] = year.map(|y| y.to_string()).unwrap_or_default();
            strings[11] = q.map(|y| y.to_string()).unwrap_or_default();
            strings[12] = PartialDate::from_epoch_days(day).to_string();
            strings[15] = lat.map(|l| l.to_string()).unwrap_or_default();
            strings[16] = lat.map(|_| lon.to_string()).unwrap_or_default();
            let values: [&str; 21] = std::array::from_fn(|i| strings[i].as_str());
            let item = Item::parse(&RawItem { values }).unwrap();
            let again = item.to_strings();
            let values: [&str; 21] = std::array::from_fn(|i| again[i].as_str());
            prop_assert_eq!(Item::parse(&RawItem { values }).unwrap(), item);
        }
    }
}

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

        impl $crate::item::Choices for $name {
            fn choice_list() -> String {
                Self::choices()
            }
            fn first() -> Self {
                Self::ALL[0]
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

/// A fixed set of values (see `string_enum!`), for required choices.
pub trait Choices: Sized {
    /// The accepted values, for error messages.
    fn choice_list() -> String;
    /// A stand-in while a record is invalid.
    fn first() -> Self;
}

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

/// The item's fields, in the order of the canonical CSV header: the one definition of
/// what an item holds. Each line names the field, its type and how its text is checked
/// (a [`Checker`] method); [`ITEM_FIELDS`], [`ITEM_FIELD_COUNT`], [`Item`], its parsing,
/// its canonical strings and its stored values all follow from it, so adding a field is
/// a line here, a migration per backend, and the places that show it.
macro_rules! item_fields {
    ($( $(#[$meta:meta])* $field:ident : $ty:ty = $name:literal, $check:ident $(($($arg:expr),*))?; )+) => {
        /// The canonical item fields, in the order of the canonical CSV header.
        pub const ITEM_FIELDS: [&str; ITEM_FIELD_COUNT] = [$($name),+];

        /// How many canonical fields an item has.
        pub const ITEM_FIELD_COUNT: usize = [$($name),+].len();

        /// The position of each field in [`ITEM_FIELDS`].
        #[allow(non_camel_case_types, dead_code)]
        #[derive(Clone, Copy)]
        enum Slot { $($field),+ }

        /// A valid documented item. Field names and order follow [`ITEM_FIELDS`].
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct Item {
            $( $(#[$meta])* #[serde(rename = $name)] pub $field: $ty, )+
        }

        impl Item {
            /// Checks every field of a raw record, in order (cross-field rules come after).
            fn check_fields(c: &mut Checker, v: &[&str; ITEM_FIELD_COUNT]) -> Item {
                $( let $field: $ty = c.$check($name, v[Slot::$field as usize] $($(, $arg)*)?); )+
                Item { $($field),+ }
            }

            /// The item's fields as canonical strings, in [`ITEM_FIELDS`] order; empty for
            /// `None`. `Item::parse` of these strings gives the item back.
            pub fn to_strings(&self) -> [String; ITEM_FIELD_COUNT] {
                [$( self.$field.canonical(), )+]
            }

            /// The item's values as stored, in [`ITEM_FIELDS`] order.
            pub fn field_values(&self) -> [FieldValue<'_>; ITEM_FIELD_COUNT] {
                [$( self.$field.field_value(), )+]
            }
        }
    };
}

item_fields! {
    /// The user's key: unique in the register.
    reference: String = "ref", reference;
    category: Category = "category", required;
    item_type: Option<String> = "item_type", text(MAX_TEXT_LEN);
    model: Option<String> = "model", text(MAX_TEXT_LEN);
    calibre: Option<String> = "calibre", text(MAX_TEXT_LEN);
    manufacturer: Option<String> = "manufacturer", text(MAX_TEXT_LEN);
    country_of_manufacture: Option<CountryCode> = "country_of_manufacture", country;
    year_of_manufacture: Option<i16> = "year_of_manufacture", year;
    serial_number: Option<String> = "serial_number", text(MAX_TEXT_LEN);
    lot_number: Option<String> = "lot_number", text(MAX_TEXT_LEN);
    markings: Option<String> = "markings", text(MAX_LONG_TEXT_LEN);
    quantity: Option<u32> = "quantity", quantity;
    recovered_on: Option<PartialDate> = "recovered_on", date;
    recovered_country: Option<CountryCode> = "recovered_country", country;
    recovered_place: Option<String> = "recovered_place", text(MAX_TEXT_LEN);
    latitude: Option<f64> = "latitude", coordinate(90.0);
    longitude: Option<f64> = "longitude", coordinate(180.0);
    recovered_from: Option<String> = "recovered_from", text(MAX_TEXT_LEN);
    documented_by: Option<String> = "documented_by", text(MAX_TEXT_LEN);
    confidentiality: Confidentiality = "confidentiality", choice_or_default;
    notes: Option<String> = "notes", text(MAX_LONG_TEXT_LEN);
}

/// One stored value of a record's field: what a store binds and hashes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Real(f64),
    /// Stored as its ISO text (`2016`, `2016-07`, `2016-07-14`), which sorts correctly.
    Date(PartialDate),
}

/// How a field's value is written in the canonical CSV and stored.
pub trait FieldText {
    /// The canonical text (empty for none).
    fn canonical(&self) -> String;
    /// The stored value.
    fn field_value(&self) -> FieldValue<'_>;
}

impl FieldText for String {
    fn canonical(&self) -> String {
        self.clone()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Text(self)
    }
}

impl FieldText for Category {
    fn canonical(&self) -> String {
        self.as_str().to_owned()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Text(self.as_str())
    }
}

impl FieldText for Confidentiality {
    fn canonical(&self) -> String {
        self.as_str().to_owned()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Text(self.as_str())
    }
}

impl FieldText for CountryCode {
    fn canonical(&self) -> String {
        self.as_str().to_owned()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Text(self.as_str())
    }
}

impl FieldText for i16 {
    fn canonical(&self) -> String {
        self.to_string()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Int((*self).into())
    }
}

impl FieldText for u32 {
    fn canonical(&self) -> String {
        self.to_string()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Int((*self).into())
    }
}

impl FieldText for f64 {
    fn canonical(&self) -> String {
        self.to_string()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Real(*self)
    }
}

impl FieldText for PartialDate {
    fn canonical(&self) -> String {
        self.to_string()
    }
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Date(*self)
    }
}

impl<T: FieldText> FieldText for Option<T> {
    fn canonical(&self) -> String {
        self.as_ref().map_or_else(String::new, T::canonical)
    }
    fn field_value(&self) -> FieldValue<'_> {
        self.as_ref().map_or(FieldValue::Null, T::field_value)
    }
}

/// A record as read from a file: one string per canonical field, empty when absent.
#[derive(Debug, Clone, Default)]
pub struct RawItem<'a> {
    pub values: [&'a str; ITEM_FIELD_COUNT],
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

    /// The record's key: required, bounded, no control characters.
    pub fn reference(&mut self, field: &'static str, raw: &str) -> String {
        match non_empty(raw) {
            None => {
                self.fail(
                    field,
                    "",
                    "is required: every item needs a unique reference",
                );
                String::new()
            }
            Some(r) if r.chars().count() > MAX_REF_LEN => {
                self.fail(field, r, format!("is longer than {MAX_REF_LEN} characters"));
                String::new()
            }
            Some(r) if r.chars().any(char::is_control) => {
                self.fail(field, r, "contains control characters");
                String::new()
            }
            Some(r) => r.to_owned(),
        }
    }

    /// A value that must be given, one of a fixed set (the first of the set stands in
    /// while the record is invalid).
    pub fn required<T: FromStr<Err = String> + Choices>(
        &mut self,
        field: &'static str,
        raw: &str,
    ) -> T {
        if non_empty(raw).is_none() {
            self.fail(
                field,
                "",
                format!("is required: one of {}", T::choice_list()),
            );
            return T::first();
        }
        self.choice(field, raw).unwrap_or_else(T::first)
    }

    /// One of a fixed set, or its default when empty.
    pub fn choice_or_default<T: FromStr<Err = String> + Default>(
        &mut self,
        field: &'static str,
        raw: &str,
    ) -> T {
        self.choice(field, raw).unwrap_or_default()
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
        let mut c = Checker::new();
        let item = Item::check_fields(&mut c, &raw.values);
        // Coordinates come in pairs.
        let given = |name: &str| non_empty(raw.get(name)).is_some();
        match (given("latitude"), given("longitude")) {
            (true, false) => c.fail("longitude", "", "is required when latitude is given"),
            (false, true) => c.fail("latitude", "", "is required when longitude is given"),
            _ => {}
        }
        if c.errors.is_empty() {
            Ok(item)
        } else {
            Err(c.errors)
        }
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
            let mut strings: [String; ITEM_FIELD_COUNT] = Default::default();
            strings[0] = r;
            strings[1] = Category::ALL[cat].to_string();
            strings[3] = model;
            strings[6] = countries[country].code.to_string();
            strings[7] = year.map(|y| y.to_string()).unwrap_or_default();
            strings[11] = q.map(|y| y.to_string()).unwrap_or_default();
            strings[12] = PartialDate::from_epoch_days(day).to_string();
            strings[15] = lat.map(|l| l.to_string()).unwrap_or_default();
            strings[16] = lat.map(|_| lon.to_string()).unwrap_or_default();
            let values: [&str; ITEM_FIELD_COUNT] = std::array::from_fn(|i| strings[i].as_str());
            let item = Item::parse(&RawItem { values }).unwrap();
            let again = item.to_strings();
            let values: [&str; ITEM_FIELD_COUNT] = std::array::from_fn(|i| again[i].as_str());
            prop_assert_eq!(Item::parse(&RawItem { values }).unwrap(), item);
        }
    }
}

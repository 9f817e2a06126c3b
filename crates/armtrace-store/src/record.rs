//! What the import pipeline and the queries need to know about each kind of record
//! (items, transfers): its canonical fields, its key, its table and how its values map
//! to columns. One trait, so both kinds share one import pipeline.

use armtrace_core::{
    CountryCode, FieldError, ITEM_FIELDS, Item, PartialDate, RawItem, RawTransfer,
    TRANSFER_FIELDS, Transfer,
};
use sqlx::query_builder::Separated;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite};
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Result, StoreError};

/// A kind of record the register stores and imports.
pub trait Record: Sized + Send + Sync + 'static {
    /// `items` or `transfers`: the import kind and table name.
    const TABLE: &'static str;
    /// `item` or `transfer`: the revision entity name.
    const ENTITY: &'static str;
    /// The key column (`ref`, `transfer_ref`).
    const KEY: &'static str;
    /// Canonical fields, in canonical CSV order.
    const FIELDS: &'static [&'static str];
    /// Stored columns beyond the canonical fields (derived values).
    const DERIVED: &'static [&'static str];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>>;
    fn key(&self) -> &str;
    fn to_strings(&self) -> Vec<String>;
    /// Pushes the canonical fields then the derived columns, in that order.
    fn push_binds(self, b: &mut Separated<'_, Sqlite, &'static str>);
    fn from_row(row: &SqliteRow) -> Result<Self>;

    /// Change-detection hash of the canonical values.
    fn content_hash(&self) -> i64 {
        let mut h = Xxh3::new();
        for v in self.to_strings() {
            h.update(v.as_bytes());
            h.update(&[0x1f]);
        }
        h.digest() as i64
    }

    /// Every stored column of the record itself, canonical then derived.
    fn columns() -> Vec<&'static str> {
        Self::FIELDS.iter().chain(Self::DERIVED).copied().collect()
    }
}

fn text(row: &SqliteRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

fn country(row: &SqliteRow, col: &str) -> Result<Option<CountryCode>> {
    text(row, col)?
        .map(|c| CountryCode::parse(&c).map_err(|_| StoreError::Corrupt(format!("{col} = {c:?}"))))
        .transpose()
}

fn date(row: &SqliteRow, col: &str) -> Result<Option<PartialDate>> {
    text(row, col)?
        .map(|d| d.parse().map_err(|_| StoreError::Corrupt(format!("{col} = {d:?}"))))
        .transpose()
}

fn int<T: TryFrom<i64>>(row: &SqliteRow, col: &str) -> Result<Option<T>> {
    row.try_get::<Option<i64>, _>(col)?
        .map(|v| T::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} = {v}"))))
        .transpose()
}

fn choice<T: std::str::FromStr>(row: &SqliteRow, col: &str) -> Result<T> {
    let v: String = row.try_get(col)?;
    v.parse()
        .map_err(|_| StoreError::Corrupt(format!("{col} = {v:?}")))
}

impl Record for Item {
    const TABLE: &'static str = "items";
    const ENTITY: &'static str = "item";
    const KEY: &'static str = "ref";
    const FIELDS: &'static [&'static str] = &ITEM_FIELDS;
    const DERIVED: &'static [&'static str] = &["serial_normalised"];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let values: [&str; 21] = std::array::from_fn(|i| values.get(i).copied().unwrap_or(""));
        Item::parse(&RawItem { values })
    }

    fn key(&self) -> &str {
        &self.reference
    }

    fn to_strings(&self) -> Vec<String> {
        Item::to_strings(self).into()
    }

    fn push_binds(self, b: &mut Separated<'_, Sqlite, &'static str>) {
        let serial_normalised = self
            .serial_number
            .as_deref()
            .map(armtrace_core::serial::normalise);
        b.push_bind(self.reference)
            .push_bind(self.category.as_str())
            .push_bind(self.item_type)
            .push_bind(self.model)
            .push_bind(self.calibre)
            .push_bind(self.manufacturer)
            .push_bind(self.country_of_manufacture.map(|c| c.to_string()))
            .push_bind(self.year_of_manufacture.map(i64::from))
            .push_bind(self.serial_number)
            .push_bind(self.lot_number)
            .push_bind(self.markings)
            .push_bind(self.quantity.map(i64::from))
            .push_bind(self.recovered_on.map(|d| d.to_string()))
            .push_bind(self.recovered_country.map(|c| c.to_string()))
            .push_bind(self.recovered_place)
            .push_bind(self.latitude)
            .push_bind(self.longitude)
            .push_bind(self.recovered_from)
            .push_bind(self.documented_by)
            .push_bind(self.confidentiality.as_str())
            .push_bind(self.notes)
            .push_bind(serial_normalised);
    }

    fn from_row(row: &SqliteRow) -> Result<Self> {
        Ok(Item {
            reference: row.try_get("ref")?,
            category: choice(row, "category")?,
            item_type: text(row, "item_type")?,
            model: text(row, "model")?,
            calibre: text(row, "calibre")?,
            manufacturer: text(row, "manufacturer")?,
            country_of_manufacture: country(row, "country_of_manufacture")?,
            year_of_manufacture: int(row, "year_of_manufacture")?,
            serial_number: text(row, "serial_number")?,
            lot_number: text(row, "lot_number")?,
            markings: text(row, "markings")?,
            quantity: int(row, "quantity")?,
            recovered_on: date(row, "recovered_on")?,
            recovered_country: country(row, "recovered_country")?,
            recovered_place: text(row, "recovered_place")?,
            latitude: row.try_get("latitude")?,
            longitude: row.try_get("longitude")?,
            recovered_from: text(row, "recovered_from")?,
            documented_by: text(row, "documented_by")?,
            confidentiality: choice(row, "confidentiality")?,
            notes: text(row, "notes")?,
        })
    }
}

impl Record for Transfer {
    const TABLE: &'static str = "transfers";
    const ENTITY: &'static str = "transfer";
    const KEY: &'static str = "transfer_ref";
    const FIELDS: &'static [&'static str] = &TRANSFER_FIELDS;
    const DERIVED: &'static [&'static str] = &[];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let values: [&str; 17] = std::array::from_fn(|i| values.get(i).copied().unwrap_or(""));
        Transfer::parse(&RawTransfer { values })
    }

    fn key(&self) -> &str {
        &self.transfer_ref
    }

    fn to_strings(&self) -> Vec<String> {
        Transfer::to_strings(self).into()
    }

    fn push_binds(self, b: &mut Separated<'_, Sqlite, &'static str>) {
        b.push_bind(self.transfer_ref)
            .push_bind(self.supplier)
            .push_bind(self.supplier_country.map(|c| c.to_string()))
            .push_bind(self.recipient)
            .push_bind(self.recipient_country.map(|c| c.to_string()))
            .push_bind(self.end_user)
            .push_bind(self.model)
            .push_bind(self.calibre)
            .push_bind(self.manufacturer)
            .push_bind(self.serial_from)
            .push_bind(self.serial_to)
            .push_bind(self.lot_number)
            .push_bind(self.year_of_manufacture.map(i64::from))
            .push_bind(self.quantity.map(i64::from))
            .push_bind(self.authorised_on.map(|d| d.to_string()))
            .push_bind(self.delivered_on.map(|d| d.to_string()))
            .push_bind(self.document);
    }

    fn from_row(row: &SqliteRow) -> Result<Self> {
        Ok(Transfer {
            transfer_ref: row.try_get("transfer_ref")?,
            supplier: text(row, "supplier")?,
            supplier_country: country(row, "supplier_country")?,
            recipient: text(row, "recipient")?,
            recipient_country: country(row, "recipient_country")?,
            end_user: text(row, "end_user")?,
            model: text(row, "model")?,
            calibre: text(row, "calibre")?,
            manufacturer: text(row, "manufacturer")?,
            serial_from: text(row, "serial_from")?,
            serial_to: text(row, "serial_to")?,
            lot_number: text(row, "lot_number")?,
            year_of_manufacture: int(row, "year_of_manufacture")?,
            quantity: int(row, "quantity")?,
            authorised_on: date(row, "authorised_on")?,
            delivered_on: date(row, "delivered_on")?,
            document: text(row, "document")?,
        })
    }
}

/// A record as JSON object of its non-empty canonical fields (for revisions).
pub(crate) fn to_json<R: Record>(record: &R) -> serde_json::Value {
    let map = R::FIELDS
        .iter()
        .zip(record.to_strings())
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v)))
        .collect();
    serde_json::Value::Object(map)
}

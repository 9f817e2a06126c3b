//! What the import pipeline and the queries need to know about each kind of record
//! (items, transfers): its canonical fields, its key, its table and how its values map
//! to columns. One trait, so both kinds share one import pipeline.

use armtrace_core::{
    CountryCode, FieldError, FieldValue, ITEM_FIELD_COUNT, ITEM_FIELDS, Item, PartialDate, RawItem,
    RawTransfer, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS, Transfer,
};
use sqlx::Row;
use sqlx::any::AnyRow;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Result, StoreError};

/// One stored value of a record, borrowed from it: what binding and hashing need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SqlValue<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Real(f64),
    /// Stored as its ISO text (`2016`, `2016-07`, `2016-07-14`), which sorts correctly.
    Date(PartialDate),
    /// Years stored as text separated by `;` (`1979;1980`); empty is NULL.
    Years(&'a [i16]),
    /// Words stored as text separated by `;`; empty is NULL.
    Words(&'a [String]),
}

impl SqlValue<'_> {
    /// The text a list is stored as (`None` for an empty list).
    pub fn list_text(&self) -> Option<String> {
        fn join<T: ToString>(v: &[T]) -> Option<String> {
            (!v.is_empty()).then(|| v.iter().map(T::to_string).collect::<Vec<_>>().join(";"))
        }
        match self {
            SqlValue::Years(v) => join(v),
            SqlValue::Words(v) => join(v),
            _ => None,
        }
    }
}

impl<'a> From<FieldValue<'a>> for SqlValue<'a> {
    fn from(v: FieldValue<'a>) -> Self {
        match v {
            FieldValue::Null => SqlValue::Null,
            FieldValue::Text(s) => SqlValue::Text(s),
            FieldValue::Int(i) => SqlValue::Int(i),
            FieldValue::Real(f) => SqlValue::Real(f),
            FieldValue::Date(d) => SqlValue::Date(d),
        }
    }
}

impl<'a> From<Option<&'a str>> for SqlValue<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(SqlValue::Null, SqlValue::Text)
    }
}

fn int<T: Into<i64>>(v: Option<T>) -> SqlValue<'static> {
    v.map_or(SqlValue::Null, |v| SqlValue::Int(v.into()))
}

fn real(v: Option<f64>) -> SqlValue<'static> {
    v.map_or(SqlValue::Null, SqlValue::Real)
}

fn date(v: Option<PartialDate>) -> SqlValue<'static> {
    v.map_or(SqlValue::Null, SqlValue::Date)
}

fn code(v: &Option<CountryCode>) -> SqlValue<'_> {
    v.as_ref()
        .map_or(SqlValue::Null, |c| SqlValue::Text(c.as_str()))
}

impl rusqlite::ToSql for SqlValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            SqlValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            SqlValue::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            SqlValue::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(i)),
            SqlValue::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(f)),
            SqlValue::Date(d) => ToSqlOutput::Owned(Value::Text(d.to_string())),
            SqlValue::Years(_) | SqlValue::Words(_) => match self.list_text() {
                Some(t) => ToSqlOutput::Owned(Value::Text(t)),
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            },
        })
    }
}

/// A kind of record the register stores and imports.
pub trait Record: Sized + Send + Sync + 'static {
    /// `items` or `transfers`: the import kind and table name.
    const TABLE: &'static str;
    /// `item` or `transfer`: the revision entity name.
    const ENTITY: &'static str;
    /// The key column (`ref`, `transfer_ref`).
    const KEY: &'static str;
    /// Canonical fields, in canonical CSV order; also the table's column names.
    const FIELDS: &'static [&'static str];
    /// Columns a file must have.
    const REQUIRED: &'static [&'static str];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>>;
    fn key(&self) -> &str;
    /// The stored values, in [`Record::FIELDS`] order.
    fn values(&self) -> Vec<SqlValue<'_>>;
    /// The record as the fields of its canonical CSV row.
    fn to_strings(&self) -> Vec<String>;
    fn from_row(row: &AnyRow) -> Result<Self>;

    /// True when reference data suggests a value for a field the record leaves empty
    /// (see `armtrace_core::identify`); the importer counts these, never applies them.
    fn has_suggestion(&self, _reference_year: i16) -> bool {
        false
    }

    /// Change-detection hash of the stored values (typed: a float hashes its bits).
    fn content_hash(&self) -> i64 {
        let mut h = Xxh3::new();
        for v in self.values() {
            match v {
                SqlValue::Null => h.update(&[0]),
                SqlValue::Text(s) => {
                    h.update(&[1]);
                    h.update(s.as_bytes());
                    h.update(&[0x1f]);
                }
                SqlValue::Int(i) => {
                    h.update(&[2]);
                    h.update(&i.to_le_bytes());
                }
                SqlValue::Real(f) => {
                    h.update(&[3]);
                    h.update(&f.to_bits().to_le_bytes());
                }
                SqlValue::Date(d) => {
                    h.update(&[4]);
                    h.update(&d.year().to_le_bytes());
                    h.update(&[d.month().unwrap_or(0), d.day().unwrap_or(0)]);
                }
                SqlValue::Years(_) | SqlValue::Words(_) => match v.list_text() {
                    Some(t) => {
                        h.update(&[5]);
                        h.update(t.as_bytes());
                        h.update(&[0x1f]);
                    }
                    None => h.update(&[0]),
                },
            }
        }
        h.digest() as i64
    }
}

fn text(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

fn stored_country(row: &AnyRow, col: &str) -> Result<Option<CountryCode>> {
    text(row, col)?
        .map(|c| CountryCode::parse(&c).map_err(|_| StoreError::Corrupt(format!("{col} = {c:?}"))))
        .transpose()
}

fn stored_date(row: &AnyRow, col: &str) -> Result<Option<PartialDate>> {
    text(row, col)?
        .map(|d| {
            d.parse()
                .map_err(|_| StoreError::Corrupt(format!("{col} = {d:?}")))
        })
        .transpose()
}

fn stored_int<T: TryFrom<i64>>(row: &AnyRow, col: &str) -> Result<Option<T>> {
    row.try_get::<Option<i64>, _>(col)?
        .map(|v| T::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} = {v}"))))
        .transpose()
}

fn stored_list<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<Vec<T>> {
    let Some(v) = text(row, col)? else {
        return Ok(Vec::new());
    };
    v.split(';')
        .map(|p| {
            p.parse()
                .map_err(|_| StoreError::Corrupt(format!("{col} = {v:?}")))
        })
        .collect()
}

fn choice<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<T> {
    let v: String = row.try_get(col)?;
    v.parse()
        .map_err(|_| StoreError::Corrupt(format!("{col} = {v:?}")))
}

impl Record for Item {
    const TABLE: &'static str = "items";
    const ENTITY: &'static str = "item";
    const KEY: &'static str = "ref";
    const FIELDS: &'static [&'static str] = &ITEM_FIELDS;
    const REQUIRED: &'static [&'static str] = &["ref", "category"];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let values: [&str; ITEM_FIELD_COUNT] =
            std::array::from_fn(|i| values.get(i).copied().unwrap_or(""));
        Item::parse(&RawItem { values })
    }

    fn key(&self) -> &str {
        &self.reference
    }

    fn to_strings(&self) -> Vec<String> {
        Item::to_strings(self).to_vec()
    }

    fn has_suggestion(&self, reference_year: i16) -> bool {
        let gaps = self.manufacturer.is_none()
            || self.country_of_manufacture.is_none()
            || self.year_of_manufacture.is_none();
        gaps && armtrace_core::identify::suggestion_for_item(self, reference_year)
            .is_some_and(|s| s.manufacturer.is_some() || s.country.is_some() || s.year.is_some())
    }

    fn values(&self) -> Vec<SqlValue<'_>> {
        self.field_values()
            .into_iter()
            .map(SqlValue::from)
            .collect()
    }

    fn from_row(row: &AnyRow) -> Result<Self> {
        // The stored columns as canonical text, read back through the same parse as
        // imports: what the register holds is what a file of it would say.
        let mut texts = Vec::with_capacity(ITEM_FIELD_COUNT);
        for field in ITEM_FIELDS {
            texts.push(canonical_text(row, field)?);
        }
        let values: [&str; ITEM_FIELD_COUNT] = std::array::from_fn(|i| texts[i].as_str());
        Item::parse(&RawItem { values }).map_err(|errors| {
            StoreError::Corrupt(format!(
                "item {:?}: {}",
                texts[0],
                errors
                    .iter()
                    .map(|e| format!("{} {:?} {}", e.field, e.value, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })
    }
}

/// A column's value as canonical text, whatever its stored type (empty for NULL).
fn canonical_text(row: &AnyRow, col: &str) -> Result<String> {
    if let Ok(v) = row.try_get::<Option<String>, _>(col) {
        return Ok(v.unwrap_or_default());
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(col) {
        return Ok(v.map(|i| i.to_string()).unwrap_or_default());
    }
    let v: Option<f64> = row.try_get(col)?;
    Ok(v.map(|f| f.to_string()).unwrap_or_default())
}

impl Record for Transfer {
    const TABLE: &'static str = "transfers";
    const ENTITY: &'static str = "transfer";
    const KEY: &'static str = "transfer_ref";
    const FIELDS: &'static [&'static str] = &TRANSFER_FIELDS;
    const REQUIRED: &'static [&'static str] = &["transfer_ref"];

    fn parse(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let values: [&str; TRANSFER_FIELD_COUNT] =
            std::array::from_fn(|i| values.get(i).copied().unwrap_or(""));
        Transfer::parse(&RawTransfer { values })
    }

    fn key(&self) -> &str {
        &self.transfer_ref
    }

    fn to_strings(&self) -> Vec<String> {
        Transfer::to_strings(self).to_vec()
    }

    fn values(&self) -> Vec<SqlValue<'_>> {
        vec![
            SqlValue::Text(&self.transfer_ref),
            self.supplier.as_deref().into(),
            code(&self.supplier_country),
            self.recipient.as_deref().into(),
            code(&self.recipient_country),
            self.end_user.as_deref().into(),
            self.model.as_deref().into(),
            self.calibre.as_deref().into(),
            self.manufacturer.as_deref().into(),
            self.serial_from.as_deref().into(),
            self.serial_to.as_deref().into(),
            self.lot_number.as_deref().into(),
            int(self.year_of_manufacture),
            int(self.quantity),
            date(self.authorised_on),
            date(self.delivered_on),
            self.document.as_deref().into(),
            SqlValue::Text(self.source.as_str()),
            SqlValue::Text(self.confidence.as_str()),
            self.source_record.as_deref().into(),
            self.description.as_deref().into(),
            self.armament_category.as_deref().into(),
            self.status.as_deref().into(),
            int(self.number_ordered),
            real(self.tiv_unit),
            real(self.tiv_order),
            real(self.tiv_delivered),
            SqlValue::Years(&self.delivery_years),
            SqlValue::Words(&self.estimates),
            self.note.as_deref().into(),
        ]
    }

    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Transfer {
            transfer_ref: row.try_get("transfer_ref")?,
            supplier: text(row, "supplier")?,
            supplier_country: stored_country(row, "supplier_country")?,
            recipient: text(row, "recipient")?,
            recipient_country: stored_country(row, "recipient_country")?,
            end_user: text(row, "end_user")?,
            model: text(row, "model")?,
            calibre: text(row, "calibre")?,
            manufacturer: text(row, "manufacturer")?,
            serial_from: text(row, "serial_from")?,
            serial_to: text(row, "serial_to")?,
            lot_number: text(row, "lot_number")?,
            year_of_manufacture: stored_int(row, "year_of_manufacture")?,
            quantity: stored_int(row, "quantity")?,
            authorised_on: stored_date(row, "authorised_on")?,
            delivered_on: stored_date(row, "delivered_on")?,
            document: text(row, "document")?,
            source: choice(row, "source")?,
            confidence: choice(row, "confidence")?,
            source_record: text(row, "source_record")?,
            description: text(row, "description")?,
            armament_category: text(row, "armament_category")?,
            status: text(row, "status")?,
            number_ordered: stored_int(row, "number_ordered")?,
            tiv_unit: row.try_get("tiv_unit")?,
            tiv_order: row.try_get("tiv_order")?,
            tiv_delivered: row.try_get("tiv_delivered")?,
            delivery_years: stored_list(row, "delivery_years")?,
            estimates: stored_list(row, "estimates")?,
            note: text(row, "note")?,
        })
    }
}

//! Loading what analytics scan: the register as [`ItemColumns`], and the diverted
//! items' ids. The statistics themselves live in `armtrace_core::analytics`.
//!
//! The columns are read in one pass over the items table on a read-only rusqlite
//! connection (see `bulk.rs` for why not sqlx), borrowing each row's text instead of
//! copying it: the builder copies a value only the first time it sees it.

use armtrace_core::analytics::{ItemColumns, ItemRow, is_synthetic};
use armtrace_core::link::LinkEntry;
use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};

use crate::chain::LinkRow;
use crate::error::{Result, StoreError};
use crate::store::Store;

/// The columns [`Store::item_columns`] reads, in this order.
const COLUMNS_SQL: &str = "SELECT id, category, item_type, model, calibre, manufacturer,
    country_of_manufacture, year_of_manufacture, lot_number, quantity, recovered_on,
    recovered_country, recovered_place, recovered_from, documented_by, confidentiality,
    ref, notes FROM items ORDER BY id";

fn corrupt(field: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "item {field} = {value:?} is not a valid stored value"
    ))
}

fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(i)? {
        ValueRef::Text(t) | ValueRef::Blob(t) => std::str::from_utf8(t).ok(),
        _ => None,
    })
}

fn read_error(e: rusqlite::Error) -> StoreError {
    StoreError::Input(format!("cannot read the register: {e}"))
}

/// Decodes one stored item row into the builder.
fn push_row(
    builder: &mut armtrace_core::analytics::ItemColumnsBuilder,
    row: &rusqlite::Row<'_>,
) -> Result<()> {
    let t = |i| text(row, i).map_err(read_error);
    let category = t(1)?.unwrap_or("");
    let category = Category::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == category)
        .ok_or_else(|| corrupt("category", category))?;
    let level = t(15)?.unwrap_or("");
    let confidentiality = Confidentiality::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == level)
        .ok_or_else(|| corrupt("confidentiality", level))?;
    let country = |i, field| -> Result<Option<CountryCode>> {
        t(i)?
            .map(|c| CountryCode::parse(c).map_err(|_| corrupt(field, c)))
            .transpose()
    };
    let int = |i| -> Result<Option<i64>> { row.get::<_, Option<i64>>(i).map_err(read_error) };
    let recovered_on = t(10)?
        .map(|d| {
            d.parse::<PartialDate>()
                .map_err(|_| corrupt("recovered_on", d))
        })
        .transpose()?;
    let reference = t(16)?.unwrap_or("");
    builder.push_row(&ItemRow {
        id: row.get(0).map_err(read_error)?,
        category,
        item_type: t(2)?,
        model: t(3)?,
        calibre: t(4)?,
        manufacturer: t(5)?,
        country_of_manufacture: country(6, "country_of_manufacture")?,
        year_of_manufacture: int(7)?.map(|y| y as i16),
        lot_number: t(8)?,
        quantity: int(9)?.map(|q| q as u32),
        recovered_on,
        recovered_country: country(11, "recovered_country")?,
        recovered_place: t(12)?,
        recovered_from: t(13)?,
        documented_by: t(14)?,
        confidentiality,
        synthetic: is_synthetic(reference, t(17)?),
    });
    Ok(())
}

/// A link projection with the item's register id, for restricting diversions to the
/// rows of a selection.
#[derive(Debug, Clone)]
pub struct IdentifiedLinkRow {
    pub id: i64,
    pub row: LinkRow,
}

impl IdentifiedLinkRow {
    pub fn entry(&self) -> LinkEntry<'_> {
        self.row.entry()
    }
}

impl Store {
    /// Every item as [`ItemColumns`], rows in id order.
    pub async fn item_columns(&self) -> Result<ItemColumns> {
        let file = self.file.clone();
        tokio::task::spawn_blocking(move || {
            let conn = crate::bulk::open_read_only(&file)?;
            let rows: i64 = conn
                .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
                .map_err(read_error)?;
            let mut builder = ItemColumns::builder();
            builder.reserve(rows as usize);
            let mut stmt = conn.prepare(COLUMNS_SQL).map_err(read_error)?;
            let mut cursor = stmt.query([]).map_err(read_error)?;
            while let Some(row) = cursor.next().map_err(read_error)? {
                push_row(&mut builder, row)?;
            }
            Ok(builder.finish())
        })
        .await
        .expect("loading columns does not panic")
    }

    /// Link projections with their ids, in id order (the rows `ItemColumns` holds).
    pub async fn identified_link_rows(&self) -> Result<Vec<IdentifiedLinkRow>> {
        let q = crate::items::Statement::new(
            "SELECT id, ref, model, manufacturer, calibre, serial_number, lot_number,
                    year_of_manufacture, recovered_on, recovered_country, recovered_place
             FROM items ORDER BY id",
        );
        self.bulk_read(q, |r| {
            let recovered_on: Option<String> = r.get(8)?;
            let recovered_country: Option<String> = r.get(9)?;
            Ok(IdentifiedLinkRow {
                id: r.get(0)?,
                row: LinkRow {
                    reference: r.get(1)?,
                    model: r.get(2)?,
                    manufacturer: r.get(3)?,
                    calibre: r.get(4)?,
                    serial: r.get(5)?,
                    lot: r.get(6)?,
                    year: r.get::<_, Option<i64>>(7)?.map(|y| y as i16),
                    recovered_on: recovered_on
                        .map(|d| d.parse().map_err(|_| corrupt("recovered_on", &d)))
                        .transpose()?,
                    recovered_country: recovered_country
                        .map(|c| {
                            CountryCode::parse(&c).map_err(|_| corrupt("recovered_country", &c))
                        })
                        .transpose()?,
                    recovered_place: r.get(10)?,
                },
            })
        })
        .await
    }
}

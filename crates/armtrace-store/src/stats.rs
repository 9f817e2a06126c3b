//! Loading what analytics scan: the register as [`ItemColumns`], and the diverted
//! items' ids. The statistics themselves live in `armtrace_core::analytics`.
//!
//! The columns are read in one pass over the items table on the bulk path (see
//! `bulk.rs`), borrowing each row's text instead of copying it: the builder copies a
//! value only the first time it sees it.

use armtrace_core::analytics::{ItemColumns, ItemRow, is_synthetic};
use armtrace_core::link::LinkEntry;
use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};

use crate::bulk::{BulkRow, RowFailure};
use crate::chain::LinkRow;
use crate::error::{Result, StoreError};
use crate::store::{Backend, Store};

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

fn read_error(e: RowFailure) -> StoreError {
    match e {
        RowFailure::Read(e) => StoreError::Failed(format!("cannot read the register: {e}")),
        RowFailure::Store(e) => e,
    }
}

/// Decodes one stored item row into the builder.
fn push_row(
    builder: &mut armtrace_core::analytics::ItemColumnsBuilder,
    row: &dyn BulkRow,
) -> Result<()> {
    let t = |i| row.text(i).map_err(read_error);
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
    let int = |i| -> Result<Option<i64>> { row.int(i).map_err(read_error) };
    let recovered_on = t(10)?
        .map(|d| {
            d.parse::<PartialDate>()
                .map_err(|_| corrupt("recovered_on", d))
        })
        .transpose()?;
    let reference = t(16)?.unwrap_or("");
    builder.push_row(&ItemRow {
        id: row.int(0).map_err(read_error)?.unwrap_or_default(),
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
        match &self.backend {
            Backend::Sqlite { file } => {
                let file = file.clone();
                tokio::task::spawn_blocking(move || {
                    let sql = |e: rusqlite::Error| read_error(e.into());
                    let conn = crate::bulk::open_read_only(&file)?;
                    let rows: i64 = conn
                        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
                        .map_err(sql)?;
                    let mut builder = ItemColumns::builder();
                    builder.reserve(rows as usize);
                    let mut stmt = conn.prepare(COLUMNS_SQL).map_err(sql)?;
                    let mut cursor = stmt.query([]).map_err(sql)?;
                    while let Some(row) = cursor.next().map_err(sql)? {
                        push_row(&mut builder, row)?;
                    }
                    Ok(builder.finish())
                })
                .await
                .expect("loading columns does not panic")
            }
            Backend::Postgres { pool } => {
                use futures_util::StreamExt;
                let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM items")
                    .fetch_one(pool)
                    .await?;
                let mut builder = ItemColumns::builder();
                builder.reserve(rows as usize);
                let mut cursor = sqlx::query(COLUMNS_SQL).fetch(pool);
                while let Some(row) = cursor.next().await {
                    push_row(&mut builder, &row?)?;
                }
                Ok(builder.finish())
            }
        }
    }

    /// Link projections with their ids of the items matching `filter`, in id order (the
    /// order of the rows `ItemColumns` holds).
    pub async fn identified_link_rows(
        &self,
        filter: &crate::items::ItemFilter,
    ) -> Result<Vec<IdentifiedLinkRow>> {
        let mut q = crate::statement::Statement::new(
            "SELECT id, ref, model, manufacturer, calibre, serial_number, lot_number,
                    year_of_manufacture, recovered_on, recovered_country, recovered_place
             FROM items",
        );
        filter.push_where(&mut q);
        q.push(" ORDER BY id");
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
                    year: r.get::<Option<i64>>(7)?.map(|y| y as i16),
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

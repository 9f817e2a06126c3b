//! Reading items back: one by reference, filtered lists, full scans for exports and
//! indexes, and an item's revision history.

use armtrace_core::{
    Category, Clearance, Confidentiality, CountryCode, ITEM_FIELDS, Item, PartialDate,
};
use futures_core::stream::BoxStream;
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::record::Record;
use crate::statement::{SqlParam, Statement};
use crate::store::Store;

/// Which items a list, an export or a statistic covers, for whom. Empty fields do not
/// filter; the clearance always does (see [`ItemFilter::everything`]).
#[derive(Debug, Clone)]
pub struct ItemFilter {
    pub category: Option<Category>,
    /// Case-insensitive substring of the model.
    pub model: Option<String>,
    /// Case-insensitive substring of the manufacturer.
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub recovered_country: Option<CountryCode>,
    pub confidentiality: Option<Confidentiality>,
    /// Recovered on or after the first day of this date; an item with a partial date
    /// counts only when every day it can mean is in range.
    pub recovered_from_date: Option<PartialDate>,
    /// Recovered on or before the last day of this date (same rule for partial dates).
    pub recovered_to_date: Option<PartialDate>,
    /// Only what this viewer may see ([`Clearance::full`]: everything).
    pub clearance: Clearance,
}

/// An item with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct StoredItem {
    #[serde(flatten)]
    pub item: Item,
    pub id: i64,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One past state of a record.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    /// The revision that replaced these values.
    pub revision: i64,
    pub changed_at: String,
    pub actor: String,
    pub import_id: Option<i64>,
    pub action: String,
    pub previous: serde_json::Value,
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredItem> {
    Ok(StoredItem {
        item: Item::from_row(row)?,
        id: row.try_get("id")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl ItemFilter {
    /// Every item of the register, unfiltered (a whole-register export or copy).
    pub fn everything() -> ItemFilter {
        ItemFilter::for_clearance(Clearance::full())
    }

    /// Every item a viewer with this clearance may see.
    pub fn for_clearance(clearance: Clearance) -> ItemFilter {
        ItemFilter {
            category: None,
            model: None,
            manufacturer: None,
            country_of_manufacture: None,
            recovered_country: None,
            confidentiality: None,
            recovered_from_date: None,
            recovered_to_date: None,
            clearance,
        }
    }

    /// The item with the fields this filter's viewer may not see removed.
    pub fn redacted(&self, mut item: Item) -> Item {
        self.clearance.redact(&mut item);
        item
    }

    /// Appends ` WHERE …` (or nothing) for this filter.
    pub fn push_where(&self, q: &mut Statement) {
        self.push_conditions(q, true);
    }

    /// Appends this filter's conditions to a statement that has a `WHERE` already
    /// (`first` false: each begins with ` AND `).
    fn push_conditions(&self, q: &mut Statement, mut first: bool) {
        let mut and = |q: &mut Statement| {
            q.push(if first { " WHERE " } else { " AND " });
            first = false;
        };
        let text = |s: &str| SqlParam::Text(s.to_owned());
        if let Some(c) = self.category {
            and(q);
            q.push("category = ").bind(text(c.as_str()));
        }
        if let Some(m) = &self.model {
            and(q);
            q.push("lower(model) LIKE ")
                .bind(SqlParam::Text(escape_like(m)))
                .push(" ESCAPE '\\'");
        }
        if let Some(m) = &self.manufacturer {
            and(q);
            q.push("lower(manufacturer) LIKE ")
                .bind(SqlParam::Text(escape_like(m)))
                .push(" ESCAPE '\\'");
        }
        if let Some(c) = self.country_of_manufacture {
            and(q);
            q.push("country_of_manufacture = ").bind(text(c.as_str()));
        }
        if let Some(c) = self.recovered_country {
            and(q);
            q.push("recovered_country = ").bind(text(c.as_str()));
        }
        if let Some(c) = self.confidentiality {
            and(q);
            q.push("confidentiality = ").bind(text(c.as_str()));
        }
        // Dates are zero-padded ISO text, so they compare as text once a partial date is
        // padded to its first or last day. An item is in range only when *all* of its
        // possible days are: `2016-07` is after 2016-07-01 but not after 2016-07-02.
        if let Some(d) = self.recovered_from_date {
            and(q);
            q.push("recovered_on || substr('-01-01', length(recovered_on) - 3) >= ")
                .bind(SqlParam::Text(first_day(d)));
        }
        if let Some(d) = self.recovered_to_date {
            and(q);
            q.push("recovered_on || substr('-12-31', length(recovered_on) - 3) <= ")
                .bind(SqlParam::Text(last_day(d)));
        }
        let clearance = &self.clearance;
        if !clearance.sees_everything() {
            and(q);
            q.push("(confidentiality IN (");
            for (i, l) in clearance.levels().iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(text(l.as_str()));
            }
            q.push(")");
            if !clearance.granted_items.is_empty() {
                // Row ids are integers, written inline: a grant list can be long.
                let ids: Vec<String> = clearance.granted_items.iter().map(i64::to_string).collect();
                q.push(&format!(" OR id IN ({})", ids.join(", ")));
            }
            q.push(")");
        }
    }
}

/// The first day a date can mean, as text: `2016` → `2016-01-01`, `2016-07` → `2016-07-01`.
fn first_day(d: PartialDate) -> String {
    let s = d.to_string();
    format!("{s}{}", &"-01-01"[s.len() - 4..])
}

/// A text bound for the last day a date can mean: `2016` → `2016-12-31`,
/// `2016-07` → `2016-07-31` (every real day of the month sorts at or before it).
fn last_day(d: PartialDate) -> String {
    let s = d.to_string();
    format!("{s}{}", &"-12-31"[s.len() - 4..])
}

impl Store {
    /// One item by reference.
    pub async fn item(&self, reference: &str) -> Result<StoredItem> {
        if !crate::store::storable(reference) {
            return Err(StoreError::NotFound {
                kind: "item",
                reference: reference.to_owned(),
            });
        }
        let row = sqlx::query("SELECT * FROM items WHERE ref = $1")
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "item",
                reference: reference.to_owned(),
            })?;
        stored(&row)
    }

    /// The item with this ref if the filter's viewer may see it. A hidden item and an
    /// absent one take the same path (one statement that yields no row), so that the
    /// answer's timing does not tell them apart.
    pub async fn item_for(
        &self,
        reference: &str,
        filter: &ItemFilter,
    ) -> Result<Option<StoredItem>> {
        if !crate::store::storable(reference) {
            return Ok(None);
        }
        let mut q = Statement::new("SELECT * FROM items WHERE ref = ");
        q.bind(SqlParam::Text(reference.to_owned()));
        filter.push_conditions(&mut q, false);
        let row = q.to_sqlx().fetch_optional(&self.pool).await?;
        row.as_ref().map(stored).transpose()
    }

    /// Items matching `filter`, ordered by reference; `limit` 0 means all.
    pub async fn items(
        &self,
        filter: &ItemFilter,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<StoredItem>> {
        let mut q = Statement::new("SELECT * FROM items");
        filter.push_where(&mut q);
        q.push(" ORDER BY ref");
        if limit > 0 {
            q.push(" LIMIT ").bind(SqlParam::Int(limit as i64));
        } else if offset > 0 && self.dialect() == crate::store::Dialect::Sqlite {
            // SQLite takes OFFSET only after a LIMIT; PostgreSQL takes it alone.
            q.push(" LIMIT -1");
        }
        if offset > 0 {
            q.push(" OFFSET ").bind(SqlParam::Int(offset as i64));
        }
        let rows = q.to_sqlx().fetch_all(&self.pool).await?;
        rows.iter().map(stored).collect()
    }

    /// How many items match `filter`.
    pub async fn count_items(&self, filter: &ItemFilter) -> Result<u64> {
        let mut q = Statement::new("SELECT COUNT(*) FROM items");
        filter.push_where(&mut q);
        let n: i64 = q.to_sqlx().fetch_one(&self.pool).await?.try_get(0)?;
        Ok(n as u64)
    }

    /// Streams items matching `filter` in reference order, for exports of any size.
    pub fn stream_items(&self, filter: &ItemFilter) -> BoxStream<'static, Result<Item>> {
        let mut q = Statement::new(format!("SELECT {} FROM items", ITEM_FIELDS.join(", ")));
        filter.push_where(&mut q);
        q.push(" ORDER BY ref");
        self.bulk_stream(q, crate::bulk::decode_canonical::<Item>)
    }

    /// The revision history of an item, newest first.
    pub async fn item_revisions(&self, id: i64) -> Result<Vec<Revision>> {
        let rows = sqlx::query(
            "SELECT revision, changed_at, actor, import_id, action, previous FROM revisions
             WHERE entity = 'item' AND entity_id = $1 ORDER BY revision DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let previous: String = r.try_get("previous")?;
                Ok(Revision {
                    revision: r.try_get("revision")?,
                    changed_at: r.try_get("changed_at")?,
                    actor: r.try_get("actor")?,
                    import_id: r.try_get("import_id")?,
                    action: r.try_get("action")?,
                    previous: serde_json::from_str(&previous)
                        .map_err(|e| StoreError::Corrupt(format!("revision JSON: {e}")))?,
                })
            })
            .collect()
    }

    /// `(id, serial_number)` of every item with a serial, for building the search index.
    pub async fn item_serials(&self) -> Result<Vec<(i64, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, serial_number FROM items WHERE serial_number IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

//! Reading items back: one by reference, filtered lists, full scans for exports and
//! indexes, and an item's revision history.

use armtrace_core::{Category, Confidentiality, CountryCode, Item, PartialDate};
use futures_core::stream::BoxStream;
use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::error::{Result, StoreError};
use crate::record::Record;
use crate::store::Store;

/// Which items a list, an export or a statistic covers. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub category: Option<Category>,
    /// Case-insensitive substring of the model.
    pub model: Option<String>,
    /// Case-insensitive substring of the manufacturer.
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub recovered_country: Option<CountryCode>,
    pub confidentiality: Option<Confidentiality>,
    /// Recovered on or after this date (partial dates compare by their first day).
    pub recovered_from_date: Option<PartialDate>,
    /// Recovered on or before this date (partial dates compare by their last day).
    pub recovered_to_date: Option<PartialDate>,
    /// Only these confidentiality levels (the viewer's clearance); `None` = all.
    pub visible: Option<Vec<Confidentiality>>,
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

fn stored(row: &sqlx::sqlite::SqliteRow) -> Result<StoredItem> {
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
    /// Appends ` WHERE …` (or nothing) for this filter.
    pub(crate) fn push_where(&self, q: &mut QueryBuilder<Sqlite>) {
        let mut first = true;
        let mut and = |q: &mut QueryBuilder<Sqlite>| {
            q.push(if first { " WHERE " } else { " AND " });
            first = false;
        };
        if let Some(c) = self.category {
            and(q);
            q.push("category = ").push_bind(c.as_str());
        }
        if let Some(m) = &self.model {
            and(q);
            q.push("lower(model) LIKE ")
                .push_bind(escape_like(m))
                .push(" ESCAPE '\\'");
        }
        if let Some(m) = &self.manufacturer {
            and(q);
            q.push("lower(manufacturer) LIKE ")
                .push_bind(escape_like(m))
                .push(" ESCAPE '\\'");
        }
        if let Some(c) = self.country_of_manufacture {
            and(q);
            q.push("country_of_manufacture = ").push_bind(c.to_string());
        }
        if let Some(c) = self.recovered_country {
            and(q);
            q.push("recovered_country = ").push_bind(c.to_string());
        }
        if let Some(c) = self.confidentiality {
            and(q);
            q.push("confidentiality = ").push_bind(c.as_str());
        }
        if let Some(d) = self.recovered_from_date {
            // Text comparison works because dates are stored as zero-padded ISO strings.
            and(q);
            q.push("recovered_on >= ").push_bind(d.to_string());
        }
        if let Some(d) = self.recovered_to_date {
            // "2016-07" must include "2016-07-31": compare against the next prefix.
            and(q);
            q.push("recovered_on < ").push_bind(upper_bound(d));
        }
        if let Some(levels) = &self.visible {
            and(q);
            q.push("confidentiality IN (");
            let mut sep = q.separated(", ");
            for l in levels {
                sep.push_bind(l.as_str());
            }
            if levels.is_empty() {
                sep.push("NULL");
            }
            q.push(")");
        }
    }
}

/// The smallest date string that sorts after every date within `d`.
fn upper_bound(d: PartialDate) -> String {
    let mut s = d.to_string();
    s.push('~'); // '~' sorts after '-' and every digit
    s
}

impl Store {
    /// One item by reference.
    pub async fn item(&self, reference: &str) -> Result<StoredItem> {
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

    /// Items matching `filter`, ordered by reference; `limit` 0 means all.
    pub async fn items(
        &self,
        filter: &ItemFilter,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<StoredItem>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM items");
        filter.push_where(&mut q);
        q.push(" ORDER BY ref");
        if limit > 0 {
            q.push(" LIMIT ").push_bind(limit as i64);
        } else if offset > 0 {
            q.push(" LIMIT -1");
        }
        if offset > 0 {
            q.push(" OFFSET ").push_bind(offset as i64);
        }
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(stored).collect()
    }

    /// How many items match `filter`.
    pub async fn count_items(&self, filter: &ItemFilter) -> Result<u64> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM items");
        filter.push_where(&mut q);
        let n: i64 = q.build().fetch_one(&self.pool).await?.try_get(0)?;
        Ok(n as u64)
    }

    /// Streams items matching `filter` in reference order, for exports of any size.
    pub fn stream_items<'a>(&'a self, filter: &ItemFilter) -> BoxStream<'a, Result<Item>> {
        use futures_util::StreamExt;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM items");
        filter.push_where(&mut q);
        q.push(" ORDER BY ref");
        let pool = self.pool.clone();
        Box::pin(async_stream(q, pool).map(|r| r.and_then(|row| Item::from_row(&row))))
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

/// Runs a built query as a stream that owns its pool and SQL.
fn async_stream(
    q: QueryBuilder<Sqlite>,
    pool: sqlx::SqlitePool,
) -> impl futures_core::Stream<Item = Result<sqlx::sqlite::SqliteRow>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut q = q;
        let mut rows = q.build().fetch(&pool);
        while let Some(row) = rows.next().await {
            if tx.send(row.map_err(StoreError::from)).await.is_err() {
                break;
            }
        }
    });
    tokio_stream_from(rx)
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_core::Stream<Item = T> + Send {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

//! Where items were recovered: the narrow projection the map and the spread of a
//! shipment need, read in bulk.

use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};
use serde::Serialize;

use crate::bulk::{Row, RowFailure};
use crate::error::{Result, StoreError};
use crate::items::ItemFilter;
use crate::statement::{SqlParam, Statement};
use crate::store::Store;

/// An item as a point on the map.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPoint {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub category: Category,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_place: Option<String>,
    pub recovered_country: Option<CountryCode>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(skip)]
    pub confidentiality: Confidentiality,
}

const POINT_COLUMNS: &str = "id, ref, category, model, serial_number, recovered_on, recovered_place, \
     recovered_country, latitude, longitude, confidentiality";

fn point(r: &Row<'_>) -> std::result::Result<ItemPoint, RowFailure> {
    let corrupt = |what: String| RowFailure::Store(StoreError::Corrupt(what));
    let category: &str = r.get::<Option<&str>>(2)?.unwrap_or_default();
    let recovered_on: Option<&str> = r.get(5)?;
    let country: Option<&str> = r.get(7)?;
    let confidentiality: &str = r.get::<Option<&str>>(10)?.unwrap_or_default();
    Ok(ItemPoint {
        id: r.get(0)?,
        reference: r.get(1)?,
        category: category
            .parse()
            .map_err(|_| corrupt(format!("category {category:?}")))?,
        model: r.get(3)?,
        serial_number: r.get(4)?,
        recovered_on: recovered_on
            .map(|d| d.parse().map_err(|_| corrupt(format!("date {d:?}"))))
            .transpose()?,
        recovered_place: r.get(6)?,
        recovered_country: country
            .map(|c| CountryCode::parse(c).map_err(|_| corrupt(format!("country {c:?}"))))
            .transpose()?,
        latitude: r.get(8)?,
        longitude: r.get(9)?,
        confidentiality: confidentiality
            .parse()
            .map_err(|_| corrupt(format!("confidentiality {confidentiality:?}")))?,
    })
}

impl Store {
    /// Items matching `filter` that have coordinates, at most `limit` (0 = all), in ref
    /// order, and how many there are in all.
    pub async fn item_points(
        &self,
        filter: &ItemFilter,
        limit: u64,
    ) -> Result<(Vec<ItemPoint>, u64)> {
        let mut count = Statement::new("SELECT COUNT(*) FROM items");
        filter.push_where(&mut count);
        let mut q = Statement::new(format!("SELECT {POINT_COLUMNS} FROM items"));
        filter.push_where(&mut q);
        let with_coords = if q.sql.contains(" WHERE ") {
            " AND "
        } else {
            " WHERE "
        };
        q.push(with_coords)
            .push("latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY ref");
        count
            .push(with_coords)
            .push("latitude IS NOT NULL AND longitude IS NOT NULL");
        if limit > 0 {
            q.push(" LIMIT ").bind(SqlParam::Int(limit as i64));
        }
        let total: Vec<i64> = self.bulk_read(count, |r| r.get(0)).await?;
        let points = self.bulk_read(q, point).await?;
        Ok((points, total.first().copied().unwrap_or(0) as u64))
    }

    /// The points of the items with these refs (with or without coordinates), in ref order.
    pub async fn item_points_by_ref(&self, refs: &[String]) -> Result<Vec<ItemPoint>> {
        let mut out = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(500) {
            let mut q = Statement::new(format!("SELECT {POINT_COLUMNS} FROM items WHERE ref IN ("));
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(SqlParam::Text(r.clone()));
            }
            q.push(")");
            out.extend(self.bulk_read(q, point).await?);
        }
        out.sort_by(|a, b| a.reference.cmp(&b.reference));
        Ok(out)
    }
}

impl Store {
    /// `recovered_from` of the items with these refs (for diversion breakdowns).
    pub async fn recovered_from_of(
        &self,
        refs: &[String],
    ) -> Result<std::collections::HashMap<String, Option<String>>> {
        let mut out = std::collections::HashMap::with_capacity(refs.len());
        for chunk in refs.chunks(500) {
            let mut q = Statement::new("SELECT ref, recovered_from FROM items WHERE ref IN (");
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(SqlParam::Text(r.clone()));
            }
            q.push(")");
            let rows: Vec<(String, Option<String>)> =
                self.bulk_read(q, |r| Ok((r.get(0)?, r.get(1)?))).await?;
            out.extend(rows);
        }
        Ok(out)
    }
}

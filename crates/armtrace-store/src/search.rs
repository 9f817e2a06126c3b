//! What serial search needs from the register: every serial to build the index from,
//! and the facts of matched items to rank, filter and show them. The index and the
//! ranking are `armtrace_core::search`.

use std::collections::HashMap;

use armtrace_core::{Category, CountryCode, PartialDate};
use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::error::{Result, StoreError};
use crate::store::Store;

/// A matched item as search shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchFacts {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub serial_number: String,
    pub category: Category,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_place: Option<String>,
    pub recovered_country: Option<CountryCode>,
}

/// Ids per `IN (…)` lookup.
const LOOKUP_CHUNK: usize = 500;

impl Store {
    /// The search facts of the given item ids (ids without a serial are left out).
    pub async fn search_facts(&self, ids: &[i64]) -> Result<HashMap<i64, SearchFacts>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT id, ref, serial_number, category, model, manufacturer, country_of_manufacture,
                        recovered_on, recovered_place, recovered_country
                 FROM items WHERE serial_number IS NOT NULL AND id IN (",
            );
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(")");
            for r in q.build().fetch_all(&self.pool).await? {
                let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
                let category: String = r.try_get(3)?;
                let country = |v: Option<String>| -> Result<Option<CountryCode>> {
                    v.map(|c| {
                        CountryCode::parse(&c).map_err(|_| corrupt(&format!("country {c:?}")))
                    })
                    .transpose()
                };
                let recovered_on: Option<String> = r.try_get(7)?;
                let facts = SearchFacts {
                    id: r.try_get(0)?,
                    reference: r.try_get(1)?,
                    serial_number: r.try_get(2)?,
                    category: category
                        .parse()
                        .map_err(|_| corrupt(&format!("category {category:?}")))?,
                    model: r.try_get(4)?,
                    manufacturer: r.try_get(5)?,
                    country_of_manufacture: country(r.try_get(6)?)?,
                    recovered_on: recovered_on
                        .map(|d| d.parse().map_err(|_| corrupt(&format!("date {d:?}"))))
                        .transpose()?,
                    recovered_place: r.try_get(8)?,
                    recovered_country: country(r.try_get(9)?)?,
                };
                out.insert(facts.id, facts);
            }
        }
        Ok(out)
    }
}

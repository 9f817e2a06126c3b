//! What serial search needs from the register: every serial to build the index from,
//! and the facts of matched items to rank, filter and show them. The index and the
//! ranking are `armtrace_core::search`; putting them together for a viewer, and
//! explaining each match, is the application's (`armtrace-app`).

use std::collections::HashMap;

use armtrace_core::search::SerialIndex;
use armtrace_core::serial::normalise;
use armtrace_core::{Category, Confidentiality, CountryCode, PartialDate};
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::statement::{SqlParam, Statement};
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
    /// Who may see it (the application filters by it; never shown).
    #[serde(skip)]
    pub confidentiality: Confidentiality,
}

/// Ids per `IN (…)` lookup.
const LOOKUP_CHUNK: usize = 500;

impl Store {
    /// The search facts of the given item ids (ids without a serial are left out).
    pub async fn search_facts(&self, ids: &[i64]) -> Result<HashMap<i64, SearchFacts>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let mut q = Statement::new(
                "SELECT id, ref, serial_number, category, model, manufacturer, country_of_manufacture,
                        recovered_on, recovered_place, recovered_country, confidentiality
                 FROM items WHERE serial_number IS NOT NULL AND id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(SqlParam::Int(*id));
            }
            q.push(")");
            for r in q.to_sqlx().fetch_all(&self.pool).await? {
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
                    confidentiality: {
                        let c: String = r.try_get(10)?;
                        c.parse()
                            .map_err(|_| corrupt(&format!("confidentiality {c:?}")))?
                    },
                };
                out.insert(facts.id, facts);
            }
        }
        Ok(out)
    }
}

/// Builds the index from the register (ids as `u32`), sorting on up to `threads`.
pub async fn build_index(store: &Store, threads: usize) -> Result<SerialIndex> {
    let serials = store.item_serials().await?;
    let entries = serials.into_iter().map(|(id, serial)| {
        (
            u32::try_from(id).expect("item ids fit in 32 bits"),
            normalise(&serial),
        )
    });
    Ok(SerialIndex::build_with_threads(entries, threads))
}

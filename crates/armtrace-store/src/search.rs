//! What serial search needs from the register: every serial to build the index from,
//! and the facts of matched items to rank, filter and show them. The index and the
//! ranking are `armtrace_core::search`.

use std::collections::HashMap;

use armtrace_core::search::{RankFilters, SerialIndex, SerialQuery, rank};
use armtrace_core::serial::normalise;
use armtrace_core::{Category, Clearance, Confidentiality, CountryCode, PartialDate};
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::items::{SqlParam, Statement};
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

/// One match in the contract's JSON shape.
#[derive(Debug, Serialize)]
pub struct SearchMatch {
    #[serde(flatten)]
    pub facts: SearchFacts,
    pub distance: u8,
    /// The serial is recorded exactly as typed.
    pub as_written: bool,
    /// 0–4: how well model and manufacturer fit the ranking filters.
    pub filter_fit: u8,
    /// Why it matched, in words.
    pub why: String,
}

/// The whole answer: `{"query","normalised","max_edits","total","matches":[…]}`.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub normalised: String,
    pub max_edits: u8,
    /// Matches before the limit.
    pub total: usize,
    pub matches: Vec<SearchMatch>,
}

fn why(query: &SerialQuery, m: &SearchMatch) -> String {
    if m.as_written {
        "serial exactly as written".to_owned()
    } else if m.distance == 0 && query.has_wildcards() {
        format!("serial fits the pattern {}", query.normalised())
    } else if m.distance == 0 {
        format!(
            "same serial once look-alike characters are folded: {:?} and {:?} both read {}",
            query.raw(),
            m.facts.serial_number,
            query.normalised()
        )
    } else {
        format!(
            "{} edit{} from the query ({} vs {})",
            m.distance,
            if m.distance == 1 { "" } else { "s" },
            normalise(&m.facts.serial_number),
            query.normalised()
        )
    }
}

/// Builds the index from the register (ids as `u32`).
pub async fn build_index(store: &Store) -> Result<SerialIndex> {
    let serials = store.item_serials().await?;
    let entries = serials.into_iter().map(|(id, serial)| {
        (
            u32::try_from(id).expect("item ids fit in 32 bits"),
            normalise(&serial),
        )
    });
    Ok(SerialIndex::build(entries))
}

/// A search: the query, how to rank, what to keep, and for whom.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub query: &'a SerialQuery,
    pub filters: &'a RankFilters<'a>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only items made in this country.
    pub country: Option<CountryCode>,
    /// At most this many matches (0 = all).
    pub limit: usize,
    /// Only items this viewer may see (`None` = everything: the command line). Matches
    /// the viewer may not see are left out of `total` too.
    pub clearance: Option<&'a Clearance>,
}

impl Store {
    /// Runs a search against an index built from this register, with the CLI's semantics
    /// and JSON shape.
    pub async fn search(
        &self,
        index: &SerialIndex,
        request: &SearchRequest<'_>,
    ) -> Result<SearchResult> {
        let SearchRequest {
            query,
            filters,
            category,
            country,
            limit,
            clearance,
        } = *request;
        let found = index.search(query);
        let ids: Vec<i64> = found.iter().map(|m| i64::from(m.id)).collect();
        let facts = self.search_facts(&ids).await?;
        let keep = |f: &SearchFacts| {
            category.is_none_or(|c| f.category == c)
                && country.is_none_or(|c| f.country_of_manufacture == Some(c))
                && clearance.is_none_or(|c| c.allows(f.confidentiality, f.id))
        };
        let ranked = rank(query, &found, filters, |id| {
            facts.get(&i64::from(id)).filter(|f| keep(f)).map(|f| {
                armtrace_core::search::ItemFacts {
                    serial: &f.serial_number,
                    model: f.model.as_deref(),
                    manufacturer: f.manufacturer.as_deref(),
                }
            })
        });
        let total = ranked.len();
        let take = if limit == 0 { total } else { limit.min(total) };
        let matches = ranked[..take]
            .iter()
            .map(|r| {
                let mut m = SearchMatch {
                    facts: facts[&i64::from(r.id)].clone(),
                    distance: r.distance,
                    as_written: r.as_written,
                    filter_fit: r.filter_fit,
                    why: String::new(),
                };
                m.why = why(query, &m);
                m
            })
            .collect();
        Ok(SearchResult {
            query: query.raw().to_owned(),
            normalised: query.normalised().to_owned(),
            max_edits: query.max_edits(),
            total,
            matches,
        })
    }
}

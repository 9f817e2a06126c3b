//! Serial search for a viewer: the query parsed once for both front ends, the cached
//! index searched, the matches the viewer may not see left out (of the total too),
//! ranked by the core, and each explained in words.

use armtrace_core::search::{ItemFacts, RankFilters, SerialQuery, rank};
use armtrace_core::{Category, CountryCode};
use armtrace_store::search::SearchFacts;
use serde::{Deserialize, Serialize};

use crate::actor::View;
use crate::error::{AppError, AppResult};
use crate::params::{category, country, given, parse_count};
use crate::render::explain;

/// A search as the front ends receive it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SearchParams {
    /// The serial as read: `?` for one unreadable character, `*` for any run.
    #[serde(default)]
    pub q: String,
    /// Edits tolerated (0–3); by default from the query's length.
    pub max_edits: Option<String>,
    /// At most this many matches (default 20; 0 = all).
    pub limit: Option<String>,
    /// Rank items of this model first.
    pub model: Option<String>,
    /// Rank items of this manufacturer first.
    pub manufacturer: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only items made in this country.
    pub country: Option<String>,
}

/// Most edits a query may ask for.
pub const MAX_EDITS: u8 = 3;
/// Matches listed unless asked otherwise.
pub const DEFAULT_LIMIT: u64 = 20;

/// A parsed search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: SerialQuery,
    pub limit: usize,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<Category>,
    pub country: Option<CountryCode>,
}

impl SearchParams {
    /// The search as domain values; the first bad parameter is named.
    pub fn parse(&self) -> AppResult<SearchRequest> {
        let q = self.q.trim();
        if q.is_empty() {
            return Err(AppError::BadRequest(
                "parameter q is missing: give the serial as read, e.g. q=AB12%3F%3F78".to_owned(),
            ));
        }
        let max_edits = given(&self.max_edits)
            .map(|s| {
                s.parse::<u8>()
                    .ok()
                    .filter(|n| *n <= MAX_EDITS)
                    .ok_or_else(|| AppError::bad_parameter("max_edits", s, "use 0, 1, 2 or 3"))
            })
            .transpose()?;
        let query =
            SerialQuery::parse(q, max_edits).map_err(|e| AppError::bad_parameter("q", q, e))?;
        Ok(SearchRequest {
            query,
            limit: parse_count("limit", &self.limit, DEFAULT_LIMIT, u32::MAX as u64)? as usize,
            model: given(&self.model).map(str::to_owned),
            manufacturer: given(&self.manufacturer).map(str::to_owned),
            category: category("category", &self.category)?,
            country: country("country", &self.country)?,
        })
    }
}

/// One match in the contract's JSON shape.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub normalised: String,
    pub max_edits: u8,
    /// Matches before the limit (those the viewer may see).
    pub total: usize,
    pub matches: Vec<SearchMatch>,
}

impl View<'_> {
    /// Runs a search over the items this viewer may see.
    pub async fn search(&self, request: &SearchRequest) -> AppResult<SearchResult> {
        let index = self.register.index().await?;
        let query = &request.query;
        let found = index.search(query);
        let ids: Vec<i64> = found.iter().map(|m| i64::from(m.id)).collect();
        let facts = self.register.store().search_facts(&ids).await?;
        let keep = |f: &SearchFacts| {
            request.category.is_none_or(|c| f.category == c)
                && request
                    .country
                    .is_none_or(|c| f.country_of_manufacture == Some(c))
                && self.clearance.allows(f.confidentiality, f.id)
        };
        let filters = RankFilters {
            model: request.model.as_deref(),
            manufacturer: request.manufacturer.as_deref(),
        };
        let ranked = rank(query, &found, &filters, |id| {
            facts
                .get(&i64::from(id))
                .filter(|f| keep(f))
                .map(|f| ItemFacts {
                    serial: &f.serial_number,
                    model: f.model.as_deref(),
                    manufacturer: f.manufacturer.as_deref(),
                })
        });
        let total = ranked.len();
        let take = if request.limit == 0 {
            total
        } else {
            request.limit.min(total)
        };
        let matches = ranked[..take]
            .iter()
            .map(|r| {
                let facts = facts[&i64::from(r.id)].clone();
                let why =
                    explain::search_match(query, &facts.serial_number, r.distance, r.as_written);
                SearchMatch {
                    facts,
                    distance: r.distance,
                    as_written: r.as_written,
                    filter_fit: r.filter_fit,
                    why,
                }
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

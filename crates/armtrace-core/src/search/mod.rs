//! Serial search: find the register items whose serial an investigator may be looking
//! at, even when it was misread, mistyped or is partly illegible.
//!
//! # What matches
//!
//! Queries and serials are compared in search form ([`crate::serial::normalise`] and
//! [`crate::serial::normalise_query`]); a [`SerialQuery`] holds both the form and an
//! edit budget `max_edits` (at most [`MAX_EDITS`]).
//!
//! * **Without wildcards** a serial matches when its [`osa_distance`] to the query is at
//!   most `max_edits`: insertions, deletions, substitutions and swaps of two adjacent
//!   characters each cost 1 (optimal string alignment, i.e. restricted
//!   Damerau–Levenshtein).
//! * **With wildcards** (`?` exactly one character, `*` any run, possibly empty) a
//!   serial matches when its distance to the *best filling* of the pattern is at most
//!   `max_edits` ([`pattern_distance`]). The default budget for a wildcard query is 0,
//!   so by default the serial must match the pattern as a whole; an explicit budget
//!   also tolerates misreadings in the characters that were typed.
//! * **Default budget** without wildcards: [`default_max_edits`] of the normalised
//!   query: up to 4 characters → 0, 5–8 → 1, 9 or more → 2.
//! * A query with no letter or digit (`"--"`, `"*"`) is an error
//!   ([`QueryError::Empty`]), never a match-all. Items with an empty serial are not
//!   indexed: they have nothing to be found by.
//!
//! [`brute_force`] states this contract as a plain scan; [`SerialIndex`] must return
//! exactly what it returns, and the property tests hold it to that.
//!
//! # How the index finds them
//!
//! [`SerialIndex`] keeps the distinct serials in tries (`segment.rs`) and walks a trie
//! depth-first while extending, one character per level, the alignment table of the
//! query against the trie prefix (`matcher.rs`). The walk leaves a subtree only when
//! every cell of the prefix's newest row is over budget. That proves no serial below
//! can match: any alignment of a longer serial passes through a cell of that row, or,
//! when a swap steps over the row, a cell of it that costs no more than the swap's
//! landing cell. Every reported serial was measured exactly, so results are exact by
//! construction, not candidates to verify; serials that share a prefix share its
//! rows. Without `*`, only a diagonal band of `2 * max_edits + 1` cells per row can be
//! within budget, so a step costs a handful of byte operations, and one step with a
//! sentinel character rules out all children whose label the band does not mention.
//!
//! A `*` keeps rows alive, so `AK19*` walks the `AK19` subtree (output-sized work). A
//! budget-0 pattern whose literal prefix covers much of the register (a leading `*`,
//! as in `*2345` or `*974*`) is answered by scanning the serial text for its longest
//! literal run (at least 3 characters) instead and measuring only serials that contain
//! it: tens of milliseconds at ten million serials. A wildcard query with a budget
//! above 0 and a leading `*`, or with no literal run of 3, walks the whole trie:
//! correct, but around half a second at ten million serials.
//!
//! Ranking, which needs item facts the index does not hold, is [`rank`].
//!
//! This module is pure and single-threaded at query time; it does no I/O and holds no
//! items, only ids and normalised serials.

mod batch;
mod distance;
mod index;
mod matcher;
mod query;
mod rank;
mod segment;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod timing;

pub use distance::{osa_distance, pattern_distance};
pub use index::SerialIndex;
pub use query::{MAX_EDITS, QueryError, SerialQuery, default_max_edits};
pub use rank::{ItemFacts, RankFilters, RankedMatch, rank};

/// One indexed id whose serial matches a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexMatch {
    pub id: u32,
    /// The distance between the normalised query and the serial (≤ the query's
    /// `max_edits`).
    pub distance: u8,
}

/// The reference implementation of the search contract: measures every serial, in id
/// order. Entries with an empty serial never match. Use it for tests and for tiny
/// registers; [`SerialIndex::search`] returns the same matches without the full scan.
///
/// ```
/// use armtrace_core::search::{brute_force, IndexMatch, SerialQuery};
///
/// let register = vec![(7, "AK1974012345".to_string()), (3, "AK1974102345".to_string())];
/// let query = SerialQuery::parse("AK1974012345", Some(1)).unwrap();
/// assert_eq!(
///     brute_force(&register, &query),
///     vec![IndexMatch { id: 3, distance: 1 }, IndexMatch { id: 7, distance: 0 }]
/// );
/// ```
pub fn brute_force(entries: &[(u32, String)], query: &SerialQuery) -> Vec<IndexMatch> {
    let pattern = query.normalised().as_bytes();
    let mut found: Vec<IndexMatch> = entries
        .iter()
        .filter(|(_, serial)| !serial.is_empty())
        .filter_map(|(id, serial)| {
            let distance = if query.has_wildcards() {
                pattern_distance(pattern, serial.as_bytes())
            } else {
                osa_distance(pattern, serial.as_bytes())
            };
            (distance <= usize::from(query.max_edits())).then_some(IndexMatch {
                id: *id,
                distance: distance as u8,
            })
        })
        .collect();
    found.sort_unstable();
    found
}

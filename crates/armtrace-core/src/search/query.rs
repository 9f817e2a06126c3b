//! What an investigator asks for: a serial query, parsed once into its search form.
//!
//! Parsing decides everything a search needs (the normalised pattern, whether it has
//! wildcards, the edit budget), so the index and the reference scan cannot disagree
//! about what a query means. This module does not search and does not normalise on its
//! own: it calls [`serial::normalise_query`], the one place that rule lives.

use crate::serial;

/// The largest edit budget a query may ask for.
///
/// Every extra edit multiplies the work of a search and the number of unrelated
/// serials that match; three is already generous for 6–14 character serials.
pub const MAX_EDITS: u8 = 3;

/// The `?` wildcard: exactly one unknown character.
pub(crate) const ANY_ONE: u8 = b'?';
/// The `*` wildcard: any run of characters, possibly empty.
pub(crate) const ANY_RUN: u8 = b'*';

/// The edit budget used when the caller does not choose one, from the number of
/// letters and digits in the normalised query (wildcards do not count):
/// up to 4 → 0, 5–8 → 1, 9 or more → 2.
///
/// Short queries get no edits because one edit on a 4-character serial already
/// matches a large share of any register.
///
/// ```
/// use armtrace_core::search::default_max_edits;
/// assert_eq!(default_max_edits("A812"), 0);
/// assert_eq!(default_max_edits("KA12345"), 1);
/// assert_eq!(default_max_edits("AK1974012345"), 2);
/// ```
pub fn default_max_edits(normalised_query: &str) -> u8 {
    let literals = normalised_query
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .count();
    match literals {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// A parsed serial query: the text as typed, its search form, and its edit budget.
///
/// Holding a `SerialQuery` means the query is searchable: it has at least one letter or
/// digit and a budget of at most [`MAX_EDITS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialQuery {
    raw: String,
    normalised: String,
    max_edits: u8,
    has_wildcards: bool,
}

impl SerialQuery {
    /// Parses what a user typed. `max_edits` of `None` means "choose for me": 0 for a
    /// query with wildcards (the pattern must match as a whole), otherwise
    /// [`default_max_edits`]. An explicit budget applies to wildcard queries too (see
    /// the module documentation of [`crate::search`] for what that means).
    ///
    /// ```
    /// use armtrace_core::search::{QueryError, SerialQuery};
    /// let q = SerialQuery::parse("ak-1974-o12345", None).unwrap();
    /// assert_eq!((q.normalised(), q.max_edits()), ("AK1974012345", 2));
    /// let q = SerialQuery::parse("56-1-12??56", None).unwrap();
    /// assert!(q.has_wildcards() && q.max_edits() == 0);
    /// assert!(matches!(SerialQuery::parse("--", None), Err(QueryError::Empty { .. })));
    /// ```
    pub fn parse(raw: &str, max_edits: Option<u8>) -> Result<SerialQuery, QueryError> {
        let normalised = serial::normalise_query(raw);
        // A pattern of wildcards alone ("*", "??") would list the whole register or
        // every serial of one length: never what an investigator means.
        if !normalised.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(QueryError::Empty {
                raw: raw.to_owned(),
            });
        }
        let has_wildcards = normalised.bytes().any(|b| b == ANY_ONE || b == ANY_RUN);
        let max_edits = match max_edits {
            Some(requested) if requested > MAX_EDITS => {
                return Err(QueryError::TooManyEdits {
                    requested,
                    max: MAX_EDITS,
                });
            }
            Some(chosen) => chosen,
            None if has_wildcards => 0,
            None => default_max_edits(&normalised),
        };
        Ok(SerialQuery {
            raw: raw.to_owned(),
            normalised,
            max_edits,
            has_wildcards,
        })
    }

    /// The query exactly as the user typed it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The search form: [`serial::normalise_query`] of the raw text (keeps `?` and `*`).
    pub fn normalised(&self) -> &str {
        &self.normalised
    }

    /// How many edits a serial may be away from the query and still match.
    pub fn max_edits(&self) -> u8 {
        self.max_edits
    }

    /// Whether the normalised query contains `?` or `*`.
    pub fn has_wildcards(&self) -> bool {
        self.has_wildcards
    }
}

/// Why a serial query cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing searchable is left after normalisation (`"--"`, `"*"`, `"??"`).
    #[error(
        "serial query {raw:?} has no letters or digits to search for: type at least one \
         character of the serial (wildcards ? and * only stand in for missing ones)"
    )]
    Empty { raw: String },
    /// The caller asked for a larger edit budget than the index supports.
    #[error("serial query allows at most {max} edits, but {requested} were asked for")]
    TooManyEdits { requested: u8, max: u8 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_budget_follows_length() {
        assert_eq!(default_max_edits(""), 0);
        assert_eq!(default_max_edits("1234"), 0);
        assert_eq!(default_max_edits("12345"), 1);
        assert_eq!(default_max_edits("12345678"), 1);
        assert_eq!(default_max_edits("123456789"), 2);
        assert_eq!(default_max_edits("AK1974012345"), 2);
        // Wildcards are not letters of the serial.
        assert_eq!(default_max_edits("12*3?4"), 0);
    }

    #[test]
    fn parse_normalises_and_chooses_budget() {
        let q = SerialQuery::parse(" ka-12345 ", None).unwrap();
        assert_eq!(q.raw(), " ka-12345 ");
        assert_eq!(q.normalised(), "KA12345");
        assert_eq!(q.max_edits(), 1);
        assert!(!q.has_wildcards());

        let q = SerialQuery::parse("AK**74?", None).unwrap();
        assert_eq!(q.normalised(), "AK*74?");
        assert!(q.has_wildcards());
        assert_eq!(q.max_edits(), 0);

        let q = SerialQuery::parse("AK*74", Some(1)).unwrap();
        assert_eq!(q.max_edits(), 1);
        let q = SerialQuery::parse("1983123456", Some(0)).unwrap();
        assert_eq!(q.max_edits(), 0);
    }

    #[test]
    fn parse_rejects_unsearchable_queries() {
        for raw in ["", "--", " / ", "*", "?*?", "***"] {
            let err = SerialQuery::parse(raw, None).unwrap_err();
            assert_eq!(err, QueryError::Empty { raw: raw.into() }, "{raw:?}");
            assert!(err.to_string().contains("no letters or digits"));
        }
        assert_eq!(
            SerialQuery::parse("AK47", Some(4)),
            Err(QueryError::TooManyEdits {
                requested: 4,
                max: MAX_EDITS
            })
        );
        assert!(SerialQuery::parse("AK47", Some(MAX_EDITS)).is_ok());
    }
}

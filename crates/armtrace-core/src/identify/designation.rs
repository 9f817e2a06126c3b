//! Finding weapon model designations in a marking or a model field, tolerant of how people
//! write them: `ak47`, `AK 47`, `Type-56`, `9m113` and `9M113 Konkurs` all find their row.
//!
//! A designation is matched on whole tokens only (so `AKM` is never found inside
//! `AKMS-74`), and a longer designation hides a shorter one it contains (`Type 56 carbine`
//! is not also a `Type 56`). This module scores matches; it does not rank them against
//! headstamp readings.

use super::marking::Token;
use super::table::MODELS;

/// One designation found in the tokens.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// Row index in the model table.
    pub row: usize,
    /// Token span `start..end` that matched.
    pub start: usize,
    pub end: usize,
    /// The designation or alias from the table that matched, as the table writes it.
    pub name: &'static str,
    /// The words that matched, as the marking writes them.
    pub written: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Score of a designation that is the whole text, and of one found inside longer text.
const WHOLE: f64 = 0.9;
const INSIDE: f64 = 0.7;
/// Short designations (`PK`, `TT`, `M4`) are found by accident more often.
const SHORT_FACTOR: f64 = 0.6;
const SHORT_KEY: usize = 3;

/// Every designation found in the tokens, longest first where they overlap.
pub(super) fn find(marking: &str, tokens: &[Token]) -> Vec<Found> {
    let table = &*MODELS;
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for start in 0..tokens.len() {
        let mut joined = String::new();
        for end in start + 1..=tokens.len().min(start + table.longest) {
            joined.push_str(&tokens[end - 1].key);
            if table.by_designation.contains_key(&joined) {
                spans.push((start, end, joined.clone()));
            }
        }
    }
    // A span inside a longer matching span is part of that designation, not another one.
    let kept: Vec<&(usize, usize, String)> = spans
        .iter()
        .filter(|&&(s, e, _)| {
            !spans
                .iter()
                .any(|&(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
        })
        .collect();
    let mut out = Vec::new();
    for &(start, end, ref k) in kept {
        let written = &marking[tokens[start].span.start..tokens[end - 1].span.end];
        let whole = start == 0 && end == tokens.len();
        for &row in &table.by_designation[k] {
            let entry = &table.rows[row];
            let name = std::iter::once(&entry.model)
                .chain(&entry.aliases)
                .find(|n| super::table::key(n) == *k)
                .map_or(entry.model.as_str(), String::as_str);
            let mut score = if whole { WHOLE } else { INSIDE };
            let mut reasons = vec![if name == entry.model {
                format!("'{written}' is the designation {}", entry.model)
            } else {
                format!("'{written}' is {name}, a name of the {}", entry.model)
            }];
            if !whole {
                reasons.push("the designation is part of a longer text".to_owned());
            }
            if k.chars().count() < SHORT_KEY {
                score *= SHORT_FACTOR;
                reasons.push(format!(
                    "'{written}' is a short designation and may mean something else"
                ));
            }
            reasons.push(format!(
                "{}; country of origin {} ({}); where a particular weapon was made is shown \
                 by its own markings",
                entry.category.label(),
                entry.country.name(),
                entry.country
            ));
            out.push(Found {
                row,
                start,
                end,
                name,
                written: written.to_owned(),
                score,
                reasons,
            });
        }
    }
    out
}

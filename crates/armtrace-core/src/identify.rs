//! Marking identification: what a headstamp or a weapon designation most likely means.
//!
//! [`identify`] reads a marking against two reference tables compiled into the binary,
//! `data/headstamps.csv` (ammunition factory codes) and `data/models.csv` (weapon model
//! designations), and returns every plausible reading, most likely first, each with a
//! confidence, the reasons for it and the public source of the table row.
//!
//! ```
//! use armtrace_core::identify::{identify, Kind};
//!
//! let found = identify("539 82", 2026);
//! assert_eq!(found[0].kind, Kind::Headstamp);
//! assert_eq!(found[0].manufacturer.as_deref(), Some("Tula Cartridge Works"));
//! assert_eq!(found[0].country.unwrap().as_str(), "SU");
//! assert_eq!(found[0].year, Some(1982));
//! ```
//!
//! Confidence is a judgement, not a probability: a code with a plausible year scores well,
//! a bare one-digit number badly, and readings that compete for the same marking share
//! their confidence. Nothing here ever reaches 1.0. The year that two-digit headstamp years
//! are read against is a parameter: this crate has no clock.
//!
//! Years on headstamps ([`headstamp_year`]): a year is never before 1900 nor after the
//! reference year plus one (a lot may be stamped with next year). Two digits are read in
//! the latest century that keeps them in that window, so with 2026 as the reference `27`
//! is 2027 and `28` is 1928; when another century also fits, the reading says so
//! ("ambiguous: it could also be 1927"). One digit is never read as a year, since it
//! repeats every decade; a reading says when a lone digit may have been one.
//!
//! What this module must not do: read files or clocks, or change records. The importer
//! asks [`suggestion_for_item`] and reports the answer; it never overwrites what an
//! investigator wrote.

mod designation;
mod marking;
mod table;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::country::CountryCode;
use crate::item::{Category, Item};

pub use marking::{headstamp_year, year_alternatives};
pub use table::{Headstamp, Model, ModelCategory, headstamps, models};

/// What kind of table entry a marking was matched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An ammunition headstamp code.
    Headstamp,
    /// A weapon model designation.
    Model,
}

/// One reading of a marking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identification {
    pub kind: Kind,
    /// The table entry matched: a headstamp code (`539`) or a model designation (`AK-47`).
    pub matched: String,
    /// The part of the marking that matched, as written.
    pub found: String,
    /// The factory (headstamps) or manufacturer (models), when the table names one.
    pub manufacturer: Option<String>,
    /// For headstamps, the state the factory was in that year; for models, the country of
    /// origin of the design.
    pub country: Option<CountryCode>,
    /// Year of manufacture read from a headstamp.
    pub year: Option<i16>,
    /// The calibre written in the marking (headstamps) or the model's calibre.
    pub calibre: Option<String>,
    /// What kind of weapon, for models.
    pub category: Option<ModelCategory>,
    /// Between 0 and 1, rounded to two decimals.
    pub confidence: f64,
    /// Why, in words, one fact per entry.
    pub reasons: Vec<String>,
    /// The public reference(s) for the table row.
    pub source: String,
}

/// Every plausible reading of `marking`, most likely first; empty when nothing in it is in
/// the tables. `reference_year` is the current year, used to read two-digit years.
pub fn identify(marking: &str, reference_year: i16) -> Vec<Identification> {
    let tokens = marking::tokens(marking);
    if tokens.is_empty() {
        return Vec::new();
    }
    let designations = designation::find(marking, &tokens);
    let readings = marking::readings(&tokens, reference_year);
    let mut out = Vec::with_capacity(designations.len() + readings.len());

    // Headstamp readings compete with each other: a headstamp names one factory.
    let shares = shares(readings.iter().map(|r| r.score));
    for (reading, share) in readings.into_iter().zip(shares) {
        let entry = &headstamps()[reading.row];
        let mut reasons = reading.reasons;
        let mut confidence = reading.score * share;
        if share < 1.0 {
            reasons.push(format!(
                "the marking has other readings; this one keeps {:.0}% of its weight",
                share * 100.0
            ));
        }
        let code = &tokens[reading.code_token];
        if let Some(d) = designations
            .iter()
            .find(|d| (d.start..d.end).contains(&reading.code_token))
        {
            confidence *= 0.5;
            reasons.push(format!(
                "'{}' is also part of the designation {}",
                code.text, d.name
            ));
        }
        out.push(Identification {
            kind: Kind::Headstamp,
            matched: entry.code.clone(),
            found: code.text.clone(),
            manufacturer: Some(entry.factory.clone()),
            country: Some(entry.country_in(reading.year)),
            year: reading.year,
            calibre: reading.calibre,
            category: None,
            confidence: round(confidence),
            reasons,
            source: entry.source.clone(),
        });
    }

    // Designations compete only with others found on the same words.
    for found in &designations {
        let rivals = designations
            .iter()
            .filter(|d| d.start == found.start && d.end == found.end);
        let total: f64 = rivals.clone().map(|d| d.score).sum();
        let share = found.score / total;
        let entry = &models()[found.row];
        let mut reasons = found.reasons.clone();
        if share < 1.0 {
            let others: Vec<&str> = rivals
                .filter(|d| d.row != found.row)
                .map(|d| models()[d.row].model.as_str())
                .collect();
            reasons.push(format!(
                "'{}' also names {}; confidence is shared",
                found.written,
                others.join(", ")
            ));
        }
        if !entry.single_source {
            reasons.push(
                "not known to be made in one country only: the country given is that of the \
                 design, not necessarily of this weapon"
                    .to_owned(),
            );
        }
        out.push(Identification {
            kind: Kind::Model,
            matched: entry.model.clone(),
            found: found.written.clone(),
            manufacturer: entry.manufacturer.clone(),
            country: Some(entry.country),
            year: None,
            calibre: entry.calibre.clone(),
            category: Some(entry.category),
            confidence: round(found.score * share),
            reasons,
            source: entry.source.clone(),
        });
    }

    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.matched.cmp(&b.matched))
    });
    out
}

/// Each score's share of the total, weighted by itself, so that a clear favourite keeps
/// most of its weight and equal rivals split it: `score * share` is the confidence.
fn shares(scores: impl Iterator<Item = f64> + Clone) -> Vec<f64> {
    let total: f64 = scores.clone().sum();
    scores
        .map(|s| if total > 0.0 { s / total } else { 0.0 })
        .collect()
}

/// Never certain, never below zero, two decimals.
fn round(confidence: f64) -> f64 {
    (confidence.clamp(0.0, MAX_CONFIDENCE) * 100.0).round() / 100.0
}

/// The highest confidence any reading can have: a marking is never proof.
pub const MAX_CONFIDENCE: f64 = 0.95;

/// The lowest confidence at which a reading is offered as a suggestion.
pub const SUGGESTION_THRESHOLD: f64 = 0.5;

/// How close a reading that disagrees must come to the best one to block a suggestion.
const CONFLICT_MARGIN: f64 = 0.15;

/// What the importer may suggest for an item's manufacturer, country and year of
/// manufacture, and why. A suggestion is reported to the user, never written over data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub manufacturer: Option<String>,
    pub country: Option<CountryCode>,
    pub year: Option<i16>,
    pub confidence: f64,
    /// The field the reading came from: `markings` or `model`.
    pub read_from: &'static str,
    /// The reading the suggestion rests on, with its reasons and source.
    pub basis: Identification,
    /// Where the item already says something different.
    pub disagreements: Vec<String>,
}

/// The best suggestion from an item's markings and model text, or `None` when nothing
/// reads clearly enough or two readings disagree. Models only count when every weapon of
/// that designation was made in one country (see [`Model::single_source`]).
pub fn suggestion_for(
    markings: Option<&str>,
    model: Option<&str>,
    reference_year: i16,
) -> Option<Suggestion> {
    best(
        markings,
        model,
        reference_year,
        &[Kind::Headstamp, Kind::Model],
    )
}

/// Like [`suggestion_for`], for an item: headstamps only for ammunition, designations only
/// for weapons, and only the fields the item leaves empty. `None` when there is nothing
/// to add and nothing to point out.
pub fn suggestion_for_item(item: &Item, reference_year: i16) -> Option<Suggestion> {
    let kinds: &[Kind] = match item.category {
        Category::Ammunition => &[Kind::Headstamp],
        Category::Weapon => &[Kind::Model],
        _ => &[Kind::Headstamp, Kind::Model],
    };
    let mut s = best(
        item.markings.as_deref(),
        item.model.as_deref(),
        reference_year,
        kinds,
    )?;
    if let (Some(have), Some(read)) = (item.country_of_manufacture, s.country)
        && have != read
    {
        s.disagreements.push(format!(
            "country_of_manufacture is {have} but the {} reads as {read}",
            s.read_from
        ));
    }
    if let (Some(have), Some(read)) = (item.year_of_manufacture, s.year)
        && have != read
    {
        s.disagreements.push(format!(
            "year_of_manufacture is {have} but the {} reads as {read}",
            s.read_from
        ));
    }
    if item.manufacturer.is_some() {
        s.manufacturer = None;
    }
    if item.country_of_manufacture.is_some() {
        s.country = None;
    }
    if item.year_of_manufacture.is_some() {
        s.year = None;
    }
    let adds = s.manufacturer.is_some() || s.country.is_some() || s.year.is_some();
    (adds || !s.disagreements.is_empty()).then_some(s)
}

fn best(
    markings: Option<&str>,
    model: Option<&str>,
    reference_year: i16,
    kinds: &[Kind],
) -> Option<Suggestion> {
    let read = |field: &'static str, text: Option<&str>| {
        identify(text.unwrap_or(""), reference_year)
            .into_iter()
            .map(move |id| (field, id))
    };
    let mut candidates: Vec<(&'static str, Identification)> = read("markings", markings)
        .chain(read("model", model))
        .filter(|(_, id)| kinds.contains(&id.kind))
        .filter(|(_, id)| id.kind == Kind::Headstamp || single_source(&id.matched))
        .collect();
    candidates.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence));
    let (read_from, top) = candidates.first()?.clone();
    if top.confidence < SUGGESTION_THRESHOLD {
        return None;
    }
    let rival = candidates[1..].iter().any(|(_, other)| {
        other.confidence >= top.confidence - CONFLICT_MARGIN
            && (other.country != top.country || other.manufacturer != top.manufacturer)
    });
    if rival {
        return None;
    }
    Some(Suggestion {
        manufacturer: top.manufacturer.clone(),
        country: top.country,
        year: top.year,
        confidence: top.confidence,
        read_from,
        basis: top,
        disagreements: Vec::new(),
    })
}

fn single_source(model: &str) -> bool {
    models().iter().any(|m| m.model == model && m.single_source)
}

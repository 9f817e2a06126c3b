//! Supply-line hypotheses for a recovered item: the documented transfers of its model
//! that could have brought it where it was found, ranked, each with why.
//!
//! Register-level knowledge (SIPRI: "state A delivered 40 launchers of this model to
//! state B in 2012") does not say that *this* item travelled that way; it says which
//! routes to trace first. A transfer is a candidate when its designation matches the
//! item's model ([`designation`]: `9M113 Konkurs` ~ `9M113`, and ~ `Konkurs` as SIPRI
//! writes it) and it was delivered on or
//! before the recovery (its first delivery year, or `delivered_on`; the same year counts,
//! since a year alone cannot be ordered against a day). Transfers with no delivery date
//! are not candidates.
//!
//! Candidates are ranked by:
//!
//! 1. **where they went**: the recovery country first, then its land neighbours
//!    ([`borders`](crate::borders)), then the rest. A recipient without a code (a
//!    non-state group) counts where its name places it (`Houthi rebels (Yemen)*` is in
//!    Yemen), never as that country's state;
//! 2. how well the designation matches (exact, designator, name, variant);
//! 3. time: deliveries nearer the recovery first;
//! 4. confidence, highest first; then reference.
//!
//! This file decides and words; it reads nothing. The CLI prints what it returns.

pub mod designation;

use serde::Serialize;

use crate::borders;
use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::Item;
use crate::transfer::{Confidence, Transfer, TransferSource};

pub use designation::{Designation, DesignationMatch};

/// Where a candidate transfer went, relative to the recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankGroup {
    /// Delivered to the recovery country (or to a group based there).
    RecoveryCountry,
    /// Delivered to a land neighbour of the recovery country.
    Neighbour,
    /// Anywhere else, or the recovery country is not documented.
    Elsewhere,
}

/// The item the candidates are for, as the JSON answer shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateItem {
    #[serde(rename = "ref")]
    pub reference: String,
    pub model: String,
    pub recovered_on: Option<PartialDate>,
    pub recovered_country: Option<CountryCode>,
    pub recovered_place: Option<String>,
}

/// One documented transfer that could explain the item: the contract JSON of
/// `armtrace transfers candidates --json` (`candidates[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub transfer_ref: String,
    pub supplier: Option<String>,
    pub supplier_country: Option<CountryCode>,
    pub recipient: Option<String>,
    pub recipient_country: Option<CountryCode>,
    /// The transfer's model as its source names it.
    pub designation: Option<String>,
    /// The (first) delivery.
    pub delivered: Option<PartialDate>,
    pub quantity: Option<u32>,
    /// Trend-indicator value delivered (`tiv_delivered`).
    pub tiv: Option<f64>,
    pub source: TransferSource,
    pub confidence: Confidence,
    pub rank_group: RankGroup,
    /// Why it is a candidate, in sentences.
    pub reasons: Vec<String>,
    #[serde(skip)]
    pub matched: DesignationMatch,
    /// Whole years from delivery to recovery (`None` without a recovery date).
    #[serde(skip)]
    pub years_before: Option<i64>,
}

/// The answer of `armtrace transfers candidates REF --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidates {
    pub item: CandidateItem,
    pub candidates: Vec<Candidate>,
}

/// Why an item has no candidates to look for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CandidatesError {
    #[error(
        "item {0} has no model: candidates are found by designation; set its model (e.g. `9M113`) and ask again"
    )]
    NoModel(String),
}

/// The documented transfers that could have brought `item` where it was recovered,
/// best first.
pub fn supply_candidates(
    item: &Item,
    transfers: &[Transfer],
) -> Result<Candidates, CandidatesError> {
    let model = item
        .model
        .as_deref()
        .and_then(Designation::new)
        .ok_or_else(|| CandidatesError::NoModel(item.reference.clone()))?;
    let mut candidates: Vec<Candidate> = transfers
        .iter()
        .filter_map(|t| candidate(item, &model, t))
        .collect();
    candidates.sort_by(|a, b| {
        a.rank_group
            .cmp(&b.rank_group)
            .then(a.matched.cmp(&b.matched))
            .then(match (a.years_before, b.years_before) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then(b.confidence.cmp(&a.confidence))
            .then_with(|| a.transfer_ref.cmp(&b.transfer_ref))
    });
    Ok(Candidates {
        item: CandidateItem {
            reference: item.reference.clone(),
            model: model.written.clone(),
            recovered_on: item.recovered_on,
            recovered_country: item.recovered_country,
            recovered_place: item.recovered_place.clone(),
        },
        candidates,
    })
}

/// The first delivery of a transfer: `delivered_on`, else its first delivery year.
fn first_delivery(t: &Transfer) -> Option<PartialDate> {
    t.delivered_on.or_else(|| {
        t.delivery_years
            .first()
            .and_then(|y| PartialDate::year_only(*y).ok())
    })
}

/// Delivered on or before the recovery: by day when both dates are full, else by year.
fn delivered_by(delivered: PartialDate, recovered: PartialDate) -> bool {
    if delivered.is_full() && recovered.is_full() {
        delivered <= recovered
    } else {
        delivered.year() <= recovered.year()
    }
}

/// Where a recipient is: its code, or for an actor without one the country its name
/// places it in (`Houthi rebels (Yemen)*` → YE).
fn recipient_place(t: &Transfer) -> Option<CountryCode> {
    t.recipient_country.or_else(|| {
        let name = t.recipient.as_deref()?;
        let inside = name.rsplit_once('(')?.1.split_once(')')?.0;
        CountryCode::parse(inside).ok()
    })
}

fn candidate(item: &Item, model: &Designation, t: &Transfer) -> Option<Candidate> {
    let theirs = Designation::new(t.model.as_deref()?)?;
    let matched = model.matches(&theirs)?;
    let delivered = first_delivery(t)?;
    if let Some(recovered) = item.recovered_on
        && !delivered_by(delivered, recovered)
    {
        return None;
    }
    let years_before = item
        .recovered_on
        .map(|r| i64::from(r.year()) - i64::from(delivered.year()));
    let place = recipient_place(t);
    let rank_group = match (item.recovered_country, place) {
        (Some(r), Some(p)) if r == p => RankGroup::RecoveryCountry,
        (Some(r), Some(p)) if borders::are_neighbours(r, p) => RankGroup::Neighbour,
        _ => RankGroup::Elsewhere,
    };
    let reasons = vec![
        designation_reason(model, &theirs, matched),
        place_reason(item, t, place, rank_group, delivered, years_before),
        source_reason(t),
    ];
    Some(Candidate {
        transfer_ref: t.transfer_ref.clone(),
        supplier: t.supplier.clone(),
        supplier_country: t.supplier_country,
        recipient: t.recipient.clone(),
        recipient_country: t.recipient_country,
        designation: t.model.clone(),
        delivered: Some(delivered),
        quantity: t.quantity,
        tiv: t.tiv_delivered,
        source: t.source,
        confidence: t.confidence,
        rank_group,
        reasons,
        matched,
        years_before,
    })
}

fn designation_reason(
    item: &Designation,
    theirs: &Designation,
    matched: DesignationMatch,
) -> String {
    match matched {
        DesignationMatch::Exact => format!("same designation {}", theirs.written),
        DesignationMatch::Designator => format!(
            "designation {} shares the designator {} with the item's {}",
            theirs.written,
            item.designator(),
            item.written
        ),
        DesignationMatch::Name => format!(
            "designation {} and the item's {} name the same weapon",
            theirs.written, item.written
        ),
        DesignationMatch::Variant => format!(
            "designation {} and the item's {} are variants of one design ({} / {})",
            theirs.written,
            item.written,
            theirs.designator(),
            item.designator()
        ),
    }
}

/// `delivered to Syria, a neighbour of Iraq (recovery country), in 2012, 3 years before recovery`
fn place_reason(
    item: &Item,
    t: &Transfer,
    place: Option<CountryCode>,
    group: RankGroup,
    delivered: PartialDate,
    years_before: Option<i64>,
) -> String {
    let recipient = match (t.recipient.as_deref(), t.recipient_country) {
        (Some(name), _) => name.to_owned(),
        (None, Some(c)) => c.name().to_owned(),
        (None, None) => "an undocumented recipient".to_owned(),
    };
    let recovery = item.recovered_country.map(|c| c.name());
    let mut s = format!("delivered to {recipient}");
    match (group, recovery, place) {
        (RankGroup::RecoveryCountry, _, _) if t.recipient_country.is_some() => {
            s.push_str(" (recovery country)")
        }
        (RankGroup::RecoveryCountry, Some(r), _) => {
            s.push_str(&format!(", based in {r} (recovery country)"))
        }
        (RankGroup::Neighbour, Some(r), _) if t.recipient_country.is_some() => {
            s.push_str(&format!(", a neighbour of {r} (recovery country)"))
        }
        (RankGroup::Neighbour, Some(r), Some(p)) => s.push_str(&format!(
            ", based in {}, a neighbour of {r} (recovery country)",
            p.name()
        )),
        _ => {}
    }
    s.push_str(&format!(" in {delivered}"));
    match years_before {
        Some(0) => s.push_str(", the year of recovery"),
        Some(1) => s.push_str(", 1 year before recovery"),
        Some(n) => s.push_str(&format!(", {n} years before recovery")),
        None => s.push_str("; the recovery date is not documented, so timing was not checked"),
    }
    if group == RankGroup::Elsewhere {
        match recovery {
            Some(r) => s.push_str(&format!(
                "; not {r} (recovery country) or one of its neighbours"
            )),
            None => s.push_str("; the recovery country is not documented"),
        }
    }
    s
}

/// `SIPRI register-level, low confidence: estimated quantity, estimated delivery year`
fn source_reason(t: &Transfer) -> String {
    let source = match t.source {
        TransferSource::Sipri => "SIPRI register-level (a deal, not these items)",
        TransferSource::Licence => "export licence or end-user certificate",
        TransferSource::TraceResponse => "trace response",
        TransferSource::Investigator => "investigator's record",
    };
    let mut s = format!("{source}, {} confidence", t.confidence);
    let estimated: Vec<&str> = t
        .estimates
        .iter()
        .filter_map(|f| match f.as_str() {
            "quantity" => Some("estimated quantity"),
            "delivered_on" | "delivery_years" => Some("estimated delivery year"),
            "authorised_on" => Some("estimated order year"),
            "number_ordered" => Some("estimated number ordered"),
            _ => None,
        })
        .collect();
    if !estimated.is_empty() {
        s.push_str(": ");
        s.push_str(&estimated.join(", "));
    }
    s
}

#[cfg(test)]
mod tests;

//! Trace requests under the International Tracing Instrument (ITI, UN General Assembly,
//! 2005): what an investigator asks a manufacturer or a state about recovered items, and
//! where that request stands.
//!
//! A request names its subject (one item, a serial run or a lot), copies the subject
//! items' particulars at drafting time (so the request stays what was sent even if the
//! register is corrected later), and moves through `draft → sent → acknowledged →
//! answered → closed`. Status changes go through [`TraceRequest::advance`], which
//! records the date of each move and, when it refuses one, says which moves are
//! allowed. Whether a request is overdue is computed from a `today` the caller passes,
//! never stored and never read from a clock.
//! The application prints it (`armtrace-app::render::trace_print`).
//!
//! This module keeps no files, sends nothing and reads no clock.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::custody::day_span;
use crate::date::PartialDate;
use crate::item::{Category, Item};
use crate::link::{LotCluster, Run};

/// Where a trace request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceStatus {
    Draft,
    Sent,
    Acknowledged,
    Answered,
    Closed,
}

impl TraceStatus {
    pub const ALL: [TraceStatus; 5] = [
        TraceStatus::Draft,
        TraceStatus::Sent,
        TraceStatus::Acknowledged,
        TraceStatus::Answered,
        TraceStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TraceStatus::Draft => "draft",
            TraceStatus::Sent => "sent",
            TraceStatus::Acknowledged => "acknowledged",
            TraceStatus::Answered => "answered",
            TraceStatus::Closed => "closed",
        }
    }

    /// The statuses a request may move to from this one. Moves only go forward. An
    /// answer may arrive without a separate acknowledgement (it implies receipt), and a
    /// request still waiting may be closed unanswered (withdrawn, or abandoned after
    /// reminders); its `answer` then stays empty.
    pub fn next(self) -> &'static [TraceStatus] {
        use TraceStatus::*;
        match self {
            Draft => &[Sent],
            Sent => &[Acknowledged, Answered, Closed],
            Acknowledged => &[Answered, Closed],
            Answered => &[Closed],
            Closed => &[],
        }
    }

    /// True while the addressee owes a reply.
    pub fn awaits_reply(self) -> bool {
        matches!(self, TraceStatus::Sent | TraceStatus::Acknowledged)
    }
}

impl fmt::Display for TraceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TraceStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase();
        TraceStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == wanted)
            .ok_or_else(|| format!("is not one of {}", list(&TraceStatus::ALL, ", ")))
    }
}

fn list(statuses: &[TraceStatus], last: &str) -> String {
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    match names.split_last() {
        None => String::new(),
        Some((only, [])) => (*only).to_owned(),
        Some((final_name, rest)) => format!("{}{last}{final_name}", rest.join(", ")),
    }
}

/// A status change the lifecycle does not allow, or a request not fit to send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("{}", transition_message(.from, .to, .allowed))]
    NotAllowed {
        from: TraceStatus,
        to: TraceStatus,
        allowed: &'static [TraceStatus],
    },
    #[error("the request cannot be sent without: {}", .missing.join(", "))]
    Incomplete { missing: Vec<&'static str> },
}

fn transition_message(from: &TraceStatus, to: &TraceStatus, allowed: &[TraceStatus]) -> String {
    if allowed.is_empty() {
        format!("a {from} trace request cannot become {to}: it is final")
    } else {
        format!(
            "a {from} trace request cannot become {to}: it can become {}",
            list(allowed, " or ")
        )
    }
}

/// Who is asked: the manufacturer of the items or a state that held them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddresseeKind {
    Manufacturer,
    State,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressee {
    pub kind: AddresseeKind,
    /// A company, or the authority of a state (e.g. "Ministry of Foreign Affairs").
    pub name: String,
    pub country: Option<CountryCode>,
}

/// What the request is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceSubject {
    Item {
        #[serde(rename = "ref")]
        reference: String,
    },
    Run {
        refs: Vec<String>,
    },
    Lot {
        manufacturer: Option<String>,
        lot: String,
        year: Option<i16>,
        refs: Vec<String>,
    },
}

impl TraceSubject {
    /// The references of the items concerned.
    pub fn refs(&self) -> Vec<&str> {
        match self {
            TraceSubject::Item { reference } => vec![reference.as_str()],
            TraceSubject::Run { refs } | TraceSubject::Lot { refs, .. } => {
                refs.iter().map(String::as_str).collect()
            }
        }
    }
}

impl From<&Run> for TraceSubject {
    fn from(run: &Run) -> Self {
        TraceSubject::Run {
            refs: run.refs.clone(),
        }
    }
}

impl From<&LotCluster> for TraceSubject {
    fn from(lot: &LotCluster) -> Self {
        TraceSubject::Lot {
            manufacturer: lot.manufacturer.clone(),
            lot: lot.lot.clone(),
            year: lot.year,
            refs: lot.refs.clone(),
        }
    }
}

/// One item's identifying particulars (ITI para. 17(b): markings, type, calibre and
/// other relevant information), copied from the register when the request is drafted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Particulars {
    #[serde(rename = "ref")]
    pub reference: String,
    pub category: Category,
    pub item_type: Option<String>,
    pub model: Option<String>,
    pub calibre: Option<String>,
    pub manufacturer: Option<String>,
    pub country_of_manufacture: Option<CountryCode>,
    pub year_of_manufacture: Option<i16>,
    pub serial_number: Option<String>,
    pub lot_number: Option<String>,
    pub markings: Option<String>,
}

impl From<&Item> for Particulars {
    fn from(item: &Item) -> Self {
        Particulars {
            reference: item.reference.clone(),
            category: item.category,
            item_type: item.item_type.clone(),
            model: item.model.clone(),
            calibre: item.calibre.clone(),
            manufacturer: item.manufacturer.clone(),
            country_of_manufacture: item.country_of_manufacture,
            year_of_manufacture: item.year_of_manufacture,
            serial_number: item.serial_number.clone(),
            lot_number: item.lot_number.clone(),
            markings: item.markings.clone(),
        }
    }
}

/// A request to trace recovered items, and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceRequest {
    #[serde(rename = "ref")]
    pub reference: String,
    pub subject: TraceSubject,
    pub addressee: Addressee,
    pub requesting_party: String,
    /// Why the items are illicit and the legal justification (ITI para. 17(a)).
    pub reason: String,
    /// What the information will be used for (ITI para. 17(c)).
    pub intended_use: Option<String>,
    pub particulars: Vec<Particulars>,
    /// Hashes of the photographs and documents sent as evidence (e.g. `sha256:…`).
    pub photos: Vec<String>,
    pub created_on: PartialDate,
    pub sent_on: Option<PartialDate>,
    /// When a reply is expected.
    pub due_on: Option<PartialDate>,
    pub acknowledged_on: Option<PartialDate>,
    pub answered_on: Option<PartialDate>,
    pub closed_on: Option<PartialDate>,
    pub status: TraceStatus,
    pub answer: Option<String>,
}

impl TraceRequest {
    /// A new draft about `items`, whose particulars are copied now.
    pub fn draft(
        reference: impl Into<String>,
        subject: TraceSubject,
        addressee: Addressee,
        items: &[Item],
        created_on: PartialDate,
    ) -> TraceRequest {
        TraceRequest {
            reference: reference.into(),
            subject,
            addressee,
            requesting_party: String::new(),
            reason: String::new(),
            intended_use: None,
            particulars: items.iter().map(Particulars::from).collect(),
            photos: Vec::new(),
            created_on,
            sent_on: None,
            due_on: None,
            acknowledged_on: None,
            answered_on: None,
            closed_on: None,
            status: TraceStatus::Draft,
            answer: None,
        }
    }

    /// What ITI para. 17 needs that this request lacks, by field name.
    pub fn missing_for_sending(&self) -> Vec<&'static str> {
        let blank = |s: &str| s.trim().is_empty();
        [
            (blank(&self.requesting_party), "requesting_party"),
            (blank(&self.addressee.name), "addressee"),
            (blank(&self.reason), "reason"),
            (self.particulars.is_empty(), "particulars"),
        ]
        .into_iter()
        .filter_map(|(missing, field)| missing.then_some(field))
        .collect()
    }

    /// Moves the request to `to` on the date `on`, recording that date.
    /// Sending needs the ITI para. 17 information (see
    /// [`TraceRequest::missing_for_sending`]).
    pub fn advance(&mut self, to: TraceStatus, on: PartialDate) -> Result<(), TraceError> {
        let allowed = self.status.next();
        if !allowed.contains(&to) {
            return Err(TraceError::NotAllowed {
                from: self.status,
                to,
                allowed,
            });
        }
        if to == TraceStatus::Sent {
            let missing = self.missing_for_sending();
            if !missing.is_empty() {
                return Err(TraceError::Incomplete { missing });
            }
        }
        let date = match to {
            TraceStatus::Draft => unreachable!("nothing moves back to draft"),
            TraceStatus::Sent => &mut self.sent_on,
            TraceStatus::Acknowledged => &mut self.acknowledged_on,
            TraceStatus::Answered => &mut self.answered_on,
            TraceStatus::Closed => &mut self.closed_on,
        };
        *date = Some(on);
        self.status = to;
        Ok(())
    }

    /// Records the addressee's answer and moves the request to `answered`.
    pub fn record_answer(
        &mut self,
        text: impl Into<String>,
        on: PartialDate,
    ) -> Result<(), TraceError> {
        self.advance(TraceStatus::Answered, on)?;
        self.answer = Some(text.into());
        Ok(())
    }

    /// True when a reply is owed and `today` is certainly past the due date (a due date
    /// of `2016-07` falls due at the end of July).
    pub fn is_overdue(&self, today: PartialDate) -> bool {
        self.status.awaits_reply()
            && self
                .due_on
                .is_some_and(|due| day_span(today).0 > day_span(due).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{date, trace_request as request};
    use TraceStatus::*;

    #[test]
    fn the_lifecycle_moves_forward_only() {
        let mut r = request();
        assert_eq!(r.particulars[0].serial_number.as_deref(), Some("AB1234"));
        r.advance(Sent, date("2016-01-10")).unwrap();
        r.advance(Acknowledged, date("2016-01-20")).unwrap();
        r.record_answer(
            "Exported to Iraq in 2014 under licence L-123.",
            date("2016-03-01"),
        )
        .unwrap();
        r.advance(Closed, date("2016-03-02")).unwrap();
        assert_eq!(
            (r.sent_on, r.acknowledged_on, r.answered_on, r.closed_on),
            (
                Some(date("2016-01-10")),
                Some(date("2016-01-20")),
                Some(date("2016-03-01")),
                Some(date("2016-03-02"))
            )
        );
        let e = r.advance(Sent, date("2016-04-01")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a closed trace request cannot become sent: it is final"
        );
    }

    #[test]
    fn refused_moves_name_the_allowed_ones() {
        let mut r = request();
        let e = r.advance(Answered, date("2016-01-10")).unwrap_err();
        assert_eq!(
            e,
            TraceError::NotAllowed {
                from: Draft,
                to: Answered,
                allowed: &[Sent]
            }
        );
        assert_eq!(
            e.to_string(),
            "a draft trace request cannot become answered: it can become sent"
        );
        r.advance(Sent, date("2016-01-10")).unwrap();
        let e = r.advance(Draft, date("2016-01-11")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a sent trace request cannot become draft: it can become acknowledged, answered or closed"
        );
        assert_eq!(r.status, Sent);
        // An answer without acknowledgement, and closing unanswered, are allowed.
        assert!(r.clone().advance(Answered, date("2016-02-01")).is_ok());
        assert!(r.advance(Closed, date("2016-02-01")).is_ok());
    }

    #[test]
    fn sending_needs_the_iti_information() {
        let mut r = request();
        r.reason = "  ".into();
        r.particulars.clear();
        let e = r.advance(Sent, date("2016-01-10")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the request cannot be sent without: reason, particulars"
        );
        assert_eq!(r.status, Draft);
        assert_eq!(r.sent_on, None);
    }

    #[test]
    fn overdue_only_while_a_reply_is_owed() {
        let mut r = request();
        r.due_on = Some(date("2016-02-29"));
        assert!(
            !r.is_overdue(date("2016-03-01")),
            "a draft is never overdue"
        );
        r.advance(Sent, date("2016-01-10")).unwrap();
        assert!(
            !r.is_overdue(date("2016-02-29")),
            "due today is not overdue"
        );
        assert!(r.is_overdue(date("2016-03-01")));
        r.advance(Acknowledged, date("2016-01-20")).unwrap();
        assert!(r.is_overdue(date("2016-03-01")));
        r.due_on = Some(date("2016-03"));
        assert!(!r.is_overdue(date("2016-03-31")));
        assert!(r.is_overdue(date("2016-04-01")));
        r.due_on = None;
        assert!(!r.is_overdue(date("2030-01-01")));
        r.due_on = Some(date("2016-02-01"));
        r.advance(Answered, date("2016-03-01")).unwrap();
        assert!(!r.is_overdue(date("2016-03-02")));
    }

    #[test]
    fn subjects_from_runs_and_lots() {
        use crate::link::{LinkEntry, lot_clusters};
        let e = |r: &'static str| LinkEntry {
            reference: r,
            manufacturer: Some("F10"),
            lot: Some("17-83"),
            year: Some(1983),
            ..LinkEntry::default()
        };
        let lots = lot_clusters(&[e("a"), e("b")]);
        let subject = TraceSubject::from(&lots[0]);
        assert_eq!(subject.refs(), ["a", "b"]);
        let json = serde_json::to_string(&TraceSubject::Item {
            reference: "X".into(),
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"item","ref":"X"}"#);
        assert_eq!("Acknowledged".parse::<TraceStatus>(), Ok(Acknowledged));
        assert!(
            "lost"
                .parse::<TraceStatus>()
                .unwrap_err()
                .contains("draft, sent, acknowledged, answered, closed")
        );
    }
}

//! One item's chain of custody, and the diversion it shows.
//!
//! Rules, written down once here:
//! * a transfer is **before the recovery** when its delivery certainly happened on or
//!   before the recovery: the last day its `delivered_on` may stand for is not after the
//!   first day the recovery date may stand for (`2015-02` is before `2015-03-01`;
//!   `2015-03` is not, it may be 2015-03-31). It is **after the recovery** when it
//!   certainly happened later, and **undetermined** otherwise (overlapping or missing
//!   dates). `authorised_on` orders an undelivered transfer but never places it;
//! * the transfers before the recovery form the chain. The last of them in delivery
//!   order is the last legitimate transfer, and `days` = recovery − its delivery;
//! * a diversion needs a full recovery date, at least one transfer before the recovery,
//!   and a full delivery date on the last one. When the last one is dated only to the
//!   month or year, no diversion is reported rather than one counted from an earlier
//!   delivery, which would name the wrong last holder;
//! * transfers after the recovery stay in the chain of custody, marked, because an
//!   investigator needs to see them (a re-export of stock the item had already left),
//!   but never count towards a diversion.

use std::fmt;

use serde::Serialize;

use super::day_span;
use super::index::{Coverage, TransferIndex};
use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::item::Item;
use crate::link::LinkEntry;
use crate::transfer::Transfer;

/// Where a delivery stands relative to the recovery of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    BeforeRecovery,
    AfterRecovery,
    Undetermined,
}

/// Places a delivery relative to a recovery (see the module rules).
pub fn timing(delivered_on: Option<PartialDate>, recovered_on: Option<PartialDate>) -> Timing {
    let (Some(delivered), Some(recovered)) = (delivered_on, recovered_on) else {
        return Timing::Undetermined;
    };
    let (delivered_first, delivered_last) = day_span(delivered);
    let (recovered_first, recovered_last) = day_span(recovered);
    if delivered_last <= recovered_first {
        Timing::BeforeRecovery
    } else if delivered_first > recovered_last {
        Timing::AfterRecovery
    } else {
        Timing::Undetermined
    }
}

/// The time between an item's last documented legitimate delivery and its recovery.
/// The first seven fields are the contract of `armtrace diversion --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diversion {
    #[serde(rename = "ref")]
    pub reference: String,
    /// The last legitimate transfer.
    pub transfer_ref: String,
    /// Its end user; its recipient when it names no end user (the recipient is then the
    /// end user of record).
    pub end_user: Option<String>,
    pub delivered_on: PartialDate,
    pub recovered_on: PartialDate,
    pub days: i64,
    /// How many covering transfers were delivered on or before the recovery.
    pub chain_length: usize,
    pub recipient: Option<String>,
    pub recipient_country: Option<CountryCode>,
    pub recovered_country: Option<CountryCode>,
}

/// The JSON `armtrace diversion --json` prints: `{"items":[…]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiversionReport {
    pub items: Vec<Diversion>,
}

/// Why an item has no diversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDiversion {
    RecoveryDateUnknown,
    RecoveryDatePartial,
    NoDeliveryBeforeRecovery,
    DeliveryDatePartial,
}

impl fmt::Display for NoDiversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoDiversion::RecoveryDateUnknown => {
                "the recovery date is not documented, so no delivery can be placed before it"
            }
            NoDiversion::RecoveryDatePartial => {
                "the recovery date is known only to the month or year, so the days since the last delivery cannot be counted"
            }
            NoDiversion::NoDeliveryBeforeRecovery => {
                "no documented delivery of this item is known to precede the recovery"
            }
            NoDiversion::DeliveryDatePartial => {
                "the last documented delivery is dated only to the month or year, so the days since it cannot be counted"
            }
        })
    }
}

/// The diversion of one item from its covering transfers (positions in `transfers`,
/// in delivery order). The one place the diversion rule is applied.
fn assess(
    entry: &LinkEntry,
    covering: impl Iterator<Item = usize>,
    transfers: &[Transfer],
) -> Result<Diversion, NoDiversion> {
    let recovered_on = entry.recovered_on.ok_or(NoDiversion::RecoveryDateUnknown)?;
    if !recovered_on.is_full() {
        return Err(NoDiversion::RecoveryDatePartial);
    }
    let mut chain = covering
        .map(|i| &transfers[i])
        .filter(|t| timing(t.delivered_on, Some(recovered_on)) == Timing::BeforeRecovery);
    let mut last = chain.next().ok_or(NoDiversion::NoDeliveryBeforeRecovery)?;
    let mut chain_length = 1;
    for t in chain {
        last = t;
        chain_length += 1;
    }
    let delivered_on = last
        .delivered_on
        .expect("only delivered transfers are before the recovery");
    let days = delivered_on
        .days_until(&recovered_on)
        .ok_or(NoDiversion::DeliveryDatePartial)?;
    Ok(Diversion {
        reference: entry.reference.to_owned(),
        transfer_ref: last.transfer_ref.clone(),
        end_user: last.end_user.clone().or_else(|| last.recipient.clone()),
        delivered_on,
        recovered_on,
        days,
        chain_length,
        recipient: last.recipient.clone(),
        recipient_country: last.recipient_country,
        recovered_country: entry.recovered_country,
    })
}

/// The diversions of a register, by item reference. Items without one are left out.
pub fn diversions(items: &[LinkEntry], index: &TransferIndex) -> Vec<Diversion> {
    let mut found: Vec<Diversion> = items
        .iter()
        .filter(|e| e.recovered_on.is_some_and(|d| d.is_full()))
        .filter_map(|e| {
            let covering = index.covering_basis(e);
            assess(e, covering.into_iter().map(|(i, _)| i), index.transfers()).ok()
        })
        .collect();
    found.sort_by(|a, b| a.reference.cmp(&b.reference));
    found
}

/// What the item is and where it came from, as marked and recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manufacture {
    pub manufacturer: Option<String>,
    pub country: Option<CountryCode>,
    pub year: Option<i16>,
    pub item_type: Option<String>,
    pub model: Option<String>,
    pub calibre: Option<String>,
    pub serial: Option<String>,
    pub lot: Option<String>,
}

/// Where, when and from whom the item was recovered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    pub on: Option<PartialDate>,
    pub country: Option<CountryCode>,
    pub place: Option<String>,
    pub from: Option<String>,
}

/// One covering transfer in an item's chain of custody.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyStep {
    pub transfer: Transfer,
    pub coverage: Coverage,
    /// `coverage` as a sentence, for readers of the JSON.
    pub evidence: String,
    pub timing: Timing,
}

/// An item's whole documented history: manufacture, every covering transfer in delivery
/// order, recovery, and the diversion or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyChain {
    #[serde(rename = "ref")]
    pub reference: String,
    pub manufacture: Manufacture,
    pub steps: Vec<CustodyStep>,
    pub recovery: Recovery,
    pub diversion: Option<Diversion>,
    pub no_diversion: Option<NoDiversion>,
}

/// Lays out the chain of custody of `item`.
pub fn custody_chain(item: &Item, index: &TransferIndex) -> CustodyChain {
    let entry = LinkEntry::from(item);
    let covering = index.covering(&entry);
    let outcome = assess(&entry, covering.iter().map(|(i, _)| *i), index.transfers());
    let steps = covering
        .into_iter()
        .map(|(i, coverage)| {
            let transfer = index.transfers()[i].clone();
            CustodyStep {
                timing: timing(transfer.delivered_on, item.recovered_on),
                evidence: coverage.to_string(),
                coverage,
                transfer,
            }
        })
        .collect();
    CustodyChain {
        reference: item.reference.clone(),
        manufacture: Manufacture {
            manufacturer: item.manufacturer.clone(),
            country: item.country_of_manufacture,
            year: item.year_of_manufacture,
            item_type: item.item_type.clone(),
            model: item.model.clone(),
            calibre: item.calibre.clone(),
            serial: item.serial_number.clone(),
            lot: item.lot_number.clone(),
        },
        steps,
        recovery: Recovery {
            on: item.recovered_on,
            country: item.recovered_country,
            place: item.recovered_place.clone(),
            from: item.recovered_from.clone(),
        },
        no_diversion: outcome.as_ref().err().copied(),
        diversion: outcome.ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{date, ranged, rifle as item, transfer, two_hops};

    #[test]
    fn timing_is_certain_or_undetermined() {
        let t = |d: &str, r: &str| timing(Some(date(d)), Some(date(r)));
        assert_eq!(t("2015-03-01", "2015-03-01"), Timing::BeforeRecovery);
        assert_eq!(t("2015-02", "2015-03-01"), Timing::BeforeRecovery);
        assert_eq!(t("2015-03", "2015-03-01"), Timing::Undetermined);
        assert_eq!(t("2015", "2015-06"), Timing::Undetermined);
        assert_eq!(t("2015-03-02", "2015-03-01"), Timing::AfterRecovery);
        assert_eq!(t("2015-04", "2015-03"), Timing::AfterRecovery);
        assert_eq!(timing(None, Some(date("2015"))), Timing::Undetermined);
        assert_eq!(timing(Some(date("2015")), None), Timing::Undetermined);
    }

    #[test]
    fn two_hop_chain_gives_the_last_hops_days() {
        let ts = two_hops();
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("IQ-1", "AB1234", Some("2015-03-01")), &index);
        let refs: Vec<_> = chain
            .steps
            .iter()
            .map(|s| s.transfer.transfer_ref.as_str())
            .collect();
        assert_eq!(refs, ["L-123", "MOD-7"]);
        let d = chain.diversion.unwrap();
        assert_eq!(
            (d.transfer_ref.as_str(), d.chain_length, d.days),
            ("MOD-7", 2, 59)
        );
        assert_eq!(d.end_user.as_deref(), Some("Iraqi Army 5th Division"));
        assert_eq!(chain.no_diversion, None);
        // Outside the second hop's range only the export covers it.
        let chain = custody_chain(&item("IQ-2", "AB1300", Some("2015-03-01")), &index);
        let d = chain.diversion.unwrap();
        assert_eq!(
            (d.transfer_ref.as_str(), d.chain_length, d.days),
            ("L-123", 1, 415)
        );
    }

    #[test]
    fn the_59_day_case() {
        let mut t = ranged("T", "AK-47", "AB1", "AB9");
        t.delivered_on = Some(date("2015-01-01"));
        let ts = [t];
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("X", "AB5", Some("2015-03-01")), &index);
        assert_eq!(chain.diversion.unwrap().days, 59);
    }

    #[test]
    fn deliveries_after_recovery_are_shown_but_not_counted() {
        let ts = two_hops();
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("IQ-1", "AB1234", Some("2014-06-01")), &index);
        let timings: Vec<_> = chain.steps.iter().map(|s| s.timing).collect();
        assert_eq!(timings, [Timing::BeforeRecovery, Timing::AfterRecovery]);
        let d = chain.diversion.unwrap();
        assert_eq!(
            (d.transfer_ref.as_str(), d.chain_length, d.days),
            ("L-123", 1, 142)
        );
        // Delivered on the very day of recovery: on or before, zero days.
        let chain = custody_chain(&item("IQ-1", "AB1234", Some("2015-01-01")), &index);
        assert_eq!(chain.diversion.unwrap().days, 0);
        // Recovered before any delivery.
        let chain = custody_chain(&item("IQ-1", "AB1234", Some("2013-12-31")), &index);
        assert_eq!(chain.diversion, None);
        assert_eq!(
            chain.no_diversion,
            Some(NoDiversion::NoDeliveryBeforeRecovery)
        );
        assert_eq!(chain.steps.len(), 2);
    }

    #[test]
    fn partial_dates_never_give_days() {
        let mut ts = two_hops();
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("A", "AB1234", Some("2015-03")), &index);
        assert_eq!(chain.no_diversion, Some(NoDiversion::RecoveryDatePartial));
        let chain = custody_chain(&item("A", "AB1234", None), &index);
        assert_eq!(chain.no_diversion, Some(NoDiversion::RecoveryDateUnknown));
        assert!(chain.steps.iter().all(|s| s.timing == Timing::Undetermined));
        // The last hop known only to the month: no diversion, rather than the export's days.
        ts[0].delivered_on = Some(date("2015-01"));
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("A", "AB1234", Some("2015-03-01")), &index);
        assert_eq!(chain.no_diversion, Some(NoDiversion::DeliveryDatePartial));
        // ... and a last hop in the month of recovery is undetermined, so the export is last.
        ts[0].delivered_on = Some(date("2015-03"));
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("A", "AB1234", Some("2015-03-01")), &index);
        assert_eq!(chain.steps[1].timing, Timing::Undetermined);
        assert_eq!(chain.diversion.unwrap().transfer_ref, "L-123");
    }

    #[test]
    fn end_user_falls_back_to_the_recipient() {
        let mut ts = two_hops();
        ts[0].end_user = Some("3rd Brigade".into());
        let index = TransferIndex::new(ts.clone());
        let d = custody_chain(&item("A", "AB1234", Some("2015-03-01")), &index)
            .diversion
            .unwrap();
        assert_eq!(d.end_user.as_deref(), Some("3rd Brigade"));
        assert_eq!(d.recipient.as_deref(), Some("Iraqi Army 5th Division"));
    }

    #[test]
    fn diversions_of_a_register_in_ref_order_with_the_contract_fields() {
        let ts = two_hops();
        let index = TransferIndex::new(ts.clone());
        let items = [
            item("B", "AB1234", Some("2015-03-01")),
            item("A", "AB1300", Some("2015-03-01")),
            item("C", "AB1234", Some("2015-03")),
            item("D", "ZZ1234", Some("2015-03-01")),
            item("E", "AB1234", Some("2013-01-01")),
        ];
        let entries: Vec<LinkEntry> = items.iter().map(LinkEntry::from).collect();
        let found = diversions(&entries, &index);
        let refs: Vec<_> = found.iter().map(|d| d.reference.as_str()).collect();
        assert_eq!(refs, ["A", "B"]);
        let json = serde_json::to_string(&DiversionReport {
            items: found.clone(),
        })
        .unwrap();
        assert!(
            json.starts_with(r#"{"items":[{"ref":"A","transfer_ref":"L-123","#),
            "{json}"
        );
        let json = serde_json::to_string(&found[1]).unwrap();
        assert!(
            json.starts_with(
                r#"{"ref":"B","transfer_ref":"MOD-7","end_user":"Iraqi Army 5th Division","delivered_on":"2015-01-01","recovered_on":"2015-03-01","days":59,"chain_length":2,"#
            ),
            "{json}"
        );
        // Every diversion agrees with the item's chain of custody.
        for (e, i) in entries.iter().zip(&items) {
            let from_chain = custody_chain(i, &index).diversion;
            assert_eq!(
                found.iter().find(|d| d.reference == e.reference),
                from_chain.as_ref()
            );
        }
    }

    #[test]
    fn an_empty_chain() {
        let ts = [transfer("unrelated")];
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("A", "AB1234", Some("2015-03-01")), &index);
        assert!(chain.steps.is_empty());
        assert_eq!(
            chain.no_diversion,
            Some(NoDiversion::NoDeliveryBeforeRecovery)
        );
    }

    #[test]
    fn the_demo_register_shows_its_59_day_diversion() {
        let items: Vec<Item> = crate::demo::items(3000, 1).collect();
        let transfers = crate::demo::transfers(3000, 1);
        let index = TransferIndex::new(transfers.clone());
        let entries: Vec<LinkEntry> = items.iter().map(LinkEntry::from).collect();
        let found = diversions(&entries, &index);
        assert!(
            found.iter().any(|d| d.days == 59 && d.chain_length >= 2),
            "the demo's two-hop 59-day case"
        );
    }
}

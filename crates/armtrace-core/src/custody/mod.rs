//! Custody: which documented transfers carried a recovered item, in what order, and how
//! long after its last legitimate delivery it turned up in the wrong hands.
//!
//! * [`TransferIndex`] answers "which transfers cover this item, and why" without
//!   comparing every item with every transfer: serial ranges are indexed by
//!   (prefix, folded model), lots by (folded manufacturer, lot key).
//! * [`custody_chain`] lays one item's story out: manufacture, each covering transfer
//!   in delivery order with its evidence, recovery, and the [`Diversion`] if one can be
//!   established (the application words it for people).
//! * [`diversions`] computes the diversion of every item of a register, for
//!   `armtrace diversion`.
//!
//! The rules (coverage, timing, what makes a diversion) are written once, in
//! `index.rs` and `chain.rs`. This module takes values and returns values: it does not
//! load transfers, print, or guess — an item is covered only by what a transfer
//! documents, and a date is "on or before" another only when it certainly is.

mod chain;
mod index;

pub use chain::{
    CustodyChain, CustodyStep, Diversion, DiversionReport, Manufacture, NoDiversion, Recovery,
    Timing, custody_chain, diversions, timing,
};
pub use index::{Coverage, TransferIndex};

use crate::date::PartialDate;

/// The first and last day (days since 1970-01-01) a partial date may stand for:
/// `2015-03` spans 2015-03-01..=2015-03-31, `2015` spans the whole year.
pub(crate) fn day_span(date: PartialDate) -> (i64, i64) {
    let year = date.year();
    let full = |m: u8, d: u8| {
        PartialDate::ymd(year, m, d)
            .ok()
            .and_then(|p| p.epoch_days())
            .expect("a valid partial date's bounds are valid dates")
    };
    match (date.month(), date.day()) {
        (Some(m), Some(d)) => (full(m, d), full(m, d)),
        (Some(12), None) => (full(12, 1), full(12, 31)),
        (Some(m), None) => (full(m, 1), full(m + 1, 1) - 1),
        (None, _) => (full(1, 1), full(12, 31)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_span_covers_the_whole_period() {
        let p = |s: &str| s.parse::<PartialDate>().unwrap();
        let days = |s: &str| p(s).epoch_days().unwrap();
        assert_eq!(
            day_span(p("2015-03-01")),
            (days("2015-03-01"), days("2015-03-01"))
        );
        assert_eq!(
            day_span(p("2016-02")),
            (days("2016-02-01"), days("2016-02-29"))
        );
        assert_eq!(
            day_span(p("2015-12")),
            (days("2015-12-01"), days("2015-12-31"))
        );
        assert_eq!(
            day_span(p("2100")),
            (days("2100-01-01"), days("2100-12-31"))
        );
    }
}

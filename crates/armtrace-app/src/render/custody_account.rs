//! A chain of custody told as an investigator would write it: one line per event, in
//! order, each transfer with the evidence that ties it to the item.
//!
//! This file only words what [`CustodyChain`] already holds. It must not judge anything
//! itself (coverage, timing and the diversion are decided in `index.rs` and `chain.rs`),
//! so the text and the JSON can never disagree.

use armtrace_core::CountryCode;
use armtrace_core::custody::{CustodyChain, CustodyStep, Manufacture, NoDiversion, Timing};
use armtrace_core::text::fold;
use armtrace_core::transfer::TransferSource;

/// The investigator's account of a chain of custody, one event per line.
///
/// Transfers delivered after the recovery come after the recovery line, marked as such.
pub fn render_text(chain: &CustodyChain) -> String {
    let mut lines = vec![identity(chain), manufacture(&chain.manufacture)];
    if chain.steps.is_empty() {
        lines.push("No documented transfer covers this item.".to_owned());
    }
    let recovery_known = chain.recovery.on.is_some();
    let (after, before): (Vec<&CustodyStep>, Vec<&CustodyStep>) = chain
        .steps
        .iter()
        .partition(|s| s.timing == Timing::AfterRecovery);
    lines.extend(before.into_iter().map(|s| step(s, recovery_known)));
    lines.push(recovery(chain));
    lines.extend(after.into_iter().map(|s| step(s, recovery_known)));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// `IQ-1: AK-47 assault rifle, 7.62x39mm, serial AB1234.`
fn identity(chain: &CustodyChain) -> String {
    let m = &chain.manufacture;
    let what = [m.model.as_deref(), m.item_type.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [
        (!what.is_empty()).then_some(what),
        m.calibre.clone(),
        m.serial.as_ref().map(|s| format!("serial {s}")),
        m.lot.as_ref().map(|l| format!("lot {l}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        format!("{}.", chain.reference)
    } else {
        format!("{}: {}.", chain.reference, parts.join(", "))
    }
}

/// `Manufactured by Factory 26 (Bulgaria) in 1983.`
fn manufacture(m: &Manufacture) -> String {
    if m.manufacturer.is_none() && m.country.is_none() && m.year.is_none() {
        return "Manufacturer, country and year of manufacture not documented.".to_owned();
    }
    let mut s = "Manufactured".to_owned();
    if let Some(maker) = &m.manufacturer {
        s.push_str(&format!(" by {maker}"));
    }
    match (m.country, &m.manufacturer) {
        (Some(c), Some(_)) => s.push_str(&format!(" ({})", c.name())),
        (Some(c), None) => s.push_str(&format!(" in {}", c.name())),
        (None, _) => {}
    }
    if let Some(y) = m.year {
        s.push_str(&format!(" in {y}"));
    }
    s.push('.');
    s
}

/// `Name (Country)`, `Name`, `Country`, or `an undocumented {role}`.
fn party(name: Option<&str>, country: Option<CountryCode>, role: &str) -> String {
    match (name, country) {
        (Some(n), Some(c)) => format!("{n} ({})", c.name()),
        (Some(n), None) => n.to_owned(),
        (None, Some(c)) => c.name().to_owned(),
        (None, None) => format!("an undocumented {role}"),
    }
}

fn step(step: &CustodyStep, recovery_known: bool) -> String {
    let t = &step.transfer;
    let mut s = match (t.delivered_on, t.authorised_on) {
        (Some(d), _) => format!("{d}: "),
        (None, Some(a)) => format!("Delivery date not documented (authorised {a}): "),
        (None, None) => "Date not documented: ".to_owned(),
    };
    let exported =
        matches!((t.supplier_country, t.recipient_country), (Some(a), Some(b)) if a != b);
    s.push_str(if exported {
        "exported by "
    } else {
        "transferred by "
    });
    s.push_str(&party(
        t.supplier.as_deref(),
        t.supplier_country,
        "supplier",
    ));
    s.push_str(" to ");
    s.push_str(&party(
        t.recipient.as_deref(),
        t.recipient_country,
        "recipient",
    ));
    if let Some(doc) = &t.document {
        s.push_str(&format!(" under {doc}"));
    }
    if let Some(end_user) = &t.end_user
        && t.recipient.as_deref().map(fold) != Some(fold(end_user))
    {
        s.push_str(&format!(" (end user: {end_user})"));
    }
    s.push_str(&format!(
        " [{}; {}, {} confidence]. Evidence: {}.",
        t.transfer_ref,
        source_label(t.source),
        t.confidence,
        step.evidence
    ));
    match step.timing {
        Timing::BeforeRecovery => {}
        Timing::AfterRecovery => s.push_str(
            " Delivered after the recovery: this delivery cannot have brought the item to where it was found.",
        ),
        Timing::Undetermined if !recovery_known => {}
        Timing::Undetermined if t.delivered_on.is_none() => {
            s.push_str(" Without a delivery date it cannot be placed before or after the recovery.")
        }
        Timing::Undetermined => {
            s.push_str(" The dates do not show whether this delivery came before or after the recovery.")
        }
    }
    s
}

/// Where a transfer is known from, in words: register-level knowledge (SIPRI) must
/// never read like item-level evidence (a licence, a trace response).
fn source_label(source: TransferSource) -> &'static str {
    match source {
        TransferSource::Investigator => "investigator's record",
        TransferSource::TraceResponse => "trace response",
        TransferSource::Licence => "licence",
        TransferSource::Sipri => "SIPRI register-level",
    }
}

/// `2014-05-15: recovered at Mosul, Iraq from Islamic State; 74 days after ...`
fn recovery(chain: &CustodyChain) -> String {
    let r = &chain.recovery;
    let mut s = match r.on {
        Some(d) => format!("{d}: recovered"),
        None => "Recovery date not documented: recovered".to_owned(),
    };
    match (&r.place, r.country) {
        (Some(p), Some(c)) => s.push_str(&format!(" at {p}, {}", c.name())),
        (Some(p), None) => s.push_str(&format!(" at {p}")),
        (None, Some(c)) => s.push_str(&format!(" in {}", c.name())),
        (None, None) => {}
    }
    if let Some(from) = &r.from {
        s.push_str(&format!(" from {from}"));
    }
    match (&chain.diversion, chain.no_diversion) {
        (Some(d), _) => {
            let days = match d.days {
                0 => "on the day of".to_owned(),
                1 => "1 day after".to_owned(),
                n => format!("{n} days after"),
            };
            s.push_str(&format!(
                "; {days} the last documented delivery [{}].",
                d.transfer_ref
            ));
        }
        (None, Some(NoDiversion::RecoveryDateUnknown) | None) => s.push('.'),
        (None, Some(reason)) => s.push_str(&format!("; {reason}.")),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use armtrace_core::custody::{TransferIndex, custody_chain};
    use armtrace_core::fixtures::{date, rifle as item, two_hops};

    #[test]
    fn reads_like_an_investigators_account() {
        let mut ts = two_hops();
        ts[0].end_user = Some("3rd Brigade".into());
        ts[1].source = TransferSource::Licence;
        ts[1].confidence = armtrace_core::transfer::Confidence::High;
        let index = TransferIndex::new(ts.clone());
        let chain = custody_chain(&item("IQ-1", "AB1234", Some("2015-03-01")), &index);
        assert_eq!(
            render_text(&chain),
            "IQ-1: AK-47 assault rifle, 7.62x39mm, serial AB1234.\n\
             Manufactured by Factory 26 (Bulgaria) in 1983.\n\
             2014-01-10: exported by Bulgaria to Ministry of Defence (Iraq) under licence L-123 \
             [L-123; licence, high confidence]. \
             Evidence: serial AB1234 lies in AB1000–AB1999 of model AK-47.\n\
             2015-01-01: transferred by Ministry of Defence (Iraq) to Iraqi Army 5th Division (Iraq) \
             (end user: 3rd Brigade) [MOD-7; investigator's record, medium confidence]. \
             Evidence: serial AB1234 lies in AB1200–AB1299 of model ak-47.\n\
             2015-03-01: recovered at Mosul, Iraq from Islamic State forces; \
             59 days after the last documented delivery [MOD-7].\n"
        );
    }

    #[test]
    fn after_recovery_deliveries_follow_the_recovery() {
        let ts = two_hops();
        let index = TransferIndex::new(ts.clone());
        let text = render_text(&custody_chain(
            &item("IQ-1", "AB1234", Some("2014-06-01")),
            &index,
        ));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].starts_with("2014-01-10: exported"), "{text}");
        assert!(
            lines[3].starts_with("2014-06-01: recovered")
                && lines[3].ends_with("142 days after the last documented delivery [L-123]."),
            "{text}"
        );
        assert!(
            lines[4].starts_with("2015-01-01: transferred")
                && lines[4].ends_with("cannot have brought the item to where it was found."),
            "{text}"
        );
    }

    #[test]
    fn missing_facts_are_said_to_be_missing() {
        let mut ts = two_hops();
        ts[0].delivered_on = None;
        ts[0].authorised_on = Some(date("2014-12"));
        let index = TransferIndex::new(ts.clone());
        let mut bare = item("X-9", "AB1234", Some("2015-03"));
        (
            bare.manufacturer,
            bare.country_of_manufacture,
            bare.year_of_manufacture,
        ) = (None, None, None);
        (bare.recovered_place, bare.recovered_from) = (None, None);
        let text = render_text(&custody_chain(&bare, &index));
        assert!(
            text.contains("Manufacturer, country and year of manufacture not documented."),
            "{text}"
        );
        assert!(
            text.contains("Delivery date not documented (authorised 2014-12): transferred by"),
            "{text}"
        );
        assert!(
            text.contains("Without a delivery date it cannot be placed"),
            "{text}"
        );
        assert!(
            text.contains(
                "2015-03: recovered in Iraq; the recovery date is known only to the month or year"
            ),
            "{text}"
        );

        let mut unrelated = item("X-10", "ZZ1", None);
        unrelated.serial_number = None;
        let text = render_text(&custody_chain(&unrelated, &index));
        assert!(
            text.contains("No documented transfer covers this item."),
            "{text}"
        );
        assert!(text.ends_with("Recovery date not documented: recovered at Mosul, Iraq from Islamic State forces.\n"), "{text}");
    }
}

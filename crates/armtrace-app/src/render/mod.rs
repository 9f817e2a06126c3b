//! The one home of what is written *from* results for people to read: the sentence
//! that explains a search match, the investigator's custody account, the printable
//! trace request, charts (SVG) and the findings report (HTML).
//!
//! Everything here takes values and returns text; nothing reads the register. Front
//! ends print or serve what these functions write, and a wording is changed in one
//! place for the command line and the web alike.

pub mod chart;
pub mod custody_account;
pub mod explain;
pub mod report;
pub mod trace_print;

use armtrace_core::analytics::DataStatus;

/// One sentence for captions: whether the data shown are synthetic, real or mixed.
pub fn data_status(status: &DataStatus) -> String {
    match status.kind() {
        "synthetic" => "SYNTHETIC demonstration data".to_owned(),
        "mixed" => format!(
            "MIXED data: {} of {} items are synthetic",
            chart::thousands(status.synthetic),
            chart::thousands(status.items)
        ),
        "empty" => "no items".to_owned(),
        _ => "recorded data (no item is marked synthetic)".to_owned(),
    }
}

#[cfg(test)]
mod tests;

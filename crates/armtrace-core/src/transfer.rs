//! A documented transfer: one delivery of weapons or ammunition from a supplier to a
//! recipient, as an export licence, an end-user certificate, a delivery record or a
//! trace response documents it.
//!
//! A transfer may name the serial range (`serial_from`..=`serial_to`) or the lot it
//! covered; the supply-chain logic uses those to tie recovered items to it.
//!
//! Every transfer says where the knowledge comes from ([`TransferSource`]: an
//! investigator's own record, a trace response, a licence, or a public register such as
//! SIPRI's) and how sure it is ([`Confidence`]), so register-level knowledge ("state A
//! delivered 40 launchers to state B in 2012") and item-level evidence ("this serial was
//! on that licence") stay apart wherever transfers are shown. Registers also carry their
//! own figures: the deal's id in the source register, description, armament category,
//! numbers ordered, trend-indicator values (TIV), several delivery years and the fields
//! the register marks as estimates.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::field::FieldError;
use crate::item::{Checker, MAX_LONG_TEXT_LEN, MAX_REF_LEN, MAX_TEXT_LEN, string_enum};
use crate::serial::SerialKey;
use crate::text::non_empty;

/// The canonical transfer fields, in the order of the canonical CSV header.
pub const TRANSFER_FIELDS: [&str; TRANSFER_FIELD_COUNT] = [
    "transfer_ref",
    "supplier",
    "supplier_country",
    "recipient",
    "recipient_country",
    "end_user",
    "model",
    "calibre",
    "manufacturer",
    "serial_from",
    "serial_to",
    "lot_number",
    "year_of_manufacture",
    "quantity",
    "authorised_on",
    "delivered_on",
    "document",
    "source",
    "confidence",
    "source_record",
    "description",
    "armament_category",
    "status",
    "number_ordered",
    "tiv_unit",
    "tiv_order",
    "tiv_delivered",
    "delivery_years",
    "estimates",
    "note",
];

/// How many canonical transfer fields there are.
pub const TRANSFER_FIELD_COUNT: usize = 30;

string_enum! {
    /// Where a transfer is known from.
    TransferSource {
        /// Documented by an investigator (a delivery record, a witness, a seizure file).
        Investigator = "investigator",
        /// A manufacturer's or exporting state's answer to a trace request.
        TraceResponse = "trace_response",
        /// An export licence or end-user certificate.
        Licence = "licence",
        /// The SIPRI Arms Transfers Database (register-level, not item-level).
        Sipri = "sipri",
    }
}

// Written by hand because the enum comes from `string_enum!`, which cannot mark a default variant.
#[allow(clippy::derivable_impls)]
impl Default for TransferSource {
    fn default() -> Self {
        TransferSource::Investigator
    }
}

string_enum! {
    /// How sure the record is that the transfer happened as described.
    Confidence {
        /// Uncertain: the source marks key figures as estimates or doubtful.
        Low = "low",
        /// Reported by a credible source, not documented item by item.
        Medium = "medium",
        /// Documented by a primary record (licence, trace response).
        High = "high",
    }
}

impl TransferSource {
    /// The confidence a transfer from this source gets when its record does not say.
    pub fn default_confidence(self) -> Confidence {
        match self {
            TransferSource::TraceResponse | TransferSource::Licence => Confidence::High,
            TransferSource::Investigator | TransferSource::Sipri => Confidence::Medium,
        }
    }
}

/// A valid documented transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub transfer_ref: String,
    pub supplier: Option<String>,
    pub supplier_country: Option<CountryCode>,
    pub recipient: Option<String>,
    pub recipient_country: Option<CountryCode>,
    pub end_user: Option<String>,
    pub model: Option<String>,
    pub calibre: Option<String>,
    pub manufacturer: Option<String>,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub lot_number: Option<String>,
    pub year_of_manufacture: Option<i16>,
    pub quantity: Option<u32>,
    pub authorised_on: Option<PartialDate>,
    pub delivered_on: Option<PartialDate>,
    pub document: Option<String>,
    pub source: TransferSource,
    pub confidence: Confidence,
    /// The transfer's id in its source (SIPRI's deal id, a licence number).
    pub source_record: Option<String>,
    /// What was transferred, in words (SIPRI's weapon description).
    pub description: Option<String>,
    /// SIPRI's armament category (Aircraft, Armoured vehicles, Missiles, …) or similar.
    pub armament_category: Option<String>,
    /// New, second hand, second hand but modernized, …
    pub status: Option<String>,
    pub number_ordered: Option<u32>,
    /// Trend-indicator value per unit, for this deal (millions).
    pub tiv_unit: Option<f64>,
    /// Trend-indicator value of the whole order (millions).
    pub tiv_order: Option<f64>,
    /// Trend-indicator value of what this record delivered (millions).
    pub tiv_delivered: Option<f64>,
    /// Every year with deliveries, when there were several (`1979;1980`); `delivered_on`
    /// is then the first.
    pub delivery_years: Vec<i16>,
    /// The fields the source marks as estimates or uncertain (`number_ordered;delivered_on`).
    pub estimates: Vec<String>,
    /// Free text: the source's comments.
    pub note: Option<String>,
}

impl Default for Transfer {
    fn default() -> Self {
        Transfer {
            transfer_ref: String::new(),
            supplier: None,
            supplier_country: None,
            recipient: None,
            recipient_country: None,
            end_user: None,
            model: None,
            calibre: None,
            manufacturer: None,
            serial_from: None,
            serial_to: None,
            lot_number: None,
            year_of_manufacture: None,
            quantity: None,
            authorised_on: None,
            delivered_on: None,
            document: None,
            source: TransferSource::Investigator,
            confidence: Confidence::Medium,
            source_record: None,
            description: None,
            armament_category: None,
            status: None,
            number_ordered: None,
            tiv_unit: None,
            tiv_order: None,
            tiv_delivered: None,
            delivery_years: Vec::new(),
            estimates: Vec::new(),
            note: None,
        }
    }
}

impl Transfer {
    /// The years of delivery: `delivery_years` when given, else the year of `delivered_on`.
    pub fn years_delivered(&self) -> Vec<i16> {
        if !self.delivery_years.is_empty() {
            self.delivery_years.clone()
        } else {
            self.delivered_on.map(|d| d.year()).into_iter().collect()
        }
    }
}

/// A transfer record as read from a file: one string per canonical field.
#[derive(Debug, Clone, Default)]
pub struct RawTransfer<'a> {
    pub values: [&'a str; TRANSFER_FIELD_COUNT],
}

impl Transfer {
    /// Checks and converts a raw record, returning every problem found.
    pub fn parse(raw: &RawTransfer) -> Result<Transfer, Vec<FieldError>> {
        let v = &raw.values;
        let mut c = Checker::new();
        let transfer_ref = match non_empty(v[0]) {
            None => {
                c.fail(
                    "transfer_ref",
                    "",
                    "is required: every transfer needs a unique reference",
                );
                String::new()
            }
            Some(r) if r.chars().count() > MAX_REF_LEN => {
                c.fail(
                    "transfer_ref",
                    r,
                    format!("is longer than {MAX_REF_LEN} characters"),
                );
                String::new()
            }
            Some(r) if r.chars().any(char::is_control) => {
                c.fail("transfer_ref", r, "contains control characters");
                String::new()
            }
            Some(r) => r.to_owned(),
        };
        let t = Transfer {
            transfer_ref,
            supplier: c.text("supplier", v[1], MAX_TEXT_LEN),
            supplier_country: c.country("supplier_country", v[2]),
            recipient: c.text("recipient", v[3], MAX_TEXT_LEN),
            recipient_country: c.country("recipient_country", v[4]),
            end_user: c.text("end_user", v[5], MAX_TEXT_LEN),
            model: c.text("model", v[6], MAX_TEXT_LEN),
            calibre: c.text("calibre", v[7], MAX_TEXT_LEN),
            manufacturer: c.text("manufacturer", v[8], MAX_TEXT_LEN),
            serial_from: c.text("serial_from", v[9], MAX_TEXT_LEN),
            serial_to: c.text("serial_to", v[10], MAX_TEXT_LEN),
            lot_number: c.text("lot_number", v[11], MAX_TEXT_LEN),
            year_of_manufacture: c.year("year_of_manufacture", v[12]),
            quantity: c.quantity("quantity", v[13]),
            authorised_on: c.date("authorised_on", v[14]),
            delivered_on: c.date("delivered_on", v[15]),
            document: c.text("document", v[16], MAX_TEXT_LEN),
            source: c.choice("source", v[17]).unwrap_or_default(),
            confidence: Confidence::Medium,
            source_record: c.text("source_record", v[19], MAX_REF_LEN),
            description: c.text("description", v[20], MAX_TEXT_LEN),
            armament_category: c.text("armament_category", v[21], MAX_TEXT_LEN),
            status: c.text("status", v[22], MAX_TEXT_LEN),
            number_ordered: c.quantity("number_ordered", v[23]),
            tiv_unit: c.amount("tiv_unit", v[24]),
            tiv_order: c.amount("tiv_order", v[25]),
            tiv_delivered: c.amount("tiv_delivered", v[26]),
            delivery_years: year_list(&mut c, v[27]),
            estimates: estimate_list(&mut c, v[28]),
            note: c.text("note", v[29], MAX_LONG_TEXT_LEN),
        };
        let mut t = t;
        t.confidence = c
            .choice("confidence", v[18])
            .unwrap_or_else(|| t.source.default_confidence());
        if let (Some(first), Some(d)) = (t.delivery_years.first(), t.delivered_on)
            && d.year() != *first
        {
            c.fail(
                "delivery_years",
                v[27],
                format!("must start with the year of delivered_on ({d})"),
            );
        }
        match (&t.serial_from, &t.serial_to) {
            (Some(from), Some(to)) => {
                let from_key = SerialKey::new(from);
                let to_key = SerialKey::new(to);
                match (from_key.as_ref().and_then(SerialKey::split), to_key.as_ref().and_then(SerialKey::split)) {
                    (Some((fp, fnum)), Some((tp, tnum))) => {
                        if fp != tp {
                            c.fail("serial_to", to, format!("must have the same prefix as serial_from ({fp:?} vs {tp:?})"));
                        } else if fnum > tnum {
                            c.fail("serial_to", to, format!("is below serial_from {from:?}: a range runs from low to high"));
                        }
                    }
                    (None, _) => c.fail("serial_from", from, "must end in a number to define a serial range"),
                    (_, None) => c.fail("serial_to", to, "must end in a number to define a serial range"),
                }
            }
            (Some(from), None) => c.fail("serial_to", "", format!("is required when serial_from is given ({from:?}); use the same value for a single serial")),
            (None, Some(to)) => c.fail("serial_from", "", format!("is required when serial_to is given ({to:?}); use the same value for a single serial")),
            (None, None) => {}
        }
        if let (Some(a), Some(d)) = (t.authorised_on, t.delivered_on)
            && a.is_full()
            && d.is_full()
            && d < a
        {
            c.fail(
                "delivered_on",
                &d.to_string(),
                format!("is before authorised_on ({a}): check the dates"),
            );
        }
        if c.errors.is_empty() {
            Ok(t)
        } else {
            Err(c.errors)
        }
    }

    /// The transfer's fields as canonical strings, in [`TRANSFER_FIELDS`] order.
    pub fn to_strings(&self) -> [String; TRANSFER_FIELD_COUNT] {
        fn o<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map_or_else(String::new, T::to_string)
        }
        [
            self.transfer_ref.clone(),
            o(&self.supplier),
            o(&self.supplier_country),
            o(&self.recipient),
            o(&self.recipient_country),
            o(&self.end_user),
            o(&self.model),
            o(&self.calibre),
            o(&self.manufacturer),
            o(&self.serial_from),
            o(&self.serial_to),
            o(&self.lot_number),
            o(&self.year_of_manufacture),
            o(&self.quantity),
            o(&self.authorised_on),
            o(&self.delivered_on),
            o(&self.document),
            self.source.to_string(),
            self.confidence.to_string(),
            o(&self.source_record),
            o(&self.description),
            o(&self.armament_category),
            o(&self.status),
            o(&self.number_ordered),
            o(&self.tiv_unit),
            o(&self.tiv_order),
            o(&self.tiv_delivered),
            join(&self.delivery_years),
            join(&self.estimates),
            o(&self.note),
        ]
    }
}

fn join<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// `1979; 1980` (any of `;`, `,` or spaces between years), in increasing order.
fn year_list(c: &mut Checker, raw: &str) -> Vec<i16> {
    let mut years = Vec::new();
    for part in raw.split([';', ',', ' ']).filter(|p| !p.trim().is_empty()) {
        match c.year("delivery_years", part) {
            Some(y) => years.push(y),
            None => return Vec::new(),
        }
    }
    if years.windows(2).any(|w| w[0] >= w[1]) {
        c.fail(
            "delivery_years",
            raw,
            "must list each year once, in increasing order",
        );
        return Vec::new();
    }
    years
}

/// `number_ordered;delivered_on`: names of transfer fields, each once.
fn estimate_list(c: &mut Checker, raw: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for part in raw
        .split([';', ',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !TRANSFER_FIELDS.contains(&part) {
            c.fail(
                "estimates",
                part,
                "is not a transfer field: list the fields whose values are estimates, separated by ';'",
            );
            return Vec::new();
        }
        if !fields.iter().any(|f| f == part) {
            fields.push(part.to_owned());
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(pairs: &[(&str, &'a str)]) -> RawTransfer<'a> {
        let mut r = RawTransfer::default();
        for (k, v) in pairs {
            let i = TRANSFER_FIELDS.iter().position(|f| f == k).unwrap();
            r.values[i] = v;
        }
        r
    }

    #[test]
    fn serial_range_rules() {
        assert!(
            Transfer::parse(&raw(&[
                ("transfer_ref", "T1"),
                ("serial_from", "AB100"),
                ("serial_to", "AB-200")
            ]))
            .is_ok()
        );
        let e = Transfer::parse(&raw(&[
            ("transfer_ref", "T1"),
            ("serial_from", "AB100"),
            ("serial_to", "AC200"),
        ]))
        .unwrap_err();
        assert_eq!(e[0].field, "serial_to");
        let e = Transfer::parse(&raw(&[
            ("transfer_ref", "T1"),
            ("serial_from", "AB300"),
            ("serial_to", "AB200"),
        ]))
        .unwrap_err();
        assert!(e[0].message.contains("below"));
        let e =
            Transfer::parse(&raw(&[("transfer_ref", "T1"), ("serial_from", "AB300")])).unwrap_err();
        assert_eq!(e[0].field, "serial_to");
        let e = Transfer::parse(&raw(&[("serial_from", "X"), ("serial_to", "X")])).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["transfer_ref", "serial_from"]
        );
    }

    #[test]
    fn delivery_not_before_authorisation() {
        let e = Transfer::parse(&raw(&[
            ("transfer_ref", "T"),
            ("authorised_on", "2015-03-01"),
            ("delivered_on", "2015-02-01"),
        ]))
        .unwrap_err();
        assert_eq!(e[0].field, "delivered_on");
    }
}

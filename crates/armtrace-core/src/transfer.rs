//! A documented transfer: one delivery of weapons or ammunition from a supplier to a
//! recipient, as an export licence, an end-user certificate, a delivery record or a
//! trace response documents it.
//!
//! A transfer may name the serial range (`serial_from`..=`serial_to`) or the lot it
//! covered; the supply-chain logic uses those to tie recovered items to it.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::field::FieldError;
use crate::item::{Checker, MAX_REF_LEN, MAX_TEXT_LEN};
use crate::serial::SerialKey;
use crate::text::non_empty;

/// The canonical transfer fields, in the order of the canonical CSV header.
pub const TRANSFER_FIELDS: [&str; 17] = [
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
];

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
}

/// A transfer record as read from a file: one string per canonical field.
#[derive(Debug, Clone, Default)]
pub struct RawTransfer<'a> {
    pub values: [&'a str; 17],
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
        };
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
    pub fn to_strings(&self) -> [String; 17] {
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
        ]
    }
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

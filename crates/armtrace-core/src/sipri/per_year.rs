//! The new export: one row per deal and delivery year.
//!
//! | SIPRI column | canonical field |
//! |---|---|
//! | `SIPRI AT Database ID` | `source_record`; `transfer_ref` is `SIPRI-<id>-<delivery year>` |
//! | `Supplier`, `Recipient` | `supplier`, `recipient` as written; `supplier_country`, `recipient_country` for states |
//! | `Designation`, `Description`, `Armament category`, `Status` | `model`, `description`, `armament_category`, `status` |
//! | `Order date` | `authorised_on` (a year) |
//! | `Numbers delivered` | `quantity` (in this year; `0` is none) |
//! | `Delivery year` | `delivered_on` |
//! | `… is estimate` = `Yes` | `estimates`: `authorised_on`, `quantity`, `delivered_on` |
//! | `TIV deal unit` | `tiv_unit`: this deal's TIV per unit (second-hand weapons count for less) |
//! | `TIV delivery values` | `tiv_delivered`: this year's deliveries (numbers delivered × TIV deal unit, rounded) |
//! | `SIPRI estimate` | `note`: the TIV per unit of a *new* weapon of this kind, which the deal unit derives from |
//! | `Local production` = `Yes` | `note` |
//!
//! The export has no number ordered and no TIV of the whole order: those fields stay
//! empty. The deal id and the delivery year make the reference, so re-importing the same
//! or a later export updates each year's row in place.

use csv::StringRecord;

use super::{Canonical, LineError, LineReader, SipriRow, column};

/// SIPRI's column behind each canonical field.
pub(super) const COLUMN_OF_FIELD: &[(&str, &str)] = &[
    ("transfer_ref", ID),
    ("supplier", SUPPLIER),
    ("supplier_country", SUPPLIER),
    ("recipient", RECIPIENT),
    ("recipient_country", RECIPIENT),
    ("model", DESIGNATION),
    ("quantity", DELIVERED),
    ("authorised_on", ORDER_DATE),
    ("delivered_on", DELIVERY_YEAR),
    ("source_record", ID),
    ("description", DESCRIPTION),
    ("armament_category", CATEGORY),
    ("status", STATUS),
    ("tiv_unit", DEAL_UNIT),
    ("tiv_delivered", DELIVERY_VALUES),
    ("delivery_years", DELIVERY_YEAR),
];

const ID: &str = "SIPRI AT Database ID";
const SUPPLIER: &str = "Supplier";
const RECIPIENT: &str = "Recipient";
const DESIGNATION: &str = "Designation";
const DESCRIPTION: &str = "Description";
const CATEGORY: &str = "Armament category";
const ORDER_DATE: &str = "Order date";
const ORDER_DATE_ESTIMATE: &str = "Order date is estimate";
const DELIVERED: &str = "Numbers delivered";
const DELIVERED_ESTIMATE: &str = "Numbers delivered is estimate";
const DELIVERY_YEAR: &str = "Delivery year";
const DELIVERY_YEAR_ESTIMATE: &str = "Delivery year is estimate";
const STATUS: &str = "Status";
const NEW_UNIT: &str = "SIPRI estimate";
const DEAL_UNIT: &str = "TIV deal unit";
const DELIVERY_VALUES: &str = "TIV delivery values";
const LOCAL_PRODUCTION: &str = "Local production";

/// Where each SIPRI column is in this file.
pub(super) struct Columns {
    id: usize,
    supplier: usize,
    recipient: usize,
    designation: usize,
    description: usize,
    category: usize,
    order_date: usize,
    order_date_estimate: usize,
    delivered: usize,
    delivered_estimate: usize,
    delivery_year: usize,
    delivery_year_estimate: usize,
    status: usize,
    new_unit: usize,
    deal_unit: usize,
    delivery_values: usize,
    local_production: usize,
}

impl Columns {
    /// Finds every column by name, or names the first one missing.
    pub(super) fn resolve(header: &StringRecord) -> Result<Columns, &'static str> {
        let find = |name: &'static str| column(header, name).ok_or(name);
        Ok(Columns {
            id: find(ID)?,
            supplier: find(SUPPLIER)?,
            recipient: find(RECIPIENT)?,
            designation: find(DESIGNATION)?,
            description: find(DESCRIPTION)?,
            category: find(CATEGORY)?,
            order_date: find(ORDER_DATE)?,
            order_date_estimate: find(ORDER_DATE_ESTIMATE)?,
            delivered: find(DELIVERED)?,
            delivered_estimate: find(DELIVERED_ESTIMATE)?,
            delivery_year: find(DELIVERY_YEAR)?,
            delivery_year_estimate: find(DELIVERY_YEAR_ESTIMATE)?,
            status: find(STATUS)?,
            new_unit: find(NEW_UNIT)?,
            deal_unit: find(DEAL_UNIT)?,
            delivery_values: find(DELIVERY_VALUES)?,
            local_production: find(LOCAL_PRODUCTION)?,
        })
    }
}

/// `Yes`, `No` or empty (SIPRI did not say, read as no).
fn yes(reader: &mut LineReader, column: &str, index: usize) -> bool {
    let v = reader.get(index);
    if v.eq_ignore_ascii_case("yes") {
        true
    } else if v.is_empty() || v.eq_ignore_ascii_case("no") {
        false
    } else {
        reader.fail(column, v, "is not Yes, No or empty");
        false
    }
}

/// One record of the new export as canonical fields.
pub(super) fn row(
    c: &Columns,
    line: u64,
    record: &StringRecord,
) -> Result<SipriRow, Vec<LineError>> {
    let mut r = LineReader::new(line, record);
    let mut out = Canonical::new();
    let id = r.get(c.id);
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        r.fail(ID, id, "is not a SIPRI deal id (a whole number)");
    }
    let year_text = r.get(c.delivery_year);
    let year = r.year(DELIVERY_YEAR, year_text);
    if let Some(year) = year {
        out.set("transfer_ref", format!("SIPRI-{id}-{year}"));
        out.set("delivered_on", year.to_string());
    }
    out.set("source_record", id);
    if let Some((name, actor)) = r.actor(SUPPLIER, c.supplier) {
        out.actor("supplier", "supplier_country", name, actor);
    }
    if let Some((name, actor)) = r.actor(RECIPIENT, c.recipient) {
        out.actor("recipient", "recipient_country", name, actor);
    }
    out.set("model", r.get(c.designation));
    out.set("description", r.get(c.description));
    out.set("armament_category", r.get(c.category));
    out.set("status", r.get(c.status));
    out.set("authorised_on", r.get(c.order_date));
    out.count("quantity", r.get(c.delivered));
    out.set("tiv_unit", r.get(c.deal_unit));
    out.set("tiv_delivered", r.get(c.delivery_values));
    let mut estimates = Vec::new();
    if yes(&mut r, ORDER_DATE_ESTIMATE, c.order_date_estimate) {
        estimates.push("authorised_on");
    }
    if yes(&mut r, DELIVERED_ESTIMATE, c.delivered_estimate) {
        estimates.push("quantity");
    }
    if yes(&mut r, DELIVERY_YEAR_ESTIMATE, c.delivery_year_estimate) {
        estimates.push("delivered_on");
    }
    out.estimates(estimates);
    let mut note = Vec::new();
    let new_unit = r.get(c.new_unit);
    if !new_unit.is_empty() {
        note.push(format!(
            "SIPRI TIV per unit of a new weapon of this kind: {new_unit}"
        ));
    }
    if yes(&mut r, LOCAL_PRODUCTION, c.local_production) {
        note.push("SIPRI: local production (made in the recipient country)".to_owned());
    }
    out.set("note", note.join("; "));
    r.finish(out)
}

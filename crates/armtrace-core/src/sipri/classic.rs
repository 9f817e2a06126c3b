//! The classic export: one row per deal, all its delivery years in one cell.
//!
//! | SIPRI column | canonical field |
//! |---|---|
//! | `Recipient`, `Supplier` | `recipient`, `supplier` as written; `recipient_country`, `supplier_country` for states |
//! | `Year of order` (`?` after it) | `authorised_on` (`estimates`: `authorised_on`) |
//! | `Number ordered` (`?`) | `number_ordered` (`estimates`: `number_ordered`) |
//! | `Weapon designation`, `Weapon description`, `status` | `model`, `description`, `status` |
//! | `Number delivered` (`?`) | `quantity`, all years together; `0` is none (`estimates`: `quantity`) |
//! | `Year(s) of delivery` (`1979; 1980`) | `delivery_years` when there are several, `delivered_on` = the first |
//! | `SIPRI TIV per unit`, `… for total order`, `… of delivered weapons` | `tiv_unit`, `tiv_order`, `tiv_delivered` |
//! | `Comments` | `note` |
//!
//! The classic export has no armament category (that field stays empty) and no deal id,
//! so each row's reference is derived from what identifies a deal:
//! `SIPRI-C-` and the first 16 hex digits of the SHA-256 of recipient, supplier, year of
//! order, designation, description and number ordered (as written, trimmed, separated by
//! the unit separator U+001F). Exact duplicates of those six values within one file are
//! told apart by their order: the second is `…-2`, the third `…-3`. The same export
//! imported again, or a later export of a deal whose six values did not change, gives
//! the same references; a deal SIPRI revises in any of the six gets a new one (the old
//! row stays in the register, as every import keeps what it does not mention).

use csv::StringRecord;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::{Canonical, LineError, LineReader, SipriRow, check_width, column};

/// SIPRI's column behind each canonical field.
pub(super) const COLUMN_OF_FIELD: &[(&str, &str)] = &[
    ("supplier", SUPPLIER),
    ("supplier_country", SUPPLIER),
    ("recipient", RECIPIENT),
    ("recipient_country", RECIPIENT),
    ("model", DESIGNATION),
    ("quantity", DELIVERED),
    ("authorised_on", ORDER_YEAR),
    ("delivered_on", DELIVERY_YEARS),
    ("description", DESCRIPTION),
    ("status", STATUS),
    ("number_ordered", ORDERED),
    ("tiv_unit", TIV_UNIT),
    ("tiv_order", TIV_ORDER),
    ("tiv_delivered", TIV_DELIVERED),
    ("delivery_years", DELIVERY_YEARS),
    ("note", COMMENTS),
];

const RECIPIENT: &str = "Recipient";
const SUPPLIER: &str = "Supplier";
const ORDER_YEAR: &str = "Year of order";
const ORDERED: &str = "Number ordered";
const DESIGNATION: &str = "Weapon designation";
const DESCRIPTION: &str = "Weapon description";
const DELIVERED: &str = "Number delivered";
const DELIVERY_YEARS: &str = "Year(s) of delivery";
const STATUS: &str = "status";
const COMMENTS: &str = "Comments";
const TIV_UNIT: &str = "SIPRI TIV per unit";
const TIV_ORDER: &str = "SIPRI TIV for total order";
const TIV_DELIVERED: &str = "SIPRI TIV of delivered weapons";

/// Where each SIPRI column is in this file; `?` columns follow their value's column.
pub(super) struct Columns {
    recipient: usize,
    supplier: usize,
    order_year: usize,
    order_year_unsure: usize,
    ordered: usize,
    ordered_unsure: usize,
    designation: usize,
    description: usize,
    delivered: usize,
    delivered_unsure: usize,
    delivery_years: usize,
    status: usize,
    comments: usize,
    tiv_unit: usize,
    tiv_order: usize,
    tiv_delivered: usize,
}

impl Columns {
    /// Finds every column by name, or names the first one missing.
    pub(super) fn resolve(header: &StringRecord) -> Result<Columns, &'static str> {
        let find = |name: &'static str| column(header, name).ok_or(name);
        // The `?` flags have no name: each is the blank-headed column right after its value.
        let flag = |value: usize, name: &'static str| {
            let next = value + 1;
            match header.get(next) {
                Some(h) if h.trim().is_empty() => Ok(next),
                _ => Err(name),
            }
        };
        let order_year = find(ORDER_YEAR)?;
        let ordered = find(ORDERED)?;
        let delivered = find(DELIVERED)?;
        Ok(Columns {
            recipient: find(RECIPIENT)?,
            supplier: find(SUPPLIER)?,
            order_year,
            order_year_unsure: flag(order_year, "unnamed `?` column after Year of order")?,
            ordered,
            ordered_unsure: flag(ordered, "unnamed `?` column after Number ordered")?,
            designation: find(DESIGNATION)?,
            description: find(DESCRIPTION)?,
            delivered,
            delivered_unsure: flag(delivered, "unnamed `?` column after Number delivered")?,
            delivery_years: find(DELIVERY_YEARS)?,
            status: find(STATUS)?,
            comments: find(COMMENTS)?,
            tiv_unit: find(TIV_UNIT)?,
            tiv_order: find(TIV_ORDER)?,
            tiv_delivered: find(TIV_DELIVERED)?,
        })
    }

    /// The six values that identify a deal, as written.
    fn identity<'r>(&self, record: &'r StringRecord) -> [&'r str; 6] {
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        [
            get(self.recipient),
            get(self.supplier),
            get(self.order_year),
            get(self.designation),
            get(self.description),
            get(self.ordered),
        ]
    }
}

/// The first 8 bytes of the SHA-256 of a deal's identifying values.
fn deal_digest(identity: &[&str]) -> [u8; 8] {
    let mut hash = Sha256::new();
    for (i, part) in identity.iter().enumerate() {
        if i > 0 {
            hash.update([0x1f]);
        }
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    first
}

/// The stable reference of a deal: `SIPRI-C-<16 hex digits>`, `-N` for the N-th deal
/// with the same digest in the file.
fn deal_reference(digest: [u8; 8], ordinal: usize) -> String {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if ordinal <= 1 {
        format!("SIPRI-C-{hex}")
    } else {
        format!("SIPRI-C-{hex}-{ordinal}")
    }
}

/// Every record of a classic export as canonical fields (or its problems), in file order.
pub(super) fn rows(
    c: &Columns,
    width: usize,
    records: Vec<(u64, StringRecord)>,
) -> Vec<Result<SipriRow, Vec<LineError>>> {
    let mut seen: FxHashMap<[u8; 8], usize> = FxHashMap::default();
    records
        .into_iter()
        .map(|(line, record)| {
            check_width(line, &record, width)?;
            let digest = deal_digest(&c.identity(&record));
            let ordinal = seen.entry(digest).or_insert(0);
            *ordinal += 1;
            row(c, line, &record, deal_reference(digest, *ordinal))
        })
        .collect()
}

/// `?` or empty.
fn unsure(reader: &mut LineReader, column: &str, index: usize) -> bool {
    match reader.get(index) {
        "?" => true,
        "" => false,
        other => {
            reader.fail(
                column,
                other,
                "is not ? or empty (SIPRI's mark of an uncertain value)",
            );
            false
        }
    }
}

fn row(
    c: &Columns,
    line: u64,
    record: &StringRecord,
    reference: String,
) -> Result<SipriRow, Vec<LineError>> {
    let mut r = LineReader::new(line, record);
    let mut out = Canonical::new();
    out.set("transfer_ref", reference);
    if let Some((name, actor)) = r.actor(SUPPLIER, c.supplier) {
        out.actor("supplier", "supplier_country", name, actor);
    }
    if let Some((name, actor)) = r.actor(RECIPIENT, c.recipient) {
        out.actor("recipient", "recipient_country", name, actor);
    }
    out.set("authorised_on", r.get(c.order_year));
    out.count("number_ordered", r.get(c.ordered));
    out.set("model", r.get(c.designation));
    out.set("description", r.get(c.description));
    out.count("quantity", r.get(c.delivered));
    let raw_years = r.get(c.delivery_years);
    let mut years = Vec::new();
    for part in raw_years.split([';', ',']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match r.year(DELIVERY_YEARS, part) {
            Some(y) => years.push(y),
            None => break,
        }
    }
    years.sort_unstable();
    years.dedup();
    if let Some(first) = years.first() {
        out.set("delivered_on", first.to_string());
    }
    if years.len() > 1 {
        let list: Vec<String> = years.iter().map(i16::to_string).collect();
        out.set("delivery_years", list.join(";"));
    }
    out.set("status", r.get(c.status));
    out.set("note", r.get(c.comments));
    out.set("tiv_unit", r.get(c.tiv_unit));
    out.set("tiv_order", r.get(c.tiv_order));
    out.set("tiv_delivered", r.get(c.tiv_delivered));
    let mut estimates = Vec::new();
    if unsure(&mut r, "? after Year of order", c.order_year_unsure) {
        estimates.push("authorised_on");
    }
    if unsure(&mut r, "? after Number ordered", c.ordered_unsure) {
        estimates.push("number_ordered");
    }
    if unsure(&mut r, "? after Number delivered", c.delivered_unsure) {
        estimates.push("quantity");
    }
    out.estimates(estimates);
    r.finish(out)
}

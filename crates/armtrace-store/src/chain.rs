//! Loading what the supply-chain logic needs: narrow item projections for linking and
//! diversion, and the documented transfers. The logic itself lives in
//! `armtrace_core::{link, custody}`.

use armtrace_core::link::LinkEntry;
use armtrace_core::{CountryCode, PartialDate};

use crate::error::{Result, StoreError};
use crate::items::ItemFilter;
use crate::statement::Statement;
use crate::store::Store;

/// The fields of an item that linking and diversion read, owned.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub reference: String,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub calibre: Option<String>,
    pub serial: Option<String>,
    pub lot: Option<String>,
    pub year: Option<i16>,
    pub recovered_on: Option<PartialDate>,
    pub recovered_country: Option<CountryCode>,
    pub recovered_place: Option<String>,
}

impl LinkRow {
    /// The borrowed view the core functions take.
    pub fn entry(&self) -> LinkEntry<'_> {
        LinkEntry {
            reference: &self.reference,
            model: self.model.as_deref(),
            manufacturer: self.manufacturer.as_deref(),
            calibre: self.calibre.as_deref(),
            serial: self.serial.as_deref(),
            lot: self.lot.as_deref(),
            year: self.year,
            recovered_on: self.recovered_on,
            recovered_country: self.recovered_country,
            recovered_place: self.recovered_place.as_deref(),
        }
    }
}

impl Store {
    /// Link projections of the items matching `filter`, in reference order.
    pub async fn link_rows(&self, filter: &ItemFilter) -> Result<Vec<LinkRow>> {
        let mut q = Statement::new(
            "SELECT ref, model, manufacturer, calibre, serial_number, lot_number, year_of_manufacture,
                    recovered_on, recovered_country, recovered_place FROM items",
        );
        filter.push_where(&mut q);
        q.push(" ORDER BY ref");
        self.bulk_read(q, |r| {
            let recovered_on: Option<String> = r.get(7)?;
            let recovered_country: Option<String> = r.get(8)?;
            Ok(LinkRow {
                reference: r.get(0)?,
                model: r.get(1)?,
                manufacturer: r.get(2)?,
                calibre: r.get(3)?,
                serial: r.get(4)?,
                lot: r.get(5)?,
                year: r.get::<Option<i64>>(6)?.map(|y| y as i16),
                recovered_on: recovered_on
                    .map(|d| {
                        d.parse()
                            .map_err(|_| StoreError::Corrupt(format!("recovered_on = {d:?}")))
                    })
                    .transpose()?,
                recovered_country: recovered_country
                    .map(|c| {
                        CountryCode::parse(&c)
                            .map_err(|_| StoreError::Corrupt(format!("recovered_country = {c:?}")))
                    })
                    .transpose()?,
                recovered_place: r.get(9)?,
            })
        })
        .await
    }
}

//! The supply chain as a viewer may see it: links between items of one shipment or lot,
//! one item's chain of custody, diversions and their distribution, and where items were
//! recovered (the map and a shipment's spread).
//!
//! Transfers (licences, deliveries, trace responses) are never public: for an anonymous
//! viewer a chain holds manufacture and recovery only, and there are no diversions. The
//! transfer index is the register's cached one, so a custody chain looks up the
//! transfers covering one item instead of reading them all.

use std::sync::Arc;

use armtrace_core::analytics::{self, DiversionFact, DiversionSummary, StatField, StatFilter};
use armtrace_core::custody::{self, CustodyChain, Diversion, DiversionReport, TransferIndex};
use armtrace_core::link::{self, LinkEntry, Links};
use armtrace_store::map::ItemPoint;
use serde::Serialize;

use crate::actor::View;
use crate::error::AppResult;
use crate::params::ItemQuery;

/// A member of a run or lot, with where it was found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(rename = "ref")]
    pub reference: String,
    pub serial_number: Option<String>,
    pub recovered_on: Option<String>,
    pub recovered_place: Option<String>,
    pub recovered_country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl From<&ItemPoint> for Member {
    fn from(p: &ItemPoint) -> Self {
        Member {
            reference: p.reference.clone(),
            serial_number: p.serial_number.clone(),
            recovered_on: p.recovered_on.map(|d| d.to_string()),
            recovered_place: p.recovered_place.clone(),
            recovered_country: p.recovered_country.map(|c| c.as_str().to_owned()),
            latitude: p.latitude,
            longitude: p.longitude,
        }
    }
}

/// A serial run an item belongs to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RunLinks {
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub prefix: String,
    pub from: String,
    pub to: String,
    pub count: usize,
    pub members: Vec<Member>,
}

/// A lot an item shares with others.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LotLinks {
    pub manufacturer: Option<String>,
    pub calibre: Option<String>,
    pub lot_number: String,
    pub year: Option<i16>,
    pub count: usize,
    pub members: Vec<Member>,
}

/// The items linked to one item: its serial run and its lot, with where each was found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ItemLinks {
    #[serde(rename = "ref")]
    pub reference: String,
    pub runs: Vec<RunLinks>,
    pub lots: Vec<LotLinks>,
}

impl View<'_> {
    /// The transfers this viewer may see, indexed: none for the public.
    pub(crate) async fn visible_transfers(&self) -> AppResult<Arc<TransferIndex>> {
        if self.clearance.is_public() {
            Ok(Arc::new(TransferIndex::new(Vec::new())))
        } else {
            self.register.transfer_index().await
        }
    }

    /// Serial runs and lot clusters among the items matching `query`, as `armtrace link
    /// --json` prints them.
    pub async fn links(&self, query: &ItemQuery, gap: u64) -> AppResult<Links> {
        let rows = self
            .register
            .store()
            .link_rows(&query.filter(&self.clearance))
            .await?;
        let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
        Ok(link::link(&entries, gap))
    }

    /// The runs and lots among the visible items that one item belongs to.
    async fn links_around(&self, reference: &str) -> AppResult<(Links, String)> {
        let anchor = self.item(reference).await?;
        let item = &anchor.item;
        // Runs need the same model and manufacturer, lots the same manufacturer: narrowing
        // by them (substring match, a superset) keeps this fast on a large register.
        let query = ItemQuery {
            manufacturer: item.manufacturer.clone(),
            model: if item.manufacturer.is_none() {
                item.model.clone()
            } else {
                None
            },
            ..ItemQuery::default()
        };
        let rows = self
            .register
            .store()
            .link_rows(&query.filter(&self.clearance))
            .await?;
        let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
        let mut links = link::link(&entries, link::DEFAULT_GAP);
        links.runs.retain(|r| r.refs.contains(&item.reference));
        links.lots.retain(|l| l.refs.contains(&item.reference));
        Ok((links, item.reference.clone()))
    }

    /// The serial run of an item, if it is in one.
    pub(crate) async fn run_of(&self, reference: &str) -> AppResult<Option<link::Run>> {
        let (links, _) = self.links_around(reference).await?;
        Ok(links.runs.into_iter().next())
    }

    /// The lot cluster of an item, if it shares its lot with others.
    pub(crate) async fn lot_of(&self, reference: &str) -> AppResult<Option<link::LotCluster>> {
        let (links, _) = self.links_around(reference).await?;
        Ok(links.lots.into_iter().next())
    }

    /// One item's serial run and lot, with where each member was found.
    pub async fn item_links(&self, reference: &str) -> AppResult<ItemLinks> {
        let (links, reference) = self.links_around(reference).await?;
        let mut refs: Vec<String> = links
            .runs
            .iter()
            .flat_map(|r| r.refs.clone())
            .chain(links.lots.iter().flat_map(|l| l.refs.clone()))
            .collect();
        refs.sort();
        refs.dedup();
        let points = self.register.store().item_points_by_ref(&refs).await?;
        let members = |of: &[String]| -> Vec<Member> {
            let mut m: Vec<&ItemPoint> = points
                .iter()
                .filter(|p| of.contains(&p.reference))
                .collect();
            m.sort_by(|a, b| {
                a.recovered_on
                    .cmp(&b.recovered_on)
                    .then(a.reference.cmp(&b.reference))
            });
            m.into_iter().map(Member::from).collect()
        };
        Ok(ItemLinks {
            reference,
            runs: links
                .runs
                .iter()
                .map(|r| RunLinks {
                    model: r.model.clone(),
                    manufacturer: r.manufacturer.clone(),
                    prefix: r.prefix.clone(),
                    from: r.first_serial.clone(),
                    to: r.last_serial.clone(),
                    count: r.count,
                    members: members(&r.refs),
                })
                .collect(),
            lots: links
                .lots
                .iter()
                .map(|l| LotLinks {
                    manufacturer: l.manufacturer.clone(),
                    calibre: l.calibre.clone(),
                    lot_number: l.lot.clone(),
                    year: l.year,
                    count: l.count,
                    members: members(&l.refs),
                })
                .collect(),
        })
    }

    /// One item's chain of custody with the evidence for each step, as `armtrace custody
    /// --json` prints it.
    pub async fn custody(&self, reference: &str) -> AppResult<CustodyChain> {
        let item = self.item(reference).await?;
        let index = self.visible_transfers().await?;
        Ok(custody::custody_chain(&item.item, &index))
    }

    /// Diversions among the items matching `query`, in ref order, as `armtrace diversion
    /// --json` prints them.
    pub async fn diversions(&self, query: &ItemQuery) -> AppResult<DiversionReport> {
        let index = self.visible_transfers().await?;
        if index.transfers().is_empty() {
            return Ok(DiversionReport { items: Vec::new() });
        }
        let rows = self
            .register
            .store()
            .link_rows(&query.filter(&self.clearance))
            .await?;
        let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
        Ok(DiversionReport {
            items: custody::diversions(&entries, &index),
        })
    }

    /// The diversions of the items matching `query` and the statistics filters `wheres`,
    /// in ref order, each with the holder it was recovered from.
    async fn diversion_facts(
        &self,
        query: &ItemQuery,
        wheres: &[StatFilter],
    ) -> AppResult<(Vec<Diversion>, Vec<DiversionFact>)> {
        let index = self.visible_transfers().await?;
        if index.transfers().is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let columns = self.register.columns().await?;
        let selected = analytics::select_rows(&columns, wheres, &self.clearance);
        let mut in_selection = vec![false; columns.len()];
        for r in selected {
            in_selection[r] = true;
        }
        let rows = self
            .register
            .store()
            .identified_link_rows(&query.filter(&self.clearance))
            .await?;
        let mut kept: Vec<_> = rows
            .iter()
            .filter_map(|r| {
                let row = columns.row_of(r.id)?;
                in_selection[row].then_some((r, row))
            })
            .collect();
        kept.sort_by(|a, b| a.0.row.reference.cmp(&b.0.row.reference));
        let entries: Vec<LinkEntry> = kept.iter().map(|(r, _)| r.entry()).collect();
        let found = custody::diversions(&entries, &index);
        let holder: std::collections::HashMap<&str, usize> = kept
            .iter()
            .map(|(r, row)| (r.row.reference.as_str(), *row))
            .collect();
        let facts = found
            .iter()
            .map(|d| {
                let from = holder
                    .get(d.reference.as_str())
                    .map(|&row| columns.key(row, StatField::RecoveredFrom));
                DiversionFact::new(d, from.as_ref().and_then(|k| k.as_str()))
            })
            .collect();
        Ok((found, facts))
    }

    /// The time-to-diversion distribution of the items matching `query` and the
    /// statistics filters `wheres`: quartiles, histogram, per end user and per holder.
    pub async fn diversion_summary(
        &self,
        query: &ItemQuery,
        wheres: &[StatFilter],
    ) -> AppResult<DiversionSummary> {
        let (_, facts) = self.diversion_facts(query, wheres).await?;
        Ok(analytics::diversion_summary(&facts))
    }

    /// The distribution and the chains of the `fastest` diversions (fastest first, then
    /// by ref), for findings reports.
    pub async fn fastest_diversions(
        &self,
        wheres: &[StatFilter],
        fastest: usize,
    ) -> AppResult<(DiversionSummary, Vec<CustodyChain>)> {
        let (mut found, facts) = self.diversion_facts(&ItemQuery::default(), wheres).await?;
        let summary = analytics::diversion_summary(&facts);
        found.sort_by(|a, b| {
            a.days
                .cmp(&b.days)
                .then_with(|| a.reference.cmp(&b.reference))
        });
        let mut chains = Vec::new();
        for d in found.iter().take(fastest) {
            chains.push(self.custody(&d.reference).await?);
        }
        Ok((summary, chains))
    }

    /// Recovery points of the items matching `query` that have coordinates, at most
    /// `limit` (0: all), in ref order, and how many there are in all.
    pub async fn points(&self, query: &ItemQuery, limit: u64) -> AppResult<(Vec<ItemPoint>, u64)> {
        Ok(self
            .register
            .store()
            .item_points(&query.filter(&self.clearance), limit)
            .await?)
    }
}

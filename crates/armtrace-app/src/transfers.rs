//! Documented transfers (licences, deliveries, trace responses, SIPRI's register) as a
//! viewer may see them: never by the public. Lists, one transfer, their statistics and
//! the supply-line candidates of a recovered item, all from the register's cached
//! transfers.

use armtrace_core::analytics::{TransferStats, TransferStatsQuery, transfer_stats};
use armtrace_core::candidates::{Candidates, supply_candidates};
use armtrace_core::{Transfer, TransferSource};
use serde::Serialize;

use crate::actor::View;
use crate::error::{AppError, AppResult};

/// A page of transfers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct TransferPage {
    pub total: usize,
    pub limit: u64,
    pub offset: u64,
    /// Transfers with the canonical transfer fields, by delivery date.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub transfers: Vec<Transfer>,
}

/// Whether a transfer matches a free-text query: part of its ref, supplier, recipient,
/// end user, model or manufacturer, ignoring case.
fn matches(t: &Transfer, q: &str) -> bool {
    let q = q.to_lowercase();
    [
        Some(t.transfer_ref.as_str()),
        t.supplier.as_deref(),
        t.recipient.as_deref(),
        t.end_user.as_deref(),
        t.model.as_deref(),
        t.manufacturer.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|s| s.to_lowercase().contains(&q))
}

impl View<'_> {
    /// Transfers matching `q` (any text; none: all) and `source`, a page of them (`limit`
    /// 0: all), in the order they are stored.
    pub async fn transfers(
        &self,
        q: Option<&str>,
        source: Option<TransferSource>,
        offset: u64,
        limit: u64,
    ) -> AppResult<TransferPage> {
        self.signed_in("read transfers")?;
        let index = self.register.transfer_index().await?;
        let q = q.map(str::trim).filter(|s| !s.is_empty());
        let kept: Vec<&Transfer> = index
            .transfers()
            .iter()
            .filter(|t| q.is_none_or(|q| matches(t, q)))
            .filter(|t| source.is_none_or(|s| t.source == s))
            .collect();
        let total = kept.len();
        let take = if limit == 0 { total } else { limit as usize };
        Ok(TransferPage {
            total,
            limit,
            offset,
            transfers: kept
                .into_iter()
                .skip(offset as usize)
                .take(take)
                .cloned()
                .collect(),
        })
    }

    /// One transfer by its ref.
    pub async fn transfer(&self, reference: &str) -> AppResult<Transfer> {
        self.signed_in("read transfers")?;
        let index = self.register.transfer_index().await?;
        index
            .transfers()
            .iter()
            .find(|t| t.transfer_ref == reference)
            .cloned()
            .ok_or_else(|| AppError::not_found("transfer", reference))
    }

    /// Deliveries grouped and weighed as `armtrace transfers stats` prints them.
    pub async fn transfer_stats(&self, query: &TransferStatsQuery) -> AppResult<TransferStats> {
        self.signed_in("read transfers")?;
        let index = self.register.transfer_index().await?;
        Ok(transfer_stats(index.transfers(), query))
    }

    /// Whether any transfer comes from SIPRI (whose figures must then be cited).
    pub async fn has_sipri_transfers(&self) -> AppResult<bool> {
        if self.clearance.is_public() {
            return Ok(false);
        }
        let index = self.register.transfer_index().await?;
        Ok(index
            .transfers()
            .iter()
            .any(|t| t.source == TransferSource::Sipri))
    }

    /// The documented transfers that could explain how an item reached where it was
    /// recovered, ranked.
    pub async fn supply_candidates(&self, reference: &str) -> AppResult<Candidates> {
        self.signed_in("read transfers")?;
        let item = self.item(reference).await?;
        let index = self.register.transfer_index().await?;
        supply_candidates(&item.item, index.transfers())
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

//! Items as a viewer sees them: one item with its history and what its markings suggest,
//! filtered pages, counts, exports and suggestions. Hidden items are absent; fields a
//! viewer may not see are empty.

use armtrace_core::identify::{self, Suggestion};
use armtrace_core::{Clearance, Item};
use armtrace_store::export::{ExportFormat, ExportSummary};
use armtrace_store::items::{Revision, StoredItem};
use futures_util::StreamExt;
use serde::Serialize;

use crate::actor::View;
use crate::clock::this_year;
use crate::error::{AppError, AppResult};
use crate::params::ItemQuery;

/// An item as a viewer may see it, with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRecord {
    /// The canonical fields (those the viewer may not see are empty).
    #[serde(flatten)]
    pub item: Item,
    /// The register's row id (internal; shown by the command line only).
    #[serde(skip)]
    pub id: i64,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ItemRecord {
    fn seen_by(stored: StoredItem, clearance: &Clearance) -> ItemRecord {
        let mut item = stored.item;
        clearance.redact(&mut item);
        ItemRecord {
            item,
            id: stored.id,
            revision: stored.revision,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// One item with what is known about it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    pub item: ItemRecord,
    /// Past states, newest first (signed-in viewers only; empty for the public).
    pub revisions: Vec<Revision>,
    /// What the markings or model suggest (never applied automatically).
    pub identification: Option<Suggestion>,
}

/// A page of items.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPage {
    /// Items matching the filters that the viewer may see.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    /// In ref order.
    pub items: Vec<ItemRecord>,
}

impl View<'_> {
    /// The item with this ref, if the viewer may see it; absent otherwise (the same
    /// answer, so that hidden refs cannot be probed).
    pub async fn item(&self, reference: &str) -> AppResult<ItemRecord> {
        let filter = ItemQuery::default().filter(&self.clearance);
        match self.register.store().item_for(reference, &filter).await? {
            Some(s) => Ok(ItemRecord::seen_by(s, &self.clearance)),
            None => Err(AppError::not_found("item", reference)),
        }
    }

    /// The item with its revision history (for signed-in viewers) and identification.
    pub async fn item_detail(&self, reference: &str) -> AppResult<ItemDetail> {
        let item = self.item(reference).await?;
        let revisions = if self.clearance.is_public() {
            Vec::new()
        } else {
            self.register.store().item_revisions(item.id).await?
        };
        let identification = identify::suggestion_for_item(&item.item, this_year());
        Ok(ItemDetail {
            item,
            revisions,
            identification,
        })
    }

    /// A page of the items matching `query`: at most `limit` (`None`: all of them from
    /// `offset`; `Some(0)`: none, only the total).
    pub async fn items(
        &self,
        query: &ItemQuery,
        offset: u64,
        limit: Option<u64>,
    ) -> AppResult<ItemPage> {
        let filter = query.filter(&self.clearance);
        let store = self.register.store();
        let total = store.count_items(&filter).await?;
        let items = match limit {
            Some(0) => Vec::new(),
            Some(n) => store.items(&filter, n, offset).await?,
            // The store reads 0 as "no limit".
            None => store.items(&filter, 0, offset).await?,
        };
        Ok(ItemPage {
            total,
            limit: limit.unwrap_or(0),
            offset,
            items: items
                .into_iter()
                .map(|s| ItemRecord::seen_by(s, &self.clearance))
                .collect(),
        })
    }

    /// How many items match `query`.
    pub async fn count_items(&self, query: &ItemQuery) -> AppResult<u64> {
        Ok(self
            .register
            .store()
            .count_items(&query.filter(&self.clearance))
            .await?)
    }

    /// Writes the items matching `query` to `out` (CSV re-imports to the same register).
    pub async fn export_items(
        &self,
        query: &ItemQuery,
        format: ExportFormat,
        out: &mut (dyn std::io::Write + Send),
    ) -> AppResult<ExportSummary> {
        Ok(self
            .register
            .store()
            .export_items(&query.filter(&self.clearance), format, out)
            .await?)
    }

    /// Items matching `query` whose markings or model suggest a value for an empty field
    /// (or disagree with a filled one), in ref order.
    pub async fn suggestions(&self, query: &ItemQuery) -> AppResult<Vec<(String, Suggestion)>> {
        let filter = query.filter(&self.clearance);
        let year = this_year();
        let mut stream = self.register.store().stream_items(&filter);
        let mut found = Vec::new();
        while let Some(item) = stream.next().await {
            let item = filter.redacted(item?);
            if let Some(s) = identify::suggestion_for_item(&item, year) {
                found.push((item.reference, s));
            }
        }
        Ok(found)
    }
}

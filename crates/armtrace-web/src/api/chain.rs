//! Supply-chain routes: links (serial runs and shared lots), one item's chain of custody,
//! and diversions.
//!
//! Everything is computed over what the viewer may see. Transfers (licences, deliveries,
//! trace responses) are never public, so an anonymous visitor's custody chains hold
//! manufacture and recovery only and their diversion list is empty.

use armtrace_core::custody::{self, Diversion, TransferIndex};
use armtrace_core::link::{self, LinkEntry, Links};
use armtrace_core::{Clearance, Transfer};
use armtrace_store::items::ItemFilter;
use armtrace_store::map::ItemPoint;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::items::visible_item;
use super::schema;
use super::{ApiQuery, ItemFilterParams, number_param};
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::state::AppState;

/// The transfers a viewer may see: none for the public.
pub async fn visible_transfers(
    state: &AppState,
    clearance: &Clearance,
) -> ApiResult<Vec<Transfer>> {
    if clearance.is_public() {
        Ok(Vec::new())
    } else {
        Ok(state.store.transfers().await?)
    }
}

/// A member of a run or lot, with where it was found.
#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RunLinks {
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub prefix: String,
    pub from: String,
    pub to: String,
    pub count: usize,
    pub members: Vec<Member>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LotLinks {
    pub manufacturer: Option<String>,
    pub calibre: Option<String>,
    pub lot_number: String,
    pub year: Option<i16>,
    pub count: usize,
    pub members: Vec<Member>,
}

/// The items linked to one item: its serial run and its lot, with where each was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemLinks {
    #[serde(rename = "ref")]
    pub reference: String,
    pub runs: Vec<RunLinks>,
    pub lots: Vec<LotLinks>,
}

/// Links among the visible items that could share a run or lot with `item`.
pub async fn links_of(state: &AppState, viewer: &Viewer, reference: &str) -> ApiResult<ItemLinks> {
    let stored = visible_item(state, viewer, reference).await?;
    let item = &stored.item;
    // Runs need the same model and manufacturer, lots the same manufacturer: narrowing by
    // them (substring match, a superset) keeps this fast on a large register.
    let filter = ItemFilter {
        manufacturer: item.manufacturer.clone(),
        model: if item.manufacturer.is_none() {
            item.model.clone()
        } else {
            None
        },
        clearance: Some(viewer.clearance.clone()),
        ..ItemFilter::default()
    };
    let rows = state.store.link_rows(&filter).await?;
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    let links = link::link(&entries, link::DEFAULT_GAP);
    let runs: Vec<_> = links
        .runs
        .into_iter()
        .filter(|r| r.refs.iter().any(|x| x == reference))
        .collect();
    let lots: Vec<_> = links
        .lots
        .into_iter()
        .filter(|l| l.refs.iter().any(|x| x == reference))
        .collect();
    let mut refs: Vec<String> = runs
        .iter()
        .flat_map(|r| r.refs.clone())
        .chain(lots.iter().flat_map(|l| l.refs.clone()))
        .collect();
    refs.sort();
    refs.dedup();
    let points = state.store.item_points_by_ref(&refs).await?;
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
        reference: reference.to_owned(),
        runs: runs
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
        lots: lots
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

#[utoipa::path(
    get, path = "/api/items/{ref}/links", tag = "supply chain",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The item's serial run and lot, with where each member was found", body = ItemLinks),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn item_links(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<ItemLinks>> {
    Ok(Json(links_of(&state, &viewer, &reference).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkParams {
    /// Largest difference between consecutive serial numbers of one run (default 50).
    #[param(schema_with = schema::gap)]
    pub gap: Option<String>,
}

#[utoipa::path(
    get, path = "/api/links", tag = "supply chain",
    params(ItemFilterParams, LinkParams),
    responses(
        (status = 200, description = "Serial runs and lot clusters, as `armtrace link --json`: `{runs:[…], lots:[…]}`", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn links(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
    ApiQuery(params): ApiQuery<LinkParams>,
) -> ApiResult<Json<Links>> {
    let filter = filters.to_filter(&viewer.clearance)?;
    let gap = number_param("gap", &params.gap, link::DEFAULT_GAP, 1_000_000)?;
    let rows = state.store.link_rows(&filter).await?;
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    Ok(Json(link::link(&entries, gap)))
}

#[utoipa::path(
    get, path = "/api/items/{ref}/custody", tag = "supply chain",
    params(("ref" = String, Path, description = "The item's ref")),
    responses(
        (status = 200, description = "The chain of custody with the evidence for each step, as `armtrace custody --json`", body = serde_json::Value),
        (status = 404, description = "No such item (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn custody(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<custody::CustodyChain>> {
    let mut stored = visible_item(&state, &viewer, &reference).await?;
    viewer.clearance.redact(&mut stored.item);
    let transfers = visible_transfers(&state, &viewer.clearance).await?;
    let index = TransferIndex::new(&transfers);
    Ok(Json(custody::custody_chain(&stored.item, &index)))
}

/// Diversions among the visible items matching `filter`.
pub async fn diversions_for(
    state: &AppState,
    viewer: &Viewer,
    filter: &ItemFilter,
) -> ApiResult<Vec<Diversion>> {
    let transfers = visible_transfers(state, &viewer.clearance).await?;
    if transfers.is_empty() {
        return Ok(Vec::new());
    }
    let rows = state.store.link_rows(filter).await?;
    let index = TransferIndex::new(&transfers);
    let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
    let mut items = custody::diversions(&entries, &index);
    items.sort_by(|a, b| a.days.cmp(&b.days).then(a.reference.cmp(&b.reference)));
    Ok(items)
}

#[utoipa::path(
    get, path = "/api/diversions", tag = "supply chain",
    params(ItemFilterParams),
    responses(
        (status = 200, description = "Time from the last documented delivery to recovery, fastest first, as `armtrace diversion --json`: `{items:[{ref, transfer_ref, end_user, delivered_on, recovered_on, days, chain_length}]}`", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn diversions(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filters): ApiQuery<ItemFilterParams>,
) -> ApiResult<Json<custody::DiversionReport>> {
    let filter = filters.to_filter(&viewer.clearance)?;
    Ok(Json(custody::DiversionReport {
        items: diversions_for(&state, &viewer, &filter).await?,
    }))
}

//! The pages everyone can open (filtered by clearance): search, items, one item, the map
//! and the dashboard.

use std::collections::BTreeMap;

use armtrace_core::analytics::{self, StatsQuery};
use armtrace_core::identify;
use axum::extract::{Path, RawQuery, State};
use minijinja::context;
use serde::de::DeserializeOwned;

use super::{Page, PageResult};
use crate::api::items::{MAX_PAGE, item_json, visible_item};
use crate::api::search::{SearchParams, run_search};
use crate::api::{ItemFilterParams, chain, number_param, trace};
use crate::auth::Viewer;
use crate::error::ApiError;
use crate::state::AppState;

/// The query string as a map (last value wins) and as typed parameters.
pub fn query<T: DeserializeOwned>(
    raw: &Option<String>,
) -> Result<(BTreeMap<String, String>, T), ApiError> {
    let raw = raw.as_deref().unwrap_or("");
    let pairs: Vec<(String, String)> = serde_html_form::from_str(raw)
        .map_err(|e| ApiError::bad_request(format!("bad query parameter: {e}")))?;
    let typed = serde_html_form::from_str(raw).map_err(|e| crate::api::query_error(raw, e))?;
    Ok((pairs.into_iter().collect(), typed))
}

/// The search page (the home page): a serial box and ranked matches with why they matched.
pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let parsed = query::<SearchParams>(&raw);
    let (map, params) = match parsed {
        Ok(p) => p,
        Err(e) => return Err(Page::new(&state, &viewer, "/", BTreeMap::new()).fail(e)),
    };
    let page = Page::new(&state, &viewer, "/", map);
    // The visible total, from the in-memory columns rather than a COUNT over the table
    // on every search.
    let visible = {
        let columns = state.columns();
        let all = StatsQuery::parse(&["category".to_owned()], &[], None)
            .expect("category is a statistics field");
        analytics::stats(&columns, &all, &viewer.clearance).total
    };
    let has_query = !params.q.trim().is_empty();
    let (result, error) = if has_query {
        match run_search(&state, &viewer, &params).await {
            Ok(r) => (Some(r), None),
            Err(e) if e.status == axum::http::StatusCode::BAD_REQUEST => (None, Some(e.message)),
            Err(e) => return Err(page.fail(e)),
        }
    } else {
        (None, None)
    };
    page.render(
        "search.html",
        context! { result => result, error => error, visible => visible, ready => state.is_ready() },
    )
}

/// The items list with filters, paging and exports.
pub async fn items(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    #[derive(serde::Deserialize)]
    struct Params {
        #[serde(flatten)]
        filters: ItemFilterParams,
        page: Option<String>,
    }
    let (map, params) = query::<Params>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/items", BTreeMap::new()).fail(e))?;
    let page = Page::new(&state, &viewer, "/items", map.clone());
    let filter = params
        .filters
        .to_filter(&viewer.clearance)
        .map_err(|e| page.fail(e))?;
    const PER_PAGE: u64 = 50;
    let number = number_param("page", &params.page, 1, u32::MAX as u64)
        .map_err(|e| page.fail(e))?
        .max(1);
    let total = state
        .store
        .count_items(&filter)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let items = state
        .store
        .items(&filter, PER_PAGE.min(MAX_PAGE), (number - 1) * PER_PAGE)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let items: Vec<_> = items
        .iter()
        .map(|s| item_json(s, &viewer.clearance))
        .collect();
    let mut filters_only = map.clone();
    filters_only.remove("page");
    let filter_query = serde_html_form::to_string(&filters_only).unwrap_or_default();
    let pages = total.div_ceil(PER_PAGE).max(1);
    page.render(
        "items.html",
        context! {
            items => items, total => total, page => number, pages => pages,
            first => (number - 1) * PER_PAGE + 1, last => ((number - 1) * PER_PAGE + items.len() as u64),
            filter_query => filter_query,
        },
    )
}

/// One item: fields, identification, custody, links, trace requests and history.
pub async fn item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> PageResult {
    let path = format!("/items/{reference}");
    let page = Page::new(&state, &viewer, &path, BTreeMap::new());
    let stored = visible_item(&state, &viewer, &reference)
        .await
        .map_err(|e| page.fail(e))?;
    let item = item_json(&stored, &viewer.clearance);
    let suggestion = identify::suggestion_for_item(&stored.item, super::this_year());
    let transfers = chain::visible_transfers(&state, &viewer.clearance)
        .await
        .map_err(|e| page.fail(e))?;
    let index = armtrace_core::custody::TransferIndex::new(&transfers);
    let mut redacted = stored.item.clone();
    viewer.clearance.redact(&mut redacted);
    let custody = armtrace_core::custody::custody_chain(&redacted, &index);
    let links = chain::links_of(&state, &viewer, &reference)
        .await
        .map_err(|e| page.fail(e))?;
    let (requests, revisions) = if viewer.is_anonymous() {
        (Vec::new(), Vec::new())
    } else {
        let requests = trace::visible_requests(&state, &viewer, Some(&reference))
            .await
            .map_err(|e| page.fail(e))?;
        let revisions = state
            .store
            .item_revisions(stored.id)
            .await
            .map_err(|e| page.fail(e.into()))?;
        (requests, revisions)
    };
    let files = state
        .store
        .evidence_for_item(stored.id)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let evidence = crate::api::evidence::evidence_json(&files, &viewer, &reference);
    page.render(
        "item.html",
        context! {
            item => item, suggestion => suggestion, custody => custody, links => links, evidence => evidence,
            requests => requests, revisions => revisions, signed_in => !viewer.is_anonymous(),
        },
    )
}

pub async fn map(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (map, _) = query::<serde::de::IgnoredAny>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/map", BTreeMap::new()).fail(e))?;
    Page::new(&state, &viewer, "/map", map).render("map.html", context! {})
}

pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (map, _) = query::<serde::de::IgnoredAny>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/dashboard", BTreeMap::new()).fail(e))?;
    Page::new(&state, &viewer, "/dashboard", map).render("dashboard.html", context! {})
}

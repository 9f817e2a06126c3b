//! The pages everyone can open (filtered by clearance): search, items, one item, the map
//! and the dashboard.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use minijinja::context;
use serde::de::DeserializeOwned;

use super::{Page, PageResult};
use crate::api::items::{MAX_PAGE, item_json};
use crate::api::search::{SearchParams, run_search};
use crate::api::{ItemFilterParams, number_param};
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
    let visible = viewer
        .view(&state)
        .visible_total()
        .await
        .map_err(|e| page.fail(e.into()))?;
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
        context! { result => result, error => error, visible => visible, ready => state.register.is_ready() },
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
    let query = params.filters.parse().map_err(|e| page.fail(e))?;
    const PER_PAGE: u64 = 50;
    let number = number_param("page", &params.page, 1, u32::MAX as u64)
        .map_err(|e| page.fail(e))?
        .max(1);
    let found = viewer
        .view(&state)
        .items(
            &query,
            (number - 1) * PER_PAGE,
            Some(PER_PAGE.min(MAX_PAGE)),
        )
        .await
        .map_err(|e| page.fail(e.into()))?;
    let total = found.total;
    let items: Vec<_> = found.items.iter().map(item_json).collect();
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
    let view = viewer.view(&state);
    let detail = view
        .item_detail(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let item = item_json(&detail.item);
    let custody = view
        .custody(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let links = view
        .item_links(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let requests = if viewer.is_anonymous() {
        Vec::new()
    } else {
        view.trace_requests(Some(&detail.item.item.reference), None)
            .await
            .map_err(|e| page.fail(e.into()))?
            .requests
    };
    let files = view
        .evidence(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let evidence = crate::api::evidence::evidence_json(&files, &reference);
    page.render(
        "item.html",
        context! {
            item => item, suggestion => detail.identification, custody => custody, links => links, evidence => evidence,
            requests => requests, revisions => detail.revisions, signed_in => !viewer.is_anonymous(),
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

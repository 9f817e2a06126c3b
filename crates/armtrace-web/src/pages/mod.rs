//! Server-rendered pages. Each page is registered through [`Pages::page`], which records
//! its method, path and [`Access`] in the page table as it adds the route, so the
//! authorisation-matrix test covers every page without a list kept by hand.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use serde::Serialize;

use crate::auth::{Access, Viewer};
use crate::state::AppState;
use crate::templates::{PageContext, ViewerContext};

/// One page route: what the matrix test walks.
#[derive(Debug, Clone, Serialize)]
pub struct PageRoute {
    pub method: String,
    pub path: &'static str,
    pub access: Access,
}

/// A router that records its routes.
pub struct Pages {
    router: Router<AppState>,
    table: Vec<PageRoute>,
}

impl Pages {
    fn new() -> Self {
        Pages {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    fn page(mut self, method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Self {
        self.table.push(PageRoute {
            method: method.to_string(),
            path,
            access,
        });
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every page, and the page table.
pub fn router() -> (Router<AppState>, Vec<PageRoute>) {
    use axum::routing::get;
    let p = Pages::new().page(Method::GET, "/api/openapi.json", Access::Public, get(openapi_json));
    (p.router, p.table)
}

async fn openapi_json() -> impl IntoResponse {
    axum::Json(crate::api::openapi().clone())
}

/// This year, the reference for two-digit years in markings.
pub fn this_year() -> i16 {
    jiff::Zoned::now().year()
}

/// The shared page context for a viewer.
pub fn context(state: &AppState, viewer: &Viewer, path: &str, query: &std::collections::BTreeMap<String, String>) -> PageContext {
    PageContext {
        viewer: viewer.user.as_ref().map(|u| ViewerContext {
            name: u.name.clone(),
            role: u.role.as_str().to_owned(),
            can_write: u.role.can_write(),
            is_admin: u.role.is_admin(),
        }),
        csrf: viewer.csrf().to_owned(),
        path: path.to_owned(),
        query: query.clone(),
        synthetic: state.is_synthetic(),
        app_version: env!("CARGO_PKG_VERSION"),
    }
}

/// The page for an unknown path.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>There is no such page. <a href=\"/\">Back to search</a>.</p>")).into_response()
}

//! Server-rendered pages. Each page is registered through [`Pages::page`], which records
//! its method, path and [`Access`] in the page table as it adds the route, so the
//! authorisation-matrix test covers every page without a list kept by hand.
//!
//! Pages reuse the API's functions (the same clearance filtering, the same errors); a
//! page handler only gathers values and renders a template.

mod account;
mod browse;
mod work;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use minijinja::Value;
use serde::Serialize;

use crate::auth::{Access, Viewer};
use crate::error::ApiError;
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

    fn page(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
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
    use Access::*;
    let p = Pages::new()
        .page(Method::GET, "/api/openapi.json", Public, get(openapi_json))
        .page(Method::GET, "/", Public, get(browse::home))
        .page(Method::GET, "/items", Public, get(browse::items))
        .page(Method::GET, "/items/{ref}", Public, get(browse::item))
        .page(
            Method::POST,
            "/items/{ref}/evidence",
            Write,
            post(work::evidence_upload)
                .layer(DefaultBodyLimit::max(crate::MAX_EVIDENCE_UPLOAD_BYTES)),
        )
        .page(Method::GET, "/map", Public, get(browse::map))
        .page(Method::GET, "/dashboard", Public, get(browse::dashboard))
        .page(Method::GET, "/transfers", SignedIn, get(work::transfers))
        .page(Method::GET, "/trace", SignedIn, get(work::trace_board))
        .page(Method::POST, "/trace", Write, post(work::trace_create))
        .page(Method::GET, "/trace/{ref}", SignedIn, get(work::trace_page))
        .page(
            Method::GET,
            "/trace/{ref}/print",
            SignedIn,
            get(work::trace_print),
        )
        .page(
            Method::POST,
            "/trace/{ref}/{action}",
            Write,
            post(work::trace_step),
        )
        .page(Method::GET, "/import", Write, get(work::import_page))
        .page(
            Method::POST,
            "/import",
            Write,
            post(work::import_upload).layer(DefaultBodyLimit::max(crate::MAX_UPLOAD_BYTES)),
        )
        .page(
            Method::GET,
            "/imports/{id}",
            Write,
            get(work::import_progress),
        )
        .page(Method::GET, "/audit", Admin, get(work::audit_page))
        .page(Method::GET, "/login", Public, get(account::login_page))
        .page(
            Method::POST,
            "/login",
            Public,
            post(account::login).layer(DefaultBodyLimit::max(crate::MAX_SIGN_IN_BYTES)),
        )
        .page(Method::POST, "/logout", Public, post(account::logout));
    (p.router, p.table)
}

async fn openapi_json() -> impl IntoResponse {
    axum::Json(crate::api::openapi().clone())
}

/// A rendered page or an error page.
pub type PageResult = Result<Response, PageError>;

/// An error shown as a page (with the API error's status and message). A 401 shows the
/// sign-in form.
pub struct PageError {
    pub error: ApiError,
    /// What to render the error page with (none: a bare page).
    pub page: Option<Box<(AppState, PageContext)>>,
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError { error, page: None }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.error.status;
        if let Some(page) = self.page {
            let (state, ctx) = *page;
            let name = if status == StatusCode::UNAUTHORIZED {
                "login.html"
            } else {
                "error.html"
            };
            let message = if status == StatusCode::UNAUTHORIZED {
                "Sign in to see this page.".to_owned()
            } else {
                self.error.message.clone()
            };
            let extra = minijinja::context! {
                status => status.as_u16(),
                reason => status.canonical_reason().unwrap_or(""),
                message => message,
                next => ctx.path.clone(),
            };
            if let Ok(html) = state.templates.render(name, &ctx, extra) {
                return (status, Html(html)).into_response();
            }
        }
        (
            status,
            Html(format!(
                "<!doctype html><title>{status}</title><p>{}</p>",
                html_escape(&self.error.message)
            )),
        )
            .into_response()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a page handler needs: state, viewer, path and query, and a renderer.
pub struct Page {
    pub state: AppState,
    pub viewer: Viewer,
    pub context: PageContext,
}

impl Page {
    pub fn new(
        state: &AppState,
        viewer: &Viewer,
        path: &str,
        query: BTreeMap<String, String>,
    ) -> Page {
        Page {
            state: state.clone(),
            viewer: viewer.clone(),
            context: context(state, viewer, path, &query),
        }
    }

    /// Renders a template with status 200.
    pub fn render(&self, name: &str, extra: Value) -> PageResult {
        self.render_status(StatusCode::OK, name, extra)
    }

    pub fn render_status(&self, status: StatusCode, name: &str, extra: Value) -> PageResult {
        let html = self
            .state
            .templates
            .render(name, &self.context, extra)
            .map_err(|e| self.fail(ApiError::internal(format!("template {name}: {e:#}"))))?;
        Ok((status, Html(html)).into_response())
    }

    /// Turns an API error into an error page with this page's context.
    pub fn fail(&self, error: ApiError) -> PageError {
        PageError {
            error,
            page: Some(Box::new((
                self.state.clone(),
                context(
                    &self.state,
                    &self.viewer,
                    &self.context.path,
                    &self.context.query,
                ),
            ))),
        }
    }

    /// Refuses with the sign-in form (401) or an error page (403) unless allowed.
    pub fn require(&self, access: Access, what: &str) -> Result<(), PageError> {
        self.viewer.require(access, what).map_err(|e| self.fail(e))
    }
}

/// The shared page context for a viewer.
pub fn context(
    state: &AppState,
    viewer: &Viewer,
    path: &str,
    query: &BTreeMap<String, String>,
) -> PageContext {
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
        synthetic: state.register.is_synthetic(),
        app_version: env!("CARGO_PKG_VERSION"),
    }
}

/// The page for an unknown path.
pub async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        return ApiError::not_found(format!(
            "there is no API route {path}: see /api/openapi.json"
        ))
        .into_response();
    }
    let (mut parts, _) = request.into_parts();
    let viewer = <Viewer as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    .unwrap_or_else(|_| Viewer::anonymous());
    let page = Page::new(&state, &viewer, &path, BTreeMap::new());
    page.fail(ApiError::not_found(format!("there is no page {path}")))
        .into_response()
}

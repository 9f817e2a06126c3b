//! Every route of the application, read from the declarations the server itself uses:
//! the OpenAPI document (API routes and their `security`) and the page table (pages and
//! their [`Access`]). The matrix and the leak crawl walk this list, so a new route is
//! tested the day it is added.
//!
//! Path parameters are filled by name (and, for `{ref}`, by the resource the path is
//! under). An unknown parameter name fails loudly: teach [`param_kind`] about it.

use armtrace_web::auth::Access;
use axum::http::Method;
use serde_json::Value;

/// Where a route is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Api,
    Page,
}

/// One (method, path) of the application.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    /// As declared, with `{name}` parameters.
    pub path: String,
    pub access: Access,
    pub origin: Origin,
    /// The request body's content types (API routes with a body).
    pub body_types: Vec<String>,
    /// Query parameters, with whether each is required.
    pub query: Vec<(String, bool)>,
}

impl Route {
    pub fn is_safe(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// Its path parameters, in order, with what each stands for.
    pub fn params(&self) -> Vec<(String, Param)> {
        path_params(&self.path)
    }

    /// The route with its path parameters filled in.
    pub fn fill(&self, value: impl Fn(Param) -> String) -> String {
        let mut out = self.path.clone();
        for (name, kind) in self.params() {
            out = out.replace(&format!("{{{name}}}"), &value(kind));
        }
        out
    }

    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What a path parameter stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    ItemRef,
    TransferRef,
    TraceRef,
    ImportId,
    TraceAction,
}

impl Param {
    /// Whether the parameter names an item or something only as visible as its items, so
    /// a hidden one must answer 404.
    pub fn follows_items(self) -> bool {
        matches!(self, Param::ItemRef | Param::TraceRef)
    }
}

/// The parameters of a declared path.
pub fn path_params(path: &str) -> Vec<(String, Param)> {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let name = s.strip_prefix('{')?.strip_suffix('}')?;
            let before = if i > 0 { segments[i - 1] } else { "" };
            Some((name.to_owned(), param_kind(path, name, before)))
        })
        .collect()
}

/// What the parameter `name` of `path` stands for, from its name and the resource it
/// follows. Unknown names fail the test run, so a new route gets a value here.
pub fn param_kind(path: &str, name: &str, before: &str) -> Param {
    match (name, before) {
        ("ref", "items") => Param::ItemRef,
        ("ref", "transfers") => Param::TransferRef,
        ("ref", "trace") => Param::TraceRef,
        ("id", "imports") => Param::ImportId,
        ("action", _) if path.contains("/trace/") => Param::TraceAction,
        _ => panic!(
            "route {path}: the web tests have no value for the path parameter {{{name}}} (after /{before}/); \
             teach tests/web/routes.rs param_kind what it stands for"
        ),
    }
}

/// A sensible value for a query parameter the route needs to say something useful.
fn known_query_value(name: &str) -> Option<&'static str> {
    match name {
        "q" => Some("KX4000103"),
        "marking" => Some("539 82"),
        "by" => Some("category"),
        _ => None,
    }
}

/// The query a probe of `route` sends: every declared parameter with a known value.
/// A required parameter without one fails loudly.
pub fn query_values(route: &Route) -> Vec<(String, &'static str)> {
    route
        .query
        .iter()
        .filter_map(|(name, required)| match known_query_value(name) {
            Some(v) => Some((name.clone(), v)),
            None if *required => panic!(
                "route {}: the web tests have no value for the required query parameter {name}; \
                 add one in tests/web/routes.rs known_query_value",
                route.path
            ),
            None => None,
        })
        .collect()
}

/// The OpenAPI document as JSON.
pub fn openapi_json() -> Value {
    serde_json::to_value(armtrace_web::api::openapi()).expect("the OpenAPI document serialises")
}

/// The routes of the OpenAPI document, with the access their `security` declares.
pub fn api_routes() -> Vec<Route> {
    let doc = openapi_json();
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (method, op) in item {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                "head" => Method::HEAD,
                "options" => Method::OPTIONS,
                _ => continue, // `parameters`, `summary`, … shared by the path's operations
            };
            out.push(Route {
                access: access_of(path, &method, op),
                method,
                path: path.clone(),
                origin: Origin::Api,
                body_types: op["requestBody"]["content"]
                    .as_object()
                    .map(|c| c.keys().cloned().collect())
                    .unwrap_or_default(),
                query: op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "query")
                            .map(|p| {
                                (
                                    p["name"]
                                        .as_str()
                                        .expect("a parameter has a name")
                                        .to_owned(),
                                    p["required"].as_bool().unwrap_or(false),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}

/// The access an operation declares. Every alternative of its `security` must ask for
/// the same scopes (a route open to `["write"]` by token but `[]` by session would be
/// two rules in one).
fn access_of(path: &str, method: &Method, op: &Value) -> Access {
    let Some(requirements) = op.get("security").and_then(Value::as_array) else {
        return Access::from_scopes(None);
    };
    let mut scopes: Option<Vec<String>> = None;
    for requirement in requirements {
        let requirement = requirement
            .as_object()
            .expect("a security requirement is an object");
        for (scheme, s) in requirement {
            let these: Vec<String> = s
                .as_array()
                .expect("scopes are a list")
                .iter()
                .map(|x| x.as_str().expect("a scope is a string").to_owned())
                .collect();
            match &scopes {
                None => scopes = Some(these),
                Some(first) => assert_eq!(
                    first, &these,
                    "{method} {path}: security scheme {scheme} asks for other scopes than the first one"
                ),
            }
        }
    }
    match scopes {
        // `security: []` (or an empty requirement) declares no requirement: public.
        None => Access::from_scopes(None),
        Some(s) => Access::from_scopes(Some(&s)),
    }
}

/// The routes of the page table.
pub fn page_routes() -> Vec<Route> {
    let (_, table) = armtrace_web::pages::router();
    table
        .into_iter()
        .map(|p| Route {
            method: p.method.parse().expect("a page method is an HTTP method"),
            path: p.path.to_owned(),
            access: p.access,
            origin: Origin::Page,
            body_types: Vec::new(),
            query: Vec::new(),
        })
        .collect()
}

/// Every route: the API's and the pages'.
pub fn all() -> Vec<Route> {
    let mut routes = api_routes();
    routes.extend(page_routes());
    routes
}

/// The `href`, `src` and GET-form `action` targets of an HTML page that stay on the site
/// (entities decoded, fragments dropped).
pub fn same_site_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=", "src=", "action="] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                break;
            };
            let value = decode_entities(&rest[1..1 + end]);
            rest = &rest[1 + end..];
            let value = value.split('#').next().unwrap_or("").to_owned();
            if value.starts_with('/') && !value.starts_with("//") {
                out.push(value);
            }
        }
    }
    out
}

/// Decodes the HTML entities minijinja's escaping produces (`&amp;`, `&#x2f;`, …).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

//! Every route of the application, read from the declarations the server itself uses:
//! the OpenAPI document (API routes and their `security`) and the page table (pages and
//! their [`Access`]). The matrix and the leak crawl walk this list, so a new route is
//! tested the day it is added.
//!
//! Path parameters are filled by name (and, for `{ref}`, by the resource the path is
//! under). An unknown parameter name fails loudly: teach [`param_kind`] about it.

use armtrace_web::auth::Access;
use axum::http::Method;
use serde_json::{Value, json};

use crate::support::{encode, multipart, one_item_csv};

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
    /// The SHA-256 of an evidence file attached to the item the path names.
    EvidenceSha,
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
        ("sha256", "evidence") => Param::EvidenceSha,
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

/// Whether the route's body names an item (so the level applies): creating a trace
/// request, by the API or the form.
pub fn body_names_item(route: &Route) -> bool {
    route.method == Method::POST && matches!(route.path.as_str(), "/api/trace" | "/trace")
}

/// Whether the route adds an evidence file to an item (the API's or the page's form).
pub fn adds_evidence(route: &Route) -> bool {
    route.method == Method::POST && route.path.ends_with("/{ref}/evidence")
}

/// The multipart form of an evidence upload: a small synthetic text file, a caption and
/// `csrf` when given (page forms).
fn evidence_form(csrf: Option<&str>) -> (String, Vec<u8>) {
    let mut fields: Vec<(&str, Option<&str>, &[u8])> = Vec::new();
    if let Some(c) = csrf {
        fields.push(("csrf", None, c.as_bytes()));
    }
    fields.push(("caption", None, b"SYNTHETIC TEST DATA: a probe's caption"));
    fields.push((
        "file",
        Some("probe.txt"),
        b"SYNTHETIC TEST DATA: a probe's evidence file\n",
    ));
    multipart(&fields)
}

/// A minimal valid-ish body for an unsafe route: the content type and the bytes. `item`
/// is the item the request is about; `csrf` goes into page forms as their `csrf` field.
/// A page form not listed here gets an empty form; if its handler needs fields, the
/// matrix says so and this is where to add them.
pub fn valid_body(route: &Route, item: Option<&str>, csrf: Option<&str>) -> (String, Vec<u8>) {
    if adds_evidence(route) {
        return evidence_form(csrf);
    }
    let import_form = |name: &str| {
        let csv = one_item_csv("TW-PROBE");
        let mut fields: Vec<(&str, Option<&str>, &[u8])> =
            vec![("kind", None, b"items"), ("dry_run", None, b"true")];
        if let Some(c) = csrf {
            fields.push(("csrf", None, c.as_bytes()));
        }
        fields.push(("file", Some(name), csv.as_bytes()));
        multipart(&fields)
    };
    if route.origin == Origin::Page {
        let mut pairs: Vec<(String, String)> = match route.path.as_str() {
            "/import" => return import_form("probe.csv"),
            "/trace" => vec![
                ("ref".into(), item.unwrap_or("TP-01").into()),
                ("to".into(), "Test Arms Plant".into()),
            ],
            "/login" => vec![
                ("name".into(), "nobody".into()),
                ("password".into(), "not-a-password".into()),
            ],
            _ => Vec::new(),
        };
        if let Some(c) = csrf {
            pairs.push(("csrf".into(), c.into()));
        }
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        return (
            "application/x-www-form-urlencoded".into(),
            body.join("&").into_bytes(),
        );
    }
    if route.body_types.iter().any(|t| t == "multipart/form-data") {
        return import_form("probe.csv");
    }
    let body = match item {
        Some(r) if body_names_item(route) => {
            json!({"ref": r, "to": "Test Arms Plant", "subject": "item"})
        }
        _ => json!({}),
    };
    ("application/json".into(), body.to_string().into_bytes())
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

/// A form of a page: where it goes and its fields (name, type, value). `select` and
/// `textarea` fields have those types.
#[derive(Debug)]
pub struct Form {
    pub action: String,
    pub method: String,
    pub inputs: Vec<(String, String, String)>,
}

/// The value of an attribute inside one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    for quote in ['"', '\''] {
        let needle = format!(" {name}={quote}");
        if let Some(at) = lower.find(&needle) {
            let start = at + needle.len();
            let end = tag[start..].find(quote)? + start;
            return Some(decode_entities(&tag[start..end]));
        }
    }
    None
}

/// The forms of an HTML page.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<form").map(|i| i + from) {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |i| i + at);
        let end = lower[at..].find("</form").map_or(lower.len(), |i| i + at);
        let tag = &html[at..tag_end];
        let mut inputs = Vec::new();
        let mut i = tag_end;
        loop {
            let next = ["<input", "<select", "<textarea"]
                .iter()
                .filter_map(|t| lower[i..end].find(t).map(|x| (x + i, *t)))
                .min();
            let Some((field, kind)) = next else { break };
            let field_end = lower[field..].find('>').map_or(end, |x| x + field);
            let t = &html[field..field_end];
            if let Some(name) = attribute(t, "name") {
                let kind = match kind {
                    "<input" => attribute(t, "type")
                        .unwrap_or_else(|| "text".into())
                        .to_ascii_lowercase(),
                    other => other[1..].to_owned(),
                };
                inputs.push((name, kind, attribute(t, "value").unwrap_or_default()));
            }
            i = field_end;
        }
        out.push(Form {
            action: attribute(tag, "action").unwrap_or_default(),
            method: attribute(tag, "method")
                .unwrap_or_else(|| "get".into())
                .to_ascii_lowercase(),
            inputs,
        });
        from = end.max(at + 1);
    }
    out
}

#[test]
fn forms_are_read_from_html() {
    let html = r#"<form method="POST" action="&#x2f;login"><input type="hidden" name="next" value="/items?a=1&amp;b=2">
        <label>Name <input name="username" autocomplete="username"></label>
        <input type='password' name='password'><button>Sign in</button></form>
        <form action="/search"><input name="q" type="search"><select name="category"><option>weapon</option></select>
        <textarea name="text"></textarea></form>"#;
    let found = forms(html);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].action, "/login");
    assert_eq!(found[0].method, "post");
    assert_eq!(
        found[0].inputs,
        [
            ("next".into(), "hidden".into(), "/items?a=1&b=2".into()),
            ("username".into(), "text".into(), String::new()),
            ("password".into(), "password".into(), String::new()),
        ]
    );
    assert_eq!(found[1].method, "get");
    let names: Vec<(&str, &str)> = found[1]
        .inputs
        .iter()
        .map(|(n, t, _)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("q", "search"),
            ("category", "select"),
            ("text", "textarea")
        ]
    );
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

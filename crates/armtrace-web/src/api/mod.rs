//! The JSON API under `/api/`. Every handler is annotated with `#[utoipa::path]`, so the
//! OpenAPI document at `/api/openapi.json` is generated from the routes themselves.
//!
//! Access is declared in each handler's `security`: none means public (what is shown
//! is filtered by the viewer's clearance), `[]` any signed-in user, `["write"]` admins and
//! investigators, `["admin"]` admins. The handler enforces the same with
//! [`Viewer::require`](crate::auth::Viewer::require), and the authorisation-matrix test
//! checks that the two agree for every route, role and confidentiality level.

pub mod audit;
pub mod chain;
pub mod evidence;
pub mod imports;
pub mod items;
pub mod map;
pub mod misc;
pub mod schema;
pub mod search;
pub mod stats;
pub mod trace;
pub mod transfers;

use std::sync::OnceLock;

use armtrace_app::{ItemParams, ItemQuery};
use axum::extract::{DefaultBodyLimit, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "armtrace API",
        description = "Documented conflict weapons and ammunition: items, serial search, links between items of one shipment, chains of custody, diversions, statistics, transfers, trace requests and imports.\n\nAnonymous requests see only public items and public fields. Sign in with `Authorization: Bearer <token>` (`armtrace token create USER`) or a browser session.",
        license(name = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "items", description = "The register of documented items"),
        (name = "search", description = "Serial search that survives misreadings"),
        (name = "supply chain", description = "Links, custody and diversion"),
        (name = "analytics", description = "Statistics"),
        (name = "transfers", description = "Documented transfers"),
        (name = "trace", description = "Trace requests"),
        (name = "imports", description = "File imports"),
        (name = "system", description = "Health and identity"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(misc::healthz))
        .routes(routes!(misc::me))
        .routes(routes!(misc::identify))
        .routes(routes!(items::list_items))
        .routes(routes!(items::export_items))
        .routes(routes!(items::get_item))
        .routes(routes!(search::search))
        .routes(routes!(chain::item_links))
        .routes(routes!(chain::links))
        .routes(routes!(chain::custody))
        .routes(routes!(chain::diversions))
        .routes(routes!(stats::stats))
        .routes(routes!(stats::diversion_summary))
        .routes(routes!(map::points))
        .routes(routes!(transfers::list_transfers))
        .routes(routes!(transfers::get_transfer))
        .routes(routes!(trace::list_trace, trace::create_trace))
        .routes(routes!(trace::get_trace))
        .routes(routes!(trace::advance_trace))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(imports::start_import, imports::list_imports))
                .layer(DefaultBodyLimit::max(crate::MAX_UPLOAD_BYTES)),
        )
        .routes(routes!(imports::get_import))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(evidence::item_evidence, evidence::upload_evidence))
                .layer(DefaultBodyLimit::max(crate::MAX_EVIDENCE_UPLOAD_BYTES)),
        )
        .routes(routes!(evidence::evidence_file))
        .routes(routes!(evidence::evidence_thumbnail))
        .routes(routes!(audit::audit_log))
        .routes(routes!(audit::audit_verify))
        .routes(routes!(imports::import_events))
}

/// The OpenAPI document (built once).
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().split_for_parts().1;
        mark_required(&mut doc);
        forbid_control_characters(doc)
    })
}

/// What free text may hold, said in the document so clients and fuzzers know: no URL
/// value may hold a NUL (answered 400 by `refuse_nul_in_url`), and a trace request's
/// text no control character but line breaks and tabs (`trace::plain_text`).
const NO_NUL: &str = "^[^\\x00]*$";
const PLAIN_TEXT: &str = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$";

fn forbid_control_characters(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::{RefOr, path::Operation};
    fn restrict(schema: &mut RefOr<Schema>, pattern: &str) {
        if let RefOr::T(Schema::Object(object)) = schema {
            let string = match &object.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(types) => types.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            if !string || object.enum_values.is_some() || object.format.is_some() {
                return;
            }
            object.pattern = match object.pattern.take() {
                None => Some(pattern.to_owned()),
                // A pattern that only asks for something somewhere (`[A-Za-z0-9]`):
                // that, with no forbidden character around it.
                Some(p) if !p.starts_with('^') => {
                    let allowed = &pattern[1..pattern.len() - 1];
                    Some(format!("^{allowed}(?:{p}){allowed}$"))
                }
                anchored => anchored,
            };
        }
    }
    for item in doc.paths.paths.values_mut() {
        let operations: [Option<&mut Operation>; 4] = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let Some(schema) = parameter.schema.as_mut() {
                    restrict(schema, NO_NUL);
                }
            }
        }
    }
    if let Some(components) = doc.components.as_mut() {
        for name in ["NewTrace", "TraceStep"] {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                for property in object.properties.values_mut() {
                    restrict(property, PLAIN_TEXT);
                }
            }
        }
    }
    doc
}

/// Query parameters that must be given. They are read with `#[serde(default)]` so that
/// a missing one gets a 400 naming it (rather than a deserializer's message), which
/// makes utoipa call them optional; the document says what the handlers demand.
const REQUIRED_QUERY: [(&str, &str); 3] = [
    ("/api/search", "q"),
    ("/api/identify", "marking"),
    ("/api/stats", "by"),
];

fn mark_required(doc: &mut utoipa::openapi::OpenApi) {
    for (path, name) in REQUIRED_QUERY {
        let operation = doc
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.get.as_mut())
            .expect("the required parameters' routes exist");
        for p in operation.parameters.iter_mut().flatten() {
            if p.name == name {
                p.required = utoipa::openapi::Required::True;
            }
        }
    }
}

/// Query parameters, with repeated keys (`by=a&by=b`) and a JSON 400 naming the bad
/// parameter when they cannot be read.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_html_form::from_str(query)
            .map(ApiQuery)
            .map_err(|e| query_error(query, e))
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> OptionalFromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, ApiError> {
        <Self as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

/// A 400 for a query string that cannot be read, naming a repeated parameter when that
/// is the cause (only `by` and `where` may be repeated).
pub fn query_error(query: &str, e: impl std::fmt::Display) -> ApiError {
    let pairs: Vec<(String, String)> = serde_html_form::from_str(query).unwrap_or_default();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for (k, _) in &pairs {
        *seen.entry(k.as_str()).or_default() += 1;
    }
    match seen
        .iter()
        .find(|(k, n)| **n > 1 && !matches!(**k, "by" | "where"))
    {
        Some((k, n)) => {
            ApiError::bad_request(format!("parameter {k} is given {n} times: give it once"))
        }
        None => ApiError::bad_request(format!("bad query parameter: {e}")),
    }
}

/// The item filters shared by lists, exports, the map and links.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemFilterParams {
    /// weapon, ammunition, ied_component, chemical_precursor or other.
    #[param(schema_with = schema::category)]
    pub category: Option<String>,
    /// Part of the model designation (case-insensitive).
    pub model: Option<String>,
    /// Part of the manufacturer's name (case-insensitive).
    pub manufacturer: Option<String>,
    /// Country of manufacture: ISO code or English name.
    #[param(schema_with = schema::country)]
    pub country_of_manufacture: Option<String>,
    /// Country of recovery: ISO code or English name.
    #[param(schema_with = schema::country)]
    pub recovered_country: Option<String>,
    /// public, restricted or confidential (only levels you may see).
    #[param(schema_with = schema::confidentiality)]
    pub confidentiality: Option<String>,
    /// Recovered on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[param(schema_with = schema::date)]
    pub recovered_from_date: Option<String>,
    /// Recovered on or before this date (YYYY, YYYY-MM or YYYY-MM-DD).
    #[param(schema_with = schema::date)]
    pub recovered_to_date: Option<String>,
}

impl ItemFilterParams {
    /// The filters as the application reads them; 400 naming the parameter when a value
    /// is bad.
    pub fn parse(self) -> Result<ItemQuery, ApiError> {
        Ok(ItemParams {
            category: self.category,
            model: self.model,
            manufacturer: self.manufacturer,
            country_of_manufacture: self.country_of_manufacture,
            recovered_country: self.recovered_country,
            confidentiality: self.confidentiality,
            recovered_from_date: self.recovered_from_date,
            recovered_to_date: self.recovered_to_date,
        }
        .parse()?)
    }
}

/// Parses an optional number parameter with bounds, naming it when it is bad.
pub fn number_param(
    name: &str,
    value: &Option<String>,
    default: u64,
    max: u64,
) -> Result<u64, ApiError> {
    Ok(armtrace_app::parse_count(name, value, default, max)?)
}

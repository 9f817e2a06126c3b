//! Health, identity and marking identification.

use armtrace_core::identify;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use super::schema;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` once the register is loaded, else `loading`.
    pub status: String,
}

#[utoipa::path(
    get, path = "/healthz", tag = "system",
    responses(
        (status = 200, description = "The register is loaded", body = Health),
        (status = 503, description = "Still loading the register", body = Health),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.register.is_ready() {
        Json(Health {
            status: "ok".into(),
        })
        .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "loading".into(),
            }),
        )
            .into_response()
    }
}

/// Who the request is made by.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Null for anonymous visitors.
    pub name: Option<String>,
    pub role: Option<String>,
    /// The confidentiality levels visible as a whole.
    pub sees: Vec<String>,
    /// Confidential items granted one by one.
    pub granted_items: usize,
}

#[utoipa::path(
    get, path = "/api/me", tag = "system",
    responses((status = 200, description = "The viewer", body = Me))
)]
pub async fn me(viewer: Viewer) -> Json<Me> {
    let clearance = armtrace_app::describe_clearance(&viewer.clearance);
    Json(Me {
        name: viewer.user.as_ref().map(|u| u.name.clone()),
        role: viewer.role().map(|r| r.as_str().to_owned()),
        sees: clearance.sees.into_iter().map(str::to_owned).collect(),
        granted_items: clearance.granted_items,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdentifyParams {
    /// The marking as read, e.g. a headstamp `539 82` or a model `AKM`.
    #[param(schema_with = schema::marking, required = true)]
    #[serde(default)]
    pub marking: String,
    /// Reference year for two-digit years (default: this year).
    #[param(schema_with = schema::year)]
    pub year: Option<String>,
}

#[utoipa::path(
    get, path = "/api/identify", tag = "items",
    params(IdentifyParams),
    responses(
        (status = 200, description = "`{marking, identifications:[…]}` with confidence and source, as `armtrace identify --json`", body = serde_json::Value),
        (status = 400, description = "A missing or malformed parameter", body = crate::error::ErrorBody),
    )
)]
pub async fn identify(ApiQuery(p): ApiQuery<IdentifyParams>) -> ApiResult<Json<serde_json::Value>> {
    let marking = Some(p.marking.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "parameter marking is missing: give the marking as read, e.g. marking=539%2082",
            )
        })?;
    let year = match p.year.as_deref().map(str::trim) {
        None => armtrace_app::clock::this_year(),
        Some(s) => s
            .parse::<i16>()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
            .ok_or_else(|| {
                ApiError::bad_request(format!("parameter year={s:?}: use a year such as 2024"))
            })?,
    };
    let readings = identify::identify(marking, year);
    Ok(Json(
        serde_json::json!({ "marking": marking, "identifications": readings }),
    ))
}
